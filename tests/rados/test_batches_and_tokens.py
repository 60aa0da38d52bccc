"""Batches, conflict waits, request tokens and GSI tombstones with two cairn servers on one RADOS
pool (docs/rados.md "Status", sections 2 and 6), run by tests/rados/suite inside a test cluster
(CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set; CAIRN_BIN the cairn to test):
  - a BatchWriteItem through B touching an item that a transaction held on A holds, and items in
    other shards: the batch waits for the transaction (as on one server) and lands after it,
    never under it (no lost update), on a table read blind and on one with a GSI; B's
    --conflict-wait is seen by the engine: its UpdateItem of the held item answers
    TransactionConflict after about that wait;
  - batches and conditional updates and transactions from both servers on the same shard objects
    at once: exact counts, every batch item written, the GSI equal to the table;
  - a ClientRequestToken whose claimant is killed (kill -9) mid-transaction, once after its commit
    point and once before it: a retry through the other server waits for recovery to decide, then
    answers from the outcome: applied exactly once either way;
  - GSI tombstones (deleted items' GSI entries) leave after the grace (test hook
    CAIRN_RADOS_TEST_TOMBSTONE_GRACE_S), while a GSI Query never shows a deleted item.
"""
import os
import re
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from cairn_servers import retrying, stop_cairn
from test_two_servers import RUN, client, create, start

TX_ONGOING = "Transaction is ongoing for the item"


def item_of(c, name, pk):
    return c.get_item(TableName=name, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")


def shards_of(n):
    """n item keys, enough to spread over the 4 shards of a table."""
    return [f"k{i}" for i in range(n)]


def test_batch_waits_for_a_transaction_held_on_the_other_server_and_conflict_wait(tmp_path):
    # A holds every transaction 5 s once prepared; B waits 1.5 s for a held item (--conflict-wait).
    a_proc, a_port = start(tmp_path, "hold", "--test-transaction-hold", "5000")
    b_proc, b_port = start(tmp_path, "wait", "--conflict-wait", "1500")
    try:
        a, b = client(a_port), client(b_port)
        blind, indexed = "bhold", "bholdg"
        create(a, blind)
        create(a, indexed, gsi=True)
        for name in (blind, indexed):
            a.put_item(TableName=name, Item={"pk": {"S": "x"}, "n": {"N": "5"}, "g": {"S": "G"}})
        result = {}

        def transaction():
            try:
                a.transact_write_items(TransactItems=[
                    {"Update": {"TableName": name, "Key": {"pk": {"S": "x"}},
                                "UpdateExpression": "SET n = n + :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}}
                    for name in (blind, indexed)])
                result["done"] = time.monotonic()
            except Exception as e:  # noqa: BLE001
                result["error"] = e

        t = threading.Thread(target=transaction)
        t.start()
        try:
            # Until A prepared, B's write may win (A then decides again); once held, B waits its
            # --conflict-wait, then answers TransactionConflict.
            deadline = time.monotonic() + 4
            while True:
                assert time.monotonic() < deadline, "the transaction on A was never seen holding x"
                began = time.monotonic()
                try:
                    b.update_item(TableName=blind, Key={"pk": {"S": "x"}},
                                  UpdateExpression="SET w = :one",
                                  ExpressionAttributeValues={":one": {"N": "1"}})
                except ClientError as e:
                    waited = time.monotonic() - began
                    assert e.response["Error"]["Code"] == "TransactionConflictException", e
                    assert e.response["Error"]["Message"] == TX_ONGOING
                    break
                time.sleep(0.02)
            assert 1.4 <= waited < 3.5, waited
            # A batch through B: x (held) and items in the other shards, on both tables.
            others = shards_of(11)  # 2 x 12 requests: within the 25
            began = time.monotonic()
            r = b.batch_write_item(RequestItems={
                name: [{"PutRequest": {"Item": {"pk": {"S": "x"}, "n": {"N": "100"},
                                                "g": {"S": "G"}}}}] +
                      [{"PutRequest": {"Item": {"pk": {"S": k}, "n": {"N": "1"},
                                                "g": {"S": "G"}}}} for k in others]
                for name in (blind, indexed)})
            answered = time.monotonic()
            assert r["UnprocessedItems"] == {}
        finally:
            t.join(timeout=30)
        assert "done" in result, result
        # The batch waited for the transaction, and its x landed after the transaction's: 100,
        # never the transaction's 6 over the batch's 100 (the lost update), nor 101.
        assert answered >= result["done"] - 0.5, (answered - began, result)
        for name in (blind, indexed):
            assert item_of(b, name, "x")["n"] == {"N": "100"}, name
            for k in others:
                assert item_of(a, name, k)["n"] == {"N": "1"}
        q = b.query(TableName=indexed, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
        assert sorted((x["pk"]["S"], x["n"]["N"]) for x in q) == sorted(
            [("x", "100")] + [(k, "1") for k in others])
        # B's plain write of x goes through now.
        b.update_item(TableName=blind, Key={"pk": {"S": "x"}}, UpdateExpression="SET w = :one",
                      ExpressionAttributeValues={":one": {"N": "1"}})
        print(f"held item: B's UpdateItem answered TransactionConflict after {waited:.2f} s "
              f"(--conflict-wait 1500); the batch answered {answered - began:.2f} s after it "
              f"was sent, {answered - result['done']:+.2f} s from the transaction's answer")
    finally:
        for proc in (a_proc, b_proc):
            stop_cairn(proc)
        for line in (tmp_path / "wait.log").read_text(errors="replace").splitlines():
            if "batches by shard" in line:
                print(f"server B: {line}")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batches")
    a = start(tmp, "a", "--rados-workers", "8")
    b = start(tmp, "b", "--rados-workers", "0")
    yield a[1], b[1]
    for name, (proc, _) in zip("ab", (a, b)):
        stop_cairn(proc)
        for line in (tmp / f"{name}.log").read_text(errors="replace").splitlines():
            if "batches by shard" in line:
                print(f"server {name}: {line}")


def test_batches_updates_and_transactions_from_two_servers_keep_exact_counts(pair):
    """On one table with a GSI (so every write reads and is guarded): counters c0..c7 get
    conditional increments and transfer transactions, and batches of 25 (the shared items s0..s11
    plus new log items) go through both servers at once, all in the same four shard objects."""
    name = "bmix"
    a = client(pair[0])
    create(a, name, gsi=True)
    counters = [f"c{i}" for i in range(8)]
    shared = [f"s{i}" for i in range(12)]
    for k in counters:
        a.put_item(TableName=name, Item={"pk": {"S": k}, "n": {"N": "0"}, "g": {"S": "C"}})
    rounds = 25
    results = {}

    def incr(w, port):
        c = client(port)
        ok, retried, conflicts, errors = 0, 0, 0, []
        for i in range(rounds * 2):
            k = counters[(w * 7 + i) % len(counters)]
            # An item a transaction holds for longer than the server's --conflict-wait answers
            # TransactionConflictException, as in DynamoDB (nothing applied; SDKs retry it): on a
            # slow machine a transfer can hold a counter that long, so it is retried (bounded)
            # and counted, like the 500s of a failed guard.
            for _ in range(20):
                r, n = retrying(lambda: c.update_item(
                    TableName=name, Key={"pk": {"S": k}}, UpdateExpression="SET n = n + :one",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":one": {"N": "1"}}))
                retried += n
                if not (isinstance(r, ClientError) and
                        r.response["Error"]["Code"] == "TransactionConflictException"):
                    break
                conflicts += 1
                time.sleep(0.05)
            if isinstance(r, Exception):
                errors.append(r)
            else:
                ok += 1
        if conflicts:
            print(f"incr {w}: {conflicts} TransactionConflictException answers retried")
        results[("incr", w)] = (ok, retried, errors)

    def transfer(w, port):
        c = client(port)
        ok, retried, conflicts, errors = 0, 0, 0, []
        for i in range(rounds):
            src, dst = counters[(w + i) % 8], counters[(w + i + 3) % 8]
            r, n = retrying(lambda: c.transact_write_items(TransactItems=[
                {"Update": {"TableName": name, "Key": {"pk": {"S": src}},
                            "UpdateExpression": "SET n = n - :one, t = :w",
                            "ExpressionAttributeValues": {":one": {"N": "1"},
                                                          ":w": {"S": f"{w}-{i}"}}}},
                {"Update": {"TableName": name, "Key": {"pk": {"S": dst}},
                            "UpdateExpression": "SET n = n + :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}}]))
            retried += n
            if isinstance(r, ClientError) and r.response["Error"]["Code"] == \
                    "TransactionCanceledException":
                conflicts += 1
            elif isinstance(r, Exception):
                errors.append(r)
            else:
                ok += 1
        results[("transfer", w)] = (ok, retried, errors, conflicts)

    def batches(w, port):
        c = client(port)
        ok, retried, errors = 0, 0, []
        for i in range(rounds):
            items = [{"pk": {"S": k}, "v": {"S": f"{w}-{i}"}, "g": {"S": "S"}} for k in shared]
            items += [{"pk": {"S": f"log-{w}-{i}-{j}"}, "g": {"S": "L"}} for j in range(13)]
            r, n = retrying(lambda: c.batch_write_item(RequestItems={
                name: [{"PutRequest": {"Item": x}} for x in items]}))
            retried += n
            if isinstance(r, Exception) or r["UnprocessedItems"]:
                errors.append(r)
            else:
                ok += 1
        results[("batch", w)] = (ok, retried, errors)

    threads = []
    for w, port in enumerate(pair):
        threads += [threading.Thread(target=incr, args=(w, port)),
                    threading.Thread(target=transfer, args=(w, port)),
                    threading.Thread(target=batches, args=(w, port))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for key, r in results.items():
        assert r[2] == [], (key, r[2][:3])
    incremented = sum(r[0] for k, r in results.items() if k[0] == "incr")
    assert incremented == 2 * 2 * rounds
    b = client(pair[1])
    total = sum(int(item_of(b, name, k)["n"]["N"]) for k in counters)
    assert total == incremented  # transfers move, never make or lose
    for w in range(2):
        for i in range(rounds):
            for j in range(13):
                assert item_of(a, name, f"log-{w}-{i}-{j}") is not None
    finals = {k: item_of(b, name, k)["v"]["S"] for k in shared}
    last = {f"{w}-{rounds - 1}" for w in range(2)}
    assert set(finals.values()) <= last, finals  # each the last batch of one of the writers
    # The GSI: one entry per item, its current values (the writers applied their entries).
    deadline = time.monotonic() + 20
    while True:
        q = b.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "S"}})["Items"]
        got = {x["pk"]["S"]: x["v"]["S"] for x in q}
        if got == finals or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got == finals
    retried = sum(r[1] for r in results.values())
    conflicts = sum(r[3] for k, r in results.items() if k[0] == "transfer")
    transfers = sum(r[0] for k, r in results.items() if k[0] == "transfer")
    print(f"{name}: {incremented} increments, {transfers} transfers ({conflicts} cancelled), "
          f"{2 * rounds} batches of 25 from two servers; retried after a 500: {retried}; "
          f"counters total {total}")


def test_batches_on_tables_with_a_stream_or_pitr_are_written_whole(pair):
    """A batch whose items have records in objects of their own (stream, PITR change records)
    runs as one transaction (docs/rados.md "BatchWriteItem"): every item written, through
    either server, with each kind of table."""
    a = client(pair[0])
    a.create_table(TableName="bstream", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    create(a, "bpitr")
    a.update_continuous_backups(TableName="bpitr", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    for name in ("bstream", "bpitr"):
        for n, port in enumerate(pair):
            c = client(port)
            keys = [f"{n}-{i}" for i in range(25)]
            r = c.batch_write_item(RequestItems={name: [
                {"PutRequest": {"Item": {"pk": {"S": k}, "v": {"N": str(n)}}}} for k in keys]})
            assert r["UnprocessedItems"] == {}
            other = client(pair[1 - n])
            for k in keys:
                assert item_of(other, name, k)["v"] == {"N": str(n)}, (name, k)
            # And deleted by a batch through the other server.
            r = other.batch_write_item(RequestItems={name: [
                {"DeleteRequest": {"Key": {"pk": {"S": k}}}} for k in keys[:10]]})
            assert r["UnprocessedItems"] == {}
            for k in keys[:10]:
                assert item_of(c, name, k) is None


def kill9(proc):
    proc.kill()
    proc.wait()
    stop_cairn(proc)


def test_token_of_a_killed_claimant_applies_exactly_once(tmp_path):
    """A1 dies after its transaction's commit point (CAIRN_RADOS_TEST_COMMIT_HOLD_MS), A2 while
    its transaction is prepared but undecided (--test-transaction-hold); the same requests with
    the same tokens retried through B: the first answered from the outcome (applied once, by
    recovery), the second run anew (cancelled by recovery, then applied once)."""
    a1_proc, a1_port = start(tmp_path, "a1", env={"CAIRN_RADOS_TEST_COMMIT_HOLD_MS": "60000"})
    a2_proc, a2_port = start(tmp_path, "a2", "--test-transaction-hold", "60000")
    b_proc, b_port = start(tmp_path, "b")
    try:
        b = client(b_port)
        name = "tokkill"
        create(b, name)
        for k in ("n1", "n2"):
            b.put_item(TableName=name, Item={"pk": {"S": k}, "n": {"N": "0"}})

        def request(k):
            return dict(ClientRequestToken=f"kill-{k}-{RUN}", TransactItems=[
                {"Update": {"TableName": name, "Key": {"pk": {"S": k}},
                            "UpdateExpression": "SET n = n + :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                {"Put": {"TableName": name, "Item": {"pk": {"S": k + "-other"}}}}])

        def send(port, k):
            try:
                client(port).transact_write_items(**request(k))
            except Exception:  # noqa: BLE001 (killed)
                pass

        # A1's transaction: once its record says COMMITTED, A1 sleeps before applying it (a read
        # of the item through B must not finish it: B would apply it as recovery does).
        old = set(txn_records())

        def records():
            return {k: v for k, v in txn_records().items() if k not in old}

        threading.Thread(target=send, args=(a1_port, "n1"), daemon=True).start()
        deadline = time.monotonic() + 10
        while "COMMITTED" not in records().values():
            assert time.monotonic() < deadline, "A1's transaction never committed"
            time.sleep(0.1)
        # A2's transaction: held (prepared, undecided) once B's write of the item conflicts.
        threading.Thread(target=send, args=(a2_port, "n2"), daemon=True).start()
        deadline = time.monotonic() + 10
        while True:
            assert time.monotonic() < deadline, "n2 was never held"
            try:
                b.update_item(TableName=name, Key={"pk": {"S": "n2"}},
                              UpdateExpression="SET w = :one",
                              ExpressionAttributeValues={":one": {"N": "1"}})
                b.update_item(TableName=name, Key={"pk": {"S": "n2"}}, UpdateExpression="REMOVE w")
            except ClientError as e:
                assert e.response["Error"]["Code"] == "TransactionConflictException", e
                break
            time.sleep(0.05)
        assert sorted(records().values()) == ["COMMITTED", "PENDING"]
        assert item_of(b, name, "n1")["n"] == {"N": "0"}  # committed, not applied yet
        time.sleep(0.5)
        killed = time.monotonic()
        kill9(a1_proc)
        kill9(a2_proc)
        answers = {}
        for k in ("n1", "n2"):
            in_progress = 0
            deadline = time.monotonic() + 40
            while True:
                assert time.monotonic() < deadline, f"the retry of {k} never answered"
                try:
                    r = b.transact_write_items(**request(k))
                    break
                except ClientError as e:
                    code = e.response["Error"]["Code"]
                    assert code in ("TransactionInProgressException",
                                    "TransactionConflictException",
                                    "TransactionCanceledException"), e
                    in_progress += 1
                    time.sleep(0.5)
            r.pop("ResponseMetadata")
            answers[k] = (r, time.monotonic() - killed, in_progress)
            assert r == {}, r
            assert item_of(b, name, k)["n"] == {"N": "1"}, k
            assert item_of(b, name, k + "-other") is not None
        # Once more: the recorded answer, still applied once.
        for k in ("n1", "n2"):
            r = b.transact_write_items(**request(k))
            r.pop("ResponseMetadata")
            assert r == {}
            assert item_of(b, name, k)["n"] == {"N": "1"}, k
        print("token of a killed claimant: " + "; ".join(
            f"{k} answered {t:.1f} s after the kill ({n} retries in progress first)"
            for k, (_, t, n) in answers.items()))
    finally:
        for proc in (a1_proc, a2_proc, b_proc):
            stop_cairn(proc, timeout=0 if proc.poll() is None else 20)


def rados_cli(*args):
    conf, pool = os.environ["CAIRN_RADOS_CONF"], os.environ["CAIRN_RADOS_POOL"]
    return subprocess.run(["rados", "-c", conf, "-p", pool, *args], capture_output=True,
                          timeout=30).stdout


def txn_records():
    """The transaction records in the pool (rados_txn.h: "x.<id>") and their states."""
    out = {}
    for o in rados_cli("ls").decode().split():
        if o.startswith("x."):
            with open(f"/tmp/cairn-state-{os.getpid()}", "wb"):
                pass
            rados_cli("getomapval", o, "state", f"/tmp/cairn-state-{os.getpid()}")
            with open(f"/tmp/cairn-state-{os.getpid()}", "rb") as f:
                out[o] = f.read().decode(errors="replace")
    return out


def gsi_tombstones(objects):
    """The tombstones (20-digit version | "~": 21-byte values) in the given GSI objects."""
    conf, pool = os.environ["CAIRN_RADOS_CONF"], os.environ["CAIRN_RADOS_POOL"]
    n = 0
    for o in objects:
        out = subprocess.run(["rados", "-c", conf, "-p", pool, "listomapvals", o],
                             capture_output=True, text=True, timeout=30).stdout
        n += len(re.findall(r"value \(21 bytes\)", out))
    return n


def gsi_objects():
    conf, pool = os.environ["CAIRN_RADOS_CONF"], os.environ["CAIRN_RADOS_POOL"]
    out = subprocess.run(["rados", "-c", conf, "-p", pool, "ls"], capture_output=True,
                         text=True, timeout=30).stdout
    return {o for o in out.split() if o.startswith("i")}


def test_gsi_tombstones_leave_after_the_grace_and_never_show(tmp_path):
    grace = 2
    env = {"CAIRN_RADOS_TEST_TOMBSTONE_GRACE_S": str(grace)}
    a_proc, a_port = start(tmp_path, "ta", env=env)
    b_proc, b_port = start(tmp_path, "tb", env=env)
    try:
        a, b = client(a_port), client(b_port)
        name = "tomb"
        before = gsi_objects()
        create(a, name, gsi=True)
        keys = shards_of(24)
        for i, k in enumerate(keys):
            (a if i % 2 else b).put_item(TableName=name,
                                          Item={"pk": {"S": k}, "g": {"S": "G"}})
        mine = gsi_objects() - before
        assert mine, "no GSI object written"
        deleted = set(keys[::2])
        for i, k in enumerate(sorted(deleted)):
            (b if i % 2 else a).delete_item(TableName=name, Key={"pk": {"S": k}})
        deleted_at = time.monotonic()
        left = sorted(set(keys) - deleted)
        seen = gsi_tombstones(mine)
        assert seen == len(deleted), seen
        queries = 0
        while True:
            for c in (a, b):
                q = c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
                assert sorted(x["pk"]["S"] for x in q) == left
                queries += 1
            now = gsi_tombstones(mine)
            if now == 0:
                break
            assert time.monotonic() - deleted_at < grace + 15, f"{now} tombstones left"
            time.sleep(0.3)
        gone = time.monotonic() - deleted_at
        assert gone >= grace - 0.5, gone  # not before the grace
        # And after: the items stay deleted, the others stay.
        q = a.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
        assert sorted(x["pk"]["S"] for x in q) == left
        print(f"GSI tombstones: {seen} written, all removed {gone:.1f} s after the deletes "
              f"(grace {grace} s); {queries} GSI Queries never showed a deleted item")
    finally:
        for proc in (a_proc, b_proc):
            stop_cairn(proc)
