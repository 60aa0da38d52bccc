"""--event-loop: the event loops on io_uring (the default) or on epoll serve alike.

With io_uring (src/http/ring.h) a loop receives with a multishot receive into buffers it provides
and sends through send requests, in batches; with epoll it reads and sends itself. The rest of the
suite runs on the default; here both are driven through the paths where they differ: many
connections at once, requests sent a few bytes at a time, several requests in one write
(pipelining), answers larger than a socket's buffer, which go out in several sends, a client that
does not read its answers for a while, and clients that leave mid-request. The HTTP unit tests
(tests/unit/http/server_test.cc) run every case on both kinds of loop as well.
"""

import concurrent.futures
import os
import socket
import subprocess
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import CAIRN_BIN, HOST, REGION, SECRET_KEY, create_table, unique_access_key

LOOPS = ["io_uring", "epoll"]
READ_TIMEOUT_S = 10.0


def ring_fds(pid):
    """How many io_uring instances the process holds (one per event loop that runs on one)."""
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[io_uring]":
                n += 1
        except OSError:
            pass
    return n


@pytest.fixture(params=LOOPS)
def loop_server(request, make_server):
    s = make_server("--in-memory", "--threads", "2", "--log-level", "info", "--event-loop",
                    request.param)
    s.loop = request.param
    # A served request: the loops have started (each sets its ring up first, on its own thread).
    assert s.client(unique_access_key()).list_tables()["TableNames"] == []
    time.sleep(0.1)
    if request.param == "io_uring":
        deadline = time.monotonic() + 5
        while ring_fds(s.proc.pid) < 2 and time.monotonic() < deadline:
            if "io_uring is not available" in s.read_log():
                pytest.skip("this kernel refuses io_uring here: " + s.read_log()[-300:])
            time.sleep(0.05)
    return s


def test_the_loop_runs_where_the_flag_says(loop_server):
    assert ring_fds(loop_server.proc.pid) == (2 if loop_server.loop == "io_uring" else 0)


def test_unknown_event_loop_is_refused():
    r = subprocess.run([CAIRN_BIN, "--event-loop", "kqueue"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode != 0
    assert "--event-loop: kqueue not in {epoll,io_uring}" in r.stderr


def test_event_loop_from_the_environment(make_server, monkeypatch):
    monkeypatch.setenv("CAIRN_EVENT_LOOP", "epoll")
    s = make_server("--in-memory", "--threads", "1")
    # Served by the one loop, which would have set its ring up before (the default's is checked
    # above: 2 rings for 2 loops).
    assert s.client(unique_access_key()).list_tables()["TableNames"] == []
    assert ring_fds(s.proc.pid) == 0


def _raw_request(server, access_key, operation, body):
    """The bytes of one request, signed as an SDK signs it."""
    headers = {"Content-Type": "application/x-amz-json-1.0", "Host": f"{HOST}:{server.port}",
               "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(access_key, SECRET_KEY), "dynamodb", REGION).add_auth(req)
    head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req.headers.items())
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body.encode()


def _table_with_item(server, name, size):
    """Table `name` holding the item pk "a" with a `size`-character value; returns the access key,
    a boto3 client and the bytes of a GetItem of that item."""
    key = unique_access_key()
    c = server.client(key)
    create_table(c, name)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"S": "x" * size}})
    get = _raw_request(server, key, "GetItem",
                       '{"TableName":"%s","Key":{"pk":{"S":"a"}}}' % name)
    return key, c, get


def _read_responses(sock, count):
    """Reads `count` HTTP responses (Content-Length framed); returns (status, body) pairs."""
    sock.settimeout(READ_TIMEOUT_S)
    buf = bytearray()
    out = []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} of {count} responses"
            buf += chunk
        head, rest = bytes(buf).split(b"\r\n\r\n", 1)
        rest = bytearray(rest)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(line.split(":", 1)[1]) for line in lines[1:]
                      if line.lower().startswith("content-length:"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside a body"
            rest += chunk
        out.append((status, bytes(rest[:length])))
        buf = rest[length:]
    return out


def test_many_connections_at_once(loop_server):
    key = unique_access_key()
    c = loop_server.client(key)
    create_table(c, "many")

    def worker(i):
        client = loop_server.client(key)
        for j in range(20):
            client.put_item(TableName="many", Item={"pk": {"S": f"{i}-{j}"}, "n": {"N": str(j)}})
        return sum(1 for j in range(20) if client.get_item(
            TableName="many", Key={"pk": {"S": f"{i}-{j}"}})["Item"]["n"]["N"] == str(j))

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        assert sum(pool.map(worker, range(32))) == 32 * 20
    assert c.scan(TableName="many", Select="COUNT")["Count"] == 32 * 20


def test_pipelined_and_trickled_requests_are_answered_in_order(loop_server):
    key, _, one = _table_with_item(loop_server, "pipe", 1000)
    missing = _raw_request(loop_server, key, "GetItem", '{"TableName":"nope","Key":{"pk":{"S":"a"}}}')
    with socket.create_connection((HOST, loop_server.port)) as s:
        s.sendall((one + missing) * 10)  # 20 requests in one write
        answers = _read_responses(s, 20)
        assert [a[0] for a in answers] == [200, 400] * 10
        assert all(b'"x' in a[1] for a in answers[::2])
        assert all(b"ResourceNotFoundException" in a[1] for a in answers[1::2])
        # The same request, three bytes at a time.
        for i in range(0, len(one), 3):
            s.sendall(one[i:i + 3])
            time.sleep(0.001)
        assert _read_responses(s, 1)[0][0] == 200


def test_answers_larger_than_a_socket_buffer(loop_server):
    key = unique_access_key()
    c = loop_server.client(key)
    create_table(c, "big")
    value = "v" * 390_000
    for i in range(12):  # about 4.7 MB: a Scan answers it in pages of 1 MB
        c.put_item(TableName="big", Item={"pk": {"S": f"k{i}"}, "v": {"S": value}})
    scan = _raw_request(loop_server, key, "Scan", '{"TableName":"big"}')
    with socket.create_connection((HOST, loop_server.port)) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(scan * 3)
        time.sleep(0.5)  # the answers wait in the server while this client reads nothing
        answers = _read_responses(s, 3)
    assert [a[0] for a in answers] == [200] * 3
    assert answers[0][1] == answers[1][1] == answers[2][1]
    assert len(answers[0][1]) > 1_000_000
    got = c.get_item(TableName="big", Key={"pk": {"S": "k3"}})["Item"]["v"]["S"]
    assert got == value


def test_clients_that_leave_mid_request_do_not_disturb_the_others(loop_server):
    key = unique_access_key()
    c = loop_server.client(key)
    create_table(c, "leave")
    put = _raw_request(loop_server, key, "PutItem",
                       '{"TableName":"leave","Item":{"pk":{"S":"p"},"v":{"S":"' + "z" * 5000 + '"}}}')
    for cut in (10, len(put) // 2, len(put) - 1):
        s = socket.create_connection((HOST, loop_server.port))
        s.sendall(put[:cut])
        s.close()
    # One that resets the connection with its answer unread.
    s = socket.create_connection((HOST, loop_server.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.sendall(put)
    time.sleep(0.1)
    s.close()
    assert c.get_item(TableName="leave", Key={"pk": {"S": "p"}})["Item"]["v"]["S"] == "z" * 5000
    assert loop_server.proc.poll() is None


def test_stopping_answers_what_was_received(loop_server):
    _, _, get = _table_with_item(loop_server, "stop", 10)
    s = socket.create_connection((HOST, loop_server.port))
    s.sendall(get * 3)
    answers = _read_responses(s, 3)
    assert [a[0] for a in answers] == [200] * 3
    assert loop_server.stop() == 0
    s.settimeout(READ_TIMEOUT_S)
    assert s.recv(100) == b""  # closed, cleanly
    s.close()


def test_a_client_that_sends_far_ahead_of_its_answers_gets_all_of_them(loop_server):
    # 4,000 pipelined requests (about 3 MB) written before the first answer is read: the server
    # stops parsing while 1 MB of answers waits, holds what it received (with io_uring it stops
    # receiving once 1 MB waits unparsed), and goes on as the client reads.
    _, _, get = _table_with_item(loop_server, "ahead", 2000)
    count = 4000
    with socket.create_connection((HOST, loop_server.port)) as s:
        sender = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        sent = sender.submit(s.sendall, get * count)
        time.sleep(1.0)  # the server now holds as much as it takes, unread answers included
        answers = _read_responses(s, count)
        sent.result(timeout=READ_TIMEOUT_S)
        sender.shutdown()
    assert len(answers) == count
    assert all(status == 200 and body == answers[0][1] for status, body in answers)
    assert b"x" * 2000 in answers[0][1]
