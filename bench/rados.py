#!/usr/bin/python3
"""Cairn on Ceph RADOS: GetItem/PutItem/Query throughput and latency (issue 20's benchmark).

For each cluster (tests/rados/cluster: memstore or BlueStore on files, 1 or 3 OSDs, pool size
min(3, OSDs)), one and then two cairn servers with --engine rados on the same pool, driven by wrk
with bench/dynamo.lua (the harness bench/run's helpers: start, load, wrk, checks, CPU); in the
same run, cairn on RocksDB (--data-dir) with the same data and load. See bench/README.md.

    bench/rados.py [--cairn build-rel/cairn] [--clusters mem1,mem3,blue1,blue3] [--servers 1,2]
                   [--items 10000] [--conns 32] [--duration 5] [--rados-workers 32,0]

Two servers: two wrk processes at once, each with half the connections, one per server; req/s is
their sum, the mean latency their request-weighted mean, p99 the larger of the two p99s.
Everything started here (clusters, servers, wrk) is stopped on exit, also on Ctrl-C; every wait is
bounded; loopback only. Output also goes to bench/.results/<timestamp>-rados.txt.
"""

import argparse
import datetime
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import threading

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
CLUSTER = os.path.join(ROOT, "tests", "rados", "cluster")


def load_harness():
    """bench/run as a module (its file has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(BENCH, "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


br = load_harness()
out = br.out
CLUSTERS = {"mem1": ("memstore", 1), "mem3": ("memstore", 3), "blue1": ("bluestore", 1),
            "blue3": ("bluestore", 3)}
_clusters = []  # directories of running clusters, stopped at exit


class RadosCairn(br.Cairn):
    """A cairn server on the pool of a test cluster."""

    def __init__(self, name, tmp, binary, conf, pool, workers):
        super().__init__(name, tmp, binary, False, 0, [])
        self.conf, self.pool, self.workers = conf, pool, workers

    def command(self, port):
        cmd = [self.binary, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warn",
               "--engine", "rados", "--rados-conf", self.conf, "--rados-pool", self.pool]
        if self.workers is not None:
            cmd += ["--rados-workers", str(self.workers)]
        return cmd


def start_cluster(store, osds, tmp):
    d = os.path.join(tmp, f"cluster-{store}-{osds}")
    cmd = [CLUSTER, "start", "--osds", str(osds), "--dir", d, "--pool", "bench"]
    if store == "bluestore":
        cmd.append("--bluestore")
    _clusters.append(d)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"cluster start failed: {r.stderr[-2000:]}")
    out(f"# cluster: {r.stderr.strip().splitlines()[-1]}")
    return r.stdout.strip().splitlines()[-1]


def stop_cluster(d):
    if d in _clusters:
        _clusters.remove(d)
        subprocess.run([CLUSTER, "stop", d], capture_output=True, timeout=120)


def _stop_clusters():
    for d in list(_clusters):
        stop_cluster(d)


# Clusters stop after the harness's own cleanup has stopped the servers (atexit runs in reverse).
br.atexit.register(_stop_clusters)


def measure_together(targets, workload, conns, args):
    """One run of `workload` on every target at once (conns split between them)."""
    pids = [p for t in targets for p in t.pids()]
    c0 = br.cpu_ticks(pids)
    per = max(args.wrk_threads, conns // len(targets))
    results = [None] * len(targets)
    errors = []

    def run(i, t):
        try:
            results[i] = br.run_wrk(t.port, [workload, str(args.items // args.ipp), str(args.ipp),
                                             "on"], args.wrk_threads, per, args.duration)
        except RuntimeError as e:
            errors.append(str(e))
    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(errors[0])
    c1 = br.cpu_ticks(pids)
    good = rps = weighted = 0.0
    p99 = 0.0
    errs = wrong = 0
    statuses = set()
    for r in results:
        ok = r["requests"] - r["non2xx"] - r["wrong"]
        good += ok
        rps += ok / (r["duration_us"] / 1e6)
        weighted += r["mean_us"] * r["requests"]
        p99 = max(p99, r["p99_us"])
        errs += r["non2xx"] + r["sock_connect"] + r["sock_read"] + r["sock_write"] + \
            r["sock_timeout"]
        wrong += r["wrong"]
        statuses.update(s for s in r["statuses"].split("|") if s and s != "-")
    n = sum(r["requests"] for r in results)
    return {"rps": rps, "mean": weighted / n / 1000 if n else float("nan"), "p99": p99 / 1000,
            "errors": errs, "wrong": wrong, "statuses": sorted(statuses),
            "cpu": (c1 - c0) / br.CLK_TCK * 1e6 / good if good else float("nan")}


def load_data(target, args):
    br.create_bench_table(target.port)
    secs, _ = br.bulk_load(target, args.items, args.ipp, args.load_conns, True)
    out(f"# loaded {args.items} items into {target.name} in {secs:.1f} s "
        f"({args.items / secs:,.0f} items/s, BatchWriteItem of 25)")


def run_workloads(label, targets, args, rows):
    for w in args.workloads:
        try:
            if args.warmup:
                warm = argparse.Namespace(**vars(args))
                warm.duration = args.warmup
                measure_together(targets, w, args.conns, warm)
            m = measure_together(targets, w, args.conns, args)
        except RuntimeError as e:
            out(f"FAILED {label} {w}: {e}")
            continue
        row = label + [br.WORKLOAD_NAMES[w], f"{m['rps']:,.0f}", f"{m['mean']:.2f}",
                       f"{m['p99']:.2f}", f"{m['errors']:.0f}" + (
                           f" ({','.join(m['statuses'])})" if m["statuses"] else ""),
                       f"{m['wrong']:.0f}", f"{m['cpu']:.0f}"]
        rows.append(row)
        out("  " + " | ".join(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--cairn", help="a cairn built with the RADOS engine (default build-rel/cairn, "
                                    "build-bench/cairn or build/cairn)")
    ap.add_argument("--clusters", type=br.csv(str), default=list(CLUSTERS),
                    help="mem1, mem3 (memstore, 1 or 3 OSDs), blue1, blue3 (BlueStore on files)")
    ap.add_argument("--servers", type=br.csv(int), default=[1, 2], help="cairn servers per pool")
    ap.add_argument("--rados-workers", type=br.csv(int), default=None,
                    help="cairn --rados-workers values to compare (default: cairn's default)")
    ap.add_argument("--workloads", type=br.csv(str), default=["get", "put", "query"])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--ipp", type=int, default=10, help="items per partition")
    ap.add_argument("--load-conns", type=int, default=16)
    ap.add_argument("--conns", type=int, default=32, help="connections in all (split over servers)")
    ap.add_argument("--wrk-threads", type=int, default=1, help="per wrk process")
    ap.add_argument("--duration", type=int, default=5, help="seconds per run")
    ap.add_argument("--warmup", type=int, default=1, help="warm-up seconds per run")
    ap.add_argument("--no-rocksdb", action="store_true", help="skip the RocksDB reference")
    ap.add_argument("--tmp-dir", default=None, help="where clusters and data go [$TMPDIR]")
    args = ap.parse_args()
    for c in args.clusters:
        if c not in CLUSTERS:
            ap.error(f"unknown cluster {c}")
    if args.items % args.ipp:
        ap.error("--items must be a multiple of --ipp")
    if not br.shutil.which("wrk"):
        ap.error("wrk not installed: apt-get install -y wrk")
    binary = args.cairn
    if not binary:
        for cand in ("build-rel", "build-bench", "build"):
            p = os.path.join(ROOT, cand, "cairn")
            if os.access(p, os.X_OK):
                binary = p
                break
    if not binary:
        ap.error("no cairn binary: pass --cairn")
    binary = os.path.abspath(binary)

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out.open(os.path.join(BENCH, ".results", f"{stamp}-rados.txt"))
    la = br.loadavg()
    out(f"# cairn RADOS bench {stamp}  {' '.join(sys.argv[1:])}")
    out(f"# {binary} ({br.build_type(binary)}); load average {' '.join(la)}; {os.cpu_count()} "
        f"cores; {args.items} items, {args.conns} connections, {args.duration} s runs")
    tmp = br.mkdtemp(args.tmp_dir, "cairn-rados-bench-")
    headers = ["store", "OSDs", "engine", "servers", "workload", "req/s", "mean ms", "p99 ms",
               "errors", "wrong", "CPU us/req"]
    rows = []
    if not args.no_rocksdb:
        t = br.Cairn("rocksdb", tmp, binary, True, 0, [])
        t.start(timeout=60)
        load_data(t, args)
        run_workloads(["disk", "-", "rocksdb", "1"], [t], args, rows)
        t.stop()
    for c in args.clusters:
        store, osds = CLUSTERS[c]
        conf = start_cluster(store, osds, tmp)
        try:
            loaded = False
            for workers in (args.rados_workers or [None]):
                engine = "rados" + ("" if workers is None else f" w={workers}")
                for n in args.servers:
                    servers = [RadosCairn(f"rados{i}", tmp, binary, conf, "bench", workers)
                               for i in range(n)]
                    try:
                        for s in servers:
                            s.start(timeout=90)
                        if not loaded:
                            load_data(servers[0], args)
                            loaded = True
                        run_workloads([store, str(osds), engine, str(n)], servers, args, rows)
                    finally:
                        for s in servers:
                            s.stop()
        finally:
            stop_cluster(os.path.dirname(conf))
    out("")
    br.print_table(headers, rows)
    out(f"# load average at the end {' '.join(br.loadavg())} (start {' '.join(la)})")
    out(f"results written to {out.file.name}")


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        br.die(str(e))
