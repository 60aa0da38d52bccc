"""Concurrency: several clients at once, and Cairn's background threads working while they write.

Written as the workload of the ThreadSanitizer run (tests/tsan/run, which points CAIRN_BIN at a
-fsanitize=thread server), and run by the ordinary suite too. Each test is bounded (a fixed number
of requests, every wait capped) and checks what DynamoDB guarantees under concurrency:
- requests from many client threads at once, spread over the server's event loops, are each
  answered, and every acknowledged PutItem is read back;
- conditional writes on one item are serialized: 8 threads each doing read-then-conditional-
  increment ("SET n = n + :one" with "n = :seen", retried on ConditionalCheckFailedException) end
  with n equal to the number of successful increments, none lost;
- Time to Live deletes expired items in the background while other writes go on, and leaves the
  unexpired ones;
- a global secondary index added by UpdateTable while writers keep writing ends up ACTIVE and
  holding exactly the base table's items that have the index key (the backfill and the writes
  racing on the same items);
- a stream read with GetRecords while writers write delivers every write exactly once.
The server of this module runs with 4 event loops (--threads 4) and a 0.05 s TTL sweep. After the
module, it must exit 0 on SIGTERM and its log must hold no ThreadSanitizer report (meaningful under
tests/tsan/run; a no-op check otherwise).
"""

import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import CairnServer, create_table, unique_access_key

THREADS = 8
DEADLINE_S = 60.0  # generous: the TSan server is 5-15x slower than the Release one
POLL_S = 0.05


@pytest.fixture(scope="module")
def conc_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("cairn-concurrency")
    s = CairnServer(base / "data", base / "cairn.log",
                    ["--threads", "4", "--ttl-interval", "0.05"])
    s.start()
    yield s
    code = None
    try:
        if s.proc is not None:
            code = s.stop()
    finally:
        s.kill()
    log = s.read_log()
    assert "ThreadSanitizer" not in log, log[-20000:]
    assert code == 0, f"cairn exited with {code} after SIGTERM (TSan exits 66 after a report)"


@pytest.fixture
def key():
    return unique_access_key()


def run_threads(target, count=THREADS):
    """Runs target(i) on `count` threads; re-raises the first exception any of them raised."""
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # noqa: B902: reported to the test's thread
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
        assert not t.is_alive(), "a client thread did not finish in time"
    if errors:
        raise errors[0]


def wait_for(what, predicate):
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)


def test_many_clients_on_the_event_loops(conc_server, key):
    client = conc_server.client(key)
    create_table(client, "loops")
    per_thread = 25

    def work(i):
        c = conc_server.client(key)  # one client (one connection pool) per thread
        for j in range(per_thread):
            c.put_item(TableName="loops", Item={"pk": {"S": f"{i}-{j}"}, "v": {"N": str(j)}})
            got = c.get_item(TableName="loops", Key={"pk": {"S": f"{i}-{j}"}})
            assert got["Item"]["v"] == {"N": str(j)}

    run_threads(work)
    count = client.scan(TableName="loops", Select="COUNT")["Count"]
    assert count == THREADS * per_thread


def test_conditional_increments_on_one_item(conc_server, key):
    client = conc_server.client(key)
    create_table(client, "counter")
    client.put_item(TableName="counter", Item={"pk": {"S": "c"}, "n": {"N": "0"}})
    per_thread = 6
    failures = [0] * THREADS

    def work(i):
        c = conc_server.client(key)
        done = 0
        while done < per_thread:
            seen = c.get_item(TableName="counter", Key={"pk": {"S": "c"}},
                              ConsistentRead=True)["Item"]["n"]["N"]
            try:
                c.update_item(TableName="counter", Key={"pk": {"S": "c"}},
                              UpdateExpression="SET n = n + :one", ConditionExpression="n = :seen",
                              ExpressionAttributeValues={":one": {"N": "1"}, ":seen": {"N": seen}})
                done += 1
            except ClientError as e:
                assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e
                failures[i] += 1

    run_threads(work)
    final = client.get_item(TableName="counter", Key={"pk": {"S": "c"}},
                            ConsistentRead=True)["Item"]["n"]["N"]
    assert int(final) == THREADS * per_thread, (final, failures)


def test_ttl_deletes_while_clients_write(conc_server, key):
    client = conc_server.client(key)
    create_table(client, "ttl")
    client.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True,
                                                                          "AttributeName": "exp"})
    past, future = int(time.time()) - 60, int(time.time()) + 3600
    per_thread = 10

    def work(i):
        c = conc_server.client(key)
        for j in range(per_thread):
            c.put_item(TableName="ttl", Item={"pk": {"S": f"old-{i}-{j}"}, "exp": {"N": str(past)}})
            c.put_item(TableName="ttl", Item={"pk": {"S": f"new-{i}-{j}"},
                                              "exp": {"N": str(future)}})

    run_threads(work, 4)

    def only_new_left():
        items = client.scan(TableName="ttl", ConsistentRead=True)["Items"]
        return all(it["pk"]["S"].startswith("new-") for it in items) and len(items) == 4 * per_thread

    wait_for("the expired items to be deleted", only_new_left)


def test_gsi_backfill_while_clients_write(conc_server, key):
    client = conc_server.client(key)
    create_table(client, "backfill")
    for j in range(100):
        client.put_item(TableName="backfill", Item={"pk": {"S": f"pre-{j}"}, "g": {"S": f"g{j % 7}"}})
    stop = threading.Event()

    def writer(i):
        c = conc_server.client(key)
        j = 0
        while not stop.is_set() and j < 200:
            item = {"pk": {"S": f"w{i}-{j % 40}"}}
            if j % 3:
                item["g"] = {"S": f"g{j % 5}"}  # some items leave the index, others join it
            c.put_item(TableName="backfill", Item=item)
            if j % 11 == 0:
                c.delete_item(TableName="backfill", Key={"pk": {"S": f"pre-{(i * 13 + j) % 100}"}})
            j += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    try:
        client.update_table(
            TableName="backfill",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}])

        def active():
            gsis = client.describe_table(TableName="backfill")["Table"]["GlobalSecondaryIndexes"]
            return gsis[0]["IndexStatus"] == "ACTIVE"

        wait_for("the GSI backfill", active)
    finally:
        stop.set()
        for t in threads:
            t.join(DEADLINE_S)
    base = {it["pk"]["S"]: it.get("g") for it in scan_all(client, TableName="backfill")}
    indexed = {it["pk"]["S"]: it["g"] for it in scan_all(client, TableName="backfill",
                                                          IndexName="by_g")}
    assert indexed == {pk: g for pk, g in base.items() if g is not None}


def scan_all(client, **kwargs):
    items, start = [], None
    while True:
        page = client.scan(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_stream_read_while_clients_write(conc_server, key):
    client = conc_server.client(key)
    arn = create_table(client, "events", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["LatestStreamArn"]
    streams = conc_server.session(key).client("dynamodbstreams", endpoint_url=conc_server.endpoint)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    per_thread = 30
    writers_done = threading.Event()
    seen = []

    def reader():
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        deadline = time.monotonic() + DEADLINE_S
        while it is not None and time.monotonic() < deadline:
            resp = streams.get_records(ShardIterator=it, Limit=25)
            seen.extend(r["dynamodb"]["Keys"]["pk"]["S"] for r in resp["Records"])
            it = resp.get("NextShardIterator")
            if not resp["Records"]:
                if writers_done.is_set() and len(seen) >= 4 * per_thread:
                    return
                time.sleep(POLL_S)

    read = threading.Thread(target=reader)
    read.start()

    def work(i):
        c = conc_server.client(key)
        for j in range(per_thread):
            c.put_item(TableName="events", Item={"pk": {"S": f"{i}-{j}"}})

    try:
        run_threads(work, 4)
    finally:
        writers_done.set()
        read.join(DEADLINE_S)
    assert sorted(seen) == sorted(f"{i}-{j}" for i in range(4) for j in range(per_thread))
