"""ValidationException for constraint violations, generated from DynamoDB's service model.

DynamoDB behaviour checked: after a request's JSON types fit the operation's input shape, DynamoDB
checks every member against the model's constraints (required, string length, list and map size,
number range, enum, pattern, map keys) and answers one HTTP 400 ValidationException that lists
every violation: "1 validation error detected: Value 'x' at 'limit' failed to satisfy constraint:
Member must have value greater than or equal to 1", or "N validation errors detected: ...; ...".
It does so before it looks a table up: a request that violates a constraint and names a missing
table is a ValidationException, not ResourceNotFoundException.

The cases come from the botocore service models Cairn's tables are generated from (Debian's
python3-botocore, loaded here at test time): for each operation Cairn serves, a body that satisfies
the model is built from the model (every required member, at its smallest valid value), then each
constraint of each top-level member is broken once: the member removed (required), a string one
character too short or too long, a number one below or above its range, a value outside its enum,
a list or map one entry too small or too large. The exact text is asserted: Value rendering
('x' for strings and numbers, null, '[]' and '[...]' for lists, '{}' and '{...}' for maps) and
paths as Cairn's hand-written checks pinned them from DynamoDB (NOT SURE for non-empty collections,
whose full rendering by DynamoDB is not recorded).

One exception to the model as written (constraint_check.cc, kExceptions): a TableName member
accepts a table ARN, up to 1024 characters, in every operation but CreateTable and the streams
service's ListStreams; a plain name over 255 characters is then "less than or equal to 1024".

NOT SURE: whether DynamoDB caps the number of violations it lists; Cairn lists them all.
"""

import json

import pytest

from conftest import load_service_models

MODELS = load_service_models()

# The operations Cairn serves (api/dispatch.cc); the others answer UnknownOperationException.
SERVED = {
    "DynamoDB_20120810": [
        "BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable",
        "DescribeEndpoints", "DescribeLimits", "DescribeTable", "DescribeTimeToLive", "GetItem",
        "ListTables", "ListTagsOfResource", "PutItem", "Query", "Scan", "TagResource",
        "TransactGetItems", "TransactWriteItems", "UntagResource", "UpdateItem", "UpdateTable",
        "UpdateTimeToLive", "DescribeContinuousBackups", "UpdateContinuousBackups",
        "CreateBackup", "DescribeBackup", "ListBackups", "DeleteBackup", "RestoreTableFromBackup",
        "RestoreTableToPointInTime", "ExportTableToPointInTime", "DescribeExport", "ListExports",
        "ImportTable", "DescribeImport", "ListImports", "ExecuteStatement",
        "BatchExecuteStatement", "ExecuteTransaction"],
    "DynamoDBStreams_20120810": ["DescribeStream", "GetRecords", "GetShardIterator",
                                 "ListStreams"],
}
OPERATIONS = [(prefix, op) for prefix, ops in SERVED.items() for op in ops]
TABLE_ARN_MAX = 1024


def lower_first(name):
    return name[:1].lower() + name[1:]


def arn_table_name(prefix, operation, shape_name):
    """The exception: TableName accepts a table ARN (max 1024) except in CreateTable and in the
    streams service."""
    return (shape_name == "TableName" and prefix == "DynamoDB_20120810"
            and operation != "CreateTable")


def minimal(model, shape_name, depth=0):
    """The smallest value of shape_name that satisfies the model's constraints."""
    shape = model["shapes"][shape_name]
    t = shape["type"]
    if t == "structure":
        if shape_name == "AttributeValue":
            return {"S": "a"}
        return {m: minimal(model, shape["members"][m]["shape"], depth + 1)
                for m in shape.get("required", [])}
    if t == "list":
        return [minimal(model, shape["member"]["shape"], depth + 1)
                for _ in range(max(shape.get("min", 0), 1 if depth == 0 else 0))]
    if t == "map":
        n = shape.get("min", 0)
        return {f"tbl{i:04d}": minimal(model, shape["value"]["shape"], depth + 1)
                for i in range(n)}
    if t == "string":
        if "enum" in shape:
            return shape["enum"][0]
        return "a" * max(shape.get("min", 0), 3)
    if t == "blob":
        return "AAAA"
    if t == "boolean":
        return True
    if t in ("integer", "long"):
        return max(shape.get("min", 1), 1) if shape.get("max", 1) >= 1 else shape["max"]
    return 1


def violation(value, path, constraint):
    return f"Value {value} at '{path}' failed to satisfy constraint: {constraint}"


def cases(prefix, operation):
    """(description, body, expected message) for every constraint of every top-level member."""
    model = MODELS[prefix]
    shapes = model["shapes"]
    input_name = model["operations"][operation]["input"]["shape"]
    input_shape = shapes[input_name]
    base = minimal(model, input_name)
    out = []
    required = set(input_shape.get("required", []))
    for name, member in input_shape["members"].items():
        path = lower_first(name)
        target = member["shape"]
        shape = shapes[target]
        t = shape["type"]
        if name in required:
            body = {k: v for k, v in base.items() if k != name}
            out.append((f"{name} missing", body,
                        violation("null", path, "Member must not be null")))
        lo, hi = shape.get("min"), shape.get("max")
        if t == "string":
            if arn_table_name(prefix, operation, target):
                hi = TABLE_ARN_MAX
                long = "a" * 256
            else:
                long = "a" * (hi + 1) if hi is not None and hi < 100000 else None
            if "enum" in shape:
                out.append((f"{name} not in enum", {**base, name: "NOT_AN_ENUM_VALUE"},
                            violation("'NOT_AN_ENUM_VALUE'", path,
                                      "Member must satisfy enum value set: [" +
                                      ", ".join(shape["enum"]) + "]")))
            if lo:
                short = "a" * (lo - 1)
                out.append((f"{name} too short", {**base, name: short},
                            violation(f"'{short}'", path,
                                      f"Member must have length greater than or equal to {lo}")))
            if long is not None:
                out.append((f"{name} too long", {**base, name: long},
                            violation(f"'{long}'", path,
                                      f"Member must have length less than or equal to {hi}")))
            if shape.get("pattern") == "[a-zA-Z0-9_.-]+":
                out.append((f"{name} pattern", {**base, name: "a b c"},
                            violation("'a b c'", path, "Member must satisfy regular expression "
                                                       "pattern: [a-zA-Z0-9_.-]+")))
        elif t in ("integer", "long"):
            if lo is not None:
                out.append((f"{name} below min", {**base, name: lo - 1},
                            violation(f"'{lo - 1}'", path,
                                      f"Member must have value greater than or equal to {lo}")))
            if hi is not None:
                out.append((f"{name} above max", {**base, name: hi + 1},
                            violation(f"'{hi + 1}'", path,
                                      f"Member must have value less than or equal to {hi}")))
        elif t == "list":
            element = minimal(model, shape["member"]["shape"], 1)
            if lo:
                out.append((f"{name} too few", {**base, name: []},
                            violation("'[]'", path,
                                      f"Member must have length greater than or equal to {lo}")))
            if hi is not None and hi < 10000:
                out.append((f"{name} too many", {**base, name: [element] * (hi + 1)},
                            violation("'[...]'", path,
                                      f"Member must have length less than or equal to {hi}")))
        elif t == "map":
            value = minimal(model, shape["value"]["shape"], 1)
            if lo:
                out.append((f"{name} too few", {**base, name: {}},
                            violation("'{}'", path,
                                      f"Member must have length greater than or equal to {lo}")))
            if hi is not None and hi < 10000:
                entries = {f"tbl{i:04d}": value for i in range(hi + 1)}
                out.append((f"{name} too many", {**base, name: entries},
                            violation("'{...}'", path,
                                      f"Member must have length less than or equal to {hi}")))
    return base, out


def send_all(raw, prefix, requests):
    conn = raw.connection()
    failures = []
    try:
        for operation, description, body, message in requests:
            r = raw.request(None, body, conn=conn, target=f"{prefix}.{operation}")
            got = (r.status, r.error_type, r.message)
            want = (400, "ValidationException", "1 validation error detected: " + message)
            if got != want:
                failures.append(f"{operation} {description}: {json.dumps(body)[:200]} -> "
                                f"{r.status} {r.body[:400]!r}\n  wanted {want[2][:400]!r}")
    finally:
        conn.close()
    return failures


def assert_no_tables(raw):
    r = raw.request("ListTables", {})
    assert r.status == 200 and r.json["TableNames"] == [], r


@pytest.mark.parametrize("prefix,operation", OPERATIONS, ids=[op for _, op in OPERATIONS])
def test_each_constraint_of_each_member(raw, prefix, operation):
    _, generated = cases(prefix, operation)
    requests = [(operation, d, body, m) for d, body, m in generated]
    failures = send_all(raw, prefix, requests)
    assert not failures, f"{len(failures)} of {len(requests)} cases:\n" + "\n".join(failures)
    assert_no_tables(raw)


def test_served_is_what_the_server_serves(raw):
    # SERVED is written out so that the cases are known at collection; the server says which
    # operations it answers: every other operation of the models is UnknownOperationException.
    conn = raw.connection()
    try:
        for prefix, model in MODELS.items():
            for operation in model["operations"]:
                r = raw.request(None, {}, conn=conn, target=f"{prefix}.{operation}")
                served = r.error_type != "UnknownOperationException"
                assert served == (operation in SERVED[prefix]), (prefix, operation, r)
    finally:
        conn.close()


def test_the_generated_cases_cover_the_model():
    # Every served operation with a constrained top-level member gets cases; the count is stable
    # for a given model (a smoke check that the generator did not silently produce nothing).
    total = sum(len(cases(p, op)[1]) for p, op in OPERATIONS)
    assert total >= 60, total
    for p, op in (("DynamoDB_20120810", "Scan"), ("DynamoDB_20120810", "BatchWriteItem"),
                  ("DynamoDBStreams_20120810", "GetShardIterator")):
        assert cases(p, op)[1], op


def full(raw, operation, body):
    r = raw.request(operation, body)
    assert (r.status, r.error_type) == (400, "ValidationException"), r
    return r.message


def test_several_violations_in_model_order(raw):
    # Members in the model's order; within a value: max length, min length, pattern, enum.
    message = full(raw, "Scan", {"TableName": "a!", "Limit": 0, "Select": "X",
                                 "TotalSegments": 0, "Segment": -1})
    assert message == "6 validation errors detected: " + "; ".join([
        violation("'a!'", "tableName", "Member must have length greater than or equal to 3"),
        violation("'a!'", "tableName",
                  "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        violation("'0'", "limit", "Member must have value greater than or equal to 1"),
        violation("'X'", "select", "Member must satisfy enum value set: [ALL_ATTRIBUTES, "
                                   "ALL_PROJECTED_ATTRIBUTES, SPECIFIC_ATTRIBUTES, COUNT]"),
        violation("'0'", "totalSegments", "Member must have value greater than or equal to 1"),
        violation("'-1'", "segment", "Member must have value greater than or equal to 0"),
    ])
    assert full(raw, "PutItem", {}) == "2 validation errors detected: " + "; ".join([
        violation("null", "tableName", "Member must not be null"),
        violation("null", "item", "Member must not be null")])


def test_nested_paths(raw):
    message = full(raw, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "tbl", "Item": {"pk": {"S": "a"}}}},
        {"Update": {"TableName": "tbl", "UpdateExpression": "SET a = :a"}},
        {"Delete": {"TableName": "ab", "Key": {"pk": {"S": "a"}}}}],
        "ReturnConsumedCapacity": "ALL"})
    assert message == "3 validation errors detected: " + "; ".join([
        violation("null", "transactItems.2.member.update.key", "Member must not be null"),
        violation("'ab'", "transactItems.3.member.delete.tableName",
                  "Member must have length greater than or equal to 3"),
        violation("'ALL'", "returnConsumedCapacity",
                  "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")])
    assert full(raw, "BatchGetItem", {"RequestItems": {"tbl": {"AttributesToGet": []}}}) == (
        "2 validation errors detected: " + "; ".join([
            violation("null", "requestItems.tbl.member.keys", "Member must not be null"),
            violation("'[]'", "requestItems.tbl.member.attributesToGet",
                      "Member must have length greater than or equal to 1")]))
    assert full(raw, "BatchGetItem", {"RequestItems": {"a b": {"Keys": [{"pk": {"S": "a"}}]}}}) == (
        "1 validation error detected: " + violation(
            "'a b'", "requestItems", "Map keys must satisfy constraint: [Member must have length "
            "less than or equal to 1024, Member must have length greater than or equal to 3, "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"))


def test_every_violation_is_listed(raw):
    # NOT SURE whether DynamoDB caps the list; Cairn lists all (no oracle pins a cap).
    items = [{"Get": {"TableName": "tbl", "Key": {"pk": {"S": "a"}}}}] + [{}] * 12
    message = full(raw, "TransactGetItems", {"TransactItems": items})
    assert message == "12 validation errors detected: " + "; ".join(
        violation("null", f"transactItems.{i}.member.get", "Member must not be null")
        for i in range(2, 14))


def test_a_constraint_violation_comes_before_a_missing_table(raw):
    for operation, body in [
            ("GetItem", {"TableName": "absent", "Key": {"pk": {"S": "a"}},
                         "ReturnConsumedCapacity": "ALL"}),
            ("Query", {"TableName": "absent", "KeyConditionExpression": "pk = :v",
                       "ExpressionAttributeValues": {":v": {"S": "a"}}, "Limit": 0}),
            ("DescribeTable", {"TableName": "absent", "Unknown": 1}),
            ("UpdateTimeToLive", {"TableName": "absent", "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": ""}}),
            ("BatchWriteItem", {"RequestItems": {"absent": []}}),
    ]:
        r = raw.request(operation, body)
        if operation == "DescribeTable":  # no violation: the table is looked up
            assert r.error_type == "ResourceNotFoundException", r
        else:
            assert (r.status, r.error_type) == (400, "ValidationException"), (operation, r)
    assert_no_tables(raw)


# --------------------------------------------------------------------------------------------------
# Members newer than the installed model: tools/service_model_overlay.json adds them, with their
# constraints from the current API reference, to the model the checks are generated from (and that
# load_service_models() gives the generated cases above). Their nested constraints, which the
# top-level generator does not reach:


def test_overlay_members_are_in_the_generated_cases():
    described = {op: [d for d, _, _ in cases(p, op)[1]] for p, op in OPERATIONS}
    assert "MultiRegionConsistency not in enum" in described["UpdateTable"]
    assert "ReturnValuesOnConditionCheckFailure not in enum" in described["PutItem"]


STREAM_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/stream/2020-01-01T00:00:00.000"


@pytest.mark.parametrize("prefix,operation,body,violations", [
    ("DynamoDBStreams_20120810", "DescribeStream",
     {"StreamArn": STREAM_ARN, "ShardFilter": {"Type": "PARENT_SHARDS", "ShardId": "short"}},
     [violation("'PARENT_SHARDS'", "shardFilter.type",
                "Member must satisfy enum value set: [CHILD_SHARDS]"),
      violation("'short'", "shardFilter.shardId",
                "Member must have length greater than or equal to 28")]),
    ("DynamoDBStreams_20120810", "DescribeStream",
     {"StreamArn": STREAM_ARN, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": "s" * 66}},
     [violation("'" + "s" * 66 + "'", "shardFilter.shardId",
                "Member must have length less than or equal to 65")]),
    ("DynamoDB_20120810", "UpdateTable",
     {"TableName": "absent", "GlobalTableWitnessUpdates": [{"Create": {}}, {"Delete": {}}]},
     [violation("null", "globalTableWitnessUpdates.1.member.create.regionName",
                "Member must not be null"),
      violation("null", "globalTableWitnessUpdates.2.member.delete.regionName",
                "Member must not be null")]),
    ("DynamoDB_20120810", "DeleteItem",
     {"TableName": "absent", "Key": {"pk": {"S": "a"}},
      "ReturnValuesOnConditionCheckFailure": "ALL_NEW"},
     [violation("'ALL_NEW'", "returnValuesOnConditionCheckFailure",
                "Member must satisfy enum value set: [ALL_OLD, NONE]")]),
])
def test_overlay_constraints(raw, prefix, operation, body, violations):
    r = raw.request(None, body, target=f"{prefix}.{operation}")
    count = len(violations)
    head = f"{count} validation error{'s' if count > 1 else ''} detected: "
    assert (r.status, r.error_type, r.message) == (400, "ValidationException",
                                                   head + "; ".join(violations)), r
    assert_no_tables(raw)


def test_overlay_waives_update_gsi_provisioned_throughput(raw):
    # The current model requires only IndexName in a GSI Update (OnDemandThroughput or
    # WarmThroughput may stand for ProvisionedThroughput): such an Update passes the model and
    # reaches the table lookup.
    r = raw.request("UpdateTable", {"TableName": "absent", "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "by_g", "OnDemandThroughput": {"MaxReadRequestUnits": 5}}}]})
    assert (r.status, r.error_type, r.message) == (
        400, "ResourceNotFoundException", "Requested resource not found: Table: absent not found"), r
