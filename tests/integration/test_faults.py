"""Fault injection (--faults FILE, --admin, the admin API under /cairn/admin/faults): what the SDKs
do against DynamoDB's retryable errors, latency, dropped connections and partial batches.

Each test counts a client's attempts twice: client-side with a botocore event hook
(before-send, once per HTTP attempt) and server-side with the rule's counters ("requests": the
requests that matched the rule's operation and table, "fired": those it failed). Error types,
messages and HTTP statuses are DynamoDB's (its error reference, "Error components" and the
list of common errors); which ones botocore retries comes from its standard retry mode
(botocore/retries/standard.py: throttling codes and 5xx statuses; TransactionConflict and
ItemCollectionSizeLimitExceeded are not retried).
"""

import http.client
import json
import signal
import socket
import subprocess
import threading
import time

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import CAIRN_BIN, HOST, REGION, SECRET_KEY, create_table, free_port, unique_access_key

PTEE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                "Consider increasing your provisioning level with the UpdateTable API.")

# (rule "error", __type after '#', HTTP status, message, retried by botocore's standard mode)
ERRORS = [
    ("InternalServerError", "InternalServerError", 500, "Internal server error", True),
    ("ServiceUnavailable", "ServiceUnavailable", 503,
     "The service is currently unavailable or busy.", True),
    ("ThrottlingException", "ThrottlingException", 400,
     "Rate of requests exceeds the allowed throughput.", True),
    ("ProvisionedThroughputExceededException", "ProvisionedThroughputExceededException", 400,
     PTEE_MESSAGE, True),
    ("RequestLimitExceeded", "RequestLimitExceeded", 400,
     "Throughput exceeds the current throughput limit for your account. Please contact AWS "
     "Support at https://aws.amazon.com/support request a limit increase", True),
    ("TransactionConflictException", "TransactionConflictException", 400,
     "Transaction is ongoing for the item", False),
    ("ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceededException", 400,
     "Collection size exceeded.", False),
]


# --------------------------------------------------------------------------------------------------
# Helpers.


def admin(server, method, path, body=None):
    """One admin API request; returns (status, decoded JSON body)."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        data = None if body is None else (body if isinstance(body, str) else json.dumps(body))
        conn.request(method, "/cairn/admin/" + path, body=data,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        payload = r.read()
        return r.status, (json.loads(payload) if payload else None)
    finally:
        conn.close()


def add_rule(server, **rule):
    status, body = admin(server, "POST", "faults", rule)
    assert status == 200, body
    return body["ids"][0]


def rule_counters(server, rule_id):
    status, body = admin(server, "GET", "faults")
    assert status == 200
    [rule] = [r for r in body["rules"] if r["id"] == rule_id]
    return rule["requests"], rule["fired"]


def retrying_client(server, access_key, mode="standard", max_attempts=5):
    """boto3 with retries: max_attempts is botocore's, the number of retries after the first
    attempt."""
    session = boto3.Session(aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY,
                            region_name=REGION)
    return session.client("dynamodb", endpoint_url=server.endpoint, config=Config(
        retries={"mode": mode, "max_attempts": max_attempts}, connect_timeout=5, read_timeout=10))


def count_attempts(client, operation):
    """A list that grows by one per HTTP attempt of `operation` (botocore's before-send event)."""
    attempts = []
    client.meta.events.register(f"before-send.dynamodb.{operation}",
                                lambda **kwargs: attempts.append(time.monotonic()))
    return attempts


@pytest.fixture
def admin_server(make_server):
    return make_server("--admin", "--in-memory")


@pytest.fixture
def orders(admin_server):
    key = unique_access_key()
    c = admin_server.client(key)
    create_table(c, "Orders")
    create_table(c, "Other")
    return key


# --------------------------------------------------------------------------------------------------
# The admin path without the flag, and the admin API's own checks.


def test_admin_path_without_flag_answers_as_an_unknown_path(server, access_key):
    """Without --admin / --faults, /cairn/admin/... is a path DynamoDB does not serve: the same
    404 UnknownOperationException as any other path, and no rule can be added."""
    def ask(path, method="POST"):
        conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            conn.request(method, path, body=b"{}", headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, json.loads(r.read())
        finally:
            conn.close()

    for path in ("/cairn/admin/faults", "/cairn/admin/reset", "/cairn/admin/snapshots/x"):
        status, body = ask(path)
        other_status, other = ask("/elsewhere")
        assert status == other_status == 404
        assert body["__type"].endswith("#UnknownOperationException")
        assert other["__type"] == body["__type"]
        assert body["message"] == other["message"].replace("/elsewhere", path)
    # The server's tables are untouched by those requests.
    c = server.client(access_key)
    create_table(c, "StillHere")
    ask("/cairn/admin/reset")
    assert "StillHere" in c.list_tables()["TableNames"]


def test_admin_rejects_bad_rules_with_a_reason(admin_server):
    cases = [
        ({"operation": "PutItems", "error": "InternalServerError"}, "\"operation\""),
        ({"operation": "PutItem"}, "no fault"),
        ({"error": "Teapot"}, "\"error\" must be one of"),
        ({"error": "InternalServerError", "probability": 0}, "\"probability\""),
        ({"error": "InternalServerError", "probability": 1.5}, "\"probability\""),
        ({"error": "InternalServerError", "count": 0}, "\"count\""),
        ({"latency_ms": 0}, "\"latency_ms\""),
        ({"latency_ms": 60001}, "\"latency_ms\""),
        ({"operation": "PutItem", "unprocessed": 0.5}, "\"unprocessed\" needs"),
        ({"operation": "BatchWriteItem", "unprocessed": 0}, "\"unprocessed\""),
        ({"error": "InternalServerError", "drop_connection": True}, "exclude each other"),
        ({"message": "x", "latency_ms": 5}, "\"message\" needs"),
        ({"error": "InternalServerError", "colour": "red"}, "\"colour\" is not a rule member"),
    ]
    for rule, reason in cases:
        status, body = admin_server and admin(admin_server, "POST", "faults", rule)
        assert status == 400, rule
        assert reason in body["message"], (rule, body)
    status, body = admin(admin_server, "POST", "faults", "{not json")
    assert status == 400 and "not JSON" in body["message"]
    # Nothing was added by the refused requests.
    assert admin(admin_server, "GET", "faults")[1]["rules"] == []


def test_admin_lists_removes_and_clears_rules(admin_server):
    a = add_rule(admin_server, id="first", operation="GetItem", error="InternalServerError")
    b = add_rule(admin_server, operation="PutItem", table="T", count=2, latency_ms=10)
    assert a == "first" and b
    status, body = admin(admin_server, "GET", "faults")
    assert status == 200
    assert [r["id"] for r in body["rules"]] == ["first", b]
    assert body["rules"][1] == {"id": b, "operation": "PutItem", "table": "T",
                                "probability": 1.0, "count": 2, "latency_ms": 10,
                                "requests": 0, "fired": 0}
    assert admin(admin_server, "DELETE", "faults/first") == (200, {})
    assert admin(admin_server, "DELETE", "faults/first")[0] == 404
    assert [r["id"] for r in admin(admin_server, "GET", "faults")[1]["rules"]] == [b]
    # PUT replaces every rule (and reseeds).
    status, _ = admin(admin_server, "PUT", "faults",
                      {"seed": 9, "rules": [{"id": "x", "error": "ThrottlingException"}]})
    assert status == 200
    body = admin(admin_server, "GET", "faults")[1]
    assert body["seed"] == 9 and [r["id"] for r in body["rules"]] == ["x"]
    assert admin(admin_server, "DELETE", "faults") == (200, {})
    assert admin(admin_server, "GET", "faults")[1]["rules"] == []
    assert admin(admin_server, "GET", "nothing")[0] == 404
    assert admin(admin_server, "PATCH", "faults")[0] == 405


# --------------------------------------------------------------------------------------------------
# Errors: types, messages, statuses; retries counted; nothing written.


@pytest.mark.parametrize("rule_error,type_,status,message,retried", ERRORS,
                         ids=[e[0] for e in ERRORS])
def test_injected_error_as_dynamodb_sends_it(admin_server, orders, rule_error, type_, status,
                                             message, retried):
    """Each injectable error reaches botocore with DynamoDB's type, message and HTTP status;
    standard retry mode retries the retryable ones up to max_attempts, and the failed PutItem
    wrote nothing."""
    rule = add_rule(admin_server, operation="PutItem", table="Orders", error=rule_error)
    # botocore's max_attempts counts the retries: 2 retries, 3 attempts.
    c = retrying_client(admin_server, orders, max_attempts=2)
    attempts = count_attempts(c, "PutItem")
    with pytest.raises(ClientError) as e:
        c.put_item(TableName="Orders", Item={"pk": {"S": "o1"}})
    err = e.value.response
    assert err["Error"]["Code"] == type_
    assert err["Error"]["Message"] == message
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status
    expected = 3 if retried else 1
    assert len(attempts) == expected
    assert err["ResponseMetadata"]["RetryAttempts"] == expected - 1
    assert rule_counters(admin_server, rule) == (expected, expected)
    admin(admin_server, "DELETE", "faults")
    assert "Item" not in c.get_item(TableName="Orders", Key={"pk": {"S": "o1"}},
                                     ConsistentRead=True)


def test_next_three_putitems_fail_then_standard_retries_succeed(admin_server, orders):
    """"The next 3 PutItem on table Orders": the fourth attempt succeeds; the rule fired exactly
    3 times and then stays exhausted; other operations and tables are untouched."""
    rule = add_rule(admin_server, operation="PutItem", table="Orders", count=3,
                    error="ProvisionedThroughputExceededException")
    c = retrying_client(admin_server, orders, max_attempts=5)
    attempts = count_attempts(c, "PutItem")
    resp = c.put_item(TableName="Orders", Item={"pk": {"S": "o1"}, "n": {"N": "1"}})
    assert resp["ResponseMetadata"]["RetryAttempts"] == 3
    assert len(attempts) == 4
    assert rule_counters(admin_server, rule) == (4, 3)
    # Backoff: the attempts were spaced out (standard mode sleeps between retries).
    assert attempts[-1] - attempts[0] > 0
    # Exhausted: further PutItems on Orders succeed at once, and are still counted.
    c.put_item(TableName="Orders", Item={"pk": {"S": "o2"}})
    assert rule_counters(admin_server, rule) == (5, 3)
    # Another table and another operation never matched the rule.
    c.put_item(TableName="Other", Item={"pk": {"S": "x"}})
    c.get_item(TableName="Orders", Key={"pk": {"S": "o1"}})
    assert rule_counters(admin_server, rule) == (5, 3)
    item = c.get_item(TableName="Orders", Key={"pk": {"S": "o1"}}, ConsistentRead=True)["Item"]
    assert item == {"pk": {"S": "o1"}, "n": {"N": "1"}}


def test_injected_failures_write_nothing(admin_server, orders):
    """A conditional write that would change the item, failed by a rule: the item, its
    condition and every write-kind operation leave no trace."""
    c = admin_server.client(orders)
    c.put_item(TableName="Orders", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    add_rule(admin_server, table="Orders", error="InternalServerError")
    calls = [
        lambda: c.put_item(TableName="Orders", Item={"pk": {"S": "k"}, "v": {"N": "2"}}),
        lambda: c.update_item(TableName="Orders", Key={"pk": {"S": "k"}},
                              UpdateExpression="SET v = :v",
                              ExpressionAttributeValues={":v": {"N": "3"}}),
        lambda: c.delete_item(TableName="Orders", Key={"pk": {"S": "k"}}),
        lambda: c.batch_write_item(RequestItems={"Orders": [
            {"PutRequest": {"Item": {"pk": {"S": "new"}}}}]}),
        lambda: c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "Orders", "Item": {"pk": {"S": "new2"}}}}]),
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "InternalServerError"
    admin(admin_server, "DELETE", "faults")
    items = c.scan(TableName="Orders", ConsistentRead=True)["Items"]
    assert items == [{"pk": {"S": "k"}, "v": {"N": "1"}}]


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_backoff_between_retries_is_observed(admin_server, orders, mode, monkeypatch):
    """botocore's backoff in both retry modes, observed: its jitter fixed at 0.5 (the random
    factor of ExponentialBackoff, 0.5 * 2^(attempt-1) seconds), the two injected failures are
    followed by waits of 0.5 s and 1 s before the next attempt (adaptive mode adds its rate
    limiter's wait after throttling errors); the rule fired exactly twice; the third attempt
    succeeds and wrote the item once."""
    from botocore.retries import standard
    monkeypatch.setattr(standard.ExponentialBackoff.__init__, "__defaults__", (20, lambda: 0.5))
    rule = add_rule(admin_server, operation="PutItem", table="Orders", count=2,
                    error="ProvisionedThroughputExceededException")
    c = retrying_client(admin_server, orders, mode=mode, max_attempts=4)
    attempts = count_attempts(c, "PutItem")
    resp = c.put_item(TableName="Orders", Item={"pk": {"S": "b"}})
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(attempts) == 3
    gaps = [b - a for a, b in zip(attempts, attempts[1:])]
    assert gaps[0] >= 0.5 and gaps[1] >= 1.0, gaps
    if mode == "standard":
        assert gaps[0] < 0.5 + 0.4 and gaps[1] < 1.0 + 0.4, gaps
    else:  # adaptive: its client-side rate limiter, cut by the throttling errors, waits on top
        assert gaps[1] < 1.0 + 4, gaps
    assert rule_counters(admin_server, rule) == (3, 2)
    assert c.scan(TableName="Orders", ConsistentRead=True)["Items"] == [{"pk": {"S": "b"}}]


def test_adaptive_mode_retries_throttling_to_success(admin_server, orders):
    rule = add_rule(admin_server, operation="GetItem", count=2, error="ThrottlingException")
    c = retrying_client(admin_server, orders, mode="adaptive", max_attempts=4)
    attempts = count_attempts(c, "GetItem")
    resp = c.get_item(TableName="Orders", Key={"pk": {"S": "none"}})
    assert "Item" not in resp
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(attempts) == 3
    assert rule_counters(admin_server, rule) == (3, 2)


def test_adaptive_mode_gives_up_after_max_attempts(admin_server, orders):
    rule = add_rule(admin_server, operation="Query", table="Orders",
                    error="ProvisionedThroughputExceededException")
    c = retrying_client(admin_server, orders, mode="adaptive", max_attempts=2)
    with pytest.raises(ClientError) as e:
        c.query(TableName="Orders", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "a"}})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert rule_counters(admin_server, rule) == (3, 3)


def test_table_rules_match_batches_and_transactions(admin_server, orders):
    """A rule on a table matches requests that name it anywhere: RequestItems, TransactItems."""
    rule = add_rule(admin_server, table="Orders", error="InternalServerError")
    c = admin_server.client(orders)
    for call in (
        lambda: c.batch_get_item(RequestItems={"Orders": {"Keys": [{"pk": {"S": "a"}}]},
                                               "Other": {"Keys": [{"pk": {"S": "a"}}]}}),
        lambda: c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "Other", "Key": {"pk": {"S": "a"}}}},
            {"Get": {"TableName": "Orders", "Key": {"pk": {"S": "a"}}}}]),
    ):
        with pytest.raises(ClientError):
            call()
    c.batch_get_item(RequestItems={"Other": {"Keys": [{"pk": {"S": "a"}}]}})
    assert rule_counters(admin_server, rule) == (2, 2)


def test_probability_with_a_seed_is_reproducible(make_server):
    """The same --faults-seed and the same requests give the same failures."""
    def run():
        s = make_server("--admin", "--in-memory", "--faults-seed", "1234")
        key = unique_access_key()
        c = s.client(key)
        create_table(c, "Tbl")
        add_rule(s, operation="GetItem", probability=0.5, error="InternalServerError")
        pattern = []
        for _ in range(40):
            try:
                c.get_item(TableName="Tbl", Key={"pk": {"S": "a"}})
                pattern.append(0)
            except ClientError:
                pattern.append(1)
        assert admin(s, "GET", "faults")[1]["seed"] == 1234
        return pattern

    first, second = run(), run()
    assert first == second
    assert 5 < sum(first) < 35  # both outcomes occur at p = 0.5


# --------------------------------------------------------------------------------------------------
# Latency and dropped connections.


def test_latency_holds_the_answer_without_blocking_other_connections(make_server):
    """latency_ms holds one answer back; with a single event-loop thread, another connection is
    served meanwhile (the delay is a timer, not a sleep)."""
    s = make_server("--admin", "--in-memory", "--threads", "1")
    key = unique_access_key()
    c = s.client(key)
    create_table(c, "Slow")
    create_table(c, "Fast")
    rule = add_rule(s, operation="GetItem", table="Slow", latency_ms=800)
    done = {}

    def slow():
        t = time.monotonic()
        s.client(key).get_item(TableName="Slow", Key={"pk": {"S": "a"}})
        done["slow"] = time.monotonic() - t

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.1)
    t = time.monotonic()
    c.get_item(TableName="Fast", Key={"pk": {"S": "a"}})
    fast = time.monotonic() - t
    thread.join(timeout=10)
    assert done["slow"] >= 0.8
    assert fast < 0.4
    assert rule_counters(s, rule) == (1, 1)


def test_latency_and_error_together_and_keep_alive(admin_server, orders):
    """Latency combines with an error; the connection stays usable after a held answer."""
    add_rule(admin_server, operation="DescribeTable", count=1, latency_ms=300,
             error="ServiceUnavailable")
    raw = admin_server.raw(orders)
    conn = raw.connection()
    t = time.monotonic()
    r = raw.request("DescribeTable", {"TableName": "Orders"}, conn=conn)
    assert time.monotonic() - t >= 0.3
    assert r.status == 503 and r.error_type == "ServiceUnavailable"
    r = raw.request("DescribeTable", {"TableName": "Orders"}, conn=conn)
    assert r.status == 200
    conn.close()


def test_dropped_connection_is_a_connection_error_that_boto3_retries(admin_server, orders):
    rule = add_rule(admin_server, operation="PutItem", table="Orders", count=1,
                    drop_connection=True)
    c = retrying_client(admin_server, orders, max_attempts=3)
    attempts = count_attempts(c, "PutItem")
    resp = c.put_item(TableName="Orders", Item={"pk": {"S": "d"}})
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(attempts) == 2
    assert rule_counters(admin_server, rule) == (2, 1)
    # Without retries the drop surfaces as botocore's connection error.
    add_rule(admin_server, operation="PutItem", table="Orders", count=1, drop_connection=True)
    no_retry = admin_server.client(orders)
    with pytest.raises((botocore.exceptions.ConnectionClosedError,
                        botocore.exceptions.EndpointConnectionError)):
        no_retry.put_item(TableName="Orders", Item={"pk": {"S": "never"}})
    assert "Item" not in no_retry.get_item(TableName="Orders", Key={"pk": {"S": "never"}},
                                           ConsistentRead=True)


def test_dropped_connection_after_latency(admin_server, orders):
    add_rule(admin_server, operation="GetItem", count=1, latency_ms=200, drop_connection=True)
    raw = admin_server.raw(orders)
    t = time.monotonic()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        raw.request("GetItem", {"TableName": "Orders", "Key": {"pk": {"S": "a"}}})
    assert time.monotonic() - t >= 0.2


# --------------------------------------------------------------------------------------------------
# Partial batches.


def test_partial_batch_write(admin_server, orders):
    rule = add_rule(admin_server, operation="BatchWriteItem", count=1, unprocessed=0.5)
    c = admin_server.client(orders)
    c.put_item(TableName="Orders", Item={"pk": {"S": "gone"}})
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"p{i}"}, "i": {"N": str(i)}}}}
            for i in range(9)]
    asked = {"Orders": puts[:5] + [{"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}}],
             "Other": puts[5:]}
    resp = c.batch_write_item(RequestItems=asked)
    unprocessed = resp["UnprocessedItems"]
    assert sum(len(v) for v in unprocessed.values()) == 5  # ceil(0.5 * 10)
    # Unprocessed requests come back as they were asked, under their table; the others are
    # applied and the unprocessed ones are not.
    for table, reqs in asked.items():
        for r in reqs:
            skipped = r in unprocessed.get(table, [])
            key = {"pk": (r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])["pk"]}
            got = c.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
            if "PutRequest" in r:
                assert (got is None) == skipped, r
            else:
                assert (got is not None) == skipped, r
    for table, reqs in unprocessed.items():
        assert all(r in asked[table] for r in reqs)
    # Retrying UnprocessedItems (what the SDK helpers do) completes the batch.
    resp = c.batch_write_item(RequestItems=unprocessed)
    assert resp["UnprocessedItems"] == {}
    assert len(c.scan(TableName="Orders", ConsistentRead=True)["Items"]) == 5
    assert len(c.scan(TableName="Other", ConsistentRead=True)["Items"]) == 4
    assert rule_counters(admin_server, rule) == (2, 1)


def test_partial_batch_write_through_the_resource_batch_writer(admin_server, orders):
    """boto3's batch_writer resends UnprocessedItems until none are left."""
    add_rule(admin_server, operation="BatchWriteItem", count=3, unprocessed=0.6)
    table = admin_server.resource(orders).Table("Orders")
    with table.batch_writer() as w:
        for i in range(20):
            w.put_item(Item={"pk": f"w{i}"})
    assert len(table.scan(ConsistentRead=True)["Items"]) == 20


def test_partial_batch_get(admin_server, orders):
    c = admin_server.client(orders)
    for i in range(8):
        c.put_item(TableName="Orders", Item={"pk": {"S": f"g{i}"}})
    rule = add_rule(admin_server, operation="BatchGetItem", table="Orders", unprocessed=0.25,
                    count=1)
    keys = [{"pk": {"S": f"g{i}"}} for i in range(8)]
    resp = c.batch_get_item(RequestItems={"Orders": {"Keys": keys, "ConsistentRead": True,
                                                     "ProjectionExpression": "pk"}})
    got = resp["Responses"]["Orders"]
    left = resp["UnprocessedKeys"]["Orders"]
    assert len(got) == 6 and len(left["Keys"]) == 2
    assert left["ConsistentRead"] is True and left["ProjectionExpression"] == "pk"
    assert sorted([g["pk"]["S"] for g in got] + [k["pk"]["S"] for k in left["Keys"]]) == \
        sorted(k["pk"]["S"] for k in keys)
    resp = c.batch_get_item(RequestItems=resp["UnprocessedKeys"])
    assert len(resp["Responses"]["Orders"]) == 2 and resp["UnprocessedKeys"] == {}
    assert rule_counters(admin_server, rule) == (2, 1)


# --------------------------------------------------------------------------------------------------
# The rules file.


def test_rules_file_seed_and_sighup_reload(make_server, tmp_path):
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"seed": 77, "rules": [
        {"id": "boom", "operation": "ListTables", "error": "InternalServerError"}]}))
    s = make_server("--faults", str(rules), "--in-memory")
    c = s.client(unique_access_key())
    with pytest.raises(ClientError) as e:
        c.list_tables()
    assert e.value.response["Error"]["Code"] == "InternalServerError"
    body = admin(s, "GET", "faults")[1]
    assert body["seed"] == 77 and body["rules"][0]["fired"] == 1

    # A new file, then SIGHUP: the new rules replace the old ones.
    rules.write_text(json.dumps({"rules": [
        {"id": "slow", "operation": "ListTables", "latency_ms": 5}]}))
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while [r["id"] for r in admin(s, "GET", "faults")[1]["rules"]] != ["slow"]:
        assert time.monotonic() < deadline, "rules not reloaded"
        time.sleep(0.05)
    c.list_tables()

    # A bad file on SIGHUP: the previous rules stay, the log says why.
    mark = s.log_size()
    rules.write_text('{"rules": [{"operation": "ListTables", "error": "Nope"}]}')
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "not reloaded" not in s.read_log(mark):
        assert time.monotonic() < deadline, s.read_log(mark)
        time.sleep(0.05)
    assert "\"error\" must be one of" in s.read_log(mark)
    assert [r["id"] for r in admin(s, "GET", "faults")[1]["rules"]] == ["slow"]
    assert s.proc.poll() is None


@pytest.mark.parametrize("content,reason", [
    ("{not json", "not JSON"),
    ('{"rules": [{"operation": "PutItem"}]}', "fault rule 1: no fault"),
    ('{"rules": [{"error": "InternalServerError"}, {"id": "b", "count": -1, '
     '"error": "InternalServerError"}]}', "fault rule 2 (\"b\"): \"count\""),
    ('{"seed": "x", "rules": []}', "\"seed\""),
    ('{"rulez": []}', "expected {\"rules\": [...]}"),
])
def test_bad_rules_file_refuses_to_start(tmp_path, content, reason):
    rules = tmp_path / "faults.json"
    rules.write_text(content)
    p = subprocess.run([CAIRN_BIN, "--in-memory", "--port", str(free_port()), "--faults",
                        str(rules)], capture_output=True, text=True, timeout=20)
    out = p.stdout + p.stderr  # the log goes to stdout
    assert p.returncode != 0
    assert "cannot load the fault rules" in out and str(rules) in out
    assert reason in out, out


def test_missing_rules_file_refuses_to_start(tmp_path):
    p = subprocess.run([CAIRN_BIN, "--in-memory", "--port", str(free_port()), "--faults",
                        str(tmp_path / "none.json")], capture_output=True, text=True, timeout=20)
    assert p.returncode != 0
    assert "none.json" in p.stdout + p.stderr
