#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from the integration tests' own requests.

Reads tests/integration/*.py with `ast` (nothing is run): every boto3 client call whose name is a
DynamoDB operation (put_item -> PutItem) becomes a request body, with the keyword arguments that are
literals; attribute values ({'S': ...}, {'N': ...}, ...), items, expressions and numbers are taken
from those bodies. Each target gets a few dozen small inputs in its own input format (see the
header comment of fuzz/<target>_fuzzer.cc). Deterministic: rerunning it rewrites the same files.
Usage: fuzz/make_seeds.py   (from the repository root)
"""
import ast
import glob
import gzip
import hashlib
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'fuzz', 'corpus')
TYPES = {'S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'}
CANONICAL_N = re.compile(r'^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$')
PER_TARGET = 40


def camel(snake):
    return ''.join(p.capitalize() for p in snake.split('_'))


def literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def jsonable(v):
    if isinstance(v, bytes):
        import base64
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [jsonable(x) for x in v]
    return v


def requests():
    """(operation, body) for each literal-argument boto3 call in the integration tests."""
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'integration', 'test_*.py'))):
        tree = ast.parse(open(path).read())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            if not re.fullmatch(r'[a-z]+(_[a-z]+)+|query|scan', name):
                continue
            body = {}
            for kw in node.keywords:
                if kw.arg and kw.arg[0].isupper():
                    v = literal(kw.value)
                    if v is not None:
                        body[kw.arg] = jsonable(v)
            if body:
                found.append((camel(name), body))
    return found


def attribute_values(obj, out):
    if isinstance(obj, dict):
        if len(obj) == 1 and next(iter(obj)) in TYPES:
            out.append(obj)
        for v in obj.values():
            attribute_values(v, out)
    elif isinstance(obj, list):
        for v in obj:
            attribute_values(v, out)


def is_item(obj):
    return isinstance(obj, dict) and obj and all(
        isinstance(v, dict) and len(v) == 1 and next(iter(v)) in TYPES for v in obj.values())


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode_value(v):
    """docs/format.md's item value format; None when the value is not in canonical form."""
    (t, x), = v.items()
    code = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'].index(t)
    if t in ('S', 'N', 'B'):
        raw = x.encode() if t != 'B' else __import__('base64').b64decode(x)
        if t == 'N' and not CANONICAL_N.match(x):
            return None
        return bytes([code]) + varint(len(raw)) + raw
    if t == 'BOOL':
        return bytes([code, 1 if x else 0])
    if t == 'NULL':
        return bytes([code])
    if t == 'M':
        inner = encode_attrs(x)
        return None if inner is None else bytes([code]) + inner
    if t == 'L':
        parts = [encode_value(e) for e in x]
        return None if None in parts else bytes([code]) + varint(len(parts)) + b''.join(parts)
    members = [m.encode() if t != 'BS' else __import__('base64').b64decode(m) for m in x]
    if not members or (t == 'NS' and not all(CANONICAL_N.match(m) for m in x)):
        return None
    return bytes([code]) + varint(len(members)) + b''.join(varint(len(m)) + m for m in members)


def encode_attrs(item):
    names = sorted(item, key=lambda n: n.encode())
    out = [varint(len(names))]
    for n in names:
        v = encode_value(item[n])
        if v is None:
            return None
        out.append(varint(len(n.encode())) + n.encode() + v)
    return b''.join(out)


def write(target, inputs):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    seen = set()
    for data in inputs:
        if data in seen or len(data) > 4096:
            continue
        seen.add(data)
        if len(seen) > PER_TARGET:
            break
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), 'wb') as f:
            f.write(data)


def spread(items, n=PER_TARGET):
    """n items taken evenly from the whole list, so that every test file contributes."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def main():
    reqs = requests()
    values, items = [], []
    for _, body in reqs:
        attribute_values(body, values)
        for v in body.values():
            if is_item(v):
                items.append(v)
    dump = lambda o: json.dumps(o, separators=(',', ':')).encode()

    write('attribute_json', [b'\0' + dump(v) for v in spread(values, 25)] +
          [b'\1' + dump(i) for i in spread(items, 15)])

    shape_inputs = [op.encode() + b'\n' + dump(body) for op, body in spread(reqs, PER_TARGET)]
    write('request_shape', shape_inputs)

    kinds = {'ConditionExpression': 0, 'FilterExpression': 0, 'UpdateExpression': 1,
             'ProjectionExpression': 2, 'KeyConditionExpression': 3}
    exprs = []
    for _, body in reqs:
        for k, kind in kinds.items():
            if isinstance(body.get(k), str):
                exprs.append(bytes([kind]) + body[k].encode() + b'\0' + bytes(range(1, 64)))
    write('expression', spread(sorted(set(exprs)), PER_TARGET))

    numbers = sorted({v['N'] for v in values if isinstance(v.get('N'), str)})
    numbers += ['1e125', '-9.9999999999999999999999999999999999999E+125', '1E-130', '0.0', '-0',
                '12345678901234567890123456789012345678', '.5', '5.', '1e-131', 'NaN']
    write('number', [n.encode() for n in numbers[:30]] +
          [(a + ',' + b).encode() for a, b in zip(numbers[:10], reversed(numbers[:10]))])

    codec = []
    for i in spread(items, 30):
        enc = encode_attrs(i)
        if enc is not None:
            codec.append(b'\1' + b'\1' + enc)  # mode byte (odd: bytes), version 1
    codec += [b'\0' + bytes(range(i, i + 40)) for i in range(0, 200, 20)]  # mode "item"
    write('item_codec', codec)

    key = [bytes([t]) + s.encode() for t in range(3) for s in
           ['abc\0def', 'a\0\xff', '\xff\xff', '-1.5e10,7', 'x' * 20, '0']]
    write('key_encoding', key)

    http = []
    for op, body in spread(reqs, 25):
        raw = dump(body)
        head = ('POST / HTTP/1.1\r\nHost: localhost:8000\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n'
                'Content-Type: application/x-amz-json-1.0\r\nAuthorization: AWS4-HMAC-SHA256 '
                'Credential=fake/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, '
                'Signature=00\r\nContent-Length: %d\r\n\r\n' % (op, len(raw))).encode()
        http.append(b'\0' + head + raw)
    z = gzip.compress(b'{"TableName":"t"}', mtime=0)
    http += [
        b'\0GET / HTTP/1.1\r\nHost: example.test:1234\r\n\r\n',
        b'\x07GET /?Action=x HTTP/1.1\r\nHost: dynamodb.local\r\n\r\nGET / HTTP/1.0\r\n\r\n',
        b'\0POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
        b'\0POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n' % len(z) + z,
        b'\0POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}',
        b'\0POST /throw HTTP/1.1\r\nContent-Length: 0\r\n\r\nPOST /bad-status HTTP/1.1\r\nConnection: close\r\n\r\n',
        b'\x03POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n',
        b'\0HEAD / HTTP/1.1\r\nHost: x\r\n\r\n',
    ]
    write('http_request', http)


if __name__ == '__main__':
    main()
