"""Signature verification, opt-in: a server started with --credentials FILE verifies every
request's AWS Signature Version 4, in the Authorization-header form and the presigned query form,
and answers as DynamoDB does.

DynamoDB behaviour checked (AWS's SigV4 documentation and DynamoDB's answers; all HTTP 400):
- a good signature (boto3, boto 2's Layer1 on the 2011-12-05 API and its 2012-08-10 connection,
  a presigned request, a body signed as UNSIGNED-PAYLOAD) is served;
- a wrong secret key: InvalidSignatureException "The request signature we calculated does not match
  the signature you provided. Check your AWS Secret Access Key and signing method. Consult the
  service documentation for details." followed by the canonical request and the string to sign
  the server computed (so a client can see where it differs);
- an access key id the server does not know: UnrecognizedClientException "The security token
  included in the request is invalid.";
- no Authorization header: MissingAuthenticationTokenException "Request is missing
  Authentication Token";
- a request date more than 15 minutes from the server's clock: InvalidSignatureException
  "Signature expired: <date> is now earlier than <now - 15 min> (<now> - 15 min.)", or, in the
  future, "Signature not yet current: <date> is still later than <now + 15 min> (<now> + 15 min.)";
  a presigned request past its X-Amz-Expires is expired likewise;
- a credential scoped to another service: "Credential should be scoped to correct service:
  'dynamodb'. "; a scope date other than X-Amz-Date's: "Date in Credential scope does not match
  YYYYMMDD from ISO-8601 version of date from HTTP: ...".
Cairn's own (DynamoDB has one fixed set of keys): the file is one "ACCESS_KEY_ID SECRET_ACCESS_KEY"
pair per line, reread on SIGHUP (a bad file keeps the keys in force, and says so in the log); a bad
file at start-up stops the server with a message naming the line; --host other than loopback
without --credentials logs a warning. Without --credentials any secret works, as in DynamoDB
Local.
"""

import datetime
import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

import boto3
import pytest
from boto.dynamodb.exceptions import DynamoDBResponseError
from boto.dynamodb.layer1 import Layer1
from boto.dynamodb2.layer1 import DynamoDBConnection
from boto.exception import JSONResponseError
from boto.regioninfo import RegionInfo
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import (CAIRN_BIN, CLIENT_CONFIG, HOST, JSON_CONTENT_TYPE, REGION, TARGET_PREFIX,
                      RawResponse, check_protocol_headers, create_table)

KEY = "AKIDSIGV4GOOD"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
OTHER_KEY = "AKIDSIGV4OTHER"
OTHER_SECRET = "another/secret+key"

MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")
UNRECOGNIZED = "The security token included in the request is invalid."
# Temporary credentials (as AWS STS gives them): a key with a session token in the file.
TEMP_KEY = "ASIATEMPORARYKEY"
TEMP_SECRET = "temporary/secret+key"
TEMP_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN//+=="
AMZ_DATE = "%Y%m%dT%H%M%SZ"
DATE_RE = r"(\d{8}T\d{6}Z)"

RELOAD_TIMEOUT_S = 10.0
RELOAD_POLL_S = 0.05


def write_credentials(path, text):
    # Written to a new file, then renamed: a reload never reads half a file.
    tmp = path.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def verifying(tmp_path_factory):
    """One server for the module, started with --credentials (KEY and OTHER_KEY)."""
    from conftest import CairnServer
    base = tmp_path_factory.mktemp("sigv4")
    creds = base / "credentials"
    write_credentials(creds, f"# test keys\n{KEY} {SECRET}\n\n{OTHER_KEY}\t{OTHER_SECRET}\n"
                             f"{TEMP_KEY} {TEMP_SECRET} {TEMP_TOKEN}\n")
    s = CairnServer(base / "data", base / "cairn.log", ["--credentials", str(creds)])
    s.start()
    yield s
    s.kill()


def client(server, key=KEY, secret=SECRET, service="dynamodb"):
    session = boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret,
                            region_name=REGION)
    return session.client(service, endpoint_url=server.endpoint, config=CLIENT_CONFIG)


class RecordingAuth(SigV4Auth):
    """botocore's SigV4 signer, at a chosen time, keeping its canonical request and string to
    sign (what a server that computes the same must print in InvalidSignatureException)."""

    def __init__(self, credentials, service, region, when=None):
        super().__init__(credentials, service, region)
        self.when = when

    def add_auth(self, request):
        if self.when is None:
            return super().add_auth(request)
        request.context["timestamp"] = self.when.strftime(AMZ_DATE)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))

    def canonical_request(self, request):
        self.canonical = super().canonical_request(request)
        return self.canonical

    def string_to_sign(self, request, canonical_request):
        self.sts = super().string_to_sign(request, canonical_request)
        return self.sts


def post(server, url_path, data, headers):
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("POST", url_path, body=data, headers=headers)
        r = conn.getresponse()
        return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def signed_request(server, operation="ListTables", body=None, key=KEY, secret=SECRET,
                   service="dynamodb", when=None, headers=None, sign=True):
    """Sends one POST signed by botocore's SigV4Auth; returns (response, signer)."""
    data = json.dumps({} if body is None else body).encode() if not isinstance(body, bytes) \
        else body
    hdrs = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation}
    hdrs.update(headers or {})
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers=hdrs)
    signer = RecordingAuth(Credentials(key, secret), service, REGION, when)
    if sign:
        signer.add_auth(req)
    else:
        req.headers["X-Amz-Date"] = datetime.datetime.utcnow().strftime(AMZ_DATE)
    return post(server, "/", data, dict(req.headers.items())), signer


def expect(resp, error_type, message=None):
    assert resp.status == 400, resp
    assert resp.error_type == error_type, resp
    if message is not None:
        assert resp.message == message, resp
    check_protocol_headers(resp)


def mismatch_message(signer):
    return (MISMATCH + "\n\nThe Canonical String for this request should have been\n'" +
            signer.canonical + "'\n\nThe String-to-Sign should have been\n'" + signer.sts + "'\n")


# --------------------------------------------------------------------------------------------------
# The right key and secret.


def test_boto3_with_the_right_key_and_secret(verifying):
    c = client(verifying)
    create_table(c, "signed")
    c.put_item(TableName="signed", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    assert c.get_item(TableName="signed", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "n": {"N": "1"}}
    assert "signed" in c.list_tables()["TableNames"]
    # A large body (about 390 KB): its SHA-256 is what was signed.
    big = "x" * 390_000
    c.put_item(TableName="signed", Item={"pk": {"S": "big"}, "v": {"S": big}})
    assert c.get_item(TableName="signed", Key={"pk": {"S": "big"}})["Item"]["v"]["S"] == big
    # The second key of the file, and the Streams API (signed with service "dynamodb" too).
    assert client(verifying, OTHER_KEY, OTHER_SECRET).list_tables()["TableNames"] == []
    assert "Streams" in client(verifying, service="dynamodbstreams").list_streams()


def test_a_hand_signed_request_and_a_body_signed_as_unsigned_payload(verifying):
    resp, _ = signed_request(verifying)
    assert resp.status == 200, resp
    assert "TableNames" in resp.json
    # A gzip body: the signature covers the bytes as sent, before the server inflates them.
    resp, _ = signed_request(verifying, body=gzip.compress(b'{"Limit": 2}'),
                             headers={"Content-Encoding": "gzip"})
    assert resp.status == 200, resp
    # X-Amz-Content-Sha256: UNSIGNED-PAYLOAD: the body is not part of the signature.
    resp, _ = signed_request(verifying, headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    assert resp.status == 200, resp
    # A claimed hash that is not the body's: the signature is checked against the body's hash.
    wrong_hash = "0" * 64
    resp, signer = signed_request(verifying, headers={"X-Amz-Content-SHA256": wrong_hash})
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH + "\n\n"), resp
    assert "\n" + hashlib.sha256(b"{}").hexdigest() + "'\n\nThe String-to-Sign" in resp.message


# --------------------------------------------------------------------------------------------------
# Wrong or missing credentials.


def test_wrong_secret_gets_aws_text_with_the_canonical_request(verifying):
    resp, signer = signed_request(verifying, secret="wrong-secret")
    expect(resp, "InvalidSignatureException", mismatch_message(signer))
    assert resp.json["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    # boto3 sees the same.
    with pytest.raises(ClientError) as e:
        client(verifying, secret="wrong-secret").list_tables()
    err = e.value.response
    assert err["Error"]["Code"] == "InvalidSignatureException"
    assert err["Error"]["Message"].startswith(MISMATCH + "\n\nThe Canonical String for this "
                                              "request should have been\n'POST\n/\n\n")
    assert f"/{REGION}/dynamodb/aws4_request\n" in err["Error"]["Message"]
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_tampered_body_fails(verifying):
    data = json.dumps({"Limit": 5}).encode()
    req = AWSRequest(method="POST", url=verifying.endpoint + "/", data=data,
                     headers={"Content-Type": JSON_CONTENT_TYPE,
                              "X-Amz-Target": TARGET_PREFIX + "ListTables"})
    SigV4Auth(Credentials(KEY, SECRET), "dynamodb", REGION).add_auth(req)
    resp = post(verifying, "/", json.dumps({"Limit": 6}).encode(), dict(req.headers.items()))
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH), resp


def test_unknown_access_key(verifying):
    resp, _ = signed_request(verifying, key="AKIDNOBODY")
    expect(resp, "UnrecognizedClientException", UNRECOGNIZED)
    assert resp.json["__type"] == "com.amazon.coral.service#UnrecognizedClientException"
    with pytest.raises(ClientError) as e:
        client(verifying, key="AKIDNOBODY").list_tables()
    assert e.value.response["Error"] == {"Code": "UnrecognizedClientException",
                                         "Message": UNRECOGNIZED}


def test_session_tokens_as_aws_checks_them(verifying):
    # A key given with a session token: its requests carry that token, signed (boto3 sends it as
    # X-Amz-Security-Token and signs it).
    def temp_client(token):
        session = boto3.Session(aws_access_key_id=TEMP_KEY, aws_secret_access_key=TEMP_SECRET,
                                aws_session_token=token, region_name=REGION)
        return session.client("dynamodb", endpoint_url=verifying.endpoint, config=CLIENT_CONFIG)

    assert "TableNames" in temp_client(TEMP_TOKEN).list_tables()
    for token in (None, TEMP_TOKEN + "x", TEMP_TOKEN[:-1]):  # no token, a wrong one
        with pytest.raises(ClientError) as e:
            temp_client(token).list_tables()
        assert e.value.response["Error"] == {"Code": "UnrecognizedClientException",
                                             "Message": UNRECOGNIZED}, token
    # A long-term key with a token (which no long-term key has) is refused the same way.
    resp, _ = signed_request(verifying, headers={"X-Amz-Security-Token": TEMP_TOKEN})
    expect(resp, "UnrecognizedClientException", UNRECOGNIZED)
    # The presigned form carries the token in the query.
    target, headers = presign(verifying, key=TEMP_KEY, secret=TEMP_SECRET, token=TEMP_TOKEN)
    assert post(verifying, target, b"{}", headers).status == 200
    target, headers = presign(verifying, key=TEMP_KEY, secret=TEMP_SECRET)
    expect(post(verifying, target, b"{}", headers), "UnrecognizedClientException", UNRECOGNIZED)
    # An empty token, in the query or as a header, is no token: right for a long-term key, and
    # missing for a key that has one.
    target, headers = presign(verifying, query="X-Amz-Security-Token=")
    assert "X-Amz-Security-Token=&" in target or target.endswith("X-Amz-Security-Token=")
    assert post(verifying, target, b"{}", headers).status == 200
    target, headers = presign(verifying, key=TEMP_KEY, secret=TEMP_SECRET,
                              query="X-Amz-Security-Token=")
    expect(post(verifying, target, b"{}", headers), "UnrecognizedClientException", UNRECOGNIZED)
    resp, _ = signed_request(verifying, headers={"X-Amz-Security-Token": ""})
    assert resp.status == 200, resp


def test_host_must_be_signed(verifying):
    # A signature that does not cover Host could be replayed to another server.
    data = b"{}"
    req = AWSRequest(method="POST", url=verifying.endpoint + "/", data=data,
                     headers={"Content-Type": JSON_CONTENT_TYPE,
                              "X-Amz-Target": TARGET_PREFIX + "ListTables"})

    class WithoutHost(SigV4Auth):
        def headers_to_sign(self, request):
            headers = super().headers_to_sign(request)
            del headers["host"]
            return headers

    WithoutHost(Credentials(KEY, SECRET), "dynamodb", REGION).add_auth(req)
    assert "host" not in req.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    expect(post(verifying, "/", data, dict(req.headers.items())), "InvalidSignatureException",
           "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


def test_no_authorization_header(verifying):
    resp, _ = signed_request(verifying, sign=False)
    expect(resp, "MissingAuthenticationTokenException", "Request is missing Authentication Token")


def test_wrong_service_and_scope_date(verifying):
    resp, _ = signed_request(verifying, service="dynamodbx")
    expect(resp, "InvalidSignatureException",
           "Credential should be scoped to correct service: 'dynamodb'. ")
    # A scope dated the day before X-Amz-Date's.
    data = b"{}"
    now = datetime.datetime.utcnow()
    req = AWSRequest(method="POST", url=verifying.endpoint + "/", data=data,
                     headers={"Content-Type": JSON_CONTENT_TYPE,
                              "X-Amz-Target": TARGET_PREFIX + "ListTables"})
    SigV4Auth(Credentials(KEY, SECRET), "dynamodb", REGION).add_auth(req)
    headers = dict(req.headers.items())
    amz_date = headers["X-Amz-Date"]
    yesterday = (now - datetime.timedelta(days=1)).strftime("%Y%m%d")
    headers["Authorization"] = headers["Authorization"].replace(
        f"/{amz_date[:8]}/", f"/{yesterday}/")
    resp = post(verifying, "/", data, headers)
    expect(resp, "InvalidSignatureException",
           "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
           f"HTTP: '{yesterday}' != '{amz_date[:8]}', from '{amz_date}'.")


def test_malformed_signatures_get_dynamodb_errors(verifying):
    def send(authorization, amz_date):
        return post(verifying, "/", b"{}", {
            "Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + "ListTables",
            "X-Amz-Date": amz_date, "Authorization": authorization})

    now = datetime.datetime.utcnow().strftime(AMZ_DATE)
    good_scope = f"{KEY}/{now[:8]}/{REGION}/dynamodb/aws4_request"
    tail = ", SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    expect(send("AWS4-HMAC-SHA256 Credential=" + good_scope + tail, "yesterday"),
           "IncompleteSignatureException",
           "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See "
           "http://en.wikipedia.org/wiki/ISO_8601")
    expect(send(f"AWS4-HMAC-SHA256 Credential={KEY}/{now[:8]}/{REGION}/dynamodb/aws4" + tail,
                now), "InvalidSignatureException",
           "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4'. ")
    expect(send(f"AWS4-HMAC-SHA256 Credential={KEY}/{now[:8]}/{REGION}/dynamodb" + tail, now),
           "InvalidSignatureException",
           "Credential should be scoped with a valid terminator: 'aws4_request', not ''. ")
    expect(send("AWS4-HMAC-SHA512 Credential=" + good_scope + tail, now),
           "IncompleteSignatureException", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.")
    # Well formed, known key, signature of zeros.
    resp = send("AWS4-HMAC-SHA256 Credential=" + good_scope + tail, now)
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH), resp
    # The checks of the scope's form stay those of a server without --credentials.
    expect(send("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00", now),
           "IncompleteSignatureException")
    expect(send("Basic dXNlcjpwYXNz", now), "MissingAuthenticationTokenException",
           "Request is missing Authentication Token")


def test_without_credentials_any_secret_works(server):
    # The session server runs without --credentials: as DynamoDB Local, any secret is accepted.
    resp, _ = signed_request(server, key="AKIDANYONE", secret="whatever")
    assert resp.status == 200, resp


# --------------------------------------------------------------------------------------------------
# The request's date.


def test_a_date_more_than_15_minutes_old_is_expired(verifying):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    resp, _ = signed_request(verifying, when=when)
    expect(resp, "InvalidSignatureException")
    m = re.fullmatch(r"Signature expired: " + DATE_RE + r" is now earlier than " + DATE_RE +
                     r" \(" + DATE_RE + r" - 15 min\.\)", resp.message)
    assert m, resp.message
    assert m.group(1) == when.strftime(AMZ_DATE)
    limit = datetime.datetime.strptime(m.group(2), AMZ_DATE)
    now = datetime.datetime.strptime(m.group(3), AMZ_DATE)
    assert now - limit == datetime.timedelta(minutes=15)
    assert abs((now - datetime.datetime.utcnow()).total_seconds()) < 60
    # 14 minutes old still works.
    resp, _ = signed_request(verifying, when=datetime.datetime.utcnow() -
                             datetime.timedelta(minutes=14))
    assert resp.status == 200, resp


def test_a_date_more_than_15_minutes_ahead_is_not_yet_current(verifying):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=20)
    resp, _ = signed_request(verifying, when=when)
    expect(resp, "InvalidSignatureException")
    m = re.fullmatch(r"Signature not yet current: " + DATE_RE + r" is still later than " +
                     DATE_RE + r" \(" + DATE_RE + r" \+ 15 min\.\)", resp.message)
    assert m, resp.message
    assert m.group(1) == when.strftime(AMZ_DATE)
    limit = datetime.datetime.strptime(m.group(2), AMZ_DATE)
    now = datetime.datetime.strptime(m.group(3), AMZ_DATE)
    assert limit - now == datetime.timedelta(minutes=15)
    resp, _ = signed_request(verifying, when=datetime.datetime.utcnow() +
                             datetime.timedelta(minutes=14))
    assert resp.status == 200, resp


# --------------------------------------------------------------------------------------------------
# Presigned requests (the query-string form).


class FixedTimeQueryAuth(SigV4QueryAuth):
    """botocore's presigner at a chosen time. botocore's SigV4QueryAuth moves a body's members
    into the query (a query API's way), which DynamoDB's JSON protocol has no use for; here the
    body stays apart and the payload hash is either UNSIGNED-PAYLOAD (as S3's presigned URLs,
    botocore's S3SigV4QueryAuth) or the SHA-256 of the body that will be sent."""

    def __init__(self, credentials, service, region, expires, when, payload_hash):
        super().__init__(credentials, service, region, expires=expires)
        self.when = when
        self.payload_hash = payload_hash

    def payload(self, request):
        return self.payload_hash

    def add_auth(self, request):
        request.context["timestamp"] = self.when.strftime(AMZ_DATE)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


def presign(server, operation="ListTables", expires=60, when=None, key=KEY, secret=SECRET,
            body=None, token=None, query=""):
    """A presigned URL for a POST with these headers; the body is signed by its hash when given,
    else as UNSIGNED-PAYLOAD; `query` is signed with the rest (e.g. "X-Amz-Security-Token=", an
    empty token, which botocore never sends). Returns (path?query, headers)."""
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation}
    req = AWSRequest(method="POST", url=server.endpoint + "/" + ("?" + query if query else ""),
                     headers=headers)
    when = when or datetime.datetime.utcnow()
    payload_hash = "UNSIGNED-PAYLOAD" if body is None else hashlib.sha256(body).hexdigest()
    FixedTimeQueryAuth(Credentials(key, secret, token), "dynamodb", REGION, expires, when,
                       payload_hash).add_auth(req)
    parts = urllib.parse.urlsplit(req.url)
    return parts.path + "?" + parts.query, headers


def test_presigned_url(verifying):
    target, headers = presign(verifying)
    assert "X-Amz-Signature=" in target and "X-Amz-Expires=60" in target
    resp = post(verifying, target, b"{}", headers)
    assert resp.status == 200, resp
    assert "TableNames" in resp.json
    # Another key's signature, and an unknown key.
    target2, headers2 = presign(verifying, key=OTHER_KEY, secret=OTHER_SECRET)
    assert post(verifying, target2, b"{}", headers2).status == 200
    target3, headers3 = presign(verifying, key="AKIDNOBODY")
    expect(post(verifying, target3, b"{}", headers3), "UnrecognizedClientException", UNRECOGNIZED)
    # Signed with the body's hash: that body is served, another is refused.
    target4, headers4 = presign(verifying, body=b'{"Limit": 3}')
    assert post(verifying, target4, b'{"Limit": 3}', headers4).status == 200
    resp = post(verifying, target4, b'{"Limit": 4}', headers4)
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH), resp


def test_tampered_presigned_url_fails(verifying):
    target, headers = presign(verifying)
    # Another operation than the one signed (X-Amz-Target is a signed header).
    resp = post(verifying, target, b"{}",
                {**headers, "X-Amz-Target": TARGET_PREFIX + "DescribeLimits"})
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH + "\n\nThe Canonical String for this request should "
                                              "have been\n'POST\n/\nX-Amz-Algorithm="), resp
    # The canonical request shown ends with the hash of the body received.
    assert "\n" + hashlib.sha256(b"{}").hexdigest() + "'\n\nThe String-to-Sign" in resp.message
    # A longer lifetime than the one signed.
    resp = post(verifying, target.replace("X-Amz-Expires=60", "X-Amz-Expires=600"), b"{}",
                headers)
    expect(resp, "InvalidSignatureException")
    assert resp.message.startswith(MISMATCH), resp
    # An extra query parameter.
    resp = post(verifying, target + "&extra=1", b"{}", headers)
    expect(resp, "InvalidSignatureException")
    # A wrong secret.
    target, headers = presign(verifying, secret="wrong")
    expect(post(verifying, target, b"{}", headers), "InvalidSignatureException")


def test_expired_presigned_url(verifying):
    when = datetime.datetime.utcnow() - datetime.timedelta(seconds=120)
    target, headers = presign(verifying, expires=60, when=when)
    resp = post(verifying, target, b"{}", headers)
    expect(resp, "InvalidSignatureException")
    m = re.fullmatch(r"Signature expired: " + DATE_RE + r" is now earlier than " + DATE_RE +
                     r" \(" + DATE_RE + r" - 60 sec\.\)", resp.message)
    assert m, resp.message
    assert m.group(1) == when.strftime(AMZ_DATE)
    limit = datetime.datetime.strptime(m.group(2), AMZ_DATE)
    now = datetime.datetime.strptime(m.group(3), AMZ_DATE)
    assert now - limit == datetime.timedelta(seconds=60)
    # Still within its lifetime: served.
    target, headers = presign(verifying, expires=600, when=when)
    assert post(verifying, target, b"{}", headers).status == 200


# --------------------------------------------------------------------------------------------------
# boto 2: Layer1 (the 2011-12-05 API) and DynamoDBConnection (2012-08-10), both SigV4.


def boto2_layer1(server, key, secret):
    info = RegionInfo(name=REGION, endpoint=HOST, connection_cls=Layer1)
    conn = Layer1(aws_access_key_id=key, aws_secret_access_key=secret, region=info,
                  is_secure=False, port=server.port)
    conn.auth_region_name, conn.auth_service_name, conn.NumberRetries = REGION, "dynamodb", 0
    return conn


def boto2_dynamodb2(server, key, secret):
    info = RegionInfo(name=REGION, endpoint=HOST, connection_cls=DynamoDBConnection)
    conn = DynamoDBConnection(aws_access_key_id=key, aws_secret_access_key=secret, region=info,
                              host=HOST, port=server.port, is_secure=False)
    conn.auth_region_name, conn.auth_service_name, conn.NumberRetries = REGION, "dynamodb", 0
    return conn


def test_boto2_right_and_wrong_secret(verifying):
    assert "TableNames" in boto2_layer1(verifying, KEY, SECRET).list_tables()
    assert "TableNames" in boto2_dynamodb2(verifying, KEY, SECRET).list_tables()
    with pytest.raises(DynamoDBResponseError) as e:
        boto2_layer1(verifying, KEY, "wrong").list_tables()
    assert e.value.status == 400
    assert e.value.error_code == "InvalidSignatureException"
    assert e.value.body["message"].startswith(MISMATCH + "\n\n"), e.value.body
    # boto 2 signs only Host and the x-amz-* headers.
    assert "\nhost;x-amz-date;x-amz-target\n" in e.value.body["message"], e.value.body
    with pytest.raises(DynamoDBResponseError) as e:
        boto2_layer1(verifying, "AKIDNOBODY", SECRET).list_tables()
    assert (e.value.status, e.value.error_code) == (400, "UnrecognizedClientException")
    with pytest.raises(JSONResponseError) as e:
        boto2_dynamodb2(verifying, KEY, "wrong").list_tables()
    assert (e.value.status, e.value.error_code) == (400, "InvalidSignatureException")


# --------------------------------------------------------------------------------------------------
# The credentials file: SIGHUP, bad files, the warning for a non-loopback host.


def wait_for(predicate, what):
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(RELOAD_POLL_S)
    pytest.fail(f"not within {RELOAD_TIMEOUT_S} s: {what}")


def test_sighup_rereads_the_file(make_server, tmp_path):
    creds = tmp_path / "credentials"
    write_credentials(creds, f"{KEY} {SECRET}\n")
    creds.chmod(0o600)
    s = make_server("--credentials", str(creds), "--log-level", "info")
    assert "verifying request signatures: 1 access keys from" in s.read_log()
    assert "other users may read it" not in s.read_log()
    assert client(s).list_tables()["TableNames"] == []
    expect(signed_request(s, key=OTHER_KEY, secret=OTHER_SECRET)[0],
           "UnrecognizedClientException", UNRECOGNIZED)

    # A new key added, the old one removed.
    write_credentials(creds, f"# rotated\n{OTHER_KEY} {OTHER_SECRET}\n")
    s.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: signed_request(s, key=OTHER_KEY, secret=OTHER_SECRET)[0].status == 200,
             "the new key works")
    expect(signed_request(s)[0], "UnrecognizedClientException", UNRECOGNIZED)
    wait_for(lambda: "SIGHUP: 1 access keys reloaded from" in s.read_log(), "the reload logged")

    # A bad file: the keys in force stay, the log says why, naming the line.
    write_credentials(creds, f"{KEY} {SECRET}\n{KEY}\n")
    offset = s.log_size()
    s.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "credentials not reloaded" in s.read_log(offset), "the refused reload logged")
    assert (f"{creds} line 2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 1 "
            "fields") in s.read_log(offset)
    assert signed_request(s, key=OTHER_KEY, secret=OTHER_SECRET)[0].status == 200
    expect(signed_request(s)[0], "UnrecognizedClientException", UNRECOGNIZED)
    # The server is still up and serving after the signals.
    assert s.proc.poll() is None


@pytest.mark.parametrize("text, message", [
    (f"{KEY} {SECRET}\nAKIDBAD\n",
     " line 2: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 1 fields"),
    (f"{KEY} {SECRET} token four\n",
     " line 1: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [SESSION_TOKEN], found 4 fields"),
    ("# c\n\nAKID/SLASH secret\n", " line 3: the access key id 'AKID/SLASH' has characters other "
                                   "than letters and digits"),
    (f"{KEY} a\n{KEY} b\n", f" line 2: the access key id {KEY} is given a second time"),
    ("# nothing\n", ": no ACCESS_KEY_ID SECRET_ACCESS_KEY line"),
])
def test_a_malformed_file_stops_the_start_up(tmp_path, text, message):
    creds = tmp_path / "credentials"
    creds.write_text(text)
    r = subprocess.run([CAIRN_BIN, "--in-memory", "--port", "0", "--credentials", str(creds)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 1, r
    assert f"--credentials: {creds}{message}" in r.stdout + r.stderr, r
    # The environment variable names the file too.
    r = subprocess.run([CAIRN_BIN, "--in-memory", "--port", "0"], capture_output=True, text=True,
                       timeout=10, env={**os.environ, "CAIRN_CREDENTIALS": str(creds)})
    assert r.returncode == 1, r
    assert f"--credentials: {creds}{message}" in r.stdout + r.stderr, r


def test_a_missing_file_stops_the_start_up(tmp_path):
    r = subprocess.run([CAIRN_BIN, "--in-memory", "--port", "0", "--credentials",
                        str(tmp_path / "absent")], capture_output=True, text=True, timeout=10)
    assert r.returncode == 1, r
    assert f"cannot read {tmp_path / 'absent'}: No such file or directory" in r.stdout + r.stderr


def test_warnings_non_loopback_host_without_credentials_and_a_readable_file(make_server,
                                                                            tmp_path):
    s = make_server("--host", "0.0.0.0", "--log-level", "info")
    assert "listening on 0.0.0.0 without --credentials: anyone who can reach the port can read " \
           "and write every table" in s.read_log()
    creds = tmp_path / "credentials"
    write_credentials(creds, f"{KEY} {SECRET}\n")
    creds.chmod(0o640)
    s2 = make_server("--host", "0.0.0.0", "--log-level", "info", "--credentials", str(creds))
    assert "without --credentials" not in s2.read_log()
    # A file of secrets others may read: served, with a warning.
    assert f"{creds} holds secret keys but other users may read it (mode 0640): chmod 600 it" in \
        s2.read_log()
    assert client(s2).list_tables()["TableNames"] == []
    # The default stays loopback: no warning.
    s3 = make_server("--log-level", "info")
    assert "without --credentials" not in s3.read_log()
