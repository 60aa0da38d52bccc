"""Starting cairn servers for the scripts of tests/rados (and bench/rados.py): one home for the
free loopback port, the start with its bounded wait for the port, the stop, and a boto3 client;
and for looking into the pool (python3-rados; CAIRN_RADOS_CONF and CAIRN_RADOS_POOL set by
tests/rados/cluster run): the table shard objects, and the GSI outbox entries they hold.

    from cairn_servers import free_port, start_cairn, stop_cairn, boto_client
    proc, port = start_cairn([BIN, "--engine", "rados"], log)          # a free port
    proc, port = start_cairn([BIN, "--engine", "rados"], log, port=p)  # a restart on port p

`args` is the command line without --host, --port and --log-level (added here: 127.0.0.1, the
port, warn). A server whose arguments do not name --engine rados gets an environment without the
CAIRN_RADOS_* variables that tests/rados/cluster sets (they would ask for the RADOS engine).
The wait ends when the port accepts a connection (the server answers once its storage is open:
requests wait until then, http/start_gate.h); it is bounded (`timeout`), and a server that exits
or does not listen in time raises StartError with the end of its log when there is one.
Every server started is also killed when the Python process exits (atexit), whatever happens.
"""
import atexit
import os
import socket
import subprocess
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LIVE = []  # servers started and not yet stopped


class StartError(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(log):
    name = getattr(log, "name", None)
    if not isinstance(name, str) or not os.path.exists(name):
        return ""
    log.flush()
    with open(name, "rb") as f:
        return f.read()[-3000:].decode("utf-8", "replace")


def start_cairn(args, log, port=None, timeout=60, env=None):
    """Starts cairn (`args` as above) on 127.0.0.1:`port` (a free one if None); returns
    (process, port) once the port accepts connections."""
    port = port or free_port()
    env = dict(os.environ if env is None else env)
    if "rados" not in args:
        env = {k: v for k, v in env.items() if not k.startswith("CAIRN_RADOS_")}
    proc = subprocess.Popen(list(args) + ["--host", "127.0.0.1", "--port", str(port),
                                          "--log-level", "warn"],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env)
    LIVE.append(proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            LIVE.remove(proc)
            raise StartError(f"cairn exited with {proc.returncode}: {' '.join(args)}\n"
                             f"{_log_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.1)
    stop_cairn(proc, timeout=0)
    raise StartError(f"cairn did not listen on {port} within {timeout} s: {' '.join(args)}\n"
                     f"{_log_tail(log)}")


def stop_cairn(proc, timeout=20):
    """SIGTERM, then SIGKILL after `timeout` s (at once with 0); waits for the exit."""
    if proc.poll() is None:
        if timeout > 0:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc in LIVE:
        LIVE.remove(proc)


def boto_client(port, key, retries=0, read_timeout=30, connect_timeout=5, pool=10):
    """A DynamoDB client for the server on `port` in the namespace of access key `key`;
    `retries` retries (0: every error reaches the caller, as these tests want to count them)."""
    return boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}",
                        region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key="x",
                        config=Config(retries={"total_max_attempts": retries + 1,
                                               "mode": "standard"},
                                      read_timeout=read_timeout, connect_timeout=connect_timeout,
                                      max_pool_connections=pool))


def retrying(call, limit=100, pause=lambda retries: 0.001 * retries):
    """Calls until it answers other than 500 (a failed guard: SDKs retry those), at most `limit`
    retries; returns (result or ClientError, 500s retried)."""
    retries = 0
    while True:
        try:
            return call(), retries
        except ClientError as e:
            if e.response["ResponseMetadata"]["HTTPStatusCode"] != 500 or retries >= limit:
                return e, retries
            retries += 1
            time.sleep(pause(retries))


def _pool():
    import rados
    cluster = rados.Rados(conffile=os.environ["CAIRN_RADOS_CONF"])
    cluster.connect()
    return cluster, cluster.open_ioctx(os.environ["CAIRN_RADOS_POOL"])


def table_shard_objects():
    """The names of the pool's table shard objects ("t<table>.<depth>-<prefix>", docs/rados.md).
    A table's objects appear with its first writes: those new since a listing are its own when
    nothing else writes meanwhile."""
    cluster, io = _pool()
    try:
        return {o.key for o in io.list_objects() if o.key.startswith("t")}
    finally:
        cluster.shutdown()


def outbox_entries(objects=None):
    """GSI outbox entries (omap keys 0x10|item key|version, storage/rados/gsi_outbox.h) in
    `objects`, by default in every table shard object of the pool. None left means every GSI
    change written so far has been applied: an entry leaves only after its GSI puts."""
    import rados
    if objects is None:
        objects = table_shard_objects()
    cluster, io = _pool()
    try:
        n = 0
        for name in objects:
            with rados.ReadOpCtx() as op:
                it, _ = io.get_omap_vals(op, "", "\x10", 100000)
                try:
                    io.operate_read_op(op, name)
                except rados.ObjectNotFound:
                    continue
                n += sum(1 for _ in it)
        return n
    finally:
        cluster.shutdown()


@atexit.register
def _kill_live():
    for proc in list(LIVE):
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    LIVE.clear()
