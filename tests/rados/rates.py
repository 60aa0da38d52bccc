"""GetItem/PutItem rates of one cairn server on the RADOS engine, against RocksDB in the same run.

A small bounded client loop, not the benchmark of issue 20: T threads of boto3 for S seconds of
PutItem (new items of ~100 bytes, hash-key table), then S seconds of GetItem of those items; ops/s
and mean/p99 latency as the client sees them (boto3's own overhead included, so the figures are a
floor on what the server does; compare the two engines, not absolute numbers).
Run inside a test cluster (tests/rados/suite --rates, or by hand):
  /usr/bin/python3 tests/rados/rates.py --bin build/cairn [--threads 8] [--seconds 5]
"""

import argparse
import os
import tempfile
import threading
import time

import boto3
from botocore.config import Config

from cairn_servers import StartError, start_cairn, stop_cairn


def start(args, log):
    try:
        return start_cairn(args, log)
    except StartError as e:
        raise SystemExit(f"rates: {e}")


def client(port):
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="rates", aws_secret_access_key="x",
                        config=Config(retries={"max_attempts": 0}, max_pool_connections=64))


def phase(port, threads, seconds, op):
    lat, errors = [], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(tid):
        c = client(port)
        mine, n = [], 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                op(c, tid, n)
                mine.append(time.perf_counter() - t0)
            except Exception:
                with lock:
                    errors[0] += 1
            n += 1
        with lock:
            lat.extend(mine)
    ts = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat.sort()
    n = len(lat)
    return (n / seconds, 1000 * sum(lat) / max(n, 1), 1000 * lat[int(n * 0.99)] if n else 0,
            errors[0], n)


def measure(name, args, threads, seconds, log):
    proc, port = start(args, log)
    c = client(port)
    table = "rates"
    c.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    written = [0] * threads

    def put(c, tid, n):
        c.put_item(TableName=table, Item={"k": {"S": f"{tid}-{n}"}, "v": {"S": "x" * 90}})
        written[tid] = n + 1

    def get(c, tid, n):
        k = f"{tid}-{n % max(written[tid], 1)}"
        c.get_item(TableName=table, Key={"k": {"S": k}})
    for label, op in (("PutItem", put), ("GetItem", get)):
        rate, mean, p99, errors, n = phase(port, threads, seconds, op)
        print(f"rates: {name:8s} {label}: {rate:7.0f} ops/s, mean {mean:5.2f} ms, p99 "
              f"{p99:5.2f} ms ({n} ops, {errors} errors, {threads} client threads, server "
              f"{' '.join(args[-2:])})", flush=True)
    stop_cairn(proc)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--server-threads", type=int, default=0,
                   help="cairn's --threads (event loops; 0: one per core). Requests call librados "
                        "synchronously on them, so they bound the RADOS operations in flight")
    a = p.parse_args()
    server = ["--threads", str(a.server_threads)]
    with tempfile.TemporaryDirectory(prefix="cairn-rates-") as d, \
            open(os.path.join(d, "cairn.log"), "wb") as log:
        measure("rocksdb", [a.bin, "--engine", "rocksdb", "--data-dir", os.path.join(d, "data")]
                + server, a.threads, a.seconds, log)
        if os.environ.get("CAIRN_RADOS_CONF"):
            measure("rados", [a.bin, "--engine", "rados"] + server, a.threads, a.seconds, log)


if __name__ == "__main__":
    main()
