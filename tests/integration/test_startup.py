"""Start-up: the port accepts connections before storage is open (src/main.cc, http/start_gate.h).

DynamoDB has no start-up a client can see; what a client of Cairn must see is that a request sent as
soon as the port accepts is answered as it would be later: it waits while storage opens, then sees
every table and item written before the restart, never an empty or half-read catalog. If storage
cannot be opened, the waiting requests get 503 (ServiceUnavailable) and the process exits with
status 1. The hidden --test-storage-delay MS makes storage open that much after the port, so that
the requests surely arrive before it is ready (whether they did is read from the log: the line
"listening on ..." is written once storage is open, so these checks do not depend on timing).
"""

import http.client
import json
import re
import subprocess
import threading
import time

from conftest import CAIRN_BIN, HOST, JSON_CONTENT_TYPE, TARGET_PREFIX, free_port, \
    unique_access_key

DELAY_MS = "3000"
READY_LINE = re.compile(r"listening on ")


def create_table(c, name):
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def ready(server):
    return READY_LINE.search(server.read_log()) is not None


def test_requests_before_storage_is_open_are_answered_once_it_is(make_server):
    s = make_server("--test-storage-delay", DELAY_MS, "--log-level", "info")
    assert not ready(s), "storage was open already: the request below would not wait"
    c = s.client(unique_access_key())
    assert c.list_tables()["TableNames"] == []
    assert ready(s)  # answered only once storage was open


def test_data_written_before_a_restart_is_seen_by_the_first_requests(make_server):
    s = make_server("--test-storage-delay", DELAY_MS, "--log-level", "info")
    key = unique_access_key()
    c = s.client(key)
    create_table(c, "kept")
    c.put_item(TableName="kept", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    offset = s.log_size()
    s.restart()
    assert READY_LINE.search(s.read_log(offset)) is None
    # Several connections at once, each with a request that needs the catalog and the data.
    results, errors = [], []

    def one():
        try:
            results.append(s.client(key).get_item(TableName="kept", Key={"pk": {"S": "a"}}))
        except Exception as e:  # reported below, with the others
            errors.append(e)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert [r["Item"] for r in results] == [{"pk": {"S": "a"}, "v": {"N": "1"}}] * 4
    assert READY_LINE.search(s.read_log(offset)) is not None


def test_storage_that_cannot_open_answers_503_and_exits_1(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("not a directory")
    port = free_port()
    p = subprocess.Popen([CAIRN_BIN, "--host", HOST, "--port", str(port), "--data-dir",
                          str(not_a_dir / "data"), "--test-storage-delay", "1500"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:  # the port accepts while storage has not been tried yet
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=20)
                conn.connect()
                break
            except OSError:
                assert p.poll() is None and time.monotonic() < deadline, p.stdout.read()
                time.sleep(0.005)
        conn.request("POST", "/", json.dumps({}).encode(),
                     {"X-Amz-Target": TARGET_PREFIX + "ListTables",
                      "Content-Type": JSON_CONTENT_TYPE})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 503
        assert body["__type"].endswith("#ServiceUnavailable"), body
        conn.close()
        out, _ = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 1
    assert "cannot open storage data in" in out
