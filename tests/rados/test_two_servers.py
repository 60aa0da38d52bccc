"""Two cairn servers on one RADOS pool (docs/rados.md "Several servers"), run by tests/rados/suite
inside a test cluster (CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set; CAIRN_BIN the cairn to test):
  - a table created through server A is usable through server B as soon as A answered (catalog
    watch/notify), and its deletion or update through B is seen through A at once;
  - conditional increments from both servers on one item lose no update (the item's write is
    guarded on the value read), on a table without indexes (one object per write) and on one with
    a GSI (several objects: the guarded item op first);
  - a conditional create raced from both servers is won by exactly one of them per item.
A guard that fails answers 500 (retryable); the workers here retry those, as SDKs do, and count them.
Server A runs requests on a pool of 8 workers (--rados-workers 8), B on its event loops
(--rados-workers 0): both ways of running a request meet on the same items.
"""
import os
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cairn_servers import StartError, start_cairn, stop_cairn

BIN = os.environ.get("CAIRN_BIN", "")


def start(tmp_path, name, *flags):
    log = open(tmp_path / f"{name}.log", "wb")
    try:
        return start_cairn([BIN, "--engine", "rados", "--data-dir", str(tmp_path / name), *flags],
                           log)
    except StartError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two")
    a = start(tmp, "a", "--rados-workers", "8")  # requests on a pool of 8 workers
    b = start(tmp, "b", "--rados-workers", "0")  # requests on the event loops
    yield a[1], b[1]
    for proc, _ in (a, b):
        stop_cairn(proc)


RUN = uuid.uuid4().hex[:12].upper()  # a namespace of this run's own: the pool outlives runs


def client(port, key="TWO" + RUN):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      read_timeout=30))


def create(c, name, gsi=False):
    kwargs = {}
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi:
        attrs.append({"AttributeName": "g", "AttributeType": "S"})
        kwargs["GlobalSecondaryIndexes"] = [{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=attrs, **kwargs)


def test_table_created_on_one_server_is_usable_at_once_on_the_other(servers):
    a, b = client(servers[0]), client(servers[1])
    for round_ in range(5):
        name = f"seen{round_}"
        create(a, name)
        # No wait, no retry: B answers as if it had created it.
        assert b.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
        assert name in b.list_tables()["TableNames"]
        b.put_item(TableName=name, Item={"pk": {"S": "x"}, "v": {"N": str(round_)}})
        assert a.get_item(TableName=name, Key={"pk": {"S": "x"}},
                          ConsistentRead=True)["Item"]["v"] == {"N": str(round_)}
        # An update through A is seen through B at once.
        a.update_table(TableName=name, AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        names = [i["IndexName"] for i in
                 b.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])]
        assert names == ["byg"]
        # The backfill (on A) publishes the index ACTIVE when done: seen through B too. (A catalog
        # write racing with it would fail its version guard with a retryable 500.)
        deadline = time.monotonic() + 20
        while b.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0][
                "IndexStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # Deleted through B: gone through A at once.
        b.delete_table(TableName=name)
        with pytest.raises(ClientError) as e:
            a.describe_table(TableName=name)
        assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
        with pytest.raises(ClientError) as e:
            a.put_item(TableName=name, Item={"pk": {"S": "y"}})
        assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def retrying(call):
    """Calls until it answers other than 500 (a failed guard); returns (result or error, 500s)."""
    retries = 0
    while True:
        try:
            return call(), retries
        except ClientError as e:
            if e.response["ResponseMetadata"]["HTTPStatusCode"] != 500 or retries >= 100:
                return e, retries
            retries += 1
            time.sleep(0.001 * retries)


@pytest.mark.parametrize("gsi", [False, True])
def test_conditional_increments_from_two_servers_lose_no_update(servers, gsi):
    name = f"incr{int(gsi)}"
    a = client(servers[0])
    create(a, name, gsi=gsi)
    item = {"pk": {"S": "n"}, "n": {"N": "0"}}
    if gsi:
        item["g"] = {"S": "one"}
    a.put_item(TableName=name, Item=item)
    per_server = 200 if not gsi else 100
    results = {}

    def worker(port):
        c = client(port)
        done = retried = 0
        errors = []
        for _ in range(per_server):
            r, n = retrying(lambda: c.update_item(
                TableName=name, Key={"pk": {"S": "n"}}, UpdateExpression="SET n = n + :one",
                ConditionExpression="attribute_exists(pk) AND n >= :zero",
                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}}))
            retried += n
            if isinstance(r, Exception):
                errors.append(r)
            else:
                done += 1
        results[port] = (done, retried, errors)

    threads = [threading.Thread(target=worker, args=(p,)) for p in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for port, (done, retried, errors) in results.items():
        assert errors == [] and done == per_server, (port, errors[:3])
    final = a.get_item(TableName=name, Key={"pk": {"S": "n"}}, ConsistentRead=True)["Item"]
    assert final["n"] == {"N": str(2 * per_server)}
    if gsi:
        q = client(servers[1]).query(TableName=name, IndexName="byg",
                                     KeyConditionExpression="g = :g",
                                     ExpressionAttributeValues={":g": {"S": "one"}})["Items"]
        assert [x["n"] for x in q] == [{"N": str(2 * per_server)}]
    print(f"{name}: {2 * per_server} increments, retried after a failed guard: "
          f"{sum(r[1] for r in results.values())}")


def test_conditional_create_raced_from_two_servers_has_one_winner(servers):
    name = "race"
    create(client(servers[0]), name)
    keys = 100
    wins = {}

    def worker(port):
        c = client(port)
        mine = []
        for k in range(keys):
            r, _ = retrying(lambda: c.put_item(
                TableName=name, Item={"pk": {"S": f"k{k}"}, "by": {"N": str(port)}},
                ConditionExpression="attribute_not_exists(pk)"))
            if not isinstance(r, Exception):
                mine.append(k)
            else:
                assert r.response["Error"]["Code"] == "ConditionalCheckFailedException", r
        wins[port] = mine

    threads = [threading.Thread(target=worker, args=(p,)) for p in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a_wins, b_wins = set(wins[servers[0]]), set(wins[servers[1]])
    assert a_wins.isdisjoint(b_wins) and a_wins | b_wins == set(range(keys))
    c = client(servers[1])
    for k in range(keys):
        by = c.get_item(TableName=name, Key={"pk": {"S": f"k{k}"}}, ConsistentRead=True)["Item"]["by"]
        assert by == {"N": str(servers[0] if k in a_wins else servers[1])}
