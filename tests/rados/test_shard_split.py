"""Online shard splitting on RADOS (docs/rados.md section 3, storage/rados/shard_splitter.h), run by
tests/rados/suite inside a test cluster (CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set; CAIRN_BIN the
cairn to test). Issue 20's fault test: "a shard split under concurrent writes and queries (no
item lost, none returned twice by a paged Query)".

  - Two servers with a bound of 200 keys per shard object (--rados-shard-keys 200 on A, the same
    as CAIRN_RADOS_SHARD_KEYS=200 in B's environment) while four writers (PutItem,
    BatchWriteItem, UpdateItem with conditions; two per server) fill a table with an LSI and a
    GSI, and readers page through it with Query (Limit 7) and Scan (Limit 50) through both
    servers: the shards split several times under them. Checked: every acknowledged item is
    there with its last acknowledged value, no paged Query or Scan returned an item twice or
    missed one acknowledged before it started, the item counts agree, the LSI and the GSI equal
    the table, and the table's shard map (its object in the pool) grew.
  - One partition key holding 3 times the bound is not split (no split could separate its keys:
    they share their hash), and a paged Query reads it whole.
  - A server killed (kill -9) in the middle of a split, its parent shard frozen (the test hook
    CAIRN_RADOS_TEST_SPLIT_PAUSE holds it there): writers through the other server wait, that
    server takes the split's lease once it lapses and finishes the split, and no acknowledged
    item is lost.
DynamoDB splits its partitions unseen by clients too: nothing here is Cairn-specific
behaviour a client could see, except the figures printed.
"""
import os
import random
import re
import signal
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from botocore.exceptions import ReadTimeoutError

from cairn_servers import StartError, boto_client, start_cairn, stop_cairn

BIN = os.environ.get("CAIRN_BIN", "")
RUN = uuid.uuid4().hex[:12].upper()  # this run's own namespace: the pool outlives runs
RETRYABLE = (ConnectionClosedError, EndpointConnectionError, ReadTimeoutError)
SPLIT_LINE = re.compile(r"rados: split ([ti](\d+)\.\S+) into (\S+) and (\S+)( \(resumed\))?")


def start(tmp, name, *flags, env=None):
    log = open(tmp / f"{name}.log", "wb")
    try:
        return start_cairn([BIN, "--engine", "rados", "--data-dir", str(tmp / name), *flags], log,
                           env=dict(os.environ, **(env or {})))
    except StartError as e:
        pytest.fail(str(e))


def client(port):
    return boto_client(port, "SPLIT" + RUN, retries=0, read_timeout=60, pool=16)


def call(fn, deadline, ok_codes=(), retry_codes=()):
    """Calls fn until it answers (a 500/503 or a dropped connection is retried: the write may or
    may not have been applied, so callers only retry idempotent writes; so are the codes in
    retry_codes); returns the answer or the ClientError whose code is in ok_codes."""
    tries = 0
    while True:
        try:
            return fn()
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code in ok_codes:
                return e
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            if status < 500 and code not in retry_codes and code not in ("ThrottlingException",
                                             "ProvisionedThroughputExceededException",
                                             "TransactionConflictException"):
                raise
        except RETRYABLE:
            pass
        tries += 1
        assert time.monotonic() < deadline, f"no answer within the bound after {tries} tries"
        time.sleep(min(0.5, 0.005 * tries))


def create_table(c, name):
    c.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "l", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}])


def item(pk, sk, v):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"N": str(v)}, "l": {"N": str(v % 97)},
            "g": {"S": f"g{sk % 50}"}, "pad": {"S": "x" * 60}}


def paged(c, deadline, **kwargs):
    """Every page of a Query or Scan (kwargs name it); returns the (pk, sk) keys in order."""
    op = c.query if "KeyConditionExpression" in kwargs else c.scan
    keys, start_key = [], None
    while True:
        args = dict(kwargs)
        if start_key:
            args["ExclusiveStartKey"] = start_key
        page = call(lambda: op(**args), deadline)
        keys += [(i["pk"]["S"], int(i["sk"]["N"])) for i in page["Items"]]
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return keys


def scan_all(c, table, deadline, **kwargs):
    items = {}
    start_key = None
    while True:
        args = dict(TableName=table, ConsistentRead=True, **kwargs)
        if start_key:
            args["ExclusiveStartKey"] = start_key
        page = call(lambda: c.scan(**args), deadline)
        for i in page["Items"]:
            k = (i["pk"]["S"], int(i["sk"]["N"]))
            assert k not in items, f"{k} returned twice by one Scan"
            items[k] = i
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return items


def splits_in(log_path):
    text = log_path.read_text(errors="replace")
    return [m.groups() for m in SPLIT_LINE.finditer(text)]


def shard_map(table_id, letter="t"):
    """The retired shards of table t<id> (GSI i<id>) as its map object in the pool lists them."""
    import rados
    cluster = rados.Rados(conffile=os.environ["CAIRN_RADOS_CONF"])
    cluster.connect()
    try:
        io = cluster.open_ioctx(os.environ["CAIRN_RADOS_POOL"])
        with rados.ReadOpCtx() as op:
            it, _ = io.get_omap_vals(op, "", "", 100000)
            try:
                io.operate_read_op(op, f"cairn.shards.{letter}{table_id}")
            except rados.ObjectNotFound:
                return []
            names = [k for k, _ in it]
        io.close()
        return names
    finally:
        cluster.shutdown()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("split")
    a = start(tmp, "a", "--rados-shard-keys", "200")
    # B's first split stays frozen for 2 s: the writers of that shard wait, then go to a child.
    b = start(tmp, "b", env={"CAIRN_RADOS_SHARD_KEYS": "200", "CAIRN_RADOS_TEST_SPLIT_PAUSE": "2"})
    yield tmp, a[1], b[1]
    followed = 0
    for name, (proc, _) in zip("ab", (a, b)):
        stop_cairn(proc)
        for line in (tmp / f"{name}.log").read_text(errors="replace").splitlines():
            if "shard splits:" in line:
                print(f"server {name}: {line}")
                followed += int(re.search(r"(\d+) reads followed", line).group(1))
    # The readers did meet retired shards (and went on in their children).
    assert followed > 0


def test_shards_split_under_writes_and_paged_reads_lose_and_repeat_nothing(pair):
    tmp, pa, pb = pair
    ports = [pa, pb]
    table = "grow"
    create_table(client(pa), table)
    deadline = time.monotonic() + 150
    acked = {}          # (pk, sk) -> last acknowledged v
    acked_lock = threading.Lock()
    stop = threading.Event()
    errors = []
    figures = {"put": 0, "batch": 0, "update": 0, "cond_failed": 0, "transact": 0, "queries": 0,
               "gsi_queries": 0, "scans": 0, "segment_scans": 0, "query_items": 0, "scan_items": 0, "point_reads": 0}
    fig_lock = threading.Lock()

    def count(what, n=1):
        with fig_lock:
            figures[what] += n

    def ack(pk, sk, v):
        with acked_lock:
            acked[(pk, sk)] = v

    def writer(w):
        try:
            c = client(ports[w % 2])
            rng = random.Random(w)
            mine = {}  # this writer's items (only it writes them): (pk, sk) -> v
            sk = 0
            for step in range(330):
                pk = f"w{w}p{rng.randrange(12)}"
                kind = step % 6
                if kind in (0, 1, 2) or not mine:  # PutItem of a new item
                    sk += 1
                    v = rng.randrange(1000)
                    call(lambda: c.put_item(TableName=table, Item=item(pk, sk, v)), deadline)
                    mine[(pk, sk)] = v
                    ack(pk, sk, v)
                    count("put")
                elif kind == 3:  # BatchWriteItem of 6 new items (unprocessed ones sent again)
                    batch = {}
                    for _ in range(6):
                        sk += 1
                        batch[(pk, sk)] = rng.randrange(1000)
                    requests = [{"PutRequest": {"Item": item(p, s, v)}}
                                for (p, s), v in batch.items()]
                    while requests:
                        r = call(lambda: c.batch_write_item(RequestItems={table: requests}),
                                 deadline)
                        requests = r.get("UnprocessedItems", {}).get(table, [])
                    for (p, s), v in batch.items():
                        mine[(p, s)] = v
                        ack(p, s, v)
                    count("batch")
                else:  # UpdateItem of an earlier item, conditional on its value
                    key = rng.choice(list(mine))
                    old, new = mine[key], mine[key] + 1 + rng.randrange(5)
                    expected = old if kind == 4 else old + 1000  # the second condition fails
                    r = call(lambda: c.update_item(
                        TableName=table, Key={"pk": {"S": key[0]}, "sk": {"N": str(key[1])}},
                        UpdateExpression="SET v = :new, l = :l",
                        ConditionExpression="v = :old OR v = :new",
                        ExpressionAttributeValues={":new": {"N": str(new)},
                                                   ":l": {"N": str(new % 97)},
                                                   ":old": {"N": str(expected)}}),
                        deadline, ok_codes=("ConditionalCheckFailedException",))
                    if isinstance(r, ClientError):
                        count("cond_failed")
                        assert kind == 5, r
                        continue
                    assert kind == 4
                    mine[key] = new
                    ack(key[0], key[1], new)
                    count("update")
        except Exception as e:  # reported by the test
            errors.append(e)

    def transact_writer():
        """TransactWriteItems: two new items in two partitions (mostly two shards: the
        coordinator's protocol) and a ConditionCheck of an earlier one, through both servers."""
        try:
            rng = random.Random(4)
            sk, mine = 0, []
            for step in range(120):
                c = client(ports[step % 2])
                new = []
                for _ in range(2):
                    sk += 1
                    new.append((f"w4p{rng.randrange(12)}", sk, rng.randrange(1000)))
                items = [{"Put": {"TableName": table, "Item": item(p, s, v)}} for p, s, v in new]
                if mine:
                    p, s = rng.choice(mine)
                    items.append({"ConditionCheck": {
                        "TableName": table, "Key": {"pk": {"S": p}, "sk": {"N": str(s)}},
                        "ConditionExpression": "attribute_exists(pk)"}})
                # A cancellation here can only be a conflict (the condition holds): retried.
                call(lambda: c.transact_write_items(TransactItems=items), deadline,
                     retry_codes=("TransactionCanceledException",))
                for p, s, v in new:
                    mine.append((p, s))
                    ack(p, s, v)
                count("transact")
        except Exception as e:
            errors.append(e)

    def point_reader(r):
        """GetItem, BatchGetItem and TransactGetItems of acknowledged items: each is there, with
        its acknowledged value or a later one (values only grow)."""
        try:
            c = client(ports[r % 2])
            rng = random.Random(200 + r)
            while not stop.is_set():
                with acked_lock:
                    if len(acked) < 10:
                        continue
                    sample = dict(rng.sample(sorted(acked.items()), 10))
                keys = [{"pk": {"S": p}, "sk": {"N": str(s)}} for p, s in sample]
                kind = rng.randrange(3)
                if kind == 0:
                    got = [call(lambda: c.get_item(TableName=table, Key=k, ConsistentRead=True),
                                deadline).get("Item") for k in keys]
                elif kind == 1:
                    a = call(lambda: c.batch_get_item(RequestItems={
                        table: {"Keys": keys, "ConsistentRead": True}}), deadline)
                    assert not a.get("UnprocessedKeys"), "unprocessed keys"
                    got = a["Responses"][table]
                else:
                    a = call(lambda: c.transact_get_items(TransactItems=[
                        {"Get": {"TableName": table, "Key": k}} for k in keys]), deadline,
                        retry_codes=("TransactionCanceledException",))
                    got = [x.get("Item") for x in a["Responses"]]
                found = {(i["pk"]["S"], int(i["sk"]["N"])): int(i["v"]["N"]) for i in got if i}
                for k, v in sample.items():
                    assert k in found, f"{k} acknowledged, not found by read kind {kind}"
                    assert found[k] >= v, f"{k}: {found[k]} older than acknowledged {v}"
                count("point_reads", len(sample))
        except Exception as e:
            errors.append(e)

    def reader(r):
        try:
            c = client(ports[r % 2])
            rng = random.Random(100 + r)
            while not stop.is_set():
                with acked_lock:
                    before = set(acked)
                if r % 2 == 0 and rng.random() < 0.25:  # a paged Query of the GSI, Limit 7
                    g = f"g{rng.randrange(50)}"
                    keys = paged(c, deadline, TableName=table, IndexName="byg", Limit=7,
                                 KeyConditionExpression="g = :g",
                                 ExpressionAttributeValues={":g": {"S": g}})
                    # Eventually consistent: nothing to require present; nothing twice.
                    assert len(keys) == len(set(keys)), f"GSI Query of {g}: an item twice"
                    count("gsi_queries")
                elif r % 2 == 0:  # a paged Query of one partition, Limit 7, forward or backward
                    pk = f"w{rng.randrange(4)}p{rng.randrange(12)}"
                    forward = rng.random() < 0.7
                    keys = paged(c, deadline, TableName=table, Limit=7,
                                 KeyConditionExpression="pk = :pk", ScanIndexForward=forward,
                                 ExpressionAttributeValues={":pk": {"S": pk}},
                                 ConsistentRead=True)
                    assert len(keys) == len(set(keys)), f"Query of {pk}: an item returned twice"
                    sks = [k[1] for k in keys]
                    assert sks == sorted(sks, reverse=not forward), f"Query of {pk}: out of order"
                    missing = {k for k in before if k[0] == pk} - set(keys)
                    assert not missing, f"Query of {pk} missed {sorted(missing)[:5]}"
                    count("queries")
                    count("query_items", len(keys))
                else:  # a paged Scan of the whole table, Limit 50: whole, or in 3 segments
                    segments = rng.choice((1, 3))
                    keys = []
                    for segment in range(segments):
                        extra = {"Segment": segment, "TotalSegments": 3} if segments > 1 else {}
                        keys += paged(c, deadline, TableName=table, Limit=50, ConsistentRead=True,
                                      **extra)
                    if segments > 1:
                        count("segment_scans")
                    assert len(keys) == len(set(keys)), "Scan: an item returned twice"
                    missing = before - set(keys)
                    assert not missing, f"Scan missed {sorted(missing)[:5]}"
                    count("scans")
                    count("scan_items", len(keys))
        except Exception as e:
            errors.append(e)

    started = time.monotonic()
    writers = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    writers.append(threading.Thread(target=transact_writer))
    readers = [threading.Thread(target=reader, args=(r,)) for r in range(4)]
    readers += [threading.Thread(target=point_reader, args=(r,)) for r in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert not errors, errors[:3]
    elapsed = time.monotonic() - started

    # Every acknowledged item with its last value, through both servers; counts equal.
    for port in ports:
        items = scan_all(client(port), table, deadline)
        assert set(items) == set(acked), (len(items), len(acked))
        wrong = [k for k, v in acked.items() if items[k]["v"] != {"N": str(v)}]
        assert not wrong, f"{len(wrong)} items without their last value: {wrong[:5]}"
        count_answer = call(lambda: client(port).scan(TableName=table, Select="COUNT",
                                                     ConsistentRead=True), deadline)
        total = count_answer["Count"]
        start_key = count_answer.get("LastEvaluatedKey")
        while start_key:
            page = call(lambda: client(port).scan(TableName=table, Select="COUNT",
                                                  ConsistentRead=True,
                                                  ExclusiveStartKey=start_key), deadline)
            total += page["Count"]
            start_key = page.get("LastEvaluatedKey")
        assert total == len(acked)
    # The LSI holds exactly the items (its entries moved with them); the GSI converges to them.
    lsi = scan_all(client(pb), table, deadline, IndexName="byl")
    assert set(lsi) == set(acked)
    gsi_deadline = time.monotonic() + 30
    while True:
        gsi = {}
        start_key = None
        while True:
            args = dict(TableName=table, IndexName="byg")
            if start_key:
                args["ExclusiveStartKey"] = start_key
            page = call(lambda: client(pa).scan(**args), deadline)
            for i in page["Items"]:
                gsi[(i["pk"]["S"], int(i["sk"]["N"]))] = i["v"]["N"]
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                break
        if gsi == {k: str(v) for k, v in acked.items()}:
            break
        assert time.monotonic() < gsi_deadline, f"GSI: {len(gsi)} entries, {len(acked)} items"
        time.sleep(0.5)

    # The splits: from both servers' logs, and the table's map object.
    splits = splits_in(tmp / "a.log") + splits_in(tmp / "b.log")
    assert splits, "no shard split"
    table_id = [s[1] for s in splits if s[0].startswith("t")][0]
    retired = shard_map(table_id)
    gsi_id = [s[1] for s in splits_in(tmp / "a.log") + splits_in(tmp / "b.log")
              if s[0].startswith("i")]
    gsi_retired = shard_map(gsi_id[0], "i") if gsi_id else []
    assert len(retired) + len(gsi_retired) == len(splits), (retired, gsi_retired, splits)
    assert gsi_retired, "the GSI did not split"
    live = 4 + len(retired)
    print(f"shard split under load: {len(acked)} items ({figures['put']} PutItem, "
          f"{figures['batch']} BatchWriteItem of 6, {figures['update']} UpdateItem, "
          f"{figures['cond_failed']} conditions failed as meant, {figures['transact']} "
          f"TransactWriteItems of 2 + a ConditionCheck) in {elapsed:.1f} s; {len(splits)} splits "
          f"({sum(1 for s in splits if s[4])} resumed), {live} live shards, map epoch "
          f"{len(retired)}; {len(gsi_retired)} GSI splits; {figures['queries']} paged Queries "
          f"({figures['query_items']} items), {figures['gsi_queries']} of the GSI, "
          f"{figures['scans']} paged Scans ({figures['segment_scans']} in 3 segments; "
          f"{figures['scan_items']} items), {figures['point_reads']} items read by GetItem, "
          f"BatchGetItem, TransactGetItems: 0 lost, 0 repeated, 0 missed")
    assert len(retired) >= 3, f"only {len(retired)} splits"


def test_one_partition_past_the_bound_is_not_split(pair):
    """300 items under one partition key (600 omap keys with their LSI entries, 3x the bound):
    every key of the shard has the same hash, so a split would leave a child empty; the shard
    stays whole (a split would gain nothing, and again at every depth below) and reads work."""
    tmp, pa, pb = pair
    def table_splits():  # the table shards split so far (its GSI, 300 entries in 50 keys, may)
        return {s[1] for s in splits_in(tmp / "a.log") + splits_in(tmp / "b.log")
                if s[0].startswith("t")}

    before = table_splits()
    table = "hot"
    create_table(client(pa), table)
    deadline = time.monotonic() + 60
    for first in range(0, 300, 25):
        requests = [{"PutRequest": {"Item": item("one", sk, sk)}} for sk in range(first, first + 25)]
        c = client((pa, pb)[first % 2])
        while requests:
            r = call(lambda: c.batch_write_item(RequestItems={table: requests}), deadline)
            requests = r.get("UnprocessedItems", {}).get(table, [])
    time.sleep(2)  # the size checks run on the splitters' threads
    keys = paged(client(pb), deadline, TableName=table, Limit=7, ConsistentRead=True,
                 KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "one"}})
    assert keys == [("one", sk) for sk in range(300)]
    after = table_splits()
    assert after <= before, f"tables split: {after - before}"


@pytest.mark.parametrize("how", ["kill", "stall"])
def test_killed_or_stalled_splitter_is_finished_by_the_other_server(tmp_path, how):
    """kill: C is killed with its parent frozen. stall: C sleeps 14 s there (its split lease
    lapses after 10 s) and wakes up after D finished the split: it must then change nothing."""
    # C pauses in its first split once the parent is frozen; D has the same bound.
    c_proc, pc = start(tmp_path, "c", "--rados-shard-keys", "200",
                       env={"CAIRN_RADOS_TEST_SPLIT_PAUSE": "60" if how == "kill" else "14"})
    d_proc, pd = start(tmp_path, "d", "--rados-shard-keys", "200")
    try:
        table = f"split{how}"
        create_table(client(pc), table)
        deadline = time.monotonic() + 120
        acked, attempted = {}, {}
        c = client(pc)
        log = tmp_path / "c.log"
        stop = threading.Event()
        counter = [0]

        def write_through_c():
            # Until C's splitter pauses in a frozen split. A write that hits the frozen shard
            # waits there; once C is killed it fails, unacknowledged (it may or may not be in).
            while not stop.is_set():
                counter[0] += 1
                m = counter[0]
                key = (f"k{m % 37}", m)
                attempted[key] = m
                while True:
                    try:
                        c.put_item(TableName=table, Item=item(key[0], m, m))
                        acked[key] = m
                        break
                    except (ClientError,) + RETRYABLE:
                        if stop.is_set() and how == "kill":
                            return
                        time.sleep(0.05)

        writer = threading.Thread(target=write_through_c)
        writer.start()
        while "frozen, pausing" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline and counter[0] < 4000, "no split started"
            time.sleep(0.02)
        frozen = re.search(r"rados: split of (\S+) frozen", log.read_text()).group(1)
        if how == "kill":
            c_proc.send_signal(signal.SIGKILL)
            c_proc.wait()
        stop.set()
        killed_at = time.monotonic()
        if how == "kill":
            writer.join()
        n = counter[0]
        # Through D: writes everywhere, the frozen shard's included (they wait, are answered
        # 500 and retried until D finished the split, ~10 s after the kill once the lease lapsed).
        d = client(pd)
        for m in range(n + 1, n + 301):
            call(lambda: d.put_item(TableName=table, Item=item(f"k{m % 37}", m, m)), deadline)
            acked[(f"k{m % 37}", m)] = m
        while not any(s[0] == frozen for s in splits_in(tmp_path / "d.log")):
            assert time.monotonic() < deadline, "the frozen split was not finished by D"
            time.sleep(0.2)
        finished = time.monotonic() - killed_at
        if how == "stall":  # C wakes up (14 s), finds its lease gone, gives up; writes go on
            for m in range(n + 301, n + 401):
                cc = (c, d)[m % 2]
                call(lambda: cc.put_item(TableName=table, Item=item(f"k{m % 37}", m, m)),
                     deadline)
                acked[(f"k{m % 37}", m)] = m
            while time.monotonic() - killed_at < 16:
                time.sleep(0.2)
            assert not any(s[0] == frozen for s in splits_in(log)), "C finished it too"
            assert f"split of {frozen} not done" in log.read_text(errors="replace")
        writer.join()
        items = scan_all(d, table, deadline)
        # Every acknowledged write is there; nothing else but the one a kill left unanswered.
        assert set(acked) <= set(items) <= set(acked) | set(attempted)
        assert all(items[k]["v"] == {"N": str(v)} for k, v in acked.items())
        for pk in {k[0] for k in items}:
            keys = paged(d, deadline, TableName=table, Limit=7, KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True)
            assert keys == sorted(k for k in items if k[0] == pk)
        resumed = [s for s in splits_in(tmp_path / "d.log") if s[0] == frozen]
        print(f"splitter {'killed' if how == 'kill' else 'stalled'} in a frozen split of "
              f"{frozen}: finished by the other server {finished:.1f} s after the "
              f"{how}{' (resumed)' if resumed[0][4] else ''}; {len(acked)} acknowledged items "
              f"checked ({n} before the {how}), 0 lost")
    finally:
        stop_cairn(d_proc)
        if c_proc.poll() is None:
            stop_cairn(c_proc, timeout=0)
