"""Global secondary indexes with multi-attribute keys (DynamoDB, November 2025).

DynamoDB behaviour checked:
- a GSI KeySchema may list up to 4 HASH and 4 RANGE elements, each attribute of its own type
  (S, N or B); DescribeTable returns them in the order given; a 5th HASH or a 5th RANGE element is
  a ValidationException; base tables and LSIs keep one HASH and at most one RANGE element;
- an item is in the index only when it has every key attribute of the index (sparse);
- the index's items are ordered by the sort attributes left to right, each in its own type's
  order (numbers numerically, binaries by unsigned bytes);
- Query needs `=` on every hash attribute; sort-key conditions go left to right without gaps:
  `=` on leading sort attributes and at most one inequality (< <= > >= BETWEEN begins_with),
  on the last attribute conditioned; anything else is a ValidationException;
- writes keep the index up to date (changing any key attribute moves the item, removing one takes
  it out), and a key attribute of the wrong type is rejected with DynamoDB's message;
- Limit paging: LastEvaluatedKey carries the table key and every index key attribute, and walking
  the pages returns every item once; Scan on the index;
- UpdateTable can add such an index to a table with items (backfill).
The exact messages of the multi-attribute key rules are not pinned (NOT SURE of DynamoDB's text):
only the error type, HTTP 400.
botocore 1.29 checks a KeySchema's minimum length but not its maximum (2 in its model), so these
CreateTable requests go through boto3.
"""

import time
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique_access_key, load, all_pages

PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
INVALID = "One or more parameter values were invalid: "
WAIT_S = 15.0
POLL_S = 0.05


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def schema(hashes, ranges=()):
    return ([{"AttributeName": a, "KeyType": "HASH"} for a in hashes]
            + [{"AttributeName": a, "KeyType": "RANGE"} for a in ranges])


def defs(types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


def gsi(name, hashes, ranges=(), kind="ALL"):
    return {"IndexName": name, "KeySchema": schema(hashes, ranges),
            "Projection": {"ProjectionType": kind}, "ProvisionedThroughput": PT}


def expect_validation(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response
    assert err["Error"]["Code"] == "ValidationException", err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    return err["Error"].get("Message")


# --------------------------------------------------------------------------------------------------
# The tournament table: matches keyed by id; GSI by_event with a 2-attribute partition key
# (tournament S, area S) and a 3-attribute sort key (stage N, bracket S, match_no N).

EVENT_HASH = ("tournament", "area")
EVENT_RANGE = ("stage", "bracket", "match_no")
EVENT_TYPES = {"match_id": "S", "tournament": "S", "area": "S", "stage": "N", "bracket": "S",
               "match_no": "N"}


def match(i, tournament="WC", area="EU", rnd=None, bracket=None, match_no=None):
    return {"match_id": S(f"m{i:03}"), "tournament": S(tournament), "area": S(area),
            "stage": N(rnd), "bracket": S(bracket), "match_no": N(match_no)}


def event_items():
    items = []
    i = 0
    for rnd in (1, 2, 10):  # 10 after 2: numeric order, not string order
        for bracket in ("upper", "lower", "losers-a", "losers-b"):
            for match_no in (3, 1, 20):
                items.append(match(i, rnd=rnd, bracket=bracket, match_no=match_no))
                i += 1
    # Same tournament, another area; another tournament, same area.
    items.append(match(900, area="NA", rnd=1, bracket="upper", match_no=1))
    items.append(match(901, tournament="OL", rnd=1, bracket="upper", match_no=1))
    return items


def sort_tuple(it):
    return (Decimal(it["stage"]["N"]), it["bracket"]["S"].encode(), Decimal(it["match_no"]["N"]))


def event_table(client):
    client.create_table(TableName="matches",
                        KeySchema=schema(["match_id"]),
                        AttributeDefinitions=defs(EVENT_TYPES),
                        ProvisionedThroughput=PT,
                        GlobalSecondaryIndexes=[gsi("by_event", EVENT_HASH, EVENT_RANGE)])
    client.get_waiter("table_exists").wait(TableName="matches")


@pytest.fixture(scope="module")
def ev(server):
    """(client, items): the tournament table loaded, shared by the read-only tests."""
    c = server.client(unique_access_key())
    event_table(c)
    items = event_items()
    load(c, "matches", items)
    return c, items


def q(client, cond, values, **kwargs):
    return client.query(TableName="matches", IndexName="by_event", KeyConditionExpression=cond,
                        ExpressionAttributeValues=values, **kwargs)


WC_EU = "tournament = :t AND #r = :g"
WC_EU_VALUES = {":t": S("WC"), ":g": S("EU")}
NAMES = {"#r": "area"}  # a name map works for index key attributes too


def ids(items):
    return [it["match_id"]["S"] for it in items]


def test_describe_multi_attribute_key_schema(ev):
    c, _ = ev
    [g] = c.describe_table(TableName="matches")["Table"]["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == schema(EVENT_HASH, EVENT_RANGE)
    assert g["IndexStatus"] == "ACTIVE"
    assert g["ItemCount"] == 38


def test_query_sorted_by_sort_attributes_left_to_right(ev):
    c, items = ev
    mine = sorted((it for it in items if it["tournament"] == S("WC") and it["area"] == S("EU")),
                  key=sort_tuple)
    assert len(mine) == 36
    resp = q(c, WC_EU, WC_EU_VALUES, ExpressionAttributeNames=NAMES)
    assert ids(resp["Items"]) == ids(mine)
    assert resp["Items"][0] == mine[0]  # ALL projection: the whole item
    resp = q(c, WC_EU, WC_EU_VALUES, ExpressionAttributeNames=NAMES, ScanIndexForward=False)
    assert ids(resp["Items"]) == ids(mine)[::-1]
    # Hash values must all match: another area or tournament is another partition.
    resp = q(c, "tournament = :t AND area = :g", {":t": S("WC"), ":g": S("NA")})
    assert ids(resp["Items"]) == ["m900"]
    resp = q(c, "area = :g AND tournament = :t", {":t": S("OL"), ":g": S("EU")})
    assert ids(resp["Items"]) == ["m901"]
    resp = q(c, "tournament = :t AND area = :g", {":t": S("OL"), ":g": S("NA")})
    assert resp["Items"] == []


@pytest.mark.parametrize("cond,values,pred", [
    ("stage = :a", {":a": N(2)}, lambda r, b, m: r == 2),
    ("stage > :a", {":a": N(1)}, lambda r, b, m: r > 1),
    ("stage BETWEEN :a AND :b", {":a": N(2), ":b": N(10)}, lambda r, b, m: 2 <= r <= 10),
    ("stage = :a AND bracket = :b", {":a": N(10), ":b": S("lower")},
     lambda r, b, m: r == 10 and b == "lower"),
    ("stage = :a AND begins_with(bracket, :b)", {":a": N(1), ":b": S("losers")},
     lambda r, b, m: r == 1 and b.startswith("losers")),
    ("stage = :a AND bracket < :b", {":a": N(2), ":b": S("u")},
     lambda r, b, m: r == 2 and b < "u"),
    ("stage = :a AND bracket = :b AND match_no >= :c", {":a": N(1), ":b": S("upper"), ":c": N(3)},
     lambda r, b, m: r == 1 and b == "upper" and m >= 3),
    ("stage = :a AND bracket = :b AND match_no BETWEEN :c AND :d",
     {":a": N(10), ":b": S("losers-b"), ":c": N(2), ":d": N(20)},
     lambda r, b, m: r == 10 and b == "losers-b" and 2 <= m <= 20),
    ("stage = :a AND bracket = :b AND match_no = :c", {":a": N(2), ":b": S("upper"), ":c": N(20)},
     lambda r, b, m: (r, b, m) == (2, "upper", 20)),
])
def test_sort_conditions_left_to_right(ev, cond, values, pred):
    c, items = ev
    mine = sorted((it for it in items if it["tournament"] == S("WC") and it["area"] == S("EU")
                   and pred(Decimal(it["stage"]["N"]), it["bracket"]["S"],
                            Decimal(it["match_no"]["N"]))), key=sort_tuple)
    assert mine  # every case selects something
    for forward in (True, False):
        resp = q(c, f"{WC_EU} AND {cond}", {**WC_EU_VALUES, **values},
                 ExpressionAttributeNames=NAMES, ScanIndexForward=forward)
        assert ids(resp["Items"]) == (ids(mine) if forward else ids(mine)[::-1])


@pytest.mark.parametrize("cond,values", [
    # A hash attribute missing.
    ("tournament = :t", {":t": S("WC")}),
    ("area = :g", {":g": S("EU")}),
    ("tournament = :t AND stage = :a", {":t": S("WC"), ":a": N(1)}),
    # A hash attribute with an inequality.
    ("tournament = :t AND area > :g", {":t": S("WC"), ":g": S("EU")}),
    # A sort attribute skipped: bracket without stage; match_no without bracket.
    (WC_EU.replace("#r", "area") + " AND bracket = :b", {**WC_EU_VALUES, ":b": S("upper")}),
    (WC_EU.replace("#r", "area") + " AND stage = :a AND match_no = :c",
     {**WC_EU_VALUES, ":a": N(1), ":c": N(1)}),
    # An inequality that is not on the last attribute conditioned.
    (WC_EU.replace("#r", "area") + " AND stage > :a AND bracket = :b",
     {**WC_EU_VALUES, ":a": N(1), ":b": S("upper")}),
    (WC_EU.replace("#r", "area") + " AND stage = :a AND begins_with(bracket, :b) AND match_no = :c",
     {**WC_EU_VALUES, ":a": N(1), ":b": S("up"), ":c": N(1)}),
    # Two conditions on one sort attribute.
    (WC_EU.replace("#r", "area") + " AND stage > :a AND stage < :z",
     {**WC_EU_VALUES, ":a": N(1), ":z": N(5)}),
    # A condition on an attribute that is not part of the index key.
    (WC_EU.replace("#r", "area") + " AND match_id = :m", {**WC_EU_VALUES, ":m": S("m001")}),
])
def test_invalid_key_conditions(ev, cond, values):
    c, _ = ev
    expect_validation(c.query, TableName="matches", IndexName="by_event",
                      KeyConditionExpression=cond, ExpressionAttributeValues=values)


@pytest.mark.parametrize("forward", [True, False])
def test_paging_carries_every_key_attribute(ev, forward):
    c, items = ev
    mine = sorted((it for it in items if it["tournament"] == S("WC") and it["area"] == S("EU")),
                  key=sort_tuple, reverse=not forward)
    ps = all_pages(c.query, TableName="matches", IndexName="by_event",
               KeyConditionExpression=WC_EU, ExpressionAttributeValues=WC_EU_VALUES,
               ExpressionAttributeNames=NAMES, Limit=5, ScanIndexForward=forward)
    got = [it for p in ps for it in p["Items"]]
    assert ids(got) == ids(mine)
    for p in ps[:-1]:
        last = p["Items"][-1]
        assert p["LastEvaluatedKey"] == {k: last[k] for k in ("match_id",) + EVENT_HASH
                                         + EVENT_RANGE}


def test_scan_index(ev):
    c, items = ev
    ps = all_pages(c.scan, TableName="matches", IndexName="by_event", Limit=7)
    got = [it for p in ps for it in p["Items"]]
    assert sorted(ids(got)) == sorted(ids(items))
    for p in ps[:-1]:
        last = p["Items"][-1]
        assert p["LastEvaluatedKey"] == {k: last[k] for k in ("match_id",) + EVENT_HASH
                                         + EVENT_RANGE}


# --------------------------------------------------------------------------------------------------
# Four and four, every type; sparse.

FOUR_HASH = ("h1", "h2", "h3", "h4")
FOUR_RANGE = ("r1", "r2", "r3", "r4")
FOUR_TYPES = {"pk": "S", "h1": "S", "h2": "N", "h3": "B", "h4": "S",
              "r1": "N", "r2": "B", "r3": "S", "r4": "N"}


def four_item(i, v1, v2, v3, v4, **over):
    """Item k<i> of partition (a, 7, 01ff, z) with sort key (v1, v2, v3, v4); `over` replaces
    attributes (None removes one)."""
    it = {"pk": S(f"k{i:02}"), "h1": S("a"), "h2": N(7), "h3": B(b"\x01\xff"), "h4": S("z"),
          "r1": N(v1), "r2": B(v2), "r3": S(v3), "r4": N(v4), "extra": S(f"e{i}")}
    for k, v in over.items():
        if v is None:
            del it[k]
        else:
            it[k] = v
    return it


FOUR_HASH_VALUES = {":h1": S("a"), ":h2": N(7), ":h3": B(b"\x01\xff"), ":h4": S("z")}
FOUR_HASH_COND = "h1 = :h1 AND h2 = :h2 AND h3 = :h3 AND h4 = :h4"


@pytest.fixture
def four(client):
    client.create_table(TableName="four", KeySchema=schema(["pk"]),
                        AttributeDefinitions=defs(FOUR_TYPES), ProvisionedThroughput=PT,
                        GlobalSecondaryIndexes=[gsi("g44", FOUR_HASH, FOUR_RANGE,
                                                    kind="KEYS_ONLY")])
    client.get_waiter("table_exists").wait(TableName="four")
    return "four"


def four_query(client, **kwargs):
    return client.query(TableName="four", IndexName="g44", KeyConditionExpression=FOUR_HASH_COND,
                        ExpressionAttributeValues=FOUR_HASH_VALUES, **kwargs)


def test_four_hash_four_range(client, four):
    [g] = client.describe_table(TableName="four")["Table"]["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == schema(FOUR_HASH, FOUR_RANGE)
    items = [
        four_item(0, "10", b"\x80", "b", "1"),
        four_item(1, "9", b"\xff", "a", "1"),
        four_item(2, "10", b"\x7f", "z", "5"),
        four_item(3, "10", b"\x80", "a", "2"),
        four_item(4, "10", b"\x80", "a", "-2"),
        four_item(5, "-1", b"\x00", "a", "0"),
        # Not in the partition: one hash attribute differs.
        four_item(6, "1", b"\x00", "a", "0", h2=N(8)),
        four_item(7, "1", b"\x00", "a", "0", h3=B(b"\x01")),
        # Not in the index at all: a hash or a range attribute is missing.
        four_item(8, "1", b"\x00", "a", "0", h4=None),
        four_item(9, "1", b"\x00", "a", "0", r3=None),
        four_item(10, "1", b"\x00", "a", "0", r4=None),
    ]
    load(client, four, items)
    resp = four_query(client)
    # r1 numerically, then r2 by unsigned bytes, then r3, then r4 numerically.
    assert [i["pk"]["S"] for i in resp["Items"]] == ["k05", "k01", "k02", "k04", "k03", "k00"]
    # KEYS_ONLY: the table key and all eight index key attributes.
    assert resp["Items"][0] == {k: v for k, v in items[5].items() if k != "extra"}
    resp = four_query(client, ScanIndexForward=False)
    assert [i["pk"]["S"] for i in resp["Items"]] == ["k00", "k03", "k04", "k02", "k01", "k05"]
    # All four sort attributes conditioned, the last with an inequality.
    resp = client.query(TableName="four", IndexName="g44",
                        KeyConditionExpression=FOUR_HASH_COND + " AND r1 = :a AND r2 = :b AND "
                        "r3 = :c AND r4 < :d",
                        ExpressionAttributeValues={**FOUR_HASH_VALUES, ":a": N(10),
                                                   ":b": B(b"\x80"), ":c": S("a"), ":d": N(2)})
    assert [i["pk"]["S"] for i in resp["Items"]] == ["k04"]
    resp = client.query(TableName="four", IndexName="g44",
                        KeyConditionExpression=FOUR_HASH_COND + " AND r1 = :a AND r2 >= :b",
                        ExpressionAttributeValues={**FOUR_HASH_VALUES, ":a": N(10),
                                                   ":b": B(b"\x80")})
    assert [i["pk"]["S"] for i in resp["Items"]] == ["k04", "k03", "k00"]
    # The other partitions, each on its own.
    resp = client.query(TableName="four", IndexName="g44", KeyConditionExpression=FOUR_HASH_COND,
                        ExpressionAttributeValues={**FOUR_HASH_VALUES, ":h2": N(8)})
    assert [i["pk"]["S"] for i in resp["Items"]] == ["k06"]
    # Sparse: the index holds the 8 items with every key attribute.
    resp = client.scan(TableName="four", IndexName="g44")
    assert sorted(i["pk"]["S"] for i in resp["Items"]) == [f"k{i:02}" for i in range(8)]
    [g] = client.describe_table(TableName="four")["Table"]["GlobalSecondaryIndexes"]
    assert g["ItemCount"] == 8


def test_writes_move_items(client, four):
    client.put_item(TableName="four", Item=four_item(0, "1", b"\x01", "a", "1"))
    client.put_item(TableName="four", Item=four_item(1, "1", b"\x01", "a", "2"))
    assert [i["pk"]["S"] for i in four_query(client)["Items"]] == ["k00", "k01"]
    # A sort attribute changes: the order changes.
    client.update_item(TableName="four", Key={"pk": S("k00")}, UpdateExpression="SET r3 = :c",
                       ExpressionAttributeValues={":c": S("b")})
    assert [i["pk"]["S"] for i in four_query(client)["Items"]] == ["k01", "k00"]
    # A hash attribute changes: the item moves to another partition.
    client.update_item(TableName="four", Key={"pk": S("k00")}, UpdateExpression="SET h4 = :h",
                       ExpressionAttributeValues={":h": S("y")})
    assert [i["pk"]["S"] for i in four_query(client)["Items"]] == ["k01"]
    moved = client.query(TableName="four", IndexName="g44", KeyConditionExpression=FOUR_HASH_COND,
                         ExpressionAttributeValues={**FOUR_HASH_VALUES, ":h4": S("y")})
    assert [i["pk"]["S"] for i in moved["Items"]] == ["k00"]
    # A key attribute removed: out of the index; set again: back in.
    client.update_item(TableName="four", Key={"pk": S("k01")}, UpdateExpression="REMOVE r2")
    assert four_query(client)["Items"] == []
    client.update_item(TableName="four", Key={"pk": S("k01")}, UpdateExpression="SET r2 = :b",
                       ExpressionAttributeValues={":b": B(b"\x00")})
    assert [i["pk"]["S"] for i in four_query(client)["Items"]] == ["k01"]
    client.delete_item(TableName="four", Key={"pk": S("k01")})
    assert four_query(client)["Items"] == []
    assert client.scan(TableName="four", IndexName="g44")["Count"] == 1


def test_wrong_type_for_a_key_attribute(client, four):
    item = four_item(0, "1", b"\x01", "a", "1", h2=S("7"))
    msg = expect_validation(client.put_item, TableName="four", Item=item)
    assert msg == INVALID + "Type mismatch for Index Key h2 Expected: N Actual: S IndexName: g44"
    item = four_item(0, "1", b"\x01", "a", "1", r2=S("x"))
    msg = expect_validation(client.put_item, TableName="four", Item=item)
    assert msg == INVALID + "Type mismatch for Index Key r2 Expected: B Actual: S IndexName: g44"
    assert "Item" not in client.get_item(TableName="four", Key={"pk": S("k00")})
    # Only a key attribute of a partly-keyed item is checked too: the item is not indexed, but
    # a wrongly typed key attribute is still rejected.
    item = four_item(1, "1", b"\x01", "a", "1", r4=None, r1=S("one"))
    msg = expect_validation(client.put_item, TableName="four", Item=item)
    assert msg == INVALID + "Type mismatch for Index Key r1 Expected: N Actual: S IndexName: g44"


# --------------------------------------------------------------------------------------------------
# Schema limits.


def create(client, key_schema, attrs, gsis=None, lsis=None):
    kwargs = {"TableName": "limits", "KeySchema": key_schema, "AttributeDefinitions": defs(attrs),
              "ProvisionedThroughput": PT}
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    if lsis:
        kwargs["LocalSecondaryIndexes"] = [{k: v for k, v in x.items()
                                            if k != "ProvisionedThroughput"} for x in lsis]
    return client.create_table(**kwargs)


def attrs_for(*names, table=("pk",)):
    return {n: "S" for n in (*table, *names)}


@pytest.mark.parametrize("hashes,ranges", [
    (("a", "b", "c", "d", "e"), ()),
    (("a", "b", "c", "d", "e"), ("f",)),
    (("a",), ("b", "c", "d", "e", "f")),
    (("a", "b", "c", "d"), ("e", "f", "g", "h", "i")),
])
def test_more_than_four_hash_or_range_rejected(client, hashes, ranges):
    expect_validation(create, client=client, key_schema=schema(["pk"]),
                      attrs=attrs_for(*hashes, *ranges), gsis=[gsi("big", hashes, ranges)])
    assert client.list_tables()["TableNames"] == []


@pytest.mark.parametrize("hashes,ranges", [
    (("a", "b", "c", "d"), ()),
    (("a",), ("b", "c", "d", "e")),
    (("a", "b"), ("c", "d", "e", "f")),
])
def test_up_to_four_accepted(client, hashes, ranges):
    create(client, schema(["pk"]), attrs_for(*hashes, *ranges), gsis=[gsi("okay", hashes, ranges)])
    [g] = client.describe_table(TableName="limits")["Table"]["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == schema(hashes, ranges)


def test_same_attribute_twice_rejected(client):
    expect_validation(create, client=client, key_schema=schema(["pk"]), attrs=attrs_for("a"),
                      gsis=[gsi("dup", ("a", "a"))])
    expect_validation(create, client=client, key_schema=schema(["pk"]), attrs=attrs_for("a", "b"),
                      gsis=[gsi("dup", ("a",), ("b", "a"))])
    assert client.list_tables()["TableNames"] == []


def test_index_key_attribute_undefined(client):
    msg = expect_validation(create, client=client, key_schema=schema(["pk"]),
                            attrs=attrs_for("a", "b"), gsis=[gsi("by_abc", ("a", "b", "c"))])
    assert msg.startswith(INVALID + "Some index key attributes are not defined in "
                          "AttributeDefinitions."), msg


@pytest.mark.parametrize("hashes,ranges", [(("pk", "a"), ()), (("pk",), ("a", "b")),
                                           (("pk", "a"), ("b",))])
def test_base_table_keeps_one_hash_one_range(client, hashes, ranges):
    expect_validation(create, client=client, key_schema=schema(hashes, ranges),
                      attrs=attrs_for(*hashes, *ranges, table=()))
    assert client.list_tables()["TableNames"] == []


@pytest.mark.parametrize("hashes,ranges", [(("pk", "a"), ("b",)), (("pk",), ("a", "b"))])
def test_lsi_keeps_one_hash_one_range(client, hashes, ranges):
    expect_validation(create, client=client, key_schema=schema(["pk"], ["sk"]),
                      attrs=attrs_for(*[n for n in (*hashes, *ranges) if n != "pk"],
                                      table=("pk", "sk")),
                      lsis=[gsi("lsi", hashes, ranges)])
    assert client.list_tables()["TableNames"] == []


# --------------------------------------------------------------------------------------------------
# Adding a multi-attribute index to a table with items.


def test_update_table_creates_multi_attribute_gsi(client):
    create_table(client, "later")
    items = []
    for i in range(300):
        it = {"pk": S(f"k{i:03}"), "a": S(f"a{i % 3}"), "b": N(i % 2), "c": N(i % 5),
              "d": S(f"{i}")}
        if i % 10 == 0:
            del it["b"]  # not indexed
        items.append(it)
    load(client, "later", items)
    resp = client.update_table(
        TableName="later", AttributeDefinitions=defs({"pk": "S", "a": "S", "b": "N", "c": "N",
                                                      "d": "S"}),
        GlobalSecondaryIndexUpdates=[{"Create": gsi("abcd", ("a", "b"), ("c", "d"))}])
    [g] = resp["TableDescription"]["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == schema(("a", "b"), ("c", "d"))
    deadline = time.monotonic() + WAIT_S
    while True:
        [g] = client.describe_table(TableName="later")["Table"]["GlobalSecondaryIndexes"]
        if g["IndexStatus"] == "ACTIVE":
            break
        assert g["IndexStatus"] == "CREATING"
        assert time.monotonic() < deadline, "index not ACTIVE in time"
        time.sleep(POLL_S)
    assert g["ItemCount"] == 270
    resp = client.query(TableName="later", IndexName="abcd",
                        KeyConditionExpression="a = :a AND b = :b AND c = :c",
                        ExpressionAttributeValues={":a": S("a1"), ":b": N(1), ":c": N(2)})
    want = sorted((it for it in items if it["a"] == S("a1") and it.get("b") == N(1)
                   and it["c"] == N(2)), key=lambda it: it["d"]["S"])
    assert [i["pk"]["S"] for i in resp["Items"]] == [i["pk"]["S"] for i in want]
    assert want
