"""PartiQL: BatchExecuteStatement and ExecuteTransaction.

DynamoDB behaviour checked (API reference of BatchExecuteStatement and ExecuteTransaction,
developer guide "Performing transactions with PartiQL" and "Running batch operations with
PartiQL"):
- BatchExecuteStatement runs up to 25 statements, all reads or all writes; each read names one item
  by its whole key. Every statement has its own answer in Responses, in order: the item read (none
  when absent), or its Error {Code, Message} (ConditionalCheckFailed, DuplicateItem,
  ValidationError, ResourceNotFound), while the other statements still run.
- ExecuteTransaction runs up to 100 statements as one transaction, all reads (single items) or all
  writes (INSERT, UPDATE, DELETE, and EXISTS/NOT EXISTS checks). A failed condition cancels it
  whole: TransactionCanceledException with CancellationReasons in statement order (DuplicateItem
  for an INSERT whose key exists). ClientRequestToken makes a retry answer without applying again.
  A read that is not a single item (a scan) is refused.
- a PartiQL transaction and a TransactWriteItems on the same item conflict as two
  TransactWriteItems do.
"""

import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from conftest import CLIENT_CONFIG, create_table, expect_error, load, validation

CANCEL_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons ["
# The words of the API reference (BatchExecuteStatement, ExecuteTransaction); NOT VERIFIED as the
# exact messages of DynamoDB's answers.
SINGLE_ITEM = "Each read statement must specify an equality condition on all key attributes"
BATCH_MIX = ("The entire batch must consist of either read statements or write statements, you "
             "cannot mix both in one batch.")
TRANSACTION_MIX = ("The entire transaction must consist of either read statements or write "
                   "statements, you cannot mix both in one transaction.")


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def accounts(client):
    create_table(client, "acct")
    load(client, "acct", [{"pk": S(k), "v": N(10)} for k in ("x", "y", "z")])
    return "acct"


def value(client, pk):
    item = client.get_item(TableName="acct", Key={"pk": S(pk)}, ConsistentRead=True).get("Item")
    return None if item is None else int(item["v"]["N"])


# --- BatchExecuteStatement


def test_batch_reads(client, accounts):
    r = client.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM acct WHERE pk = ?", "Parameters": [S("x")]},
        {"Statement": "SELECT v FROM acct WHERE pk = 'nope'", "ConsistentRead": True},
        {"Statement": "SELECT * FROM missing_table WHERE pk = 'x'"},
        {"Statement": "SELECT * FROM acct WHERE v = 10"},
    ])["Responses"]
    assert r[0] == {"TableName": "acct", "Item": {"pk": S("x"), "v": N(10)}}
    assert r[1] == {"TableName": "acct"}
    assert r[2]["Error"] == {"Code": "ResourceNotFound", "Message": "Requested resource not found"}
    assert r[3] == {"TableName": "acct", "Error": {"Code": "ValidationError",
                                                   "Message": SINGLE_ITEM}}


def test_batch_read_errors_each_in_its_place(client, accounts):
    r = client.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM acct WHERE pk = ?"},
        {"Statement": "SELECT * FROM acct"},
        {"Statement": "EXISTS(SELECT * FROM acct WHERE pk = 'x')"},
        {"Statement": "SELECT * FROM acct WHERE pk = 'y'"},
        {"Statement": "SELECT * FROM my-table WHERE pk = 'y'"},
    ])["Responses"]
    assert r[0]["Error"] == {
        "Code": "ValidationError",
        "Message": "Number of parameters in request and statement don't match."}
    assert r[1]["Error"] == {"Code": "ValidationError", "Message": SINGLE_ITEM}
    assert r[2]["Error"]["Code"] == "ValidationError"
    assert r[3] == {"TableName": "acct", "Item": {"pk": S("y"), "v": N(10)}}
    assert r[4]["Error"] == {
        "Code": "ValidationError",
        "Message": "Statement wasn't well formed, can't be processed: Unexpected from source"}


def test_batch_writes_each_with_its_own_error(client, accounts):
    r = client.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO acct VALUE {'pk': 'w', 'v': 1}"},
        {"Statement": "INSERT INTO acct VALUE {'pk': 'x', 'v': 1}"},
        {"Statement": "UPDATE acct SET v = v + 1 WHERE pk = 'y'"},
        {"Statement": "UPDATE acct SET v = 0 WHERE pk = 'z' AND v = 99"},
        {"Statement": "DELETE FROM acct WHERE pk = ?", "Parameters": [S("z")]},
        {"Statement": "SELEC nothing"},
        {"Statement": "UPDATE acct SET v = ? WHERE pk = 'y'"},
    ], ReturnConsumedCapacity="TOTAL")
    resp = r["Responses"]
    assert resp[0] == {"TableName": "acct"}
    assert resp[1]["Error"] == {"Code": "DuplicateItem",
                                "Message": "Duplicate primary key exists in table"}
    assert resp[2] == {"TableName": "acct"}
    assert resp[3]["Error"] == {"Code": "ConditionalCheckFailed",
                                "Message": "The conditional request failed"}
    assert resp[4] == {"TableName": "acct"}
    assert resp[5]["Error"]["Code"] == "ValidationError"
    assert resp[5]["Error"]["Message"].startswith("Statement wasn't well formed")
    assert resp[6]["Error"] == {
        "Code": "ValidationError",
        "Message": "Number of parameters in request and statement don't match."}
    assert value(client, "w") == 1 and value(client, "y") == 11 and value(client, "z") is None
    assert value(client, "x") == 10
    assert all(c["TableName"] == "acct" for c in r["ConsumedCapacity"])


def test_batch_mixing_reads_and_writes_is_refused(client, accounts):
    expect_error(client.batch_execute_statement, "ValidationException", BATCH_MIX, Statements=[
        {"Statement": "SELECT * FROM acct WHERE pk = 'x'"},
        {"Statement": "DELETE FROM acct WHERE pk = 'y'"},
    ])
    assert value(client, "y") == 10


def test_batch_of_25(client, accounts):
    r = client.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO acct VALUE {{'pk': 'n{i}', 'v': {i}}}"} for i in range(25)])
    assert r["Responses"] == [{"TableName": "acct"}] * 25
    assert value(client, "n24") == 24
    r = client.batch_execute_statement(Statements=[
        {"Statement": f"SELECT v FROM acct WHERE pk = 'n{i}'"} for i in range(25)])
    assert [int(x["Item"]["v"]["N"]) for x in r["Responses"]] == list(range(25))


def test_batch_of_more_than_25_is_refused(client, accounts):
    with pytest.raises(ClientError) as e:
        client.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM acct WHERE pk = 'x'"}] * 26)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "length less than or equal to 25" in e.value.response["Error"]["Message"]


# --- ExecuteTransaction


def test_transaction_writes(client, accounts):
    r = client.execute_transaction(TransactStatements=[
        {"Statement": "UPDATE acct SET v = v - ? WHERE pk = 'x' AND v >= ?",
         "Parameters": [N(5), N(5)]},
        {"Statement": "UPDATE acct SET v = v + 5 WHERE pk = 'y'"},
        {"Statement": "INSERT INTO acct VALUE {'pk': 'new', 'v': 0}"},
        {"Statement": "DELETE FROM acct WHERE pk = 'z'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"][0]["TableName"] == "acct"
    assert (value(client, "x"), value(client, "y"), value(client, "new"),
            value(client, "z")) == (5, 15, 0, None)


def test_transaction_reads(client, accounts):
    r = client.execute_transaction(TransactStatements=[
        {"Statement": "SELECT v FROM acct WHERE pk = 'x'"},
        {"Statement": "SELECT * FROM acct WHERE pk = ?", "Parameters": [S("nope")]},
    ])
    assert r["Responses"] == [{"Item": {"v": N(10)}}, {}]


def test_transaction_cancelled_with_reasons(client, accounts):
    r = expect_error(client.execute_transaction, "TransactionCanceledException",
                     CANCEL_PREFIX + "None, ConditionalCheckFailed, DuplicateItem]",
                     TransactStatements=[
                         {"Statement": "UPDATE acct SET v = 0 WHERE pk = 'x'"},
                         {"Statement": "UPDATE acct SET v = 0 WHERE pk = 'y' AND v = 99"},
                         {"Statement": "INSERT INTO acct VALUE {'pk': 'z'}"},
                     ])
    assert [c["Code"] for c in r["CancellationReasons"]] == [
        "None", "ConditionalCheckFailed", "DuplicateItem"]
    assert value(client, "x") == 10


def test_transaction_exists_checks(client, accounts):
    client.execute_transaction(TransactStatements=[
        {"Statement": "EXISTS(SELECT * FROM acct WHERE pk = 'x' AND v = 10)"},
        {"Statement": "NOT EXISTS(SELECT * FROM acct WHERE pk = 'nobody')"},
        {"Statement": "UPDATE acct SET v = 1 WHERE pk = 'y'"},
    ])
    assert value(client, "y") == 1
    r = expect_error(client.execute_transaction, "TransactionCanceledException",
                     CANCEL_PREFIX + "ConditionalCheckFailed, None]",
                     TransactStatements=[
                         {"Statement": "EXISTS(SELECT * FROM acct WHERE pk = 'nobody')"},
                         {"Statement": "UPDATE acct SET v = 2 WHERE pk = 'y'"},
                     ])
    assert len(r["CancellationReasons"]) == 2
    assert value(client, "y") == 1


def test_transaction_condition_failure_returns_the_item_on_request(raw, accounts):
    # ReturnValuesOnConditionCheckFailure of a statement is newer than Debian's botocore: raw.
    r = raw.request("ExecuteTransaction", {"TransactStatements": [
        {"Statement": "UPDATE acct SET v = 0 WHERE pk = 'x' AND v = 99",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": "UPDATE acct SET v = 0 WHERE pk = 'y' AND v = 99"}]})
    assert r.error_type == "TransactionCanceledException"
    assert r.json["CancellationReasons"][0]["Item"] == {"pk": S("x"), "v": N(10)}
    assert "Item" not in r.json["CancellationReasons"][1]


def test_transaction_client_request_token(client, accounts):
    stmts = [{"Statement": "UPDATE acct SET v = v + 1 WHERE pk = 'x'"}]
    client.execute_transaction(TransactStatements=stmts, ClientRequestToken="tok-1")
    client.execute_transaction(TransactStatements=stmts, ClientRequestToken="tok-1")
    assert value(client, "x") == 11
    with pytest.raises(ClientError) as e:
        client.execute_transaction(
            TransactStatements=[{"Statement": "UPDATE acct SET v = v + 2 WHERE pk = 'x'"}],
            ClientRequestToken="tok-1")
    assert e.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_transaction_of_100_and_of_101(client, accounts):
    r = client.execute_transaction(TransactStatements=[
        {"Statement": f"INSERT INTO acct VALUE {{'pk': 't{i}', 'v': {i}}}"} for i in range(100)])
    assert "Responses" not in r or r["Responses"] == []
    assert value(client, "t99") == 99
    r = client.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT v FROM acct WHERE pk = 't{i}'"} for i in range(100)])
    assert [int(x["Item"]["v"]["N"]) for x in r["Responses"]] == list(range(100))
    with pytest.raises(ClientError) as e:
        client.execute_transaction(TransactStatements=[
            {"Statement": f"DELETE FROM acct WHERE pk = 't{i}'"} for i in range(101)])
    err = e.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 100" in err["Message"]
    assert value(client, "t0") == 0


def test_transaction_messages(client, accounts):
    validation(client.execute_transaction, TRANSACTION_MIX, TransactStatements=[
        {"Statement": "SELECT * FROM acct WHERE pk = 'x'"},
        {"Statement": "UPDATE acct SET v = 1 WHERE pk = 'y'"}])
    validation(client.execute_transaction, SINGLE_ITEM, TransactStatements=[
        {"Statement": "SELECT * FROM acct WHERE v = 10"}])
    validation(client.execute_transaction,
               "Where clause does not contain a mandatory equality on all key attributes",
               TransactStatements=[{"Statement": "UPDATE acct SET v = 1 WHERE v = 10"}])
    # NOT VERIFIED: the words (TransactWriteItems has no ReturnValues, so DynamoDB refuses it).
    validation(client.execute_transaction, "RETURNING is not supported in ExecuteTransaction",
               TransactStatements=[
                   {"Statement": "UPDATE acct SET v = 1 WHERE pk = 'y' RETURNING ALL NEW *"}])
    assert value(client, "y") == 10


def test_transaction_refuses_scans_and_mixes(client, accounts):
    for statements in (
        [{"Statement": "SELECT * FROM acct"}],
        [{"Statement": "SELECT * FROM acct WHERE v = 10"}],
        [{"Statement": "SELECT * FROM acct WHERE pk = 'x'"},
         {"Statement": "UPDATE acct SET v = 1 WHERE pk = 'y'"}],
        [{"Statement": "UPDATE acct SET v = 1 WHERE pk = 'y' RETURNING ALL NEW *"}],
        [{"Statement": "UPDATE acct SET v = 1 WHERE v = 10"}],
        [{"Statement": "UPDATE acct SET v = ? WHERE pk = 'y'"}],
        [{"Statement": "garbage"}],
    ):
        with pytest.raises(ClientError) as e:
            client.execute_transaction(TransactStatements=statements)
        assert e.value.response["Error"]["Code"] == "ValidationException", statements
    assert value(client, "y") == 10


def test_transaction_same_item_twice_is_refused(client, accounts):
    with pytest.raises(ClientError) as e:
        client.execute_transaction(TransactStatements=[
            {"Statement": "UPDATE acct SET v = 1 WHERE pk = 'x'"},
            {"Statement": "DELETE FROM acct WHERE pk = 'x'"},
        ])
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_transaction_missing_table(client, accounts):
    expect_error(client.execute_transaction, "ResourceNotFoundException",
                 "Requested resource not found",
                 TransactStatements=[{"Statement": "DELETE FROM nope WHERE pk = 'x'"}])


# --- a PartiQL transaction against a TransactWriteItems


HOLD_MS = 6000


def test_partiql_transaction_conflicts_with_transact_write_items(make_server, access_key):
    srv = make_server("--test-transaction-hold", str(HOLD_MS), "--conflict-wait", "50",
                      "--threads", "4")
    c = srv.client(access_key)
    create_table(c, "acct")
    c.put_item(TableName="acct", Item={"pk": S("x"), "v": N(0)})
    result = {}

    def background():
        bc = srv.client(access_key)
        bc.transact_write_items(TransactItems=[
            {"Update": {"TableName": "acct", "Key": {"pk": S("x")},
                        "UpdateExpression": "SET v = v + :a",
                        "ExpressionAttributeValues": {":a": N(10)}}}])
        result["done"] = True

    t = threading.Thread(target=background)
    t.start()
    try:
        free = free_client(srv, access_key)
        # A PartiQL write transaction on the held item is cancelled as a TransactWriteItems is.
        r = expect_error(free.execute_transaction, "TransactionCanceledException",
                         CANCEL_PREFIX + "TransactionConflict, None]",
                         TransactStatements=[
                             {"Statement": "UPDATE acct SET v = 99 WHERE pk = 'x'"},
                             {"Statement": "INSERT INTO acct VALUE {'pk': 'other'}"}])
        assert r["CancellationReasons"][0] == {
            "Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
    finally:
        t.join(timeout=30)
    assert result.get("done")
    item = c.get_item(TableName="acct", Key={"pk": S("x")}, ConsistentRead=True)["Item"]
    assert item["v"] == N(10)  # the TransactWriteItems applied; the PartiQL one never did
    assert "Item" not in c.get_item(TableName="acct", Key={"pk": S("other")}, ConsistentRead=True)


def free_client(srv, access_key):
    """Waits until the background transaction holds x; returns a client on a free event loop.

    As test_transaction_conflicts.py does: probes fresh connections with a PartiQL read
    transaction of x (harmless if it times out and runs later) until one answers at once with the
    conflict; that connection is on a free loop and the transaction is running."""
    deadline = time.monotonic() + HOLD_MS / 1000 * 0.5
    while time.monotonic() < deadline:
        probe = srv.session(access_key).client(
            "dynamodb", endpoint_url=srv.endpoint,
            config=CLIENT_CONFIG.merge(Config(read_timeout=0.5)))
        try:
            probe.execute_transaction(TransactStatements=[
                {"Statement": "SELECT * FROM acct WHERE pk = 'x'"}])
        except ReadTimeoutError:
            continue  # this connection landed on the held loop
        except ClientError as e:
            assert e.response["Error"]["Code"] == "TransactionCanceledException", e
            assert e.response["CancellationReasons"] == [
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
            return probe
        time.sleep(0.01)  # answered: the transaction has not locked x yet
    pytest.fail("the background transaction was never seen running")
