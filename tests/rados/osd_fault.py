"""kill -9 and restart of an OSD under writes through two cairn servers (issue 20's OSD fault test).

Run by tests/rados/suite inside a test cluster of 3 OSDs and pool size 3 (min_size 2, so writes go
on with one OSD down; CAIRN_RADOS_CONF, CAIRN_RADOS_POOL set):
  /usr/bin/python3 tests/rados/osd_fault.py --bin build/cairn [--trials N] [--seconds S]

Two servers A and B on the pool; a table "of_items<trial>" (hash key, no index). Four writers
(two per server) loop for the trial: PutItem of a new item, or BatchWriteItem of 5 new items
(several shard objects: the engine's redo-record path). A third of the way in, one OSD (osd.<trial
mod 3>) is killed with SIGKILL; at two thirds it is started again (memstore: it comes back empty
and is backfilled by the others). Then, once every PG is active+clean again (bounded), checks:
  - every acknowledged item (PutItem answered 200; BatchWriteItem items not in UnprocessedItems)
    reads back with its value through the other server (GetItem, ConsistentRead): none lost;
  - every request either succeeded or failed with a retryable 500 or 503 (DynamoDB's
    InternalServerError / ServiceUnavailable, which SDKs retry): never a 4xx, never a connection
    error, and none took longer than the engine's op timeout (30 s) plus a margin.
Prints one line per trial: requests, answers by status and error type, acknowledged writes
checked, lost, the longest request; exit 1 if any check failed.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from botocore.exceptions import ClientError

from cairn_servers import boto_client, start_cairn, stop_cairn, StartError

OP_TIMEOUT_S = 30  # RadosOptions::op_timeout_seconds (rados_osd_op_timeout)
SLOW_BOUND_S = OP_TIMEOUT_S + 5
KEY = "OSDFAULT"


def cluster_dir():
    return os.path.dirname(os.path.abspath(os.environ["CAIRN_RADOS_CONF"]))


def ceph(*args, timeout=30):
    r = subprocess.run(["ceph", "-c", os.environ["CAIRN_RADOS_CONF"], "--connect-timeout", "20",
                        *args], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"ceph {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def osd_count():
    return len(glob.glob(os.path.join(cluster_dir(), "run", "osd.*.pid")))


def pool_size():
    return int(json.loads(ceph("osd", "pool", "get", os.environ["CAIRN_RADOS_POOL"], "size",
                               "-f", "json"))["size"])


def kill_osd(osd):
    """SIGKILL to osd.<osd> (by its pid file, tests/rados/cluster writes it); returns the pid."""
    with open(os.path.join(cluster_dir(), "run", f"osd.{osd}.pid")) as f:
        pid = int(f.read().strip())
    os.kill(pid, 9)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.05)
    return pid


def start_osd(osd):
    """Starts osd.<osd> again, as tests/rados/cluster does (it daemonizes, writing its pid file)."""
    d = cluster_dir()
    with open(os.path.join(d, "log", f"osd.{osd}.err"), "ab") as err:
        subprocess.run(["ceph-osd", "-c", os.environ["CAIRN_RADOS_CONF"], "-i", str(osd)],
                       stdout=subprocess.DEVNULL, stderr=err, check=True, timeout=60)


def wait_clean(timeout):
    """Waits until every OSD is up and every PG active+clean; returns the seconds it took."""
    began = time.monotonic()
    deadline = began + timeout
    while True:
        try:
            s = json.loads(ceph("status", "-f", "json"))
            up = s["osdmap"].get("num_up_osds", 0)
            states = s["pgmap"].get("pgs_by_state", [])
            total = s["pgmap"].get("num_pgs", 0)
            clean = sum(x["count"] for x in states if x["state_name"] == "active+clean")
            if up == osd_count() and total > 0 and clean == total:
                return time.monotonic() - began
        except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"osd_fault: the cluster is not clean {timeout} s after the restart")
        time.sleep(0.5)


class Tally:
    """What the writers saw, shared by their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []  # (key, value)
        self.answers = collections.Counter()  # "200", "500 InternalServerError", "error ..."
        self.bad = []  # requests that broke the contract
        self.slowest = 0.0
        self.requests = 0

    def note(self, outcome, seconds, acked=()):
        with self.lock:
            self.requests += 1
            self.answers[outcome] += 1
            self.acked.extend(acked)
            self.slowest = max(self.slowest, seconds)
            ok = outcome == "200" or outcome.split()[0] in ("500", "503")
            if not ok or seconds > SLOW_BOUND_S:
                self.bad.append((outcome, round(seconds, 1)))


def writer(port, table, wid, stop, tally):
    c = boto_client(port, KEY, retries=0, read_timeout=SLOW_BOUND_S + 10)
    n = 0
    while not stop.is_set():
        n += 1
        t0 = time.monotonic()
        acked = []
        try:
            if n % 2:
                k = f"w{wid}-{n}"
                c.put_item(TableName=table, Item={"k": {"S": k}, "v": {"N": str(n)}})
                acked = [(k, str(n))]
            else:
                ks = [f"w{wid}-{n}-{j}" for j in range(5)]
                r = c.batch_write_item(RequestItems={table: [
                    {"PutRequest": {"Item": {"k": {"S": k}, "v": {"N": str(n)}}}} for k in ks]})
                left = {x["PutRequest"]["Item"]["k"]["S"]
                        for x in r.get("UnprocessedItems", {}).get(table, [])}
                acked = [(k, str(n)) for k in ks if k not in left]
            outcome = "200"
        except ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            outcome = f"{status} {e.response.get('Error', {}).get('Code', '?')}"
        except Exception as e:  # a connection error or a timeout: breaks the contract
            outcome = f"error {type(e).__name__}"
        tally.note(outcome, time.monotonic() - t0, acked)


def read_back(port, table, acked):
    """The acknowledged items missing or with another value (BatchGetItem, consistent reads)."""
    c = boto_client(port, KEY, retries=5, read_timeout=60)
    want = dict(acked)
    keys = list(want)
    lost = []
    for i in range(0, len(keys), 100):
        pending = [{"k": {"S": k}} for k in keys[i:i + 100]]
        got = {}
        for _ in range(20):
            r = c.batch_get_item(RequestItems={table: {"Keys": pending, "ConsistentRead": True}})
            for item in r["Responses"].get(table, []):
                got[item["k"]["S"]] = item["v"]["N"]
            pending = r.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            if not pending:
                break
        for k in keys[i:i + 100]:
            if got.get(k) != want[k]:
                lost.append(k)
    return lost


def trial(number, ports, seconds):
    a, b = ports
    table = f"of_items{number}_{os.getpid()}"
    c = boto_client(a, KEY, retries=3)
    c.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    tally = Tally()
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(ports[w % 2], table, w, stop, tally))
               for w in range(4)]
    for t in threads:
        t.start()
    osd = number % 3
    time.sleep(seconds / 3)
    before_kill = tally.requests
    kill_osd(osd)
    time.sleep(seconds / 3)
    during_down = tally.requests - before_kill
    start_osd(osd)
    time.sleep(seconds / 3)
    stop.set()
    for t in threads:
        t.join(timeout=SLOW_BOUND_S + 20)
    hung = sum(t.is_alive() for t in threads)
    clean_s = wait_clean(120)
    lost = read_back(b, table, tally.acked)  # through the other server
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(tally.answers.items()))
    ok = not lost and not tally.bad and not hung
    print(f"osd_fault {number}: osd.{osd} killed and restarted under PutItem/BatchWriteItem "
          f"through 2 servers: {tally.requests} requests ({during_down} while it was down; "
          f"{answers}), slowest {tally.slowest:.1f} s; {len(tally.acked)} acknowledged item "
          f"writes checked, lost {len(lost)}; clean again {clean_s:.1f} s after the writers "
          f"stopped: {'ok' if ok else 'FAILED'}", flush=True)
    if lost:
        print(f"osd_fault: lost {lost[:10]}", flush=True)
    if tally.bad or hung:
        print(f"osd_fault: outside the contract {tally.bad[:10]}, {hung} writers hung", flush=True)
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--trials", type=int, default=1)
    p.add_argument("--seconds", type=float, default=9, help="writing time per trial")
    a = p.parse_args()
    if not os.environ.get("CAIRN_RADOS_CONF"):
        raise SystemExit("osd_fault: run inside tests/rados/cluster run (CAIRN_RADOS_CONF unset)")
    if osd_count() < 3 or pool_size() < 3:
        raise SystemExit(f"osd_fault: needs 3 OSDs and pool size 3 (have {osd_count()} OSDs, "
                         f"size {pool_size()})")
    ok = True
    with tempfile.NamedTemporaryFile(prefix="cairn-osd-fault-", suffix=".log",
                                     delete=False) as log:
        servers = []
        try:
            for _ in range(2):
                servers.append(start_cairn([a.bin, "--engine", "rados"], log))
            ports = [port for _, port in servers]
            for n in range(a.trials):
                ok = trial(n, ports, a.seconds) and ok
        except StartError as e:
            print(f"osd_fault: {e}", flush=True)
            ok = False
        finally:
            for proc, _ in servers:
                stop_cairn(proc)
    if not ok:
        print(f"osd_fault: FAILED (server log {log.name})", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
