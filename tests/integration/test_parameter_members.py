"""Request members that no other test exercised: each pinned here to what DynamoDB does with it.

test_parameter_coverage.py walks the service models and asks that every member of every
operation Cairn serves is passed by some test; these are the members it found without one that
Cairn already handles.

DynamoDB behaviour checked:
- CreateTable and UpdateTable `TableClass`: STANDARD_INFREQUENT_ACCESS shows in the description as
  TableClassSummary.TableClass (CreateTable's answer and DescribeTable's); a value outside
  [STANDARD, STANDARD_INFREQUENT_ACCESS] is a ValidationException naming 'tableClass'.
- DeleteItem and UpdateItem `ConditionalOperator` with the legacy `Expected`: OR needs one of the
  conditions to hold, AND (the default) all of them; a false condition is
  ConditionalCheckFailedException and changes nothing.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, expect_error

CONDITION_FAILED = ("ConditionalCheckFailedException", "The conditional request failed")
KEY = {"pk": {"S": "k"}}
ITEM = {"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"N": "2"}}
# One condition holds (a = 1), the other does not (b = 9).
ONE_OF_TWO = {"a": {"Value": {"N": "1"}}, "b": {"Value": {"N": "9"}}}


# --------------------------------------------------------------------------------------------------
# TableClass.


def test_create_table_with_table_class(client):
    created = create_table(client, "cold", TableClass="STANDARD_INFREQUENT_ACCESS")
    assert created["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    described = client.describe_table(TableName="cold")["Table"]
    assert described["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


def test_update_table_table_class(client):
    create_table(client, "tbl_t")
    assert client.describe_table(TableName="tbl_t")["Table"].get(
        "TableClassSummary", {"TableClass": "STANDARD"})["TableClass"] == "STANDARD"
    updated = client.update_table(TableName="tbl_t", TableClass="STANDARD_INFREQUENT_ACCESS")
    assert updated["TableDescription"]["TableClassSummary"]["TableClass"] == \
        "STANDARD_INFREQUENT_ACCESS"
    described = client.describe_table(TableName="tbl_t")["Table"]
    assert described["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


@pytest.mark.parametrize("operation", ["CreateTable", "UpdateTable"])
def test_table_class_outside_its_enum(client, operation):
    create_table(client, "tbl_t")
    with pytest.raises(ClientError) as e:
        if operation == "CreateTable":
            create_table(client, "other", TableClass="GLACIER")
        else:
            client.update_table(TableName="tbl_t", TableClass="GLACIER")
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    prefix = ("1 validation error detected: Value 'GLACIER' at 'tableClass' failed to satisfy "
              "constraint: Member must satisfy enum value set: [")
    assert err["Message"].startswith(prefix), err
    assert sorted(err["Message"][len(prefix):-1].split(", ")) == [
        "STANDARD", "STANDARD_INFREQUENT_ACCESS"]


# --------------------------------------------------------------------------------------------------
# ConditionalOperator on DeleteItem and UpdateItem.


@pytest.fixture
def table(client):
    create_table(client, "tbl_t")
    client.put_item(TableName="tbl_t", Item=ITEM)
    return "tbl_t"


def test_delete_item_conditional_operator(client, table):
    for operator in ("AND", None):  # AND is the default
        kwargs = {"ConditionalOperator": operator} if operator else {}
        expect_error(client.delete_item, *CONDITION_FAILED, TableName=table, Key=KEY,
                     Expected=ONE_OF_TWO, **kwargs)
        assert client.get_item(TableName=table, Key=KEY)["Item"] == ITEM
    client.delete_item(TableName=table, Key=KEY, Expected=ONE_OF_TWO, ConditionalOperator="OR")
    assert "Item" not in client.get_item(TableName=table, Key=KEY)


def test_update_item_conditional_operator(client, table):
    update = {"c": {"Value": {"S": "set"}, "Action": "PUT"}}
    for operator in ("AND", None):
        kwargs = {"ConditionalOperator": operator} if operator else {}
        expect_error(client.update_item, *CONDITION_FAILED, TableName=table, Key=KEY,
                     AttributeUpdates=update, Expected=ONE_OF_TWO, **kwargs)
        assert client.get_item(TableName=table, Key=KEY)["Item"] == ITEM
    client.update_item(TableName=table, Key=KEY, AttributeUpdates=update, Expected=ONE_OF_TWO,
                       ConditionalOperator="OR")
    assert client.get_item(TableName=table, Key=KEY)["Item"] == dict(ITEM, c={"S": "set"})
