"""BatchWriteItem and BatchGetItem: several tables per call, limits, validation, partial results.

DynamoDB behaviour checked:
- BatchWriteItem: PutRequest and DeleteRequest over two tables in one call; UnprocessedItems is {}
  when everything was written; a put replaces the whole item; deleting an absent item is no error;
  at most 25 requests per call ("Too many items requested for the BatchWriteItem call"); two
  requests on the same item are rejected ("Provided list of item keys contains duplicates"), while
  the same key in two tables is fine; a missing table is ResourceNotFoundException; a bad key is
  rejected with the single-item operations' messages; a rejected batch writes nothing;
- the resource API's batch_writer (which sends 25-item BatchWriteItem calls) over 1,000 items;
- BatchGetItem: keys over two tables, Responses per table (in no particular order); missing items
  are simply absent; per-table ProjectionExpression with ExpressionAttributeNames and
  ConsistentRead; UnprocessedKeys is {} normally; at most 100 keys per call ("Too many items
  requested for the BatchGetItem call"); duplicate keys rejected; a missing table and bad keys;
- when the response would exceed 16 MB (100 items of 300 KB, the API reference's example),
  BatchGetItem returns 52 items and the other 48 keys in UnprocessedKeys; requesting those again
  returns them: every item exactly once.
"""

from collections import Counter
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, expect_error, validation

MISSING = "Requested resource not found"
DUPLICATES = "Provided list of item keys contains duplicates"
TOO_MANY_WRITES = "Too many items requested for the BatchWriteItem call"
TOO_MANY_GETS = "Too many items requested for the BatchGetItem call"
KEY_SCHEMA = "The provided key element does not match the schema"


def put(item):
    return {"PutRequest": {"Item": item}}


def delete(key):
    return {"DeleteRequest": {"Key": key}}


def s(v):
    return {"S": v}


def n(v):
    return {"N": str(v)}


@pytest.fixture
def tables(client):
    """"users" (id S) and "events" (user S, ts N)."""
    create_table(client, "users", hash_key=("id", "S"))
    create_table(client, "events", hash_key=("user", "S"), range_key=("ts", "N"))
    return "users", "events"


def scan_items(client, table):
    items, start = [], None
    for _ in range(100):
        kwargs = {"ExclusiveStartKey": start} if start else {}
        resp = client.scan(TableName=table, ConsistentRead=True, **kwargs)
        items += resp["Items"]
        start = resp.get("LastEvaluatedKey")
        if start is None:
            return items
    raise AssertionError("scan did not finish")


# --------------------------------------------------------------------------------------------------
# BatchWriteItem.


def test_batch_write_puts_and_deletes_over_two_tables(client, tables):
    users, events = tables
    resp = client.batch_write_item(RequestItems={
        users: [put({"id": s(f"u{i}"), "name": s(f"name{i}")}) for i in range(10)],
        events: [put({"user": s("u0"), "ts": n(t), "what": s("login")}) for t in range(15)],
    })
    assert resp["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in resp and "ItemCollectionMetrics" not in resp
    assert sorted(i["id"]["S"] for i in scan_items(client, users)) == sorted(
        f"u{i}" for i in range(10))
    assert len(scan_items(client, events)) == 15

    # Mixed: deletes (one of an absent item), a replacing put, new puts.
    resp = client.batch_write_item(RequestItems={
        users: [delete({"id": s("u1")}), delete({"id": s("nobody")}),
                put({"id": s("u2"), "other": n(2)}), put({"id": s("u10"), "name": s("ten")})],
        events: [delete({"user": s("u0"), "ts": n(t)}) for t in range(0, 15, 2)],
    })
    assert resp["UnprocessedItems"] == {}
    got = {i["id"]["S"]: i for i in scan_items(client, users)}
    assert sorted(got) == sorted([f"u{i}" for i in range(11) if i != 1])
    assert got["u2"] == {"id": s("u2"), "other": n(2)}  # the whole item replaced
    assert got["u10"] == {"id": s("u10"), "name": s("ten")}
    assert sorted(int(i["ts"]["N"]) for i in scan_items(client, events)) == list(range(1, 15, 2))


def test_batch_write_all_attribute_types(client, tables):
    users, _ = tables
    item = {"id": s("x"), "b": {"B": b"\x00\xff"}, "l": {"L": [n(1), s("a")]},
            "m": {"M": {"k": {"BOOL": True}}}, "ns": {"NS": ["1", "2.5"]}, "z": {"NULL": True}}
    assert client.batch_write_item(RequestItems={users: [put(item)]})["UnprocessedItems"] == {}
    got = client.get_item(TableName=users, Key={"id": s("x")})["Item"]
    assert dict(got, ns=None) == dict(item, ns=None)
    assert sorted(got["ns"]["NS"], key=Decimal) == ["1", "2.5"]


def test_batch_write_limit_of_25(client, tables):
    users, events = tables
    resp = client.batch_write_item(RequestItems={
        users: [put({"id": s(f"u{i}")}) for i in range(12)],
        events: [put({"user": s("a"), "ts": n(i)}) for i in range(13)]})
    assert resp["UnprocessedItems"] == {}
    # 26 over two tables.
    validation(client.batch_write_item, TOO_MANY_WRITES, RequestItems={
        users: [put({"id": s(f"v{i}")}) for i in range(13)],
        events: [put({"user": s("b"), "ts": n(i)}) for i in range(13)]})
    assert len(scan_items(client, users)) == 12  # nothing written


def test_batch_write_26_in_one_table(client, tables):
    users, _ = tables
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={users: [put({"id": s(f"v{i}")}) for i in range(26)]})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    # NOT SURE which check DynamoDB applies first to 26 requests for one table: the model's list
    # constraint ("1 validation error detected: Value '{users=[...]}' at 'requestItems' failed to
    # satisfy constraint: Map value must satisfy constraint: [Member must have length less than or
    # equal to 25, ...]") or the total.
    assert (err["Message"] == TOO_MANY_WRITES
            or "Member must have length less than or equal to 25" in err["Message"]), err
    assert scan_items(client, users) == []


def test_batch_write_duplicates(client, tables):
    users, events = tables
    for requests in (
            [put({"id": s("a")}), put({"id": s("a"), "v": n(1)})],
            [put({"id": s("a")}), delete({"id": s("a")})],
            [delete({"id": s("a")}), delete({"id": s("a")})]):
        validation(client.batch_write_item, DUPLICATES, RequestItems={users: requests})
    validation(client.batch_write_item, DUPLICATES, RequestItems={
        users: [put({"id": s("ok")})],
        events: [put({"user": s("a"), "ts": n(1)}), put({"user": s("a"), "ts": n("1.0")})]})
    assert scan_items(client, users) == []
    # The same key value in two different tables is no duplicate.
    resp = client.batch_write_item(RequestItems={
        users: [put({"id": s("a")})], "events": [put({"user": s("a"), "ts": n(1)})]})
    assert resp["UnprocessedItems"] == {}


def test_batch_write_missing_table(client, tables):
    users, _ = tables
    expect_error(client.batch_write_item, "ResourceNotFoundException", MISSING,
                 RequestItems={users: [put({"id": s("a")})], "nosuch": [put({"id": s("a")})]})
    assert scan_items(client, users) == []


def test_batch_write_bad_keys(client, tables):
    users, events = tables
    good = put({"id": s("good")})
    validation(client.batch_write_item,
               "One or more parameter values were invalid: Missing the key ts in the item",
               RequestItems={users: [good], events: [put({"user": s("a"), "x": n(1)})]})
    validation(client.batch_write_item,
               "One or more parameter values were invalid: Type mismatch for key id expected: S "
               "actual: N", RequestItems={users: [good, put({"id": n(1)})]})
    validation(client.batch_write_item, KEY_SCHEMA,
               RequestItems={users: [good, delete({"id": n(1)})]})
    validation(client.batch_write_item, KEY_SCHEMA,
               RequestItems={users: [good, delete({"id": s("a"), "extra": s("x")})]})
    validation(client.batch_write_item, KEY_SCHEMA,
               RequestItems={users: [good], events: [delete({"user": s("a")})]})
    assert scan_items(client, users) == []  # no batch above wrote anything


def test_batch_writer_thousand_items(client, resource, tables):
    users, _ = tables
    t = resource.Table(users)
    with t.batch_writer() as w:
        for i in range(1000):
            w.put_item(Item={"id": f"u{i:04d}", "n": i, "tags": {"a", f"t{i % 7}"}})
    items = scan_items(client, users)
    assert len(items) == 1000
    assert sorted(i["id"]["S"] for i in items) == [f"u{i:04d}" for i in range(1000)]
    one = t.get_item(Key={"id": "u0123"})["Item"]
    assert one == {"id": "u0123", "n": Decimal(123), "tags": {"a", "t4"}}
    with t.batch_writer() as w:
        for i in range(0, 1000, 2):
            w.delete_item(Key={"id": f"u{i:04d}"})
    assert sorted(i["id"]["S"] for i in scan_items(client, users)) == [
        f"u{i:04d}" for i in range(1, 1000, 2)]


# --------------------------------------------------------------------------------------------------
# BatchGetItem.


@pytest.fixture
def loaded(client, tables):
    users, events = tables
    client.batch_write_item(RequestItems={
        users: [put({"id": s(f"u{i}"), "name": s(f"N{i}"), "age": n(20 + i),
                     "addr": {"M": {"city": s(f"c{i}"), "zip": s("z")}}}) for i in range(10)],
        events: [put({"user": s("u1"), "ts": n(t), "what": s(f"w{t}")}) for t in range(10)]})
    return users, events


def by(key):
    return lambda item: tuple(item[k].get("S") or item[k].get("N") for k in key)


def test_batch_get_over_two_tables(client, loaded):
    users, events = loaded
    resp = client.batch_get_item(RequestItems={
        users: {"Keys": [{"id": s("u3")}, {"id": s("u7")}, {"id": s("absent")}]},
        events: {"Keys": [{"user": s("u1"), "ts": n(t)} for t in (0, 5, 9, 10)]},
    })
    assert resp["UnprocessedKeys"] == {}
    assert "ConsumedCapacity" not in resp
    assert set(resp["Responses"]) == {users, events}
    assert sorted(resp["Responses"][users], key=by(["id"])) == [
        {"id": s(f"u{i}"), "name": s(f"N{i}"), "age": n(20 + i),
         "addr": {"M": {"city": s(f"c{i}"), "zip": s("z")}}} for i in (3, 7)]
    assert sorted(resp["Responses"][events], key=lambda i: int(i["ts"]["N"])) == [
        {"user": s("u1"), "ts": n(t), "what": s(f"w{t}")} for t in (0, 5, 9)]


def test_batch_get_only_missing_items(client, loaded):
    users, _ = loaded
    resp = client.batch_get_item(RequestItems={users: {"Keys": [{"id": s("x")}, {"id": s("y")}]}})
    assert resp["Responses"] == {users: []}
    assert resp["UnprocessedKeys"] == {}


def test_batch_get_projection_and_consistent_read(client, loaded):
    users, events = loaded
    resp = client.batch_get_item(RequestItems={
        users: {"Keys": [{"id": s("u1")}, {"id": s("u2")}],
                "ProjectionExpression": "#n, addr.city",
                "ExpressionAttributeNames": {"#n": "name"}, "ConsistentRead": True},
        events: {"Keys": [{"user": s("u1"), "ts": n(4)}], "ProjectionExpression": "ts, #w",
                 "ExpressionAttributeNames": {"#w": "what"}, "ConsistentRead": False},
    })
    assert sorted(resp["Responses"][users], key=lambda i: i["name"]["S"]) == [
        {"name": s("N1"), "addr": {"M": {"city": s("c1")}}},
        {"name": s("N2"), "addr": {"M": {"city": s("c2")}}}]
    assert resp["Responses"][events] == [{"ts": n(4), "what": s("w4")}]
    # The legacy AttributesToGet works per table too.
    resp = client.batch_get_item(RequestItems={
        users: {"Keys": [{"id": s("u5")}], "AttributesToGet": ["age", "id"]}})
    assert resp["Responses"][users] == [{"id": s("u5"), "age": n(25)}]


def test_batch_get_sees_latest_write(client, loaded):
    users, _ = loaded
    client.put_item(TableName=users, Item={"id": s("u1"), "name": s("changed")})
    resp = client.batch_get_item(RequestItems={
        users: {"Keys": [{"id": s("u1")}], "ConsistentRead": True}})
    assert resp["Responses"][users] == [{"id": s("u1"), "name": s("changed")}]


def test_batch_get_limit_of_100(client, loaded):
    users, events = loaded
    resp = client.batch_get_item(RequestItems={
        users: {"Keys": [{"id": s(f"u{i}")} for i in range(50)]},
        events: {"Keys": [{"user": s("u1"), "ts": n(t)} for t in range(50)]}})
    assert len(resp["Responses"][users]) == 10 and len(resp["Responses"][events]) == 10
    assert resp["UnprocessedKeys"] == {}
    validation(client.batch_get_item, TOO_MANY_GETS, RequestItems={
        users: {"Keys": [{"id": s(f"u{i}")} for i in range(51)]},
        events: {"Keys": [{"user": s("u1"), "ts": n(t)} for t in range(50)]}})
    validation(client.batch_get_item, TOO_MANY_GETS, RequestItems={
        users: {"Keys": [{"id": s(f"u{i}")} for i in range(101)]}})


def test_batch_get_duplicates(client, loaded):
    users, events = loaded
    validation(client.batch_get_item, DUPLICATES, RequestItems={
        users: {"Keys": [{"id": s("u1")}, {"id": s("u2")}, {"id": s("u1")}]}})
    # 5 and 5.0 are the same number.
    validation(client.batch_get_item, DUPLICATES, RequestItems={
        events: {"Keys": [{"user": s("u1"), "ts": n("5")}, {"user": s("u1"), "ts": n("5.0")}]}})


def test_batch_get_missing_table_and_bad_keys(client, loaded):
    users, events = loaded
    expect_error(client.batch_get_item, "ResourceNotFoundException", MISSING, RequestItems={
        users: {"Keys": [{"id": s("u1")}]}, "nosuch": {"Keys": [{"id": s("u1")}]}})
    for bad in ({"id": n(1)}, {"id": s("u1"), "name": s("N1")}, {"other": s("u1")}):
        validation(client.batch_get_item, KEY_SCHEMA, RequestItems={users: {"Keys": [bad]}})
    validation(client.batch_get_item, KEY_SCHEMA,
               RequestItems={events: {"Keys": [{"user": s("u1")}]}})


# --------------------------------------------------------------------------------------------------
# The 16 MB response limit.

BIG_ITEMS = 100
ITEM_BYTES = 300 * 1024   # 307,200 bytes by DynamoDB's formula
BIG_PAD = ITEM_BYTES - 7  # "id" + "b000" (6) + "d" (1) + pad


def test_batch_get_16mb_limit_returns_unprocessed_keys(client):
    # The BatchGetItem API reference: "if you ask to retrieve 100 items, but each individual item
    # is 300 KB in size, the system returns 52 items (so as not to exceed the 16 MB limit). It also
    # returns an appropriate UnprocessedKeys value so you can get the next page of results."
    # (52 = floor(16,000,000 / 307,200): the limit is 16 million bytes.)
    create_table(client, "big", hash_key=("id", "S"))
    keys = [{"id": s(f"b{i:03d}")} for i in range(BIG_ITEMS)]
    for i in range(0, BIG_ITEMS, 25):  # 25 x 300 KB = 7.5 MB per call, under the 16 MB request
        resp = client.batch_write_item(RequestItems={"big": [
            put(dict(k, d=s(chr(65 + j % 26) * BIG_PAD)))
            for j, k in enumerate(keys[i:i + 25], start=i)]})
        assert resp["UnprocessedItems"] == {}

    seen = Counter()
    request = {"big": {"Keys": keys, "ConsistentRead": True}}
    counts = []
    for _ in range(10):
        resp = client.batch_get_item(RequestItems=request)
        got = resp["Responses"]["big"]
        counts.append(len(got))
        for item in got:
            j = int(item["id"]["S"][1:])
            assert item["d"]["S"] == chr(65 + j % 26) * BIG_PAD
        seen.update(item["id"]["S"] for item in got)
        request = resp["UnprocessedKeys"]
        if not request:
            break
        left = request["big"]["Keys"]
        assert len(left) == BIG_ITEMS - sum(seen.values())
        assert not {k["id"]["S"] for k in left} & set(seen)
    assert request == {}
    assert counts == [52, 48]
    assert sorted(seen) == [k["id"]["S"] for k in keys]
    assert max(seen.values()) == 1
