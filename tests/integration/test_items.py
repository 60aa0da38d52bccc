"""Items: PutItem, GetItem, UpdateItem, DeleteItem, Query and Scan on the data they store.

DynamoDB behaviour checked:
- all ten attribute types (S N B BOOL NULL L M SS NS BS, nested) round-trip exactly, through the
  client (DynamoDB JSON, bytes for B) and the resource (Decimal, Binary, set);
- numbers come back in canonical form: "1.50" -> "1.5", "-0" -> "0", "1e3" -> "1000", 38 digits
  exact;
- GetItem of an absent item has no 'Item' key; ProjectionExpression (with ExpressionAttributeNames)
  returns only the named attributes; ConsistentRead is accepted;
- ReturnValues: PutItem/DeleteItem ALL_OLD; UpdateItem NONE, ALL_OLD, UPDATED_OLD, ALL_NEW,
  UPDATED_NEW, including an update that creates the item;
- ConditionExpression attribute_not_exists(pk): a second put fails with
  ConditionalCheckFailedException "The conditional request failed";
- an update of a key attribute is rejected; an empty string in a non-key attribute is allowed;
- Query returns a partition in sort-key order (numbers numerically, strings and binaries by unsigned
  bytes), reversed with ScanIndexForward=False; Scan returns every item.
"""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import Binary
from botocore.exceptions import ClientError

from conftest import create_table

ALL_TYPES = {
    "pk": {"S": "all"},
    "s": {"S": "text with ünïcödé and \"quotes\"\n"},
    "n": {"N": "-123.456"},
    "b": {"B": b"\x00\x01\xfe\xff"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"L": []}, {"M": {}}, {"NULL": True},
                {"L": [{"B": b"x"}, {"SS": ["q"]}]}]},
    "m": {"M": {"inner": {"M": {"deeper": {"L": [{"N": "2"}]}}},
                "bool": {"BOOL": False}}},
    "ss": {"SS": ["b", "a", "c"]},
    "ns": {"NS": ["3", "1.5", "-2"]},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
}


def normalize_sets(item):
    """Sets are unordered: compare them as sorted lists."""
    if isinstance(item, dict):
        out = {}
        for k, v in item.items():
            if k in ("SS", "BS"):
                out[k] = sorted(v)
            elif k == "NS":
                out[k] = sorted(v, key=Decimal)
            else:
                out[k] = normalize_sets(v)
        return out
    if isinstance(item, list):
        return [normalize_sets(v) for v in item]
    return item


@pytest.fixture
def table(client):
    create_table(client, "tbl")
    return "tbl"


@pytest.fixture
def sorted_table(client):
    create_table(client, "sorted", hash_key=("pk", "S"), range_key=("sk", "N"))
    return "sorted"


# --------------------------------------------------------------------------------------------------
# Round trips.


def test_all_types_round_trip_client(client, table):
    client.put_item(TableName=table, Item=ALL_TYPES)
    got = client.get_item(TableName=table, Key={"pk": {"S": "all"}})["Item"]
    assert normalize_sets(got) == normalize_sets(ALL_TYPES)
    got = client.scan(TableName=table)["Items"]
    assert normalize_sets(got) == [normalize_sets(ALL_TYPES)]


def test_all_types_round_trip_resource(resource, table):
    t = resource.Table(table)
    item = {
        "pk": "res",
        "s": "é",
        "n": Decimal("3.14159"),
        "i": 42,
        "b": Binary(b"\x00\xff"),
        "t": True,
        "z": None,
        "l": [1, "two", [Decimal("3.5")], {"k": "v"}],
        "m": {"a": {"b": {"c": [None, False]}}},
        "ss": {"x", "y"},
        "ns": {Decimal("1"), Decimal("2.5")},
        "bs": {Binary(b"\x01"), Binary(b"\x02")},
    }
    t.put_item(Item=item)
    got = t.get_item(Key={"pk": "res"})["Item"]
    expected = dict(item, i=Decimal(42), l=[Decimal(1), "two", [Decimal("3.5")], {"k": "v"}])
    assert got == expected
    assert isinstance(got["b"], Binary)
    assert got["ns"] == {Decimal("1"), Decimal("2.5")}


@pytest.mark.parametrize("given,stored", [
    ("1.50", "1.5"),
    ("-0", "0"),
    ("0.000", "0"),
    ("1e3", "1000"),
    ("1E+3", "1000"),
    ("0001", "1"),
    ("-1.0e-2", "-0.01"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("0.12345678901234567890123456789012345678", "0.12345678901234567890123456789012345678"),
    ("-9.9999999999999999999999999999999999999E+10",
     "-99999999999.999999999999999999999999999"),
    # Trailing zeros are not significant digits: 1E+50 has one.
    ("1E+50", "1" + "0" * 50),
])
def test_number_canonical_form(client, table, given, stored):
    client.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": given}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "n"}})["Item"]["v"]
    assert got == {"N": stored}


def test_number_set_members_canonical(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"NS": ["1.50", "2e1"]}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "n"}})["Item"]["v"]
    assert sorted(got["NS"], key=Decimal) == ["1.5", "20"]


def test_number_key_canonical(client):
    # 1.50 and 1.5 are the same key.
    create_table(client, "numkey", hash_key=("pk", "N"))
    client.put_item(TableName="numkey", Item={"pk": {"N": "1.50"}, "v": {"S": "first"}})
    client.put_item(TableName="numkey", Item={"pk": {"N": "1.5"}, "v": {"S": "second"}})
    items = client.scan(TableName="numkey")["Items"]
    assert items == [{"pk": {"N": "1.5"}, "v": {"S": "second"}}]


# --------------------------------------------------------------------------------------------------
# GetItem.


def test_get_missing_item(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "absent"}})
    assert "Item" not in resp
    resp = client.get_item(TableName=table, Key={"pk": {"S": "absent"}}, ConsistentRead=True)
    assert "Item" not in resp


def test_consistent_read(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    resp = client.get_item(TableName=table, Key={"pk": {"S": "a"}}, ConsistentRead=True)
    assert resp["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}


def test_projection_expression(client, table):
    client.put_item(TableName=table, Item={
        "pk": {"S": "a"}, "name": {"S": "Alice"}, "age": {"N": "30"}, "city": {"S": "NYC"},
        "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}, "l": {"L": [{"S": "l0"}, {"S": "l1"}]}})
    # "name" is a reserved word: it needs ExpressionAttributeNames.
    resp = client.get_item(TableName=table, Key={"pk": {"S": "a"}},
                           ProjectionExpression="#n, age",
                           ExpressionAttributeNames={"#n": "name"})
    assert resp["Item"] == {"name": {"S": "Alice"}, "age": {"N": "30"}}
    # Nested paths keep their structure; absent attributes are left out.
    resp = client.get_item(TableName=table, Key={"pk": {"S": "a"}},
                           ProjectionExpression="m.y, l[1], nothere")
    assert resp["Item"] == {"m": {"M": {"y": {"N": "2"}}}, "l": {"L": [{"S": "l1"}]}}
    # The key is returned only when projected.
    resp = client.get_item(TableName=table, Key={"pk": {"S": "a"}}, ProjectionExpression="pk")
    assert resp["Item"] == {"pk": {"S": "a"}}


# --------------------------------------------------------------------------------------------------
# ReturnValues.


def test_put_item_return_values_all_old(client, table):
    resp = client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}},
                           ReturnValues="ALL_OLD")
    assert "Attributes" not in resp
    resp = client.put_item(TableName=table, Item={"pk": {"S": "a"}, "w": {"S": "new"}},
                           ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    # PutItem replaces the whole item.
    assert client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "w": {"S": "new"}}
    resp = client.put_item(TableName=table, Item={"pk": {"S": "a"}}, ReturnValues="NONE")
    assert "Attributes" not in resp


def test_delete_item_return_values_all_old(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"SS": ["x"]}})
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": {"S": "a"}, "v": {"SS": ["x"]}}
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp  # deleting an absent item is no error
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "a"}})


def update(client, table, pk, expression, values, return_values, names=None):
    kwargs = {"ExpressionAttributeNames": names} if names else {}
    return client.update_item(TableName=table, Key={"pk": {"S": pk}}, UpdateExpression=expression,
                              ExpressionAttributeValues=values, ReturnValues=return_values,
                              **kwargs)


def test_update_item_return_values(client, table):
    one, two = {":v": {"N": "1"}}, {":v": {"N": "2"}}
    base = {"pk": {"S": "a"}, "keep": {"S": "k"}, "v": {"N": "0"}}
    client.put_item(TableName=table, Item=base)

    resp = update(client, table, "a", "SET v = :v", one, "NONE")
    assert "Attributes" not in resp
    resp = update(client, table, "a", "SET v = :v", two, "ALL_OLD")
    assert resp["Attributes"] == dict(base, v={"N": "1"})
    resp = update(client, table, "a", "SET v = :v", one, "UPDATED_OLD")
    assert resp["Attributes"] == {"v": {"N": "2"}}
    resp = update(client, table, "a", "SET v = :v", two, "ALL_NEW")
    assert resp["Attributes"] == dict(base, v={"N": "2"})
    resp = update(client, table, "a", "SET v = :v, w = :v", one, "UPDATED_NEW")
    assert resp["Attributes"] == {"v": {"N": "1"}, "w": {"N": "1"}}
    # REMOVE: UPDATED_OLD shows the removed value, UPDATED_NEW has nothing to show.
    resp = client.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="REMOVE w",
                              ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"w": {"N": "1"}}
    resp = client.update_item(TableName=table, Key={"pk": {"S": "a"}},
                              UpdateExpression="REMOVE keep", ReturnValues="UPDATED_NEW")
    assert "Attributes" not in resp
    assert client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "v": {"N": "1"}}


def test_update_item_creates_item(client, table):
    resp = update(client, table, "new1", "SET v = :v", {":v": {"S": "x"}}, "ALL_OLD")
    assert "Attributes" not in resp
    resp = update(client, table, "new2", "SET v = :v", {":v": {"S": "x"}}, "UPDATED_OLD")
    assert "Attributes" not in resp
    resp = update(client, table, "new3", "SET v = :v", {":v": {"S": "x"}}, "ALL_NEW")
    assert resp["Attributes"] == {"pk": {"S": "new3"}, "v": {"S": "x"}}
    resp = update(client, table, "new4", "SET v = :v ADD c :one",
                  {":v": {"S": "x"}, ":one": {"N": "1"}}, "UPDATED_NEW")
    assert resp["Attributes"] == {"v": {"S": "x"}, "c": {"N": "1"}}
    resp = update(client, table, "new5", "SET v = :v", {":v": {"S": "x"}}, "NONE")
    assert "Attributes" not in resp
    for pk in ("new1", "new2", "new3", "new5"):
        assert client.get_item(TableName=table, Key={"pk": {"S": pk}})["Item"] == {
            "pk": {"S": pk}, "v": {"S": "x"}}


def test_update_item_resource_tutorial_style(resource, table):
    t = resource.Table(table)
    t.put_item(Item={"pk": "a", "count": 1})
    resp = t.update_item(Key={"pk": "a"}, UpdateExpression="SET #c = #c + :inc",
                         ExpressionAttributeNames={"#c": "count"},  # COUNT is reserved
                         ExpressionAttributeValues={":inc": Decimal("2.5")},
                         ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"count": Decimal("3.5")}


# --------------------------------------------------------------------------------------------------
# Conditions and rules.


def test_put_if_not_exists(client, table):
    cond = {"ConditionExpression": "attribute_not_exists(pk)"}
    client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}}, **cond)
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "2"}}, **cond)
    assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert e.value.response["Error"]["Message"] == "The conditional request failed"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_update_of_key_attribute_rejected(client):
    create_table(client, "Books", hash_key=("book_id", "N"), range_key=("title", "S"))
    key = {"book_id": {"N": "1"}, "title": {"S": "T"}}
    client.put_item(TableName="Books", Item=dict(key, author={"S": "A"}))
    with pytest.raises(ClientError) as e:
        client.update_item(TableName="Books", Key=key, UpdateExpression="SET title = :t",
                           ExpressionAttributeValues={":t": {"S": "Other"}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert e.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Cannot update attribute title. "
        "This attribute is part of the key")
    assert client.get_item(TableName="Books", Key=key)["Item"] == dict(key, author={"S": "A"})


def test_empty_string_in_non_key_attribute(client, table):
    item = {"pk": {"S": "a"}, "e": {"S": ""}, "eb": {"B": b""},
            "m": {"M": {"inner": {"S": ""}}}, "l": {"L": [{"S": ""}]}}
    client.put_item(TableName=table, Item=item)
    assert client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == item


# --------------------------------------------------------------------------------------------------
# Query and Scan order.


def test_query_numeric_sort_order(client, sorted_table):
    numbers = ["10", "-5", "2", "0", "-100", "1.5", "-0.25", "100", "3E+2", "-1E-3"]
    for n in numbers:
        client.put_item(TableName=sorted_table, Item={"pk": {"S": "p"}, "sk": {"N": n}})
    client.put_item(TableName=sorted_table, Item={"pk": {"S": "other"}, "sk": {"N": "7"}})
    expected = ["-100", "-5", "-0.25", "-0.001", "0", "1.5", "2", "10", "100", "300"]
    resp = client.query(TableName=sorted_table, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["N"] for i in resp["Items"]] == expected
    assert resp["Count"] == 10
    assert resp["ScannedCount"] == 10
    resp = client.query(TableName=sorted_table, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False)
    assert [i["sk"]["N"] for i in resp["Items"]] == expected[::-1]


def test_query_string_sort_order_is_bytes(client):
    create_table(client, "strs", hash_key=("pk", "S"), range_key=("sk", "S"))
    # UTF-8 byte order: uppercase before lowercase, a prefix before its extensions,
    # U+FF21 (EF BC A1) before U+1F600 (F0 9F 98 80) although UTF-16 would order them the other way.
    values = ["b", "a", "B", "ab", "aa", "é", "\uff21", "\U0001F600", "Z", "a b", "0"]
    for v in values:
        client.put_item(TableName="strs", Item={"pk": {"S": "p"}, "sk": {"S": v}})
    expected = sorted(values, key=lambda s: s.encode("utf-8"))
    assert expected == ["0", "B", "Z", "a", "a b", "aa", "ab", "b", "é", "\uff21", "\U0001F600"]
    resp = client.query(TableName="strs", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["S"] for i in resp["Items"]] == expected
    resp = client.query(TableName="strs", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False)
    assert [i["sk"]["S"] for i in resp["Items"]] == expected[::-1]


def test_query_binary_sort_order_is_unsigned_bytes(client):
    create_table(client, "bins", hash_key=("pk", "S"), range_key=("sk", "B"))
    values = [b"\xff", b"\x00", b"\x7f", b"\x80", b"\x00\x00", b"\x01", b"\x80\x00"]
    for v in values:
        client.put_item(TableName="bins", Item={"pk": {"S": "p"}, "sk": {"B": v}})
    resp = client.query(TableName="bins", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}})
    assert [i["sk"]["B"] for i in resp["Items"]] == sorted(values)


def test_query_resource_key_condition(resource, sorted_table):
    t = resource.Table(sorted_table)
    for i in range(5):
        t.put_item(Item={"pk": "p", "sk": i, "v": f"v{i}"})
    resp = t.query(KeyConditionExpression=Key("pk").eq("p") & Key("sk").between(1, 3))
    assert resp["Items"] == [{"pk": "p", "sk": Decimal(i), "v": f"v{i}"} for i in (1, 2, 3)]


def test_scan_returns_all_items(client, sorted_table):
    expected = []
    for p in range(4):
        for s in range(5):
            item = {"pk": {"S": f"p{p}"}, "sk": {"N": str(s)}, "v": {"S": f"{p}-{s}"}}
            client.put_item(TableName=sorted_table, Item=item)
            expected.append(item)
    resp = client.scan(TableName=sorted_table)
    assert resp["Count"] == 20
    assert resp["ScannedCount"] == 20
    assert "LastEvaluatedKey" not in resp
    key = lambda i: (i["pk"]["S"], int(i["sk"]["N"]))  # noqa: E731
    assert sorted(resp["Items"], key=key) == sorted(expected, key=key)
    # Items of one partition come back together and in sort-key order, whatever the partition order.
    order = [(i["pk"]["S"], int(i["sk"]["N"])) for i in resp["Items"]]
    for p in range(4):
        within = [s for (pk, s) in order if pk == f"p{p}"]
        assert within == list(range(5))
