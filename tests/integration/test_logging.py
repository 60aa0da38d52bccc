"""The server's log: the start-up line, one line per request at debug level, JSON lines.

- At start, at info level: the version, the commit it was built from, the address and port, the
  engine and where the data is.
- --log-level debug (any case: DEBUG works): one line per request with the operation, the table,
  the HTTP status, the error type, the bytes in and out and the microseconds taken. At info level
  no request is logged.
- --log-format json: every line is one JSON object with time (UTC, ISO 8601), level and message.
"""

import json
import re
import time

from conftest import create_table, unique_access_key

REQUEST_RE = re.compile(r"request POST / op=(\w+) table=(\S+) status=(\d+) error=(\S+) "
                        r"in=(\d+) out=(\d+) us=(\d+)")


def log_lines(server, pattern, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in (pattern.search(l) for l in server.read_log().splitlines()) if m]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_startup_line(make_server):
    s = make_server("--log-level", "info")
    # The line is written just after the port opens, so it may follow the first connection.
    found = log_lines(s, re.compile(r".*listening on.*"), 1)
    assert found, s.read_log()
    line = found[0].group(0)
    assert re.search(r"cairn \d+\.\d+\.\d+ \(commit [0-9a-f]{7,}|unknown\)", line), line
    assert f"127.0.0.1:{s.port}" in line
    assert "engine rocksdb on disk" in line and f"data in {s.data_dir}" in line


def test_one_line_per_request_at_debug(make_server):
    s = make_server("--log-level", "DEBUG")
    c = s.client(unique_access_key())
    create_table(c, "logged")
    c.put_item(TableName="logged", Item={"pk": {"S": "k"}})
    raw = s.raw(unique_access_key())
    assert raw.request("DescribeTable", {"TableName": "missing"}).status == 400
    found = log_lines(s, REQUEST_RE, 3)
    by_op = {m.group(1): m for m in found}
    put = by_op["PutItem"]
    assert (put.group(2), put.group(3), put.group(4)) == ("logged", "200", "-")
    assert int(put.group(5)) > 0 and int(put.group(6)) > 0
    missing = by_op["DescribeTable"]
    assert (missing.group(2), missing.group(3), missing.group(4)) == (
        "missing", "400", "ResourceNotFoundException")
    assert all(int(m.group(7)) >= 0 for m in found)


def test_no_request_lines_at_info(make_server):
    s = make_server("--log-level", "Info")
    c = s.client(unique_access_key())
    create_table(c, "quiet")
    c.put_item(TableName="quiet", Item={"pk": {"S": "k"}})
    assert log_lines(s, REQUEST_RE, 1, timeout=0.5) == []


def test_json_lines(make_server):
    s = make_server("--log-level", "debug", "--log-format", "JSON")
    c = s.client(unique_access_key())
    create_table(c, "json_table")
    c.put_item(TableName="json_table", Item={"pk": {"S": "k"}})
    log_lines(s, REQUEST_RE, 2)
    lines = [l for l in s.read_log().splitlines() if l and not l.startswith("=== start")]
    assert lines
    for line in lines:
        entry = json.loads(line)
        assert set(entry) == {"time", "level", "message"}, entry
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry["time"])
    messages = [json.loads(l)["message"] for l in lines]
    assert any("listening on" in m for m in messages)
    assert any(REQUEST_RE.search(m) and "op=PutItem" in m for m in messages)


def test_bad_level_or_format_is_refused():
    import subprocess
    from conftest import CAIRN_BIN
    for flag, value in (("--log-level", "loud"), ("--log-format", "xml")):
        r = subprocess.run([CAIRN_BIN, flag, value, "--in-memory"], capture_output=True,
                           text=True, timeout=10)
        assert r.returncode != 0
        assert flag in r.stderr
