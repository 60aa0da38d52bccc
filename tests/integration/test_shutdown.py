"""Graceful shutdown: SIGTERM and SIGINT, --shutdown-grace.

Cairn's contract (README, "Stopping"): on SIGTERM or SIGINT the server
- stops accepting: new connections are refused at once;
- answers every request it has received, and every request whose bytes are arriving on an open
  connection, as long as it completes within --shutdown-grace (default 10000 ms); the last answer on
  a connection says `Connection: close`;
- closes idle keep-alive connections at once (they do not hold the exit back);
- after the grace period closes what is still open without an answer (a body that never
  completes, a client that does not read) and logs how many connections it cut;
- exits 0. Nothing acknowledged is lost; a request that was cut was never executed.

Requests are put in flight with the hidden testing flag --test-transaction-hold MS (every
TransactWriteItems keeps its items locked that long, inside the handler), and half-sent by hand
on raw sockets.
"""

import json
import signal
import socket
import threading
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import (HOST, JSON_CONTENT_TYPE, REGION, SECRET_KEY, TARGET_PREFIX, create_table,
                      unique_access_key)

HOLD_MS = 1500


def request_bytes(server, access_key, operation, body):
    """A signed HTTP/1.1 request as (head, body) bytes, for sending in pieces."""
    data = json.dumps(body).encode()
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=data,
                     headers={"Content-Type": JSON_CONTENT_TYPE,
                              "X-Amz-Target": TARGET_PREFIX + operation})
    SigV4Auth(Credentials(access_key, SECRET_KEY), "dynamodb", REGION).add_auth(req)
    head = f"POST / HTTP/1.1\r\nHost: {HOST}:{server.port}\r\nContent-Length: {len(data)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in req.headers.items()) + "\r\n"
    return head.encode(), data


_leftovers = {}  # socket -> bytes read past the last response


def read_response(sock):
    """Reads one response: (status, lower-case headers, body); None if the server closed first."""
    buf = _leftovers.pop(sock, b"")
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed in the middle of a response"
        rest += chunk
    _leftovers[sock] = rest[length:]
    return status, headers, rest[:length]


def reads_eof(sock, timeout=10):
    """True when the server closes the connection (EOF or reset) without sending anything."""
    if _leftovers.pop(sock, b""):
        return False
    sock.settimeout(timeout)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True


def put(table, pk):
    return {"TableName": table, "Item": {"pk": {"S": pk}}}


def transact_put(table, pk):
    return {"TransactItems": [{"Put": put(table, pk)}]}


def signal_and_wait(s, sig=signal.SIGTERM, timeout=15):
    """Sends `sig`, waits for the exit; returns (exit code, seconds it took)."""
    start = time.monotonic()
    s.proc.send_signal(sig)
    code = s.proc.wait(timeout)
    elapsed = time.monotonic() - start
    s._reap()
    return code, elapsed


def item_exists(s, access_key, table, pk):
    got = s.client(access_key).get_item(TableName=table, Key={"pk": {"S": pk}})
    return "Item" in got


def connection_refused(port):
    try:
        socket.create_connection((HOST, port), timeout=2).close()
    except (ConnectionRefusedError, ConnectionResetError):
        # A connect that reached the backlog as the listener closed is reset, not refused.
        return True
    return False


# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_requests_in_flight_are_answered_and_kept(make_server, sig):
    s = make_server("--test-transaction-hold", str(HOLD_MS), "--threads", "2")
    key = unique_access_key()
    create_table(s.client(key), "drain")
    # Four transactions on two event loops, each on its own connection, all sent before the
    # signal: some are in their handlers when it comes, the others wait, received, behind them.
    socks = []
    for i in range(4):
        sock = socket.create_connection((HOST, s.port), timeout=15)
        sock.sendall(b"".join(request_bytes(s, key, "TransactWriteItems",
                                            transact_put("drain", f"t{i}"))))
        socks.append(sock)
    time.sleep(HOLD_MS / 1000 / 3)
    code, elapsed = signal_and_wait(s, sig)
    for i, sock in enumerate(socks):
        r = read_response(sock)
        assert r is not None and r[0] == 200, (i, r)
        assert r[1]["connection"] in ("keep-alive", "close")
        assert reads_eof(sock)  # then closed: no further request is taken
        sock.close()
    assert code == 0
    assert elapsed < 10
    s.start()
    for i in range(4):
        assert item_exists(s, key, "drain", f"t{i}")


def test_boto3_request_in_flight_is_answered(make_server):
    s = make_server("--test-transaction-hold", str(HOLD_MS))
    key = unique_access_key()
    c = s.client(key)
    create_table(c, "drain")
    result = {}

    def run():
        try:
            r = c.transact_write_items(**transact_put("drain", "boto3"))
            result["status"] = r["ResponseMetadata"]["HTTPStatusCode"]
        except Exception as e:  # reported below
            result["error"] = e

    c.list_tables()  # its connection is open: the transaction goes out as the thread starts
    t = threading.Thread(target=run)
    t.start()
    time.sleep(HOLD_MS / 1000 / 3)
    assert t.is_alive()
    code, _ = signal_and_wait(s)
    t.join(15)
    assert result == {"status": 200}
    assert code == 0
    s.start()
    assert item_exists(s, key, "drain", "boto3")


def test_pipelined_requests_already_received_are_answered(make_server):
    s = make_server("--test-transaction-hold", str(HOLD_MS))
    key = unique_access_key()
    create_table(s.client(key), "pipe")
    first = b"".join(request_bytes(s, key, "TransactWriteItems", transact_put("pipe", "one")))
    second = b"".join(request_bytes(s, key, "PutItem", put("pipe", "two")))
    sock = socket.create_connection((HOST, s.port), timeout=10)
    sock.sendall(first + second)
    time.sleep(HOLD_MS / 1000 / 3)  # the first is in its handler, the second waits behind it
    s.proc.send_signal(signal.SIGTERM)
    r1 = read_response(sock)
    assert r1 is not None and r1[0] == 200, r1
    r2 = read_response(sock)
    assert r2 is not None and r2[0] == 200, r2
    assert reads_eof(sock)
    sock.close()
    assert s.proc.wait(10) == 0
    s._reap()
    s.start()
    assert item_exists(s, key, "pipe", "one") and item_exists(s, key, "pipe", "two")


def test_half_sent_body_is_completed_within_the_grace(make_server):
    s = make_server("--shutdown-grace", "10000")
    key = unique_access_key()
    create_table(s.client(key), "half")
    head, body = request_bytes(s, key, "PutItem", put("half", "late"))
    sock = socket.create_connection((HOST, s.port), timeout=10)
    sock.sendall(head + body[:len(body) // 2])
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    # New connections are refused at once; the process waits for the body.
    deadline = time.monotonic() + 2
    while not connection_refused(s.port):
        assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
        time.sleep(0.05)
    assert s.proc.poll() is None
    sock.sendall(body[len(body) // 2:])
    r = read_response(sock)
    assert r is not None and r[0] == 200, r
    assert r[1]["connection"] == "close"  # shutting down: keep-alive ends here
    assert reads_eof(sock)
    sock.close()
    assert s.proc.wait(10) == 0
    s._reap()
    s.start()
    assert item_exists(s, key, "half", "late")


def test_half_sent_body_is_cut_after_the_grace_and_not_written(make_server):
    s = make_server("--shutdown-grace", "1000")
    key = unique_access_key()
    create_table(s.client(key), "cut")
    head, body = request_bytes(s, key, "PutItem", put("cut", "never"))
    sock = socket.create_connection((HOST, s.port), timeout=10)
    sock.sendall(head + body[:10])
    time.sleep(0.3)
    mark = s.log_size()
    code, elapsed = signal_and_wait(s)
    assert code == 0
    assert 0.9 <= elapsed < 4, elapsed
    assert "1 connection(s) cut after the 1000 ms grace period" in s.read_log(mark)
    assert reads_eof(sock, timeout=2)  # closed without an answer
    sock.close()
    s.start()
    assert not item_exists(s, key, "cut", "never")


def test_stuck_clients_do_not_hold_the_exit_past_the_grace(make_server):
    # Half a request line, headers without their end, an answer nobody reads: none may keep the
    # process past the grace, even with the per-request timeouts far longer.
    s = make_server("--shutdown-grace", "500", "--header-timeout", "60", "--body-timeout", "60",
                    "--write-timeout", "60")
    key = unique_access_key()
    create_table(s.client(key), "stuck")
    a = socket.create_connection((HOST, s.port), timeout=10)
    a.sendall(b"POS")
    b = socket.create_connection((HOST, s.port), timeout=10)
    b.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
    # c asks for ~40 MB of answers and reads none of it.
    c = socket.create_connection((HOST, s.port), timeout=10)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    big = {"TableName": "stuck", "Item": {"pk": {"S": "big"}, "v": {"S": "x" * 350000}}}
    s.client(key).put_item(**big)
    get = b"".join(request_bytes(s, key, "GetItem",
                                 {"TableName": "stuck", "Key": {"pk": {"S": "big"}}}))
    c.sendall(get * 100)
    time.sleep(0.5)
    mark = s.log_size()
    code, elapsed = signal_and_wait(s)
    assert code == 0
    assert elapsed < 3, elapsed
    assert "connection(s) cut after the 500 ms grace period" in s.read_log(mark)
    for sock in (a, b, c):
        sock.close()


def test_idle_keep_alive_connections_are_closed_at_once(make_server):
    s = make_server("--shutdown-grace", "20000")
    raw = s.raw(unique_access_key())
    conn = raw.connection()
    assert raw.request("ListTables", {}, conn=conn).status == 200  # now idle, kept alive
    silent = socket.create_connection((HOST, s.port), timeout=10)  # never sent a byte
    time.sleep(0.2)
    mark = s.log_size()
    code, elapsed = signal_and_wait(s)
    assert code == 0
    assert elapsed < 2, elapsed  # far below the 20 s grace: nothing was waited for
    assert "cut" not in s.read_log(mark)
    assert reads_eof(conn.sock) and reads_eof(silent)
    conn.close()
    silent.close()


def test_shutdown_grace_is_checked(make_server, tmp_path):
    import subprocess
    from conftest import CAIRN_BIN
    r = subprocess.run([CAIRN_BIN, "--in-memory", "--shutdown-grace", "-5"], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode != 0 and "--shutdown-grace" in r.stderr, r.stderr
