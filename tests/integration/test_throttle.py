"""--throttle: DynamoDB's capacity as token buckets (throttle/throttler.h). A provisioned table or
GSI refills at its capacity per second and keeps up to 300 s of unused capacity (burst); an
on-demand table is limited to its OnDemandThroughput maximum (else DynamoDB's per-table default)
without burst. A request runs while its buckets hold capacity, then takes exactly what its
ConsumedCapacity says (reads: 4 KB units, halved when eventually consistent; writes: 1 KB units);
over the limit DynamoDB answers ProvisionedThroughputExceededException (HTTP 400) with its
message, and a throttled write changes nothing. Per partition key besides: 3,000 RCU and 1,000 WCU
per second, whatever the table's capacity. The control plane: the request rates DynamoDB
documents (ThrottlingException) and its 500 simultaneous table operations (LimitExceededException).
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


# --------------------------------------------------------------------------------------------------
# Per-partition limits: 3,000 RCU and 1,000 WCU per second per partition key, whatever the table's
# capacity ("a hot partition key is throttled even when the table has capacity to spare").

ON_DEMAND_HOT_KEY_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
    "scaling your table or index so please try again shortly. If exceptions persist, check if "
    "you have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "bp-partition-key-design.html")


def on_demand(client, name, sort_key=False):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs.append({"AttributeName": "sk", "AttributeType": "N"})
    client.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=defs,
                        BillingMode="PAY_PER_REQUEST")


def count_key(client, table, pk):
    """The items of partition key `pk`, over every page (1 MB each)."""
    pages = client.get_paginator("query").paginate(
        TableName=table, KeyConditionExpression="pk = :p", Select="COUNT", ConsistentRead=True,
        ExpressionAttributeValues={":p": {"S": pk}})
    return sum(page["Count"] for page in pages)


def write_until_throttled(call, limit=100):
    """Calls `call` (which returns its consumed units) until it is throttled; returns the units
    consumed, the seconds that took, and the error."""
    units, started = 0.0, time.monotonic()
    for _ in range(limit):
        try:
            units += call()
        except ClientError as e:
            return units, time.monotonic() - started, e.response
    raise AssertionError(f"never throttled after {units} units")


def test_hot_partition_key_writes_are_throttled_at_1000_wcu(throttled):
    """An on-demand table (40,000 WCU for the table): 200-WCU writes to one partition key run
    on its 1,000 units (plus what refilled at 1,000 per second meanwhile, plus the last write's
    overrun), then the key is throttled with the on-demand message, while another key of the
    same table writes at once. The debt is paid at 1,000 units per second."""
    c = throttled.client(unique_access_key())
    on_demand(c, "Hot", sort_key=True)
    n = [0]

    def put(pk):
        n[0] += 1
        resp = c.put_item(TableName="Hot", Item={**big_item(pk, 200), "sk": {"N": str(n[0])}},
                          ReturnConsumedCapacity="TOTAL")
        return resp["ConsumedCapacity"]["CapacityUnits"]

    units, seconds, err = write_until_throttled(lambda: put("hot"))
    assert err["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert err["Error"]["Message"] == ON_DEMAND_HOT_KEY_MESSAGE
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    # Token-bucket arithmetic: admitted while the bucket (1,000 at the start, refilled at 1,000
    # per second) held more than 0, each write taking 200.
    assert 1000 <= units <= 1000 + 1000 * seconds + 200, (units, seconds)
    print(f"hot key: {units} WCU admitted in {seconds * 1000:.0f} ms before throttling")
    assert count_key(c, "Hot", "hot") == units / 200  # the throttled write changed nothing
    # The table has capacity to spare: another partition key writes at once.
    assert put("cold") == 200.0
    # The hot key's debt (at most one write's 200 units) is paid within 0.2 s at 1,000/s (the
    # bound leaves room for a busy machine).
    waited = seconds_until_admitted(lambda: put("hot"))
    assert waited <= 1.0, waited


def test_hot_partition_key_reads_are_throttled_at_3000_rcu(throttled):
    """A provisioned table of 40,000 RCU: strongly consistent reads of one ~390 KB item (98 RCU
    each) on one key are throttled after about 3,000 RCU, with the provisioned message; a Query
    of that key is held up too (same partition), a Query of another key is not."""
    c = throttled.client(unique_access_key())
    c.create_table(TableName="HotRead", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   ProvisionedThroughput={"ReadCapacityUnits": 40000,
                                          "WriteCapacityUnits": 40000})
    c.put_item(TableName="HotRead", Item=big_item("hot", 390))
    c.put_item(TableName="HotRead", Item=big_item("cold", 390))

    def get():
        resp = c.get_item(TableName="HotRead", Key={"pk": {"S": "hot"}}, ConsistentRead=True,
                          ReturnConsumedCapacity="TOTAL")
        return resp["ConsumedCapacity"]["CapacityUnits"]

    calls = [0]

    def get_or_query():  # both read the same partition, and are charged to it
        calls[0] += 1
        if calls[0] % 2:
            return get()
        resp = c.query(TableName="HotRead", KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": {"S": "hot"}}, ConsistentRead=True,
                       ReturnConsumedCapacity="TOTAL")
        return resp["ConsumedCapacity"]["CapacityUnits"]

    assert get() == 98.0  # ceil(~390 KB / 4 KB)
    units, seconds, err = write_until_throttled(get_or_query)
    units += 98
    assert err["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert err["Error"]["Message"] == PTEE_MESSAGE
    assert 3000 <= units <= 3000 + 3000 * seconds + 98, (units, seconds)
    print(f"hot key: {units} RCU admitted in {seconds * 1000:.0f} ms before throttling")
    # The table has capacity to spare: another key reads at once.
    assert c.query(TableName="HotRead", KeyConditionExpression="pk = :p", ConsistentRead=True,
                   ExpressionAttributeValues={":p": {"S": "cold"}})["Count"] == 1


@pytest.mark.parametrize("mode", ["standard", "adaptive"])
def test_sdk_retries_through_a_hot_partition(throttled, mode):
    """boto3 in both retry modes: a write to a hot key that is throttled is retried with
    backoff until the partition's refill admits it; the retries are counted."""
    key = unique_access_key()
    on_demand(throttled.client(key), "Retried", sort_key=True)
    c = retrying_client(throttled, key, mode=mode, max_attempts=10)
    attempts = count_attempts(c, "PutItem")
    for i in range(5):  # 5 x 200 WCU: the partition's 1,000, no retry needed yet
        c.put_item(TableName="Retried", Item={**big_item("hot", 200), "sk": {"N": str(i)}})
    retried = 0
    for i in range(5, 12):
        resp = c.put_item(TableName="Retried", Item={**big_item("hot", 200), "sk": {"N": str(i)}})
        retried += resp["ResponseMetadata"]["RetryAttempts"]
    assert retried >= 1
    assert len(attempts) == 12 + retried
    assert count_key(c, "Retried", "hot") == 12


# --------------------------------------------------------------------------------------------------
# The control plane: documented request rates (ThrottlingException) and simultaneous table
# operations (LimitExceededException).

THROTTLING_MESSAGE = "Rate of requests exceeds the allowed throughput."


def test_control_plane_rates_answer_throttling_exception(throttled):
    """TagResource: 5 per second per account; ListTagsOfResource: 10; DescribeLimits: once a
    minute. Over the rate: ThrottlingException, HTTP 400; another account is not held up; boto3's
    standard mode retries it to success."""
    key = unique_access_key()
    c = throttled.client(key)
    arn = c.create_table(TableName="Tagged",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    no_retry = throttled.session(key).client("dynamodb", endpoint_url=throttled.endpoint,
                                             config=Config(retries={"max_attempts": 0}))
    n = [0]

    def tag():
        n[0] += 1
        no_retry.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{n[0]}", "Value": "v"}])
        return 1

    # Token-bucket arithmetic: 5 admitted at once, plus what refilled at 5 per second meanwhile.
    admitted, seconds, err = write_until_throttled(tag)
    assert err["Error"]["Code"] == "ThrottlingException"
    assert err["Error"]["Message"] == THROTTLING_MESSAGE
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert 5 <= admitted <= 5 + 5 * seconds, (admitted, seconds)
    tags = {t["Key"] for t in no_retry.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert len(tags) == admitted and f"k{n[0]}" not in tags  # the throttled one changed nothing

    def list_tags():
        no_retry.list_tags_of_resource(ResourceArn=arn)
        return 1

    admitted, seconds, err = write_until_throttled(list_tags)
    assert err["Error"]["Code"] == "ThrottlingException"
    assert 9 <= admitted <= 10 + 10 * seconds, (admitted, seconds)  # one was taken just above
    # DescribeLimits: once a minute.
    no_retry.describe_limits()
    with pytest.raises(ClientError) as e:
        no_retry.describe_limits()
    assert e.value.response["Error"]["Code"] == "ThrottlingException"
    assert throttled.client(unique_access_key()).describe_limits()["TableMaxReadCapacityUnits"]
    # Standard retry mode: ThrottlingException is retried with backoff until the rate admits it.
    retrying = retrying_client(throttled, key, max_attempts=10)
    attempts = count_attempts(retrying, "TagResource")
    retried = 0
    for i in range(8):
        resp = retrying.tag_resource(ResourceArn=arn, Tags=[{"Key": f"r{i}", "Value": "v"}])
        retried += resp["ResponseMetadata"]["RetryAttempts"]
    assert retried >= 1 and len(attempts) == 8 + retried
    # CreateTable has no documented rate: not throttled.
    for i in range(12):
        c.create_table(TableName=f"Many{i}", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")


def test_simultaneous_table_operations_are_limited(make_server):
    """--throttle with --delay-transient-statuses: DynamoDB's 500 simultaneous table operations
    (tables CREATING, UPDATING or DELETING) per account, and 250 creations with secondary
    indexes: beyond, LimitExceededException; another account is not held up."""
    s = make_server("--throttle", "--in-memory", "--delay-transient-statuses", "120000")
    key = unique_access_key()
    c = s.client(key)
    plain = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "g", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST")
    gsi = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    for i in range(250):
        c.create_table(TableName=f"x{i:03d}", GlobalSecondaryIndexes=gsi, **plain)
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="x250", GlobalSecondaryIndexes=gsi, **plain)
    err = e.value.response
    assert err["Error"]["Code"] == "LimitExceededException"
    assert err["Error"]["Message"] == (
        "Subscriber limit exceeded: Only 250 tables with secondary indexes can be in CREATING "
        "state at any given time. Please retry later.")
    plain["AttributeDefinitions"] = plain["AttributeDefinitions"][:1]
    for i in range(250):
        c.create_table(TableName=f"p{i:03d}", **plain)
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="p250", **plain)
    err = e.value.response
    assert err["Error"]["Code"] == "LimitExceededException"
    assert err["Error"]["Message"] == (
        "Subscriber limit exceeded: Only 500 tables can be created, updated, or deleted "
        "simultaneously")
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(c.list_tables(Limit=100)["TableNames"]) == 100
    with pytest.raises(ClientError) as e:
        c.describe_table(TableName="p250")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    other = s.client(unique_access_key())
    other.create_table(TableName="p250", **plain)
