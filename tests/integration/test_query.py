"""Query: key conditions, sort-key order, paging, the 1 MB page limit, Select and projections.

DynamoDB behaviour checked:
- KeyConditionExpression: `=` on the partition key, and `= < <= > >= BETWEEN begins_with` on the
  sort key, for S, N and B sort keys, in both directions (ScanIndexForward); only the queried
  partition is returned;
- sort-key order: numbers numerically (negatives, decimals, exponents such as 1e2, the extremes
  1E-130 and 9.99..E+125), binaries as unsigned bytes (bytes above 0x7f after those below), strings
  by their UTF-8 bytes;
- Limit counts the items read (before FilterExpression): Count is what matched, ScannedCount what
  was read; LastEvaluatedKey (the key of the last item read) resumes the query with
  ExclusiveStartKey, so paging through thousands of items in either direction, with or without a
  filter, returns every item exactly once; a final partial page has no LastEvaluatedKey;
- a page stops after 1 MB of data read (DynamoDB's item size, before filtering or projection):
  300 items of 10,000 bytes take pages of 105, 105 and 90 items, with LastEvaluatedKey on all but
  the last;
- Select COUNT (no Items), SPECIFIC_ATTRIBUTES with a ProjectionExpression, ALL_ATTRIBUTES;
  ProjectionExpression with ExpressionAttributeNames; ConsistentRead=True;
- boto3's query paginator walks every page;
- errors: no key condition, a condition missing the partition key, a condition on a non-key
  attribute, a partition-key condition other than `=`, two conditions on the sort key, BETWEEN
  with its bounds reversed, a value of the wrong type, begins_with on a number, OR, an invalid
  ExclusiveStartKey, Limit 0.
All errors are ValidationException with HTTP 400. boto3 refuses Limit 0 client-side: that one goes
through the raw (signed) HTTP client.
"""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Key

from conftest import create_table, unique_access_key, validation, load, all_pages


def partition(p):
    return {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": p}}}


# --------------------------------------------------------------------------------------------------
# Key conditions and sort order.

NUMBERS = ["1e2", "-1e2", "100.5", "99", "-99.5", "0", "0.5", "-0.5", "5", "-5", "1E-5", "-1E-5",
           "12", "-12", "1.25e1", "3E+3", "-3E+3", "1E-130", "-1E-130",
           "9.9999999999999999999999999999999999999E+125",
           "-9.9999999999999999999999999999999999999E+125", "7", "0.07", "70"]


@pytest.fixture
def numbers(client):
    create_table(client, "nums", hash_key=("pk", "S"), range_key=("sk", "N"))
    items = [{"pk": {"S": "p"}, "sk": {"N": n}} for n in NUMBERS]
    items += [{"pk": {"S": "q"}, "sk": {"N": n}} for n in ("1", "50", "-1")]
    load(client, "nums", items)
    return "nums"


def sk_numbers(resp):
    return [Decimal(i["sk"]["N"]) for i in resp["Items"]]


def test_number_sort_order(client, numbers):
    expected = sorted(Decimal(n) for n in NUMBERS)
    resp = client.query(TableName=numbers, **partition("p"))
    assert sk_numbers(resp) == expected
    assert (resp["Count"], resp["ScannedCount"]) == (len(NUMBERS), len(NUMBERS))
    assert "LastEvaluatedKey" not in resp
    resp = client.query(TableName=numbers, ScanIndexForward=False, **partition("p"))
    assert sk_numbers(resp) == expected[::-1]
    # Numbers come back in canonical form: 1e2 is 100, 1.25e1 is 12.5.
    strings = [i["sk"]["N"] for i in client.query(TableName=numbers, **partition("p"))["Items"]]
    assert "100" in strings and "12.5" in strings and "3000" in strings and "-0.00001" in strings


@pytest.mark.parametrize("cond,values,pred", [
    ("sk = :a", {":a": "1e2"}, lambda x: x == 100),
    ("sk < :a", {":a": "0"}, lambda x: x < 0),
    ("sk <= :a", {":a": "-5"}, lambda x: x <= -5),
    ("sk > :a", {":a": "12"}, lambda x: x > 12),
    ("sk >= :a", {":a": "12.5"}, lambda x: x >= Decimal("12.5")),
    ("sk BETWEEN :a AND :b", {":a": "-12", ":b": "1.2E1"}, lambda x: -12 <= x <= 12),
    ("sk BETWEEN :a AND :b", {":a": "0.5", ":b": "0.5"}, lambda x: x == Decimal("0.5")),
    ("sk > :a", {":a": "1E+125"}, lambda x: x > Decimal("1E+125")),
    ("sk < :a", {":a": "-1E+125"}, lambda x: x < Decimal("-1E+125")),
    ("sk > :a", {":a": "0"}, lambda x: x > 0),
    ("sk < :a", {":a": "1E-129"}, lambda x: x < Decimal("1E-129")),
])
def test_number_sort_key_conditions(client, numbers, cond, values, pred):
    eav = {k: {"N": v} for k, v in values.items()}
    eav[":p"] = {"S": "p"}
    expected = sorted(Decimal(n) for n in NUMBERS if pred(Decimal(n)))
    assert expected  # every case selects something
    for forward in (True, False):
        resp = client.query(TableName=numbers, KeyConditionExpression=f"pk = :p AND {cond}",
                            ExpressionAttributeValues=eav, ScanIndexForward=forward)
        assert sk_numbers(resp) == (expected if forward else expected[::-1])
        assert resp["Count"] == resp["ScannedCount"] == len(expected)


def test_condition_with_attribute_names_and_parentheses(client, numbers):
    resp = client.query(TableName=numbers,
                        KeyConditionExpression="(#p = :p) AND (#s BETWEEN :a AND :b)",
                        ExpressionAttributeNames={"#p": "pk", "#s": "sk"},
                        ExpressionAttributeValues={":p": {"S": "q"}, ":a": {"N": "-1"},
                                                   ":b": {"N": "1"}})
    assert sk_numbers(resp) == [Decimal(-1), Decimal(1)]
    # A partition with no items and a range with no items: an empty result, no error.
    resp = client.query(TableName=numbers, **partition("nobody"))
    assert (resp["Items"], resp["Count"], resp["ScannedCount"]) == ([], 0, 0)
    resp = client.query(TableName=numbers, KeyConditionExpression="pk = :p AND sk > :a",
                        ExpressionAttributeValues={":p": {"S": "q"}, ":a": {"N": "50"}})
    assert (resp["Items"], resp["Count"]) == ([], 0)


BINARIES = [b"\xff", b"\x00", b"\x7f", b"\x80", b"\x00\x00", b"\x01", b"\x80\x00", b"\xfe\xff",
            b"\x80\x01", b"\x7f\xff", b"ab", b"a", b"\xff\xff\xff"]


@pytest.fixture
def binaries(client):
    create_table(client, "bins", hash_key=("pk", "S"), range_key=("sk", "B"))
    load(client, "bins", [{"pk": {"S": "p"}, "sk": {"B": b}} for b in BINARIES])
    client.put_item(TableName="bins", Item={"pk": {"S": "other"}, "sk": {"B": b"\x80"}})
    return "bins"


@pytest.mark.parametrize("cond,values,pred", [
    (None, {}, lambda b: True),
    ("sk = :a", {":a": b"\x80"}, lambda b: b == b"\x80"),
    ("sk < :a", {":a": b"\x80"}, lambda b: b < b"\x80"),
    ("sk <= :a", {":a": b"\x80"}, lambda b: b <= b"\x80"),
    ("sk > :a", {":a": b"\x7f"}, lambda b: b > b"\x7f"),
    ("sk >= :a", {":a": b"\x7f\xff"}, lambda b: b >= b"\x7f\xff"),
    ("sk BETWEEN :a AND :b", {":a": b"\x01", ":b": b"\x80\x00"},
     lambda b: b"\x01" <= b <= b"\x80\x00"),
    ("begins_with(sk, :a)", {":a": b"\x80"}, lambda b: b.startswith(b"\x80")),
    ("begins_with(sk, :a)", {":a": b"\xff"}, lambda b: b.startswith(b"\xff")),
])
def test_binary_sort_key_conditions(client, binaries, cond, values, pred):
    eav = {k: {"B": v} for k, v in values.items()}
    eav[":p"] = {"S": "p"}
    kce = "pk = :p" if cond is None else f"pk = :p AND {cond}"
    expected = sorted(b for b in BINARIES if pred(b))  # Python orders bytes as unsigned
    assert expected
    for forward in (True, False):
        resp = client.query(TableName=binaries, KeyConditionExpression=kce,
                            ExpressionAttributeValues=eav, ScanIndexForward=forward)
        assert [i["sk"]["B"] for i in resp["Items"]] == (expected if forward else expected[::-1])


STRINGS = ["b", "a", "B", "ab", "aa", "abc", "é", "\uff21", "\U0001F600", "Z", "a b", "0", "ä",
           "éa", "\u00ff", "\u0100"]


@pytest.fixture
def strings(client):
    create_table(client, "strs", hash_key=("pk", "S"), range_key=("sk", "S"))
    load(client, "strs", [{"pk": {"S": "p"}, "sk": {"S": s}} for s in STRINGS])
    return "strs"


def utf8(s):
    return s.encode("utf-8")


@pytest.mark.parametrize("cond,values,pred", [
    (None, {}, lambda s: True),
    ("sk = :a", {":a": "ab"}, lambda s: s == "ab"),
    ("sk < :a", {":a": "a"}, lambda s: utf8(s) < b"a"),
    ("sk <= :a", {":a": "ab"}, lambda s: utf8(s) <= b"ab"),
    ("sk > :a", {":a": "\u00ff"}, lambda s: utf8(s) > utf8("\u00ff")),
    ("sk >= :a", {":a": "é"}, lambda s: utf8(s) >= utf8("é")),
    # U+FF21 is EF BC A1, U+1F600 is F0 9F 98 80: in UTF-16 the emoji (a surrogate pair D83D...)
    # would sort before U+FF21; in UTF-8 it sorts after.
    ("sk BETWEEN :a AND :b", {":a": "\u0100", ":b": "\U0001F600"},
     lambda s: utf8("\u0100") <= utf8(s) <= utf8("\U0001F600")),
    ("begins_with(sk, :a)", {":a": "a"}, lambda s: s.startswith("a")),
    ("begins_with(sk, :a)", {":a": "é"}, lambda s: s.startswith("é")),
])
def test_string_sort_key_conditions(client, strings, cond, values, pred):
    eav = {k: {"S": v} for k, v in values.items()}
    eav[":p"] = {"S": "p"}
    kce = "pk = :p" if cond is None else f"pk = :p AND {cond}"
    expected = sorted((s for s in STRINGS if pred(s)), key=utf8)
    assert expected
    for forward in (True, False):
        resp = client.query(TableName=strings, KeyConditionExpression=kce,
                            ExpressionAttributeValues=eav, ScanIndexForward=forward)
        assert [i["sk"]["S"] for i in resp["Items"]] == (expected if forward else expected[::-1])


def test_hash_only_table(client):
    create_table(client, "hashonly", hash_key=("id", "N"))
    load(client, "hashonly", [{"id": {"N": str(i)}, "v": {"S": f"v{i}"}} for i in range(5)])
    resp = client.query(TableName="hashonly", KeyConditionExpression="id = :i",
                        ExpressionAttributeValues={":i": {"N": "3.0"}})
    assert resp["Items"] == [{"id": {"N": "3"}, "v": {"S": "v3"}}]
    assert "LastEvaluatedKey" not in resp


# --------------------------------------------------------------------------------------------------
# Paging through thousands of items.

BIG_N = 2501   # items in the big partition: not a multiple of the page sizes below
OTHER_N = 40   # items in a neighbouring partition, never returned


@pytest.fixture(scope="module")
def big(server):
    """A table with one partition of 2501 items (sk 0..2500, v = "a"/"b"/"c" by sk % 3) and one of
    40; module-scoped: it is only read."""
    c = server.client(unique_access_key())
    create_table(c, "big", hash_key=("pk", "S"), range_key=("sk", "N"))
    items = [{"pk": {"S": "big"}, "sk": {"N": str(i)}, "v": {"S": "abc"[i % 3]},
              "pad": {"S": "x" * 50}} for i in range(BIG_N)]
    items += [{"pk": {"S": "other"}, "sk": {"N": str(i)}, "v": {"S": "a"}} for i in range(OTHER_N)]
    load(c, "big", items)
    return c


def sks(pages):
    return [int(i["sk"]["N"]) for p in pages for i in p["Items"]]


@pytest.mark.parametrize("forward", [True, False])
def test_paging_without_filter(big, forward):
    pages = all_pages(big.query, TableName="big", Limit=100, ScanIndexForward=forward,
                      **partition("big"))
    expected = list(range(BIG_N)) if forward else list(range(BIG_N))[::-1]
    assert sks(pages) == expected
    assert len(pages) == 26  # 25 full pages and one of a single item
    for p in pages[:-1]:
        assert p["Count"] == p["ScannedCount"] == 100
        last = p["Items"][-1]
        assert p["LastEvaluatedKey"] == {"pk": last["pk"], "sk": last["sk"]}
    assert pages[-1]["Count"] == pages[-1]["ScannedCount"] == 1
    assert "LastEvaluatedKey" not in pages[-1]


@pytest.mark.parametrize("forward", [True, False])
def test_paging_with_filter(big, forward):
    pages = all_pages(big.query, TableName="big", Limit=64, ScanIndexForward=forward,
                      KeyConditionExpression="pk = :p", FilterExpression="v = :v",
                      ExpressionAttributeValues={":p": {"S": "big"}, ":v": {"S": "a"}})
    matching = [i for i in range(BIG_N) if i % 3 == 0]
    assert sks(pages) == (matching if forward else matching[::-1])
    # Limit caps the items read, not the items returned.
    assert len(pages) == -(-BIG_N // 64)
    assert sum(p["ScannedCount"] for p in pages) == BIG_N
    assert sum(p["Count"] for p in pages) == len(matching)
    order = list(range(BIG_N)) if forward else list(range(BIG_N))[::-1]
    for n, p in enumerate(pages):
        read = order[n * 64:(n + 1) * 64]
        assert p["ScannedCount"] == len(read)
        assert p["Count"] == len(p["Items"]) == sum(1 for i in read if i % 3 == 0)
        if n < len(pages) - 1:
            # The key of the last item read, whether or not it passed the filter.
            assert p["LastEvaluatedKey"] == {"pk": {"S": "big"}, "sk": {"N": str(read[-1])}}
        else:
            assert "LastEvaluatedKey" not in p


def test_paging_with_filter_matching_nothing(big):
    pages = all_pages(big.query, TableName="big", Limit=500, KeyConditionExpression="pk = :p",
                      FilterExpression="v = :v",
                      ExpressionAttributeValues={":p": {"S": "big"}, ":v": {"S": "zzz"}})
    assert [(p["Count"], p["ScannedCount"], len(p["Items"])) for p in pages] == (
        [(0, 500, 0)] * 5 + [(0, 1, 0)])
    assert all("LastEvaluatedKey" in p for p in pages[:-1])


def test_paging_within_a_key_range(big):
    # BETWEEN 1000 AND 1999 paged by 90: 1000 items in 12 pages, the last of 10.
    for forward in (True, False):
        pages = all_pages(big.query, TableName="big", Limit=90, ScanIndexForward=forward,
                          KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                          ExpressionAttributeValues={":p": {"S": "big"}, ":a": {"N": "1000"},
                                                     ":b": {"N": "1999"}})
        expected = list(range(1000, 2000))
        assert sks(pages) == (expected if forward else expected[::-1])
        assert [p["Count"] for p in pages] == [90] * 11 + [10]


def test_exclusive_start_key_resumes_after_it(big):
    # The start key need not be a LastEvaluatedKey the server gave: any key of the partition works,
    # and the item at that key itself is not returned.
    start = {"pk": {"S": "big"}, "sk": {"N": "2495"}}
    resp = big.query(TableName="big", ExclusiveStartKey=start, **partition("big"))
    assert [int(i["sk"]["N"]) for i in resp["Items"]] == [2496, 2497, 2498, 2499, 2500]
    resp = big.query(TableName="big", ExclusiveStartKey=start, ScanIndexForward=False, Limit=3,
                     **partition("big"))
    assert [int(i["sk"]["N"]) for i in resp["Items"]] == [2494, 2493, 2492]
    # A start key between two stored keys (no item there).
    start = {"pk": {"S": "big"}, "sk": {"N": "2497.5"}}
    resp = big.query(TableName="big", ExclusiveStartKey=start, **partition("big"))
    assert [int(i["sk"]["N"]) for i in resp["Items"]] == [2498, 2499, 2500]


def test_paginator_walks_every_page(big):
    paginator = big.get_paginator("query")
    pages = list(paginator.paginate(TableName="big", PaginationConfig={"PageSize": 250},
                                    **partition("big")))
    assert len(pages) == 11
    assert sks(pages) == list(range(BIG_N))
    assert [p["Count"] for p in pages] == [250] * 10 + [1]
    # build_full_result merges the pages.
    full = paginator.paginate(TableName="big", ScanIndexForward=False,
                              PaginationConfig={"PageSize": 700}, **partition("big")
                              ).build_full_result()
    assert [int(i["sk"]["N"]) for i in full["Items"]] == list(range(BIG_N))[::-1]
    assert full["Count"] == BIG_N


def test_resource_paging(client, resource):
    # The resource API, tutorial-style: page with LastEvaluatedKey until it is absent.
    create_table(client, "res", hash_key=("pk", "S"), range_key=("sk", "N"))
    t = resource.Table("res")
    with t.batch_writer() as w:
        for i in range(205):
            w.put_item(Item={"pk": "p", "sk": i})
    got, kwargs = [], {"KeyConditionExpression": Key("pk").eq("p"), "Limit": 50}
    for _ in range(10):
        resp = t.query(**kwargs)
        got += [int(i["sk"]) for i in resp["Items"]]
        if "LastEvaluatedKey" not in resp:
            break
        kwargs["ExclusiveStartKey"] = resp["LastEvaluatedKey"]
    assert got == list(range(205))


# --------------------------------------------------------------------------------------------------
# The 1 MB page limit.

LARGE_N = 300
LARGE_SIZE = 10_000  # bytes per item by DynamoDB's formula


@pytest.fixture(scope="module")
def large(server):
    """300 items of exactly 10,000 bytes in one partition: "pk"+"L" (3) + "sk"+"0000" (6) +
    "d"+9,990 characters (9,991)."""
    c = server.client(unique_access_key())
    create_table(c, "large", hash_key=("pk", "S"), range_key=("sk", "S"))
    items = [{"pk": {"S": "L"}, "sk": {"S": f"{i:04d}"}, "d": {"S": chr(97 + i % 26) * 9990}}
             for i in range(LARGE_N)]
    load(c, "large", items)
    return c


def check_mb_pages(pages, counts):
    """Pages stop at 1 MB of items read, before filtering and projection: with the item that takes
    the total past 1,048,576 bytes, the 105th of 10,000 bytes (test_page_boundaries.py has the
    edge)."""
    assert counts == [105, 105, 90]
    assert all("LastEvaluatedKey" in p for p in pages[:-1])
    assert "LastEvaluatedKey" not in pages[-1]


@pytest.mark.parametrize("forward", [True, False])
def test_one_megabyte_page_limit(large, forward):
    pages = all_pages(large.query, TableName="large", ScanIndexForward=forward, **partition("L"))
    counts = [p["ScannedCount"] for p in pages]
    check_mb_pages(pages, counts)
    got = [i["sk"]["S"] for p in pages for i in p["Items"]]
    expected = [f"{i:04d}" for i in range(LARGE_N)]
    assert got == (expected if forward else expected[::-1])
    assert all(i["d"]["S"] == chr(97 + int(i["sk"]["S"]) % 26) * 9990
               for p in pages for i in p["Items"])


def test_one_megabyte_limit_counts_items_read_not_returned(large):
    # With a filter that matches nothing, or a projection of the key only, a page still stops
    # after 1 MB read.
    pages = all_pages(large.query, TableName="large", KeyConditionExpression="pk = :p",
                      FilterExpression="d = :none",
                      ExpressionAttributeValues={":p": {"S": "L"}, ":none": {"S": "none"}})
    check_mb_pages(pages, [p["ScannedCount"] for p in pages])
    assert all(p["Count"] == 0 and p["Items"] == [] for p in pages)
    pages = all_pages(large.query, TableName="large", ProjectionExpression="sk", **partition("L"))
    check_mb_pages(pages, [p["Count"] for p in pages])
    assert [i for p in pages for i in p["Items"]] == [
        {"sk": {"S": f"{i:04d}"}} for i in range(LARGE_N)]
    pages = all_pages(large.query, TableName="large", Select="COUNT", **partition("L"))
    check_mb_pages(pages, [p["Count"] for p in pages])


def test_limit_below_one_megabyte(large):
    resp = large.query(TableName="large", Limit=50, **partition("L"))
    assert resp["Count"] == 50
    assert resp["LastEvaluatedKey"] == {"pk": {"S": "L"}, "sk": {"S": "0049"}}


# --------------------------------------------------------------------------------------------------
# Select, ProjectionExpression, ConsistentRead.


@pytest.fixture
def people(client):
    create_table(client, "people", hash_key=("team", "S"), range_key=("id", "N"))
    items = [{"team": {"S": "t"}, "id": {"N": str(i)}, "name": {"S": f"n{i}"},
              "age": {"N": str(20 + i)}, "tags": {"SS": ["x"]},
              "addr": {"M": {"city": {"S": f"c{i}"}, "zip": {"S": "00000"}}}} for i in range(6)]
    load(client, "people", items)
    return items


def test_select_count(client, people):
    resp = client.query(TableName="people", Select="COUNT", KeyConditionExpression="team = :t",
                        ExpressionAttributeValues={":t": {"S": "t"}})
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (6, 6)
    resp = client.query(TableName="people", Select="COUNT", KeyConditionExpression="team = :t",
                        FilterExpression="age >= :a",
                        ExpressionAttributeValues={":t": {"S": "t"}, ":a": {"N": "23"}})
    assert "Items" not in resp
    assert (resp["Count"], resp["ScannedCount"]) == (3, 6)
    resp = client.query(TableName="people", Select="COUNT", Limit=4,
                        KeyConditionExpression="team = :t",
                        ExpressionAttributeValues={":t": {"S": "t"}})
    assert (resp["Count"], resp["ScannedCount"]) == (4, 4)
    assert resp["LastEvaluatedKey"] == {"team": {"S": "t"}, "id": {"N": "3"}}


def test_select_all_and_specific_attributes(client, people):
    kce = {"KeyConditionExpression": "team = :t", "ExpressionAttributeValues": {":t": {"S": "t"}}}
    resp = client.query(TableName="people", Select="ALL_ATTRIBUTES", **kce)
    assert resp["Items"] == people
    resp = client.query(TableName="people", **kce)  # the default for a table
    assert resp["Items"] == people
    resp = client.query(TableName="people", Select="SPECIFIC_ATTRIBUTES",
                        ProjectionExpression="#n, addr.city",
                        ExpressionAttributeNames={"#n": "name"},
                        **kce)
    assert resp["Items"] == [{"name": {"S": f"n{i}"}, "addr": {"M": {"city": {"S": f"c{i}"}}}}
                             for i in range(6)]
    # ProjectionExpression alone implies SPECIFIC_ATTRIBUTES; keys only when asked for.
    resp = client.query(TableName="people", ProjectionExpression="id, nothere", **kce)
    assert resp["Items"] == [{"id": {"N": str(i)}} for i in range(6)]


def test_projection_with_filter_on_unprojected_attribute(client, people):
    # The filter sees the whole item, the projection shapes what is returned.
    resp = client.query(TableName="people", KeyConditionExpression="team = :t",
                        FilterExpression="age < :a", ProjectionExpression="#n",
                        ExpressionAttributeNames={"#n": "name"},
                        ExpressionAttributeValues={":t": {"S": "t"}, ":a": {"N": "22"}})
    assert resp["Items"] == [{"name": {"S": "n0"}}, {"name": {"S": "n1"}}]
    assert (resp["Count"], resp["ScannedCount"]) == (2, 6)


def test_consistent_read(client, people):
    for consistent in (True, False):
        resp = client.query(TableName="people", ConsistentRead=consistent,
                            KeyConditionExpression="team = :t AND id >= :i",
                            ExpressionAttributeValues={":t": {"S": "t"}, ":i": {"N": "4"}})
        assert resp["Items"] == people[4:]
    # A write is visible to the next consistent query.
    client.put_item(TableName="people", Item={"team": {"S": "t"}, "id": {"N": "99"}})
    resp = client.query(TableName="people", ConsistentRead=True,
                        KeyConditionExpression="team = :t AND id > :i",
                        ExpressionAttributeValues={":t": {"S": "t"}, ":i": {"N": "5"}})
    assert resp["Items"] == [{"team": {"S": "t"}, "id": {"N": "99"}}]


# --------------------------------------------------------------------------------------------------
# Errors.


@pytest.fixture
def books(client):
    create_table(client, "Books", hash_key=("book_id", "N"), range_key=("title", "S"))
    return "Books"


def test_missing_key_condition(client, books):
    validation(client.query, "Either the KeyConditions or KeyConditionExpression parameter must be "
               "specified in the request.", TableName=books)


def test_condition_missing_partition_key(client, books):
    validation(client.query, "Query condition missed key schema element: book_id", TableName=books,
               KeyConditionExpression="title = :t", ExpressionAttributeValues={":t": {"S": "x"}})


def test_condition_on_non_key_attribute(client, books):
    # DynamoDB names the key element the condition failed to use.
    validation(client.query, "Query condition missed key schema element: title", TableName=books,
               KeyConditionExpression="book_id = :b AND author = :a",
               ExpressionAttributeValues={":b": {"N": "1"}, ":a": {"S": "x"}})
    validation(client.query, "Query condition missed key schema element: book_id",
               TableName=books, KeyConditionExpression="author = :a",
               ExpressionAttributeValues={":a": {"S": "x"}})


def test_partition_key_condition_must_be_equality(client, books):
    validation(client.query, "Query key condition not supported", TableName=books,
               KeyConditionExpression="book_id > :b", ExpressionAttributeValues={":b": {"N": "1"}})
    validation(client.query, "Query key condition not supported", TableName=books,
               KeyConditionExpression="book_id BETWEEN :a AND :b",
               ExpressionAttributeValues={":a": {"N": "1"}, ":b": {"N": "2"}})


def test_wrong_key_type(client, books):
    message = ("One or more parameter values were invalid: Condition parameter type does not match "
               "schema type")
    validation(client.query, message, TableName=books, KeyConditionExpression="book_id = :b",
               ExpressionAttributeValues={":b": {"S": "1"}})
    validation(client.query, message, TableName=books,
               KeyConditionExpression="book_id = :b AND title > :t",
               ExpressionAttributeValues={":b": {"N": "1"}, ":t": {"N": "1"}})


def test_begins_with_on_number_sort_key(client, numbers):
    validation(client.query, "Invalid KeyConditionExpression: Incorrect operand type for operator "
               "or function; operator or function: begins_with, operand type: N",
               TableName=numbers, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
               ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "1"}})


def test_or_in_key_condition(client, books):
    # NOT SURE of the exact text; DynamoDB rejects OR in a key condition.
    validation(client.query, "Invalid operator used in KeyConditionExpression: OR", TableName=books,
               KeyConditionExpression="book_id = :b OR book_id = :c",
               ExpressionAttributeValues={":b": {"N": "1"}, ":c": {"N": "2"}})


def test_two_conditions_on_sort_key(client, books):
    validation(client.query, "Invalid KeyConditionExpression: KeyConditionExpressions must only "
               "contain one condition per key", TableName=books,
               KeyConditionExpression="book_id = :b AND title > :x AND title < :y",
               ExpressionAttributeValues={":b": {"N": "1"}, ":x": {"S": "a"}, ":y": {"S": "z"}})


def test_between_bounds_reversed(client, books):
    validation(client.query, "Invalid KeyConditionExpression: The BETWEEN operator requires upper "
               "bound to be greater than or equal to lower bound; lower bound operand: "
               "AttributeValue: {S:z}, upper bound operand: AttributeValue: {S:a}",
               TableName=books, KeyConditionExpression="book_id = :b AND title BETWEEN :x AND :y",
               ExpressionAttributeValues={":b": {"N": "1"}, ":x": {"S": "z"}, ":y": {"S": "a"}})


@pytest.mark.parametrize("start", [
    {"book_id": {"N": "1"}},                                           # sort key missing
    {"book_id": {"N": "1"}, "title": {"N": "1"}},                      # wrong type
    {"book_id": {"S": "1"}, "title": {"S": "a"}},                      # wrong partition key type
    {"book_id": {"N": "1"}, "title": {"S": "a"}, "x": {"S": "extra"}},  # not only the key
    {"title": {"S": "a"}},                                             # partition key missing
])
def test_invalid_exclusive_start_key(client, books, start):
    validation(client.query, "The provided starting key is invalid: The provided key element does "
               "not match the schema", TableName=books, ExclusiveStartKey=start,
               KeyConditionExpression="book_id = :b", ExpressionAttributeValues={":b": {"N": "1"}})


OUTSIDE = ("The provided starting key is outside query boundaries based on provided conditions")


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("start,condition,values", [
    # Another partition than the one queried.
    ({"book_id": {"N": "2"}, "title": {"S": "a"}}, "book_id = :b", {}),
    # The queried partition, with a sort key the range condition excludes (below, above).
    ({"book_id": {"N": "1"}, "title": {"S": "a"}}, "book_id = :b AND title > :t",
     {":t": {"S": "m"}}),
    ({"book_id": {"N": "1"}, "title": {"S": "z"}}, "book_id = :b AND title < :t",
     {":t": {"S": "m"}}),
    ({"book_id": {"N": "1"}, "title": {"S": "b"}}, "book_id = :b AND begins_with(title, :t)",
     {":t": {"S": "m"}}),
])
def test_exclusive_start_key_outside_the_key_condition(client, books, start, condition, values,
                                                       forward):
    validation(client.query, OUTSIDE, TableName=books, ExclusiveStartKey=start,
               KeyConditionExpression=condition, ScanIndexForward=forward,
               ExpressionAttributeValues={":b": {"N": "1"}, **values})


def test_exclusive_start_key_at_the_range_edge_is_inside(client, books):
    # The start key may be the last key the condition selects: the page is then empty.
    resp = client.query(TableName=books, ExclusiveStartKey={"book_id": {"N": "1"},
                                                              "title": {"S": "m"}},
                        KeyConditionExpression="book_id = :b AND title <= :t",
                        ExpressionAttributeValues={":b": {"N": "1"}, ":t": {"S": "m"}})
    assert resp["Items"] == [] and "LastEvaluatedKey" not in resp


def test_limit_zero(raw, books):
    r = raw.request("Query", {"TableName": books, "Limit": 0,
                              "KeyConditionExpression": "book_id = :b",
                              "ExpressionAttributeValues": {":b": {"N": "1"}}})
    assert (r.status, r.error_type) == (400, "ValidationException")
    assert r.message == ("1 validation error detected: Value '0' at 'limit' failed to satisfy "
                         "constraint: Member must have value greater than or equal to 1")
