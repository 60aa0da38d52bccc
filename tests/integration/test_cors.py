"""CORS: browser clients, as DynamoDB Local serves them (its -cors flag, default '*').

A page's fetch() of a DynamoDB operation is a non-simple request (POST with content-type
application/x-amz-json-1.0 and x-amz-* headers), so the browser first sends a preflight: OPTIONS with
Origin, Access-Control-Request-Method and Access-Control-Request-Headers. Cairn answers it 200 with
Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers (the SDKs' headers) and -Max-Age, and
every answer to an allowed origin carries Access-Control-Allow-Origin and
Access-Control-Expose-Headers (x-amzn-RequestId, x-amz-crc32), which the SDK for JavaScript reads.
--cors LIST (or DynamoDB Local's -cors LIST) limits the origins; --cors "" turns CORS off, and an
OPTIONS is then answered as any other non-POST method (404, DynamoDB's XML body).
"""

import http.client

import pytest

from conftest import HOST

SDK_HEADERS = ("content-type,authorization,x-amz-date,x-amz-target,x-amz-user-agent,"
               "amz-sdk-invocation-id,amz-sdk-request,x-amz-security-token")


def request(server, method, headers, body=b""):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, "/", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def preflight(server, origin, method="POST", headers=SDK_HEADERS):
    return request(server, "OPTIONS", {"Origin": origin, "Access-Control-Request-Method": method,
                                       "Access-Control-Request-Headers": headers})


def test_preflight_from_any_origin_by_default(server):
    status, headers, body = preflight(server, "http://app.example:3000")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET, POST, OPTIONS"
    assert headers["access-control-allow-headers"] == SDK_HEADERS.replace(",", ", ")
    assert int(headers["access-control-max-age"]) > 0
    assert body == b""


def test_answers_expose_the_protocol_headers(server, raw):
    r = raw.request("ListTables", {}, headers={"Origin": "http://app.example"})
    assert r.status == 200
    headers = {k.lower(): v for k, v in r.headers.items()}
    assert headers["access-control-allow-origin"] == "*"
    exposed = [h.strip().lower() for h in headers["access-control-expose-headers"].split(",")]
    assert "x-amzn-requestid" in exposed and "x-amz-crc32" in exposed
    # Errors too: the SDK must read their request id.
    r = raw.request("DescribeTable", {"TableName": "missing"},
                    headers={"Origin": "http://app.example"})
    assert r.status == 400
    assert {k.lower(): v for k, v in r.headers.items()}["access-control-allow-origin"] == "*"


def test_no_origin_no_cors_headers(raw):
    r = raw.request("ListTables", {})
    assert not any(k.lower().startswith("access-control-") for k in r.headers)


@pytest.mark.parametrize("flag", ["--cors", "-cors"])
def test_an_origin_list(make_server, flag):
    s = make_server(flag, "https://a.example, http://localhost:3000")
    status, headers, _ = preflight(s, "http://localhost:3000")
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://localhost:3000"
    assert headers["vary"] == "Origin"
    for origin in ("https://b.example", "https://a.example.evil", "null"):
        status, headers, _ = preflight(s, origin)
        assert status == 403, origin
        assert "access-control-allow-origin" not in headers
    c = s.raw("AKIDCORS")
    r = c.request("ListTables", {}, headers={"Origin": "https://b.example"})
    assert r.status == 200  # the server answers; the browser withholds it from the page
    assert not any(k.lower().startswith("access-control-") for k in r.headers)
    r = c.request("ListTables", {}, headers={"Origin": "https://a.example"})
    assert {k.lower(): v for k, v in r.headers.items()}["access-control-allow-origin"] == \
        "https://a.example"


@pytest.mark.parametrize("method,headers", [("DELETE", "content-type"),
                                            ("POST", "content-type,x-custom-header")])
def test_preflight_for_what_no_client_sends_is_refused(server, method, headers):
    status, got, _ = preflight(server, "http://app.example", method, headers)
    assert status == 403
    assert "access-control-allow-origin" not in got


def test_cors_off(make_server):
    s = make_server("--cors", "")
    status, headers, body = preflight(s, "http://app.example")
    assert (status, body) == (404, b"<UnknownOperationException/>\n")
    assert "access-control-allow-origin" not in headers
