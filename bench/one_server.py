"""One cairn server for a benchmark script: started on a free loopback port in a temporary
directory, answering, and stopped (directory removed) when the `with` block ends, however it ends.

    with one_server.Cairn(binary, s3=True) as srv:
        c = srv.client()            # a boto3 DynamoDB client of srv.port, bench credentials
        ...

Used by bench/backup_restore.py, bench/export_import.py and bench/pitr_export.py (bench/run has
its own process handling for its several targets). Standard library and boto3 only."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import boto3

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
DEFAULT_BIN = os.environ.get("CAIRN_BIN", os.path.join(REPO, "build-rel", "cairn"))


def free_port():
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(pred, timeout, what="the condition"):
    """Polls pred() every 50 ms until it is true; exits the script after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Cairn:
    """cairn --data-dir TMP/data [--s3-dir TMP/s3] on a free port; its log in TMP/cairn.log.
    `env` adds environment variables (e.g. LD_PRELOAD for libfaketime)."""

    def __init__(self, binary=DEFAULT_BIN, s3=False, env=None, log_level="warn"):
        self.binary, self.s3, self.env, self.log_level = binary, s3, env or {}, log_level
        self.tmp = self.port = self.proc = None

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix="cairn-bench-")
        self.port = free_port()
        args = [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--data-dir",
                os.path.join(self.tmp, "data"), "--log-level", self.log_level]
        if self.s3:
            args += ["--s3-dir", os.path.join(self.tmp, "s3")]
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(args, stdout=log, stderr=log,
                                     env=dict(os.environ, **self.env))
        log.close()

        def answering():
            if self.proc.poll() is not None:
                raise SystemExit(f"cairn exited with {self.proc.returncode}; see its log")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0
        wait(answering, 30, "cairn to accept connections")
        return self

    def client(self, session=None, **kw):
        """A DynamoDB client of this server (`session`: a boto3 Session to build it from)."""
        if session is None:
            session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="x",
                                    region_name="us-east-1")
        return session.client("dynamodb", endpoint_url=f"http://127.0.0.1:{self.port}", **kw)

    @property
    def log_path(self):
        return os.path.join(self.tmp, "cairn.log")

    def stop(self):
        """Stops the server (SIGTERM, then SIGKILL after 30 s); its log stays until the exit."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False
