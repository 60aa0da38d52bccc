"""The admin API (/cairn/admin/) under --credentials: it changes the whole server (fault rules,
reset, snapshots), so it takes a request signed with SigV4 by one of the configured keys, as any
DynamoDB request; an unsigned or badly signed one gets DynamoDB's error for it (as JSON) and
changes nothing. Without --credentials it stays open (the server then trusts its clients, as it
does for the DynamoDB API)."""

import http.client
import json
import os

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import HOST, REGION

KEY, SECRET = "AKIAADMINTEST", "admin-secret"


def write_credentials(path, text):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)


def request(server, method, path, body=None, sign_with=None):
    data = b"" if body is None else json.dumps(body).encode()
    url = f"http://{HOST}:{server.port}/cairn/admin/{path}"
    headers = {"Content-Type": "application/json"}
    if sign_with is not None:
        aws = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(Credentials(*sign_with), "dynamodb", REGION).add_auth(aws)
        headers = dict(aws.headers.items())
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request(method, "/cairn/admin/" + path, body=data, headers=headers)
        r = conn.getresponse()
        payload = r.read()
        return r.status, (json.loads(payload) if payload else None)
    finally:
        conn.close()


def test_admin_api_takes_signed_requests_under_credentials(make_server, tmp_path):
    creds = tmp_path / "credentials"
    write_credentials(creds, f"{KEY} {SECRET}\n")
    s = make_server("--admin", "--credentials", str(creds))
    rule = {"operation": "PutItem", "error": "InternalServerError"}
    # Unsigned: DynamoDB's error for a request without credentials; nothing added.
    status, body = request(s, "POST", "faults", rule)
    assert status == 400, body
    assert body["__type"].endswith("#MissingAuthenticationTokenException")
    # Signed with a wrong secret: InvalidSignatureException.
    status, body = request(s, "POST", "faults", rule, sign_with=(KEY, "wrong"))
    assert status == 400 and body["__type"].endswith("#InvalidSignatureException"), body
    # Signed with an unknown key: UnrecognizedClientException.
    status, body = request(s, "POST", "faults", rule, sign_with=("AKIAUNKNOWN", SECRET))
    assert status == 400 and body["__type"].endswith("#UnrecognizedClientException"), body
    status, body = request(s, "GET", "faults", sign_with=(KEY, SECRET))
    assert status == 200 and body["rules"] == [], body
    # Signed right: served.
    status, body = request(s, "POST", "faults", rule, sign_with=(KEY, SECRET))
    assert status == 200 and len(body["ids"]) == 1, body
    status, body = request(s, "POST", "reset", {}, sign_with=(KEY, SECRET))
    assert status == 200 and body["tables_dropped"] == 0, body
    status, body = request(s, "POST", "reset", {})
    assert status == 400, body
    status, body = request(s, "DELETE", "faults")
    assert status == 400, body
    status, body = request(s, "GET", "faults", sign_with=(KEY, SECRET))
    assert len(body["rules"]) == 1  # the unsigned DELETE removed nothing


def test_admin_api_is_open_without_credentials(make_server):
    s = make_server("--admin")
    status, body = request(s, "GET", "faults")
    assert status == 200 and body["rules"] == []
