"""Seed 000: setting up DynamoDB with boto3 sessions, resources and clients.

DynamoDB behaviour checked (the tutorial in shared/seeds/000_*.txt, run against Cairn):
- boto3.Session with explicit keys and a region (us-west-2, us-east-1) gives working resource and
  client objects; so do boto3.resource('dynamodb') / boto3.client('dynamodb') with default
  credentials from the environment.
- Items of one table may carry different attribute sets (the Users table: Bob has no age, Charlie no
  email); an absent attribute is absent on read, not null.
- Tables belong to a region and an account: a table created in us-west-2 is not seen in us-east-1
  with the same keys, and another access key does not see it (DynamoDB Local namespaces by access
  key and region, and so does Cairn); with --shared-db every credential and region sees one
  namespace.
"""

from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import CLIENT_CONFIG, SECRET_KEY, unique_access_key

USERS = [
    {"user_id": 1, "name": "Alice", "email": "alice@example.com", "age": 30,
     "location": "New York"},
    {"user_id": 2, "name": "Bob", "email": "bob@example.com", "location": "Los Angeles"},
    {"user_id": 3, "name": "Charlie", "age": 25, "location": "Chicago"},
]


def as_stored(user):
    """What the resource API reads back: numbers come back as Decimal."""
    return {k: Decimal(v) if isinstance(v, int) else v for k, v in user.items()}


def create_users_table(dynamodb):
    table = dynamodb.create_table(
        TableName="Users",
        KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "N"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    table.wait_until_exists()
    table.reload()  # the resource caches the CreateTable answer (CREATING in DynamoDB)
    return table


def test_session_with_explicit_credentials_and_region(server):
    session = boto3.Session(
        aws_access_key_id=unique_access_key(),
        aws_secret_access_key="YOUR_SECRET_ACCESS_KEY",
        region_name="us-west-2",
    )
    assert session.region_name == "us-west-2"
    dynamodb_resource = session.resource("dynamodb", endpoint_url=server.endpoint,
                                         config=CLIENT_CONFIG)
    dynamodb_client = session.client("dynamodb", endpoint_url=server.endpoint,
                                     config=CLIENT_CONFIG)
    assert dynamodb_client.meta.region_name == "us-west-2"
    assert dynamodb_resource.meta.client.meta.region_name == "us-west-2"
    # A fresh namespace has no tables.
    assert dynamodb_client.list_tables()["TableNames"] == []
    assert list(dynamodb_resource.tables.all()) == []


def test_session_for_another_region(server):
    session_us_east_1 = boto3.Session(
        aws_access_key_id=unique_access_key(),
        aws_secret_access_key="ANOTHER_SECRET_ACCESS_KEY",
        region_name="us-east-1",
    )
    dynamodb_resource_us_east_1 = session_us_east_1.resource(
        "dynamodb", endpoint_url=server.endpoint, config=CLIENT_CONFIG)
    dynamodb_client_us_east_1 = session_us_east_1.client(
        "dynamodb", endpoint_url=server.endpoint, config=CLIENT_CONFIG)
    table = create_users_table(dynamodb_resource_us_east_1)
    assert table.table_status == "ACTIVE"
    # The client and the resource of one session share the namespace.
    assert dynamodb_client_us_east_1.list_tables()["TableNames"] == ["Users"]
    desc = dynamodb_client_us_east_1.describe_table(TableName="Users")["Table"]
    assert desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/Users"


def test_default_resource_and_client_from_environment(server, monkeypatch, tmp_path):
    key = unique_access_key()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    default_dynamodb_resource = boto3.resource("dynamodb", endpoint_url=server.endpoint,
                                               config=CLIENT_CONFIG)
    default_dynamodb_client = boto3.client("dynamodb", endpoint_url=server.endpoint,
                                           config=CLIENT_CONFIG)
    create_users_table(default_dynamodb_resource)
    assert default_dynamodb_client.list_tables()["TableNames"] == ["Users"]
    # The same namespace as an explicit session with those keys and that region.
    explicit = server.client(key, region="us-west-2")
    assert explicit.list_tables()["TableNames"] == ["Users"]


def test_users_table_with_varying_attributes(resource, client):
    table = create_users_table(resource)
    for user in USERS:
        table.put_item(Item=user)

    for user in USERS:
        item = table.get_item(Key={"user_id": user["user_id"]})["Item"]
        assert item == as_stored(user)
    bob = table.get_item(Key={"user_id": 2})["Item"]
    assert "age" not in bob
    charlie = table.get_item(Key={"user_id": 3})["Item"]
    assert "email" not in charlie

    items = table.scan()["Items"]
    assert sorted(items, key=lambda i: i["user_id"]) == [as_stored(u) for u in USERS]

    # The low-level client shows the same items in DynamoDB JSON.
    got = client.get_item(TableName="Users", Key={"user_id": {"N": "3"}})["Item"]
    assert got == {"user_id": {"N": "3"}, "name": {"S": "Charlie"}, "age": {"N": "25"},
                   "location": {"S": "Chicago"}}


def test_regions_are_isolated(server):
    key = unique_access_key()
    west = server.client(key, region="us-west-2")
    east = server.client(key, region="us-east-1")
    west.create_table(
        TableName="RegionTable",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    west.put_item(TableName="RegionTable", Item={"pk": {"S": "k"}, "where": {"S": "west"}})
    assert west.list_tables()["TableNames"] == ["RegionTable"]
    assert east.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        east.describe_table(TableName="RegionTable")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == (
        "Requested resource not found: Table: RegionTable not found")
    with pytest.raises(ClientError) as e:
        east.get_item(TableName="RegionTable", Key={"pk": {"S": "k"}})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"

    # The same name in the other region is another table.
    east.create_table(
        TableName="RegionTable",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert "Item" not in east.get_item(TableName="RegionTable", Key={"pk": {"S": "k"}})
    east.put_item(TableName="RegionTable", Item={"pk": {"S": "k"}, "where": {"S": "east"}})
    assert west.get_item(TableName="RegionTable", Key={"pk": {"S": "k"}})["Item"]["where"] == {
        "S": "west"}
    assert (west.describe_table(TableName="RegionTable")["Table"]["TableArn"] ==
            "arn:aws:dynamodb:us-west-2:000000000000:table/RegionTable")


def test_access_keys_are_isolated(server):
    a = server.client(unique_access_key())
    b = server.client(unique_access_key())
    a.create_table(
        TableName="Mine",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert a.list_tables()["TableNames"] == ["Mine"]
    assert b.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        b.put_item(TableName="Mine", Item={"pk": {"S": "x"}})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Requested resource not found"


def test_shared_db_shares_tables_across_keys_and_regions(make_server):
    srv = make_server("--shared-db")
    a = srv.client(unique_access_key(), region="us-west-2")
    b = srv.client(unique_access_key(), region="us-east-1")
    a.create_table(
        TableName="Shared",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    a.put_item(TableName="Shared", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    assert b.list_tables()["TableNames"] == ["Shared"]
    assert b.get_item(TableName="Shared", Key={"pk": {"S": "k"}})["Item"] == {
        "pk": {"S": "k"}, "v": {"N": "1"}}
    with pytest.raises(ClientError) as e:
        b.create_table(
            TableName="Shared",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    assert e.value.response["Error"]["Code"] == "ResourceInUseException"
