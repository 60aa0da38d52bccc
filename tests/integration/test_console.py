"""The web console (GET /console) and its one extension outside DynamoDB's API, the namespace list.

DynamoDB has no such page; DynamoDB Local neither. Cairn serves a console from files compiled into
the binary (no file read, no network) at /console, /console/ and /console/<file>, each with a
strong ETag (If-None-Match -> 304), Cache-Control: no-cache and headers keeping it in its own
origin (Content-Security-Policy, X-Frame-Options: DENY, nosniff), without CORS headers. GET
/console/api/namespaces lists every access key / region that has tables, with their counts (with
--shared-db, the one shared namespace). --no-console (CAIRN_NO_CONSOLE) turns all of it off:
those paths are then answered as any path other than "/" (404 UnknownOperationException).
The console's behaviour in a browser is tested by tests/browser (Debian's chromium, headless).
"""

import gzip
import http.client
import json
import re
import time

import pytest

from conftest import HOST, create_table

CONSOLE_BUDGET_BYTES = 300 * 1000


def get(server, path, method="GET", headers=None):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_console_page_and_every_file_it_loads(server):
    status, headers, body = get(server, "/console")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"<title>Cairn console</title>" in body
    assert get(server, "/console/")[2] == body
    assert get(server, "/console/index.html")[2] == body
    # Every script, style sheet and icon the page names is served, with its type; the whole is
    # within the console's budget.
    total = len(body)
    refs = re.findall(rb'(?:src|href)="(/console/[^"]+)"', body)
    assert len(refs) >= 4
    for ref in refs:
        status, headers, asset = get(server, ref.decode())
        assert status == 200, ref
        kind = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}[ref.decode().rsplit(".", 1)[1]]
        assert headers["content-type"].startswith(kind)
        total += len(asset)
    assert total < CONSOLE_BUDGET_BYTES


def test_console_headers_keep_it_in_its_own_origin(server):
    status, headers, _ = get(server, "/console", headers={"Origin": "http://elsewhere.example"})
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "connect-src 'self'" in headers["content-security-policy"]
    assert "access-control-allow-origin" not in headers  # --cors "*" is for the API, not the console


def test_etag_revalidation_and_head(server):
    status, headers, body = get(server, "/console/app.js")
    etag = headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{20}"', etag)
    status, headers304, body304 = get(server, "/console/app.js", headers={"If-None-Match": etag})
    assert (status, body304) == (304, b"")
    assert headers304["etag"] == etag
    assert get(server, "/console/app.js", headers={"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert get(server, "/console/app.js", headers={"If-None-Match": '"other"'})[0] == 200
    status, head_headers, head_body = get(server, "/console/app.js", method="HEAD")
    assert (status, head_body) == (200, b"")
    assert head_headers["content-length"] == str(len(body))


def test_compressed_when_asked(server):
    status, headers, body = get(server, "/console/app.js", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == get(server, "/console/app.js")[2]


@pytest.mark.parametrize("path", ["/console/nope.js", "/console/api/other", "/console/app.js/x"])
def test_unknown_console_path_is_404(server, path):
    status, headers, body = get(server, path)
    assert status == 404
    assert headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_405(server, method):
    status, headers, _ = get(server, "/console", method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/consolex", "/console.js", "/Console"])
def test_paths_that_only_look_alike_are_not_the_console(server, path):
    status, _, body = get(server, path)
    assert status == 404
    assert json.loads(body)["__type"].endswith("#UnknownOperationException")


def test_namespaces_every_key_and_region_with_table_counts(make_server):
    s = make_server()
    for key, region, tables in [("alice", "us-east-1", 2), ("bob", "eu-west-1", 1),
                                ("we:ird", "us-west-2", 3)]:
        client = s.client(key, region)
        for i in range(tables):
            create_table(client, f"tab{i}")
    status, headers, body = get(s, "/console/api/namespaces")
    assert status == 200
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    assert answer["SharedDb"] is False
    got = [(n["AccessKeyId"], n["Region"], n["TableCount"]) for n in answer["Namespaces"]]
    assert got == [("we:ird", "us-west-2", 3), ("alice", "us-east-1", 2), ("bob", "eu-west-1", 1)]
    # A namespace whose last table is deleted is no longer listed.
    s.client("bob", "eu-west-1").delete_table(TableName="tab0")
    names = [n["AccessKeyId"] for n in json.loads(get(s, "/console/api/namespaces")[2])["Namespaces"]]
    assert names == ["we:ird", "alice"]


def test_namespaces_with_shared_db_is_one(make_server):
    s = make_server("--shared-db")
    assert json.loads(get(s, "/console/api/namespaces")[2]) == {
        "SharedDb": True, "Namespaces": [{"Namespace": "shared", "TableCount": 0}]}
    create_table(s.client("alice", "us-east-1"), "tab_a")
    create_table(s.client("bob", "eu-west-1"), "tab_b")
    assert json.loads(get(s, "/console/api/namespaces")[2])["Namespaces"] == [
        {"Namespace": "shared", "TableCount": 2}]


def check_no_console(s):
    for path in ["/console", "/console/", "/console/app.js", "/console/api/namespaces"]:
        status, _, body = get(s, path)
        assert status == 404, path
        assert json.loads(body)["__type"].endswith("#UnknownOperationException")
    assert s.client("k", "us-east-1").list_tables()["TableNames"] == []  # the API is unchanged


def test_no_console_flag(make_server):
    check_no_console(make_server("--no-console"))


def test_no_console_environment_variable(make_server, monkeypatch):
    monkeypatch.setenv("CAIRN_NO_CONSOLE", "1")
    check_no_console(make_server())


def test_console_requests_are_logged_at_debug(make_server):
    s = make_server("--log-level", "debug")
    assert get(s, "/console/app.js")[0] == 200
    assert get(s, "/console/missing.js")[0] == 404
    wanted = ["request GET /console/app.js op=- table=- status=200 error=-",
              "request GET /console/missing.js op=- table=- status=404 error=-"]
    for _ in range(200):  # the line is written after the answer: wait for it, at most 2 s
        log = s.read_log()
        if all(w in log for w in wanted):
            break
        time.sleep(0.01)
    assert all(w in log for w in wanted), log[-2000:]


def test_console_answers_carry_no_protocol_headers(server):
    _, headers, _ = get(server, "/console")
    assert "x-amzn-requestid" not in headers and "x-amz-crc32" not in headers


def test_namespaces_withheld_when_signatures_are_checked(make_server, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("alice alice-secret\nbob bob-secret\n")
    creds.chmod(0o600)
    s = make_server("--credentials", str(creds))
    status, headers, body = get(s, "/console/api/namespaces")
    assert status == 403
    assert headers["content-type"] == "application/json"
    assert "signatures are not checked" in json.loads(body)["message"]
    # The console itself is served (it asks for a key), and needs no signature to be loaded.
    assert get(s, "/console")[0] == 200
