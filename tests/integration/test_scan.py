"""Scan: full scans with paging, filters, parallel scans and their validation.

DynamoDB behaviour checked:
- paging a full scan with Limit and LastEvaluatedKey / ExclusiveStartKey returns every item exactly
  once; each full page reads exactly Limit items; a final partial page has no LastEvaluatedKey;
  the items of one partition come back in sort-key order;
- FilterExpression: Limit counts items read, Count what matched, ScannedCount what was read; the
  LastEvaluatedKey is the key of the last item read even when the filter dropped it;
- a page stops after 1 MB of data read (DynamoDB's item size), before filtering and
  projection;
- parallel scan: for TotalSegments 1..16, the segments, each paged on its own with a small Limit,
  together return every item exactly once;
- Select COUNT, ProjectionExpression, ConsistentRead; boto3's scan paginator walks every page,
  for a whole table and for one segment;
- errors (ValidationException, HTTP 400): Segment without TotalSegments and the reverse, Segment
  >= TotalSegments, TotalSegments 0 or above 1,000,000, a negative Segment, Limit 0, an
  ExclusiveStartKey that is not the table's key. boto3 refuses out-of-range numbers client-side:
  those go through the raw (signed) HTTP client.
"""

from collections import Counter

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique_access_key, validation, load, all_pages

N_ITEMS = 1999   # not a multiple of the page sizes below
N_PARTITIONS = 300


def ids(pages):
    return [int(i["sk"]["N"]) for p in pages for i in p["Items"]]


@pytest.fixture(scope="module")
def data(server):
    """1,999 items (sk 0..1998, unique) over 300 partitions (pk = "p<sk % 300>"), v = sk % 5;
    module-scoped: it is only read."""
    c = server.client(unique_access_key())
    create_table(c, "data", hash_key=("pk", "S"), range_key=("sk", "N"))
    items = [{"pk": {"S": f"p{i % N_PARTITIONS}"}, "sk": {"N": str(i)}, "v": {"N": str(i % 5)},
              "pad": {"S": "y" * 40}} for i in range(N_ITEMS)]
    load(c, "data", items)
    return c


# --------------------------------------------------------------------------------------------------
# Full scans.


def test_single_scan_returns_everything(data):
    resp = data.scan(TableName="data")
    assert sorted(ids([resp])) == list(range(N_ITEMS))
    assert resp["Count"] == resp["ScannedCount"] == N_ITEMS
    assert "LastEvaluatedKey" not in resp


def test_paging_full_scan(data):
    pages = all_pages(data.scan, TableName="data", Limit=100)
    got = ids(pages)
    assert len(got) == len(set(got)) == N_ITEMS
    assert sorted(got) == list(range(N_ITEMS))
    assert len(pages) == 20
    for p in pages[:-1]:
        assert p["Count"] == p["ScannedCount"] == 100
        last = p["Items"][-1]
        assert p["LastEvaluatedKey"] == {"pk": last["pk"], "sk": last["sk"]}
    assert pages[-1]["Count"] == 99
    assert "LastEvaluatedKey" not in pages[-1]
    # The paged scan returns the items in the same order as one unpaged scan.
    assert got == ids([data.scan(TableName="data")])
    # Within a partition, items come in sort-key order.
    by_partition = {}
    for i in got:
        by_partition.setdefault(i % N_PARTITIONS, []).append(i)
    assert all(v == sorted(v) for v in by_partition.values())


def test_paging_with_filter(data):
    pages = all_pages(data.scan, TableName="data", Limit=128, FilterExpression="v = :v",
                     ExpressionAttributeValues={":v": {"N": "3"}})
    got = ids(pages)
    assert sorted(got) == [i for i in range(N_ITEMS) if i % 5 == 3]
    assert len(pages) == -(-N_ITEMS // 128)
    assert [p["ScannedCount"] for p in pages] == [128] * (len(pages) - 1) + [N_ITEMS % 128]
    assert sum(p["Count"] for p in pages) == len(got) == 400
    for p in pages:
        assert p["Count"] == len(p["Items"])
        assert all(i["v"] == {"N": "3"} for i in p["Items"])
    # The order of the items read is the unfiltered scan's order; the LastEvaluatedKey is the key
    # of the 128th item read, whether or not it matched.
    order = ids([data.scan(TableName="data")])
    for n, p in enumerate(pages[:-1]):
        last = order[(n + 1) * 128 - 1]
        assert p["LastEvaluatedKey"] == {"pk": {"S": f"p{last % N_PARTITIONS}"},
                                         "sk": {"N": str(last)}}


def test_filter_matching_nothing(data):
    pages = all_pages(data.scan, TableName="data", Limit=1000, FilterExpression="v > :v",
                     ExpressionAttributeValues={":v": {"N": "4"}})
    assert [(p["Count"], p["ScannedCount"], p["Items"]) for p in pages] == [
        (0, 1000, []), (0, 999, [])]
    assert "LastEvaluatedKey" in pages[0] and "LastEvaluatedKey" not in pages[1]


def test_select_count_and_projection(data):
    resp = data.scan(TableName="data", Select="COUNT", FilterExpression="v < :v",
                     ExpressionAttributeValues={":v": {"N": "2"}})
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (800, N_ITEMS)
    resp = data.scan(TableName="data", Select="COUNT", Limit=10)
    assert (resp["Count"], resp["ScannedCount"]) == (10, 10)
    assert "LastEvaluatedKey" in resp
    resp = data.scan(TableName="data", ProjectionExpression="sk, #v",
                     ExpressionAttributeNames={"#v": "v"}, ConsistentRead=True)
    assert sorted((int(i["sk"]["N"]), i["v"]["N"]) for i in resp["Items"]) == [
        (i, str(i % 5)) for i in range(N_ITEMS)]
    assert all(set(i) == {"sk", "v"} for i in resp["Items"])


def test_exclusive_start_key_need_not_exist(client):
    # Resuming from the key of a deleted item works: the scan goes on after where it would be.
    create_table(client, "tbl", hash_key=("pk", "S"), range_key=("sk", "N"))
    load(client, "tbl", [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(10)])
    first = client.scan(TableName="tbl", Limit=4)
    assert [int(i["sk"]["N"]) for i in first["Items"]] == [0, 1, 2, 3]
    client.delete_item(TableName="tbl", Key=first["LastEvaluatedKey"])
    rest = client.scan(TableName="tbl", ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [int(i["sk"]["N"]) for i in rest["Items"]] == [4, 5, 6, 7, 8, 9]


def test_empty_table(client):
    create_table(client, "empty")
    resp = client.scan(TableName="empty")
    assert (resp["Items"], resp["Count"], resp["ScannedCount"]) == ([], 0, 0)
    assert "LastEvaluatedKey" not in resp
    resp = client.scan(TableName="empty", Segment=3, TotalSegments=4)
    assert (resp["Items"], resp["Count"]) == ([], 0)


# --------------------------------------------------------------------------------------------------
# Parallel scan.


def test_parallel_scan_covers_every_item_once(data):
    for total in range(1, 17):
        seen = Counter()
        for segment in range(total):
            pages = all_pages(data.scan, TableName="data", Segment=segment, TotalSegments=total,
                             Limit=97)
            for p in pages[:-1]:
                assert p["ScannedCount"] == 97
            seen.update(ids(pages))
        assert sorted(seen) == list(range(N_ITEMS)), total
        assert max(seen.values()) == 1, total


def test_parallel_scan_segment_is_stable(data):
    # The same segment scanned twice returns the same items, and a partition is never split
    # across segments.
    a = ids(all_pages(data.scan, TableName="data", Segment=2, TotalSegments=7))
    b = ids(all_pages(data.scan, TableName="data", Segment=2, TotalSegments=7, Limit=13))
    assert a == b
    partitions = Counter()
    for segment in range(7):
        got = ids(all_pages(data.scan, TableName="data", Segment=segment, TotalSegments=7))
        partitions.update({i % N_PARTITIONS for i in got})
    assert len(partitions) == N_PARTITIONS and max(partitions.values()) == 1


def test_parallel_scan_with_filter(data):
    total_count = total_scanned = 0
    got = []
    for segment in range(4):
        pages = all_pages(data.scan, TableName="data", Segment=segment, TotalSegments=4, Limit=50,
                         FilterExpression="v = :v", ExpressionAttributeValues={":v": {"N": "0"}})
        got += ids(pages)
        total_count += sum(p["Count"] for p in pages)
        total_scanned += sum(p["ScannedCount"] for p in pages)
    assert sorted(got) == list(range(0, N_ITEMS, 5))
    assert (total_count, total_scanned) == (400, N_ITEMS)


def test_many_segments(data):
    # TotalSegments may be far larger than the number of items: most segments are empty.
    got = []
    for segment in (0, 1, 500, 999_999):
        got += ids(all_pages(data.scan, TableName="data", Segment=segment, TotalSegments=1_000_000))
    # A partition is never split: every partition met is there whole (7 or 6 items).
    assert len(got) == len(set(got)) < 100
    found = {i % N_PARTITIONS for i in got}
    assert sorted(got) == sorted(i for i in range(N_ITEMS) if i % N_PARTITIONS in found)


# --------------------------------------------------------------------------------------------------
# Paginator.


def test_scan_paginator(data):
    paginator = data.get_paginator("scan")
    pages = list(paginator.paginate(TableName="data", PaginationConfig={"PageSize": 150}))
    assert [p["Count"] for p in pages] == [150] * 13 + [49]
    assert sorted(ids(pages)) == list(range(N_ITEMS))
    full = paginator.paginate(TableName="data", FilterExpression="v = :v",
                              ExpressionAttributeValues={":v": {"N": "1"}},
                              PaginationConfig={"PageSize": 300}).build_full_result()
    assert sorted(int(i["sk"]["N"]) for i in full["Items"]) == list(range(1, N_ITEMS, 5))
    assert (full["Count"], full["ScannedCount"]) == (400, N_ITEMS)
    got = []
    for segment in range(3):
        for page in paginator.paginate(TableName="data", Segment=segment, TotalSegments=3,
                                       PaginationConfig={"PageSize": 200}):
            got += ids([page])
    assert sorted(got) == list(range(N_ITEMS))


# --------------------------------------------------------------------------------------------------
# The 1 MB page limit.


def test_one_megabyte_page_limit(client):
    # 300 items of exactly 10,000 bytes: "pk" + "k000" (6) + "d" + 9,993 characters (9,994).
    create_table(client, "large")
    load(client, "large", [{"pk": {"S": f"k{i:03d}"}, "d": {"S": "z" * 9993}} for i in range(300)])
    for kwargs in ({}, {"FilterExpression": "attribute_not_exists(d)"},
                   {"ProjectionExpression": "pk"}):
        pages = all_pages(client.scan, TableName="large", **kwargs)
        counts = [p["ScannedCount"] for p in pages]
        # The page ends with the item that takes the total past 1,048,576 bytes: the 105th
        # (test_page_boundaries.py has the edge).
        assert counts == [105, 105, 90]
        assert all("LastEvaluatedKey" in p for p in pages[:-1])
        keys = [i["pk"]["S"] for p in pages for i in p["Items"]]
        if "FilterExpression" in kwargs:
            assert keys == []
        else:
            assert sorted(keys) == [f"k{i:03d}" for i in range(300)]


# --------------------------------------------------------------------------------------------------
# Errors.


@pytest.fixture
def table(client):
    create_table(client, "tbl", hash_key=("pk", "S"), range_key=("sk", "N"))
    return "tbl"


def test_segment_without_total_segments(client, table):
    validation(client.scan, "The TotalSegments parameter is required but was not present in the "
               "request when Segment parameter is present", TableName=table, Segment=0)
    validation(client.scan, "The Segment parameter is required but was not present in the request "
               "when parameter TotalSegments is present", TableName=table, TotalSegments=2)


@pytest.mark.parametrize("segment,total", [(4, 4), (5, 4), (1, 1), (999_999, 999_999)])
def test_segment_not_less_than_total(client, table, segment, total):
    validation(client.scan, f"The Segment parameter is zero-based and must be less than parameter "
               f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}",
               TableName=table, Segment=segment, TotalSegments=total)


@pytest.mark.parametrize("body,message", [
    ({"Segment": 0, "TotalSegments": 0},
     "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    ({"Segment": 0, "TotalSegments": 1_000_001},
     "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy "
     "constraint: Member must have value less than or equal to 1000000"),
    ({"Segment": -1, "TotalSegments": 2},
     "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: "
     "Member must have value greater than or equal to 0"),
    ({"Limit": 0},
     "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
])
def test_out_of_range_numbers(raw, table, body, message):
    r = raw.request("Scan", dict(body, TableName=table))
    assert (r.status, r.error_type, r.message) == (400, "ValidationException", message)


@pytest.mark.parametrize("start", [
    {"pk": {"S": "a"}},                                   # sort key missing
    {"pk": {"S": "a"}, "sk": {"S": "1"}},                 # wrong type
    {"pk": {"N": "1"}, "sk": {"N": "1"}},                 # wrong partition key type
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"N": "1"}},  # not only the key
    {"other": {"S": "a"}},
])
def test_invalid_exclusive_start_key(client, table, start):
    validation(client.scan, "The provided starting key is invalid: The provided key element does "
               "not match the schema", TableName=table, ExclusiveStartKey=start)


def test_scan_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.scan(TableName="nosuch", Segment=0, TotalSegments=2)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Requested resource not found"
