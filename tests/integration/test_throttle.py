"""--throttle: DynamoDB's capacity as token buckets (throttle/throttler.h). A provisioned table or
GSI refills at its capacity per second and keeps up to 300 s of unused capacity (burst); an
on-demand table is limited to its OnDemandThroughput maximum (else DynamoDB's per-table default)
without burst. A request runs while its buckets hold capacity, then takes exactly what its
ConsumedCapacity says (reads: 4 KB units, halved when eventually consistent; writes: 1 KB units);
over the limit DynamoDB answers ProvisionedThroughputExceededException (HTTP 400) with its
message, and a throttled write changes nothing.
"""

import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import unique_access_key
from test_faults import count_attempts, retrying_client

PTEE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                "Consider increasing your provisioning level with the UpdateTable API.")


@pytest.fixture
def throttled(make_server):
    return make_server("--throttle", "--in-memory")


def provisioned(client, name, rcu, wcu):
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": rcu,
                                               "WriteCapacityUnits": wcu})


def expect_throttled(call):
    with pytest.raises(ClientError) as e:
        call()
    err = e.value.response
    assert err["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert err["Error"]["Message"] == PTEE_MESSAGE
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400


def seconds_until_admitted(call, limit=10):
    """Calls `call` every 50 ms until it is not throttled; returns the seconds that took."""
    started = time.monotonic()
    while True:
        try:
            call()
            return time.monotonic() - started
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert time.monotonic() - started < limit
        time.sleep(0.05)


def big_item(key, kb):
    return {"pk": {"S": key}, "blob": {"S": "x" * (kb * 1024 - 100)}}


def test_write_debt_is_paid_at_the_provisioned_rate(throttled):
    """WCU 4: a 10 KB item (10 WCU) runs on the 4 units a new table holds and leaves a debt of
    6; the next write waits for the refill (6 units at 4 per second: 1.5 s)."""
    c = throttled.client(unique_access_key())
    provisioned(c, "Orders", 5, 4)
    resp = c.put_item(TableName="Orders", Item=big_item("big", 10), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 10.0  # figures stay exact
    expect_throttled(lambda: c.put_item(TableName="Orders", Item={"pk": {"S": "small"}}))
    # The throttled write changed nothing.
    assert "Item" not in c.get_item(TableName="Orders", Key={"pk": {"S": "small"}},
                                     ConsistentRead=True)
    waited = seconds_until_admitted(
        lambda: c.put_item(TableName="Orders", Item={"pk": {"S": "small"}}))
    assert 1.2 <= waited <= 2.5, waited
    assert "Item" in c.get_item(TableName="Orders", Key={"pk": {"S": "small"}},
                                ConsistentRead=True)


def test_throttled_update_changes_nothing(throttled):
    c = throttled.client(unique_access_key())
    provisioned(c, "Counters", 50, 1)
    c.put_item(TableName="Counters", Item=big_item("k", 4))  # 4 WCU on 1: debt 3
    expect_throttled(lambda: c.update_item(
        TableName="Counters", Key={"pk": {"S": "k"}}, UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}}))
    expect_throttled(lambda: c.delete_item(TableName="Counters", Key={"pk": {"S": "k"}}))
    expect_throttled(lambda: c.batch_write_item(RequestItems={"Counters": [
        {"PutRequest": {"Item": {"pk": {"S": "b"}}}}]}))
    expect_throttled(lambda: c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Counters", "Item": {"pk": {"S": "t"}}}}]))
    items = c.scan(TableName="Counters", ConsistentRead=True)["Items"]
    assert [i["pk"]["S"] for i in items] == ["k"] and "n" not in items[0]


def test_reads_are_charged_in_4kb_units(throttled):
    """RCU 5: a consistent Scan of ~30 KB costs 8 units (debt 3: 0.6 s at 5 per second); an
    eventually consistent one costs half."""
    c = throttled.client(unique_access_key())
    provisioned(c, "Reads", 5, 1000)
    for i in range(6):
        c.put_item(TableName="Reads", Item=big_item(f"r{i}", 5))
    time.sleep(1.1)  # the bucket refills (and keeps what it does not use: burst)
    # Spend whatever accumulated, then measure from an empty bucket.
    while True:
        try:
            c.scan(TableName="Reads", ConsistentRead=True)
        except ClientError:
            break
    waited = seconds_until_admitted(lambda: c.get_item(TableName="Reads",
                                                       Key={"pk": {"S": "r0"}}))
    assert waited > 0.2, waited  # the debt of the last Scan (up to 8 units) was paid first


def test_burst_keeps_unused_capacity_but_on_demand_maximum_does_not(throttled):
    key = unique_access_key()
    c = throttled.client(key)
    provisioned(c, "Bursty", 5, 10)
    # Debian's botocore predates OnDemandThroughput: sent by hand.
    r = throttled.raw(key).request("CreateTable", {
        "TableName": "OnDemand", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST", "OnDemandThroughput": {"MaxWriteRequestUnits": 5}})
    assert r.status == 200, r
    c.put_item(TableName="Bursty", Item={"pk": {"S": "warm"}})
    c.put_item(TableName="OnDemand", Item={"pk": {"S": "warm"}})
    time.sleep(1.5)
    # Bursty: 10 per second, 1.5 s unused -> about 24 units: 19 quick writes all run.
    for i in range(19):
        c.put_item(TableName="Bursty", Item={"pk": {"S": f"b{i}"}})
    # OnDemand: at most 5 per second, no burst: 8 quick writes cannot all run.
    with pytest.raises(ClientError) as e:
        for i in range(8):
            c.put_item(TableName="OnDemand", Item={"pk": {"S": f"o{i}"}})
    assert e.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_gsi_capacity_throttles_table_writes_and_its_own_reads(throttled):
    c = throttled.client(unique_access_key())
    c.create_table(
        TableName="Indexed", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
        GlobalSecondaryIndexes=[{
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}])
    item = big_item("a", 9)
    item["g"] = {"S": "x"}
    resp = c.put_item(TableName="Indexed", Item=item, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"]["GlobalSecondaryIndexes"]["byG"]["CapacityUnits"] == 9.0
    # The GSI is in debt: every write to the table is throttled, even one it would not index.
    expect_throttled(lambda: c.put_item(TableName="Indexed", Item={"pk": {"S": "plain"}}))
    # Reads of the table are not; a Query of the GSI takes the GSI's read bucket.
    c.get_item(TableName="Indexed", Key={"pk": {"S": "a"}})
    c.query(TableName="Indexed", IndexName="byG", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "x"}})  # 9 KB eventually: 1.5 units, debt 0.5
    expect_throttled(lambda: c.query(TableName="Indexed", IndexName="byG",
                                     KeyConditionExpression="g = :g",
                                     ExpressionAttributeValues={":g": {"S": "x"}}))
    c.get_item(TableName="Indexed", Key={"pk": {"S": "a"}})


def test_sdk_retries_through_throttling(throttled):
    key = unique_access_key()
    provisioned(throttled.client(key), "Retried", 5, 2)
    c = retrying_client(throttled, key, max_attempts=8)
    attempts = count_attempts(c, "PutItem")
    c.put_item(TableName="Retried", Item=big_item("big", 4))  # debt 2: 1 s at 2 per second
    resp = c.put_item(TableName="Retried", Item={"pk": {"S": "next"}})
    assert resp["ResponseMetadata"]["RetryAttempts"] >= 1
    assert len(attempts) == 2 + resp["ResponseMetadata"]["RetryAttempts"]
    assert "Item" in c.get_item(TableName="Retried", Key={"pk": {"S": "next"}},
                                ConsistentRead=True)


def test_capacity_raised_by_update_table_applies_at_once(throttled):
    c = throttled.client(unique_access_key())
    provisioned(c, "Raised", 5, 1)
    c.put_item(TableName="Raised", Item=big_item("big", 3))  # debt 2 at 1 per second
    expect_throttled(lambda: c.put_item(TableName="Raised", Item={"pk": {"S": "n"}}))
    c.update_table(TableName="Raised",
                   ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 40})
    assert seconds_until_admitted(
        lambda: c.put_item(TableName="Raised", Item={"pk": {"S": "n"}})) < 0.5


def test_without_throttle_nothing_is_throttled(make_server):
    s = make_server("--in-memory")
    c = s.client(unique_access_key())
    provisioned(c, "Free", 1, 1)
    for i in range(30):
        c.put_item(TableName="Free", Item=big_item(f"f{i}", 2))
    assert c.scan(TableName="Free", Select="COUNT", ConsistentRead=True)["Count"] == 30
