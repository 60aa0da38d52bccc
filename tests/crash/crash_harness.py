"""Crash consistency: kill -9 the real server under a mixed write load, restart it, check everything.

What must hold (ARCHITECTURE.md: a write is answered only once it is in RocksDB's write-ahead log,
so a process kill loses nothing acknowledged, with or without --sync; DynamoDB: a transaction is
all or nothing, and an acknowledged write is durable):
- every acknowledged PutItem or BatchWriteItem put is there with the value it was written with,
  every acknowledged delete stays deleted, and nothing is there that was never sent;
- every counter (UpdateItem ADD 1) is >= its acknowledged ADDs and <= acknowledged + unanswered;
- TransactWriteItems transfers (two account updates and a marker item in one transaction) conserve
  the total exactly, and the balances are exactly those the markers present describe;
- every global secondary index matches the base table both ways (its Scan and its Queries against
  the items of the table that carry its key attributes, projected), also for an index added by
  UpdateTable over existing items while the load runs and the server is killed during its backfill
  (checked once the resumed backfill has made it ACTIVE);
- the table's stream holds, for each item, records that end with the item as it is (INSERT/MODIFY
  with its NewImage, or REMOVE for a deleted one), one record per counter increment and one per
  applied transfer on each account.

How: a data directory lives for --trials-per-dir trials (fresh table, GSI, stream, accounts);
trial k starts the server (--sync on every other data directory), drives PutItem, UpdateItem ADD,
BatchWriteItem (puts and deletes) and TransactWriteItems from several client threads over raw
HTTP with keep-alive, records every answer, kills the server with SIGKILL at a random moment,
restarts it on the same directory and port, and checks the state against the model of what was
acknowledged (200), refused (4xx: must not be applied) and unanswered (either). The second trial
of each directory first loads more items, then adds a GSI (UpdateTable) while the load runs and
kills the server within the expected backfill time. The model then absorbs what the server showed,
and the next trial continues on the same directory (so recovery after recovery is exercised too).

Usage: tests/crash/run [--long] [--trials N] [--bin PATH] [--seed S]  (this file takes the same
flags; run it with Debian's /usr/bin/python3). Exit status 0 when every check held; on a failure
the data directory and the server log are kept and the seed is printed for a rerun.
"""

import argparse
import http.client
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

TABLE = "crash"
GSI = "by_g"               # present from CreateTable: g (S) / gs (N), projection ALL
ACCOUNTS = 16
START_BALANCE = 40   # low: some transfers fail their condition (refused: nothing applied)
COUNTERS = 24
G_BUCKETS = 6
THREADS = 4
STREAMS_TARGET = "DynamoDBStreams_20120810."
AMZ_DATE = "20250101T000000Z"  # the request date beside the (unchecked) SigV4 Authorization
WAIT_ACTIVE_S = 120.0


class CheckFailed(Exception):
    pass


def av_s(s):
    return {"S": s}


def av_n(n):
    return {"N": str(n)}


def new_item(key, rng):
    """A unique item: in the GSI unless it lacks g (sparse), in every backfilled index (h, v)."""
    item = {"pk": av_s(key), "v": av_n(rng.randrange(10**9)),
            "h": av_s(f"h{rng.randrange(5)}"), "pad": av_s("x" * rng.randrange(200))}
    if rng.random() < 0.85:
        item["g"] = av_s(f"g{rng.randrange(G_BUCKETS)}")
        item["gs"] = av_n(rng.randrange(1000))
    return item


class Model:
    """What the clients know about the table: every write sent and what its answer said.

    For unique items (puts, batch puts, transfer markers): `must` (acknowledged: present with this
    item), `maybe` (sent, unanswered: this item or absent), `gone` (delete acknowledged: absent),
    `maybe_gone` (delete unanswered: absent or still the item). Counters: [lo, hi] per counter.
    Accounts: the balance each has after the markers known so far; markers give the transfers.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.must = {}
        self.maybe = {}
        self.gone = set()
        self.maybe_gone = {}
        self.deletable = []            # acknowledged put keys a BatchWriteItem may delete
        self.counter_lo = [0] * COUNTERS
        self.counter_hi = [0] * COUNTERS
        self.acked = 0                 # acknowledged writes (one per item of a batch) this trial
        self.refused = 0
        self.unanswered = 0

    # Transitions, all under self.lock.
    def sent_put(self, key, item):
        self.maybe[key] = item

    def answered_put(self, key, ok, deletable=True):
        item = self.maybe.pop(key)
        if ok:
            self.must[key] = item
            if deletable:
                self.deletable.append(key)

    def take_deletable(self, rng):
        if not self.deletable:
            return None
        i = rng.randrange(len(self.deletable))
        self.deletable[i], self.deletable[-1] = self.deletable[-1], self.deletable[i]
        key = self.deletable.pop()
        self.maybe_gone[key] = self.must.pop(key)
        return key

    def answered_delete(self, key, ok):
        item = self.maybe_gone.pop(key)
        if ok:
            self.gone.add(key)
        else:
            self.must[key] = item
            self.deletable.append(key)


class Loader:
    """Client threads driving the mixed load until stopped or the server dies."""

    def __init__(self, port, auth, model, seed, trial_tag):
        self.port = port
        self.auth = auth
        self.model = model
        self.seed = seed
        self.tag = trial_tag
        self.stop = threading.Event()
        self.errors = []         # unexpected answers (5xx, or a 4xx that no operation here causes)
        self.threads = []

    def start(self, n):
        for t in range(n):
            th = threading.Thread(target=self._run, args=(t,), daemon=True)
            self.threads.append(th)
            th.start()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for th in self.threads:
            th.join(max(0.0, deadline - time.monotonic()))
        return not any(th.is_alive() for th in self.threads)

    def _run(self, tid):
        rng = random.Random(f"{self.seed}/{self.tag}/{tid}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        n = itertools.count()
        ops = [self._put] * 3 + [self._add] * 3 + [self._batch] + [self._transfer] * 2
        try:
            while not self.stop.is_set():
                if not rng.choice(ops)(conn, rng, f"{self.tag}#{tid}#{next(n)}"):
                    return
        finally:
            conn.close()

    def _post(self, conn, target, body):
        """(status, json) for an answer; None when the connection died (the server was killed)."""
        data = json.dumps(body).encode()
        try:
            conn.request("POST", "/", body=data, headers={
                "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target,
                "Authorization": self.auth, "X-Amz-Date": AMZ_DATE})
            r = conn.getresponse()
            payload = r.read()
        except (OSError, http.client.HTTPException):
            return None
        return r.status, (json.loads(payload) if payload else None)

    def _answer(self, conn, op, body, refusals=()):
        """True: acknowledged; False: refused (nothing applied); None: unanswered."""
        r = self._post(conn, "DynamoDB_20120810." + op, body)
        if r is None:
            return None
        status, js = r
        if status == 200:
            return True
        kind = (js or {}).get("__type", "").rsplit("#", 1)[-1]
        if status == 400 and kind in refusals:
            return False
        self.errors.append(f"{op}: HTTP {status} {js}")
        self.stop.set()
        return False

    def _finish(self, result, count=1):
        m = self.model
        if result is None:
            m.unanswered += count
        elif result:
            m.acked += count
        else:
            m.refused += count
        return result is not None

    def _put(self, conn, rng, uid):
        key = f"p#{uid}"
        item = new_item(key, rng)
        m = self.model
        with m.lock:
            m.sent_put(key, item)
        ok = self._answer(conn, "PutItem", {"TableName": TABLE, "Item": item})
        with m.lock:
            if ok is not None:
                m.answered_put(key, ok)
            return self._finish(ok)

    def _add(self, conn, rng, uid):
        del uid
        i = rng.randrange(COUNTERS)
        m = self.model
        with m.lock:
            m.counter_hi[i] += 1
        ok = self._answer(conn, "UpdateItem", {
            "TableName": TABLE, "Key": {"pk": av_s(f"ctr#{i}")},
            "UpdateExpression": "ADD c :one", "ExpressionAttributeValues": {":one": av_n(1)}})
        with m.lock:
            if ok is True:
                m.counter_lo[i] += 1
            elif ok is False:
                m.counter_hi[i] -= 1
            return self._finish(ok)

    def _batch(self, conn, rng, uid):
        m = self.model
        puts = {f"b#{uid}#{j}": None for j in range(rng.randrange(1, 16))}
        with m.lock:
            for key in puts:
                puts[key] = new_item(key, rng)
                m.sent_put(key, puts[key])
            deletes = [k for k in (m.take_deletable(rng) for _ in range(rng.randrange(4))) if k]
        requests = [{"PutRequest": {"Item": it}} for it in puts.values()] + [
            {"DeleteRequest": {"Key": {"pk": av_s(k)}}} for k in deletes]
        r = self._post(conn, "DynamoDB_20120810.BatchWriteItem", {"RequestItems": {TABLE: requests}})
        unprocessed = set()
        if r is None:
            ok = None
        elif r[0] == 200:
            ok = True
            for req in r[1].get("UnprocessedItems", {}).get(TABLE, []):
                inner = req.get("PutRequest", {}).get("Item") or req["DeleteRequest"]["Key"]
                unprocessed.add(inner["pk"]["S"])
        else:
            self.errors.append(f"BatchWriteItem: HTTP {r[0]} {r[1]}")
            self.stop.set()
            ok = False
        with m.lock:
            for key in puts:
                if ok is not None:
                    m.answered_put(key, ok and key not in unprocessed)
            for key in deletes:
                if ok is not None:
                    m.answered_delete(key, ok and key not in unprocessed)
            return self._finish(ok, len(requests) - len(unprocessed))

    def _transfer(self, conn, rng, uid):
        src, dst = rng.sample(range(ACCOUNTS), 2)
        amount = rng.randrange(1, 6)
        key = f"tx#{uid}"
        marker = {"pk": av_s(key), "from": av_n(src), "to": av_n(dst), "amount": av_n(amount)}
        m = self.model
        with m.lock:
            m.sent_put(key, marker)
        ok = self._answer(conn, "TransactWriteItems", {"TransactItems": [
            {"Update": {"TableName": TABLE, "Key": {"pk": av_s(f"acct#{src}")},
                        "UpdateExpression": "SET bal = bal - :a", "ConditionExpression": "bal >= :a",
                        "ExpressionAttributeValues": {":a": av_n(amount)}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": av_s(f"acct#{dst}")},
                        "UpdateExpression": "SET bal = bal + :a",
                        "ExpressionAttributeValues": {":a": av_n(amount)}}},
            {"Put": {"TableName": TABLE, "Item": marker,
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ]}, refusals=("TransactionCanceledException", "TransactionConflictException"))
        with m.lock:
            if ok is not None:
                m.answered_put(key, ok, deletable=False)
            return self._finish(ok)


class Harness:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.work = Path(tempfile.mkdtemp(prefix="cairn-crash-"))
        self.access_key = unique_access_key()
        # Unsigned (Cairn does not check signatures) but complete: a SigV4 Authorization header needs
        # an X-Amz-Date (or Date) header beside it, or the answer is IncompleteSignatureException.
        self.auth = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/20250101/{REGION}/dynamodb/"
                     "aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
        self.totals = {"trials": 0, "acked": 0, "refused": 0, "unanswered": 0, "items": 0,
                       "stream_records": 0, "backfill_trials": 0, "killed_mid_backfill": 0, "resumed_backfill": 0,
                       "sync_trials": 0}
        self.server = None
        self.model = None
        self.indexes = {}  # name -> (hash attribute, range attribute or None, projection type)

    # -- requests for setup and verification (raw JSON: fast to decode in bulk) ---------------

    def call(self, op, body, target_prefix="DynamoDB_20120810."):
        try:
            r = self.raw.request(None, body, target=target_prefix + op, sign=False,
                                 headers={"Authorization": self.auth, "X-Amz-Date": AMZ_DATE})
        except (OSError, http.client.HTTPException) as e:
            raise CheckFailed(f"{op}: no answer ({e!r}); server log:\n"
                              f"{self.server.read_log()[-4000:]}") from e
        if r.status != 200:
            raise CheckFailed(f"{op} answered {r.status}: {r.body[:500]!r}")
        return r.json

    def paged(self, op, body):
        """Every item of a Scan or Query, page by page."""
        out, start = [], None
        while True:
            page = self.call(op, dict(body, ExclusiveStartKey=start) if start else body)
            out.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    # -- a data directory's life -----------------------------------------------------------------

    def new_dir(self, life):
        data_dir = self.work / f"data{life}"
        log = self.work / f"cairn{life}.log"
        sync = life % 2 == 1
        self.server = CairnServer(data_dir, log, ["--sync"] if sync else [])
        self.server.start()  # restarts (after each kill) keep its port, data directory and flags
        self.raw = self.server.raw(self.access_key)
        self.model = Model()
        self.indexes = {GSI: ("g", "gs", "ALL")}
        self.call("CreateTable", {
            "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "g", "AttributeType": "S"},
                                     {"AttributeName": "gs", "AttributeType": "N"}],
            "GlobalSecondaryIndexes": [{
                "IndexName": GSI, "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                              {"AttributeName": "gs", "KeyType": "RANGE"}]}],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
        self.wait_active()
        accounts = [{"pk": av_s(f"acct#{a}"), "bal": av_n(START_BALANCE)} for a in range(ACCOUNTS)]
        self.batch_put(accounts)
        return sync

    def batch_put(self, items):
        for i in range(0, len(items), 25):
            r = self.call("BatchWriteItem", {"RequestItems": {TABLE: [
                {"PutRequest": {"Item": it}} for it in items[i:i + 25]]}})
            if r.get("UnprocessedItems"):
                raise CheckFailed(f"unprocessed items in a setup batch: {r['UnprocessedItems']}")

    def wait_active(self):
        deadline = time.monotonic() + WAIT_ACTIVE_S
        while True:
            t = self.call("DescribeTable", {"TableName": TABLE})["Table"]
            states = [t["TableStatus"]] + [g["IndexStatus"] for g in
                                           t.get("GlobalSecondaryIndexes", [])]
            if all(s == "ACTIVE" for s in states):
                return t
            if time.monotonic() > deadline:
                raise CheckFailed(f"table or index not ACTIVE after {WAIT_ACTIVE_S} s: {states}")
            time.sleep(0.05)

    def creating(self):
        t = self.call("DescribeTable", {"TableName": TABLE})["Table"]
        return [g["IndexName"] for g in t.get("GlobalSecondaryIndexes", [])
                if g["IndexStatus"] != "ACTIVE"]

    # -- one trial -------------------------------------------------------------------------------

    def trial(self, k, life, within, sync):
        a = self.args
        m = self.model
        m.acked = m.refused = m.unanswered = 0
        tag = f"{life}.{within}"
        backfill = within == 1
        before_kill = []
        if backfill:
            # More items for the backfill to walk, acknowledged before the load starts.
            preload = [new_item(f"pre#{tag}#{i}", self.rng)
                       for i in range(a.preload)]
            self.batch_put(preload)
            with m.lock:
                for it in preload:
                    m.must[it["pk"]["S"]] = it
                    m.deletable.append(it["pk"]["S"])
        loader = Loader(self.server.port, self.auth, m, a.seed, tag)
        loader.start(THREADS)
        if backfill:
            time.sleep(self.rng.uniform(0.05, 0.3))
            name = f"by_h{tag.replace('.', '_')}"
            self.call("UpdateTable", {
                "TableName": TABLE,
                "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"},
                                         {"AttributeName": "v", "AttributeType": "N"}],
                "GlobalSecondaryIndexUpdates": [{"Create": {
                    "IndexName": name,
                    "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"},
                                  {"AttributeName": "v", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["gs"]}}}]})
            self.indexes[name] = ("h", "v", "INCLUDE:gs")
            time.sleep(self.rng.uniform(0.0, a.backfill_kill_s))
            before_kill = self.creating()
        else:
            time.sleep(self.rng.uniform(0.02, a.traffic_s))
        if self.server.proc.poll() is not None:  # it must die of the kill, not before
            raise CheckFailed(f"the server exited ({self.server.proc.returncode}) before the kill:"
                              f"\n{self.server.read_log()[-4000:]}")
        self.server.kill()  # SIGKILL
        loader.stop.set()
        if not loader.join(20):
            raise CheckFailed("client threads did not stop after the kill")
        if loader.errors:
            raise CheckFailed(f"unexpected answers during the load: {loader.errors[:5]}")
        self.server.start()
        if backfill:
            self.totals["backfill_trials"] += 1
            self.totals["killed_mid_backfill"] += bool(before_kill)
            self.totals["resumed_backfill"] += bool(self.creating())
        self.verify()
        t = self.totals
        t["trials"] += 1
        t["sync_trials"] += sync
        t["acked"] += m.acked
        t["refused"] += m.refused
        t["unanswered"] += m.unanswered
        print(f"trial {k + 1}: dir {life} {'--sync' if sync else 'no sync'}"
              f"{' backfill' + (' (killed mid-backfill)' if before_kill else '') if backfill else ''}"
              f": {m.acked} acknowledged, {m.refused} refused, {m.unanswered} unanswered; ok",
              flush=True)

    # -- the checks ------------------------------------------------------------------------------

    def verify(self):
        m = self.model
        self.wait_active()
        table = {it["pk"]["S"]: it for it in self.paged("Scan", {"TableName": TABLE,
                                                                 "ConsistentRead": True})}
        self.totals["items"] += len(table)
        problems = []
        counters, balances, markers = {}, {}, {}
        for key, it in table.items():
            if key.startswith("ctr#"):
                counters[int(key[4:])] = int(it["c"]["N"])
            elif key.startswith("acct#"):
                balances[int(key[5:])] = int(it["bal"]["N"])
            else:
                if key.startswith("tx#"):
                    markers[key] = it
                expected = m.must.get(key) or m.maybe.get(key) or m.maybe_gone.get(key)
                if expected is None:
                    problems.append(f"item never written (or refused, or deleted): {it}")
                elif it != expected:
                    problems.append(f"item {key} is {it}, written as {expected}")
        for key in m.must:
            if key not in table:
                problems.append(f"LOST acknowledged item {key}: {m.must[key]}")
        for key in m.gone:
            if key in table:
                problems.append(f"acknowledged delete undone: {key}")
        for i in range(COUNTERS):
            c = counters.get(i, 0)
            if not m.counter_lo[i] <= c <= m.counter_hi[i]:
                problems.append(f"counter {i} = {c}, acknowledged ADDs {m.counter_lo[i]}, "
                                f"sent {m.counter_hi[i]}")
        expected_bal = {a: START_BALANCE for a in range(ACCOUNTS)}
        for it in markers.values():
            amount = int(it["amount"]["N"])
            expected_bal[int(it["from"]["N"])] -= amount
            expected_bal[int(it["to"]["N"])] += amount
        if sum(balances.values()) != ACCOUNTS * START_BALANCE:
            problems.append(f"transfers not conserved: total {sum(balances.values())}")
        if balances != expected_bal:
            problems.append(f"balances {balances} differ from the markers' {expected_bal}")
        problems += self.check_indexes(table)
        problems += self.check_stream(table, counters, markers)
        if problems:
            raise CheckFailed("\n".join(problems[:30]) + f"\n({len(problems)} problems)")
        # The model absorbs what the server showed: unanswered writes are now known.
        with m.lock:
            for key, item in m.maybe.items():  # a put that was applied, or never was
                if key in table:
                    m.must[key] = item
                    if not key.startswith("tx#"):
                        m.deletable.append(key)
            for key, item in m.maybe_gone.items():  # a delete that was applied, or never was
                if key in table:
                    m.must[key] = item
                    m.deletable.append(key)
                else:
                    m.gone.add(key)
            m.maybe.clear()
            m.maybe_gone.clear()
            m.counter_lo = [counters.get(i, 0) for i in range(COUNTERS)]
            m.counter_hi = list(m.counter_lo)

    def check_indexes(self, table):
        problems = []
        for name, (hk, rk, projection) in self.indexes.items():
            expected = {}
            for key, it in table.items():
                if hk in it and rk in it:
                    if projection == "ALL":
                        expected[key] = it
                    else:
                        keep = {"pk", hk, rk, *projection.split(":")[1].split(",")}
                        expected[key] = {a: v for a, v in it.items() if a in keep}
            scanned = self.paged("Scan", {"TableName": TABLE, "IndexName": name})
            got = {it["pk"]["S"]: it for it in scanned}
            if len(got) != len(scanned):
                problems.append(f"index {name}: an item appears twice in its Scan")
            queried = {}
            for h in {it[hk]["S"] for it in expected.values()} | {it[hk]["S"] for it in scanned}:
                for it in self.paged("Query", {
                        "TableName": TABLE, "IndexName": name,
                        "KeyConditionExpression": "#h = :h",
                        "ExpressionAttributeNames": {"#h": hk},
                        "ExpressionAttributeValues": {":h": av_s(h)}}):
                    queried[it["pk"]["S"]] = it
            for what, seen in (("Scan", got), ("Query", queried)):
                for key in expected.keys() - seen.keys():
                    problems.append(f"index {name} ({what}) lacks item {key}")
                for key in seen.keys() - expected.keys():
                    problems.append(f"index {name} ({what}) has {key}, not in the table: "
                                    f"{seen[key]}")
                for key in expected.keys() & seen.keys():
                    if expected[key] != seen[key]:
                        problems.append(f"index {name} ({what}) has {seen[key]} for {key}, "
                                        f"the table {expected[key]}")
        return problems

    def check_stream(self, table, counters, markers):
        arn = self.call("DescribeTable", {"TableName": TABLE})["Table"]["LatestStreamArn"]
        shards = self.call("DescribeStream", {"StreamArn": arn},
                           STREAMS_TARGET)["StreamDescription"]["Shards"]
        records = []
        for shard in shards:
            it = self.call("GetShardIterator", {
                "StreamArn": arn, "ShardId": shard["ShardId"],
                "ShardIteratorType": "TRIM_HORIZON"}, STREAMS_TARGET)["ShardIterator"]
            while it:
                page = self.call("GetRecords", {"ShardIterator": it, "Limit": 1000}, STREAMS_TARGET)
                records.extend(page["Records"])
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
        self.totals["stream_records"] += len(records)
        by_key = {}
        for r in sorted(records, key=lambda r: int(r["dynamodb"]["SequenceNumber"])):
            by_key.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(r)
        problems = []
        for key, it in table.items():
            recs = by_key.get(key, [])
            if not recs or recs[-1]["eventName"] == "REMOVE" or \
                    recs[-1]["dynamodb"].get("NewImage") != it:
                problems.append(f"stream: the last record of {key} is not the item: "
                                f"{recs[-1:] or 'no record'}")
        for key in self.model.gone:
            recs = by_key.get(key, [])
            if not recs or recs[-1]["eventName"] != "REMOVE":
                problems.append(f"stream: deleted item {key} has no REMOVE record last")
        for i, c in counters.items():
            if len(by_key.get(f"ctr#{i}", [])) != c:
                problems.append(f"stream: counter {i} = {c} has "
                                f"{len(by_key.get(f'ctr#{i}', []))} records")
        involved = {a: 1 for a in range(ACCOUNTS)}  # the initial put
        for it in markers.values():
            involved[int(it["from"]["N"])] += 1
            involved[int(it["to"]["N"])] += 1
        for a, n in involved.items():
            if len(by_key.get(f"acct#{a}", [])) != n:
                problems.append(f"stream: account {a} has {len(by_key.get(f'acct#{a}', []))} "
                                f"records, {n} transfers and its creation")
        return problems

    def run(self):
        a = self.args
        k = 0
        life = 0
        try:
            while k < a.trials:
                sync = self.new_dir(life)
                for within in range(a.trials_per_dir):
                    if k >= a.trials:
                        break
                    self.trial(k, life, within, sync)
                    k += 1
                self.server.kill()
                shutil.rmtree(self.work / f"data{life}", ignore_errors=True)
                life += 1
        except CheckFailed as e:
            if self.server is not None:
                self.server.kill()
            print(f"FAILED in trial {k + 1} (seed {a.seed}): {e}\nkept: {self.work}", flush=True)
            return 1
        shutil.rmtree(self.work, ignore_errors=True)
        return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--long", action="store_true",
                   help="the deep run: 102 trials, longer loads (also CAIRN_LONG=1)")
    p.add_argument("--trials", type=int, help="number of kills (default 6, --long 102)")
    p.add_argument("--bin", default=str(REPO / "build" / "cairn"), help="the cairn binary")
    p.add_argument("--seed", type=int, default=int(time.time()))
    p.add_argument("--trials-per-dir", type=int, default=3)
    a = p.parse_args()
    a.long = a.long or os.environ.get("CAIRN_LONG") == "1"  # ./cairn.sh test --long sets it
    a.trials = a.trials or (102 if a.long else 6)
    a.traffic_s = 3.0 if a.long else 1.2           # a plain trial's kill: uniform in (0.02, this)
    a.preload = 8000 if a.long else 4000           # items the backfill walks, besides the others
    a.backfill_kill_s = 0.4 if a.long else 0.25   # the kill after UpdateTable: uniform in (0, this)
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"no cairn binary at {a.bin} (build it, or pass --bin)")
    os.environ["CAIRN_BIN"] = os.path.abspath(a.bin)
    global CairnServer, unique_access_key, REGION
    sys.path.insert(0, str(REPO / "tests" / "integration"))
    from conftest import CairnServer, unique_access_key, REGION  # noqa: E402 (needs CAIRN_BIN)
    h = Harness(a)
    began = time.monotonic()
    print(f"crash harness: {a.trials} trials, seed {a.seed}, {a.bin}", flush=True)
    code = h.run()
    t = h.totals
    print(f"crash harness: {t['trials']} trials ({t['sync_trials']} with --sync, "
          f"{t['backfill_trials']} during a GSI backfill: {t['killed_mid_backfill']} killed "
          f"while the index was CREATING, {t['resumed_backfill']} found it still CREATING after the "
          f"restart), {t['acked']} acknowledged writes checked, "
          f"{t['refused']} refused, {t['unanswered']} unanswered at the kill; "
          f"{t['items']} items and {t['stream_records']} stream records read back; "
          f"{'FAILED' if code else 'no failure'}; {time.monotonic() - began:.1f} s", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
