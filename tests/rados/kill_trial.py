"""kill -9 of a cairn server on the RADOS engine: no acknowledged write is lost, none half-applied.

Run by tests/rados/suite inside a test cluster (CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set):
  /usr/bin/python3 tests/rados/kill_trial.py --bin build/cairn [--trials N] [--seconds S]

Per trial: a fresh server on the pool; two tables, "kt_items" with a GSI (every PutItem writes
its GSI change into an outbox entry in the item's op, applied afterwards: gsi_outbox.h) and
"kt_pairs" without; 4 writer threads for S seconds doing PutItem (with the GSI key), BatchWriteItem
of 5 items, and TransactWriteItems of 2 items in the two tables; then kill -9 in the middle of
them, a restart on the same pool, and checks:
  - every acknowledged PutItem/BatchWriteItem item is there with its value (strongly consistent
    GetItem); the GSI converges (bounded wait) to exactly the table's items, whatever outbox
    entries the kill left unapplied (counted before the restart);
  - every acknowledged transaction's two items are there; for every transaction, acknowledged or
    not, both items are there or neither (all-or-nothing across objects after the crash), checked
    once the transaction ledger (xlog.*) is empty: the killed coordinator's records were finished
    by the new server (COMMITTED applied, PENDING cancelled once its lock lapsed).
Then a replay check: with the server stopped, a redo record (the engine's format, rados_engine.cc
EncodeEffects) that removes two items in two different shard objects is written into "cairn.redo"
with python3-rados, as a crash between the record and its apply would leave it; the next start
must apply it (both items gone) and empty the log.
With --lease-check (tests/rados/suite --long): a second server on the pool while one runs must
refuse to start (exit 1, after waiting ~20 s for the lease), and start at once after the first
one stops (SIGTERM releases the lease).
Prints one line per trial with the counts; exit 1 on any loss.
"""

import argparse
import ctypes
import ctypes.util
import os
import struct
import signal
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from cairn_servers import (LIVE, StartError, free_port, outbox_entries, start_cairn,
                           table_shard_objects)


def start(binary, port, log):
    """A server on `port` (a restart reuses the killed one's), once it listens; the lease of a
    killed server lapses within 10 s, so the bound is generous."""
    try:
        return start_cairn([binary, "--engine", "rados"], log, port=port)[0]
    except StartError as e:
        raise SystemExit(f"kill_trial: {e}")


def client(port):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="killtrial", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 0}, connect_timeout=2,
                                      read_timeout=10))


def create_tables(c, trial):
    items, pairs = f"kt_items{trial}", f"kt_pairs{trial}"
    c.create_table(TableName=items, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [
                       {"AttributeName": "g", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"}}])
    c.create_table(TableName=pairs, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    return items, pairs


def writer(port, items, pairs, wid, stop, acked, attempted_txns):
    c = client(port)
    n = 0
    while not stop.is_set():
        n += 1
        kind = n % 3
        try:
            if kind == 0:
                k = f"w{wid}-{n}"
                c.put_item(TableName=items, Item={"k": {"S": k}, "g": {"S": "g" + k},
                                                  "v": {"N": str(n)}})
                acked["items"].append((k, str(n)))
            elif kind == 1:
                ks = [f"w{wid}-{n}-{j}" for j in range(5)]
                r = c.batch_write_item(RequestItems={items: [
                    {"PutRequest": {"Item": {"k": {"S": k}, "g": {"S": "g" + k},
                                             "v": {"N": str(n)}}}} for k in ks]})
                left = {x["PutRequest"]["Item"]["k"]["S"]
                        for x in r.get("UnprocessedItems", {}).get(items, [])}
                acked["items"].extend((k, str(n)) for k in ks if k not in left)
            else:
                k = f"t{wid}-{n}"
                attempted_txns.append(k)
                c.transact_write_items(TransactItems=[
                    {"Put": {"TableName": items, "Item": {"k": {"S": k}, "g": {"S": "g" + k},
                                                          "v": {"N": str(n)}}}},
                    {"Put": {"TableName": pairs, "Item": {"k": {"S": k}, "v": {"N": str(n)}}}}])
                acked["txns"].append(k)
        except Exception:  # the kill: connection refused or reset
            if stop.is_set():
                return
            time.sleep(0.01)


def trial(binary, number, seconds, log):
    port = free_port()
    proc = start(binary, port, log)
    c = client(port)
    before = table_shard_objects()  # the trial's own objects are those that appear from now on
    items, pairs = create_tables(c, number)
    stop = threading.Event()
    acked = {"items": [], "txns": []}
    attempted = []
    threads = [threading.Thread(target=writer, args=(port, items, pairs, w, stop, acked, attempted))
               for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    mine = table_shard_objects() - before
    assert mine, "the trial's writes created no table shard object"
    outboxed = outbox_entries(mine)
    started = time.monotonic()
    proc = start(binary, port, log)
    restart_s = time.monotonic() - started
    left_txns = len(ledger())
    # The killed server's unfinished batches are finished by whichever server takes its lease once
    # it lapsed (the new one, in a renewal round): wait until it is no longer listed.
    recovered_s = wait_for_servers(1) - started
    # Its transactions (docs/rados.md section 6): records left in the ledger are finished by the
    # sweeper of a live server once the coordinator's lock lapsed (COMMITTED applied, PENDING
    # cancelled); wait until the ledger is empty.
    txns_s = wait_for_empty_ledger() - started
    c = client(port)
    lost = []
    for k, v in acked["items"]:
        got = c.get_item(TableName=items, Key={"k": {"S": k}}, ConsistentRead=True).get("Item")
        if got is None or got["v"]["N"] != v:
            lost.append(("item", k))
    # The GSI converges to the table (docs/rados.md section 2): an outbox entry whose writer was
    # killed before applying it is applied by the shard's next lease holder (the new server, once
    # the killed one's outbox leases lapsed): every item in the index with its values, nothing else.
    # Converged means no outbox entry left and then the index equal to the table: an index that
    # matches while entries wait could still change (a pending put and a later pending delete).
    want = canon(scan(c, items, ConsistentRead=True))
    deadline = time.monotonic() + 60
    while True:
        pending = outbox_entries(mine)
        got = canon(scan(c, items, IndexName="by_g"))
        if pending == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    gsi_s = time.monotonic() - started
    if pending:
        lost.append(("gsi", f"{pending} outbox entries not applied after {gsi_s:.1f} s"))
    elif got != want:
        lost.append(("gsi", f"{len(set(want) - set(got))} missing, {len(set(got) - set(want))} stale"))
    acked_txns = set(acked["txns"])
    half = 0
    for k in attempted:
        a = c.get_item(TableName=items, Key={"k": {"S": k}}, ConsistentRead=True).get("Item")
        b = c.get_item(TableName=pairs, Key={"k": {"S": k}}, ConsistentRead=True).get("Item")
        if k in acked_txns and (a is None or b is None):
            lost.append(("txn", k))
        elif (a is None) != (b is None):
            half += 1
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    print(f"kill_trial {number}: {len(acked['items'])} acknowledged item writes and "
          f"{len(acked_txns)} acknowledged transactions ({len(attempted)} attempted) checked; "
          f"lost {len(lost)}, half-applied transactions {half}; restart took {restart_s:.1f} s, "
          f"the killed server recovered after {recovered_s:.1f} s, its {left_txns} unfinished "
          f"transaction records after {txns_s:.1f} s; outbox entries left by the "
          f"kill: {outboxed}, GSI ({len(want)} items) equal to the table after {gsi_s:.1f} s",
          flush=True)
    if lost:
        print(f"kill_trial: lost {lost[:10]}", flush=True)
    return not lost and half == 0


def scan(c, table, **kw):
    out, start_key = [], None
    while True:
        page = c.scan(TableName=table, **kw, **({"ExclusiveStartKey": start_key} if start_key else {}))
        out += page["Items"]
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return out


def canon(items):
    return sorted(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in x.items())) for x in items)


def servers_listed():
    """The server ids in cairn.servers (rados_engine.h: each server's heartbeat)."""
    import rados
    cluster = rados.Rados(conffile=os.environ["CAIRN_RADOS_CONF"])
    cluster.connect()
    try:
        io = cluster.open_ioctx(os.environ["CAIRN_RADOS_POOL"])
        with rados.ReadOpCtx() as op:
            it, _ = io.get_omap_vals(op, "", "", 1000)
            io.operate_read_op(op, "cairn.servers")
            return [k for k, _ in it]
    finally:
        cluster.shutdown()


def ledger():
    """The live transaction records listed in xlog.0..15 (storage/rados/rados_txn.h)."""
    import rados
    cluster = rados.Rados(conffile=os.environ["CAIRN_RADOS_CONF"])
    cluster.connect()
    try:
        io = cluster.open_ioctx(os.environ["CAIRN_RADOS_POOL"])
        ids = []
        for n in range(16):
            with rados.ReadOpCtx() as op:
                it, _ = io.get_omap_vals(op, "", "", 1000)
                try:
                    io.operate_read_op(op, f"xlog.{n}")
                except rados.ObjectNotFound:
                    continue
                ids += [k for k, _ in it]
        return ids
    finally:
        cluster.shutdown()


def wait_for_empty_ledger(timeout=40):
    """Waits until no transaction record is listed; returns the time.monotonic() it was so."""
    deadline = time.monotonic() + timeout
    while ledger():
        if time.monotonic() > deadline:
            raise SystemExit(f"kill_trial: transaction records still listed: {ledger()[:5]}")
        time.sleep(0.5)
    return time.monotonic()


def wait_for_servers(n, timeout=40):
    """Waits until cairn.servers lists n servers; returns the time.monotonic() it did."""
    deadline = time.monotonic() + timeout
    while len(servers_listed()) != n:
        if time.monotonic() > deadline:
            raise SystemExit(f"kill_trial: cairn.servers still lists {servers_listed()}")
        time.sleep(0.5)
    return time.monotonic()


def record(effects):
    """The redo record of {object: [omap keys to remove]} (EncodeEffects's layout)."""
    def b(x):
        return struct.pack(">I", len(x)) + x
    out = struct.pack(">I", len(effects))
    for name, keys in sorted(effects.items()):
        out += b(name.encode()) + b"\0" + struct.pack(">I", len(keys))
        for k in sorted(keys):
            out += b(k) + b"\0"
    return out


def replay_check(binary, log):
    import rados
    port = free_port()
    proc = start(binary, port, log)
    c = client(port)
    table_name = f"kt_replay{os.getpid()}"
    c.create_table(TableName=table_name, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    for i in range(16):
        c.put_item(TableName=table_name, Item={"k": {"S": f"r{i}"}, "v": {"N": str(i)}})
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    cluster = rados.Rados(conffile=os.environ["CAIRN_RADOS_CONF"])
    cluster.connect()
    try:
        io = cluster.open_ioctx(os.environ["CAIRN_RADOS_POOL"])
        # The item keys (storage/key_encoding.h): table id | XXH3_64(pk) | len u16 | pk, in
        # object t<id>.2-<top 2 hash bits> (python3-rados cuts omap keys at a NUL, so they are
        # computed, not listed). The table is the newest id among the shard objects.
        xxh = ctypes.CDLL(ctypes.util.find_library("xxhash") or "libxxhash.so.0")
        xxh.XXH3_64bits.restype = ctypes.c_uint64
        xxh.XXH3_64bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
        table = max(int(o.key[1:].split(".")[0]) for o in io.list_objects()
                    if o.key.startswith("t"))
        effects = {}
        for i in range(16):
            pk = f"r{i}".encode()
            h = xxh.XXH3_64bits(pk, len(pk))
            name = f"t{table}.2-{h >> 62:x}"
            if name not in effects:
                effects[name] = [b"\x01" + struct.pack(">IQH", table, h, len(pk)) + pk]
            if len(effects) == 2:
                break
        assert len(effects) == 2
        # As a dead server "42" would leave it: its record, its heartbeat long stale, no lease.
        with rados.WriteOpCtx() as op:
            io.set_omap(op, ("00000000000000000000",), (record(effects),))
            io.operate_write_op(op, "cairn.redo.42")
        with rados.WriteOpCtx() as op:
            io.set_omap(op, ("42",), (b"00000000000000000001",))
            io.operate_write_op(op, "cairn.servers")
        proc = start(binary, port, log)
        c = client(port)
        left = c.scan(TableName=table_name, ConsistentRead=True)["Count"]
        pending = [o.key for o in io.list_objects() if o.key == "cairn.redo.42"]
        pending += [k for k in servers_listed() if k == "42"]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        cluster.shutdown()
    ok = left == 14 and not pending
    print(f"kill_trial replay: a redo record removing 2 items of 16 in 2 shards, left by a "
          f"'crash': {left} items after the restart (14 expected), {len(pending)} traces left "
          f"of the dead server: {'ok' if ok else 'FAILED'}", flush=True)
    return ok


def lease_check(binary, log):
    first = start(binary, free_port(), log)
    began = time.monotonic()
    second = start(binary, free_port(), log)  # alive servers are not waited for
    took = time.monotonic() - began
    listed = len(servers_listed())
    for p in (first, second):
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    left = len(servers_listed())
    ok = took < 5 and listed == 2 and left == 0
    print(f"kill_trial lease: a second server on the pool started in {took:.1f} s while the "
          f"first ran, {listed} listed; after both stopped, {left} listed: "
          f"{'ok' if ok else 'FAILED'}", flush=True)
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--trials", type=int, default=1)
    p.add_argument("--seconds", type=float, default=4)
    p.add_argument("--lease-check", action="store_true")
    a = p.parse_args()
    if not os.environ.get("CAIRN_RADOS_CONF"):
        raise SystemExit("kill_trial: run inside tests/rados/cluster run (CAIRN_RADOS_CONF unset)")
    ok = True
    with tempfile.NamedTemporaryFile(prefix="cairn-kill-", suffix=".log", delete=False) as log:
        try:
            for n in range(a.trials):
                ok = trial(a.bin, n, a.seconds, log) and ok
            ok = replay_check(a.bin, log) and ok
            if a.lease_check:
                ok = lease_check(a.bin, log) and ok
        finally:
            for p in LIVE:
                if p.poll() is None:
                    p.kill()
                    p.wait()
    if not ok:
        print(f"kill_trial: FAILED (server log {log.name})", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
