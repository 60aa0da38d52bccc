"""HTTPS: --https-port, --tls-cert, --tls-key, --https-only, and the certificate reload on SIGHUP.

DynamoDB itself is reached over HTTPS only; DynamoDB Local speaks plain HTTP only. Cairn serves
both at once when --https-port is given (the plain port keeps running unless --https-only), with
the same handler, the same HTTP/1.1 keep-alive and the same bounds.

Every test makes a throwaway PKI with the `openssl` command in a temporary directory: a test CA,
a server certificate it signs for 127.0.0.1 and localhost, and a second, unrelated CA with its own
server certificate (for the reload and the wrong-CA checks). Clients are boto3 with
`verify=<CA file>` and Python's ssl module.
"""

import http.client
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import warnings

import boto3
import botocore.exceptions
import pytest

from conftest import (CAIRN_BIN, CLIENT_CONFIG, HOST, REGION, SECRET_KEY, create_table,
                      free_port, unique_access_key)

OPENSSL = "openssl"


def _run(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def _make_ca(d, name):
    _run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", f"{name}-ca.key", "-out", f"{name}-ca.pem", "-days", "2",
         "-subj", f"/CN=Cairn test CA {name}", cwd=d)


def _make_server_cert(d, ca, name, key_type="ec"):
    """A server certificate for 127.0.0.1 and localhost, signed by CA `ca`; returns (cert, key)."""
    newkey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key_type == "ec" else \
        ["-newkey", "rsa:2048"]
    _run("req", *newkey, "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
         "-subj", f"/CN={name}", cwd=d)
    (d / f"{name}.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    _run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}-ca.pem", "-CAkey", f"{ca}-ca.key",
         "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return d / f"{name}.pem", d / f"{name}.key"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    _make_ca(d, "test")
    _make_ca(d, "other")
    cert, key = _make_server_cert(d, "test", "server")
    other_cert, other_key = _make_server_cert(d, "other", "other-server", key_type="rsa")
    return {"dir": d, "ca": d / "test-ca.pem", "cert": cert, "key": key,
            "other_ca": d / "other-ca.pem", "other_cert": other_cert, "other_key": other_key}


@pytest.fixture
def live_pem(pki, tmp_path):
    """A copy of the test certificate and key that a test may overwrite (for reloads)."""
    cert, key = tmp_path / "live.pem", tmp_path / "live.key"
    cert.write_bytes(pki["cert"].read_bytes())
    key.write_bytes(pki["key"].read_bytes())
    return cert, key


def start_tls(make_server, cert, key, *flags):
    """A server with HTTPS on a free port beside its plain port; returns (server, https port)."""
    port = free_port()
    s = make_server("--https-port", str(port), "--tls-cert", str(cert), "--tls-key", str(key),
                    *flags)
    return s, port


def https_client(port, ca, access_key=None):
    session = boto3.Session(aws_access_key_id=access_key or unique_access_key(),
                            aws_secret_access_key=SECRET_KEY, region_name=REGION)
    return session.client("dynamodb", endpoint_url=f"https://{HOST}:{port}", verify=str(ca),
                          config=CLIENT_CONFIG)


def client_context(ca, **kwargs):
    ctx = ssl.create_default_context(cafile=str(ca))
    for k, v in kwargs.items():
        setattr(ctx, k, v)
    return ctx


def served_certificate(port, ca=None):
    """The DER certificate the server presents to a new connection (verified against `ca` when
    given, else not verified)."""
    if ca is None:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = client_context(ca)
    with socket.create_connection((HOST, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert(binary_form=True)


def pem_to_der(path):
    return ssl.PEM_cert_to_DER_cert(path.read_text())


def https_connection(port, ca):
    return http.client.HTTPSConnection(HOST, port, timeout=10, context=client_context(ca))


# --------------------------------------------------------------------------------------------------
# Round trips.


def test_boto3_round_trip_over_https(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    c = https_client(port, pki["ca"])
    create_table(c, "secure", range_key=("sk", "N"))
    c.put_item(TableName="secure", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}})
    got = c.get_item(TableName="secure", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert got["Item"]["v"] == {"S": "x"}
    q = c.query(TableName="secure", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "a"}})
    assert q["Count"] == 1 and q["Items"][0]["sk"] == {"N": "1"}
    assert c.list_tables()["TableNames"] == ["secure"]


def test_large_bodies_both_ways_over_https(make_server, pki):
    # DynamoDB's item limit is 400 KB, so a 1 MB request is three items of ~350 KB in one
    # BatchWriteItem, and a ~1 MB answer is the Query that reads them back (Query's page is 1 MB).
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    c = https_client(port, pki["ca"])
    create_table(c, "big", range_key=("sk", "N"))
    blobs = [os.urandom(350 * 1024) for _ in range(3)]
    c.batch_write_item(RequestItems={"big": [
        {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}, "b": {"B": b}}}}
        for i, b in enumerate(blobs)]})
    q = c.query(TableName="big", KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}})
    assert [it["b"]["B"] for it in q["Items"]] == blobs
    # One item at DynamoDB's limit, written and read back alone.
    at_limit = os.urandom(400 * 1024 - 100)
    c.put_item(TableName="big", Item={"pk": {"S": "q"}, "sk": {"N": "0"}, "b": {"B": at_limit}})
    got = c.get_item(TableName="big", Key={"pk": {"S": "q"}, "sk": {"N": "0"}})
    assert got["Item"]["b"]["B"] == at_limit


def test_keep_alive_serves_many_requests_on_one_tls_connection(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    raw = s.raw(unique_access_key())
    conn = https_connection(port, pki["ca"])
    try:
        first = None
        for i in range(10):
            r = raw.request("ListTables", {}, conn=conn)
            assert r.status == 200, r
            assert r.headers.get("connection") == "keep-alive", r
            if first is None:
                first = conn.sock
            assert conn.sock is first  # http.client reconnects silently: the same socket proves it
        assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
    finally:
        conn.close()


def test_both_ports_served_at_once(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    key = unique_access_key()
    plain, secure = s.client(key), https_client(port, pki["ca"], key)
    create_table(plain, "shared")
    errors = []

    def writer(c, prefix):
        try:
            for i in range(20):
                c.put_item(TableName="shared", Item={"pk": {"S": f"{prefix}{i}"}})
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(plain, "plain")),
               threading.Thread(target=writer, args=(secure, "tls"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    # Each port sees what the other wrote: one server, one data set.
    assert secure.scan(TableName="shared", Select="COUNT")["Count"] == 40
    assert plain.get_item(TableName="shared", Key={"pk": {"S": "tls7"}})["Item"]


def wait_for_https(proc, port, ca):
    deadline = time.monotonic() + 10
    while True:
        try:
            return served_certificate(port, ca)
        except OSError:
            assert proc.poll() is None, "cairn exited"
            assert time.monotonic() < deadline, "HTTPS port not served within 10 s"
            time.sleep(0.02)


def test_https_only_closes_the_plain_port(pki, tmp_path):
    plain_port, https_port = free_port(), free_port()
    proc = subprocess.Popen([CAIRN_BIN, "--host", HOST, "--port", str(plain_port), "--in-memory",
                             "--https-only", "--https-port", str(https_port), "--tls-cert",
                             str(pki["cert"]), "--tls-key", str(pki["key"])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_https(proc, https_port, pki["ca"]) == pem_to_der(pki["cert"])
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((HOST, plain_port), timeout=2).close()
        assert https_client(https_port, pki["ca"]).list_tables()["TableNames"] == []
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


# --------------------------------------------------------------------------------------------------
# Certificates.


def test_wrong_ca_fails_verification(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    c = https_client(port, pki["other_ca"])
    with pytest.raises(botocore.exceptions.SSLError):
        c.list_tables()
    # The server is unharmed: a client with the right CA is served.
    assert https_client(port, pki["ca"]).list_tables()["TableNames"] == []


def test_certificate_reload_on_sighup(make_server, pki, live_pem):
    cert, key = live_pem
    s, port = start_tls(make_server, cert, key)
    assert served_certificate(port, pki["ca"]) == pem_to_der(pki["cert"])
    # A connection made before the reload keeps working afterwards.
    raw = s.raw(unique_access_key())
    before = https_connection(port, pki["ca"])
    assert raw.request("ListTables", {}, conn=before).status == 200

    cert.write_bytes(pki["other_cert"].read_bytes())
    key.write_bytes(pki["other_key"].read_bytes())
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while served_certificate(port) != pem_to_der(pki["other_cert"]):
        assert time.monotonic() < deadline, "the new certificate was not served after SIGHUP"
        time.sleep(0.05)
    assert served_certificate(port, pki["other_ca"]) == pem_to_der(pki["other_cert"])
    assert https_client(port, pki["other_ca"]).list_tables()["TableNames"] == []
    assert raw.request("ListTables", {}, conn=before).status == 200
    assert before.sock is not None
    before.close()
    assert s.proc.poll() is None  # SIGHUP does not stop the server


def test_bad_certificate_on_reload_keeps_the_old_one(make_server, pki, live_pem):
    cert, key = live_pem
    s, port = start_tls(make_server, cert, key)
    mark = s.log_size()
    # A key that does not match the certificate, then a certificate that is not PEM at all.
    for bad_cert, bad_key in [(pki["cert"].read_bytes(), pki["other_key"].read_bytes()),
                              (b"not a certificate\n", pki["key"].read_bytes())]:
        cert.write_bytes(bad_cert)
        key.write_bytes(bad_key)
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 5
        while "TLS certificate not reloaded" not in s.read_log(mark):
            assert time.monotonic() < deadline, s.read_log(mark)
            time.sleep(0.05)
        mark = s.log_size()
        assert served_certificate(port, pki["ca"]) == pem_to_der(pki["cert"])
        assert https_client(port, pki["ca"]).list_tables()["TableNames"] == []
    # A missing file too.
    cert.unlink()
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while "No such file or directory" not in s.read_log(mark):
        assert time.monotonic() < deadline, s.read_log(mark)
        time.sleep(0.05)
    assert served_certificate(port, pki["ca"]) == pem_to_der(pki["cert"])


class Outcome:
    def __init__(self, returncode, output):
        self.returncode = returncode
        self.stderr = output  # the log (stdout) and CLI11's messages (stderr) together


def run_cairn(tmp_path, *flags):
    r = subprocess.run([CAIRN_BIN, "--in-memory", "--port", str(free_port()), *flags],
                       capture_output=True, text=True, timeout=20)
    return Outcome(r.returncode, r.stdout + r.stderr)


def test_missing_or_unusable_certificate_refuses_to_start(pki, tmp_path):
    https = ["--https-port", str(free_port())]
    r = run_cairn(tmp_path, *https, "--tls-cert", str(tmp_path / "nope.pem"), "--tls-key",
                  str(pki["key"]))
    assert r.returncode == 1
    assert f"cannot read the TLS certificate {tmp_path / 'nope.pem'}: No such file or directory" \
        in r.stderr, r.stderr
    r = run_cairn(tmp_path, *https, "--tls-cert", str(pki["cert"]), "--tls-key",
                  str(tmp_path / "nope.key"))
    assert r.returncode == 1
    assert f"cannot read the TLS private key {tmp_path / 'nope.key'}" in r.stderr, r.stderr
    unreadable = tmp_path / "unreadable.key"
    unreadable.write_bytes(pki["key"].read_bytes())
    unreadable.chmod(0)
    if os.geteuid() != 0:  # root reads any file
        r = run_cairn(tmp_path, *https, "--tls-cert", str(pki["cert"]), "--tls-key",
                      str(unreadable))
        assert r.returncode == 1 and "Permission denied" in r.stderr, r.stderr
    r = run_cairn(tmp_path, *https, "--tls-cert", str(pki["cert"]), "--tls-key",
                  str(pki["other_key"]))
    assert r.returncode == 1
    assert f"the TLS private key {pki['other_key']} does not match the certificate" in r.stderr
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello\n")
    r = run_cairn(tmp_path, *https, "--tls-cert", str(garbage), "--tls-key", str(pki["key"]))
    assert r.returncode == 1
    assert f"cannot load the TLS certificate {garbage}" in r.stderr, r.stderr


@pytest.mark.parametrize("flags, message", [
    (["--https-port", "0"], "--https-port needs both --tls-cert and --tls-key"),
    (["--https-port", "0", "--tls-cert", "c.pem"], "--https-port needs both --tls-cert and"),
    (["--tls-cert", "c.pem", "--tls-key", "k.pem"], "give --https-port too"),
    (["--https-only"], "--https-only needs --https-port"),
    (["--port", "8123", "--https-port", "8123", "--tls-cert", "c", "--tls-key", "k"],
     "--https-port and --port must differ"),
    (["--https-port", "70000", "--tls-cert", "c", "--tls-key", "k"], "--https-port"),
])
def test_inconsistent_tls_flags_are_refused(tmp_path, flags, message):
    r = run_cairn(tmp_path, *flags)
    assert r.returncode != 0  # 2, or CLI11's code for a value out of range
    assert message in r.stderr, r.stderr


def test_tls_flags_from_the_environment(pki, tmp_path):
    port = free_port()
    env = dict(os.environ, CAIRN_HTTPS_PORT=str(port), CAIRN_TLS_CERT=str(pki["cert"]),
               CAIRN_TLS_KEY=str(pki["key"]))
    proc = subprocess.Popen([CAIRN_BIN, "--in-memory", "--port", str(free_port())], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for_https(proc, port, pki["ca"]) == pem_to_der(pki["cert"])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


# --------------------------------------------------------------------------------------------------
# Protocol versions and misbehaving clients.


def test_tls_1_2_and_1_3_are_spoken_and_older_versions_are_not(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        ctx = client_context(pki["ca"], minimum_version=version, maximum_version=version)
        with socket.create_connection((HOST, port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                assert tls.version() == version.name.replace("v1_", "v1.")
    # TLS 1.1 offered alone: no handshake (the client's OpenSSL may refuse it first; either way
    # no connection is made at a version below 1.2).
    ctx = client_context(pki["ca"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    except (ValueError, ssl.SSLError):
        return
    with socket.create_connection((HOST, port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError):
            ctx.wrap_socket(raw, server_hostname="127.0.0.1")


def test_plain_http_on_the_tls_port_gets_400_and_close(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"])
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    conn.request("POST", "/", body=b"{}", headers={
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0"})
    r = conn.getresponse()
    assert r.status == 400
    assert r.getheader("Connection") == "close"
    r.read()
    conn.close()
    # Bytes that are neither TLS nor HTTP: closed, no hang.
    with socket.create_connection((HOST, port), timeout=5) as raw:
        raw.sendall(b"\x00\x01garbage" * 10)
        start = time.monotonic()
        try:
            while raw.recv(4096):  # perhaps a TLS alert, then EOF
                pass
        except ConnectionResetError:
            pass
        assert time.monotonic() - start < 2
    assert https_client(port, pki["ca"]).list_tables()["TableNames"] == []


def test_silent_clients_are_closed_by_the_header_timeout(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"], "--header-timeout", "1")
    start = time.monotonic()
    # 1. TCP only, no ClientHello. 2. A ClientHello cut short. 3. A finished handshake, no request.
    silent = socket.create_connection((HOST, port), timeout=10)
    partial = socket.create_connection((HOST, port), timeout=10)
    partial.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    handshaken = client_context(pki["ca"]).wrap_socket(
        socket.create_connection((HOST, port), timeout=10), server_hostname="127.0.0.1")
    for sock in (silent, partial):
        assert sock.recv(4096) == b""
    try:
        assert handshaken.recv(4096) == b""
    except (ssl.SSLError, ConnectionResetError):
        pass
    elapsed = time.monotonic() - start
    assert 0.8 <= elapsed < 5, elapsed
    for sock in (silent, partial, handshaken):
        sock.close()
    assert https_client(port, pki["ca"]).list_tables()["TableNames"] == []


def test_the_plain_ports_bounds_hold_on_the_tls_port(make_server, pki):
    # One connection cap over both ports; the body limit (DynamoDB's 16 MiB: 413) as on plain HTTP.
    s, port = start_tls(make_server, pki["cert"], pki["key"], "--max-connections", "2")
    raw = s.raw(unique_access_key())
    held = [https_connection(port, pki["ca"]) for _ in range(2)]
    for conn in held:
        assert raw.request("ListTables", {}, conn=conn).status == 200
    # The plain port answers 503 at once (before a request is sent), as the cap is shared.
    with socket.create_connection((HOST, s.port), timeout=5) as plain:
        answer = b""
        while chunk := plain.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 503 "), answer
    assert b"ServiceUnavailable" in answer
    with pytest.raises((ssl.SSLError, ConnectionResetError, OSError)):
        over = https_connection(port, pki["ca"])
        over.request("POST", "/", body=b"{}")
        over.getresponse()
    for conn in held:
        conn.close()
    deadline = time.monotonic() + 5
    while True:  # the server notices the closes on its next loop turn
        conn = https_connection(port, pki["ca"])
        try:
            r = raw.request("PutItem", b"x" * (16 * 1024 * 1024 + 1), conn=conn)
            break
        except (ssl.SSLError, ConnectionResetError, OSError):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        finally:
            conn.close()
    assert r.status == 413, r


def test_sigterm_answers_https_requests_in_flight(make_server, pki):
    s, port = start_tls(make_server, pki["cert"], pki["key"], "--test-transaction-hold", "1500")
    key = unique_access_key()
    c = https_client(port, pki["ca"], key)
    create_table(c, "drain")
    result = {}

    def run():
        try:
            r = c.transact_write_items(TransactItems=[
                {"Put": {"TableName": "drain", "Item": {"pk": {"S": "kept"}}}}])
            result["status"] = r["ResponseMetadata"]["HTTPStatusCode"]
        except Exception as e:  # reported below
            result["error"] = e

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.5)
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(10) == 0
    s._reap()
    t.join(10)
    assert result == {"status": 200}
    s.start()
    got = https_client(port, pki["ca"], key).get_item(TableName="drain",
                                                      Key={"pk": {"S": "kept"}})
    assert "Item" in got


def test_sighup_rereads_credentials_and_certificate_together(make_server, pki, live_pem, tmp_path):
    # --credentials (SigV4) and HTTPS: one SIGHUP rereads both files.
    cert, key = live_pem
    access_key = unique_access_key()
    creds = tmp_path / "credentials"
    creds.write_text(f"{access_key} {SECRET_KEY}\n")
    creds.chmod(0o600)
    s, port = start_tls(make_server, cert, key, "--credentials", str(creds), "--log-level", "info")
    assert https_client(port, pki["ca"], access_key).list_tables()["TableNames"] == []
    newcomer = unique_access_key()
    creds.write_text(f"{access_key} {SECRET_KEY}\n{newcomer} {SECRET_KEY}\n")
    cert.write_bytes(pki["other_cert"].read_bytes())
    key.write_bytes(pki["other_key"].read_bytes())
    mark = s.log_size()
    s.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    while not ("access keys reloaded" in s.read_log(mark) and
               "TLS certificate" in s.read_log(mark)):
        assert time.monotonic() < deadline, s.read_log(mark)
        time.sleep(0.05)
    assert "2 access keys reloaded" in s.read_log(mark)
    assert served_certificate(port, pki["other_ca"]) == pem_to_der(pki["other_cert"])
    assert https_client(port, pki["other_ca"], newcomer).list_tables()["TableNames"] == []
