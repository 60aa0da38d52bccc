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
- `GET /` answers `healthy: <the Host header>` (HEAD: the same head, no body); other paths get
  404 and other methods 405, each with a JSON error body naming what was asked.
- An oversized request line or header block gets 431 and the server closes the connection at once,
  whether or not the client ever finishes its request.
- UnknownOperationException names the requested operation in its message. NOT VERIFIED against
  DynamoDB: dynalite answers with no message at all; the text here is Cairn's
  ("Unknown operation: <X-Amz-Target>").
"""

import gzip
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
    ("gzip", gzip.compress(b'{"TableName": "front", "Item": {"pk": {"S": "corrupt"}}}')[:-12]),
])
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
        server.port, b"GET / HTTP/1.1\r\nHost: example.test:1234\r\n\r\n")
    assert status == 200
    assert body.decode().rstrip(" ") == "healthy: example.test:1234"
    assert headers["content-type"].startswith("text/plain")
    status, _, body = _exchange(
        server.port, b"GET /?Action=x HTTP/1.1\r\nHost: dynamodb.local\r\n\r\n")
    assert (status, body.decode().rstrip(" ")) == (200, "healthy: dynamodb.local")


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


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/foo", 404),
    ("GET", "/favicon.ico", 404),
    ("POST", "/tables", 404),
    ("DELETE", "/x", 404),
    ("PUT", "/", 405),
    ("DELETE", "/", 405),
    ("PATCH", "/", 405),
    ("OPTIONS", "/", 405),
])
def test_other_paths_and_methods_are_4xx(server, method, path, status):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, path, body=b"{}",
                     headers={"X-Amz-Target": "DynamoDB_20120810.ListTables",
                              "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        body = r.read()
        assert r.status == status, body
        err = json.loads(body)
        assert err["__type"].endswith("#UnknownOperationException"), err
        assert path in err["message"] and method in err["message"], err
        if status == 405:
            assert r.getheader("Allow") == "GET, HEAD, POST"
        # The connection is still good for a real request.
        conn.request("GET", "/")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    finally:
        conn.close()


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
    ("DynamoDB_20120810.ListBackups", "ListBackups"),  # in the model, not served by Cairn
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
