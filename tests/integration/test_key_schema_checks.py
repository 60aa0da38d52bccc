"""CreateTable and UpdateTable: the checks of AttributeDefinitions and key schemas, their messages
and their order.

DynamoDB behaviour checked. Source: the texts and the order are those of dynalite
(bench/node_modules/dynalite/validations/createTable.js), an emulator whose validations were
written against DynamoDB's answers, except where a case says NOT VERIFIED:
- an attribute defined twice in AttributeDefinitions, with the same type or another: "Cannot have
  two attributes with the same name" (NOT VERIFIED against DynamoDB; dynalite has no such check),
  at CreateTable and in UpdateTable's AttributeDefinitions alike; checked before the billing mode;
- the table's KeySchema, after the billing-mode checks: more keys than definitions ("Invalid
  KeySchema: Some index key attribute have no definition", DynamoDB's grammar), a key attribute
  not defined (all keys and all definitions listed), one attribute as both HASH and RANGE ("Both
  the Hash Key and the Range Key element in the KeySchema have the same name"), then the first
  element not HASH, then the second not RANGE; each check before the next, so a request with
  several faults gets the first one's message;
- each index's KeySchema the same way (undefined attributes, the same attribute twice in a
  two-element schema, first not HASH, an LSI's second element not RANGE), before the LSI rules;
- multi-attribute GSI keys (up to 4 HASH then up to 4 RANGE elements): a HASH element after a RANGE
  one, or an attribute named twice among more than two elements, is refused. NOT VERIFIED: these
  two texts are Cairn's ("Invalid KeySchema: The HASH key elements of an index must come before its
  RANGE key elements", "Invalid KeySchema: Some index key attributes are specified more than once
  for index: <name>"); DynamoDB's are not known here;
- a definition no key uses: without indexes "Number of attributes in KeySchema does not exactly
  match number of attributes defined in AttributeDefinitions" (dynalite's);
- UpdateTable with nothing to change is a ValidationException (pinned with its text in
  test_table_settings.py::test_update_table_with_nothing_to_change).
Nothing is created by a refused request.
"""

import pytest

from conftest import create_table, validation

INVALID = "One or more parameter values were invalid: "
SAME_NAME = "Both the Hash Key and the Range Key element in the KeySchema have the same name"
FIRST_NOT_HASH = "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
SECOND_NOT_RANGE = "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
TWO_ATTRIBUTES = "Cannot have two attributes with the same name"


def defs(*pairs):
    return [{"AttributeName": a, "AttributeType": t} for a, t in pairs]


def keys(*pairs):
    return [{"AttributeName": a, "KeyType": t} for a, t in pairs]


def index(name, *pairs):
    return {"IndexName": name, "KeySchema": keys(*pairs), "Projection": {"ProjectionType": "ALL"}}


def refused_create(client, message, attribute_definitions, key_schema, **kwargs):
    kwargs.setdefault("BillingMode", "PAY_PER_REQUEST")
    validation(client.create_table, message, TableName="tbl",
               AttributeDefinitions=attribute_definitions, KeySchema=key_schema, **kwargs)
    assert client.list_tables()["TableNames"] == []


# --------------------------------------------------------------------------------------------------
# AttributeDefinitions.


@pytest.mark.parametrize("second_type", ["S", "N"])
def test_attribute_defined_twice(client, second_type):
    refused_create(client, TWO_ATTRIBUTES, defs(("pk", "S"), ("pk", second_type)),
                   keys(("pk", "HASH")))
    refused_create(client, TWO_ATTRIBUTES, defs(("pk", "S"), ("g", "S"), ("g", second_type)),
                   keys(("pk", "HASH")), GlobalSecondaryIndexes=[index("by_g", ("g", "HASH"))])


def test_attribute_defined_twice_before_billing_checks(client):
    # Provisioned without ProvisionedThroughput is also wrong: the definitions are checked first.
    refused_create(client, TWO_ATTRIBUTES, defs(("pk", "S"), ("pk", "S")), keys(("pk", "HASH")),
                   BillingMode="PROVISIONED")


def test_unused_definition_without_indexes(client):
    refused_create(client, INVALID + "Number of attributes in KeySchema does not exactly match "
                   "number of attributes defined in AttributeDefinitions",
                   defs(("pk", "S"), ("x", "S")), keys(("pk", "HASH")))


@pytest.mark.parametrize("second_type", ["S", "N"])
def test_update_table_attribute_defined_twice(client, second_type):
    create_table(client, "tbl")
    validation(client.update_table, TWO_ATTRIBUTES, TableName="tbl",
               AttributeDefinitions=defs(("g", "S"), ("g", second_type)),
               GlobalSecondaryIndexUpdates=[{"Create": {
                   **index("by_g", ("g", "HASH")),
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    assert "GlobalSecondaryIndexes" not in client.describe_table(TableName="tbl")["Table"]


# --------------------------------------------------------------------------------------------------
# The table's KeySchema, in order.


@pytest.mark.parametrize("attribute_definitions,key_schema,message", [
    # More keys than definitions comes first.
    (defs(("pk", "S")), keys(("pk", "HASH"), ("sk", "RANGE")),
     "Invalid KeySchema: Some index key attribute have no definition"),
    (defs(("pk", "S")), keys(("pk", "HASH"), ("pk", "RANGE")),
     "Invalid KeySchema: Some index key attribute have no definition"),
    # Then undefined keys: every key and every definition listed.
    (defs(("pk", "S"), ("x", "S")), keys(("pk", "HASH"), ("sk", "RANGE")),
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, sk], "
     "AttributeDefinitions: [pk, x]"),
    # ... even when the key types are wrong too.
    (defs(("pk", "S"), ("x", "S")), keys(("sk", "RANGE"), ("pk", "HASH")),
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [sk, pk], "
     "AttributeDefinitions: [pk, x]"),
    # Then one attribute as both keys, before the key types.
    (defs(("pk", "S"), ("sk", "S")), keys(("pk", "HASH"), ("pk", "RANGE")), SAME_NAME),
    (defs(("pk", "S"), ("sk", "S")), keys(("pk", "RANGE"), ("pk", "HASH")), SAME_NAME),
    (defs(("pk", "S"), ("sk", "S")), keys(("pk", "HASH"), ("pk", "HASH")), SAME_NAME),
    # Then the key types.
    (defs(("pk", "S"), ("sk", "S")), keys(("pk", "RANGE"), ("sk", "HASH")), FIRST_NOT_HASH),
    (defs(("pk", "S")), keys(("pk", "RANGE")), FIRST_NOT_HASH),
    (defs(("pk", "S"), ("sk", "S")), keys(("pk", "HASH"), ("sk", "HASH")), SECOND_NOT_RANGE),
])
def test_table_key_schema(client, attribute_definitions, key_schema, message):
    refused_create(client, message, attribute_definitions, key_schema)


# --------------------------------------------------------------------------------------------------
# Index key schemas.

TABLE_DEFS = [("pk", "S"), ("sk", "S")]
TABLE_KEYS = keys(("pk", "HASH"), ("sk", "RANGE"))


@pytest.mark.parametrize("where,index_keys,extra_defs,message", [
    # Undefined attributes: the index's keys, all of them, and every definition.
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("h", "RANGE")], [],
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [g, h], "
     "AttributeDefinitions: [pk, sk]"),
    ("LocalSecondaryIndexes", [("pk", "HASH"), ("l", "RANGE")], [],
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [pk, l], "
     "AttributeDefinitions: [pk, sk]"),
    # One attribute as both elements of a two-element schema, whatever the types.
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("g", "RANGE")], [("g", "S")], SAME_NAME),
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("g", "HASH")], [("g", "S")], SAME_NAME),
    ("LocalSecondaryIndexes", [("pk", "HASH"), ("pk", "RANGE")], [], SAME_NAME),
    # The first element is a HASH one.
    ("GlobalSecondaryIndexes", [("g", "RANGE")], [("g", "S")], FIRST_NOT_HASH),
    ("GlobalSecondaryIndexes", [("g", "RANGE"), ("h", "HASH")], [("g", "S"), ("h", "S")],
     FIRST_NOT_HASH),
    ("LocalSecondaryIndexes", [("l", "RANGE"), ("pk", "HASH")], [("l", "S")], FIRST_NOT_HASH),
    # An LSI's second element is a RANGE one (a GSI may have several HASH elements).
    ("LocalSecondaryIndexes", [("pk", "HASH"), ("l", "HASH")], [("l", "S")], SECOND_NOT_RANGE),
    # Multi-attribute GSI keys: HASH elements first, each attribute once (Cairn's texts).
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("h", "RANGE"), ("i", "HASH")],
     [("g", "S"), ("h", "S"), ("i", "S")],
     "Invalid KeySchema: The HASH key elements of an index must come before its RANGE key "
     "elements"),
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("h", "RANGE"), ("g", "RANGE")],
     [("g", "S"), ("h", "S")],
     "Invalid KeySchema: Some index key attributes are specified more than once for index: idx"),
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("h", "HASH"), ("g", "HASH")],
     [("g", "S"), ("h", "S")],
     "Invalid KeySchema: Some index key attributes are specified more than once for index: idx"),
    ("GlobalSecondaryIndexes", [("g", "HASH"), ("h", "RANGE"), ("h", "RANGE")],
     [("g", "S"), ("h", "S")],
     "Invalid KeySchema: Some index key attributes are specified more than once for index: idx"),
])
def test_index_key_schema(client, where, index_keys, extra_defs, message):
    refused_create(client, message, defs(*TABLE_DEFS, *extra_defs), TABLE_KEYS,
                   **{where: [index("idx", *index_keys)]})


def test_table_schema_is_checked_before_indexes(client):
    # Both the table's and the index's schemas are wrong: the table's message.
    refused_create(client, FIRST_NOT_HASH, defs(("pk", "S"), ("g", "S")), keys(("pk", "RANGE")),
                   GlobalSecondaryIndexes=[index("idx", ("g", "RANGE"))])


def test_key_schema_is_checked_before_the_lsi_rules(client):
    # An LSI with its sort key undefined on a hash-and-range table: the definitions first.
    refused_create(client, INVALID + "Some index key attributes are not defined in "
                   "AttributeDefinitions. Keys: [other, l], AttributeDefinitions: [pk, sk]",
                   defs(*TABLE_DEFS), TABLE_KEYS,
                   LocalSecondaryIndexes=[index("idx", ("other", "HASH"), ("l", "RANGE"))])


@pytest.mark.parametrize("index_keys,extra_defs,message", [
    ([("g", "HASH"), ("g", "RANGE")], [("g", "S")], SAME_NAME),
    ([("g", "RANGE"), ("h", "HASH")], [("g", "S"), ("h", "S")], FIRST_NOT_HASH),
    ([("g", "HASH"), ("h", "RANGE"), ("i", "HASH")], [("g", "S"), ("h", "S"), ("i", "S")],
     "Invalid KeySchema: The HASH key elements of an index must come before its RANGE key "
     "elements"),
    ([("g", "HASH"), ("h", "RANGE"), ("g", "RANGE")], [("g", "S"), ("h", "S")],
     "Invalid KeySchema: Some index key attributes are specified more than once for index: idx"),
    ([("g", "HASH"), ("h", "RANGE")], [("g", "S")],
     INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [g, h], "
     "AttributeDefinitions: [pk, sk, g]"),
])
def test_update_table_index_key_schema(client, index_keys, extra_defs, message):
    create_table(client, "tbl", range_key=("sk", "S"))
    validation(client.update_table, message, TableName="tbl",
               AttributeDefinitions=defs(*extra_defs),
               GlobalSecondaryIndexUpdates=[{"Create": {
                   **index("idx", *index_keys),
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    assert "GlobalSecondaryIndexes" not in client.describe_table(TableName="tbl")["Table"]
