#!/usr/bin/python3
"""Prints the expected values of tests/unit/auth/sigv4_test.cc, computed by botocore's SigV4Auth
(Debian's python3-botocore), for requests of AWS's Signature Version 4 test suite (the
"aws-sig-v4-test-suite": get-vanilla, post-vanilla, ... with its key, secret, date, region and
service) and a DynamoDB request. Run it and paste its output into the test when a case is added:
  /usr/bin/python3 tests/unit/auth/gen_sigv4_vectors.py
"""

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEY = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
DATE = "20150830T123600Z"

# name, method, url, headers (in order, repeats allowed), body, service
CASES = [
    ("get-vanilla", "GET", "https://example.amazonaws.com/", [], b"", "service"),
    ("get-vanilla-query-order-key-case", "GET",
     "https://example.amazonaws.com/?Param2=value2&Param1=value1", [], b"", "service"),
    ("get-vanilla-query-unreserved", "GET",
     "https://example.amazonaws.com/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", [], b"", "service"),
    ("get-vanilla-utf8-query", "GET", "https://example.amazonaws.com/?%E1%88%B4=bar", [], b"",
     "service"),
    ("get-header-key-duplicate", "GET", "https://example.amazonaws.com/",
     [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")], b"",
     "service"),
    ("get-header-value-trim", "GET", "https://example.amazonaws.com/",
     [("My-Header1", " value1"), ("My-Header2", ' "a   b   c"')], b"", "service"),
    ("get-slashes", "GET", "https://example.amazonaws.com//example//", [], b"", "service"),
    ("get-relative-relative", "GET", "https://example.amazonaws.com/example1/example2/../..", [],
     b"", "service"),
    ("get-space", "GET", "https://example.amazonaws.com/example%20space/", [], b"", "service"),
    ("post-vanilla", "POST", "https://example.amazonaws.com/", [], b"", "service"),
    ("post-x-www-form-urlencoded", "POST", "https://example.amazonaws.com/",
     [("Content-Type", "application/x-www-form-urlencoded")], b"Param1=value1", "service"),
    ("dynamodb-list-tables", "POST", "http://127.0.0.1:8000/",
     [("Content-Type", "application/x-amz-json-1.0"),
      ("X-Amz-Target", "DynamoDB_20120810.ListTables")], b"{}", "dynamodb"),
]


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", '\\n"\n        "') + '"'


for name, method, url, headers, body, service in CASES:
    req = AWSRequest(method=method, url=url, data=body)
    for k, v in headers:
        req.headers.add_header(k, v)  # repeats kept, in order
    req.headers["X-Amz-Date"] = DATE
    req.context["timestamp"] = DATE
    signer = SigV4Auth(Credentials(KEY, SECRET), service, "us-east-1")
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    sig = signer.signature(sts, req)
    print(f"// {name}")
    print(f"canonical = {c_string(canonical)};")
    print(f"string_to_sign = {c_string(sts)};")
    print(f'signature = "{sig}";')
    print()
