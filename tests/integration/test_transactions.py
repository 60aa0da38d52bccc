"""Transactions: TransactWriteItems and TransactGetItems.

DynamoDB behaviour checked (API reference of TransactWriteItems, TransactGetItems and
TransactionCanceledException; developer guide "Amazon DynamoDB Transactions"):
- TransactWriteItems runs Put, Update, Delete and ConditionCheck actions, each with its own
  condition and expression attributes, over several tables, all or nothing; its response has no
  ConsumedCapacity unless asked for;
- when any action fails, the whole request fails with TransactionCanceledException, message
  "Transaction cancelled, please refer cancellation reasons for specific reasons [None,
  ConditionalCheckFailed]" (one code per action, in request order) and CancellationReasons in the
  same order: {"Code": "None"} (no message), {"Code": "ConditionalCheckFailed", "Message": "The
  conditional request failed"} (with "Item", the whole old item, when
  ReturnValuesOnConditionCheckFailure=ALL_OLD and the item exists), {"Code": "ValidationError",
  "Message": ...} for an update that fails at run time (ADD to a string, an operand that does not
  exist, a path through a missing map); and then no action is applied, on any table;
- limits: 100 actions are fine, 101 a ValidationException; two actions on one item are a
  ValidationException "Transaction request cannot include multiple operations on one item" (the
  same key in two tables is two items); a missing table is ResourceNotFoundException; a key that
  does not match the schema is a ValidationException with PutItem/UpdateItem's messages; nothing
  is applied in any of these cases;
- TransactGetItems returns one entry per Get in request order, {} for a missing item, honours
  ProjectionExpression, takes up to 100 Gets;
- ClientRequestToken: the same token with the same parameters succeeds again without applying
  again (even after the item changed in between); the same token with other parameters is
  IdempotentParameterMismatchException; a token is 1 to 36 characters;
- ReturnConsumedCapacity TOTAL/INDEXES: one entry per table; transactional writes cost 2 write
  units per KB (of the larger of the old and new item), transactional reads 2 read units per 4 KB
  (an absent item still costs 2);
- a table with a GSI: the index follows every committed transaction and no cancelled one;
- isolation: concurrent transfers between accounts (with conditions) keep the total constant, every
  acknowledged transfer is applied exactly once, a concurrent TransactGetItems never sees half of a
  transfer, and concurrent single-item writes to the same items are not lost.
(The resource API's batch_writer is not transactional, so it is not tested here.)
"""

import random
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, scan_items, load

CANCEL_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons ["
CCF = "The conditional request failed"
MULTIPLE_OPS = "Transaction request cannot include multiple operations on one item"
KB = 1024


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def key(pk):
    return {"pk": S(pk)}


def get(client, table, k):
    """The item at key `k` read consistently, or None."""
    return client.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def cancelled(excinfo, codes):
    """Checks a TransactionCanceledException with these codes; returns its CancellationReasons."""
    err = excinfo.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["Error"]["Message"] == CANCEL_PREFIX + ", ".join(codes) + "]"
    reasons = err["CancellationReasons"]
    assert [r["Code"] for r in reasons] == codes
    for r in reasons:
        if r["Code"] == "None":
            assert r.get("Message") is None and "Item" not in r
        if r["Code"] == "ConditionalCheckFailed":
            assert r["Message"] == CCF
    return reasons


def error(excinfo):
    e = excinfo.value.response["Error"]
    return e["Code"], e["Message"]


def put(table, item, cond=None, **kw):
    a = {"TableName": table, "Item": item, **kw}
    if cond:
        a["ConditionExpression"] = cond
    return {"Put": a}


def update(table, k, expr, cond=None, **kw):
    a = {"TableName": table, "Key": k, "UpdateExpression": expr, **kw}
    if cond:
        a["ConditionExpression"] = cond
    return {"Update": a}


def delete(table, k, cond=None, **kw):
    a = {"TableName": table, "Key": k, **kw}
    if cond:
        a["ConditionExpression"] = cond
    return {"Delete": a}


def check(table, k, cond, **kw):
    return {"ConditionCheck": {"TableName": table, "Key": k, "ConditionExpression": cond, **kw}}


@pytest.fixture
def tables(client):
    """"acc" (pk S) with a (bal 10), b (bal 5), c (status closed); "ord" (pk S, sk N) with (o, 1)."""
    create_table(client, "acc")
    create_table(client, "ord", range_key=("sk", "N"))
    load(client, "acc", [
        {"pk": S("a"), "bal": N(10)},
        {"pk": S("b"), "bal": N(5)},
        {"pk": S("c"), "status": S("closed")},
    ])
    load(client, "ord", [{"pk": S("o"), "sk": N(1), "qty": N(3)}])
    return "acc", "ord"


def snapshot(client, tables):
    return {t: sorted(scan_items(client, t), key=repr) for t in tables}


# --------------------------------------------------------------------------------------------------
# TransactWriteItems: every action type, committed.


def test_all_action_types_commit_over_two_tables(client, tables):
    acc, ord_ = tables
    resp = client.transact_write_items(TransactItems=[
        put(acc, {"pk": S("d"), "bal": N(0)}, "attribute_not_exists(pk)"),
        update(acc, key("a"), "SET bal = bal - :x", "bal >= :x",
               ExpressionAttributeValues={":x": N(4)}),
        delete(acc, key("c"), "#s = :closed", ExpressionAttributeNames={"#s": "status"},
               ExpressionAttributeValues={":closed": S("closed")}),
        check(ord_, {"pk": S("o"), "sk": N(1)}, "qty > :z", ExpressionAttributeValues={":z": N(0)}),
        update(ord_, {"pk": S("o"), "sk": N(2)}, "SET amt = :x, #n = :n",
               ExpressionAttributeNames={"#n": "note"},
               ExpressionAttributeValues={":x": N(4), ":n": S("from a")}),
    ])
    assert set(resp) == {"ResponseMetadata"}
    assert get(client, acc, key("d")) == {"pk": S("d"), "bal": N(0)}
    assert get(client, acc, key("a")) == {"pk": S("a"), "bal": N(6)}
    assert get(client, acc, key("b")) == {"pk": S("b"), "bal": N(5)}
    assert get(client, acc, key("c")) is None
    assert get(client, ord_, {"pk": S("o"), "sk": N(1)}) == {"pk": S("o"), "sk": N(1), "qty": N(3)}
    assert get(client, ord_, {"pk": S("o"), "sk": N(2)}) == {
        "pk": S("o"), "sk": N(2), "amt": N(4), "note": S("from a")}


def test_actions_without_conditions(client, tables):
    acc, _ = tables
    client.transact_write_items(TransactItems=[
        put(acc, {"pk": S("a"), "x": S("replaced")}),          # Put replaces the whole item
        update(acc, key("b"), "REMOVE bal SET y = :y", ExpressionAttributeValues={":y": N(1)}),
        delete(acc, key("c")),
        delete(acc, key("nobody")),                             # deleting nothing is fine
    ])
    assert get(client, acc, key("a")) == {"pk": S("a"), "x": S("replaced")}
    assert get(client, acc, key("b")) == {"pk": S("b"), "y": N(1)}
    assert get(client, acc, key("c")) is None
    assert get(client, acc, key("nobody")) is None


def test_same_key_in_two_tables_is_two_items(client):
    create_table(client, "tb1")
    create_table(client, "tb2")
    client.transact_write_items(TransactItems=[
        put("tb1", {"pk": S("k"), "v": N(1)}),
        put("tb2", {"pk": S("k"), "v": N(2)}),
    ])
    assert get(client, "tb1", key("k")) == {"pk": S("k"), "v": N(1)}
    assert get(client, "tb2", key("k")) == {"pk": S("k"), "v": N(2)}


# --------------------------------------------------------------------------------------------------
# Cancellation.


def test_cancelled_message_and_reasons(client, tables):
    acc, ord_ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("new"), "bal": N(1)}),
            update(acc, key("b"), "SET bal = bal - :x", "bal >= :x",
                   ExpressionAttributeValues={":x": N(6)}),
        ])
    reasons = cancelled(e, ["None", "ConditionalCheckFailed"])
    assert reasons == [{"Code": "None"},
                       {"Code": "ConditionalCheckFailed", "Message": CCF}]
    assert snapshot(client, tables) == before


def test_cancelled_across_two_tables_applies_nothing(client, tables):
    acc, ord_ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("d"), "bal": N(0)}, "attribute_not_exists(pk)"),
            update(acc, key("a"), "SET bal = bal - :x", ExpressionAttributeValues={":x": N(4)}),
            delete(acc, key("c")),
            update(ord_, {"pk": S("o"), "sk": N(2)}, "SET amt = :x",
                   ExpressionAttributeValues={":x": N(4)}),
            delete(ord_, {"pk": S("o"), "sk": N(1)}),
            check(acc, key("b"), "bal > :big", ExpressionAttributeValues={":big": N(100)}),
        ])
    cancelled(e, ["None"] * 5 + ["ConditionalCheckFailed"])
    assert snapshot(client, tables) == before


def test_every_failing_action_is_reported_in_order(client, tables):
    acc, ord_ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("a"), "bal": N(0)}, "attribute_not_exists(pk)"),
            update(acc, key("b"), "SET bal = :x", ExpressionAttributeValues={":x": N(1)}),
            delete(acc, key("c"), "attribute_exists(bal)"),
            check(ord_, {"pk": S("o"), "sk": N(1)}, "attribute_exists(qty)"),
        ])
    cancelled(e, ["ConditionalCheckFailed", "None", "ConditionalCheckFailed", "None"])
    assert snapshot(client, tables) == before


@pytest.mark.parametrize("kind", ["Put", "Update", "Delete", "ConditionCheck"])
def test_cancellation_reason_has_old_item_with_all_old(client, tables, kind):
    acc, _ = tables
    cond = "bal > :big"
    vals = {":big": N(100)}
    action = {
        "Put": put(acc, {"pk": S("a"), "bal": N(1)}, cond, ExpressionAttributeValues=vals),
        "Update": update(acc, key("a"), "SET bal = :big", cond, ExpressionAttributeValues=vals),
        "Delete": delete(acc, key("a"), cond, ExpressionAttributeValues=vals),
        "ConditionCheck": check(acc, key("a"), cond, ExpressionAttributeValues=vals),
    }[kind]
    action[kind]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[put(acc, {"pk": S("z")}), action])
    reasons = cancelled(e, ["None", "ConditionalCheckFailed"])
    assert reasons[1] == {"Code": "ConditionalCheckFailed", "Message": CCF,
                          "Item": {"pk": S("a"), "bal": N(10)}}
    assert get(client, acc, key("a")) == {"pk": S("a"), "bal": N(10)}
    assert get(client, acc, key("z")) is None


def test_cancellation_reason_without_item(client, tables):
    """ALL_OLD on an absent item, NONE, or no ReturnValuesOnConditionCheckFailure: no Item."""
    acc, _ = tables
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            check(acc, key("absent"), "attribute_exists(pk)",
                  ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            check(acc, key("a"), "attribute_not_exists(pk)",
                  ReturnValuesOnConditionCheckFailure="NONE"),
            check(acc, key("b"), "attribute_not_exists(pk)"),
        ])
    reasons = cancelled(e, ["ConditionalCheckFailed"] * 3)
    assert reasons == [{"Code": "ConditionalCheckFailed", "Message": CCF}] * 3


# The run-time errors of an update expression, as UpdateItem reports them.
# NOT SURE: that the reason's Message is exactly UpdateItem's ValidationException message (the API
# reference lists these texts, with a final period, under "Validation Error").
@pytest.mark.parametrize("expr,values,message", [
    ("ADD s :one", {":one": N(1)},
     "An operand in the update expression has an incorrect data type"),
    ("SET bal = missing_attr + :one", {":one": N(1)},
     "The provided expression refers to an attribute that does not exist in the item"),
    ("SET mm.sub1 = :one", {":one": N(1)},
     "The document path provided in the update expression is invalid for update"),
])
def test_validation_error_reason(client, tables, expr, values, message):
    acc, _ = tables
    client.put_item(TableName=acc, Item={"pk": S("s"), "s": S("text"), "bal": N(1)})
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            update(acc, key("a"), "SET bal = bal + :one", ExpressionAttributeValues={":one": N(1)}),
            update(acc, key("s"), expr, ExpressionAttributeValues=values),
        ])
    reasons = cancelled(e, ["None", "ValidationError"])
    assert reasons[1] == {"Code": "ValidationError", "Message": message}
    assert snapshot(client, tables) == before


# As UpdateItem: an Update may not touch a key attribute; the first action in the expression's
# order that does is named, and the request fails as a whole (a ValidationException, not a
# cancellation reason), with nothing written.
@pytest.mark.parametrize("expr,attr", [
    ("SET pk = :v", "pk"),
    ("SET bal = :v REMOVE sk", None),  # acc has no sort key: sk is an ordinary attribute
    ("SET bal = :v, pk = :v", "pk"),
    ("REMOVE pk", "pk"),
])
def test_update_of_a_key_attribute_is_refused(client, tables, expr, attr):
    acc, ord_ = tables
    before = snapshot(client, tables)
    values = {":v": S("x")} if ":v" in expr else None
    items = [update(ord_, {"pk": S("o"), "sk": N(1)}, "SET qty = :n",
                    ExpressionAttributeValues={":n": N(4)}),
             update(acc, key("a"), expr, **({"ExpressionAttributeValues": values} if values else {}))]
    if attr is None:
        client.transact_write_items(TransactItems=items)
        assert get(client, acc, key("a"))["bal"] == S("x")
        return
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=items)
    assert error(e) == ("ValidationException",
                        "One or more parameter values were invalid: Cannot update attribute "
                        f"{attr}. This attribute is part of the key")
    assert snapshot(client, tables) == before


def test_update_of_a_sort_key_is_refused(client, tables):
    _, ord_ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            update(ord_, {"pk": S("o"), "sk": N(1)}, "SET qty = :n, sk = :n",
                   ExpressionAttributeValues={":n": N(2)})])
    assert error(e) == ("ValidationException",
                        "One or more parameter values were invalid: Cannot update attribute "
                        "sk. This attribute is part of the key")
    assert snapshot(client, tables) == before


def test_cancelled_transaction_can_be_retried(client, tables):
    acc, _ = tables
    items = [update(acc, key("a"), "SET bal = bal - :x", "bal >= :x",
                    ExpressionAttributeValues={":x": N(15)}),
             update(acc, key("b"), "SET bal = bal + :x", ExpressionAttributeValues={":x": N(15)})]
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=items)
    cancelled(e, ["ConditionalCheckFailed", "None"])
    client.put_item(TableName=acc, Item={"pk": S("a"), "bal": N(20)})
    client.transact_write_items(TransactItems=items)
    assert get(client, acc, key("a"))["bal"] == N(5)
    assert get(client, acc, key("b"))["bal"] == N(20)


# --------------------------------------------------------------------------------------------------
# Limits and request errors (nothing applied).


def test_100_actions_ok_101_rejected(client):
    create_table(client, "tbl")
    client.transact_write_items(
        TransactItems=[put("tbl", {"pk": S(f"k{i}"), "v": N(i)}) for i in range(100)])
    items = scan_items(client, "tbl")
    assert sorted(int(it["v"]["N"]) for it in items) == list(range(100))
    with pytest.raises(ClientError) as e:
        client.transact_write_items(
            TransactItems=[put("tbl", {"pk": S(f"n{i}")}) for i in range(101)])
    code, message = error(e)
    assert code == "ValidationException"
    # NOT SURE how DynamoDB renders the list value in the message; the rest is its usual format.
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith("' at 'transactItems' failed to satisfy constraint: Member must have "
                            "length less than or equal to 100")
    assert len(scan_items(client, "tbl")) == 100


def test_empty_transact_items_rejected(raw):
    for op in ("TransactWriteItems", "TransactGetItems"):
        r = raw.request(op, {"TransactItems": []})
        assert r.status == 400 and r.error_type == "ValidationException", r
        assert r.message == ("1 validation error detected: Value '[]' at 'transactItems' failed to "
                             "satisfy constraint: Member must have length greater than or equal "
                             "to 1")


@pytest.mark.parametrize("second", [
    lambda t: check(t, key("a"), "attribute_exists(pk)"),
    lambda t: update(t, key("a"), "SET x = :x", ExpressionAttributeValues={":x": N(1)}),
    lambda t: delete(t, key("a")),
    lambda t: put(t, {"pk": S("a"), "x": N(2)}),
])
def test_two_actions_on_one_item_rejected(client, tables, second):
    acc, _ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("other")}),
            put(acc, {"pk": S("a"), "bal": N(99)}),
            second(acc),
        ])
    assert error(e) == ("ValidationException", MULTIPLE_OPS)
    assert snapshot(client, tables) == before


def test_two_actions_on_one_item_with_sort_key_rejected(client, tables):
    _, ord_ = tables
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            update(ord_, {"pk": S("o"), "sk": N(5)}, "SET q = :q",
                   ExpressionAttributeValues={":q": N(1)}),
            delete(ord_, {"pk": S("o"), "sk": N(5)}),
        ])
    assert error(e) == ("ValidationException", MULTIPLE_OPS)
    # Same partition, other sort key: two items.
    client.transact_write_items(TransactItems=[
        put(ord_, {"pk": S("o"), "sk": N(5)}),
        put(ord_, {"pk": S("o"), "sk": N(6)}),
    ])
    assert get(client, ord_, {"pk": S("o"), "sk": N(6)}) == {"pk": S("o"), "sk": N(6)}


def test_missing_table(client, tables):
    acc, _ = tables
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("new")}),
            put("nosuchtable", {"pk": S("x")}),
        ])
    code, message = error(e)
    assert code == "ResourceNotFoundException"
    assert message.startswith("Requested resource not found")  # NOT SURE of any suffix
    assert snapshot(client, tables) == before
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[
            {"Get": {"TableName": acc, "Key": key("a")}},
            {"Get": {"TableName": "nosuchtable", "Key": key("a")}},
        ])
    assert error(e)[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("action,message", [
    (lambda: update("acc", {"pk": N(1)}, "SET x = :x", ExpressionAttributeValues={":x": N(1)}),
     "The provided key element does not match the schema"),
    (lambda: update("acc", {"id": S("a")}, "SET x = :x", ExpressionAttributeValues={":x": N(1)}),
     "The provided key element does not match the schema"),
    (lambda: delete("acc", {"pk": S("a"), "extra": S("b")}),
     "The provided key element does not match the schema"),
    (lambda: check("ord", {"pk": S("o")}, "attribute_exists(pk)"),
     "The provided key element does not match the schema"),
    (lambda: put("acc", {"id": S("a")}),
     "One or more parameter values were invalid: Missing the key pk in the item"),
    (lambda: put("acc", {"pk": N(1)}),
     "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
    (lambda: put("ord", {"pk": S("o")}),
     "One or more parameter values were invalid: Missing the key sk in the item"),
])
def test_bad_keys_rejected(client, tables, action, message):
    before = snapshot(client, tables)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put("acc", {"pk": S("new")}),
            action(),
        ])
    assert error(e) == ("ValidationException", message)
    assert snapshot(client, tables) == before


def test_unused_expression_attribute_value_rejected(client, tables):
    acc, _ = tables
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("new")}),
            delete(acc, key("a"), "attribute_exists(pk)",
                   ExpressionAttributeValues={":unused": N(1)}),
        ])
    assert error(e) == ("ValidationException", "Value provided in ExpressionAttributeValues "
                        "unused in expressions: keys: {:unused}")
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(acc, {"pk": S("new")}),
            delete(acc, key("a"), ExpressionAttributeValues={":unused": N(1)}),
        ])
    assert error(e) == ("ValidationException",
                        "ExpressionAttributeValues can only be specified when using expressions")
    assert get(client, acc, key("new")) is None
    assert get(client, acc, key("a")) is not None


# --------------------------------------------------------------------------------------------------
# TransactGetItems.


def test_transact_get_items(client, tables):
    acc, ord_ = tables
    resp = client.transact_get_items(TransactItems=[
        {"Get": {"TableName": acc, "Key": key("b")}},
        {"Get": {"TableName": acc, "Key": key("missing")}},
        {"Get": {"TableName": ord_, "Key": {"pk": S("o"), "sk": N(1)},
                 "ProjectionExpression": "#q, nothing", "ExpressionAttributeNames": {"#q": "qty"}}},
        {"Get": {"TableName": acc, "Key": key("a"), "ProjectionExpression": "pk"}},
        {"Get": {"TableName": ord_, "Key": {"pk": S("o"), "sk": N(9)}}},
    ])
    assert resp["Responses"] == [
        {"Item": {"pk": S("b"), "bal": N(5)}},
        {},
        {"Item": {"qty": N(3)}},
        {"Item": {"pk": S("a")}},
        {},
    ]
    assert "ConsumedCapacity" not in resp


def test_transact_get_items_100_ok_101_rejected(client):
    create_table(client, "tbl")
    load(client, "tbl", [{"pk": S(f"k{i}"), "v": N(i)} for i in range(0, 100, 2)])
    resp = client.transact_get_items(
        TransactItems=[{"Get": {"TableName": "tbl", "Key": key(f"k{i}")}} for i in range(100)])
    assert resp["Responses"] == [
        {"Item": {"pk": S(f"k{i}"), "v": N(i)}} if i % 2 == 0 else {} for i in range(100)]
    with pytest.raises(ClientError) as e:
        client.transact_get_items(
            TransactItems=[{"Get": {"TableName": "tbl", "Key": key(f"k{i}")}} for i in range(101)])
    code, message = error(e)
    assert code == "ValidationException"
    assert message.endswith("' at 'transactItems' failed to satisfy constraint: Member must have "
                            "length less than or equal to 100")


def test_transact_get_items_bad_key(client, tables):
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[
            {"Get": {"TableName": "ord", "Key": {"pk": S("o")}}}])
    assert error(e) == ("ValidationException",
                        "The provided key element does not match the schema")


# --------------------------------------------------------------------------------------------------
# Idempotency.


def test_same_token_same_parameters_applies_once(client, tables):
    acc, _ = tables
    token = str(uuid.uuid4())
    items = [update(acc, key("a"), "ADD n :one", ExpressionAttributeValues={":one": N(1)}),
             update(acc, key("b"), "ADD n :one", ExpressionAttributeValues={":one": N(1)})]
    first = client.transact_write_items(TransactItems=items, ClientRequestToken=token)
    second = client.transact_write_items(TransactItems=items, ClientRequestToken=token)
    first.pop("ResponseMetadata")
    second.pop("ResponseMetadata")
    assert first == second == {}
    assert get(client, acc, key("a")) == {"pk": S("a"), "bal": N(10), "n": N(1)}
    assert get(client, acc, key("b")) == {"pk": S("b"), "bal": N(5), "n": N(1)}
    # Even after the item changed, the repeat is not applied again.
    client.put_item(TableName=acc, Item={"pk": S("a"), "n": N(10)})
    client.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(client, acc, key("a")) == {"pk": S("a"), "n": N(10)}
    assert get(client, acc, key("b")) == {"pk": S("b"), "bal": N(5), "n": N(1)}
    # A new token is a new request.
    client.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
    assert get(client, acc, key("a")) == {"pk": S("a"), "n": N(11)}


def test_same_token_other_parameters_mismatch(client, tables):
    acc, _ = tables
    token = "token-1"
    client.transact_write_items(TransactItems=[put(acc, {"pk": S("x"), "v": N(1)})],
                                ClientRequestToken=token)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[put(acc, {"pk": S("x"), "v": N(2)})],
                                    ClientRequestToken=token)
    code, message = error(e)
    assert code == "IdempotentParameterMismatchException"
    # NOT SURE of the exact message.
    assert message == ("The request uses the same client token as a previous, but non-identical "
                       "request.")
    assert get(client, acc, key("x")) == {"pk": S("x"), "v": N(1)}


def test_token_length_limit(client, tables):
    acc, _ = tables
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[put(acc, {"pk": S("x")})],
                                    ClientRequestToken="t" * 37)
    assert error(e) == ("ValidationException",
                        "1 validation error detected: Value '" + "t" * 37 + "' at "
                        "'clientRequestToken' failed to satisfy constraint: Member must have "
                        "length less than or equal to 36")
    assert get(client, acc, key("x")) is None
    client.transact_write_items(TransactItems=[put(acc, {"pk": S("x")})],
                                ClientRequestToken="t" * 36)
    assert get(client, acc, key("x")) == {"pk": S("x")}


# --------------------------------------------------------------------------------------------------
# ReturnConsumedCapacity.


def item_of(size, pk, name="d"):
    """An item {"pk": pk, name: "x" * n} of exactly `size` bytes: "pk" + pk + name + n."""
    pad = size - (2 + len(pk.encode()) + len(name.encode()))
    assert pad >= 0
    return {"pk": S(pk), name: S("x" * pad)}


def by_table(resp, mode):
    """ConsumedCapacity list -> {table: CapacityUnits}, checking each entry's shape."""
    out = {}
    for cc in resp["ConsumedCapacity"]:
        extra = {"ReadCapacityUnits", "WriteCapacityUnits"}
        # NOT SURE whether DynamoDB also fills Read/WriteCapacityUnits here; if so they repeat it.
        for k in extra & set(cc):
            assert cc[k] == cc["CapacityUnits"]
        expected = {"TableName", "CapacityUnits"} | ({"Table"} if mode == "INDEXES" else set())
        assert set(cc) - extra == expected
        if mode == "INDEXES":
            assert cc["Table"] == {"CapacityUnits": cc["CapacityUnits"]}
        assert cc["TableName"] not in out
        out[cc["TableName"]] = cc["CapacityUnits"]
    return out


@pytest.mark.parametrize("mode", ["TOTAL", "INDEXES"])
def test_write_capacity_is_twice(client, mode):
    create_table(client, "tb1")
    create_table(client, "tb2")
    load(client, "tb1", [item_of(3000, "big"), item_of(100, "small")])
    load(client, "tb2", [item_of(100, "gone"), item_of(200, "checked")])
    resp = client.transact_write_items(ReturnConsumedCapacity=mode, TransactItems=[
        put("tb1", item_of(1500, "new")),                               # 2 WU -> 4
        update("tb1", key("big"), "REMOVE d"),                          # old 3000 B: 3 WU -> 6
        update("tb1", key("small"), "SET d = :v",                        # new 2100 B: 3 WU -> 6
               ExpressionAttributeValues={":v": S("x" * (2100 - 8))}),
        delete("tb2", key("gone")),                                     # 1 WU -> 2
        delete("tb2", key("never")),                                    # nothing: 1 WU -> 2
        # NOT SURE whether a ConditionCheck is charged as a read or a write; for an item under
        # 1 KB both give 2.
        check("tb2", key("checked"), "attribute_exists(pk)"),
    ])
    assert by_table(resp, mode) == {"tb1": 16.0, "tb2": 6.0}
    assert get(client, "tb1", key("small"))["d"] == S("x" * (2100 - 8))


def test_no_consumed_capacity_with_none(client):
    create_table(client, "tbl")
    resp = client.transact_write_items(ReturnConsumedCapacity="NONE",
                                       TransactItems=[put("tbl", {"pk": S("a")})])
    assert "ConsumedCapacity" not in resp
    resp = client.transact_get_items(ReturnConsumedCapacity="NONE",
                                     TransactItems=[{"Get": {"TableName": "tbl", "Key": key("a")}}])
    assert "ConsumedCapacity" not in resp


@pytest.mark.parametrize("mode", ["TOTAL", "INDEXES"])
def test_read_capacity_is_twice(client, mode):
    create_table(client, "tb1")
    create_table(client, "tb2")
    load(client, "tb1", [item_of(5000, "big"), item_of(100, "small")])
    resp = client.transact_get_items(ReturnConsumedCapacity=mode, TransactItems=[
        {"Get": {"TableName": "tb1", "Key": key("big")}},               # 2 RU -> 4
        {"Get": {"TableName": "tb1", "Key": key("small"),                # 1 RU -> 2
                 "ProjectionExpression": "pk"}},
        {"Get": {"TableName": "tb2", "Key": key("absent")}},            # 1 RU -> 2
    ])
    assert by_table(resp, mode) == {"tb1": 6.0, "tb2": 2.0}


# --------------------------------------------------------------------------------------------------
# A table with a global secondary index.


@pytest.fixture
def gsi_table(client):
    client.create_table(
        TableName="gsi",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "owner", "AttributeType": "S"},
                              {"AttributeName": "bal", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by_owner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"},
                          {"AttributeName": "bal", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        }],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    client.get_waiter("table_exists").wait(TableName="gsi")
    return "gsi"


def index_view(client, owners):
    """{owner: [(pk, bal) in index order]} read from the GSI."""
    out = {}
    for o in owners:
        resp = client.query(TableName="gsi", IndexName="by_owner",
                            KeyConditionExpression="#o = :o",
                            ExpressionAttributeNames={"#o": "owner"},
                            ExpressionAttributeValues={":o": S(o)})
        out[o] = [(it["pk"]["S"], int(it["bal"]["N"])) for it in resp["Items"]]
    return out


def wait_index(client, expected):
    """GSIs are eventually consistent in DynamoDB: poll (bounded) until the index shows `expected`."""
    deadline = time.monotonic() + 3
    while True:
        view = index_view(client, expected)
        if view == expected or time.monotonic() > deadline:
            return view


def test_gsi_follows_transactions(client, gsi_table):
    g = gsi_table
    client.transact_write_items(TransactItems=[
        put(g, {"pk": S("a"), "owner": S("ann"), "bal": N(10)}),
        put(g, {"pk": S("b"), "owner": S("ann"), "bal": N(5)}),
        put(g, {"pk": S("c"), "owner": S("bob"), "bal": N(7)}),
        put(g, {"pk": S("d"), "bal": N(1)}),                            # no owner: not indexed
    ])
    expected = {"ann": [("b", 5), ("a", 10)], "bob": [("c", 7)]}
    assert wait_index(client, expected) == expected

    # Commit: move 3 from a to c, give b to bob, delete d (unindexed), add e.
    client.transact_write_items(TransactItems=[
        update(g, key("a"), "SET bal = bal - :x", "bal >= :x", ExpressionAttributeValues={":x": N(3)}),
        update(g, key("c"), "SET bal = bal + :x", ExpressionAttributeValues={":x": N(3)}),
        update(g, key("b"), "SET #o = :bob", ExpressionAttributeNames={"#o": "owner"},
               ExpressionAttributeValues={":bob": S("bob")}),
        delete(g, key("d")),
        put(g, {"pk": S("e"), "owner": S("cy"), "bal": N(0)}),
    ])
    expected = {"ann": [("a", 7)], "bob": [("b", 5), ("c", 10)], "cy": [("e", 0)]}
    assert wait_index(client, expected) == expected

    # Cancelled: none of it reaches the index.
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            update(g, key("a"), "SET #o = :cy", ExpressionAttributeNames={"#o": "owner"},
                   ExpressionAttributeValues={":cy": S("cy")}),
            delete(g, key("b")),
            put(g, {"pk": S("f"), "owner": S("ann"), "bal": N(1)}),
            update(g, key("c"), "SET bal = bal - :x", "bal >= :x",
                   ExpressionAttributeValues={":x": N(11)}),
        ])
    cancelled(e, ["None", "None", "None", "ConditionalCheckFailed"])
    # A later commit that the index must show; the cancelled changes must still be absent then.
    client.transact_write_items(TransactItems=[
        update(g, key("e"), "SET bal = :one", ExpressionAttributeValues={":one": N(1)})])
    expected = {"ann": [("a", 7)], "bob": [("b", 5), ("c", 10)], "cy": [("e", 1)]}
    assert wait_index(client, expected) == expected


def test_gsi_key_type_mismatch_in_transaction(client, gsi_table):
    """An index key attribute of the wrong type is rejected, as PutItem rejects it."""
    g = gsi_table
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put(g, {"pk": S("x"), "owner": S("ann"), "bal": N(1)}),
            put(g, {"pk": S("y"), "owner": N(1)}),
        ])
    code, message = error(e)
    assert code == "ValidationException"
    # NOT SURE of the whole text: PutItem's is "One or more parameter values were invalid: Type
    # mismatch for Index Key owner Expected: S Actual: N IndexName: by_owner".
    assert message.startswith("One or more parameter values were invalid: Type mismatch for Index Key")
    assert get(client, g, key("x")) is None


def test_gsi_consumed_capacity_indexes(client, gsi_table):
    """INDEXES on a table with a GSI: the table's part is 2 per KB; the index's part is listed
    under GlobalSecondaryIndexes and included in the total."""
    resp = client.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        put(gsi_table, {"pk": S("a"), "owner": S("ann"), "bal": N(10)})])
    [cc] = resp["ConsumedCapacity"]
    assert cc["TableName"] == gsi_table
    assert cc["Table"]["CapacityUnits"] == 2.0
    gsis = cc["GlobalSecondaryIndexes"]
    assert set(gsis) == {"by_owner"}
    # NOT SURE whether DynamoDB doubles the index write of a transaction (1.0 or 2.0).
    assert gsis["by_owner"]["CapacityUnits"] in (1.0, 2.0)
    assert cc["CapacityUnits"] == 2.0 + gsis["by_owner"]["CapacityUnits"]


# --------------------------------------------------------------------------------------------------
# Isolation under concurrency.

ACCOUNTS = 10
START_BALANCE = 100
WRITERS = 4
TRANSFERS_PER_WRITER = 150
READERS = 2
TOUCHES = 200


def test_concurrent_transfers_keep_total_and_readers_see_no_partial_transfer(server, access_key):
    setup = server.client(access_key)
    create_table(setup, "bank")
    load(setup, "bank", [{"pk": S(f"acct{i}"), "bal": N(START_BALANCE), "touches": N(0)}
                         for i in range(ACCOUNTS)])
    total = ACCOUNTS * START_BALANCE
    all_keys = [{"Get": {"TableName": "bank", "Key": key(f"acct{i}")}} for i in range(ACCOUNTS)]

    lock = threading.Lock()
    applied = [0] * ACCOUNTS          # net effect of acknowledged transfers
    touched = [0] * ACCOUNTS          # acknowledged single-item updates
    outcomes = {"ok": 0, "ccf": 0, "conflict": 0}
    reads = []
    failures = []
    writers_done = threading.Event()

    def writer(seed):
        c = server.client(access_key)
        rng = random.Random(seed)
        try:
            for _ in range(TRANSFERS_PER_WRITER):
                src, dst = rng.sample(range(ACCOUNTS), 2)
                amount = rng.randint(1, 40)
                try:
                    c.transact_write_items(TransactItems=[
                        update("bank", key(f"acct{src}"), "SET bal = bal - :a", "bal >= :a",
                               ExpressionAttributeValues={":a": N(amount)}),
                        update("bank", key(f"acct{dst}"), "SET bal = bal + :a",
                               ExpressionAttributeValues={":a": N(amount)}),
                    ])
                except ClientError as e:
                    assert e.response["Error"]["Code"] == "TransactionCanceledException", e
                    codes = [r["Code"] for r in e.response["CancellationReasons"]]
                    # DynamoDB may cancel on a concurrent transaction (TransactionConflict).
                    assert codes in (["ConditionalCheckFailed", "None"],) or \
                        "TransactionConflict" in codes, codes
                    with lock:
                        outcomes["ccf" if codes[0] == "ConditionalCheckFailed" and
                                 "TransactionConflict" not in codes else "conflict"] += 1
                    continue
                with lock:
                    applied[src] -= amount
                    applied[dst] += amount
                    outcomes["ok"] += 1
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            failures.append(e)

    def toucher():
        """Single-item writes to the same items: none may be lost to a transaction's write."""
        c = server.client(access_key)
        rng = random.Random(99)
        try:
            for _ in range(TOUCHES):
                i = rng.randrange(ACCOUNTS)
                try:
                    c.update_item(TableName="bank", Key=key(f"acct{i}"),
                                  UpdateExpression="ADD touches :one",
                                  ExpressionAttributeValues={":one": N(1)})
                except ClientError as e:
                    # DynamoDB may reject a write to an item inside an ongoing transaction.
                    assert e.response["Error"]["Code"] == "TransactionConflictException", e
                    continue
                touched[i] += 1
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    def reader():
        c = server.client(access_key)
        try:
            while not writers_done.is_set():
                try:
                    resp = c.transact_get_items(TransactItems=all_keys)
                except ClientError as e:
                    # DynamoDB may cancel a read that meets a write in progress.
                    assert e.response["Error"]["Code"] == "TransactionCanceledException", e
                    continue
                bals = [int(r["Item"]["bal"]["N"]) for r in resp["Responses"]]
                reads.append(bals)
        except Exception as e:  # noqa: BLE001
            failures.append(e)

    writer_threads = [threading.Thread(target=writer, args=(s,)) for s in range(WRITERS)]
    writer_threads.append(threading.Thread(target=toucher))
    reader_threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for t in writer_threads + reader_threads:
        t.start()
    for t in writer_threads:
        t.join(timeout=60)
    writers_done.set()
    for t in reader_threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in writer_threads + reader_threads)
    assert not failures, failures

    assert outcomes["ok"] + outcomes["ccf"] + outcomes["conflict"] == WRITERS * TRANSFERS_PER_WRITER
    assert outcomes["ok"] > WRITERS * TRANSFERS_PER_WRITER // 2, outcomes
    assert len(reads) >= 10, len(reads)
    for bals in reads:
        assert sum(bals) == total, bals
        assert min(bals) >= 0, bals
    final = {it["pk"]["S"]: it for it in scan_items(setup, "bank")}
    assert len(final) == ACCOUNTS
    for i in range(ACCOUNTS):
        assert int(final[f"acct{i}"]["bal"]["N"]) == START_BALANCE + applied[i], i
        assert int(final[f"acct{i}"]["touches"]["N"]) == touched[i], i


def test_validation_errors_name_the_failing_action(raw, client):
    """A malformed action is named by its place in the request (DynamoDB's member path
    transactItems.<n>.member.<action>.<member>, n from 1), not always as the first one."""
    name = "txn_paths_" + uuid.uuid4().hex[:8]
    create_table(client, name)
    ok_put = {"Put": {"TableName": name, "Item": {"pk": {"S": "a"}}}}
    r = raw.request("TransactWriteItems", {"TransactItems": [
        ok_put, {"Update": {"TableName": name, "UpdateExpression": "SET v = :v"}}]})
    assert (r.status, r.error_type) == (400, "ValidationException")
    assert r.message == ("1 validation error detected: Value null at "
                         "'transactItems.2.member.update.key' failed to satisfy constraint: "
                         "Member must not be null")
    r = raw.request("TransactWriteItems", {"TransactItems": [
        ok_put, {"Put": {"TableName": name, "Item": {"pk": {"S": "b"}}}},
        {"Delete": {"TableName": "ab", "Key": {"pk": {"S": "c"}}}}]})
    assert r.message == ("1 validation error detected: Value 'ab' at "
                         "'transactItems.3.member.delete.tableName' failed to satisfy constraint: "
                         "Member must have length greater than or equal to 3")
    r = raw.request("TransactWriteItems", {"TransactItems": [
        ok_put, {"ConditionCheck": {"TableName": name, "Key": {"pk": {"S": "a"}}}}]})
    assert r.message == ("1 validation error detected: Value null at "
                         "'transactItems.2.member.conditionCheck.conditionExpression' failed to "
                         "satisfy constraint: Member must not be null")
    get = {"Get": {"TableName": name, "Key": {"pk": {"S": "a"}}}}
    r = raw.request("TransactGetItems", {"TransactItems": [get, {}]})
    assert (r.status, r.error_type) == (400, "ValidationException")
    assert r.message == ("1 validation error detected: Value null at 'transactItems.2.member.get' "
                         "failed to satisfy constraint: Member must not be null")
    r = raw.request("TransactGetItems", {"TransactItems": [get, {"Get": {"TableName": name}}]})
    assert r.message == ("1 validation error detected: Value null at "
                         "'transactItems.2.member.get.key' failed to satisfy constraint: "
                         "Member must not be null")
    # Nothing was written by any of them.
    assert client.scan(TableName=name)["Items"] == []
