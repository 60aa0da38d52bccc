"""Transactions survive kill -9 all or nothing.

DynamoDB behaviour checked: a TransactWriteItems is atomic ("either all of them succeed, or all of
them fail") and an acknowledged write is durable. Here: client threads stream transfers, each one
TransactWriteItems that moves 1 between two of 20 accounts and writes a marker item tx#<n> (with
its from/to) in the same transaction; the server is killed with SIGKILL after about a second of
traffic and restarted on the same data directory. Then:
- the sum of the balances is unchanged;
- every acknowledged transaction's marker is there;
- the balances are exactly those reconstructed from the markers present (each marker's transfer is
  applied, and no transfer is applied without its marker), so every transaction, including those in
  flight at the kill, is either fully applied or absent.
"""

import itertools
import random
import threading
import time

from botocore.exceptions import ClientError

from conftest import unique_access_key, scan_items

ACCOUNTS = 20
START = 1000
THREADS = 3
TRAFFIC_S = 1.0
MIN_ACKED = 20


def test_kill_9_during_transactions_is_all_or_nothing(make_server):
    server = make_server()
    access_key = unique_access_key()
    c = server.client(access_key)
    c.create_table(TableName="bank", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName="bank")
    accounts = [f"acct#{i}" for i in range(ACCOUNTS)]
    c.batch_write_item(RequestItems={"bank": [
        {"PutRequest": {"Item": {"pk": {"S": a}, "bal": {"N": str(START)}}}} for a in accounts]})

    numbers = itertools.count()
    acked = []          # (n, from, to) of every acknowledged transaction
    lock = threading.Lock()
    unexpected = []     # any answer other than success or a dead connection

    def stream(seed):
        cl = server.client(access_key)
        rng = random.Random(seed)
        while True:
            with lock:
                n = next(numbers)
            src, dst = rng.sample(accounts, 2)
            try:
                cl.transact_write_items(TransactItems=[
                    {"Update": {"TableName": "bank", "Key": {"pk": {"S": src}},
                                "UpdateExpression": "SET bal = bal - :one",
                                "ConditionExpression": "bal >= :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                    {"Update": {"TableName": "bank", "Key": {"pk": {"S": dst}},
                                "UpdateExpression": "SET bal = bal + :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                    {"Put": {"TableName": "bank",
                             "Item": {"pk": {"S": f"tx#{n}"}, "from": {"S": src},
                                      "to": {"S": dst}},
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                ])
            except ClientError as e:  # an answer from the server
                reasons = e.response.get("CancellationReasons", [])
                if any(r.get("Code") == "TransactionConflict" for r in reasons):
                    continue  # two transfers met on one account (more likely under load): retry
                unexpected.append(e)
                return
            except Exception:  # noqa: BLE001 - the connection died with the server: stop
                return
            with lock:
                acked.append((n, src, dst))

    threads = [threading.Thread(target=stream, args=(s,)) for s in range(THREADS)]
    for t in threads:
        t.start()
    # At least TRAFFIC_S of traffic and MIN_ACKED acknowledged transactions (bounded: a loaded
    # machine is slow, not stuck), then the kill.
    started = time.monotonic()
    while time.monotonic() - started < TRAFFIC_S or len(acked) < MIN_ACKED:
        assert time.monotonic() - started < 60, f"too little traffic: {len(acked)} in 60 s"
        assert all(t.is_alive() for t in threads), unexpected
        time.sleep(0.05)
    server.kill()  # SIGKILL
    for t in threads:
        t.join(timeout=15)
    assert not any(t.is_alive() for t in threads)
    assert not unexpected, unexpected
    assert len(acked) >= MIN_ACKED

    server.start()  # same data dir and port
    c = server.client(access_key)
    items = scan_items(c, "bank")
    balances = {it["pk"]["S"]: int(it["bal"]["N"]) for it in items if "bal" in it}
    markers = {int(it["pk"]["S"][3:]): (it["from"]["S"], it["to"]["S"])
               for it in items if it["pk"]["S"].startswith("tx#")}
    assert len(items) == len(balances) + len(markers)
    assert set(balances) == set(accounts)
    assert sum(balances.values()) == ACCOUNTS * START

    # Every acknowledged transaction is there, with the from/to it was sent with.
    for n, src, dst in acked:
        assert markers.get(n) == (src, dst), n
    # Markers only for transactions that were sent (acknowledged or in flight at the kill).
    assert len(markers) - len(acked) <= THREADS
    # Balances are exactly what the markers present say: no transfer without its marker, no
    # marker without its transfer.
    expected = {a: START for a in accounts}
    for src, dst in markers.values():
        expected[src] -= 1
        expected[dst] += 1
    assert balances == expected
