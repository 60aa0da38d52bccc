"""Transaction conflicts and ClientRequestToken while a transaction runs.

DynamoDB behaviour checked (developer guide "Transaction conflict handling in DynamoDB", API
reference of PutItem, TransactWriteItems, TransactGetItems, BatchWriteItem):
- a PutItem, UpdateItem or DeleteItem of an item that an ongoing TransactWriteItems writes fails
  with TransactionConflictException ("Transaction is ongoing for the item") and is not applied;
- a TransactWriteItems or TransactGetItems that includes such an item is cancelled:
  TransactionCanceledException, CancellationReasons {"Code": "TransactionConflict", "Message":
  "Transaction is ongoing for the item"} for that action and {"Code": "None"} for the others, and
  none of its writes is applied;
- BatchWriteItem has no TransactionConflictException: it is applied (after the transaction);
- items that the transaction does not touch are not held up;
- the same ClientRequestToken while the first request still runs: TransactionInProgressException;
  once it succeeded, the same answer without applying again; a cancelled request leaves no answer
  behind, so its retry with the same token runs again.

Cairn's transactions hold their items for microseconds, so to make "ongoing" observable these
tests start a server with the hidden testing flag --test-transaction-hold (a transaction keeps its
locks that many milliseconds) and a short --conflict-wait (how long a request waits for a running
transaction before it reports the conflict).
"""

import threading
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from conftest import CLIENT_CONFIG, create_table

HOLD_MS = 4000
WAIT_MS = 50
PROBE_TIMEOUT_S = 0.5
ONGOING = "Transaction is ongoing for the item"
CANCEL_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons ["


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


@pytest.fixture
def held(make_server, access_key):
    """A server whose transactions hold their items for HOLD_MS, and a client for it."""
    srv = make_server("--test-transaction-hold", str(HOLD_MS), "--conflict-wait", str(WAIT_MS),
                      "--threads", "4")
    c = srv.client(access_key)
    create_table(c, "acct")
    for pk in ("x", "y", "free"):
        c.put_item(TableName="acct", Item={"pk": S(pk), "v": N(0)})
    return srv, c


class Background:
    """Runs one call on its own client in a thread; result() joins and returns or raises."""

    def __init__(self, srv, access_key, call):
        self.value = None
        self.error = None
        client = srv.client(access_key)

        def run():
            try:
                self.value = call(client)
            except Exception as e:  # noqa: BLE001 - re-raised by result()
                self.error = e
        self.started = time.monotonic()
        self.thread = threading.Thread(target=run)
        self.thread.start()

    def result(self):
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the background call never returned"
        if self.error is not None:
            raise self.error
        return self.value


def transfer(client, token=None):
    extra = {"ClientRequestToken": token} if token else {}
    return client.transact_write_items(TransactItems=[
        {"Update": {"TableName": "acct", "Key": {"pk": S("x")}, "UpdateExpression": "SET v = v + :a",
                    "ExpressionAttributeValues": {":a": N(10)}}},
        {"Update": {"TableName": "acct", "Key": {"pk": S("y")}, "UpdateExpression": "SET v = v - :a",
                    "ExpressionAttributeValues": {":a": N(10)}}},
    ], **extra)


def free_client(srv, access_key):
    """Waits until the background transaction holds x, and returns a client to use meanwhile.

    Cairn runs a request on the event-loop thread that accepted its connection, so the held
    transaction stalls the other connections of its loop. The kernel spreads connections over the
    loops; this probes fresh connections (with a TransactGetItems of x, harmless if it times out
    and runs later) until one answers at once with the conflict: that connection is on a free loop
    and the transaction is running. Its client (keep-alive: the same connection) is returned.
    """
    # Room for several probes: each one that lands on the held loop costs PROBE_TIMEOUT_S, and with
    # 4 loops two in a row do so about one time in 16 (a 0.6 window of 1 s probes failed that way
    # on a loaded machine).
    deadline = time.monotonic() + HOLD_MS / 1000 * 0.75
    while time.monotonic() < deadline:
        client = srv.session(access_key).client(
            "dynamodb", endpoint_url=srv.endpoint,
            config=CLIENT_CONFIG.merge(Config(read_timeout=PROBE_TIMEOUT_S)))
        try:
            client.transact_get_items(TransactItems=[{"Get": {"TableName": "acct",
                                                              "Key": {"pk": S("x")}}}])
        except ReadTimeoutError:
            continue  # this connection landed on the held loop
        except ClientError as e:
            assert e.response["Error"]["Code"] == "TransactionCanceledException", e
            return client
        time.sleep(0.01)  # answered: the transaction has not locked x yet
    pytest.fail("the background transaction was never seen running")


def value(client, pk):
    return client.get_item(TableName="acct", Key={"pk": S(pk)},
                           ConsistentRead=True)["Item"]["v"]["N"]


def test_single_item_writes_of_a_held_item_fail_with_transaction_conflict(held, access_key):
    srv, _ = held
    bg = Background(srv, access_key, transfer)
    c = free_client(srv, access_key)

    calls = [
        lambda: c.put_item(TableName="acct", Item={"pk": S("x"), "v": N(99)}),
        lambda: c.update_item(TableName="acct", Key={"pk": S("y")}, UpdateExpression="SET v = :n",
                              ExpressionAttributeValues={":n": N(99)}),
        lambda: c.delete_item(TableName="acct", Key={"pk": S("x")}),
    ]
    for call in calls:
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "TransactionConflictException"
        assert err.value.response["Error"]["Message"] == ONGOING

    # An item outside the transaction is not held up.
    start = time.monotonic()
    c.put_item(TableName="acct", Item={"pk": S("free"), "v": N(5)})
    assert time.monotonic() - start < HOLD_MS / 1000 / 2

    bg.result()
    assert time.monotonic() - bg.started >= HOLD_MS / 1000
    # The transaction applied; none of the rejected writes did.
    assert value(c, "x") == "10"
    assert value(c, "y") == "-10"
    assert value(c, "free") == "5"


def test_transactions_meeting_a_held_item_are_cancelled_with_transaction_conflict(held,
                                                                                  access_key):
    srv, slow = held
    bg = Background(srv, access_key, transfer)
    c = free_client(srv, access_key)

    with pytest.raises(ClientError) as err:
        c.transact_write_items(TransactItems=[
            {"Put": {"TableName": "acct", "Item": {"pk": S("new"), "v": N(1)}}},
            {"ConditionCheck": {"TableName": "acct", "Key": {"pk": S("free")},
                                "ConditionExpression": "attribute_exists(pk)"}},
            {"Update": {"TableName": "acct", "Key": {"pk": S("y")}, "UpdateExpression": "SET v = :n",
                        "ExpressionAttributeValues": {":n": N(7)}}},
        ])
    e = err.value.response
    assert e["Error"]["Code"] == "TransactionCanceledException"
    assert e["Error"]["Message"] == CANCEL_PREFIX + "None, None, TransactionConflict]"
    assert e["CancellationReasons"] == [
        {"Code": "None"}, {"Code": "None"},
        {"Code": "TransactionConflict", "Message": ONGOING},
    ]

    with pytest.raises(ClientError) as err:
        c.transact_get_items(TransactItems=[
            {"Get": {"TableName": "acct", "Key": {"pk": S("free")}}},
            {"Get": {"TableName": "acct", "Key": {"pk": S("x")}}},
        ])
    e = err.value.response
    assert e["Error"]["Code"] == "TransactionCanceledException"
    assert e["Error"]["Message"] == CANCEL_PREFIX + "None, TransactionConflict]"
    assert e["CancellationReasons"] == [{"Code": "None"},
                                        {"Code": "TransactionConflict", "Message": ONGOING}]

    # Reads that are not transactional see the state before the transaction, without waiting.
    assert value(c, "x") == "0"

    bg.result()
    assert value(c, "x") == "10"
    assert value(c, "y") == "-10"
    # The cancelled transaction wrote nothing.
    assert "Item" not in c.get_item(TableName="acct", Key={"pk": S("new")})
    # And with the transaction over, the same requests go through (holding for HOLD_MS too).
    slow.transact_write_items(TransactItems=[
        {"Update": {"TableName": "acct", "Key": {"pk": S("y")}, "UpdateExpression": "SET v = :n",
                    "ExpressionAttributeValues": {":n": N(7)}}},
    ])
    assert value(c, "y") == "7"


def test_batch_write_waits_for_the_transaction_instead_of_failing(held, access_key):
    srv, c = held  # c: the default 10 s timeout, for a call that waits
    bg = Background(srv, access_key, transfer)
    free_client(srv, access_key)
    resp = c.batch_write_item(RequestItems={"acct": [
        {"PutRequest": {"Item": {"pk": S("x"), "v": N(1000)}}},
        {"PutRequest": {"Item": {"pk": S("other"), "v": N(1)}}},
    ]})
    assert resp["UnprocessedItems"] == {}
    bg.result()
    # The batch came after the transaction: its write of x is the last one.
    assert value(c, "x") == "1000"
    assert value(c, "y") == "-10"


def test_client_request_token_while_the_first_request_runs(held, access_key):
    srv, _ = held
    bg = Background(srv, access_key, lambda client: transfer(client, token="tok-1"))
    c = free_client(srv, access_key)
    with pytest.raises(ClientError) as err:
        transfer(c, token="tok-1")
    assert err.value.response["Error"]["Code"] == "TransactionInProgressException"
    assert err.value.response["Error"]["Message"] == \
        "The transaction with the given request token is already in progress."
    first = bg.result()

    # Done: the same token answers again without applying again (no hold: nothing runs).
    again = transfer(c, token="tok-1")
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert {k: v for k, v in again.items() if k != "ResponseMetadata"} == \
        {k: v for k, v in first.items() if k != "ResponseMetadata"}
    assert value(c, "x") == "10"
    assert value(c, "y") == "-10"


def test_cancelled_request_token_can_be_retried(server, access_key):
    c = server.client(access_key)
    create_table(c, "acct")
    request = dict(TransactItems=[
        {"Put": {"TableName": "acct", "Item": {"pk": S("a"), "v": N(1)},
                 "ConditionExpression": "attribute_exists(pk)"}},
    ], ClientRequestToken="retry-me")
    with pytest.raises(ClientError) as err:
        c.transact_write_items(**request)
    assert err.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert err.value.response["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]
    # The condition now holds; the identical request with the same token runs again.
    c.put_item(TableName="acct", Item={"pk": S("a"), "v": N(0)})
    c.transact_write_items(**request)
    assert c.get_item(TableName="acct", Key={"pk": S("a")})["Item"]["v"] == N(1)
    # Succeeded once: a third call answers without applying (v stays 1 after we change it).
    c.put_item(TableName="acct", Item={"pk": S("a"), "v": N(5)})
    c.transact_write_items(**request)
    assert c.get_item(TableName="acct", Key={"pk": S("a")})["Item"]["v"] == N(5)
