"""PartiQL: a SELECT that names its partition keys reads those keys, never the whole table.

DynamoDB behaviour checked (developer guide "PartiQL select statements for DynamoDB": "To ensure
that a SELECT statement does not result in a full table scan, the WHERE clause condition must
specify a partition key. Use the equality or IN operator", with the examples `OrderID = 100`,
`OrderID = 100 or OrderID = 200` and `OrderID IN [100, 300, 234]`; API reference of
ExecuteStatement for Limit and NextToken):
- `pk IN [...]`, `pk = a OR pk = b` (alone or with other conditions, on the table or on an index)
  read each named partition key, as a Query does: the capacity consumed is that of the items
  read, not of the table; a missing key adds nothing but its read. With the sort key named too
  (`sk IN [...]`, `sk = x OR sk = y`), each whole key is read, not its partition.
- Limit bounds the items evaluated across the keys; a page that stops early carries NextToken,
  which continues where it stopped, so paging returns every item exactly once.
- BatchExecuteStatement and ExecuteTransaction read single items (each read statement "must specify
  an equality condition on all key attributes", BatchExecuteStatement's API reference); `pk IN
  ['x']` names one item and is accepted there.

NOT VERIFIED against DynamoDB (not knowable offline; Cairn's most faithful choice):
- the order of the items: the keys' order as written (partition keys, then sort keys within
  each), duplicates dropped; with ORDER BY, several sort keys are a condition of each partition's
  Query, which orders them;
- a multi-key read inside ExecuteTransaction or BatchExecuteStatement: refused with the
  single-item message, since their answers hold one item per statement;
- the NextToken's content (opaque base64 in both);
- a page spanning several keys may exceed 1 MB by up to one key's Query page (each Query stops
  at 1 MB; the next key is not started once the page holds 1 MB).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, load, validation

SINGLE_ITEM = "Each read statement must specify an equality condition on all key attributes"


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def wide(client):
    """60 items of about 3 KB each: a Scan of it costs ~23 read units, a key read 0.5."""
    create_table(client, "wide")
    load(client, "wide", [{"pk": S(f"k{i}"), "n": N(i), "pad": S("x" * 3000)} for i in range(60)])
    return "wide"


@pytest.fixture
def parts(client):
    """Partitions a and b of ten items each (sk 0..9), c of one, and a GSI on g."""
    client.create_table(
        TableName="parts",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName="parts")
    load(client, "parts", [{"pk": S(p), "sk": N(i), "g": N(i % 3), "v": N(i)}
                           for p in ("a", "b") for i in range(10)]
         + [{"pk": S("c"), "sk": N(0), "v": N(100)}])
    return "parts"


def run(client, statement, *params, **kwargs):
    if params:
        kwargs["Parameters"] = list(params)
    return client.execute_statement(Statement=statement, **kwargs)


def keys(items):
    return [(it["pk"]["S"], int(it["sk"]["N"])) for it in items]


def units(r):
    return r["ConsumedCapacity"]["CapacityUnits"]


def test_in_reads_only_the_named_keys(client, wide):
    full = run(client, "SELECT * FROM wide WHERE n >= 0", ReturnConsumedCapacity="TOTAL")
    assert len(full["Items"]) == 60 and units(full) > 20  # the filtered Scan reads everything
    for statement in ("SELECT * FROM wide WHERE pk IN ['k1', 'k7', 'nope', 'k1']",
                      "SELECT * FROM wide WHERE pk = 'k1' OR pk = 'k7' OR pk = 'nope'",
                      "SELECT * FROM wide WHERE pk IN ('k1', 'k7', 'nope') AND n >= 0"):
        r = run(client, statement, ReturnConsumedCapacity="TOTAL")
        assert [it["pk"]["S"] for it in r["Items"]] == ["k1", "k7"], statement
        assert r["ConsumedCapacity"]["TableName"] == "wide"
        assert units(r) <= 1.5, (statement, r["ConsumedCapacity"])  # three key reads
        assert "NextToken" not in r


def test_in_with_parameters_and_a_filter(client, wide):
    r = run(client, "SELECT pk, n FROM wide WHERE pk IN [?, ?] AND n > ?",
            S("k3"), S("k40"), N(10), ReturnConsumedCapacity="TOTAL")
    assert r["Items"] == [{"pk": S("k40"), "n": N(40)}]
    assert units(r) <= 1


def test_in_on_the_partition_key_of_a_composite_key(client, parts):
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['b', 'c', 'a']")
    assert keys(r["Items"]) == ([("b", i) for i in range(10)] + [("c", 0)]
                                + [("a", i) for i in range(10)])
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['a', 'b'] AND sk = 3")
    assert keys(r["Items"]) == [("a", 3), ("b", 3)]
    r = run(client, "SELECT pk, sk FROM parts WHERE (pk = 'a' OR pk = 'c') AND sk < 2 "
                    "ORDER BY sk DESC")
    assert keys(r["Items"]) == [("a", 1), ("a", 0), ("c", 0)]
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['a', 'b'] AND sk BETWEEN 4 AND 5 "
                    "ORDER BY sk ASC")
    assert keys(r["Items"]) == [("a", 4), ("a", 5), ("b", 4), ("b", 5)]


def test_in_on_an_index(client, parts):
    r = run(client, 'SELECT pk, sk FROM "parts"."by_g" WHERE g IN [2, 0] AND pk = \'a\'')
    assert keys(r["Items"]) == [("a", 2), ("a", 5), ("a", 8), ("a", 0), ("a", 3), ("a", 6),
                                ("a", 9)]


@pytest.mark.parametrize("limit", [1, 3, 10, 11])
def test_limit_and_next_token_across_keys(client, parts, limit):
    statement = "SELECT pk, sk FROM parts WHERE pk IN ['a', 'c', 'b']"
    seen, token, pages = [], None, 0
    while pages < 100:
        kwargs = {"NextToken": token} if token else {}
        r = run(client, statement, Limit=limit, **kwargs)
        assert len(r["Items"]) <= limit
        seen += keys(r["Items"])
        pages += 1
        token = r.get("NextToken")
        if token is None:
            break
    assert seen == [("a", i) for i in range(10)] + [("c", 0)] + [("b", i) for i in range(10)]
    assert pages >= 21 // limit


def test_limit_counts_items_evaluated_not_returned(client, parts):
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['a', 'b'] AND v = 100", Limit=5)
    assert r["Items"] == [] and "NextToken" in r
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['a', 'c'] AND v = 100", Limit=11)
    assert keys(r["Items"]) == [("c", 0)]


def test_pages_across_big_partitions(client):
    create_table(client, "bigparts", range_key=("sk", "N"))
    load(client, "bigparts", [{"pk": S(p), "sk": N(i), "pad": S("x" * 100_000)}
                              for p in ("a", "b", "c") for i in range(8)])
    statement = "SELECT pk, sk FROM bigparts WHERE pk IN ['a', 'b', 'c'] AND size(pad) > 0"
    seen, token, pages = [], None, 0
    while pages < 50:
        r = run(client, statement, **({"NextToken": token} if token else {}))
        seen += keys(r["Items"])
        pages += 1
        token = r.get("NextToken")
        if token is None:
            break
    assert pages >= 2  # 2.4 MB read: the page stops once it holds 1 MB
    assert seen == [(p, i) for p in ("a", "b", "c") for i in range(8)]


def test_consistent_read_and_a_bad_next_token(client, parts):
    client.put_item(TableName="parts", Item={"pk": S("c"), "sk": N(1)})
    r = run(client, "SELECT pk, sk FROM parts WHERE pk IN ['c', 'zz']", ConsistentRead=True)
    assert keys(r["Items"]) == [("c", 0), ("c", 1)]
    scan_token = run(client, "SELECT * FROM parts", Limit=1)["NextToken"]
    validation(client.execute_statement, "Invalid NextToken",
               Statement="SELECT * FROM parts WHERE pk IN ['a', 'b']", NextToken=scan_token)


def test_single_key_in_is_a_point_read_in_transactions_and_batches(client, wide):
    r = client.execute_transaction(TransactStatements=[
        {"Statement": "SELECT n FROM wide WHERE pk IN ['k5']"},
        {"Statement": "SELECT n FROM wide WHERE pk = 'k6' OR pk = 'k6'"}])
    assert r["Responses"] == [{"Item": {"n": N(5)}}, {"Item": {"n": N(6)}}]
    r = client.batch_execute_statement(Statements=[
        {"Statement": "SELECT n FROM wide WHERE pk IN ['k5']"},
        {"Statement": "SELECT n FROM wide WHERE pk IN ['k5', 'k6']"}])["Responses"]
    assert r[0] == {"TableName": "wide", "Item": {"n": N(5)}}
    assert r[1]["Error"] == {"Code": "ValidationError", "Message": SINGLE_ITEM}
    validation(client.execute_transaction, SINGLE_ITEM, TransactStatements=[
        {"Statement": "SELECT n FROM wide WHERE pk IN ['k5', 'k6']"}])


def test_a_key_among_other_conditions_of_an_or_scans(client, parts):
    # Not a key read: `pk = 'a' OR v = 100` can match items of any partition.
    r = run(client, "SELECT pk, sk FROM parts WHERE pk = 'c' OR v = 9")
    assert sorted(keys(r["Items"])) == [("a", 9), ("b", 9), ("c", 0)]


def test_consumed_capacity_is_the_sum_of_the_key_reads(client, parts):
    def capacity(where, level):
        return run(client, f'SELECT * FROM "parts"."by_g" WHERE {where}',
                   ReturnConsumedCapacity=level)["ConsumedCapacity"]
    for level in ("TOTAL", "INDEXES"):
        one, two = capacity("g = 0", level), capacity("g = 1", level)
        both = capacity("g IN [0, 1]", level)
        assert both["TableName"] == "parts"
        assert both["CapacityUnits"] == one["CapacityUnits"] + two["CapacityUnits"]
        if level == "INDEXES":
            assert both["GlobalSecondaryIndexes"]["by_g"]["CapacityUnits"] == (
                one["GlobalSecondaryIndexes"]["by_g"]["CapacityUnits"]
                + two["GlobalSecondaryIndexes"]["by_g"]["CapacityUnits"])
    assert "ConsumedCapacity" not in run(client, "SELECT * FROM parts WHERE pk IN ['a', 'b']")
    assert "ConsumedCapacity" not in run(client, "SELECT * FROM parts WHERE pk IN ['a', 'b']",
                                         ReturnConsumedCapacity="NONE")


def test_in_on_the_whole_key_reads_those_keys_only(client):
    create_table(client, "rows", range_key=("sk", "N"))
    load(client, "rows", [{"pk": S(p), "sk": N(i), "pad": S("x" * 3000)}
                          for p in ("a", "b") for i in range(30)])
    partition = run(client, "SELECT pk, sk FROM rows WHERE pk = 'a' AND size(pad) > 0",
                    ReturnConsumedCapacity="TOTAL")
    assert len(partition["Items"]) == 30 and units(partition) > 10
    for statement in ("SELECT pk, sk FROM rows WHERE pk IN ['a', 'b'] AND sk IN [7, 3, 99]",
                      "SELECT pk, sk FROM rows WHERE (pk = 'a' OR pk = 'b') "
                      "AND (sk = 7 OR sk = 3 OR sk = 99)"):
        r = run(client, statement, ReturnConsumedCapacity="TOTAL")
        assert keys(r["Items"]) == [("a", 7), ("a", 3), ("b", 7), ("b", 3)], statement
        assert units(r) <= 3, (statement, r["ConsumedCapacity"])  # six key reads
    r = run(client, "SELECT pk, sk FROM rows WHERE pk = 'b' AND sk IN [29, 0]", Limit=1)
    assert keys(r["Items"]) == [("b", 29)] and "NextToken" in r
    r = run(client, "SELECT pk, sk FROM rows WHERE pk = 'b' AND sk IN [29, 0]", Limit=1,
            NextToken=r["NextToken"])
    assert keys(r["Items"]) == [("b", 0)]
    r = client.execute_transaction(TransactStatements=[
        {"Statement": "SELECT sk FROM rows WHERE pk = 'a' AND sk IN [4]"}])
    assert r["Responses"] == [{"Item": {"sk": N(4)}}]
    validation(client.execute_transaction, SINGLE_ITEM, TransactStatements=[
        {"Statement": "SELECT sk FROM rows WHERE pk = 'a' AND sk IN [4, 5]"}])
