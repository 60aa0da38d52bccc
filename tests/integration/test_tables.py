"""The control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags,
limits, endpoints.

DynamoDB behaviour checked (with the boto3 client; raw HTTP where botocore 1.29 lacks a parameter):
- CreateTable (hash only, hash+range, PAY_PER_REQUEST, Tags) and DescribeTable's TableDescription:
  TableArn arn:aws:dynamodb:<region>:000000000000:table/<name> (DynamoDB Local's account id),
  TableId a UUID, CreationDateTime a timestamp, KeySchema, AttributeDefinitions, TableStatus ACTIVE,
  ProvisionedThroughput (NumberOfDecreasesToday 0; zeros for on-demand), BillingModeSummary for
  on-demand, ItemCount and TableSizeBytes;
- ListTables: names in byte order, Limit / ExclusiveStartTableName / LastEvaluatedTableName paging,
  and the list_tables paginator;
- UpdateTable: throughput, billing mode switch, DeletionProtectionEnabled;
- DeleteTable: answers the description of a deleted table (TableStatus DELETING; no schema,
  indexes, CreationDateTime or stream members: see test_delete_table), then the table is gone;
- TagResource / UntagResource / ListTagsOfResource; DescribeLimits; DescribeEndpoints;
- a table ARN is accepted wherever a TableName is;
- the table_exists / table_not_exists waiters return on their first poll (they poll every 20 s).
"""

import datetime
import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import REGION, create_table

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def arn(name, region=REGION):
    return f"arn:aws:dynamodb:{region}:000000000000:table/{name}"


def throughput(desc):
    t = desc["ProvisionedThroughput"]
    return (t["NumberOfDecreasesToday"], t["ReadCapacityUnits"], t["WriteCapacityUnits"])


def sorted_tags(tags):
    return sorted((t["Key"], t["Value"]) for t in tags)


# --------------------------------------------------------------------------------------------------
# CreateTable and DescribeTable.


def test_create_hash_only_table(client):
    before = datetime.datetime.now(datetime.timezone.utc)
    created = client.create_table(
        TableName="HashOnly",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
    )["TableDescription"]
    assert created["TableStatus"] in ("CREATING", "ACTIVE")  # DynamoDB: CREATING; Local: ACTIVE
    client.get_waiter("table_exists").wait(TableName="HashOnly")
    t = client.describe_table(TableName="HashOnly")["Table"]
    assert t["TableName"] == "HashOnly"
    assert t["TableArn"] == arn("HashOnly")
    assert UUID_RE.match(t["TableId"]), t["TableId"]
    assert isinstance(t["CreationDateTime"], datetime.datetime)
    assert before - datetime.timedelta(seconds=5) <= t["CreationDateTime"] <= (
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5))
    assert t["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert t["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert t["TableStatus"] == "ACTIVE"
    assert throughput(t) == (0, 5, 6)
    assert t["ItemCount"] == 0
    assert t["TableSizeBytes"] == 0
    assert "GlobalSecondaryIndexes" not in t
    assert "LocalSecondaryIndexes" not in t
    for k in ("TableName", "TableArn", "TableId", "CreationDateTime", "KeySchema",
              "AttributeDefinitions"):
        assert created[k] == t[k], k


def test_create_hash_and_range_table(client):
    client.create_table(
        TableName="Books",
        KeySchema=[{"AttributeName": "book_id", "KeyType": "HASH"},
                   {"AttributeName": "title", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "book_id", "AttributeType": "N"},
                              {"AttributeName": "title", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 10},
    )
    t = client.describe_table(TableName="Books")["Table"]
    assert t["KeySchema"] == [{"AttributeName": "book_id", "KeyType": "HASH"},
                              {"AttributeName": "title", "KeyType": "RANGE"}]
    assert sorted(t["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == [
        {"AttributeName": "book_id", "AttributeType": "N"},
        {"AttributeName": "title", "AttributeType": "S"}]
    assert throughput(t) == (0, 10, 10)
    assert t["TableArn"] == arn("Books")


def test_create_binary_key_table(client):
    create_table(client, "Bin", hash_key=("h", "B"), range_key=("r", "B"))
    t = client.describe_table(TableName="Bin")["Table"]
    assert sorted(t["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == [
        {"AttributeName": "h", "AttributeType": "B"}, {"AttributeName": "r", "AttributeType": "B"}]


def test_create_on_demand_table(client):
    created = client.create_table(
        TableName="OnDemand",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    assert created["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    t = client.describe_table(TableName="OnDemand")["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert throughput(t) == (0, 0, 0)
    assert t["TableStatus"] == "ACTIVE"


def test_create_table_with_tags(client):
    create_table(client, "Tagged", BillingMode="PAY_PER_REQUEST",
                 Tags=[{"Key": "team", "Value": "books"}, {"Key": "env", "Value": ""}])
    tags = client.list_tags_of_resource(ResourceArn=arn("Tagged"))["Tags"]
    assert sorted_tags(tags) == [("env", ""), ("team", "books")]


def test_table_ids_are_unique(client):
    create_table(client, "one")
    create_table(client, "two")
    a = client.describe_table(TableName="one")["Table"]["TableId"]
    b = client.describe_table(TableName="two")["Table"]["TableId"]
    assert a != b


def test_item_count_and_table_size(client):
    # DynamoDB itself refreshes these about every six hours; DynamoDB Local (and Cairn) at once.
    # Size of an item: the UTF-8 lengths of attribute names plus values: "pk"+"abc" + "s"+"hello"
    # = 2+3+1+5 = 11 bytes; the second: "pk"+"xy" + "s"+"héllo" (é is 2 bytes) = 2+2+1+6 = 11.
    create_table(client, "counted")
    client.put_item(TableName="counted", Item={"pk": {"S": "abc"}, "s": {"S": "hello"}})
    client.put_item(TableName="counted", Item={"pk": {"S": "xy"}, "s": {"S": "héllo"}})
    t = client.describe_table(TableName="counted")["Table"]
    assert (t["ItemCount"], t["TableSizeBytes"]) == (2, 22)
    client.delete_item(TableName="counted", Key={"pk": {"S": "abc"}})
    t = client.describe_table(TableName="counted")["Table"]
    assert (t["ItemCount"], t["TableSizeBytes"]) == (1, 11)


# --------------------------------------------------------------------------------------------------
# ListTables.


def test_list_tables_sorted(client):
    names = ["bbb", "aaa", "CCC", "aa_b", "aa-b", "aa.b", "000", "aaaa"]
    for n in names:
        create_table(client, n, BillingMode="PAY_PER_REQUEST")
    got = client.list_tables()
    assert got["TableNames"] == ["000", "CCC", "aa-b", "aa.b", "aa_b", "aaa", "aaaa", "bbb"]
    assert got["TableNames"] == sorted(names)  # byte order
    assert "LastEvaluatedTableName" not in got


def test_list_tables_paging(client):
    for i in range(1, 6):
        create_table(client, f"t{i}x", BillingMode="PAY_PER_REQUEST")
    page = client.list_tables(Limit=2)
    assert page["TableNames"] == ["t1x", "t2x"]
    assert page["LastEvaluatedTableName"] == "t2x"
    page = client.list_tables(Limit=2, ExclusiveStartTableName="t2x")
    assert page["TableNames"] == ["t3x", "t4x"]
    assert page["LastEvaluatedTableName"] == "t4x"
    page = client.list_tables(Limit=2, ExclusiveStartTableName="t4x")
    assert page["TableNames"] == ["t5x"]
    assert "LastEvaluatedTableName" not in page
    # The start name need not exist: listing starts after it in name order.
    page = client.list_tables(ExclusiveStartTableName="t3w")
    assert page["TableNames"] == ["t3x", "t4x", "t5x"]
    page = client.list_tables(ExclusiveStartTableName="t5x")
    assert page["TableNames"] == []
    assert "LastEvaluatedTableName" not in page


def test_list_tables_paginator(client):
    names = [f"table{i:02d}" for i in range(25)]
    for n in reversed(names):
        client.create_table(
            TableName=n,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    pages = list(client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 7}))
    assert [len(p["TableNames"]) for p in pages] == [7, 7, 7, 4]
    assert [n for p in pages for n in p["TableNames"]] == names
    assert [p.get("LastEvaluatedTableName") for p in pages] == [
        "table06", "table13", "table20", None]


# --------------------------------------------------------------------------------------------------
# UpdateTable.


def test_update_throughput(client):
    create_table(client, "tbl")
    resp = client.update_table(TableName="tbl", ProvisionedThroughput={"ReadCapacityUnits": 10,
                                                                     "WriteCapacityUnits": 20})
    assert resp["TableDescription"]["TableName"] == "tbl"
    assert resp["TableDescription"]["TableStatus"] in ("UPDATING", "ACTIVE")
    client.get_waiter("table_exists").wait(TableName="tbl")
    t = client.describe_table(TableName="tbl")["Table"]
    assert throughput(t)[1:] == (10, 20)
    assert t["TableStatus"] == "ACTIVE"


def test_update_billing_mode_to_on_demand(client):
    create_table(client, "tbl")
    client.update_table(TableName="tbl", BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName="tbl")
    t = client.describe_table(TableName="tbl")["Table"]
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert throughput(t)[1:] == (0, 0)
    client.put_item(TableName="tbl", Item={"pk": {"S": "still works"}})


def test_update_billing_mode_to_provisioned(client):
    create_table(client, "tbl", BillingMode="PAY_PER_REQUEST")
    client.update_table(TableName="tbl", BillingMode="PROVISIONED",
                        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    client.get_waiter("table_exists").wait(TableName="tbl")
    t = client.describe_table(TableName="tbl")["Table"]
    assert t.get("BillingModeSummary", {"BillingMode": "PROVISIONED"})["BillingMode"] == (
        "PROVISIONED")
    assert throughput(t)[1:] == (3, 4)


def test_update_deletion_protection(client, raw):
    create_table(client, "tbl")
    # botocore 1.29 predates DeletionProtectionEnabled (2023) and would drop it: raw HTTP.
    r = raw.request("DescribeTable", {"TableName": "tbl"})
    assert r.json["Table"]["DeletionProtectionEnabled"] is False
    r = raw.request("UpdateTable", {"TableName": "tbl", "DeletionProtectionEnabled": True})
    assert r.status == 200, r
    assert r.json["TableDescription"]["DeletionProtectionEnabled"] is True
    r = raw.request("DescribeTable", {"TableName": "tbl"})
    assert r.json["Table"]["DeletionProtectionEnabled"] is True
    with pytest.raises(ClientError) as e:
        client.delete_table(TableName="tbl")
    assert e.value.response["Error"]["Code"] == "ValidationException"
    r = raw.request("UpdateTable", {"TableName": "tbl", "DeletionProtectionEnabled": False})
    assert r.status == 200, r
    client.get_waiter("table_exists").wait(TableName="tbl")
    client.delete_table(TableName="tbl")


# --------------------------------------------------------------------------------------------------
# DeleteTable and waiters.


def test_delete_table(client):
    create_table(client, "gone", range_key=("sk", "N"))
    client.put_item(TableName="gone", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    table_id = client.describe_table(TableName="gone")["Table"]["TableId"]
    desc = client.delete_table(TableName="gone")["TableDescription"]
    # What DynamoDB answers for a deleted table. Sources: DeleteTable's example in the API
    # reference (TableName, TableStatus DELETING, ProvisionedThroughput, TableSizeBytes, ItemCount
    # and nothing else) and today's answers as SDK and tool logs show them, which add TableArn,
    # TableId, BillingModeSummary (on-demand tables) and DeletionProtectionEnabled. The schema
    # (AttributeDefinitions, KeySchema, the indexes), CreationDateTime and the stream members are
    # not in it.
    assert desc["TableStatus"] == "DELETING"
    assert desc["TableName"] == "gone"
    assert desc["TableArn"] == arn("gone")
    assert desc["TableId"] == table_id
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5,
                                             "WriteCapacityUnits": 5}
    assert (desc["TableSizeBytes"], desc["ItemCount"]) == (7, 1)  # pk "a" 3 bytes, sk 1 4 bytes
    # DeletionProtectionEnabled too: botocore 1.29's model drops it from what boto3 returns, so
    # test_errors.py::test_delete_table_with_deletion_protection reads it raw.
    for absent in ("AttributeDefinitions", "KeySchema", "CreationDateTime",
                   "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "StreamSpecification",
                   "LatestStreamArn", "LatestStreamLabel", "BillingModeSummary"):
        assert absent not in desc, absent
    started = time.monotonic()
    client.get_waiter("table_not_exists").wait(TableName="gone")
    assert time.monotonic() - started < 2
    assert client.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName="gone")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # A new table of the same name starts empty.
    create_table(client, "gone", range_key=("sk", "N"))
    assert client.scan(TableName="gone")["Items"] == []


def test_delete_on_demand_table_with_indexes_and_stream(client):
    client.create_table(
        TableName="busy", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "g")],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "by_g_local",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "g", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    desc = client.delete_table(TableName="busy")["TableDescription"]
    assert desc["TableStatus"] == "DELETING"
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0,
                                             "WriteCapacityUnits": 0}
    for absent in ("AttributeDefinitions", "KeySchema", "CreationDateTime",
                   "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "StreamSpecification",
                   "LatestStreamArn", "LatestStreamLabel"):
        assert absent not in desc, absent


def test_waiters_return_on_first_poll(client):
    client.create_table(
        TableName="waited",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    started = time.monotonic()
    client.get_waiter("table_exists").wait(TableName="waited")
    assert time.monotonic() - started < 2
    client.delete_table(TableName="waited")
    started = time.monotonic()
    client.get_waiter("table_not_exists").wait(TableName="waited")
    assert time.monotonic() - started < 2


# --------------------------------------------------------------------------------------------------
# Tags.


def test_tag_untag_list(client):
    create_table(client, "tbl")
    a = arn("tbl")
    assert client.list_tags_of_resource(ResourceArn=a)["Tags"] == []
    client.tag_resource(ResourceArn=a, Tags=[{"Key": "team", "Value": "books"},
                                             {"Key": "env", "Value": "test"}])
    assert sorted_tags(client.list_tags_of_resource(ResourceArn=a)["Tags"]) == [
        ("env", "test"), ("team", "books")]
    # Tagging an existing key replaces its value.
    client.tag_resource(ResourceArn=a, Tags=[{"Key": "env", "Value": "prod"}])
    assert sorted_tags(client.list_tags_of_resource(ResourceArn=a)["Tags"]) == [
        ("env", "prod"), ("team", "books")]
    # Untagging removes the named keys; an absent key is no error.
    client.untag_resource(ResourceArn=a, TagKeys=["team", "absent"])
    assert sorted_tags(client.list_tags_of_resource(ResourceArn=a)["Tags"]) == [("env", "prod")]


# --------------------------------------------------------------------------------------------------
# DescribeLimits, DescribeEndpoints.


def test_describe_limits(client):
    limits = client.describe_limits()
    limits.pop("ResponseMetadata")
    assert limits == {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }


def test_describe_endpoints(client):
    endpoints = client.describe_endpoints()["Endpoints"]
    assert len(endpoints) == 1
    assert endpoints[0]["CachePeriodInMinutes"] == 1440
    assert isinstance(endpoints[0]["Address"], str) and endpoints[0]["Address"]


# --------------------------------------------------------------------------------------------------
# A table ARN in place of a TableName.


def test_table_arn_as_table_name(client):
    create_table(client, "byarn")
    t = client.describe_table(TableName=arn("byarn"))["Table"]
    assert t["TableName"] == "byarn"
    assert t["TableArn"] == arn("byarn")
    client.put_item(TableName=arn("byarn"), Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert client.get_item(TableName=arn("byarn"), Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "v": {"N": "1"}}
    assert client.get_item(TableName="byarn", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}, "v": {"N": "1"}}
