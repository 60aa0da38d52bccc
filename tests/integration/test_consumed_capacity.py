"""ReturnConsumedCapacity: DynamoDB's capacity-unit arithmetic for items of known size.

DynamoDB behaviour checked (the developer guide's "Read/write capacity" rules):
- item size = for each attribute, the UTF-8 length of its name plus the size of its value: a
  string's UTF-8 length, a binary's byte count (not its base64 text), a number about one byte per
  two significant digits plus one, a BOOL or NULL one byte;
- GetItem: one read unit per 4 KB of the item, rounded up (at least one), halved when eventually
  consistent: a 5,000-byte item costs 1.0 eventually consistent and 2.0 consistent, an absent item
  0.5 / 1.0; a ProjectionExpression does not make it cheaper;
- PutItem, UpdateItem, DeleteItem: one write unit per 1 KB, rounded up (at least one), of the larger
  of the item before and after the write (DeleteItem: the deleted item);
- Query and Scan: the sizes of all items read (before filtering, whatever Select or the projection)
  are summed and rounded up to 4 KB once, halved when eventually consistent;
- BatchGetItem and BatchWriteItem: a list with one entry per table, each item rounded up on its own;
- TOTAL gives {"TableName", "CapacityUnits"}; INDEXES adds "Table": {"CapacityUnits"} (this table
  has no indexes); NONE, or no ReturnConsumedCapacity, leaves ConsumedCapacity out.
"""

import pytest

from conftest import create_table

KB = 1024
RU = 4 * KB


def item_of(size, pk="a", name="d"):
    """An item {"pk": pk, name: "x" * n} of exactly `size` bytes: "pk" + pk + name + n."""
    pad = size - (2 + len(pk.encode()) + len(name.encode()))
    assert pad >= 0
    return {"pk": {"S": pk}, name: {"S": "x" * pad}}


def total(resp, table):
    """The ConsumedCapacity of a TOTAL request, checked to be for `table`: its CapacityUnits."""
    return units(resp["ConsumedCapacity"], table)


def units(cc, table):
    """One TOTAL ConsumedCapacity entry, checked to be for `table`: its CapacityUnits."""
    assert cc["TableName"] == table
    # NOT SURE whether DynamoDB also fills ReadCapacityUnits / WriteCapacityUnits here; if present
    # they can only repeat the total.
    for extra in ("ReadCapacityUnits", "WriteCapacityUnits"):
        if extra in cc:
            assert cc[extra] == cc["CapacityUnits"]
    assert set(cc) - {"ReadCapacityUnits", "WriteCapacityUnits"} == {"TableName", "CapacityUnits"}
    return cc["CapacityUnits"]


def indexes(resp, table):
    """The ConsumedCapacity of an INDEXES request (no indexes): CapacityUnits, equal to Table's."""
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == table
    assert cc["Table"]["CapacityUnits"] == cc["CapacityUnits"]
    assert "GlobalSecondaryIndexes" not in cc and "LocalSecondaryIndexes" not in cc
    return cc["CapacityUnits"]


@pytest.fixture
def table(client):
    create_table(client, "tbl")
    return "tbl"


@pytest.fixture
def sorted_table(client):
    create_table(client, "srt", hash_key=("pk", "S"), range_key=("sk", "S"))
    return "srt"


def get(client, table, pk, consistent, mode="TOTAL", **kwargs):
    return client.get_item(TableName=table, Key={"pk": {"S": pk}}, ConsistentRead=consistent,
                           ReturnConsumedCapacity=mode, **kwargs)


# --------------------------------------------------------------------------------------------------
# GetItem.


@pytest.mark.parametrize("size,eventual,consistent", [
    (10, 0.5, 1.0),
    (4096, 0.5, 1.0),
    (4097, 1.0, 2.0),
    (5000, 1.0, 2.0),
    (8192, 1.0, 2.0),
    (12289, 2.0, 4.0),
    (400 * KB, 50.0, 100.0),
])
def test_get_item(client, table, size, eventual, consistent):
    client.put_item(TableName=table, Item=item_of(size))
    assert total(get(client, table, "a", False), table) == eventual
    assert total(get(client, table, "a", True), table) == consistent
    assert indexes(get(client, table, "a", False, "INDEXES"), table) == eventual
    assert indexes(get(client, table, "a", True, "INDEXES"), table) == consistent


def test_get_item_absent(client, table):
    resp = get(client, table, "nobody", False)
    assert "Item" not in resp
    assert total(resp, table) == 0.5
    assert total(get(client, table, "nobody", True), table) == 1.0


def test_get_item_projection_costs_the_whole_item(client, table):
    client.put_item(TableName=table, Item=item_of(9000))
    resp = get(client, table, "a", True, ProjectionExpression="pk")
    assert resp["Item"] == {"pk": {"S": "a"}}
    assert total(resp, table) == 3.0


def test_none_and_default_omit_consumed_capacity(client, table):
    client.put_item(TableName=table, Item=item_of(100))
    assert "ConsumedCapacity" not in get(client, table, "a", True, "NONE")
    assert "ConsumedCapacity" not in client.get_item(TableName=table, Key={"pk": {"S": "a"}})
    for mode in ("NONE", None):
        kw = {"ReturnConsumedCapacity": mode} if mode else {}
        assert "ConsumedCapacity" not in client.put_item(TableName=table, Item=item_of(10), **kw)
        assert "ConsumedCapacity" not in client.query(
            TableName=table, KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}}, **kw)
        assert "ConsumedCapacity" not in client.scan(TableName=table, **kw)
        assert "ConsumedCapacity" not in client.delete_item(TableName=table,
                                                            Key={"pk": {"S": "a"}}, **kw)


# --------------------------------------------------------------------------------------------------
# Item sizes by DynamoDB's formula.


def put_units(client, table, item):
    return total(client.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL"), table)


def test_string_size_is_utf8_bytes(client, table):
    # "pk"+"a" (3) + "d" (1) + 510 x "é" (1,020 bytes) = 1,024 bytes: one unit; one more "é"
    # makes two.
    assert put_units(client, table, {"pk": {"S": "a"}, "d": {"S": "é" * 510}}) == 1.0
    assert put_units(client, table, {"pk": {"S": "b"}, "d": {"S": "é" * 511}}) == 2.0
    # Attribute names count in UTF-8 too: "ü" is 2 bytes. 3 + 2 + 1,019 = 1,024.
    assert put_units(client, table, {"pk": {"S": "c"}, "ü": {"S": "x" * 1019}}) == 1.0
    assert put_units(client, table, {"pk": {"S": "d"}, "ü": {"S": "x" * 1020}}) == 2.0


def test_binary_size_is_byte_count(client, table):
    # 3 + "b" (1) + 1,020 raw bytes = 1,024 (the base64 text would be 1,360 characters).
    assert put_units(client, table, {"pk": {"S": "a"}, "b": {"B": b"\xff" * 1020}}) == 1.0
    assert put_units(client, table, {"pk": {"S": "b"}, "b": {"B": b"\xff" * 1021}}) == 2.0


def test_number_and_bool_sizes(client, table):
    # "pk"+"a" (3) + "d" + 990 (991) = 994 bytes; "n" + 38 digits: about 1 + 19 + 1 = 21 bytes
    # -> 1,015; "t" + BOOL and "z" + NULL: 2 bytes each -> 1,019: one unit (the number as 38
    # bytes of text would have made it two).
    item = {"pk": {"S": "a"}, "d": {"S": "x" * 990},
            "n": {"N": "12345678901234567890123456789012345678"},
            "t": {"BOOL": True}, "z": {"NULL": True}}
    assert put_units(client, table, item) == 1.0
    # Twenty more string bytes cross 1 KB.
    item["d"] = {"S": "x" * 1010}
    assert put_units(client, table, item) == 2.0


# --------------------------------------------------------------------------------------------------
# Writes.


@pytest.mark.parametrize("size,units", [(10, 1.0), (1024, 1.0), (1025, 2.0), (3000, 3.0),
                                        (400 * KB, 400.0)])
def test_put_item_new(client, table, size, units):
    resp = client.put_item(TableName=table, Item=item_of(size), ReturnConsumedCapacity="TOTAL")
    assert total(resp, table) == units
    resp = client.put_item(TableName=table, Item=item_of(size, pk="b"),
                           ReturnConsumedCapacity="INDEXES")
    assert indexes(resp, table) == units


def test_put_item_charges_larger_of_old_and_new(client, table):
    client.put_item(TableName=table, Item=item_of(3000))
    assert put_units(client, table, item_of(500)) == 3.0    # replaced a 3,000-byte item
    assert put_units(client, table, item_of(500)) == 1.0    # replaced a 500-byte item
    assert put_units(client, table, item_of(5000)) == 5.0   # grew


def test_update_item_charges_larger_of_old_and_new(client, table):
    def update(expr, values=None):
        kw = {"ExpressionAttributeValues": values} if values else {}
        resp = client.update_item(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression=expr,
                                  ReturnConsumedCapacity="TOTAL", **kw)
        return total(resp, table)

    # Creating a 3 + 1 + 2,000 byte item.
    assert update("SET d = :v", {":v": {"S": "x" * 2000}}) == 2.0
    # Adding "e" + 2,000 bytes: 4,005 bytes after.
    assert update("SET e = :v", {":v": {"S": "y" * 2000}}) == 4.0
    # Removing both: 3 bytes after, 4,005 before.
    assert update("REMOVE d, e") == 4.0
    assert update("SET f = :v", {":v": {"S": "z"}}) == 1.0


def test_delete_item_charges_deleted_item(client, table):
    client.put_item(TableName=table, Item=item_of(2500))
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "a"}},
                              ReturnConsumedCapacity="TOTAL")
    assert total(resp, table) == 3.0
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "a"}},
                              ReturnConsumedCapacity="INDEXES")
    assert indexes(resp, table) == 1.0  # nothing left to delete: the minimum


# --------------------------------------------------------------------------------------------------
# Query and Scan.


def load_partition(client, table, pk, count, size):
    """count items of exactly `size` bytes: "pk"+pk, "sk"+"000" and "d"+padding."""
    base = 2 + len(pk) + 2 + 3 + 1
    client.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": f"{i:03d}"},
                                 "d": {"S": "x" * (size - base)}}}} for i in range(count)]})


def query(client, table, pk, consistent, mode="TOTAL", **kwargs):
    return client.query(TableName=table, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues=dict(kwargs.pop("values", {}),
                                                       **{":p": {"S": pk}}),
                        ConsistentRead=consistent, ReturnConsumedCapacity=mode, **kwargs)


def test_query_rounds_the_sum_once(client, sorted_table):
    # 10 items of 100 bytes: 1,000 bytes, one read unit (per item it would be ten).
    load_partition(client, sorted_table, "small", 10, 100)
    # 10 items of 1,000 bytes: 10,000 bytes, three read units.
    load_partition(client, sorted_table, "mid", 10, 1000)
    assert total(query(client, sorted_table, "small", True), sorted_table) == 1.0
    assert total(query(client, sorted_table, "small", False), sorted_table) == 0.5
    assert total(query(client, sorted_table, "mid", True), sorted_table) == 3.0
    assert total(query(client, sorted_table, "mid", False), sorted_table) == 1.5
    assert indexes(query(client, sorted_table, "mid", True, "INDEXES"), sorted_table) == 3.0
    # Limit 5: 5,000 bytes read.
    resp = query(client, sorted_table, "mid", True, Limit=5)
    assert resp["Count"] == 5 and total(resp, sorted_table) == 2.0
    # Items read are charged whether or not the filter returns them, whatever is projected or
    # selected.
    resp = query(client, sorted_table, "mid", True, FilterExpression="d = :none",
                 values={":none": {"S": "none"}})
    assert (resp["Count"], resp["ScannedCount"]) == (0, 10)
    assert total(resp, sorted_table) == 3.0
    assert total(query(client, sorted_table, "mid", True, ProjectionExpression="sk"),
                 sorted_table) == 3.0
    assert total(query(client, sorted_table, "mid", False, Select="COUNT"), sorted_table) == 1.5


def test_query_key_range_charges_items_in_range(client, sorted_table):
    load_partition(client, sorted_table, "p", 20, 2048)
    # sk 000..003: 4 x 2,048 = 8,192 bytes: exactly two units.
    resp = client.query(TableName=sorted_table, KeyConditionExpression="pk = :p AND sk <= :s",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"S": "003"}},
                        ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert resp["Count"] == 4 and total(resp, sorted_table) == 2.0
    # sk 000..004: 10,240 bytes: three units, 1.5 eventually consistent.
    resp = client.query(TableName=sorted_table, KeyConditionExpression="pk = :p AND sk <= :s",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"S": "004"}},
                        ReturnConsumedCapacity="TOTAL")
    assert resp["Count"] == 5 and total(resp, sorted_table) == 1.5


def test_query_pages_each_charge_their_reads(client, sorted_table):
    load_partition(client, sorted_table, "p", 9, 4096)
    resp = query(client, sorted_table, "p", True, Limit=4)
    assert total(resp, sorted_table) == 4.0
    resp = query(client, sorted_table, "p", True, Limit=4,
                 ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert total(resp, sorted_table) == 4.0
    resp = query(client, sorted_table, "p", False, Limit=4,
                 ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert resp["Count"] == 1 and total(resp, sorted_table) == 0.5


def test_scan_rounds_the_sum_once(client, sorted_table):
    # Two partitions: 6 x 1,500 + 4 x 700 = 11,800 bytes -> 3 units consistent, 1.5 eventual.
    load_partition(client, sorted_table, "a", 6, 1500)
    load_partition(client, sorted_table, "b", 4, 700)
    resp = client.scan(TableName=sorted_table, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert resp["Count"] == 10 and total(resp, sorted_table) == 3.0
    resp = client.scan(TableName=sorted_table, ReturnConsumedCapacity="INDEXES",
                       FilterExpression="sk = :s", ExpressionAttributeValues={":s": {"S": "999"}})
    assert resp["Count"] == 0 and indexes(resp, sorted_table) == 1.5
    resp = client.scan(TableName=sorted_table, Select="COUNT", ConsistentRead=True,
                       ReturnConsumedCapacity="TOTAL")
    assert total(resp, sorted_table) == 3.0


# --------------------------------------------------------------------------------------------------
# Batches: one entry per table.


def by_table(resp):
    caps = resp["ConsumedCapacity"]
    assert isinstance(caps, list)
    assert len({c["TableName"] for c in caps}) == len(caps)
    return {c["TableName"]: c for c in caps}


def test_batch_get_item(client, table, sorted_table):
    client.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": item_of(5000, pk=f"k{i}")}} for i in range(3)]})
    load_partition(client, sorted_table, "p", 2, 100)
    request = {
        table: {"Keys": [{"pk": {"S": f"k{i}"}} for i in range(3)]},
        sorted_table: {"Keys": [{"pk": {"S": "p"}, "sk": {"S": f"{i:03d}"}} for i in range(2)],
                       "ConsistentRead": True},
    }
    resp = client.batch_get_item(RequestItems=request, ReturnConsumedCapacity="TOTAL")
    assert len(resp["Responses"][table]) == 3 and len(resp["Responses"][sorted_table]) == 2
    caps = by_table(resp)
    # 3 items of 5,000 bytes, each rounded up to 8 KB, eventually consistent: 3 x 1.0.
    assert units(caps[table], table) == 3.0
    # 2 items of 100 bytes, each rounded up to 4 KB, consistent: 2 x 1.0.
    assert units(caps[sorted_table], sorted_table) == 2.0
    resp = client.batch_get_item(RequestItems=request, ReturnConsumedCapacity="INDEXES")
    caps = by_table(resp)
    assert caps[table]["CapacityUnits"] == caps[table]["Table"]["CapacityUnits"] == 3.0
    cap = caps[sorted_table]
    assert cap["CapacityUnits"] == cap["Table"]["CapacityUnits"] == 2.0
    resp = client.batch_get_item(RequestItems=request, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in resp


def test_batch_write_item(client, table, sorted_table):
    client.put_item(TableName=table, Item=item_of(3000, pk="old"))
    request = {
        # Two new 1,500-byte items (2 units each) and the delete of a 3,000-byte item (3 units).
        table: [{"PutRequest": {"Item": item_of(1500, pk="n1")}},
                {"PutRequest": {"Item": item_of(1500, pk="n2")}},
                {"DeleteRequest": {"Key": {"pk": {"S": "old"}}}}],
        # Three small items: 1 unit each.
        sorted_table: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": str(i)}}}}
                       for i in range(3)],
    }
    resp = client.batch_write_item(RequestItems=request, ReturnConsumedCapacity="TOTAL")
    assert resp["UnprocessedItems"] == {}
    caps = by_table(resp)
    assert units(caps[table], table) == 7.0
    assert units(caps[sorted_table], sorted_table) == 3.0
    # The same puts again replace items of the same size; the delete finds nothing (1 unit).
    resp = client.batch_write_item(RequestItems=request, ReturnConsumedCapacity="INDEXES")
    caps = by_table(resp)
    assert caps[table]["CapacityUnits"] == caps[table]["Table"]["CapacityUnits"] == 5.0
    assert caps[sorted_table]["CapacityUnits"] == 3.0
