"""Instant reset and whole-database snapshots for test suites (--admin; the admin API's
/cairn/admin/reset and /cairn/admin/snapshots): drop every table of a namespace (or all) and
their streams in one call, without restarting; save the database once and restore it before each
test.
"""

import http.client
import json
import time

import pytest
from botocore.exceptions import ClientError

from conftest import HOST, REGION, create_table, unique_access_key
from test_faults import admin


@pytest.fixture
def admin_server(make_server):
    return make_server("--admin")


def make_plain_tables(client, count, prefix="t"):
    for i in range(count):
        client.create_table(TableName=f"{prefix}{i:03d}",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST",
                            StreamSpecification={"StreamEnabled": True,
                                                 "StreamViewType": "NEW_IMAGE"})


def timed_reset(server, body):
    """POST /cairn/admin/reset over a connection already open (as a test suite's fixture keeps
    one between tests): returns (client-side seconds, status, answer)."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", "/cairn/admin/snapshots")  # opens the connection
        conn.getresponse().read()
        data = json.dumps(body)
        started = time.perf_counter()
        conn.request("POST", "/cairn/admin/reset", body=data,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        payload = r.read()
        wall = time.perf_counter() - started
        return wall, r.status, json.loads(payload)
    finally:
        conn.close()


def test_reset_of_100_tables_in_under_10_ms(admin_server):
    """The issue's figure, measured by the client: a reset of 100 tables (each with an item and
    a stream) between two tests in under 10 ms, round trip. Three rounds; the best must be under
    10 ms, client-side and server-side (the machine is shared: one round may be descheduled)."""
    mine, theirs = unique_access_key(), unique_access_key()
    c, other = admin_server.client(mine), admin_server.client(theirs)
    create_table(other, "Kept")
    other.put_item(TableName="Kept", Item={"pk": {"S": "k"}})
    s = admin_server.session(mine).client("dynamodbstreams", endpoint_url=admin_server.endpoint,
                                          region_name=REGION)
    walls, servers = [], []
    for _ in range(3):
        make_plain_tables(c, 100)
        for i in range(100):
            c.put_item(TableName=f"t{i:03d}", Item={"pk": {"S": "x"}})
        assert len(s.list_streams(Limit=100)["Streams"]) == 100
        wall, status, body = timed_reset(admin_server, {"access_key_id": mine, "region": REGION})
        assert status == 200, body
        assert body["tables_dropped"] == 100
        walls.append(wall * 1000)
        servers.append(body["microseconds"] / 1000)
        assert c.list_tables()["TableNames"] == []
        assert s.list_streams()["Streams"] == []
    print(f"reset of 100 tables: client round trip {', '.join(f'{w:.2f}' for w in walls)} ms; "
          f"server-side {', '.join(f'{x:.2f}' for x in servers)} ms")
    assert min(walls) < 10, walls
    assert min(servers) < 10, servers

    with pytest.raises(ClientError) as e:
        c.get_item(TableName="t000", Key={"pk": {"S": "x"}})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # The other namespace is untouched.
    assert other.list_tables()["TableNames"] == ["Kept"]
    assert other.get_item(TableName="Kept", Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}}
    # A table of a dropped name starts empty.
    make_plain_tables(c, 1)
    assert c.scan(TableName="t000")["Items"] == []


def test_reset_of_everything_and_by_namespace_name(admin_server):
    a, b = unique_access_key(), unique_access_key()
    create_table(admin_server.client(a), "Aaa")
    create_table(admin_server.client(b), "Bbb")
    # {"namespace": ...} names it as the server does: "<key length>:<key>:<region>".
    status, body = admin(admin_server, "POST", "reset", {"namespace": f"{len(a)}:{a}:{REGION}"})
    assert (status, body["tables_dropped"]) == (200, 1)
    assert admin_server.client(a).list_tables()["TableNames"] == []
    assert admin_server.client(b).list_tables()["TableNames"] == ["Bbb"]
    status, body = admin(admin_server, "POST", "reset")
    assert (status, body["tables_dropped"]) == (200, 1)
    assert admin_server.client(b).list_tables()["TableNames"] == []
    # Nothing left: a no-op.
    assert admin(admin_server, "POST", "reset", {})[1]["tables_dropped"] == 0
    # Bad bodies and methods.
    assert admin(admin_server, "POST", "reset", {"access_key_id": a})[0] == 400
    assert admin(admin_server, "POST", "reset", {"tables": 1})[0] == 400
    assert admin(admin_server, "POST", "reset", "[1")[0] == 400
    assert admin(admin_server, "GET", "reset")[0] == 405


def test_reset_survives_restart(admin_server):
    key = unique_access_key()
    c = admin_server.client(key)
    make_plain_tables(c, 3)
    admin(admin_server, "POST", "reset")
    admin_server.restart()
    assert admin_server.client(key).list_tables()["TableNames"] == []


def describe(client, name):
    d = client.describe_table(TableName=name)["Table"]
    return d


def full_scan(client, name, **kwargs):
    items = client.scan(TableName=name, ConsistentRead=True, **kwargs)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i.get("sk", {}).get("N", "")))


def test_snapshot_restore_round_trip(admin_server):
    """Save, change everything, restore: tables, indexes, stream settings, TTL, tags and items
    are exactly as saved; restore again (as a fixture does before each test)."""
    key = unique_access_key()
    c = admin_server.client(key)
    c.create_table(
        TableName="Orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        GlobalSecondaryIndexes=[{
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}],
        LocalSecondaryIndexes=[{
            "IndexName": "byG2",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "g", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        Tags=[{"Key": "env", "Value": "test"}])
    c.update_time_to_live(TableName="Orders",
                          TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    for i in range(20):
        c.put_item(TableName="Orders", Item={"pk": {"S": f"p{i % 4}"}, "sk": {"N": str(i)},
                                             "g": {"S": f"g{i % 3}"},
                                             "data": {"B": bytes([i]) * 10},
                                             "m": {"M": {"l": {"L": [{"N": "1.5"}]}}}})
    create_table(c, "Small")
    before = {n: describe(c, n) for n in ("Orders", "Small")}
    items = full_scan(c, "Orders")
    gsi = c.query(TableName="Orders", IndexName="byG", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "g1"}})["Items"]
    ttl = c.describe_time_to_live(TableName="Orders")["TimeToLiveDescription"]
    tags = c.list_tags_of_resource(ResourceArn=before["Orders"]["TableArn"])["Tags"]

    status, body = admin(admin_server, "POST", "snapshots/base")
    assert status == 200 and body["name"] == "base" and body["keys"] > 40
    assert admin(admin_server, "GET", "snapshots")[1]["snapshots"] == [
        {"name": "base", "keys": body["keys"], "bytes": body["bytes"]}]

    for _ in range(2):
        # Change everything.
        c.put_item(TableName="Orders", Item={"pk": {"S": "new"}, "sk": {"N": "0"},
                                             "g": {"S": "g1"}})
        c.delete_item(TableName="Orders", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
        c.update_table(TableName="Orders",
                       StreamSpecification={"StreamEnabled": False})
        c.delete_table(TableName="Small")
        create_table(c, "Extra")

        status, body = admin(admin_server, "POST", "snapshots/base/restore")
        assert status == 200, body
        assert sorted(c.list_tables()["TableNames"]) == ["Orders", "Small"]
        for n in ("Orders", "Small"):
            assert describe(c, n) == before[n]
        assert full_scan(c, "Orders") == items
        assert c.query(TableName="Orders", IndexName="byG", KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {"S": "g1"}})["Items"] == gsi
        assert c.describe_time_to_live(TableName="Orders")["TimeToLiveDescription"] == ttl
        assert c.list_tags_of_resource(ResourceArn=before["Orders"]["TableArn"])["Tags"] == tags
        # Writes after a restore work, and new tables get fresh ids (no stale data).
        c.put_item(TableName="Small", Item={"pk": {"S": "after"}})
        create_table(c, "Extra")
        assert c.scan(TableName="Extra")["Items"] == []
        c.delete_table(TableName="Extra")


def test_snapshot_restore_survives_restart_and_errors(admin_server):
    key = unique_access_key()
    c = admin_server.client(key)
    create_table(c, "Keep")
    c.put_item(TableName="Keep", Item={"pk": {"S": "a"}})
    assert admin(admin_server, "POST", "snapshots/one")[0] == 200
    c.put_item(TableName="Keep", Item={"pk": {"S": "b"}})
    assert admin(admin_server, "POST", "snapshots/one/restore")[0] == 200
    admin_server.restart()
    assert full_scan(c, "Keep") == [{"pk": {"S": "a"}}]
    # Snapshots live in the server's memory: gone after a restart.
    assert admin(admin_server, "POST", "snapshots/one/restore")[0] == 404
    assert admin(admin_server, "DELETE", "snapshots/one")[0] == 404
    assert admin(admin_server, "POST", "snapshots/two")[0] == 200
    assert admin(admin_server, "DELETE", "snapshots/two") == (200, {})
    assert admin(admin_server, "GET", "snapshots")[1] == {"snapshots": []}
    assert admin(admin_server, "PUT", "snapshots/two")[0] == 405
    assert admin(admin_server, "GET", "snapshots/two/restore")[0] == 405
    assert admin(admin_server, "POST", "snapshots/a/b")[0] == 404
