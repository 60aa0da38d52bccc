"""SerializationException for wrongly typed members, generated from DynamoDB's service model.

DynamoDB behaviour checked: DynamoDB reads a request's JSON body against the operation's input shape
before it validates anything or looks a table up, so a member whose JSON type does not fit its shape
is answered HTTP 400 com.amazon.coral.service#SerializationException, whatever else the request
holds: no table is created, read or written, and no other error comes first. That holds for every
operation of DynamoDB_20120810 and DynamoDBStreams_20120810, for every member at the top level and
one level down (a structure's members, a list's entries, a map's values).

The cases come from the same botocore service models that Cairn's tables are generated from
(Debian's python3-botocore, loaded here at test time): for each operation, each member gets a value
of a wrong JSON type for its shape, one request per case, on one keep-alive connection. The request
is otherwise valid where a base body is given below (so that without the check it would go on to
create, read or write a table). The message is checked where Cairn's decoders already pinned it
(api/params.cc, protocol/attribute_json.cc); for integer, double and timestamp members only the
error type is (DynamoDB's exact text for them is not recorded here).
"""

import json

import pytest

from conftest import load_service_models

MODELS = load_service_models()

# A value of the wrong JSON type for each shape type, and DynamoDB's message for it when certain.
# These messages are the same for the generic deserializer and the attribute-value codec.
WRONG = {
    "structure": (5, "Unexpected value type in payload"),
    "list": ({}, "Start of structure or map found where not expected."),
    "map": ("x", "Unexpected value type in payload"),
    "string": (True, "TRUE_VALUE cannot be converted to String"),
    "boolean": ("x", "STRING_VALUE cannot be converted to Boolean"),
    "long": ("x", "STRING_VALUE cannot be converted to Long"),
    "blob": (True, "class java.lang.Boolean can not be converted to an Blob"),
    "integer": ("x", None),
    "double": ("x", None),
    "float": ("x", None),
    "timestamp": ("x", None),
}

KEY = {"pk": {"S": "a"}}
# Valid bodies for the operations that would otherwise create, read or write a table ("absent" is
# never created): a wrong member replaces one of these members.
BASE = {
    "CreateTable": {
        "TableName": "created",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    },
    "PutItem": {"TableName": "absent", "Item": KEY},
    "GetItem": {"TableName": "absent", "Key": KEY},
    "DeleteItem": {"TableName": "absent", "Key": KEY},
    "UpdateItem": {"TableName": "absent", "Key": KEY, "UpdateExpression": "SET v = :v",
                   "ExpressionAttributeValues": {":v": {"N": "1"}}},
    "Query": {"TableName": "absent", "KeyConditionExpression": "pk = :v",
              "ExpressionAttributeValues": {":v": {"S": "a"}}},
    "Scan": {"TableName": "absent"},
    "DescribeTable": {"TableName": "absent"},
    "DeleteTable": {"TableName": "absent"},
    "UpdateTable": {"TableName": "absent", "BillingMode": "PAY_PER_REQUEST"},
    "BatchGetItem": {"RequestItems": {"absent": {"Keys": [KEY]}}},
    "BatchWriteItem": {"RequestItems": {"absent": [{"PutRequest": {"Item": KEY}}]}},
    "TransactGetItems": {"TransactItems": [{"Get": {"TableName": "absent", "Key": KEY}}]},
    "TransactWriteItems": {"TransactItems": [{"Put": {"TableName": "absent", "Item": KEY}}]},
    "DescribeTimeToLive": {"TableName": "absent"},
    "UpdateTimeToLive": {"TableName": "absent",
                         "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
}


def wrong_value(model, shape_name):
    return WRONG[model["shapes"][shape_name]["type"]]


def cases(prefix, operation):
    """(description, body, expected message or None) for every member of the operation's input,
    at the top level and one level down."""
    model = MODELS[prefix]
    shapes = model["shapes"]
    base = BASE.get(operation, {}) if prefix == "DynamoDB_20120810" else {}
    input_shape = shapes[model["operations"][operation]["input"]["shape"]]
    # The body itself is a structure (DescribeLimits and DescribeEndpoints have no members).
    out = [("(body)", [], "Start of list found where not expected"),
           ("(body)", '"x"', "Unexpected value type in payload")]  # sent as is
    for name, member in input_shape["members"].items():
        target = member["shape"]
        value, message = wrong_value(model, target)
        out.append((name, {**base, name: value}, message))
        shape = shapes[target]
        if shape["type"] == "structure":
            for sub, sub_member in shape["members"].items():
                value, message = wrong_value(model, sub_member["shape"])
                out.append((f"{name}.{sub}", {**base, name: {sub: value}}, message))
        elif shape["type"] == "list":
            value, message = wrong_value(model, shape["member"]["shape"])
            out.append((f"{name}[0]", {**base, name: [value]}, message))
        elif shape["type"] == "map":
            value, message = wrong_value(model, shape["value"]["shape"])
            out.append((f"{name}.k", {**base, name: {"k": value}}, message))
    return out


OPERATIONS = [(prefix, op) for prefix, model in MODELS.items()
              for op in sorted(model["operations"])]


def send_all(raw, prefix, requests):
    """Sends (operation, description, body, expected message) cases on one connection; returns
    the mismatches."""
    conn = raw.connection()
    failures = []
    try:
        for operation, description, body, message in requests:
            r = raw.request(None, body, conn=conn, target=f"{prefix}.{operation}")
            got = (r.status, r.error_type, r.message if message is not None else None)
            want = (400, "SerializationException", message)
            # DynamoDB spells this error's message member "Message" (not "message").
            if got != want or (isinstance(r.json, dict) and "message" in r.json):
                failures.append(f"{operation} {description}: {json.dumps(body)} -> {r.status} "
                                f"{r.body[:300]!r}")
    finally:
        conn.close()
    return failures


def assert_no_tables(raw):
    r = raw.request("ListTables", {})
    assert r.status == 200 and r.json["TableNames"] == [], r


@pytest.mark.parametrize("prefix,operation", OPERATIONS, ids=[op for _, op in OPERATIONS])
def test_wrongly_typed_members(raw, prefix, operation):
    requests = [(operation, d, body, m) for d, body, m in cases(prefix, operation)]
    failures = send_all(raw, prefix, requests)
    assert not failures, f"{len(failures)} of {len(requests)} cases:\n" + "\n".join(failures)
    assert_no_tables(raw)


def test_the_base_bodies_are_valid_requests(raw):
    # Without a wrong member, each base body reaches the operation: the table is missing (or, for
    # CreateTable, created), so the cases above do test that the check comes first.
    conn = raw.connection()
    try:
        for operation, body in BASE.items():
            r = raw.request(operation, body, conn=conn)
            if operation == "CreateTable":
                assert r.status == 200, r
            else:
                assert r.error_type == "ResourceNotFoundException", (operation, r)
    finally:
        conn.close()


# Deeper cases, where DynamoDB's texts for attribute values and batch requests are pinned.
DEEP = [
    ("PutItem", {"TableName": "absent", "Item": {"a": {"S": 5}}},
     "NUMBER_VALUE cannot be converted to String"),
    ("PutItem", {"TableName": "absent", "Item": {"a": {"L": [{"M": {"b": {"SS": "x"}}}]}}},
     "Unexpected field type"),
    ("PutItem", {"TableName": "absent", "Item": {"a": {"SS": ["x", None]}}},
     "Unexpected null value in a set"),
    ("PutItem", {"TableName": "absent", "Item": {"a": {"B": "Zm9vY"}}},
     "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
    ("PutItem", {"TableName": "absent", "Item": []},
     "Unrecognized collection type java.util.Map<java.lang.String, "
     "com.amazonaws.dynamodb.v20120810.AttributeValue>"),
    ("GetItem", {"TableName": "absent", "Key": {"pk": {"S": ["a"]}}},
     "Unrecognized collection type class java.lang.String"),
    ("BatchWriteItem", {"RequestItems": {"absent": [{"PutRequest": {"Item": {"a": {"N": True}}}}]}},
     "TRUE_VALUE cannot be converted to String"),
    ("BatchGetItem", {"RequestItems": {"absent": {"Keys": [{"pk": {"BOOL": "x"}}]}}},
     "STRING_VALUE cannot be converted to Boolean"),
    ("Query", {"TableName": "absent", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"L": [{"NULL": 1}]}}},
     "NUMBER_VALUE cannot be converted to Boolean"),
    ("TransactWriteItems",
     {"TransactItems": [{"Update": {"TableName": "absent", "Key": KEY,
                                    "UpdateExpression": "SET a = :v",
                                    "ExpressionAttributeValues": {":v": {"S": {}}}}}]},
     "Start of structure or map found where not expected."),
    ("CreateTable", {**BASE["CreateTable"], "GlobalSecondaryIndexes": [
        {"IndexName": "i", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": [1]}}]},
     "NUMBER_VALUE cannot be converted to String"),
]


def test_deeper_members(raw):
    failures = send_all(raw, "DynamoDB_20120810",
                        [(op, f"deep case {i}", body, m) for i, (op, body, m) in enumerate(DEEP)])
    assert not failures, "\n".join(failures)
    assert_no_tables(raw)


def test_an_operation_cairn_does_not_serve_is_checked_first(raw):
    # ListExports is in the model; Cairn does not serve it. A wrongly typed body is still a
    # SerializationException, as DynamoDB answers; a well-typed one is an unknown operation.
    r = raw.request("ListExports", {"MaxResults": "x"})
    assert (r.status, r.error_type) == (400, "SerializationException"), r
    r = raw.request("ListExports", {"MaxResults": 5})
    assert (r.status, r.error_type) == (400, "UnknownOperationException"), r


# Members newer than the installed model (tools/service_model_overlay.json) are in the cases above,
# one level down included: their wrong types are SerializationExceptions like the others'.
def test_overlay_members_are_in_the_generated_cases():
    described = {op: [d for d, _, _ in cases(p, op)] for p, op in OPERATIONS}
    for operation, description in [
            ("CreateTable", "WarmThroughput.ReadUnitsPerSecond"),
            ("CreateTable", "OnDemandThroughput.MaxWriteRequestUnits"),
            ("CreateTable", "DeletionProtectionEnabled"),
            ("CreateTable", "ResourcePolicy"),
            ("UpdateTable", "GlobalTableWitnessUpdates[0]"),
            ("UpdateTable", "MultiRegionConsistency"),
            ("UpdateTable", "WarmThroughput.WriteUnitsPerSecond"),
            ("UpdateItem", "ReturnValuesOnConditionCheckFailure"),
            ("DescribeStream", "ShardFilter.Type"),
            ("DescribeStream", "ShardFilter.ShardId")]:
        assert description in described[operation], (operation, description)


@pytest.mark.parametrize("prefix,operation,body,message", [
    ("DynamoDB_20120810", "CreateTable",
     {**BASE["CreateTable"], "GlobalSecondaryIndexes": [{
         "IndexName": "by_pk", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL"},
         "WarmThroughput": {"ReadUnitsPerSecond": "many"}}]},
     "STRING_VALUE cannot be converted to Long"),
    ("DynamoDB_20120810", "UpdateTable",
     {"TableName": "absent", "GlobalSecondaryIndexUpdates": [
         {"Update": {"IndexName": "by_g", "OnDemandThroughput": {"MaxReadRequestUnits": "x"}}}]},
     "STRING_VALUE cannot be converted to Long"),
    ("DynamoDB_20120810", "UpdateTable",
     {"TableName": "absent", "GlobalTableWitnessUpdates": [{"Create": {"RegionName": True}}]},
     "TRUE_VALUE cannot be converted to String"),
])
def test_overlay_members_deeper(raw, prefix, operation, body, message):
    r = raw.request(None, body, target=f"{prefix}.{operation}")
    assert (r.status, r.error_type, r.message) == (400, "SerializationException", message), r
    assert_no_tables(raw)
