"""Fixtures for Cairn's integration tests: the real `cairn` binary, spoken to only over HTTP.

The tests in this folder are black-box tests written so that they would also pass against DynamoDB
itself: they pin DynamoDB's documented behaviour (error types, messages, limits), not Cairn's code.

What this file provides:
- `server`: one Cairn process for the whole session (fresh temporary --data-dir, free port).
- `make_server`: a factory for tests that need a server of their own (restart, kill -9, --shared-db,
  --in-memory); every server it starts is killed at teardown.
- `access_key`: a unique access key id per test. Cairn namespaces tables by (access key, region) as
  DynamoDB Local does, so each test sees only its own tables and tests never see each other's.
- `client` / `resource`: boto3 objects for the session server with that access key (us-east-1), no
  retries, 10 s timeouts.
- `raw`: a signed raw-HTTP client (http.client) for what boto3 refuses to send (it validates some
  parameters client-side) and for protocol checks (headers, CRC32, keep-alive).
On a failing test, the server's stderr written during that test is attached to the report.

Environment: CAIRN_BIN (default <repo>/build/cairn). Run with Debian's interpreter:
  CAIRN_BIN=/path/to/cairn /usr/bin/python3 -m pytest tests/integration -q -x
`-n N` (pytest-xdist; `./cairn.sh test` runs one worker per core) spreads the tests over N
processes, each with a session server of its own. So a test id must be the same in every process:
no parameter made of the time, a random value or a compressor's timestamp. Tests that build on one
another (a tutorial's steps) carry one `xdist_group` mark and need `--dist loadgroup`, which
`./cairn.sh test` passes.
"""

import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
import zlib
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "cairn"))
HOST = "127.0.0.1"
REGION = "us-east-1"
SECRET_KEY = "x"
# DynamoDB's JSON protocol: the target prefix and the content type of every request and response.
TARGET_PREFIX = "DynamoDB_20120810."
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"

READY_TIMEOUT_S = 10.0
READY_POLL_S = 0.005
STOP_TIMEOUT_S = 10.0

# boto3 must surface every error at once: no retries (total_max_attempts counts the first try).
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=10,
    read_timeout=10,
)

_LIVE_SERVERS = []   # every CairnServer whose process is running (killed at teardown)
_KNOWN_SERVERS = []  # every CairnServer ever made: their logs go into failure reports


@atexit.register
def _kill_leftover_servers():
    """Last resort (an interrupted run): no cairn process outlives the test session."""
    for s in list(_LIVE_SERVERS):
        s.kill()


def free_port():
    """A port nobody listens on now: bind 127.0.0.1:0, read the port, close."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def unique_access_key():
    # Letters and digits only (DynamoDB Local rejects other characters in an access key id).
    return "AKID" + uuid.uuid4().hex[:16].upper()


class CairnServer:
    """One cairn process on a fixed port and data directory; start/stop/kill/restart keep both."""

    def __init__(self, data_dir, log_path, args=()):
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.args = list(args)
        self.port = free_port()
        self.proc = None
        self._log = None
        self.preexec_fn = None  # run in the child before exec (e.g. to lower an rlimit)
        _KNOWN_SERVERS.append(self)

    @property
    def endpoint(self):
        return f"http://{HOST}:{self.port}"

    def command(self):
        return [CAIRN_BIN, "--host", HOST, "--port", str(self.port), "--data-dir",
                str(self.data_dir), "--log-level", "warn", *self.args]

    def start(self):
        assert self.proc is None, "server already running"
        if not os.path.exists(CAIRN_BIN):
            pytest.fail(f"cairn binary not found at {CAIRN_BIN} (set CAIRN_BIN)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")
        self._log.write(f"=== start: {' '.join(self.command())}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=self._log, preexec_fn=self.preexec_fn)
        _LIVE_SERVERS.append(self)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            code = self.proc.poll()
            if code is not None:
                self._reap()
                pytest.fail(f"cairn exited with {code} before accepting connections:\n"
                            f"{self.read_log()[-4000:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"cairn did not accept connections on port {self.port} within "
                            f"{READY_TIMEOUT_S} s:\n{self.read_log()[-4000:]}")
            time.sleep(READY_POLL_S)

    def stop(self):
        """SIGTERM, then wait for the exit; returns the exit code. SIGKILL and fail after 10 s."""
        assert self.proc is not None, "server not running"
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"cairn did not exit within {STOP_TIMEOUT_S} s of SIGTERM")
        self._reap()
        return code

    def kill(self):
        """SIGKILL: no chance to flush anything that was not already durable."""
        if self.proc is None:
            return
        self.proc.kill()
        self.proc.wait()
        self._reap()

    def restart(self, hard=False):
        """Stop (SIGTERM, or SIGKILL when hard) and start again on the same data dir and port."""
        if hard:
            self.kill()
        else:
            self.stop()
        return self.start()

    def _reap(self):
        self.proc = None
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)
        if self._log is not None:
            self._log.close()
            self._log = None

    def read_log(self, offset=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_size(self):
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def session(self, access_key, region=REGION):
        return boto3.Session(aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY,
                             region_name=region)

    def client(self, access_key, region=REGION):
        return self.session(access_key, region).client("dynamodb", endpoint_url=self.endpoint,
                                                       config=CLIENT_CONFIG)

    def resource(self, access_key, region=REGION):
        return self.session(access_key, region).resource("dynamodb", endpoint_url=self.endpoint,
                                                         config=CLIENT_CONFIG)

    def raw(self, access_key, region=REGION):
        return RawClient(self, access_key, region)


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body        # bytes
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def error_type(self):
        """The part of __type after '#', as the SDKs read it (None for a success)."""
        if not isinstance(self.json, dict) or "__type" not in self.json:
            return None
        return self.json["__type"].rsplit("#", 1)[-1]

    @property
    def message(self):
        if not isinstance(self.json, dict):
            return None
        # DynamoDB writes "message"; some error types spell it "Message".
        return self.json.get("message", self.json.get("Message"))

    def __repr__(self):
        return f"RawResponse({self.status}, {self.headers!r}, {self.body[:500]!r})"


class RawClient:
    """POSTs DynamoDB JSON requests over http.client, signed with SigV4 like an SDK would."""

    def __init__(self, server, access_key, region):
        self.server = server
        self.access_key = access_key
        self.region = region

    def connection(self):
        return http.client.HTTPConnection(HOST, self.server.port, timeout=10)

    def request(self, operation, body, conn=None, target=None, headers=None, sign=True):
        """Sends one request and returns a RawResponse.

        operation: "PutItem" etc., or None for no X-Amz-Target header; `target` overrides it.
        body: a dict (JSON-encoded), or str/bytes sent verbatim.
        conn: an http.client.HTTPConnection to reuse (keep-alive checks); else a fresh one, closed.
        """
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        hdrs = {"Content-Type": JSON_CONTENT_TYPE}
        if target is not None:
            hdrs["X-Amz-Target"] = target
        elif operation is not None:
            hdrs["X-Amz-Target"] = TARGET_PREFIX + operation
        hdrs.update(headers or {})
        if sign:
            req = AWSRequest(method="POST", url=self.server.endpoint + "/", data=data, headers=hdrs)
            credentials = Credentials(self.access_key, SECRET_KEY)
            SigV4Auth(credentials, "dynamodb", self.region).add_auth(req)
            hdrs = dict(req.headers.items())
        own = conn is None
        c = conn if conn is not None else self.connection()
        try:
            c.request("POST", "/", body=data, headers=hdrs)
            r = c.getresponse()
            payload = r.read()
            return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, payload)
        finally:
            if own:
                c.close()


def check_protocol_headers(resp):
    """Every DynamoDB response carries a request id, the JSON 1.0 content type and a CRC32."""
    assert resp.headers.get("x-amzn-requestid"), resp
    assert resp.headers.get("content-type") == JSON_CONTENT_TYPE, resp
    assert resp.headers.get("x-amz-crc32") == str(zlib.crc32(resp.body)), resp
    assert resp.headers.get("content-length") == str(len(resp.body)), resp


# --------------------------------------------------------------------------------------------------
# --reverse-order: each file's tests run last to first, those of an xdist_group (a tutorial's steps)
# excepted, which keep their order after the others. A test that needs an earlier one's state
# without that mark fails this way, as it would when -n splits the two over workers (a CI run of
# 3aa6f3d failed so: the boto 2 tutorial's steps had no mark). `./cairn.sh test --long` runs it.


def pytest_addoption(parser):
    parser.addoption("--reverse-order", action="store_true",
                     help="run each file's tests in reverse order (xdist_group tests excepted)")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--reverse-order"):
        return
    by_file = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    ordered = []
    for tests in by_file.values():
        grouped = [t for t in tests if t.get_closest_marker("xdist_group")]
        ordered += [t for t in reversed(tests) if t not in grouped] + grouped
    items[:] = ordered


# --------------------------------------------------------------------------------------------------
# Reports: attach the server log written during a failing test.


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item._cairn_log_marks = {id(s): s.log_size() for s in _KNOWN_SERVERS}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when in ("setup", "call"):
        marks = getattr(item, "_cairn_log_marks", {})
        for s in _KNOWN_SERVERS:  # a server made during the test has no mark: all its log
            text = s.read_log(marks.get(id(s), 0))
            if text:
                report.sections.append((f"cairn stderr (port {s.port})", text[-20000:]))


# --------------------------------------------------------------------------------------------------
# Servers.


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("cairn-session")
    s = CairnServer(base / "data", base / "cairn.log")
    s.start()
    yield s
    if s.proc is not None:
        try:
            s.stop()
        finally:
            s.kill()


@pytest.fixture
def make_server(tmp_path):
    """make_server(*flags, data_dir=None, preexec_fn=None) -> a started CairnServer of the test's
    own; preexec_fn runs in the child before exec (e.g. resource.setrlimit)."""
    started = []
    counter = [0]

    def make(*flags, data_dir=None, preexec_fn=None):
        counter[0] += 1
        n = counter[0]
        s = CairnServer(data_dir or tmp_path / f"data{n}", tmp_path / f"cairn{n}.log", flags)
        s.preexec_fn = preexec_fn
        started.append(s)
        return s.start()

    yield make
    for s in started:
        s.kill()


# --------------------------------------------------------------------------------------------------
# Clients for the session server, one namespace per test.


@pytest.fixture
def access_key():
    return unique_access_key()


@pytest.fixture
def client(server, access_key):
    return server.client(access_key)


@pytest.fixture
def resource(server, access_key):
    return server.resource(access_key)


@pytest.fixture
def raw(server, access_key):
    return server.raw(access_key)


class AwsCli:
    """The AWS CLI (`aws dynamodb ...`) against a server, with the test's access key.
    Debian's awscli package (cairn.sh TEST_PACKAGES) installs /usr/bin/aws; another aws on PATH
    (a version manager's shim) is used when it is absent."""

    def __init__(self, aws, server, access_key):
        self.aws, self.server = aws, server
        self.env = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": "x",
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
                    "AWS_PAGER": ""}

    def run(self, *args, region=REGION):
        """Runs `aws dynamodb ARGS`; returns the CompletedProcess (text, never raises on exit)."""
        return subprocess.run([self.aws, "dynamodb", *args, "--endpoint-url",
                               self.server.endpoint, "--region", region, "--output", "json"],
                              env=self.env, capture_output=True, text=True, timeout=120)

    def __call__(self, *args, **kwargs):
        """Runs `aws dynamodb ARGS`, which must succeed; returns its JSON output (None if empty)."""
        out = self.run(*args, **kwargs)
        assert out.returncode == 0, (args, out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else None


@pytest.fixture
def aws_cli(server, access_key):
    """An AwsCli for the session server and the test's namespace; skips without the AWS CLI."""
    aws = "/usr/bin/aws" if os.access("/usr/bin/aws", os.X_OK) else shutil.which("aws")
    if aws is None:
        pytest.skip("the AWS CLI (aws) is not installed in this image")
    cli = AwsCli(aws, server, access_key)
    if subprocess.run([aws, "--version"], env=cli.env, capture_output=True,
                      timeout=60).returncode:
        pytest.skip("the aws command found does not run (a shim without the AWS CLI behind it)")
    return cli


def create_table(client, name, hash_key=("pk", "S"), range_key=None, **kwargs):
    """CreateTable with a provisioned 5/5 throughput unless BillingMode is given; returns the
    TableDescription. Cairn (like DynamoDB Local) creates tables ACTIVE at once."""
    key_schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    defs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key is not None:
        key_schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        defs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    if "BillingMode" not in kwargs:
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    resp = client.create_table(TableName=name, KeySchema=key_schema, AttributeDefinitions=defs,
                               **kwargs)
    client.get_waiter("table_exists").wait(TableName=name)
    return resp["TableDescription"]


def expect_error(call, code, message, **kwargs):
    """Runs call(**kwargs); asserts a ClientError: HTTP 400, this code, this exact message.
    Returns the whole error response (for members such as CancellationReasons)."""
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    err = e.value.response["Error"]
    assert (err["Code"], err.get("Message")) == (code, message)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return e.value.response


def validation(call, message, **kwargs):
    """expect_error for a ValidationException."""
    return expect_error(call, "ValidationException", message, **kwargs)


def load(client, table, items):
    """Writes items with BatchWriteItem, 25 at a time; asserts every batch was fully processed."""
    for i in range(0, len(items), 25):
        resp = client.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
        assert resp["UnprocessedItems"] == {}


def all_pages(call, max_pages=2000, **kwargs):
    """Pages through call(**kwargs) (a Query or Scan) with ExclusiveStartKey; returns the pages.
    Bounded: fails after max_pages."""
    out, start = [], None
    for _ in range(max_pages):
        args = dict(kwargs)
        if start is not None:
            args["ExclusiveStartKey"] = start
        resp = call(**args)
        out.append(resp)
        start = resp.get("LastEvaluatedKey")
        if start is None:
            return out
    raise AssertionError(f"did not finish in {max_pages} pages")


def scan_items(client, table):
    """Every item of the table, by a paged consistent Scan."""
    return [it for page in all_pages(client.scan, TableName=table, ConsistentRead=True)
            for it in page["Items"]]


# DynamoDB's service models as the installed botocore ships them (Debian's python3-botocore under
# /usr/bin/python3), with the members DynamoDB added since laid over them from
# tools/service_model_overlay.json: X-Amz-Target prefix -> the parsed service-2.json. The tests
# generated from the model (test_serialization_model.py, test_constraints_model.py) read the same
# description Cairn's build turns into its tables (tools/gen_service_model.py, whose
# apply_overlay() this uses: one reading of the overlay).
def load_service_models():
    import importlib.util

    import botocore
    spec = importlib.util.spec_from_file_location("gen_service_model",
                                                  REPO / "tools" / "gen_service_model.py")
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    overlay = generator.load_overlay()
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    models = {}
    for prefix, service in (("DynamoDB_20120810", "dynamodb"),
                            ("DynamoDBStreams_20120810", "dynamodbstreams")):
        with open(os.path.join(data, service, "2012-08-10", "service-2.json")) as f:
            models[prefix] = generator.apply_overlay(service, json.load(f), overlay)
    return models
