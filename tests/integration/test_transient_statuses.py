"""--delay-transient-statuses MS (and DynamoDB Local's -delayTransientStatuses, which sets 2000):
tables are CREATING / UPDATING / DELETING, and a new GSI CREATING (Backfilling), for at least that
long, so boto3's waiters (table_exists, table_not_exists) run their polling loop as they do
against DynamoDB. Each status allows what DynamoDB allows: "You can perform read and write
operations only on an ACTIVE table" (CreateTable's reference), so the data plane answers a CREATING
table ResourceNotFoundException ("Requested resource not found"); "If a table is in CREATING or
UPDATING states, then DynamoDB returns a ResourceInUseException" (DeleteTable's); "While it is
UPDATING, you cannot issue another UpdateTable request" (UpdateTable's). Without the flag every
table is ACTIVE at once (the other tests).
"""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import unique_access_key

DELAY_S = 0.6
FAST_WAITER = {"Delay": 0.1, "MaxAttempts": 100}


def count_calls(client, operation):
    calls = []
    client.meta.events.register(f"before-send.dynamodb.{operation}",
                                lambda **kwargs: calls.append(time.monotonic()))
    return calls


def new_table(client, name="Waited"):
    return client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})


@pytest.fixture
def delayed(make_server):
    return make_server("--in-memory", "--delay-transient-statuses", str(int(DELAY_S * 1000)))


def test_create_table_is_creating_until_the_delay_passed(delayed):
    c = delayed.client(unique_access_key())
    started = time.monotonic()
    assert new_table(c)["TableDescription"]["TableStatus"] == "CREATING"
    assert c.describe_table(TableName="Waited")["Table"]["TableStatus"] == "CREATING"
    calls = count_calls(c, "DescribeTable")
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    assert time.monotonic() - started >= DELAY_S
    assert len(calls) >= 3  # the waiter polled while CREATING
    assert c.describe_table(TableName="Waited")["Table"]["TableStatus"] == "ACTIVE"


def test_update_table_is_updating_until_the_delay_passed(delayed):
    c = delayed.client(unique_access_key())
    new_table(c)
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    resp = c.update_table(TableName="Waited",
                          ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 6})
    assert resp["TableDescription"]["TableStatus"] == "UPDATING"
    d = c.describe_table(TableName="Waited")["Table"]
    assert d["TableStatus"] == "UPDATING"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 6
    calls = count_calls(c, "DescribeTable")
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    # table_exists succeeds on any existing table; poll for ACTIVE as applications do.
    deadline = time.monotonic() + 5
    while c.describe_table(TableName="Waited")["Table"]["TableStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert len(calls) >= 3


def test_delete_table_is_deleting_until_the_delay_passed(delayed):
    c = delayed.client(unique_access_key())
    new_table(c)
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    started = time.monotonic()
    assert c.delete_table(TableName="Waited")["TableDescription"]["TableStatus"] == "DELETING"
    assert c.describe_table(TableName="Waited")["Table"]["TableStatus"] == "DELETING"
    calls = count_calls(c, "DescribeTable")
    c.get_waiter("table_not_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    assert time.monotonic() - started >= DELAY_S
    assert len(calls) >= 3
    with pytest.raises(ClientError) as e:
        c.describe_table(TableName="Waited")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Created again: a new table, CREATING, not the deleted one.
    assert new_table(c)["TableDescription"]["TableStatus"] == "CREATING"
    assert c.describe_table(TableName="Waited")["Table"]["TableStatus"] == "CREATING"


def test_new_gsi_backfills_for_at_least_the_delay(delayed):
    c = delayed.client(unique_access_key())
    new_table(c)
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    c.put_item(TableName="Waited", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    started = time.monotonic()
    c.update_table(TableName="Waited", AttributeDefinitions=[
        {"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    [gsi] = c.describe_table(TableName="Waited")["Table"]["GlobalSecondaryIndexes"]
    assert gsi["IndexStatus"] == "CREATING" and gsi["Backfilling"] is True
    with pytest.raises(ClientError) as e:
        c.query(TableName="Waited", IndexName="byG", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "x"}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    deadline = time.monotonic() + 10
    while c.describe_table(TableName="Waited")["Table"]["GlobalSecondaryIndexes"][0][
            "IndexStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert time.monotonic() - started >= DELAY_S
    assert c.query(TableName="Waited", IndexName="byG", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 1


def expect_error(call, code, message):
    with pytest.raises(ClientError) as e:
        call()
    err = e.value.response
    assert err["Error"]["Code"] == code, err
    assert err["Error"]["Message"] == message, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400


def data_plane_calls(c, name):
    key = {"pk": {"S": "a"}}
    return {
        "PutItem": lambda: c.put_item(TableName=name, Item=key),
        "GetItem": lambda: c.get_item(TableName=name, Key=key),
        "UpdateItem": lambda: c.update_item(TableName=name, Key=key, UpdateExpression="SET v = :v",
                                            ExpressionAttributeValues={":v": {"N": "1"}}),
        "DeleteItem": lambda: c.delete_item(TableName=name, Key=key),
        "Query": lambda: c.query(TableName=name, KeyConditionExpression="pk = :p",
                                 ExpressionAttributeValues={":p": {"S": "a"}}),
        "Scan": lambda: c.scan(TableName=name),
        "BatchWriteItem": lambda: c.batch_write_item(
            RequestItems={name: [{"PutRequest": {"Item": key}}]}),
        "BatchGetItem": lambda: c.batch_get_item(RequestItems={name: {"Keys": [key]}}),
        "TransactGetItems": lambda: c.transact_get_items(
            TransactItems=[{"Get": {"TableName": name, "Key": key}}]),
    }


@pytest.fixture
def slow(make_server):
    """A longer delay, for tests that make many calls while a status lasts."""
    return make_server("--in-memory", "--delay-transient-statuses", "3000")


def test_creating_table_is_not_usable_until_active(slow):
    """A CREATING table: every read and write answers ResourceNotFoundException as DynamoDB's
    data plane does; UpdateTable and DeleteTable answer ResourceInUseException; table_exists
    waits it out, and then everything works."""
    c = slow.client(unique_access_key())
    new_table(c)
    for op, call in data_plane_calls(c, "Waited").items():
        expect_error(call, "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as e:
        c.transact_write_items(TransactItems=[{"Put": {"TableName": "Waited",
                                                       "Item": {"pk": {"S": "a"}}}}])
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    in_use = ("Attempt to change a resource which is still in use: Table is being created: "
              "Waited")
    expect_error(lambda: c.update_table(TableName="Waited", ProvisionedThroughput={
        "ReadCapacityUnits": 6, "WriteCapacityUnits": 6}), "ResourceInUseException", in_use)
    expect_error(lambda: c.delete_table(TableName="Waited"), "ResourceInUseException", in_use)
    # Nothing was written or changed meanwhile.
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    d = c.describe_table(TableName="Waited")["Table"]
    assert d["TableStatus"] == "ACTIVE" and d["ItemCount"] == 0
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    for op, call in data_plane_calls(c, "Waited").items():
        call()
    assert c.get_item(TableName="Waited", Key={"pk": {"S": "a"}},
                      ConsistentRead=True)["Item"] == {"pk": {"S": "a"}}


def test_updating_table_is_usable_but_not_changeable(slow):
    c = slow.client(unique_access_key())
    new_table(c)
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)
    c.update_table(TableName="Waited",
                   ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 6})
    assert c.describe_table(TableName="Waited")["Table"]["TableStatus"] == "UPDATING"
    for op, call in data_plane_calls(c, "Waited").items():
        call()  # reads and writes work while UPDATING
    in_use = ("Attempt to change a resource which is still in use: Table is being updated: "
              "Waited")
    expect_error(lambda: c.update_table(TableName="Waited", ProvisionedThroughput={
        "ReadCapacityUnits": 7, "WriteCapacityUnits": 7}), "ResourceInUseException", in_use)
    expect_error(lambda: c.delete_table(TableName="Waited"), "ResourceInUseException", in_use)
    # A request that is wrong on its own is still a ValidationException first.
    with pytest.raises(ClientError) as e:
        c.update_table(TableName="Waited")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    deadline = time.monotonic() + 10
    while c.describe_table(TableName="Waited")["Table"]["TableStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert c.update_table(TableName="Waited", ProvisionedThroughput={
        "ReadCapacityUnits": 7, "WriteCapacityUnits": 7})["TableDescription"]["TableStatus"] == \
        "UPDATING"
    deadline = time.monotonic() + 10
    while True:
        try:
            c.delete_table(TableName="Waited")
            break
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ResourceInUseException"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    c.get_waiter("table_not_exists").wait(TableName="Waited", WaiterConfig=FAST_WAITER)


def test_resource_waiter_and_deleting_table(delayed):
    """boto3's resource API: Table.wait_until_exists() polls through CREATING; a DELETING table
    is gone for the data plane at once."""
    key = unique_access_key()
    r = delayed.session(key).resource("dynamodb", endpoint_url=delayed.endpoint)
    t = r.create_table(TableName="Res", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
    assert t.table_status == "CREATING"
    t.meta.client.get_waiter("table_exists").wait(TableName="Res", WaiterConfig=FAST_WAITER)
    t.reload()
    assert t.table_status == "ACTIVE"
    t.put_item(Item={"pk": "a"})
    c = delayed.client(key)
    assert t.delete()["TableDescription"]["TableStatus"] == "DELETING"
    expect_error(lambda: c.get_item(TableName="Res", Key={"pk": {"S": "a"}}),
                 "ResourceNotFoundException", "Requested resource not found")


def test_dynamodb_local_flag_sets_a_two_second_delay(make_server):
    s = make_server("-inMemory", "-delayTransientStatuses")
    c = s.client(unique_access_key())
    started = time.monotonic()
    assert new_table(c)["TableDescription"]["TableStatus"] == "CREATING"
    c.get_waiter("table_exists").wait(TableName="Waited", WaiterConfig={"Delay": 0.25,
                                                                        "MaxAttempts": 40})
    assert 2.0 <= time.monotonic() - started < 6


def test_bad_delay_is_refused(make_server):
    import subprocess
    from conftest import CAIRN_BIN
    r = subprocess.run([CAIRN_BIN, "--delay-transient-statuses", "-5"], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode != 0 and "delay-transient-statuses" in r.stderr
