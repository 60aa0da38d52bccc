"""Item limits: key sizes, nesting built by UpdateItem, and updates that create nothing.

DynamoDB behaviour checked here:
- A partition key value (S or B) is at most 2048 bytes and a sort key value at most 1024 bytes,
  counted in bytes (UTF-8 for S), not characters; N key values have no such limit. A longer key is
  a ValidationException wherever an item or a key enters: PutItem, the Key of GetItem, DeleteItem
  and UpdateItem, BatchWriteItem (PutRequest and DeleteRequest), BatchGetItem, TransactWriteItems
  (Put, Update, Delete, ConditionCheck), TransactGetItems, and ExclusiveStartKey ("The provided
  starting key is invalid: " before the message). The messages:
    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size
     limit of2048 bytes"  (DynamoDB's text lacks the space)
    "One or more parameter values were invalid: Aggregated size of all range keys has exceeded
     the size limit of 1024 bytes"
  These texts are dynalite's (bench/node_modules/dynalite/db/index.js, checkKeySize), an
  emulator that copies DynamoDB's; NOT VERIFIED against DynamoDB itself. DynamoDB's texts for a
  secondary index's key attribute are not known here: the table's texts are expected for those.
- The same limits hold for a GSI or LSI key attribute of an item: PutItem of an item whose index
  key attribute is too long is rejected, and so is an UpdateItem whose result has one.
- Attribute names: none empty, for PutItem, BatchWriteItem, TransactWriteItems and the result of
  UpdateItem; an empty name in ExpressionAttributeNames is refused. NOT VERIFIED: the texts are
  not found in this repository or its references (EMPTY_NAME, EMPTY_EXPRESSION_NAME). Names of
  65535 bytes pass; a longer one breaks the service model's map-key constraint (AttributeUpdates).
- TransactWriteItems: the items of one transaction are at most 4 MB together, Puts as given and
  Updates as they would leave their items ("Transaction request cannot be larger than 4 MB"; NOT
  VERIFIED against DynamoDB, no source in the repository).
- Nothing is written when a request is rejected.
- An UpdateItem may not build what PutItem refuses: a SET whose result nests maps deeper than 32
  levels is "Nesting Levels have exceeded supported limits" (PutItem's message); 32 levels pass.
- UpdateItem whose actions only REMOVE or DELETE, on an item that does not exist, creates
  nothing, and ReturnValues ALL_NEW then returns no Attributes; the same for the legacy
  AttributeUpdates DELETE and for a TransactWriteItems Update. An UpdateItem without any update
  does create the item from its key.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import all_pages, create_table, validation

HASH_TOO_LONG = ("One or more parameter values were invalid: Size of hashkey has exceeded the "
                 "maximum size limit of2048 bytes")
RANGE_TOO_LONG = ("One or more parameter values were invalid: Aggregated size of all range keys "
                  "has exceeded the size limit of 1024 bytes")
START_INVALID = "The provided starting key is invalid: "
# NOT VERIFIED against DynamoDB (no source in the repository): the two texts below.
EMPTY_NAME = "One or more parameter values were invalid: An attribute name cannot be empty"
EMPTY_EXPRESSION_NAME = ("ExpressionAttributeNames contains invalid value: Empty attribute name "
                         "for key #n")


@pytest.fixture
def table(client):
    create_table(client, "limits", range_key=("sk", "S"))
    return "limits"


@pytest.fixture
def btable(client):
    create_table(client, "blimits", hash_key=("pk", "B"), range_key=("sk", "B"))
    return "blimits"


def key(pk, sk="s"):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def count(client, table):
    return sum(page["Count"] for page in all_pages(client.scan, TableName=table, Select="COUNT",
                                                   ConsistentRead=True))


# --------------------------------------------------------------------------------------------------
# Table key sizes.


def test_put_item_key_sizes_at_the_edge(client, table):
    client.put_item(TableName=table, Item=key("p" * 2048, "s" * 1024))
    # Bytes, not characters: "é" is 2 bytes in UTF-8.
    client.put_item(TableName=table, Item=key("é" * 1024, "é" * 512))
    assert count(client, table) == 2
    validation(client.put_item, HASH_TOO_LONG, TableName=table, Item=key("p" * 2049))
    validation(client.put_item, HASH_TOO_LONG, TableName=table, Item=key("é" * 1025))
    validation(client.put_item, RANGE_TOO_LONG, TableName=table, Item=key("p", "s" * 1025))
    validation(client.put_item, RANGE_TOO_LONG, TableName=table, Item=key("p", "é" * 513))
    validation(client.put_item, HASH_TOO_LONG, TableName=table, Item=key("p" * 10000))
    assert count(client, table) == 2


def test_binary_key_sizes(client, btable):
    ok = {"pk": {"B": b"x" * 2048}, "sk": {"B": b"y" * 1024}}
    client.put_item(TableName=btable, Item=ok)
    assert client.get_item(TableName=btable, Key=ok)["Item"] == ok
    validation(client.put_item, HASH_TOO_LONG, TableName=btable,
               Item={"pk": {"B": b"x" * 2049}, "sk": {"B": b"y"}})
    validation(client.put_item, RANGE_TOO_LONG, TableName=btable,
               Item={"pk": {"B": b"x"}, "sk": {"B": b"y" * 1025}})
    validation(client.get_item, HASH_TOO_LONG, TableName=btable,
               Key={"pk": {"B": b"x" * 2049}, "sk": {"B": b"y"}})


def test_number_keys_have_no_byte_limit(client):
    create_table(client, "nlimits", hash_key=("pk", "N"))
    client.put_item(TableName="nlimits", Item={"pk": {"N": "9" * 38}})
    assert count(client, "nlimits") == 1


def test_keys_of_get_delete_update(client, table):
    for call, extra in ((client.get_item, {}), (client.delete_item, {}),
                        (client.update_item, {"UpdateExpression": "SET a = :a",
                                              "ExpressionAttributeValues": {":a": {"S": "x"}}})):
        validation(call, HASH_TOO_LONG, TableName=table, Key=key("p" * 2049), **extra)
        validation(call, RANGE_TOO_LONG, TableName=table, Key=key("p", "s" * 1025), **extra)
    client.get_item(TableName=table, Key=key("p" * 2048, "s" * 1024))
    client.delete_item(TableName=table, Key=key("p" * 2048, "s" * 1024))
    client.update_item(TableName=table, Key=key("p" * 2048, "s" * 1024),
                       UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": {"S": "x"}})
    assert count(client, table) == 1


def test_batch_write_item(client, table):
    for bad, message in ((key("p" * 2049), HASH_TOO_LONG), (key("p", "s" * 1025), RANGE_TOO_LONG)):
        validation(client.batch_write_item, message, RequestItems={table: [
            {"PutRequest": {"Item": key("fine")}}, {"PutRequest": {"Item": bad}}]})
        validation(client.batch_write_item, message, RequestItems={table: [
            {"PutRequest": {"Item": key("fine")}}, {"DeleteRequest": {"Key": bad}}]})
    assert count(client, table) == 0
    client.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": key("p" * 2048, "s" * 1024)}}]})
    assert count(client, table) == 1


def test_batch_get_item(client, table):
    validation(client.batch_get_item, HASH_TOO_LONG,
               RequestItems={table: {"Keys": [key("fine"), key("p" * 2049)]}})
    validation(client.batch_get_item, RANGE_TOO_LONG,
               RequestItems={table: {"Keys": [key("p", "s" * 1025)]}})
    resp = client.batch_get_item(RequestItems={table: {"Keys": [key("p" * 2048, "s" * 1024)]}})
    assert resp["Responses"][table] == []


def test_transact_write_items(client, table):
    update = {"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}}
    for bad, message in ((key("p" * 2049), HASH_TOO_LONG), (key("p", "s" * 1025), RANGE_TOO_LONG)):
        for action in ({"Put": {"TableName": table, "Item": bad}},
                       {"Update": {"TableName": table, "Key": bad, **update}},
                       {"Delete": {"TableName": table, "Key": bad}},
                       {"ConditionCheck": {"TableName": table, "Key": bad,
                                           "ConditionExpression": "attribute_exists(pk)"}}):
            validation(client.transact_write_items, message, TransactItems=[
                {"Put": {"TableName": table, "Item": key("fine")}}, action])
    assert count(client, table) == 0
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": key("p" * 2048, "s" * 1024)}},
        {"Update": {"TableName": table, "Key": key("q" * 2048, "s" * 1024), **update}}])
    assert count(client, table) == 2


def test_transact_write_items_4_mb(client, table):
    big = "x" * (390 * 1024)
    puts = [{"Put": {"TableName": table, "Item": {**key(f"p{k}"), "v": {"S": big}}}}
            for k in range(11)]  # 11 * 390 KB > 4 MB
    validation(client.transact_write_items, "Transaction request cannot be larger than 4 MB",
               TransactItems=puts)
    assert count(client, table) == 0
    client.transact_write_items(TransactItems=puts[:10])  # 3.9 MB
    assert count(client, table) == 10


def test_transact_write_items_4_mb_counts_what_updates_make(client, table):
    # "The aggregate size of the items in the transaction cannot exceed 4 MB": the items as the
    # transaction leaves them. Small updates of 11 items of 390 KB make 4.3 MB of items, though
    # the request itself is small; nothing is written.
    big = "x" * (390 * 1024)
    for k in range(11):
        client.put_item(TableName=table, Item={**key(f"u{k}"), "v": {"S": big}})
    updates = [{"Update": {"TableName": table, "Key": key(f"u{k}"),
                           "UpdateExpression": "SET n = :n",
                           "ExpressionAttributeValues": {":n": {"N": "1"}}}} for k in range(11)]
    validation(client.transact_write_items, "Transaction request cannot be larger than 4 MB",
               TransactItems=updates)
    assert all("n" not in client.get_item(TableName=table, Key=key(f"u{k}"))["Item"]
               for k in range(11))
    client.transact_write_items(TransactItems=updates[:10])  # 3.9 MB
    assert sum("n" in client.get_item(TableName=table, Key=key(f"u{k}"))["Item"]
               for k in range(11)) == 10


def test_transact_get_items(client, table):
    validation(client.transact_get_items, HASH_TOO_LONG,
               TransactItems=[{"Get": {"TableName": table, "Key": key("p" * 2049)}}])
    validation(client.transact_get_items, RANGE_TOO_LONG,
               TransactItems=[{"Get": {"TableName": table, "Key": key("p", "s" * 1025)}}])


def test_exclusive_start_key(client, table):
    client.query(TableName=table, KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues={":p": {"S": "p" * 2048}},
                 ExclusiveStartKey=key("p" * 2048, "s" * 1024))
    validation(client.scan, START_INVALID + HASH_TOO_LONG, TableName=table,
               ExclusiveStartKey=key("p" * 2049))
    validation(client.scan, START_INVALID + RANGE_TOO_LONG, TableName=table,
               ExclusiveStartKey=key("p", "s" * 1025))


def test_key_attribute_names_up_to_255_bytes(client):
    name = "k" * 255
    create_table(client, "longnames", hash_key=(name, "S"))
    client.put_item(TableName="longnames", Item={name: {"S": "v"}})
    assert client.get_item(TableName="longnames", Key={name: {"S": "v"}})["Item"] == {
        name: {"S": "v"}}


def test_attribute_names(client, table):
    client.put_item(TableName=table, Item={**key("p"), "n" * 65535: {"S": "v"}})
    client.update_item(TableName=table, Key=key("p"),
                       AttributeUpdates={"m" * 65535: {"Action": "PUT", "Value": {"S": "v"}}})
    validation(client.put_item, EMPTY_NAME, TableName=table, Item={**key("q"), "": {"S": "v"}})
    validation(client.batch_write_item, EMPTY_NAME, RequestItems={table: [
        {"PutRequest": {"Item": {**key("q"), "": {"S": "v"}}}}]})
    validation(client.transact_write_items, EMPTY_NAME, TransactItems=[
        {"Put": {"TableName": table, "Item": {**key("q"), "": {"S": "v"}}}}])
    validation(client.update_item, EMPTY_NAME, TableName=table, Key=key("q"),
               AttributeUpdates={"": {"Action": "PUT", "Value": {"S": "v"}}})
    # A name over 65535 bytes breaks the service model's constraint on the map's keys (the
    # rendering of the value in the message is the protocol layer's, not pinned here).
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=key("q"),
                           AttributeUpdates={"n" * 65536: {"Action": "PUT", "Value": {"S": "v"}}})
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith("1 validation error detected: Value '")
    assert err["Message"].endswith(
        "' at 'attributeUpdates' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 65535]")
    validation(client.update_item, EMPTY_EXPRESSION_NAME, TableName=table, Key=key("q"),
               UpdateExpression="SET #n = :v", ExpressionAttributeNames={"#n": ""},
               ExpressionAttributeValues={":v": {"S": "v"}})
    assert count(client, table) == 1


# --------------------------------------------------------------------------------------------------
# Index key sizes.


@pytest.fixture
def itable(client):
    client.create_table(
        TableName="ilimits",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    return "ilimits"


def test_index_key_sizes_on_put(client, itable):
    client.put_item(TableName=itable, Item={**key("a"), "g": {"S": "g" * 2048},
                                            "l": {"S": "l" * 1024}})
    validation(client.put_item, HASH_TOO_LONG, TableName=itable,
               Item={**key("b"), "g": {"S": "g" * 2049}})
    validation(client.put_item, RANGE_TOO_LONG, TableName=itable,
               Item={**key("b"), "l": {"S": "l" * 1025}})
    validation(client.batch_write_item, HASH_TOO_LONG, RequestItems={itable: [
        {"PutRequest": {"Item": {**key("b"), "g": {"S": "g" * 2049}}}}]})
    validation(client.transact_write_items, RANGE_TOO_LONG, TransactItems=[
        {"Put": {"TableName": itable, "Item": {**key("b"), "l": {"S": "l" * 1025}}}}])
    assert count(client, itable) == 1


def test_index_key_sizes_on_update(client, itable):
    client.put_item(TableName=itable, Item=key("a"))
    validation(client.update_item, HASH_TOO_LONG, TableName=itable, Key=key("a"),
               UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": {"S": "g" * 2049}})
    validation(client.update_item, RANGE_TOO_LONG, TableName=itable, Key=key("a"),
               UpdateExpression="SET l = :l", ExpressionAttributeValues={":l": {"S": "l" * 1025}})
    assert client.get_item(TableName=itable, Key=key("a"))["Item"] == key("a")
    client.update_item(TableName=itable, Key=key("a"), UpdateExpression="SET g = :g, l = :l",
                       ExpressionAttributeValues={":g": {"S": "g" * 2048},
                                                  ":l": {"S": "l" * 1024}})
    assert client.get_item(TableName=itable, Key=key("a"))["Item"]["l"] == {"S": "l" * 1024}


# --------------------------------------------------------------------------------------------------
# Nesting built by UpdateItem.


def nested_map(depth):
    value = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"a": value}}
    return value


def test_update_may_not_nest_deeper_than_put_allows(client, table):
    # PutItem's edge: 32 nested maps pass, 33 fail.
    client.put_item(TableName=table, Item={**key("p"), "d": nested_map(32)})
    validation(client.put_item, "Nesting Levels have exceeded supported limits",
               TableName=table, Item={**key("q"), "d": nested_map(33)})
    client.put_item(TableName=table, Item={**key("u"), "d": nested_map(1)})
    # SET d.b = 31 levels: d has 32 levels.
    client.update_item(TableName=table, Key=key("u"), UpdateExpression="SET d.b = :v",
                       ExpressionAttributeValues={":v": nested_map(31)})
    item = client.get_item(TableName=table, Key=key("u"))["Item"]
    assert item["d"]["M"]["b"] == nested_map(31)
    client.put_item(TableName=table, Item=item)  # what UpdateItem built, PutItem accepts
    # SET d.c = 32 levels: d would have 33.
    validation(client.update_item, "Nesting Levels have exceeded supported limits",
               TableName=table, Key=key("u"), UpdateExpression="SET d.c = :v",
               ExpressionAttributeValues={":v": nested_map(32)})
    assert client.get_item(TableName=table, Key=key("u"))["Item"] == item
    # The same in a transaction: the action is cancelled, nothing written.
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": key("u"), "UpdateExpression": "SET d.c = :v",
            "ExpressionAttributeValues": {":v": nested_map(32)}}}])
    assert client.get_item(TableName=table, Key=key("u"))["Item"] == item


# --------------------------------------------------------------------------------------------------
# Updates that create nothing.


def test_remove_on_absent_item_creates_nothing(client, table):
    resp = client.update_item(TableName=table, Key=key("p"), UpdateExpression="REMOVE a",
                              ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    client.update_item(TableName=table, Key=key("p"), UpdateExpression="DELETE s :v",
                       ExpressionAttributeValues={":v": {"SS": ["x"]}})
    client.update_item(TableName=table, Key=key("p"),
                       AttributeUpdates={"s": {"Action": "DELETE"}})
    resp = client.update_item(TableName=table, Key=key("p"),
                              AttributeUpdates={"s": {"Action": "DELETE", "Value": {"SS": ["x"]}}},
                              ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    client.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": key("p"), "UpdateExpression": "REMOVE a"}}])
    assert count(client, table) == 0


def test_update_without_actions_creates_the_item(client, table):
    resp = client.update_item(TableName=table, Key=key("p"), ReturnValues="ALL_NEW")
    assert resp["Attributes"] == key("p")
    # REMOVE on an existing item keeps it, even when only the key is left.
    client.put_item(TableName=table, Item={**key("q"), "a": {"S": "x"}})
    resp = client.update_item(TableName=table, Key=key("q"), UpdateExpression="REMOVE a",
                              ReturnValues="ALL_NEW")
    assert resp["Attributes"] == key("q")
    assert count(client, table) == 2
