"""Time to Live: UpdateTimeToLive / DescribeTimeToLive, and the background expiry of items seen in
the table, its global secondary indexes and its stream.

DynamoDB behaviour checked:
- a table's TTL is DISABLED (no AttributeName) until UpdateTimeToLive enables it; the response
  echoes the TimeToLiveSpecification; DescribeTimeToLive then reports ENABLED (ENABLING first
  is allowed) with the AttributeName; disabling reports DISABLED (DISABLING first is allowed);
- enabling an enabled TTL is a ValidationException "TimeToLive is already enabled"; disabling a
  disabled one "TimeToLive is already disabled"; an unknown table is ResourceNotFoundException;
  an empty AttributeName breaks its length constraint;
- an item whose TTL attribute is a Number of epoch seconds in the past is deleted in the
  background; items whose TTL is in the future, that lack the attribute, whose attribute is not a
  Number, or whose TTL is more than five years in the past are never deleted;
- an item that has expired but is not yet deleted is still returned by GetItem, Query and Scan;
- a table whose TTL is disabled keeps its expired items;
- the deletion removes the item from its global secondary index too;
- the deletion writes a REMOVE stream record (OldImage, no NewImage) whose userIdentity is
  {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}; a user's DeleteItem writes a
  REMOVE record without userIdentity.
Cairn's hook --ttl-interval SECONDS sets how often the expirer sweeps (DynamoDB: within days);
every wait here polls every 0.1 s and fails after 10 s.
"""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import CLIENT_CONFIG, create_table

POLL_S = 0.1
DEADLINE_S = 10.0
FIVE_YEARS_S = 5 * 365 * 24 * 3600
DAY_S = 24 * 3600


def error_of(excinfo):
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


@pytest.fixture
def fast(make_server, access_key):
    """A client for a server of the test's own that sweeps every 0.2 s."""
    return make_server("--ttl-interval", "0.2").client(access_key)


def enable_ttl(client, table, attribute="exp"):
    resp = client.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": attribute})
    assert resp["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": attribute}


def wait_until(predicate, what):
    deadline = time.monotonic() + DEADLINE_S
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)


def exists(client, table, key):
    return "Item" in client.get_item(TableName=table, Key=key, ConsistentRead=True)


def wait_for_full_sweeps(client, table):
    """Returns once a whole sweep has run after the call: an expired sentinel item is deleted,
    twice in a row (the second sentinel can only be seen by a sweep that started after the first
    one was deleted)."""
    for i in range(2):
        key = {"pk": {"S": f"sentinel{i}"}}
        client.put_item(TableName=table, Item={**key, "exp": {"N": str(int(time.time()) - 60)}})
        wait_until(lambda: not exists(client, table, key), "the sentinel to expire")


# --------------------------------------------------------------------------------------------------
# UpdateTimeToLive / DescribeTimeToLive.


def test_ttl_is_disabled_by_default(client):
    create_table(client, "ttl_tbl")
    assert client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}


def test_enable_and_disable(client):
    create_table(client, "ttl_tbl")
    enable_ttl(client, "ttl_tbl", "expires_at")
    wait_until(lambda: client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"]
               ["TimeToLiveStatus"] != "ENABLING", "ENABLED")
    assert client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    with pytest.raises(ClientError) as e:
        client.update_time_to_live(TableName="ttl_tbl", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires_at"})
    assert error_of(e) == ("ValidationException", "TimeToLive is already enabled")

    resp = client.update_time_to_live(TableName="ttl_tbl", TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "expires_at"})
    assert resp["TimeToLiveSpecification"] == {"Enabled": False, "AttributeName": "expires_at"}
    wait_until(lambda: client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"]
               ["TimeToLiveStatus"] != "DISABLING", "DISABLED")
    assert client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"][
        "TimeToLiveStatus"] == "DISABLED"


def test_disabling_a_disabled_ttl_is_an_error(client):
    create_table(client, "ttl_tbl")
    with pytest.raises(ClientError) as e:
        client.update_time_to_live(TableName="ttl_tbl", TimeToLiveSpecification={
            "Enabled": False, "AttributeName": "exp"})
    assert error_of(e) == ("ValidationException", "TimeToLive is already disabled")
    assert client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}


def test_unknown_table(client):
    with pytest.raises(ClientError) as e:
        client.describe_time_to_live(TableName="nosuchtable")
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        client.update_time_to_live(TableName="nosuchtable", TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_empty_attribute_name(client, raw):
    create_table(client, "ttl_tbl")
    r = raw.request("UpdateTimeToLive", {"TableName": "ttl_tbl", "TimeToLiveSpecification": {
        "Enabled": True, "AttributeName": ""}})
    assert r.status == 400 and r.error_type == "ValidationException", r
    assert r.message == ("1 validation error detected: Value '' at "
                         "'timeToLiveSpecification.attributeName' failed to satisfy constraint: "
                         "Member must have length greater than or equal to 1")
    assert client.describe_time_to_live(TableName="ttl_tbl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}


# --------------------------------------------------------------------------------------------------
# Expiry.


def test_expired_items_are_deleted_and_others_stay(fast):
    create_table(fast, "ttl_tbl")
    enable_ttl(fast, "ttl_tbl")
    now = int(time.time())
    expire = {
        "past": {"N": str(now - 60)},
        "just_past": {"N": str(now - 1)},
        "fraction": {"N": f"{now - 60}.75"},
        "four_years": {"N": str(now - 4 * 365 * DAY_S)},
    }
    stay = {
        "future": {"N": str(now + 3600)},
        "far_future": {"N": str(now + 100 * 365 * DAY_S)},
        "six_years": {"N": str(now - FIVE_YEARS_S - 365 * DAY_S)},
        "string": {"S": str(now - 60)},
        # "The TTL attribute's value must be a top-level Number data type"; NOT SURE that DynamoDB
        # has no special case for a list or set of numbers.
        "list": {"L": [{"N": str(now - 60)}]},
        "number_set": {"NS": [str(now - 60)]},
    }
    items = [{"pk": {"S": name}, "exp": value, "data": {"S": name}}
             for name, value in {**expire, **stay}.items()]
    items.append({"pk": {"S": "none"}, "data": {"S": "no exp attribute"}})
    items.append({"pk": {"S": "other_attr"}, "ttl": {"N": str(now - 60)}})  # not the TTL attribute
    resp = fast.batch_write_item(RequestItems={"ttl_tbl": [{"PutRequest": {"Item": i}}
                                                           for i in items]})
    assert resp["UnprocessedItems"] == {}
    for name in expire:
        wait_until(lambda: not exists(fast, "ttl_tbl", {"pk": {"S": name}}), f"{name} to expire")
    wait_for_full_sweeps(fast, "ttl_tbl")
    left = fast.scan(TableName="ttl_tbl", ConsistentRead=True)["Items"]
    assert sorted(i["pk"]["S"] for i in left) == sorted([*stay, "none", "other_attr"])
    kept = {i["pk"]["S"]: i for i in left}
    for name, value in stay.items():
        assert kept[name] == {"pk": {"S": name}, "exp": value, "data": {"S": name}}


def test_expired_but_not_yet_deleted_items_are_returned(make_server, access_key):
    client = make_server("--ttl-interval", "3600").client(access_key)
    create_table(client, "ttl_tbl", range_key=("sk", "N"))
    enable_ttl(client, "ttl_tbl")
    item = {"pk": {"S": "p"}, "sk": {"N": "1"}, "exp": {"N": str(int(time.time()) - 60)}}
    client.put_item(TableName="ttl_tbl", Item=item)
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    assert client.get_item(TableName="ttl_tbl", Key=key)["Item"] == item
    assert client.get_item(TableName="ttl_tbl", Key=key, ConsistentRead=True)["Item"] == item
    q = client.query(TableName="ttl_tbl", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})
    assert q["Items"] == [item]
    assert client.scan(TableName="ttl_tbl")["Items"] == [item]
    got = client.batch_get_item(RequestItems={"ttl_tbl": {"Keys": [key]}})
    assert got["Responses"]["ttl_tbl"] == [item]


def test_disabled_ttl_keeps_expired_items(fast):
    create_table(fast, "ttl_off")
    create_table(fast, "ttl_on")
    enable_ttl(fast, "ttl_off")
    fast.update_time_to_live(TableName="ttl_off", TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "exp"})
    enable_ttl(fast, "ttl_on")
    key = {"pk": {"S": "old"}}
    fast.put_item(TableName="ttl_off", Item={**key, "exp": {"N": str(int(time.time()) - 60)}})
    wait_for_full_sweeps(fast, "ttl_on")  # sweeps cover every table
    assert exists(fast, "ttl_off", key)


def test_expiry_removes_the_item_from_a_gsi(fast):
    fast.create_table(
        TableName="ttl_gsi",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    fast.get_waiter("table_exists").wait(TableName="ttl_gsi")
    enable_ttl(fast, "ttl_gsi")
    now = int(time.time())
    live = {"pk": {"S": "live"}, "g": {"S": "grp"}, "exp": {"N": str(now + 3600)}}
    dead = {"pk": {"S": "dead"}, "g": {"S": "grp"}, "exp": {"N": str(now - 60)}}
    fast.put_item(TableName="ttl_gsi", Item=live)
    fast.put_item(TableName="ttl_gsi", Item=dead)

    def in_index():
        resp = fast.query(TableName="ttl_gsi", IndexName="by_g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "grp"}})
        return sorted(i["pk"]["S"] for i in resp["Items"])

    wait_until(lambda: not exists(fast, "ttl_gsi", {"pk": {"S": "dead"}}), "dead to expire")
    wait_until(lambda: in_index() == ["live"], "the index entry to go")  # GSIs are eventual
    resp = fast.query(TableName="ttl_gsi", IndexName="by_g", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "grp"}})
    assert resp["Items"] == [live]


def test_expiry_writes_a_service_remove_record(make_server, access_key):
    srv = make_server("--ttl-interval", "0.2")
    client = srv.client(access_key)
    streams = srv.session(access_key).client("dynamodbstreams", endpoint_url=srv.endpoint,
                                             config=CLIENT_CONFIG)
    desc = create_table(client, "ttl_stream", StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = desc["LatestStreamArn"]
    enable_ttl(client, "ttl_stream")
    dead = {"pk": {"S": "dead"}, "exp": {"N": str(int(time.time()) - 60)}, "v": {"S": "x"}}
    manual = {"pk": {"S": "manual"}, "v": {"S": "y"}}
    client.put_item(TableName="ttl_stream", Item=dead)
    client.put_item(TableName="ttl_stream", Item=manual)
    client.delete_item(TableName="ttl_stream", Key={"pk": {"S": "manual"}})
    wait_until(lambda: not exists(client, "ttl_stream", {"pk": {"S": "dead"}}), "dead to expire")

    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    deadline = time.monotonic() + DEADLINE_S
    while len(records) < 4:
        resp = streams.get_records(ShardIterator=it)
        records.extend(resp["Records"])
        it = resp["NextShardIterator"]
        if not resp["Records"]:
            assert time.monotonic() < deadline, records
            time.sleep(POLL_S)
    assert streams.get_records(ShardIterator=it)["Records"] == []  # nothing more
    removes = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in records if r["eventName"] == "REMOVE"}
    assert sorted(removes) == ["dead", "manual"]
    by_ttl = removes["dead"]
    assert by_ttl["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert by_ttl["dynamodb"]["OldImage"] == dead
    assert "NewImage" not in by_ttl["dynamodb"]
    assert by_ttl["eventSource"] == "aws:dynamodb"
    assert "userIdentity" not in removes["manual"]
    assert removes["manual"]["dynamodb"]["OldImage"] == manual
    inserts = [r for r in records if r["eventName"] == "INSERT"]
    assert all("userIdentity" not in r for r in inserts) and len(inserts) == 2
