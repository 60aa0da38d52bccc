"""DynamoDB Streams on the RADOS engine with two servers (docs/rados.md section 4,
storage/rados/stream_shard.h), run by tests/rados/suite inside a test cluster (CAIRN_RADOS_CONF,
CAIRN_RADOS_POOL set; CAIRN_BIN the cairn to test):
  - a stream has one shard per storage shard (4 per table today), ShardIds in DynamoDB's shape
    (shardId-<20 digits>-<8 hex>), no ParentShardId (no split), the same list through either
    server, paged by Limit / ExclusiveStartShardId;
  - 4 writers (2 per server, each alternating servers) update, delete and transact (2 items per
    TransactWriteItems) the same 8 items at once, while a reader follows every shard with
    GetRecords through both servers: every acknowledged change comes out exactly once (nothing
    else does), each item's records lie in one shard in the item's version order (each OldImage
    the NewImage before it), sequence numbers increase along each shard (30 digits), record times
    never decrease along a shard;
  - TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER per shard through either
    server.
A write whose guard failed answers 500 and wrote nothing (no record): the workers retry those.
(BatchWriteItem over several shards is left out of the concurrent run: its objects after the
first are not guarded yet, docs/rados.md "Status"; test_streams.py covers its records on two
servers.)
"""
import os
import random
import re
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cairn_servers import StartError, retrying, start_cairn, stop_cairn

BIN = os.environ.get("CAIRN_BIN", "")
RUN = uuid.uuid4().hex[:12].upper()  # a namespace of this run's own: the pool outlives runs
SHARD_ID = re.compile(r"^shardId-\d{20}-[0-9a-f]{8}$")


def retrying_capped(call):
    """retrying() with more retries and pauses capped at 20 ms (four writers on one item)."""
    return retrying(call, limit=200, pause=lambda retries: 0.001 * min(retries, 20))


def start(tmp_path, name, *flags):
    log = open(tmp_path / f"{name}.log", "wb")
    try:
        return start_cairn([BIN, "--engine", "rados", "--data-dir", str(tmp_path / name), *flags],
                           log, env=dict(os.environ))
    except StartError as e:
        pytest.fail(str(e))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("streams")
    a = start(tmp, "a", "--rados-workers", "8")
    b = start(tmp, "b", "--rados-workers", "0")
    yield a[1], b[1]
    for proc, _ in (a, b):
        stop_cairn(proc)


def session(port, service):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="STR" + RUN, aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      read_timeout=30))



def stream_table(c, name):
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   StreamSpecification={"StreamEnabled": True,
                                        "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return c.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def test_one_stream_shard_per_storage_shard_through_either_server(servers):
    a, b = (session(p, "dynamodb") for p in servers)
    sa, sb = (session(p, "dynamodbstreams") for p in servers)
    arn = stream_table(a, "shards")
    da = sa.describe_stream(StreamArn=arn)["StreamDescription"]
    db = sb.describe_stream(StreamArn=arn)["StreamDescription"]
    assert da["Shards"] == db["Shards"]
    ids = [s["ShardId"] for s in da["Shards"]]
    assert len(ids) == 4 and ids == sorted(ids) and len(set(ids)) == 4
    for s in da["Shards"]:
        assert SHARD_ID.match(s["ShardId"]), s
        assert "ParentShardId" not in s  # no split yet
        start_ = s["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start_.isdigit() and 21 <= len(start_) <= 40
        assert "EndingSequenceNumber" not in s["SequenceNumberRange"]
    # Paging one shard at a time, alternating servers.
    seen, kwargs = [], {}
    for i in range(10):
        page = (sa, sb)[i % 2].describe_stream(StreamArn=arn, Limit=1, **kwargs)[
            "StreamDescription"]
        seen += [s["ShardId"] for s in page["Shards"]]
        if "LastEvaluatedShardId" not in page:
            break
        kwargs = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]}
    assert seen == ids
    assert sb.describe_stream(StreamArn=arn, ExclusiveStartShardId=ids[1])[
        "StreamDescription"]["Shards"] == da["Shards"][2:]
    # An unknown shard of the stream.
    with pytest.raises(ClientError) as e:
        sa.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-ffffffff",
                              ShardIteratorType="LATEST")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_iterator_types_per_shard_through_either_server(servers):
    a, b = (session(p, "dynamodb") for p in servers)
    sa, sb = (session(p, "dynamodbstreams") for p in servers)
    arn = stream_table(b, "kinds")
    shards = [s["ShardId"] for s in sa.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]
    latest = {s: sb.get_shard_iterator(StreamArn=arn, ShardId=s, ShardIteratorType="LATEST")[
        "ShardIterator"] for s in shards}
    for i in range(40):
        (a, b)[i % 2].put_item(TableName="kinds", Item={"pk": {"S": f"k{i}"}})
    by_shard = {}
    for n, s in enumerate(shards):
        it = (sa, sb)[n % 2].get_shard_iterator(StreamArn=arn, ShardId=s,
                                                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        by_shard[s] = (sb, sa)[n % 2].get_records(ShardIterator=it)["Records"]
        # LATEST taken before the writes: the same records.
        assert sa.get_records(ShardIterator=latest[s])["Records"] == by_shard[s]
    assert sorted(r["dynamodb"]["Keys"]["pk"]["S"] for rs in by_shard.values() for r in rs) == \
        sorted(f"k{i}" for i in range(40))
    assert sum(1 for rs in by_shard.values() if rs) >= 2  # 40 keys spread over the shards
    for s, records in by_shard.items():
        if len(records) < 2:
            continue
        numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        assert all(len(n) == 30 and n.isdigit() for n in numbers)
        assert [int(n) for n in numbers] == sorted(int(n) for n in numbers)
        second = numbers[1]
        for kind, want in (("AT_SEQUENCE_NUMBER", numbers[1:]), ("AFTER_SEQUENCE_NUMBER", numbers[2:])):
            it = sb.get_shard_iterator(StreamArn=arn, ShardId=s, ShardIteratorType=kind,
                                       SequenceNumber=second)["ShardIterator"]
            got = [r["dynamodb"]["SequenceNumber"] for r in sa.get_records(ShardIterator=it)["Records"]]
            assert got == want, kind
        # LATEST now: nothing, then only what comes after.
        now = sa.get_shard_iterator(StreamArn=arn, ShardId=s, ShardIteratorType="LATEST")[
            "ShardIterator"]
        assert sb.get_records(ShardIterator=now)["Records"] == []
    # Sequence numbers are unique across the stream's shards.
    every = [r["dynamodb"]["SequenceNumber"] for rs in by_shard.values() for r in rs]
    assert len(set(every)) == len(every) == 40


def test_concurrent_writers_on_two_servers_each_change_once_in_item_order(servers):
    a, b = (session(p, "dynamodb") for p in servers)
    sa, sb = (session(p, "dynamodbstreams") for p in servers)
    table = "race"
    arn = stream_table(a, table)
    shards = [s["ShardId"] for s in sb.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]
    assert len(shards) == 4
    items = [f"item{i}" for i in range(8)]
    acked = {}  # tag -> ("put" | "delete", item); a delete's tag is the one its ALL_OLD returned
    lock = threading.Lock()
    errors, retried = [], [0]
    done = threading.Event()
    workers, per_worker = 4, 100

    def work(w):
        clients = (a, b) if w % 2 == 0 else (b, a)
        rng = random.Random(w)
        try:
            for op in range(per_worker):
                c = clients[op % 2]
                roll = rng.random()
                tag = f"w{w}-{op}"
                if roll < 0.65:
                    item = rng.choice(items)
                    res, r = retrying_capped(lambda: c.update_item(
                        TableName=table, Key={"pk": {"S": item}},
                        UpdateExpression="ADD n :one SET tag = :t",
                        ExpressionAttributeValues={":one": {"N": "1"}, ":t": {"S": tag}}))
                    done_ = [(tag, ("put", item))]
                elif roll < 0.8:
                    item = rng.choice(items)
                    res, r = retrying_capped(lambda: c.delete_item(
                        TableName=table, Key={"pk": {"S": item}}, ReturnValues="ALL_OLD"))
                    old = res.get("Attributes") if isinstance(res, dict) else None
                    done_ = [(old["tag"]["S"] + "/deleted", ("delete", item))] if old else []
                else:
                    one, two = rng.sample(items, 2)
                    res, r = retrying_capped(lambda: c.transact_write_items(TransactItems=[
                        {"Update": {"TableName": table, "Key": {"pk": {"S": x}},
                                    "UpdateExpression": "ADD n :one SET tag = :t",
                                    "ExpressionAttributeValues": {":one": {"N": "1"},
                                                                  ":t": {"S": f"{tag}-{x}"}}}}
                        for x in (one, two)]))
                    done_ = [(f"{tag}-{x}", ("put", x)) for x in (one, two)]
                with lock:
                    retried[0] += r
                if isinstance(res, ClientError):
                    code = res.response["Error"]["Code"]
                    if code in ("TransactionCanceledException", "TransactionConflictException"):
                        continue  # not applied: no record expected
                    raise res
                with lock:
                    for k, v in done_:
                        assert k not in acked
                        acked[k] = v
        except Exception as e:  # reported on the test's thread
            errors.append(e)

    # The reader: every shard, alternating servers, while the writers run and until a round after
    # they stopped comes back empty.
    records = {s: [] for s in shards}

    def read():
        try:
            its = {s: sa.get_shard_iterator(StreamArn=arn, ShardId=s,
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                   for s in shards}
            n = 0
            while True:
                finished = done.is_set()
                got = 0
                for s in shards:
                    resp = (sa, sb)[n % 2].get_records(ShardIterator=its[s], Limit=50)
                    n += 1
                    records[s] += resp["Records"]
                    got += len(resp["Records"])
                    its[s] = resp["NextShardIterator"]
                if finished and got == 0:
                    return
                if got == 0:
                    time.sleep(0.02)
        except Exception as e:
            errors.append(e)

    reader = threading.Thread(target=read)
    reader.start()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    done.set()
    reader.join(timeout=60)
    assert not reader.is_alive() and not any(t.is_alive() for t in threads)
    assert errors == [], errors

    seen = {}
    shard_of_item = {}
    total = 0
    for s, recs in records.items():
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
        assert all(x < y for x, y in zip(numbers, numbers[1:])), f"shard {s} out of order"
        assert all(21 <= len(r["dynamodb"]["SequenceNumber"]) <= 40 for r in recs)
        times = [r["dynamodb"]["ApproximateCreationDateTime"] for r in recs]
        assert times == sorted(times)
        last_image = {}
        for r in recs:
            total += 1
            item = r["dynamodb"]["Keys"]["pk"]["S"]
            assert shard_of_item.setdefault(item, s) == s, f"{item} in two shards"
            old = r["dynamodb"].get("OldImage")
            # The item's version order: each record starts where the one before it ended.
            assert old == last_image.get(item), (item, r)
            new = r["dynamodb"].get("NewImage")
            last_image[item] = new
            if r["eventName"] == "REMOVE":
                tag = old["tag"]["S"] + "/deleted"
            else:
                tag = new["tag"]["S"]
                assert int(new["n"]["N"]) == (int(old["n"]["N"]) if old else 0) + 1
            seen[tag] = seen.get(tag, 0) + 1
    # Exactly the acknowledged changes, each once.
    assert {t: c for t, c in seen.items() if c != 1} == {}
    assert set(seen) == set(acked), (set(seen) - set(acked), set(acked) - set(seen))
    assert len(shard_of_item) >= 2
    print(f"\nstreams: {len(acked)} acknowledged changes, {total} records read over "
          f"{sum(1 for r in records.values() if r)} shards, {retried[0]} writes retried after a "
          f"failed guard")


def read_shard_to_end(s, arn, shard_id):
    """Every record of a shard from TRIM_HORIZON, and whether the shard ended (a closed shard's
    last GetRecords has no NextShardIterator; an open one is read until a page comes back empty)."""
    it = s.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    for _ in range(200):
        resp = s.get_records(ShardIterator=it, Limit=100)
        out += resp["Records"]
        if "NextShardIterator" not in resp:
            return out, True
        if not resp["Records"]:
            return out, False
        it = resp["NextShardIterator"]
    raise AssertionError(f"shard {shard_id} never ended")


def test_a_split_closes_the_parent_stream_shard_and_its_children_name_it(tmp_path):
    # Two servers splitting at 64 keys per shard: the stream's shard of a split storage shard
    # closes (EndingSequenceNumber) and two children name it as ParentShardId, listed after it;
    # a reader going parents first gets every acknowledged change once, each item in its order.
    servers = [start(tmp_path, "a", "--rados-shard-keys", "64"),
               start(tmp_path, "b", "--rados-shard-keys", "64")]
    try:
        a, b = (session(p, "dynamodb") for _, p in servers)
        sa, sb = (session(p, "dynamodbstreams") for _, p in servers)
        arn = stream_table(a, "splits")
        acked = []  # (pk, v) of every acknowledged change
        for i in range(400):
            res, _ = retrying_capped(lambda: (a, b)[i % 2].put_item(
                TableName="splits", Item={"pk": {"S": f"k{i}"}, "v": {"N": "0"}}))
            assert not isinstance(res, Exception), res
            acked.append((f"k{i}", 0))
        deadline = time.monotonic() + 60
        while True:
            shards = sa.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
            if any("ParentShardId" in s for s in shards):
                break
            assert time.monotonic() < deadline, f"no split seen: {len(shards)} shards"
            time.sleep(0.5)
        # After the split: the same items again, so their records follow them into the children.
        for i in range(0, 400, 2):
            res, _ = retrying_capped(lambda: (b, a)[i % 4 // 2].update_item(
                TableName="splits", Key={"pk": {"S": f"k{i}"}}, UpdateExpression="SET v = :one",
                ExpressionAttributeValues={":one": {"N": "1"}}))
            assert not isinstance(res, Exception), res
            acked.append((f"k{i}", 1))
        # Splits run in the background (a child may be past the bound itself), and a server
        # learns another's split within its 5 s map refresh: wait until both list the same
        # shards, unchanged for 3 s, so that what is listed open stays open while read.
        deadline = time.monotonic() + 60
        before = None
        while True:
            now_ = sa.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
            if now_ == before and now_ == sb.describe_stream(StreamArn=arn)[
                    "StreamDescription"]["Shards"]:
                break
            assert time.monotonic() < deadline, "the shards never stopped splitting"
            before = now_
            time.sleep(3)
        listed = []
        kwargs = {}
        for n in range(100):  # paged, alternating servers
            page = (sa, sb)[n % 2].describe_stream(StreamArn=arn, Limit=3, **kwargs)[
                "StreamDescription"]
            listed += page["Shards"]
            if "LastEvaluatedShardId" not in page:
                break
            kwargs = {"ExclusiveStartShardId": page["LastEvaluatedShardId"]}
        assert listed == sb.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        ids = [s["ShardId"] for s in listed]
        assert len(ids) == len(set(ids)) > 4
        parents = {s["ParentShardId"] for s in listed if "ParentShardId" in s}
        assert parents and parents <= set(ids)
        for s in listed:
            if "ParentShardId" in s:
                assert ids.index(s["ParentShardId"]) < ids.index(s["ShardId"])
            children = [c for c in listed if c.get("ParentShardId") == s["ShardId"]]
            assert len(children) in (0, 2), s
            closed = "EndingSequenceNumber" in s["SequenceNumberRange"]
            assert closed == bool(children), s  # split parents closed, the others open
        # Parents first (the listing order): each item's records in its version order.
        seen, last = [], {}
        ended = 0
        for n, s in enumerate(listed):
            records, done = read_shard_to_end((sa, sb)[n % 2], arn, s["ShardId"])
            ended += done
            assert done == ("EndingSequenceNumber" in s["SequenceNumberRange"])
            if done and records:
                assert records[-1]["dynamodb"]["SequenceNumber"] == \
                    s["SequenceNumberRange"]["EndingSequenceNumber"]
            for r in records:
                pk = r["dynamodb"]["Keys"]["pk"]["S"]
                v = int(r["dynamodb"]["NewImage"]["v"]["N"])
                assert r["dynamodb"].get("OldImage") == last.get(pk), (pk, r)
                last[pk] = r["dynamodb"]["NewImage"]
                seen.append((pk, v))
        assert sorted(seen) == sorted(acked)
        print(f"\nstream across splits: {len(ids)} shards ({len(parents)} split parents, closed "
              f"and read to their end), {len(acked)} acknowledged changes, each read once in "
              f"its item's order")
    finally:
        for proc, _ in servers:
            stop_cairn(proc)
