"""The order in which DynamoDB checks a request: types, then constraints, then the request's own
semantics (expressions, parameter combinations, attribute values), and only then the table.

DynamoDB reads the body against the operation's input shape (a member of the wrong JSON type is a
SerializationException), then checks the model's constraints (one ValidationException listing
every violation), then the request's semantic rules; a request that fails any of these is rejected
whatever tables exist, so a request with a fault and a table that does not exist gets the fault,
not ResourceNotFoundException. Checks that need the table (the key schema, the index named) come
after the table is found.

Each case below sends a request naming a table that does not exist, with one or more faults, and
asserts the first fault DynamoDB reports. Raw HTTP: boto3 validates some parameters itself.
"""

import pytest

from conftest import create_table

MISSING = "no_such_table"

KEY = {"pk": {"S": "k"}}
VALUES = {":v": {"S": "x"}}

# (operation, body, error type, message). The messages are DynamoDB's, as the other tests of this
# suite pin them one by one; here they pin which one comes first.
CASES = [
    # A syntax error in an expression comes before the table.
    ("Query", {"TableName": MISSING, "KeyConditionExpression": "pk = = :v",
               "ExpressionAttributeValues": VALUES},
     "ValidationException",
     'Invalid KeyConditionExpression: Syntax error; token: "=", near: "= = :v"'),
    ("Query", {"TableName": MISSING, "KeyConditionExpression": "pk = :v OR pk = :v",
               "ExpressionAttributeValues": VALUES},
     "ValidationException", "Invalid operator used in KeyConditionExpression: OR"),
    ("Query", {"TableName": MISSING, "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "x"}, ":u": {"S": "y"}}},
     "ValidationException",
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"),
    ("Query", {"TableName": MISSING, "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": VALUES, "Select": "SPECIFIC_ATTRIBUTES"},
     "ValidationException",
     "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires "
     "either ProjectionExpression or AttributesToGet"),
    ("Query", {"TableName": MISSING, "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": VALUES, "Select": "ALL_PROJECTED_ATTRIBUTES"},
     "ValidationException",
     "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is "
     "supported only for index queries"),
    ("Query", {"TableName": MISSING},
     "ValidationException",
     "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
     "request."),
    ("Scan", {"TableName": MISSING, "FilterExpression": "a = "},
     "ValidationException", 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "="'),
    ("Scan", {"TableName": MISSING, "Segment": 3, "TotalSegments": 2},
     "ValidationException",
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
     "Segment: 3 is not less than TotalSegments: 2"),
    ("GetItem", {"TableName": MISSING, "Key": KEY, "ProjectionExpression": "a,,b"},
     "ValidationException", 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,b"'),
    ("PutItem", {"TableName": MISSING, "Item": {"pk": {"S": "k"}, "s": {"SS": []}}},
     "ValidationException",
     "One or more parameter values were invalid: An string set  may not be empty"),
    ("PutItem", {"TableName": MISSING, "Item": KEY, "ReturnValues": "ALL_NEW"},
     "ValidationException", "ReturnValues can only be ALL_OLD or NONE"),
    ("UpdateItem", {"TableName": MISSING, "Key": KEY, "UpdateExpression": "SET"},
     "ValidationException", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"'),
    ("DeleteItem", {"TableName": MISSING, "Key": KEY, "ConditionExpression": "attribute_exists("},
     "ValidationException",
     'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'),
    # Batches: every request's attribute values and form, before any table.
    ("BatchWriteItem", {"RequestItems": {MISSING: [{"PutRequest": {"Item": {"pk": {"N": "x1"}}}}]}},
     "ValidationException", "A value provided cannot be converted into a number"),
    ("BatchWriteItem", {"RequestItems": {MISSING: [{"PutRequest": {"Item": KEY},
                                                    "DeleteRequest": {"Key": KEY}}]}},
     "ValidationException",
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
     "supported datatypes"),
    ("BatchGetItem", {"RequestItems": {MISSING: {"Keys": [{"pk": {"B": "!!"}}]}}},
     "SerializationException",
     "Base64 encoded length is expected a multiple of 4 bytes but found: 2"),
    ("BatchGetItem", {"RequestItems": {MISSING: {"Keys": [KEY], "ProjectionExpression": "a,,"}}},
     "ValidationException", 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,"'),
    ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": MISSING, "Item": KEY,
                                                       "ConditionExpression": "a <"}}]},
     "ValidationException", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "<"'),
    ("TransactGetItems", {"TransactItems": [{"Get": {"TableName": MISSING, "Key": KEY,
                                                     "ProjectionExpression": "a,,"}}]},
     "ValidationException", 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,"'),
    # Several faults: a wrong JSON type anywhere comes first, then the model's constraints (all of
    # them), then the expressions.
    ("Query", {"TableName": MISSING, "Limit": 0, "KeyConditionExpression": "pk = = :v",
               "ExpressionAttributeValues": VALUES, "ConsistentRead": "yes"},
     "SerializationException", None),
    ("Query", {"TableName": MISSING, "Limit": 0, "Select": "SOME",
               "KeyConditionExpression": "pk = = :v", "ExpressionAttributeValues": VALUES},
     "ValidationException",
     "2 validation errors detected: Value 'SOME' at 'select' failed to satisfy constraint: "
     "Member must satisfy enum value set: [ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES, "
     "SPECIFIC_ATTRIBUTES, COUNT]; Value '0' at 'limit' failed to satisfy constraint: Member must "
     "have value greater than or equal to 1"),
    ("PutItem", {"TableName": "x", "Item": {"pk": {"N": "x1"}}, "ConditionExpression": "a <"},
     "ValidationException",
     "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: Member "
     "must have length greater than or equal to 3"),
    ("UpdateItem", {"TableName": MISSING, "Key": {"pk": {"N": "x1"}},
                    "UpdateExpression": "SET a = :v"},
     "ValidationException", "A value provided cannot be converted into a number"),
]


@pytest.mark.parametrize("operation,body,error_type,message", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_request_faults_come_before_the_missing_table(raw, operation, body, error_type, message):
    resp = raw.request(operation, body)
    assert resp.status == 400, resp.body
    assert resp.error_type == error_type, resp.body
    if message is not None:
        assert resp.message == message


# Checks that need the table come after it is found: without the table, the answer is
# ResourceNotFoundException; with it, the schema's own error.
SCHEMA_CASES = [
    ("GetItem", {"Key": {"zz": {"S": "k"}}},
     "The provided key element does not match the schema"),
    ("Query", {"KeyConditionExpression": "zz = :v", "ExpressionAttributeValues": VALUES},
     "Query condition missed key schema element: pk"),
    ("Query", {"IndexName": "nope", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": VALUES},
     "The table does not have the specified index: nope"),
    ("BatchGetItem", None, "The provided key element does not match the schema"),
]


@pytest.mark.parametrize("operation,extra,message", SCHEMA_CASES,
                         ids=[c[0] + str(i) for i, c in enumerate(SCHEMA_CASES)])
def test_schema_checks_come_after_the_table(raw, client, operation, extra, message):
    create_table(client, "present")

    def body(table):
        if operation == "BatchGetItem":
            return {"RequestItems": {table: {"Keys": [{"zz": {"S": "k"}}]}}}
        return {"TableName": table, **extra}

    missing = raw.request(operation, body(MISSING))
    assert missing.status == 400
    assert missing.error_type == "ResourceNotFoundException", missing.body
    present = raw.request(operation, body("present"))
    assert present.status == 400
    assert present.error_type == "ValidationException", present.body
    assert present.message == message
