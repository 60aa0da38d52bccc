"""The HTTP front door, over raw sockets, http.client and boto3.

Behaviour pinned here:
- Request bodies with Content-Encoding gzip or deflate (zlib, and raw deflate) are decoded before
  the operation reads them. A body that inflates past the request size limit (a "zip bomb") is
  refused with 413; an unknown Content-Encoding, or a body that does not decode, gets HTTP 500
  InternalServerError, as DynamoDB answers. In every refused case nothing is written.
- Accept-Encoding (RFC 9110 12.5.3): an answer over 4 KB is compressed with gzip or deflate when
  the client accepts one (q-weights, "*", q=0 forbids a coding, the highest weight wins, identity
  is acceptable unless refused). Content-Encoding is set, Content-Length is the compressed size,
  and x-amz-crc32 is the CRC32 of the body as sent (what botocore's retry handler checks, over the
  undecoded bytes). Smaller answers, and clients that accept only identity (botocore sends
  "Accept-Encoding: identity"), get the plain body; a client that refuses identity gets a coding
  even for a small answer.
- `GET /` answers `healthy: <the Host header>` (HEAD: the same head, no body); GET or POST of
  other paths get 404 with a JSON error body naming what was asked. Only POST runs operations:
  every other method (PUT, DELETE, PATCH, OPTIONS, ...) gets what DynamoDB answers, 404 with the
  body `<UnknownOperationException/>\n` (29 bytes, x-amz-crc32 3552371480), on any path, and the
  connection stays usable. (Recorded from dynalite's connection tests, which were checked against
  DynamoDB; not verified here against DynamoDB itself.)
- An oversized request line or header block gets 431 and the server closes the connection at once,
  whether or not the client ever finishes its request.
- UnknownOperationException names the requested operation in its message. NOT VERIFIED against
  DynamoDB: dynalite answers with no message at all; the text here is Cairn's
  ("Unknown operation: <X-Amz-Target>").
"""

import gzip
import os
import http.client
import json
import socket
import time
import zlib

import pytest
from conftest import HOST, check_protocol_headers, create_table

BIG_VALUE = "x" * 1000  # ten such items make a Scan answer well over 4 KB


def _deflate(data, wbits):
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def _put_body(table, pk, extra=None):
    item = {"pk": {"S": pk}}
    item.update(extra or {})
    return json.dumps({"TableName": table, "Item": item}).encode()


def _item(client, table, pk):
    return client.get_item(TableName=table, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")


class RawSocket:
    """Bytes in, one HTTP/1.1 response out, every wait bounded."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def response(self, deadline_s=10.0):
        """(status, lower-case headers, body); waits at most deadline_s."""
        deadline = time.monotonic() + deadline_s
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        self.buf = rest
        while len(self.buf) < length:
            self._fill(deadline)
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed_by_server(self, deadline_s=10.0):
        """True when the server closes (EOF or reset) within deadline_s, dropping extra bytes."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not chunk:
                return True
        return False

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no complete response in time: {self.buf[:300]!r}"
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        assert chunk, f"connection closed before a complete response: {self.buf[:300]!r}"
        self.buf += chunk


@pytest.fixture
def table(client):
    create_table(client, "front")
    return "front"


@pytest.fixture
def big_table(client):
    """A table whose Scan answer is over 4 KB; a GetItem of 'small' is under it."""
    create_table(client, "bigfront")
    for i in range(10):
        client.put_item(TableName="bigfront",
                        Item={"pk": {"S": f"k{i}"}, "v": {"S": BIG_VALUE}})
    client.put_item(TableName="bigfront", Item={"pk": {"S": "small"}})
    return "bigfront"


# --- request bodies ---------------------------------------------------------------------------

@pytest.mark.parametrize("coding,encode", [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", lambda b: _deflate(b, 15)),       # zlib format, RFC 1950 (the standard)
    ("deflate", lambda b: _deflate(b, -15)),      # raw RFC 1951, as some clients send it
    ("GZIP", gzip.compress),
])
def test_compressed_request_bodies_are_decoded(raw, client, table, coding, encode):
    body = _put_body(table, "c-" + coding, {"v": {"S": "hello"}})
    r = raw.request("PutItem", encode(body), headers={"Content-Encoding": coding})
    assert r.status == 200, r
    check_protocol_headers(r)
    assert _item(client, table, "c-" + coding) == {"pk": {"S": "c-" + coding}, "v": {"S": "hello"}}


def test_zip_bomb_is_refused_and_nothing_written(raw, client, table):
    # 17 MB of JSON (over DynamoDB's 16 MB request limit) that compresses to a few KB.
    padding = " " * (17 << 20)
    body = b'{"TableName": "' + table.encode() + b'", "Item": {"pk": {"S": "bomb"}}' + \
        padding.encode() + b"}"
    wire = gzip.compress(body)
    assert len(wire) < 100_000
    r = raw.request("PutItem", wire, headers={"Content-Encoding": "gzip"})
    assert r.status == 413, r
    assert _item(client, table, "bomb") is None


@pytest.mark.parametrize("coding", ["br", "compress", "gzip, br", "zstd"])
def test_unknown_content_encoding_is_500_and_nothing_written(raw, client, table, coding):
    body = _put_body(table, "unknown")  # valid JSON: the coding alone must stop it
    r = raw.request("PutItem", body, headers={"Content-Encoding": coding})
    assert r.status == 500, r
    assert r.error_type == "InternalServerError", r
    assert _item(client, table, "unknown") is None


@pytest.mark.parametrize("coding,wire", [
    ("gzip", b"definitely not gzip"),
    ("deflate", b"definitely not deflate"),
    # mtime=0: the same bytes, so the same test id, in every pytest worker (pytest-xdist checks).
    ("gzip", gzip.compress(b'{"TableName": "front", "Item": {"pk": {"S": "corrupt"}}}',
                           mtime=0)[:-12]),
], ids=["gzip-garbage", "deflate-garbage", "gzip-truncated"])
def test_body_that_does_not_decode_is_500_and_nothing_written(raw, client, table, coding, wire):
    r = raw.request("PutItem", wire, headers={"Content-Encoding": coding})
    assert r.status == 500, r
    assert r.error_type == "InternalServerError", r
    assert _item(client, table, "corrupt") is None


def test_connection_stays_usable_after_an_undecodable_body(raw, table):
    conn = raw.connection()
    try:
        r = raw.request("PutItem", b"junk", conn=conn, headers={"Content-Encoding": "gzip"})
        assert r.status == 500, r
        r = raw.request("ListTables", {}, conn=conn)
        assert r.status == 200, r
    finally:
        conn.close()


# --- response codings -------------------------------------------------------------------------

def _scan(raw, table, accept):
    headers = {} if accept is None else {"Accept-Encoding": accept}
    return raw.request("Scan", {"TableName": table}, headers=headers)


def _check_sent_as(r, coding):
    """The body decoded per Content-Encoding; checks the headers describe the body as sent."""
    assert r.status == 200, r
    assert r.headers.get("content-length") == str(len(r.body)), r
    assert r.headers.get("x-amz-crc32") == str(zlib.crc32(r.body)), r
    if coding is None:
        assert "content-encoding" not in r.headers, r
        return json.loads(r.body)
    assert r.headers.get("content-encoding") == coding, r
    if coding == "gzip":
        return json.loads(gzip.decompress(r.body))
    return json.loads(zlib.decompress(r.body))  # deflate is the zlib format


@pytest.mark.parametrize("accept,coding", [
    ("gzip", "gzip"),
    ("deflate", "deflate"),
    ("gzip, deflate", "gzip"),
    ("gzip;q=0.5, deflate", "deflate"),
    ("deflate;q=0.2, gzip;q=0.8", "gzip"),
    ("*", "gzip"),
    ("*, gzip;q=0", "deflate"),
    ("identity;q=0, gzip", "gzip"),
    ("br, gzip;q=0.1", "gzip"),
    ("gzip;q=0", None),
    ("gzip;q=0.5, identity", None),
    ("identity", None),
    ("br", None),
    ("", None),
    (None, None),  # http.client's default: "Accept-Encoding: identity"
])
def test_large_answers_follow_accept_encoding(raw, big_table, accept, coding):
    r = _scan(raw, big_table, accept)
    out = _check_sent_as(r, coding)
    assert out["Count"] == 11, out
    if coding is not None:
        assert len(r.body) < 4096, len(r.body)


@pytest.mark.parametrize("accept,coding", [
    ("gzip", None),
    ("deflate", None),
    ("*", None),
    ("identity;q=0, gzip", "gzip"),        # identity refused: a coding even for a small answer
    ("*;q=0, deflate", "deflate"),
])
def test_small_answers_are_compressed_only_when_identity_is_refused(raw, big_table, accept,
                                                                    coding):
    r = raw.request("GetItem", {"TableName": big_table, "Key": {"pk": {"S": "small"}}},
                    headers={"Accept-Encoding": accept})
    assert _check_sent_as(r, coding) == {"Item": {"pk": {"S": "small"}}}


def test_no_accept_encoding_header_gets_identity(server, big_table, access_key):
    body = json.dumps({"TableName": big_table}).encode()
    s = RawSocket(server.port)
    try:
        s.send(b"POST / HTTP/1.1\r\nHost: localhost\r\n"
               b"Content-Type: application/x-amz-json-1.0\r\n"
               b"X-Amz-Target: DynamoDB_20120810.Scan\r\n"
               b"X-Amz-Date: 20260101T000000Z\r\n"
               b"Authorization: AWS4-HMAC-SHA256 Credential=" + access_key.encode() +
               b"/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n"
               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        status, headers, payload = s.response()
    finally:
        s.close()
    assert status == 200, payload[:300]
    assert "content-encoding" not in headers
    assert headers["x-amz-crc32"] == str(zlib.crc32(payload))
    assert json.loads(payload)["Count"] == 11


def test_boto3_reads_large_answers(client, big_table):
    # botocore asks for identity and checks x-amz-crc32 over the bytes it receives.
    out = client.scan(TableName=big_table)
    assert out["Count"] == 11
    assert out["ResponseMetadata"]["HTTPHeaders"].get("content-encoding") is None


# --- paths and methods ------------------------------------------------------------------------

def _exchange(port, request, deadline_s=10.0):
    s = RawSocket(port)
    try:
        s.send(request)
        return s.response(deadline_s)
    finally:
        s.close()


def test_get_root_answers_healthy_with_the_host(server):
    status, headers, body = _exchange(
        server.port, b"GET / HTTP/1.1\r\nHost: localhost:1234\r\n\r\n")
    assert status == 200
    assert body.decode().rstrip(" ") == "healthy: localhost:1234"
    assert headers["content-type"].startswith("text/plain")
    status, _, body = _exchange(
        server.port, b"GET /?Action=x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert (status, body.decode().rstrip(" ")) == (200, "healthy: 127.0.0.1")


def test_get_root_through_http_client(server):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200
        assert r.read().decode().rstrip(" ") == f"healthy: {HOST}:{server.port}"
        conn.request("HEAD", "/")
        r = conn.getresponse()
        assert r.status == 200
        assert r.read() == b""
        assert int(r.getheader("Content-Length")) > len("healthy: ")
    finally:
        conn.close()


@pytest.mark.parametrize("method,path", [
    ("GET", "/foo"),
    ("GET", "/favicon.ico"),
    ("POST", "/tables"),
])
def test_other_paths_are_404(server, method, path):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, body=b"{}",
                     headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                              "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == 404, body
        err = json.loads(body)
        assert err["__type"].endswith("#UnknownOperationException"), err
        assert path in err["message"] and method in err["message"], err
        # The connection is still good for a real request.
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method,path", [
    ("PUT", "/"),
    ("DELETE", "/"),
    ("PATCH", "/"),
    ("OPTIONS", "/"),
    ("TRACE", "/"),
    ("DELETE", "/x"),
])
def test_methods_other_than_post_run_no_operation(server, client, access_key, method, path):
    # A signed CreateTable in every respect but the method: nothing runs.
    create = json.dumps({"TableName": "nomethod", "KeySchema": [{"AttributeName": "pk",
                         "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "pk",
                         "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}).encode()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, body=create,
                     headers={"X-Amz-Target": "DynamoDB_20120810.CreateTable",
                              "Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Date": "20260101T000000Z",
                              "Authorization": "AWS4-HMAC-SHA256 Credential=" + access_key +
                              "/20260101/us-east-1/dynamodb/aws4_request, "
                              "SignedHeaders=host, Signature=0"})
        r = conn.getresponse()
        body = r.read()
        assert (r.status, body) == (404, b"<UnknownOperationException/>\n")
        assert r.getheader("x-amz-crc32") == "3552371480"
        assert r.getheader("x-amzn-RequestId")
        # The connection is still good for a real request.
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    finally:
        conn.close()
    assert client.list_tables()["TableNames"] == []


# --- oversized requests -----------------------------------------------------------------------

OVERSIZE = 100 * 1024  # past the server's 64 KB limit on the request line and headers


@pytest.mark.parametrize("request_bytes", [
    b"GET /" + b"a" * OVERSIZE + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * OVERSIZE + b"\r\nContent-Length: 0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\n" + b"X-Many: 0123456789\r\n" * (OVERSIZE // 20) + b"\r\n",
])
def test_oversized_request_line_and_headers(server, request_bytes):
    s = RawSocket(server.port)
    try:
        s.send(request_bytes)
        status, headers, _ = s.response(deadline_s=5)
        assert status in (400, 413, 414, 431), status
        assert headers.get("connection") == "close"
        assert s.closed_by_server(deadline_s=5), "the connection was left open"
    finally:
        s.close()


def test_oversized_header_that_never_ends_is_answered_at_once(server):
    # The client never sends the end of its headers: the server must not wait for it.
    s = RawSocket(server.port)
    try:
        s.send(b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * OVERSIZE)
        status, _, _ = s.response(deadline_s=5)
        assert status in (400, 413, 431), status
        assert s.closed_by_server(deadline_s=10), "the connection was left open"
    finally:
        s.close()


def test_server_still_serves_after_oversized_requests(server, raw):
    s = RawSocket(server.port)
    try:
        s.send(b"GET /" + b"a" * OVERSIZE + b" HTTP/1.1\r\n\r\n")
        assert s.response(deadline_s=5)[0] == 431
    finally:
        s.close()
    assert raw.request("ListTables", {}).status == 200


# --- unknown operations -----------------------------------------------------------------------

@pytest.mark.parametrize("target,name", [
    ("DynamoDB_20120810.Foo", "Foo"),
    ("DynamoDB_20990101.ListTables", "DynamoDB_20990101.ListTables"),
    ("DynamoDB_20120810.ListGlobalTables", "ListGlobalTables"),  # in the model, not served
])
def test_unknown_operation_names_the_operation(raw, target, name):
    r = raw.request(None, {}, target=target)
    assert (r.status, r.error_type) == (400, "UnknownOperationException"), r
    assert name in r.message, r
    check_protocol_headers(r)


def test_unknown_operation_without_target(raw):
    r = raw.request(None, {})
    assert (r.status, r.error_type) == (400, "UnknownOperationException"), r
    assert r.message, r


# --- request lines, targets, content types, size ----------------------------------------------

@pytest.mark.parametrize("line,status", [
    (b"GET / HTTP/2.0", 505),    # RFC 9110 15.6.6: a major version the server does not speak
    (b"POST / HTTP/2.0", 505),
    (b"GET / HTTP/0.9", 400),
    (b"GET /", 400),             # an HTTP/0.9 request line: no version
])
def test_request_lines_other_than_http_1_are_refused(server, line, status):
    s = RawSocket(server.port)
    try:
        s.send(line + b"\r\nHost: localhost\r\n\r\n")
        got, headers, _ = s.response(deadline_s=5)
        assert got == status
        assert headers.get("connection") == "close"
        assert s.closed_by_server(deadline_s=5)
    finally:
        s.close()


def test_duplicated_target_header_is_refused(raw, client, table):
    # Two X-Amz-Target headers read as one list (RFC 9110 5.3), which names no operation.
    body = _put_body(table, "dup")
    conn = raw.connection()
    try:
        conn.putrequest("POST", "/")
        for name, value in (("Host", f"{HOST}:{raw.server.port}"),
                            ("Content-Type", "application/x-amz-json-1.0"),
                            ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                            ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
                            ("X-Amz-Date", "20260101T000000Z"),
                            ("Authorization", "AWS4-HMAC-SHA256 Credential=" + raw.access_key +
                             "/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
                             "Signature=0"),
                            ("Content-Length", str(len(body)))):
            conn.putheader(name, value)
        conn.endheaders(body)
        r = conn.getresponse()
        err = json.loads(r.read())
    finally:
        conn.close()
    assert r.status == 400
    assert err["__type"].endswith("#UnknownOperationException"), err
    assert _item(client, table, "dup") is None


def test_application_json_is_accepted_and_answered_in_kind(raw, client, table):
    r = raw.request("PutItem", _put_body(table, "json"),
                    headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-amz-crc32"] == str(zlib.crc32(r.body))
    assert _item(client, table, "json") == {"pk": {"S": "json"}}
    r = raw.request("GetItem", {"TableName": table, "Key": {"pk": {"S": "json"}}},
                    headers={"Content-Type": "application/json; charset=utf-8"})
    assert (r.status, r.headers["content-type"]) == (200, "application/json")
    assert r.json == {"Item": {"pk": {"S": "json"}}}
    r = raw.request("GetItem", {"TableName": "nosuch", "Key": {"pk": {"S": "x"}}},
                    headers={"Content-Type": "application/json"})
    assert (r.status, r.headers["content-type"]) == (400, "application/json")
    assert r.error_type == "ResourceNotFoundException"


def test_body_of_exactly_16_mib_is_read_one_more_byte_is_413(raw):
    # DynamoDB's request limit is 16 MiB: a ListTables padded to exactly that is served.
    body = b"{" + b" " * ((16 << 20) - 2) + b"}"
    r = raw.request("ListTables", body, sign=False,
                    headers={"X-Amz-Date": "20260101T000000Z",
                             "Authorization": "AWS4-HMAC-SHA256 Credential=" + raw.access_key +
                             "/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
                             "Signature=0"})
    assert r.status == 200, r
    r = raw.request("ListTables", body + b" ", sign=False)
    assert r.status == 413, r
    assert r.error_type == "RequestEntityTooLargeException"


# --- signatures: what DynamoDB answers before it looks at the request --------------------------

def _unsigned(raw, headers, url="/", target="DynamoDB_20120810.ListTables"):
    conn = raw.connection()
    try:
        hdrs = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}
        hdrs.update(headers)
        conn.request("POST", url, body=b"{}", headers=hdrs)
        r = conn.getresponse()
        body = r.read()
    finally:
        conn.close()
    return r.status, json.loads(body)


DATE = {"X-Amz-Date": "20260101T000000Z"}
MISSING_TOKEN = ("MissingAuthenticationTokenException", "Request is missing Authentication Token")


@pytest.mark.parametrize("headers,expected", [
    ({}, MISSING_TOKEN),
    (DATE, MISSING_TOKEN),
    ({"Authorization": "AWS4", **DATE}, MISSING_TOKEN),
    ({"Authorization": "Basic dXNlcjpwYXNz", **DATE}, MISSING_TOKEN),
    ({"Authorization": "AWS4-", **DATE}, (
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=AWS4-")),
    ({"Authorization": "AWS4-"}, (
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter. Authorization header requires "
        "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-")),
    ({"Authorization": "AWS4- Signature=b Credential=a"}, (
        "IncompleteSignatureException",
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
        "existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4- Signature=b Credential=a")),
    ({"Authorization": "AWS4-HMAC-SHA256 Signature=b, Credential=a, SignedHeaders=host",
      "Date": "Thu, 01 Jan 2026 00:00:00 GMT"}, (
        "IncompleteSignatureException",
        "Credential should be scoped to a valid region. "
        "Authorization=AWS4-HMAC-SHA256 Signature=b, Credential=a, SignedHeaders=host")),
    # Separators repeated and mixed, and a part without '=': all three parameters are still read.
    ({"Authorization": "AWS4-HMAC-SHA256  Credential=a,,SignedHeaders=host junk ,Signature=b",
      **DATE}, (
        "IncompleteSignatureException",
        "Credential should be scoped to a valid region. "
        "Authorization=AWS4-HMAC-SHA256  Credential=a,,SignedHeaders=host junk ,Signature=b")),
])
def test_malformed_authorization_is_refused_with_dynamodbs_messages(raw, headers, expected):
    status, err = _unsigned(raw, headers)
    assert status == 400
    assert err["__type"] == "com.amazon.coral.service#" + expected[0], err
    assert err["message"] == expected[1], err


PRESIGN = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256",
           "X-Amz-Credential": "{key}/20260101/us-east-1/dynamodb/aws4_request",
           "X-Amz-Date": "20260101T000000Z",
           "X-Amz-SignedHeaders": "host",
           "X-Amz-Signature": "00" * 32}


def _presigned_url(key, drop=(), **changes):
    from urllib.parse import urlencode
    params = {k: v.format(key=key) for k, v in PRESIGN.items() if k not in drop}
    params.update(changes)
    return "/?" + urlencode(params)


def test_presigned_request_reads_its_scope_from_the_query(raw, client, table):
    status, out = _unsigned(raw, {}, url=_presigned_url(raw.access_key))
    assert (status, out) == (200, {"TableNames": [table]})
    # The region of the credential picks the namespace, as with the header.
    status, out = _unsigned(raw, {}, url=_presigned_url(raw.access_key).replace(
        "us-east-1", "eu-west-1"))
    assert (status, out) == (200, {"TableNames": []})


@pytest.mark.parametrize("drop,message", [
    (("X-Amz-Credential",), "AWS query-string parameters must include 'X-Amz-Credential'. "
                            "Re-examine the query-string parameters."),
    (("X-Amz-Signature", "X-Amz-Date"),
     "AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters "
     "must include 'X-Amz-Date'. Re-examine the query-string parameters."),
])
def test_incomplete_presigned_request_is_refused(raw, drop, message):
    status, err = _unsigned(raw, {}, url=_presigned_url(raw.access_key, drop=drop))
    assert status == 400
    assert err["__type"] == "com.amazon.coral.service#IncompleteSignatureException", err
    assert err["message"] == message


def test_presigned_query_and_authorization_header_together_are_refused(raw):
    status, err = _unsigned(raw, {"Authorization": "AWS4-HMAC-SHA256 Credential=" +
                                  raw.access_key + "/20260101/us-east-1/dynamodb/aws4_request, "
                                  "SignedHeaders=host, Signature=0", **DATE},
                            url=_presigned_url(raw.access_key))
    assert status == 400
    assert err["__type"] == "com.amazon.coral.service#InvalidSignatureException", err
    assert err["message"] == ("Found both 'X-Amz-Algorithm' as a query-string param and "
                              "'Authorization' as HTTP header.")


# --- namespaces -------------------------------------------------------------------------------

def test_access_key_and_region_pairs_never_share_a_namespace(server, access_key):
    # Before: "<key>_<region>", so key K + region "alice_us-east-1" read the tables of key
    # "K_alice" in us-east-1. boto3 refuses such a region name; raw SigV4 does not.
    one = server.raw(access_key, region="alice_us-east-1")
    other = server.raw(access_key + "_alice", region="us-east-1")
    r = one.request("CreateTable", {
        "TableName": "mine", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"})
    assert r.status == 200, r
    assert one.request("ListTables", {}).json == {"TableNames": ["mine"]}
    assert other.request("ListTables", {}).json == {"TableNames": []}
    r = other.request("DescribeTable", {"TableName": "mine"})
    assert r.error_type == "ResourceNotFoundException", r


CAIRN_PREV_BIN = os.environ.get("CAIRN_PREV_BIN")


@pytest.mark.skipif(not CAIRN_PREV_BIN, reason="CAIRN_PREV_BIN: a cairn built before namespaces "
                    "were length-prefixed (the unit test CatalogTest."
                    "LoadRenamesNamespacesOfThePreviousFormat covers the same migration)")
def test_data_directory_of_the_previous_format_keeps_its_tables(make_server, tmp_path,
                                                                access_key):
    # The previous binary writes the data directory; this one opens it.
    from conftest import CairnServer
    data = tmp_path / "prev-data"
    old = CairnServer(data, tmp_path / "prev.log")
    old.command = lambda: [CAIRN_PREV_BIN, "--host", HOST, "--port", str(old.port), "--data-dir",
                           str(data), "--log-level", "warn"]
    old.start()
    try:
        c = old.client(access_key)
        create_table(c, "kept")
        c.put_item(TableName="kept", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    finally:
        old.stop()
    new = make_server(data_dir=data)
    c = new.client(access_key)
    assert c.list_tables()["TableNames"] == ["kept"]
    assert c.get_item(TableName="kept", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "v": {"N": "1"}}
    assert new.client(access_key, region="eu-west-1").list_tables()["TableNames"] == []


# --- Host and files ---------------------------------------------------------------------------

@pytest.mark.parametrize("host,status", [
    ("localhost", 200), ("localhost:8000", 200), ("127.0.0.1", 200), ("[::1]:8000", 200),
    ("LOCALHOST", 200),
    ("evil.example", 403), ("evil.example:8000", 403), ("localhost.evil.example", 403),
    ("127.0.0.1.nip.io", 403),
])
def test_host_is_checked_while_bound_to_loopback(server, host, status):
    s = RawSocket(server.port)
    try:
        s.send(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
        got, headers, body = s.response(deadline_s=5)
        assert got == status, body
        if status == 403:
            assert json.loads(body)["__type"].endswith("#AccessDeniedException")
            assert headers.get("connection") == "close"
    finally:
        s.close()


def test_allow_host_adds_names(make_server):
    srv = make_server("--allow-host", "dynamodb.local", "--allow-host", "Cairn.Example")
    for host, status in (("dynamodb.local:8000", 200), ("cairn.example", 200),
                         ("localhost", 200), ("other.example", 403)):
        got, _, _ = _exchange(srv.port, b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
        assert got == status, host


def test_data_directory_is_the_owners_alone(tmp_path, access_key):
    import stat
    import subprocess
    from conftest import CAIRN_BIN, free_port
    data = tmp_path / "fresh" / "data"  # does not exist: the server creates it
    port = free_port()
    proc = subprocess.Popen([CAIRN_BIN, "--host", HOST, "--port", str(port), "--data-dir",
                             str(data), "--log-level", "warn"], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.02)
        import boto3
        from conftest import CLIENT_CONFIG, SECRET_KEY
        c = boto3.client("dynamodb", endpoint_url=f"http://{HOST}:{port}", region_name="us-east-1",
                         aws_access_key_id=access_key, aws_secret_access_key=SECRET_KEY,
                         config=CLIENT_CONFIG)
        create_table(c, "private")
        c.put_item(TableName="private", Item={"pk": {"S": "secret"}})
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.rglob("*")]
    assert files
    for p in files:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, (p, oct(mode))
