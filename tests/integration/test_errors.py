"""Errors: DynamoDB's error types and messages, exactly, and its protocol-level error answers.

DynamoDB behaviour checked:
- a missing table: ResourceNotFoundException "Requested resource not found" from item operations,
  and "Requested resource not found: Table: <name> not found" from DescribeTable/DeleteTable;
  CreateTable of an existing name: ResourceInUseException "Table already exists: <name>";
- key validation (type mismatch, missing key, partial or wrong key, empty string key);
- limits on values: 400 KB items, 38-digit numbers and their magnitude range, empty and duplicate
  sets, 32 levels of nesting;
- CreateTable validation and deletion protection;
- protocol errors (malformed JSON, unknown or missing X-Amz-Target) answered with HTTP 400 and the
  coral error type, without closing the keep-alive connection;
- every response, success or error, carries x-amzn-RequestId, Content-Type
  application/x-amz-json-1.0 and an x-amz-crc32 equal to zlib.crc32 of the body.
All errors here are client errors: HTTP 400. boto3 validates some parameters before sending, so such
inputs go through the raw (signed) HTTP client of conftest.py.
"""

import pytest

from conftest import check_protocol_headers, create_table, expect_error, validation

MISSING = "Requested resource not found"


@pytest.fixture
def books(client):
    """The tutorial's key schema: book_id N HASH, title S RANGE."""
    create_table(client, "Books", hash_key=("book_id", "N"), range_key=("title", "S"))
    return "Books"


@pytest.fixture
def table(client):
    create_table(client, "tbl")
    return "tbl"


# --------------------------------------------------------------------------------------------------
# Missing and duplicate tables.


def test_item_operations_on_missing_table(client):
    key = {"pk": {"S": "a"}}
    expect_error(client.get_item, "ResourceNotFoundException", MISSING, TableName="nosuch", Key=key)
    expect_error(client.put_item, "ResourceNotFoundException", MISSING, TableName="nosuch",
                 Item=key)
    expect_error(client.update_item, "ResourceNotFoundException", MISSING, TableName="nosuch",
                 Key=key, UpdateExpression="SET a = :v",
                 ExpressionAttributeValues={":v": {"S": "x"}})
    expect_error(client.delete_item, "ResourceNotFoundException", MISSING, TableName="nosuch",
                 Key=key)
    expect_error(client.query, "ResourceNotFoundException", MISSING, TableName="nosuch",
                 KeyConditionExpression="pk = :v", ExpressionAttributeValues={":v": {"S": "a"}})
    expect_error(client.scan, "ResourceNotFoundException", MISSING, TableName="nosuch")


def test_describe_and_delete_missing_table(client):
    expect_error(client.describe_table, "ResourceNotFoundException",
                 "Requested resource not found: Table: nosuch not found", TableName="nosuch")
    expect_error(client.delete_table, "ResourceNotFoundException",
                 "Requested resource not found: Table: nosuch not found", TableName="nosuch")


def test_create_existing_table(client, table):
    expect_error(client.create_table, "ResourceInUseException", "Table already exists: tbl",
                 TableName="tbl",
                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")


def test_deleted_table_is_missing(client, table):
    client.delete_table(TableName=table)
    expect_error(client.describe_table, "ResourceNotFoundException",
                 "Requested resource not found: Table: tbl not found", TableName=table)
    expect_error(client.get_item, "ResourceNotFoundException", MISSING, TableName=table,
                 Key={"pk": {"S": "a"}})


# --------------------------------------------------------------------------------------------------
# Keys.


def test_put_item_key_type_mismatch(client, books):
    validation(client.put_item,
               "One or more parameter values were invalid: Type mismatch for key book_id "
               "expected: N actual: S",
               TableName=books, Item={"book_id": {"S": "1000"}, "title": {"S": "Atomic habits"}})


def test_put_item_missing_key(client, books):
    validation(client.put_item,
               "One or more parameter values were invalid: Missing the key title in the item",
               TableName=books, Item={"book_id": {"N": "1000"}, "author": {"S": "James Clear"}})


def test_get_item_key_does_not_match_schema(client, books):
    message = "The provided key element does not match the schema"
    # Wrong type.
    validation(client.get_item, message, TableName=books,
               Key={"book_id": {"S": "1000"}, "title": {"S": "Atomic habits"}})
    # Partial key.
    validation(client.get_item, message, TableName=books, Key={"book_id": {"N": "1000"}})
    # Wrong attribute name.
    validation(client.get_item, message, TableName=books,
               Key={"book_id": {"N": "1000"}, "name": {"S": "Atomic habits"}})
    # An extra attribute.
    validation(client.get_item, message, TableName=books,
               Key={"book_id": {"N": "1000"}, "title": {"S": "Atomic habits"},
                    "author": {"S": "James Clear"}})
    # The same rule for DeleteItem.
    validation(client.delete_item, message, TableName=books, Key={"book_id": {"N": "1000"}})


def test_put_item_empty_string_key(client, books):
    validation(client.put_item,
               "One or more parameter values are not valid. The AttributeValue for a key "
               "attribute cannot contain an empty string value. Key: title",
               TableName=books, Item={"book_id": {"N": "1"}, "title": {"S": ""}})


def test_get_item_empty_string_key(client, books):
    # Since empty strings became legal (2020) DynamoDB words this as PutItem does, for every
    # operation that takes a key (reported by users for GetItem and Query alike).
    validation(client.get_item,
               "One or more parameter values are not valid. The AttributeValue for a key "
               "attribute cannot contain an empty string value. Key: title",
               TableName=books, Key={"book_id": {"N": "1"}, "title": {"S": ""}})


# --------------------------------------------------------------------------------------------------
# Values: size, numbers, sets, nesting.


def test_item_size_limit(client, table):
    # 400 KB = 409,600 bytes, counting attribute names and values (UTF-8 bytes).
    client.put_item(TableName=table, Item={"pk": {"S": "ok"}, "b": {"S": "x" * (409600 - 1024)}})
    assert len(client.get_item(TableName=table, Key={"pk": {"S": "ok"}})["Item"]["b"]["S"]) == (
        409600 - 1024)
    validation(client.put_item, "Item size has exceeded the maximum allowed size",
               TableName=table, Item={"pk": {"S": "big"}, "b": {"S": "x" * 409600}})
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "big"}})


@pytest.mark.parametrize("number,message", [
    ("1234567890123456789012345678901234567890"[:39],
     "Attempting to store more than 38 significant digits in a Number"),
    ("1E+126",
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1E+126",
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1E-131",
     "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    # NOT SURE DynamoDB sends this verbatim for every non-number; dynalite answers
    # "The parameter cannot be converted to a numeric value: abc".
    ("abc", "A value provided cannot be converted into a number"),
])
def test_bad_numbers(client, table, number, message):
    validation(client.put_item, message, TableName=table,
               Item={"pk": {"S": "n"}, "v": {"N": number}})
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "n"}})


def test_number_limits_accepted(client, table):
    largest = "9.9999999999999999999999999999999999999E+125"  # 38 nines
    for i, number in enumerate([largest, "-" + largest, "1E-130", "-1E-130",
                                "12345678901234567890123456789012345678"]):
        client.put_item(TableName=table, Item={"pk": {"S": f"n{i}"}, "v": {"N": number}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "n4"}})["Item"]["v"]
    assert got == {"N": "12345678901234567890123456789012345678"}


def test_empty_sets(client, table):
    validation(client.put_item,
               "One or more parameter values were invalid: An string set  may not be empty",
               TableName=table, Item={"pk": {"S": "a"}, "s": {"SS": []}})
    # Same wording for numbers (dynalite agrees); the two spaces are DynamoDB's.
    validation(client.put_item,
               "One or more parameter values were invalid: An number set  may not be empty",
               TableName=table, Item={"pk": {"S": "a"}, "s": {"NS": []}})


def test_duplicate_set_members(client, table):
    validation(client.put_item,
               "One or more parameter values were invalid: Input collection [a, a] contains "
               "duplicates.",
               TableName=table, Item={"pk": {"S": "a"}, "s": {"SS": ["a", "a"]}})


def nested_map(depth):
    value = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"a": value}}
    return value


def test_nesting_limit(client, table):
    # DynamoDB documents 32 levels of nesting. The exact boundary is not pinned here (how the
    # levels are counted is not documented): 30 nested maps pass, 40 fail.
    client.put_item(TableName=table, Item={"pk": {"S": "ok"}, "d": nested_map(30)})
    assert client.get_item(TableName=table, Key={"pk": {"S": "ok"}})["Item"]["d"] == nested_map(30)
    validation(client.put_item, "Nesting Levels have exceeded supported limits",
               TableName=table, Item={"pk": {"S": "deep"}, "d": nested_map(40)})


# --------------------------------------------------------------------------------------------------
# CreateTable validation.


def test_create_table_key_not_in_attribute_definitions(client):
    # NOT SURE DynamoDB sends this verbatim: taken from dynalite.
    validation(client.create_table,
               "One or more parameter values were invalid: Some index key attributes are not "
               "defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]",
               TableName="tbl",
               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
               BillingMode="PAY_PER_REQUEST")
    assert client.list_tables()["TableNames"] == []


def test_create_table_unused_attribute_definition(client):
    validation(client.create_table,
               "One or more parameter values were invalid: Number of attributes in KeySchema does "
               "not exactly match number of attributes defined in AttributeDefinitions",
               TableName="tbl",
               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                     {"AttributeName": "extra", "AttributeType": "N"}],
               BillingMode="PAY_PER_REQUEST")
    assert client.list_tables()["TableNames"] == []


def test_create_table_name_too_short(raw):
    # boto3 refuses a 2-character name client-side, so this goes raw.
    r = raw.request("CreateTable", {
        "TableName": "ab",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    assert r.status == 400
    assert r.error_type == "ValidationException"
    assert r.message == ("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                         "constraint: Member must have length greater than or equal to 3")
    check_protocol_headers(r)


def test_create_table_on_demand_with_throughput(client):
    # NOT SURE DynamoDB sends this verbatim: taken from dynalite.
    validation(client.create_table,
               "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
               "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
               TableName="tbl",
               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
               BillingMode="PAY_PER_REQUEST",
               ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})


def test_create_table_provisioned_without_throughput(client):
    # NOT SURE DynamoDB sends this verbatim: taken from dynalite.
    validation(client.create_table,
               "One or more parameter values were invalid: ReadCapacityUnits and "
               "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
               TableName="tbl",
               KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
               BillingMode="PROVISIONED")


def test_delete_table_with_deletion_protection(client, raw):
    # botocore 1.29 does not know DeletionProtectionEnabled (2023): create and update go raw.
    r = raw.request("CreateTable", {
        "TableName": "protected",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "DeletionProtectionEnabled": True,
    })
    assert r.status == 200, r
    assert r.json["TableDescription"]["DeletionProtectionEnabled"] is True
    validation(client.delete_table,
               "Resource cannot be deleted as it is currently protected against deletion. "
               "Disable deletion protection first.",
               TableName="protected")
    assert client.describe_table(TableName="protected")["Table"]["TableStatus"] == "ACTIVE"

    r = raw.request("UpdateTable", {"TableName": "protected", "DeletionProtectionEnabled": False})
    assert r.status == 200, r
    assert r.json["TableDescription"]["DeletionProtectionEnabled"] is False
    client.get_waiter("table_exists").wait(TableName="protected")
    r = raw.request("DeleteTable", {"TableName": "protected"})
    assert r.status == 200, r
    # A deleted table's description still says whether it was protected (test_tables.py).
    assert r.json["TableDescription"]["DeletionProtectionEnabled"] is False
    assert client.list_tables()["TableNames"] == []


# --------------------------------------------------------------------------------------------------
# Protocol errors and headers, over one keep-alive connection.


def assert_good_request_on(raw, conn):
    sock = conn.sock
    assert sock is not None, "the server closed the connection after the error"
    r = raw.request("ListTables", {}, conn=conn)
    assert r.status == 200, r
    assert r.json == {"TableNames": []}
    assert conn.sock is sock, "the connection was not kept alive"
    check_protocol_headers(r)


def test_malformed_json(raw):
    conn = raw.connection()
    try:
        for body in ['{"TableName": ', "not json", '{"TableName": "tbl",}']:
            r = raw.request("DescribeTable", body, conn=conn)
            assert r.status == 400, r
            assert r.json["__type"].endswith("#SerializationException"), r
            check_protocol_headers(r)
            assert_good_request_on(raw, conn)
    finally:
        conn.close()


@pytest.mark.parametrize("body,message", [
    (b"", "No content to map due to end-of-input"),
    (b'{"TableName": ', "Malformed JSON in the request body"),
    (b'{"TableName": "tbl",}', "Malformed JSON in the request body"),
    (b'{"TableName": "\xff\xfe"}', "Invalid UTF-8 in the request body"),
    (b'{"TableName": "\\ud800"}', "Invalid JSON string in the request body: a bad escape, a lone "
     "surrogate or an unescaped control character"),
    (b'{"TableName": "a\x01b"}', "Invalid JSON string in the request body: a bad escape, a lone "
     "surrogate or an unescaped control character"),
    (b'{"TableName": "tbl", "Limit": 99999999999999999999}',
     "Invalid JSON number in the request body: malformed or out of range"),
])
def test_malformed_body_has_a_message(raw, body, message):
    # DynamoDB's texts for these come from its Java JSON parser; Cairn's say the same in plain
    # words, in the "Message" member DynamoDB uses for SerializationException. Nothing is written.
    r = raw.request("DescribeTable", body)
    assert r.status == 400, r
    assert r.json == {"__type": "com.amazon.coral.service#SerializationException",
                      "Message": message}


def test_unknown_operation(raw):
    conn = raw.connection()
    try:
        r = raw.request(None, {}, conn=conn, target="DynamoDB_20120810.Foo")
        assert r.status == 400, r
        assert r.json["__type"].endswith("#UnknownOperationException"), r
        check_protocol_headers(r)
        assert_good_request_on(raw, conn)
        # A known operation of another API version is unknown too.
        r = raw.request(None, {}, conn=conn, target="DynamoDB_20990101.ListTables")
        assert r.status == 400, r
        assert r.json["__type"].endswith("#UnknownOperationException"), r
        assert_good_request_on(raw, conn)
    finally:
        conn.close()


def test_missing_target(raw):
    # NOT SURE of DynamoDB's exact answer; dynalite (modelled on DynamoDB) answers 400
    # com.amazon.coral.service#UnknownOperationException, as for an unknown target.
    conn = raw.connection()
    try:
        r = raw.request(None, {}, conn=conn)
        assert r.status == 400, r
        assert r.json["__type"].endswith("#UnknownOperationException"), r
        check_protocol_headers(r)
        assert_good_request_on(raw, conn)
    finally:
        conn.close()


def test_headers_on_success_and_error(raw, client, table):
    conn = raw.connection()  # one keep-alive connection for all: errors do not close it
    try:
        r = raw.request("ListTables", {}, conn=conn)
        sock = conn.sock
        assert r.status == 200
        assert r.json == {"TableNames": ["tbl"]}
        check_protocol_headers(r)

        item = {"pk": {"S": "a"}, "v": {"S": "é"}}
        r = raw.request("PutItem", {"TableName": "tbl", "Item": item}, conn=conn)
        assert r.status == 200
        assert r.body == b"{}"
        assert r.headers["x-amz-crc32"] == "2745614147"
        check_protocol_headers(r)

        r = raw.request("GetItem", {"TableName": "tbl", "Key": {"pk": {"S": "a"}}}, conn=conn)
        assert r.status == 200
        assert r.json == {"Item": {"pk": {"S": "a"}, "v": {"S": "é"}}}
        check_protocol_headers(r)

        r = raw.request("DescribeTable", {"TableName": "nosuch"}, conn=conn)
        assert r.status == 400
        assert r.error_type == "ResourceNotFoundException"
        assert r.message == "Requested resource not found: Table: nosuch not found"
        check_protocol_headers(r)

        r = raw.request("PutItem", {"TableName": "tbl", "Item": {"pk": {"N": "1"}}}, conn=conn)
        assert r.status == 400
        assert r.error_type == "ValidationException"
        assert r.message == ("One or more parameter values were invalid: Type mismatch for key pk "
                             "expected: S actual: N")
        check_protocol_headers(r)

        # Request ids are unique.
        ids = {raw.request("ListTables", {}, conn=conn).headers["x-amzn-requestid"]
               for _ in range(5)}
        assert len(ids) == 5
        assert conn.sock is sock, "the connection was not kept alive"
    finally:
        conn.close()
