"""Two cairn servers on one RADOS pool (docs/rados.md "Several servers"), run by tests/rados/suite
inside a test cluster (CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set; CAIRN_BIN the cairn to test):
  - a table created through server A is usable through server B as soon as A answered (catalog
    watch/notify), and its deletion or update through B is seen through A at once;
  - conditional increments from both servers on one item lose no update (the item's write is
    guarded on the value read), on a table without indexes (one object per write) and on one with
    a GSI (several objects: the guarded item op first);
  - a conditional create raced from both servers is won by exactly one of them per item;
  - transactions (docs/rados.md section 6, storage/rados/rados_txn.h): transfers between accounts
    through both servers keep the total exactly, and TransactGetItems through either never sees a
    transfer half applied; a transaction held on A makes a write, a transaction and a
    TransactGetItems of its item on B answer TransactionConflict; a ClientRequestToken retried
    through the other server applies once (another request with it: IdempotentParameterMismatch).
  - writes of the same items through both servers at once (GSI key moved, items deleted) leave
    the LSI exact at once and the GSI equal to the table after a bounded wait (the outbox).
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

from cairn_servers import (StartError, outbox_entries, retrying, start_cairn, stop_cairn,
                           table_shard_objects)

BIN = os.environ.get("CAIRN_BIN", "")


def start(tmp_path, name, *flags, env=None):
    log = open(tmp_path / f"{name}.log", "wb")
    try:
        return start_cairn([BIN, "--engine", "rados", "--data-dir", str(tmp_path / name), *flags],
                           log, env=dict(os.environ, **(env or {})))
    except StartError as e:
        pytest.fail(str(e))


def pair(tmp_path_factory, env=None):
    tmp = tmp_path_factory.mktemp("two")
    a = start(tmp, "a", "--rados-workers", "8", env=env)  # requests on a pool of 8 workers
    b = start(tmp, "b", "--rados-workers", "0", env=env)  # requests on the event loops
    yield a[1], b[1]
    for name, (proc, _) in zip("ab", (a, b)):
        stop_cairn(proc)
        # The engine's figures at its stop (rados_engine.cc): GSI outbox entries applied, stale
        # GSI puts refused by their version guard.
        for line in (tmp / f"{name}.log").read_text(errors="replace").splitlines():
            if "GSI outbox" in line:
                print(f"server {name}: {line}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    yield from pair(tmp_path_factory)


@pytest.fixture(scope="module")
def drainer_servers(tmp_path_factory):
    """Two servers that leave every GSI outbox entry to the shards' lease holders (the writers
    do not apply their own: rados_engine.h's test hook)."""
    yield from pair(tmp_path_factory, {"CAIRN_RADOS_TEST_DRAINER_ONLY": "1"})


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


# --- transactions across servers (docs/rados.md section 6)

ACCOUNTS, START = 8, 1000


def test_transfers_through_both_servers_keep_total_and_readers_never_see_half(servers):
    name = "bank"
    a = client(servers[0])
    create(a, name)
    for i in range(ACCOUNTS):
        a.put_item(TableName=name, Item={"pk": {"S": f"acct{i}"}, "bal": {"N": str(START)}})
    total = ACCOUNTS * START
    lock = threading.Lock()
    applied = [0] * ACCOUNTS
    outcomes = {"ok": 0, "ccf": 0, "conflict": 0, "retried_500": 0}
    reads = {"ok": 0, "conflict": 0}
    failures = []
    done = threading.Event()
    gets = [{"Get": {"TableName": name, "Key": {"pk": {"S": f"acct{i}"}}}} for i in range(ACCOUNTS)]

    def writer(port, seed):
        import random
        c = client(port)
        rng = random.Random(seed)
        try:
            for n in range(60):
                src, dst = rng.sample(range(ACCOUNTS), 2)
                amount = rng.randint(1, 300)
                # A token per transfer: a retry after a 500 is applied at most once.
                token = f"{RUN}-{seed}-{n}"
                r, retried = retrying(lambda: c.transact_write_items(ClientRequestToken=token,
                    TransactItems=[
                        {"Update": {"TableName": name, "Key": {"pk": {"S": f"acct{src}"}},
                                    "UpdateExpression": "SET bal = bal - :a",
                                    "ConditionExpression": "bal >= :a",
                                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
                        {"Update": {"TableName": name, "Key": {"pk": {"S": f"acct{dst}"}},
                                    "UpdateExpression": "SET bal = bal + :a",
                                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}}]))
                with lock:
                    outcomes["retried_500"] += retried
                    if not isinstance(r, Exception):
                        applied[src] -= amount
                        applied[dst] += amount
                        outcomes["ok"] += 1
                        continue
                    assert r.response["Error"]["Code"] == "TransactionCanceledException", r
                    codes = [x["Code"] for x in r.response["CancellationReasons"]]
                    if "TransactionConflict" in codes:
                        outcomes["conflict"] += 1
                    else:
                        assert codes == ["ConditionalCheckFailed", "None"], codes
                        outcomes["ccf"] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    def reader(port):
        c = client(port)
        try:
            while not done.is_set():
                try:
                    resp = c.transact_get_items(TransactItems=gets)
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "TransactionCanceledException", e
                    assert "TransactionConflict" in [
                        x["Code"] for x in e.response["CancellationReasons"]]
                    reads["conflict"] += 1
                    continue
                bals = [int(x["Item"]["bal"]["N"]) for x in resp["Responses"]]
                assert sum(bals) == total, bals  # never half a transfer
                reads["ok"] += 1
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    writers = [threading.Thread(target=writer, args=(servers[w % 2], w)) for w in range(4)]
    readers = [threading.Thread(target=reader, args=(p,)) for p in servers]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(timeout=240)
    done.set()
    for t in readers:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in writers + readers)
    assert not failures, failures[:3]
    final = [int(client(servers[i % 2]).get_item(
        TableName=name, Key={"pk": {"S": f"acct{i}"}}, ConsistentRead=True)["Item"]["bal"]["N"])
        for i in range(ACCOUNTS)]
    assert sum(final) == total
    assert final == [START + d for d in applied]  # exactly the acknowledged transfers
    assert outcomes["ok"] > 0 and reads["ok"] > 0
    print(f"transfers: {sum(v for k, v in outcomes.items() if k != 'retried_500')} transactions "
          f"through 2 servers: {outcomes}; TransactGetItems: {reads}")


def test_transaction_held_on_one_server_conflicts_with_writes_on_the_other(tmp_path):
    # A holds every transaction 5 s once its items are held (prepared); B is a plain server.
    a_proc, a_port = start(tmp_path, "held", "--test-transaction-hold", "5000")
    b_proc, b_port = start(tmp_path, "free")
    try:
        a, b = client(a_port), client(b_port)
        name = "held"
        create(a, name)
        for k in ("x", "y"):
            a.put_item(TableName=name, Item={"pk": {"S": k}, "v": {"N": "0"}})
        result = {}

        def background():
            try:
                a.transact_write_items(TransactItems=[
                    {"Update": {"TableName": name, "Key": {"pk": {"S": "x"}},
                                "UpdateExpression": "SET v = v + :a",
                                "ExpressionAttributeValues": {":a": {"N": "10"}}}},
                    {"Put": {"TableName": name, "Item": {"pk": {"S": "y"}, "v": {"N": "10"}}}}])
                result["done"] = True
            except Exception as e:  # noqa: BLE001
                result["error"] = e

        t = threading.Thread(target=background)
        t.start()
        try:
            # Until A prepared, B's write may win (A then decides again); once held, B conflicts.
            deadline = time.monotonic() + 2.5
            while True:
                assert time.monotonic() < deadline, "the transaction on A was never seen holding x"
                try:
                    b.update_item(TableName=name, Key={"pk": {"S": "x"}},
                                  UpdateExpression="SET w = :one",
                                  ExpressionAttributeValues={":one": {"N": "1"}})
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "TransactionConflictException", e
                    assert e.response["Error"]["Message"] == "Transaction is ongoing for the item"
                    break
                time.sleep(0.02)
            # A transaction through B: cancelled, its first item conflicting, the other None.
            with pytest.raises(ClientError) as e:
                b.transact_write_items(TransactItems=[
                    {"Put": {"TableName": name, "Item": {"pk": {"S": "y"}, "v": {"N": "99"}}}},
                    {"Put": {"TableName": name, "Item": {"pk": {"S": "z"}}}}])
            assert e.value.response["Error"]["Code"] == "TransactionCanceledException"
            assert e.value.response["CancellationReasons"] == [
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
                {"Code": "None"}]
            # A TransactGetItems through B: the same.
            with pytest.raises(ClientError) as e:
                b.transact_get_items(TransactItems=[
                    {"Get": {"TableName": name, "Key": {"pk": {"S": "x"}}}}])
            assert e.value.response["CancellationReasons"] == [
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
            # A ConditionCheck of x (only read, whatever shard the Puts are in): held too.
            for z in ("z1", "z2", "z3", "z4"):
                with pytest.raises(ClientError) as e:
                    b.transact_write_items(TransactItems=[
                        {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "x"}},
                                            "ConditionExpression": "attribute_exists(pk)"}},
                        {"Put": {"TableName": name, "Item": {"pk": {"S": z}}}}])
                assert e.value.response["CancellationReasons"] == [
                    {"Code": "TransactionConflict",
                     "Message": "Transaction is ongoing for the item"}, {"Code": "None"}]
            # A blind DeleteItem through B: refused too (no intent is ever overwritten).
            with pytest.raises(ClientError) as e:
                b.delete_item(TableName=name, Key={"pk": {"S": "y"}})
            assert e.value.response["Error"]["Code"] == "TransactionConflictException"
        finally:
            t.join(timeout=30)
        assert result.get("done"), result
        x = b.get_item(TableName=name, Key={"pk": {"S": "x"}}, ConsistentRead=True)["Item"]
        assert x["v"] == {"N": "10"}
        assert b.get_item(TableName=name, Key={"pk": {"S": "y"}},
                          ConsistentRead=True)["Item"]["v"] == {"N": "10"}
        for z in ("z", "z1", "z2", "z3", "z4"):
            assert "Item" not in b.get_item(TableName=name, Key={"pk": {"S": z}},
                                            ConsistentRead=True)
        # Released: B writes x now.
        b.update_item(TableName=name, Key={"pk": {"S": "x"}}, UpdateExpression="SET w = :one",
                      ExpressionAttributeValues={":one": {"N": "1"}})
    finally:
        for proc in (a_proc, b_proc):
            proc.terminate()
            proc.wait(timeout=20)


def test_same_token_through_the_other_server_applies_once(servers):
    name = "tokens"
    a, b = client(servers[0]), client(servers[1])
    create(a, name)
    a.put_item(TableName=name, Item={"pk": {"S": "n"}, "n": {"N": "0"}})
    token = "tok-" + RUN
    items = [{"Update": {"TableName": name, "Key": {"pk": {"S": "n"}},
                         "UpdateExpression": "SET n = n + :one",
                         "ExpressionAttributeValues": {":one": {"N": "1"}}}},
             {"Put": {"TableName": name, "Item": {"pk": {"S": "other"}}}}]
    first = a.transact_write_items(TransactItems=items, ClientRequestToken=token)
    again = b.transact_write_items(TransactItems=items, ClientRequestToken=token)
    third = a.transact_write_items(TransactItems=items, ClientRequestToken=token)
    for r in (first, again, third):
        r.pop("ResponseMetadata")
    assert first == again == third
    assert a.get_item(TableName=name, Key={"pk": {"S": "n"}},
                      ConsistentRead=True)["Item"]["n"] == {"N": "1"}
    # The same token with another request, through either server.
    for c in (b, a):
        with pytest.raises(ClientError) as e:
            c.transact_write_items(ClientRequestToken=token, TransactItems=items[:1])
        assert e.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
        assert e.value.response["Error"]["Message"] == (
            "The request uses the same client token as a previous, but non-identical request.")
    # Another token applies again.
    b.transact_write_items(TransactItems=items, ClientRequestToken=token + "-2")
    assert a.get_item(TableName=name, Key={"pk": {"S": "n"}},
                      ConsistentRead=True)["Item"]["n"] == {"N": "2"}


def test_gsi_and_lsi_converge_under_writes_of_the_same_items_from_two_servers(servers):
    converge(servers, "conv")


def test_gsi_converges_through_the_lease_holders_alone(drainer_servers):
    """The same, with no writer applying its own outbox entry: every GSI change goes through the
    shards' outboxes and their lease holders (one server per shard, polling every second)."""
    converge(drainer_servers, "drain")


def converge(servers, name):
    """Four workers write the same 12 items, concurrently and alternately (each worker sends its
    requests to A and B in turn, two starting on each): puts that move the GSI key or leave it out, updates of the GSI
    and LSI keys, deletes. Then the LSI equals the table at once (same RADOS op as the item) and
    the GSI within a bounded wait (outbox applied by the writers and the drainers): one entry per
    item that has the GSI key, with the item's current values, nothing stale."""
    import random
    a = client(servers[0])
    before = table_shard_objects()  # this table's objects are those that appear from now on
    a.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}])
    keys = [(f"p{i}", f"s{j}") for i in range(4) for j in range(3)]
    per_worker = 100
    workers = 4
    results = {}

    def worker(w):
        rnd = random.Random(w)
        cs = [client(servers[0]), client(servers[1])]
        done = retried = 0
        errors = []
        for n in range(per_worker):
            c = cs[(n + w) % 2]  # worker 0 starts on A, worker 1 on B: both servers, both items
            pk, sk = rnd.choice(keys)
            key = {"pk": {"S": pk}, "sk": {"S": sk}}
            op = rnd.random()
            if op < 0.45:
                item = dict(key, v={"N": str(w * 10000 + n)})
                if rnd.random() < 0.8:
                    item["g"] = {"S": f"g{rnd.randrange(4)}"}
                if rnd.random() < 0.8:
                    item["l"] = {"S": f"l{rnd.randrange(50)}"}
                call = lambda: c.put_item(TableName=name, Item=item)
            elif op < 0.8:
                call = lambda: c.update_item(
                    TableName=name, Key=key, UpdateExpression="SET g = :g, l = :l, v = :v",
                    ExpressionAttributeValues={":g": {"S": f"g{rnd.randrange(4)}"},
                                               ":l": {"S": f"l{rnd.randrange(50)}"},
                                               ":v": {"N": str(w * 10000 + n)}})
            else:
                call = lambda: c.delete_item(TableName=name, Key=key)
            r, k = retrying(call)
            retried += k
            if isinstance(r, Exception):
                errors.append(r)
            else:
                done += 1
        results[w] = (done, retried, errors)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w, (done, retried, errors) in results.items():
        assert errors == [] and done == per_worker, (w, errors[:3])
    written = time.monotonic()

    def scan(c, **kw):
        out, start = [], None
        while True:
            page = c.scan(TableName=name, **kw, **({"ExclusiveStartKey": start} if start else {}))
            out += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    def canon(items):
        return sorted(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in x.items())) for x in items)

    table = scan(a, ConsistentRead=True)
    want_gsi = canon([x for x in table if "g" in x])
    want_lsi = canon([{k: v for k, v in x.items() if k in ("pk", "sk", "l", "v")}
                      for x in table if "l" in x])
    b = client(servers[1])
    # The LSI is in the item's RADOS op: exact at once, through either server.
    assert canon(scan(b, IndexName="byl", ConsistentRead=True)) == want_lsi
    assert canon(scan(a, IndexName="byl", ConsistentRead=True)) == want_lsi
    # Converged: no outbox entry left, and then the GSI equal to the table. (A GSI that matches
    # the table while entries wait may still change: a pending put of an item, then its pending
    # delete. With many tables in the pool the drainers' round lags, and such a match was taken for
    # convergence once: a Query then caught the put.)
    mine = table_shard_objects() - before
    assert mine, "the writes created no table shard object"
    deadline = written + 60
    while True:
        pending = outbox_entries(mine)
        if pending == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    converged = time.monotonic() - written
    assert pending == 0, f"{pending} outbox entries not applied {converged:.1f} s after the writes"
    got = canon(scan(b, IndexName="byg"))
    assert got == want_gsi, (len(got), len(want_gsi))
    # Per GSI key too (a Query reads one index partition; no entry twice, none stale).
    for g in range(4):
        q = a.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": f"g{g}"}})["Items"]
        assert canon(q) == canon([x for x in table if x.get("g") == {"S": f"g{g}"}])
    print(f"{name}: {workers * per_worker} writes on {len(keys)} items from two servers, "
          f"retried after a failed guard: {sum(r[1] for r in results.values())}; "
          f"{len(table)} items, {len(want_gsi)} GSI and {len(want_lsi)} LSI entries; "
          f"GSI converged {converged:.2f} s after the last write")
