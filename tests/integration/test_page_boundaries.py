"""Page and batch boundaries at their edge, with items sized to cross them by one byte.

- Query and Scan read at most 1 MB (1,048,576 bytes of items by DynamoDB's item size: attribute
  names plus values, counted before any filter or projection) per page. The Scan API reference:
  "If the total size of scanned items exceeds the maximum dataset size limit of 1 MB, the scan
  completes and results are returned to the user. The LastEvaluatedKey value is also returned";
  the page ends with the item whose size takes the total past 1 MB. Items that fill exactly 1 MB
  do not end it.
- BatchGetItem answers at most 16 MB of items (16,000,000 bytes: the API reference's example of
  100 items of 300 KB returning 52 holds only with that figure, test_batch.py); an item that would
  pass it is left, with every key after it, in UnprocessedKeys.
"""

import pytest

from conftest import all_pages, create_table, load, unique_access_key

MB = 1024 * 1024
# 64 items of 16,384 bytes fill 1 MB exactly; one byte more each and 64 pass it.
EXACT = MB // 64
N = 100


def sized_item(pk, sk, size):
    """An item of exactly `size` bytes by DynamoDB's formula: "pk" + pk, "sk" + sk, "d" + pad."""
    pad = size - (2 + len(pk)) - (2 + len(sk)) - 1
    return {"pk": {"S": pk}, "sk": {"S": sk}, "d": {"S": "p" * pad}}


@pytest.fixture(scope="module")
def sized(server):
    """Two partitions: "a" of items of exactly 16,384 bytes, "b" of 16,385 bytes."""
    c = server.client(unique_access_key())
    create_table(c, "sized", hash_key=("pk", "S"), range_key=("sk", "S"))
    load(c, "sized", [sized_item("a", f"{i:03d}", EXACT) for i in range(N)]
         + [sized_item("b", f"{i:03d}", EXACT + 1) for i in range(N)])
    return c


def query_pages(c, pk, values=None, **kwargs):
    return all_pages(c.query, TableName="sized", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": pk}, **(values or {})}, **kwargs)


@pytest.mark.parametrize("forward", [True, False])
def test_query_items_filling_one_megabyte_exactly_do_not_end_the_page(sized, forward):
    pages = query_pages(sized, "a", ScanIndexForward=forward)
    assert [p["ScannedCount"] for p in pages] == [65, 35]
    last = pages[0]["Items"][-1]["sk"]["S"]
    assert last == ("064" if forward else f"{N - 65:03d}")
    assert pages[0]["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": last}}
    assert "LastEvaluatedKey" not in pages[1]


@pytest.mark.parametrize("forward", [True, False])
def test_query_one_byte_more_per_item_ends_the_page_one_item_earlier(sized, forward):
    pages = query_pages(sized, "b", ScanIndexForward=forward)
    assert [p["ScannedCount"] for p in pages] == [64, 36]
    last = pages[0]["Items"][-1]["sk"]["S"]
    assert last == ("063" if forward else f"{N - 64:03d}")
    assert pages[0]["LastEvaluatedKey"] == {"pk": {"S": "b"}, "sk": {"S": last}}


def test_query_page_size_counts_items_read_not_returned(sized):
    # A filter that keeps nothing and a projection of the key: the same page ends.
    pages = query_pages(sized, "b", values={":none": {"S": "x"}}, FilterExpression="d = :none")
    assert [(p["Count"], p["ScannedCount"]) for p in pages] == [(0, 64), (0, 36)]
    pages = query_pages(sized, "a", ProjectionExpression="sk")
    assert [p["Count"] for p in pages] == [65, 35]
    assert pages[0]["Items"][0] == {"sk": {"S": "000"}}
    pages = query_pages(sized, "a", Select="COUNT")
    assert [p["Count"] for p in pages] == [65, 35]


def test_scan_page_ends_past_one_megabyte(client):
    # One partition per item (a Scan walks partitions in hash order): the sizes alone decide.
    create_table(client, "scan_exact", hash_key=("pk", "S"))
    create_table(client, "scan_over", hash_key=("pk", "S"))

    def item(i, size):
        return {"pk": {"S": f"k{i:03d}"}, "d": {"S": "q" * (size - 6 - 1)}}

    load(client, "scan_exact", [item(i, EXACT) for i in range(N)])
    load(client, "scan_over", [item(i, EXACT + 1) for i in range(N)])
    for table, first in (("scan_exact", 65), ("scan_over", 64)):
        for kwargs in ({}, {"FilterExpression": "attribute_not_exists(d)"},
                       {"ProjectionExpression": "pk"}):
            pages = all_pages(client.scan, TableName=table, **kwargs)
            assert [p["ScannedCount"] for p in pages] == [first, N - first], (table, kwargs)
            keys = [i["pk"]["S"] for p in pages for i in p["Items"]]
            if "FilterExpression" in kwargs:
                assert keys == []
            else:
                assert sorted(keys) == [f"k{i:03d}" for i in range(N)]
                assert pages[0]["LastEvaluatedKey"] == {"pk": pages[0]["Items"][-1]["pk"]}


# --------------------------------------------------------------------------------------------------
# BatchGetItem's 16 MB.

BATCH_LIMIT = 16_000_000
BIG = 400_000  # 40 items fill the limit exactly


def test_batch_get_items_filling_16mb_exactly_all_come_back(client):
    for table, size, returned in (("bg_exact", BIG, 40), ("bg_over", BIG + 1, 39)):
        create_table(client, table, hash_key=("id", "S"))
        keys = [{"id": {"S": f"b{i:03d}"}} for i in range(41)]
        for i in range(0, 41, 20):
            client.batch_write_item(RequestItems={table: [
                {"PutRequest": {"Item": dict(k, d={"S": "z" * (size - 6 - 1)})}}
                for k in keys[i:i + 20]]})
        resp = client.batch_get_item(RequestItems={table: {"Keys": keys}})
        got = resp["Responses"][table]
        assert len(got) == returned, table
        assert sum(len(i["d"]["S"]) + 7 for i in got) <= BATCH_LIMIT
        left = resp["UnprocessedKeys"][table]["Keys"]
        assert len(left) == 41 - returned
        assert {i["id"]["S"] for i in got} | {k["id"]["S"] for k in left} == {
            k["id"]["S"] for k in keys}
