"""Metrics: the Prometheus text format (0.0.4) on --metrics-port N (a listener of its own, bound to
--host) and at GET /metrics of the main port with --metrics. Off by default: without the flags
GET /metrics is what DynamoDB answers for any path but "/" (404 UnknownOperationException).

Every scrape here is parsed by the Prometheus project's own parser (Debian's
python3-prometheus-client, prometheus_client.parser.text_string_to_metric_families), so what
Cairn writes is what a Prometheus server reads. Exact figures are asserted for what a test sent:
requests per operation, errors per operation and DynamoDB error type, the latency histograms'
consistency (cumulative buckets from 50 us to 10 s, +Inf = _count = requests), items per table (as
DescribeTable's ItemCount), connections refused by the cap, stream records, TTL deletions and
index backfills; signature errors under --credentials and the 2011-12-05 API's and DynamoDB
Streams' operations are labelled by the operation they name. Each test runs a server of its own,
so the counts start at zero.
"""
import gzip
import http.client
import math
import os
import socket
import subprocess
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from conftest import CAIRN_BIN, CLIENT_CONFIG, HOST, REGION, free_port, unique_access_key

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
           0.5, 1, 2.5, 5, 10, math.inf]
# The operations Cairn labels (api/dispatch.cc), besides "Unknown".
OPERATIONS = {
    "CreateTable", "DescribeTable", "UpdateTable", "DeleteTable", "ListTables", "TagResource",
    "UntagResource", "ListTagsOfResource", "DescribeLimits", "DescribeEndpoints", "PutItem",
    "GetItem", "DeleteItem", "UpdateItem", "BatchGetItem", "BatchWriteItem", "TransactWriteItems",
    "TransactGetItems", "UpdateTimeToLive", "DescribeTimeToLive", "DescribeContinuousBackups",
    "UpdateContinuousBackups", "CreateBackup", "DescribeBackup", "ListBackups", "DeleteBackup",
    "RestoreTableFromBackup", "RestoreTableToPointInTime", "ExportTableToPointInTime",
    "DescribeExport", "ListExports", "ImportTable", "DescribeImport", "ListImports", "Query", "Scan",
    "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction", "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords",
    "Unknown",
}


class Scrape:
    """One scrape, parsed: samples by name, each a list of (labels, value)."""

    def __init__(self, text):
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}
        self.samples = {}
        for f in self.families.values():
            for s in f.samples:
                self.samples.setdefault(s.name, []).append((s.labels, s.value))

    def value(self, name, **labels):
        """The one sample `name` whose labels include `labels`; None if there is none."""
        found = [v for l, v in self.samples.get(name, []) if labels.items() <= l.items()]
        assert len(found) <= 1, (name, labels, found)
        return found[0] if found else None

    def series(self, name):
        return self.samples.get(name, [])


def scrape(port, path="/metrics"):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200, body
        assert r.getheader("Content-Type") == CONTENT_TYPE
        return Scrape(body.decode())
    finally:
        conn.close()


def get(port, path, method="GET"):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(method, path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.fixture
def metered(make_server):
    """make(*flags) -> (server, metrics port): a server with --metrics-port."""

    def make(*flags):
        port = free_port()
        return make_server("--metrics-port", str(port), *flags), port

    return make


def create(client, name, **kwargs):
    """CreateTable alone (no waiter: the test counts its requests); Cairn creates tables ACTIVE."""
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST", **kwargs)


def client_error(call, **kwargs):
    with pytest.raises(ClientError) as e:
        call(**kwargs)
    return e.value.response["Error"]["Code"]


def wait_for(port, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        s = scrape(port)
        if predicate(s) or time.monotonic() > deadline:
            return s
        time.sleep(0.05)


def assert_histograms_consistent(s):
    """Every operation's histogram: the fixed buckets, cumulative, +Inf = _count = requests."""
    name = "cairn_request_duration_seconds"
    assert s.families[name].type == "histogram"
    ops = {l["operation"] for l, _ in s.series(name + "_count")}
    assert ops, "no histogram"
    for op in ops:
        buckets = [(l["le"], v) for l, v in s.series(name + "_bucket") if l["operation"] == op]
        assert [float(le) for le, _ in buckets] == BUCKETS, (op, buckets)
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), (op, counts)  # cumulative
        count = s.value(name + "_count", operation=op)
        assert counts[-1] == count == s.value("cairn_requests_total", operation=op), op
        total = s.value(name + "_sum", operation=op)
        assert 0 < total < 60 * count, (op, total)


def test_counts_requests_and_errors_per_operation(metered):
    server, port = metered()
    key = unique_access_key()
    c = server.client(key)
    create(c, "mtable")
    for i in range(5):
        c.put_item(TableName="mtable", Item={"pk": {"S": f"k{i}"}, "n": {"N": str(i)}})
    for i in range(3):
        assert "Item" in c.get_item(TableName="mtable", Key={"pk": {"S": f"k{i}"}})
    for _ in range(2):
        assert client_error(c.get_item, TableName="nope", Key={"pk": {"S": "a"}}) == \
            "ResourceNotFoundException"
    assert client_error(c.put_item, TableName="mtable", Item={"pk": {"S": "k0"}},
                        ConditionExpression="attribute_not_exists(pk)") == \
        "ConditionalCheckFailedException"
    assert client_error(c.query, TableName="mtable", KeyConditionExpression="nokey = :v",
                        ExpressionAttributeValues={":v": {"S": "x"}}) == "ValidationException"
    c.describe_table(TableName="mtable")
    # Requests that name no operation Cairn serves: an unknown target, a health check.
    r = server.raw(key).request(None, {}, target="DynamoDB_20120810.NoSuchOperation")
    assert r.error_type == "UnknownOperationException"
    assert get(server.port, "/")[0] == 200

    s = scrape(port)
    assert s.families["cairn_requests"].type == "counter"
    expected = {"CreateTable": 1, "PutItem": 6, "GetItem": 5, "Query": 1, "DescribeTable": 1,
                "Unknown": 2}
    requests = {l["operation"]: v for l, v in s.series("cairn_requests_total")}
    assert set(requests) == OPERATIONS
    assert requests == {op: expected.get(op, 0) for op in OPERATIONS}
    errors = {(l["operation"], l["error_type"]): v for l, v in s.series("cairn_errors_total")}
    assert errors == {
        ("GetItem", "ResourceNotFoundException"): 2,
        ("PutItem", "ConditionalCheckFailedException"): 1,
        ("Query", "ValidationException"): 1,
        ("Unknown", "UnknownOperationException"): 1,
    }
    assert_histograms_consistent(s)
    assert {l["operation"] for l, _ in s.series("cairn_request_duration_seconds_count")} == \
        set(expected)

    # Scrapes are not requests; more requests add exactly their count.
    c.get_item(TableName="mtable", Key={"pk": {"S": "k1"}})
    s2 = scrape(port)
    assert s2.value("cairn_requests_total", operation="GetItem") == 6
    assert s2.value("cairn_requests_total", operation="Unknown") == 2
    assert_histograms_consistent(s2)


def test_table_items_and_bytes_as_describe_table(metered):
    server, port = metered()
    key = unique_access_key()
    c = server.client(key)
    create(c, "items")
    create(c, "empty")
    for i in range(7):
        c.put_item(TableName="items", Item={"pk": {"S": f"item{i}"}, "v": {"S": "x" * 100}})
    c.delete_item(TableName="items", Key={"pk": {"S": "item0"}})
    described = c.describe_table(TableName="items")["Table"]
    assert described["ItemCount"] == 6
    s = scrape(port)
    ns = f"{len(key)}:{key}:{REGION}"
    assert s.value("cairn_table_items", namespace=ns, table="items") == 6
    assert s.value("cairn_table_size_bytes", namespace=ns, table="items") == \
        described["TableSizeBytes"] > 600
    assert s.value("cairn_table_items", namespace=ns, table="empty") == 0
    assert s.value("cairn_table_size_bytes", namespace=ns, table="empty") == 0
    # Another caller's tables are labelled with its own namespace.
    other = unique_access_key()
    create(server.client(other), "items")
    time.sleep(0.05)
    s = scrape(port)
    assert s.value("cairn_table_items", namespace=f"{len(other)}:{other}:{REGION}",
                   table="items") == 0
    assert s.value("cairn_table_items", namespace=ns, table="items") == 6
    # A deleted table is gone from the next scrape.
    c.delete_table(TableName="empty")
    assert scrape(port).value("cairn_table_items", namespace=ns, table="empty") is None


def test_pitr_change_log_size_apart_from_table_size(metered):
    """Point-in-time recovery's change log (one record per write, trimmed to the recovery
    period) is reported per table with PITR on, and is not in TableSizeBytes, which DynamoDB
    defines as the size of the items."""
    server, port = metered()
    key = unique_access_key()
    c = server.client(key)
    create(c, "logged")
    create(c, "plain")
    c.update_continuous_backups(TableName="logged", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    for table in ("logged", "plain"):
        for i in range(5):
            c.put_item(TableName=table, Item={"pk": {"S": "same"}, "v": {"S": "x" * 1000}})
    logged = c.describe_table(TableName="logged")["Table"]
    plain = c.describe_table(TableName="plain")["Table"]
    assert logged["TableSizeBytes"] == plain["TableSizeBytes"] < 1100
    s = scrape(port)
    ns = f"{len(key)}:{key}:{REGION}"
    assert s.value("cairn_table_pitr_log_records", namespace=ns, table="logged") == 5
    # Four before-images of ~1000 bytes, and a first write that had none.
    assert 4000 < s.value("cairn_table_pitr_log_bytes", namespace=ns, table="logged") < 4400
    assert s.value("cairn_table_pitr_log_bytes", namespace=ns, table="plain") is None
    assert s.value("cairn_table_size_bytes", namespace=ns, table="logged") == \
        logged["TableSizeBytes"]


def test_connections_and_bytes(metered):
    server, port = metered("--max-connections", "1")
    # The fixture's readiness probe was a connection too: wait until it was accepted and closed
    # (else it could be accepted late and take the only place, or be refused).
    before = wait_for(port, lambda s: s.value("cairn_connections_accepted_total") == 1 and
                      s.value("cairn_connections_open") == 0)
    assert before.value("cairn_connections_open") == 0
    assert before.value("cairn_connections_refused_total") == 0
    request = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    held = socket.create_connection((HOST, server.port), timeout=5)
    try:
        held.sendall(request)
        answer = held.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200")
        # The cap is reached: the next connection is answered 503 and closed.
        status, _, _ = get(server.port, "/")
        assert status == 503
        # The metrics listener has its own connections. The server counts bytes after its send
        # returns, so the client may read them first: wait for the counts to catch up.
        s = wait_for(port, lambda now: now.value("cairn_http_sent_bytes_total") -
                     before.value("cairn_http_sent_bytes_total") > len(answer))
        delta = lambda name: s.value(name) - before.value(name)
        assert s.value("cairn_connections_open") == 1
        assert s.value("cairn_connections_max") == 1
        assert delta("cairn_connections_accepted_total") == 1
        assert delta("cairn_connections_refused_total") == 1
        assert delta("cairn_http_received_bytes_total") >= len(request)  # and the refused one's
        assert delta("cairn_http_sent_bytes_total") > len(answer)  # and the 503
    finally:
        held.close()
    assert wait_for(port, lambda s: s.value("cairn_connections_open") == 0).value(
        "cairn_connections_open") == 0


def test_storage_process_and_build_figures(metered):
    server, port = metered("--cache-mb", "8")
    c = server.client(unique_access_key())
    create(c, "stable")
    for i in range(20):
        c.put_item(TableName="stable", Item={"pk": {"S": f"k{i}"}, "v": {"S": "y" * 500}})
    s = scrape(port)
    assert s.value("cairn_storage_block_cache_capacity_bytes") == 8 << 20
    assert 0 <= s.value("cairn_storage_block_cache_usage_bytes") <= 8 << 20
    assert s.value("cairn_storage_memtable_bytes") > 20 * 500
    assert s.value("cairn_storage_wal_bytes") > 20 * 500
    assert s.value("cairn_storage_pending_compaction_bytes") >= 0
    assert s.value("cairn_storage_running_compactions") >= 0
    assert s.value("cairn_storage_sst_bytes") >= 0
    assert s.value("process_resident_memory_bytes") > 1 << 20
    assert 5 < s.value("process_open_fds") < s.value("process_max_fds")
    assert abs(s.value("process_start_time_seconds") - time.time()) < 120
    assert 0 < s.value("cairn_uptime_seconds") < 120
    version = subprocess.run([CAIRN_BIN, "--version"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
    (labels, value), = s.series("cairn_build_info")
    assert value == 1
    assert version == f"cairn {labels['version']} (commit {labels['commit']})"


def test_stream_ttl_and_backfill_figures(metered):
    server, port = metered("--ttl-interval", "0.1")
    c = server.client(unique_access_key())
    assert scrape(port).value("cairn_stream_records_retained") == 0
    create(c, "streamed",
           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    for i in range(3):
        c.put_item(TableName="streamed", Item={"pk": {"S": f"s{i}"}})
    c.put_item(TableName="streamed", Item={"pk": {"S": "s0"}})  # unchanged: no record
    assert scrape(port).value("cairn_stream_records_retained") == 3

    # Time to Live: two items long expired, one not; the sweeper deletes the two.
    create(c, "ttl")
    c.update_time_to_live(TableName="ttl",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    past, future = int(time.time()) - 3600, int(time.time()) + 3600
    for pk, exp in (("a", past), ("b", past), ("c", future)):
        c.put_item(TableName="ttl", Item={"pk": {"S": pk}, "exp": {"N": str(exp)}})
    s = wait_for(port, lambda s: s.value("cairn_ttl_items_deleted_total") >= 2)
    assert s.value("cairn_ttl_items_deleted_total") == 2
    assert s.value("cairn_ttl_sweeps_total") >= 1
    # The backlog drained: recounted because the sweep deleted items since the last count.
    s = scrape(port)
    assert s.value("cairn_ttl_backlog_items", table="ttl") == 0
    assert s.value("cairn_ttl_backlog_oldest_seconds", table="ttl") == 0
    assert s.value("cairn_ttl_backlog_items", table="streamed") is None  # TTL not enabled

    # An index added later is built by a backfill over the table's 4 items.
    create(c, "gsi")
    for i in range(4):
        c.put_item(TableName="gsi", Item={"pk": {"S": f"g{i}"}, "g": {"S": "v"}})
    assert scrape(port).value("cairn_index_backfill_items_total") == 0
    c.update_table(
        TableName="gsi", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    s = wait_for(port, lambda s: s.value("cairn_index_backfills_running") == 0 and
                 s.value("cairn_index_backfill_items_total") >= 4)
    assert s.value("cairn_index_backfills_running") == 0
    assert s.value("cairn_index_backfill_items_total") == 4
    ns = [l["namespace"] for l, _ in s.series("cairn_table_items") if l["table"] == "gsi"][0]
    s = wait_for(port, lambda s: s.value("cairn_index_items", namespace=ns, table="gsi",
                                         index="byg") == 4)
    assert s.value("cairn_index_items", namespace=ns, table="gsi", index="byg") == 4
    assert s.value("cairn_table_items", namespace=ns, table="gsi") == 4


def test_metrics_on_the_main_port_with_the_flag(make_server):
    server = make_server("--metrics")
    c = server.client(unique_access_key())
    c.list_tables()
    s = scrape(server.port)
    assert s.value("cairn_requests_total", operation="ListTables") == 1
    assert_histograms_consistent(s)
    # The scrapes themselves are not counted.
    s = scrape(server.port)
    assert s.value("cairn_requests_total", operation="Unknown") == 0
    # Prometheus asks for gzip; the scrape is compressed then, and still parses.
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 200 and r.getheader("Content-Encoding") == "gzip"
        assert "cairn_requests_total" in gzip.decompress(body).decode()
    finally:
        conn.close()


def assert_answered_as_dynamodb_does(port):
    """GET /metrics where metrics are off: DynamoDB's 404 for any path but "/"."""
    status, headers, body = get(port, "/metrics")
    assert status == 404, body
    assert b"#UnknownOperationException" in body and b"GET /metrics" in body
    assert "x-amzn-requestid" in headers


def test_without_the_flags_metrics_are_not_served(server):
    assert_answered_as_dynamodb_does(server.port)


def test_metrics_port_alone_leaves_the_main_port_as_dynamodb(metered):
    server, port = metered()
    assert_answered_as_dynamodb_does(server.port)
    s = scrape(port)
    # That 404 is a request like any other.
    assert s.value("cairn_requests_total", operation="Unknown") == 1
    assert s.value("cairn_errors_total", operation="Unknown",
                   error_type="UnknownOperationException") == 1


def test_metrics_listener_answers_only_get_metrics(metered):
    server, port = metered()
    assert get(port, "/")[0] == 404
    assert get(port, "/metrics/x")[0] == 404
    status, headers, _ = get(port, "/metrics", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = get(port, "/metrics", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    # Nothing of the metrics listener's traffic is counted as DynamoDB requests.
    assert scrape(port).value("cairn_requests_total", operation="Unknown") == 0


def test_metrics_port_from_the_environment(make_server):
    port = free_port()
    saved = dict(os.environ)
    os.environ["CAIRN_METRICS_PORT"] = str(port)
    try:
        make_server()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert scrape(port).value("cairn_requests_total", operation="PutItem") == 0


def test_metrics_port_in_use_fails_start_up(tmp_path):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run([CAIRN_BIN, "--in-memory", "--port", str(free_port()),
                            "--metrics-port", str(port)],
                           capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert f"cannot listen for metrics on 127.0.0.1:{port}" in r.stderr + r.stdout


def test_signature_errors_are_counted_under_their_operation(metered, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("AKIDMETRICS secret-of-metrics\n")
    os.chmod(creds, 0o600)
    server, port = metered("--credentials", str(creds))
    wrong = server.client("AKIDMETRICS")  # signs with conftest's SECRET_KEY: wrong for this key
    assert client_error(wrong.list_tables) == "InvalidSignatureException"
    assert client_error(server.client("AKIDUNKNOWN").list_tables) == "UnrecognizedClientException"
    signed = boto3.Session(aws_access_key_id="AKIDMETRICS",
                           aws_secret_access_key="secret-of-metrics",
                           region_name=REGION).client("dynamodb", endpoint_url=server.endpoint,
                                                      config=CLIENT_CONFIG)
    assert signed.list_tables()["TableNames"] == []
    s = scrape(port)
    assert s.value("cairn_requests_total", operation="ListTables") == 3
    errors = {(l["operation"], l["error_type"]): v for l, v in s.series("cairn_errors_total")}
    assert errors == {("ListTables", "InvalidSignatureException"): 1,
                      ("ListTables", "UnrecognizedClientException"): 1}


def test_older_api_and_streams_operations_are_labelled_by_name(metered):
    server, port = metered()
    raw = server.raw(unique_access_key())
    r = raw.request(None, {}, target="DynamoDB_20111205.ListTables")
    assert r.status == 200, r
    r = raw.request(None, {}, target="DynamoDBStreams_20120810.ListStreams")
    assert r.status == 200, r
    r = raw.request(None, {"StreamArn": "x" * 40},
                    target="DynamoDBStreams_20120810.DescribeStream")
    assert (r.status, r.error_type) == (400, "ValidationException"), r
    s = scrape(port)
    assert s.value("cairn_requests_total", operation="ListTables") == 1
    assert s.value("cairn_requests_total", operation="ListStreams") == 1
    assert s.value("cairn_requests_total", operation="DescribeStream") == 1
    errors = {(l["operation"], l["error_type"]): v for l, v in s.series("cairn_errors_total")}
    assert errors == {("DescribeStream", "ValidationException"): 1}


def test_ttl_backlog_counts_expired_items_awaiting_the_sweep(metered):
    """The TTL backlog: items whose expiry time has passed and that the sweep has not deleted yet,
    by DynamoDB's rule (a Number of epoch seconds, not more than five years in the past). The sweep
    runs only every hour here, so nothing is deleted during the test."""
    server, port = metered("--ttl-interval", "3600")
    c = server.client(unique_access_key())
    create(c, "ttl")
    now = int(time.time())
    items = {"h1": {"N": str(now - 3600)},            # expired an hour ago
             "h2": {"N": str(now - 7200)},            # two hours ago: the oldest
             "fut": {"N": str(now + 3600)},           # not yet
             "str": {"S": str(now - 3600)},           # not a Number: never expires
             "old": {"N": str(now - 6 * 366 * 86400)}}  # over five years ago: never expires
    for pk, exp in items.items():
        c.put_item(TableName="ttl", Item={"pk": {"S": pk}, "exp": exp})
    c.put_item(TableName="ttl", Item={"pk": {"S": "none"}})  # no TTL attribute
    s = scrape(port)
    assert s.value("cairn_ttl_backlog_items", table="ttl") is None  # TTL not enabled yet
    c.update_time_to_live(TableName="ttl",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    s = scrape(port)
    assert s.value("cairn_ttl_backlog_items", table="ttl") == 2
    oldest = s.value("cairn_ttl_backlog_oldest_seconds", table="ttl")
    assert 7200 <= oldest < 7200 + 60
    assert s.value("cairn_ttl_items_deleted_total") == 0
    assert s.families["cairn_ttl_backlog_items"].type == "gauge"
    # Still readable until the sweep deletes them, as in DynamoDB.
    assert "Item" in c.get_item(TableName="ttl", Key={"pk": {"S": "h2"}})
