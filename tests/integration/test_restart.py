"""Durability across restarts of the server process.

DynamoDB behaviour checked: an acknowledged write is durable. For a local server that means:
- tables (with their descriptions: ARN, id, creation time, keys, throughput) and items survive a
  SIGTERM and a restart on the same --data-dir; deleted items and tables stay deleted;
- items survive `kill -9` sent right after the last acknowledged write (Cairn acknowledges a write
  once it is in RocksDB's write-ahead log, ARCHITECTURE.md);
- with --in-memory nothing survives a restart (as DynamoDB Local's -inMemory), and within one run
  every acknowledged write reads back, also once the data has moved from memory tables to table
  files (flushes and compactions happen in memory too).
Also Cairn's own contract: SIGTERM ends the process cleanly (exit code 0).
"""

import http.client
import time

import pytest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from conftest import HOST, create_table, free_port, unique_access_key, scan_items


def describe_stable(client, name):
    """The parts of a TableDescription that must not change across a restart."""
    t = client.describe_table(TableName=name)["Table"]
    return {k: t.get(k) for k in ("TableName", "TableArn", "TableId", "CreationDateTime",
                                  "KeySchema", "AttributeDefinitions", "TableStatus",
                                  "BillingModeSummary")} | {
        "Read": t["ProvisionedThroughput"]["ReadCapacityUnits"],
        "Write": t["ProvisionedThroughput"]["WriteCapacityUnits"]}


def test_sigterm_exits_cleanly(make_server):
    srv = make_server()
    c = srv.client(unique_access_key())
    create_table(c, "tbl")
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    assert srv.stop() == 0


def test_tables_and_items_survive_sigterm_restart(make_server):
    srv = make_server()
    key = unique_access_key()
    c = srv.client(key)
    create_table(c, "Books", hash_key=("book_id", "N"), range_key=("title", "S"))
    create_table(c, "OnDemand", BillingMode="PAY_PER_REQUEST")
    create_table(c, "Doomed")
    c.delete_table(TableName="Doomed")
    items = {
        ("1000", "Atomic habits"): {"book_id": {"N": "1000"}, "title": {"S": "Atomic habits"},
                                    "author": {"S": "James Clear"}, "year": {"N": "2019"}},
        ("1001", "Americanah"): {"book_id": {"N": "1001"}, "title": {"S": "Americanah"},
                                 "tags": {"SS": ["novel", "nigeria"]},
                                 "meta": {"M": {"pages": {"N": "588"},
                                                "formats": {"L": [{"S": "paper"},
                                                                  {"B": b"\x00\xff"}]}}}},
        ("1002", "Gone"): {"book_id": {"N": "1002"}, "title": {"S": "Gone"}},
    }
    for item in items.values():
        c.put_item(TableName="Books", Item=item)
    c.update_item(TableName="Books",
                  Key={"book_id": {"N": "1000"}, "title": {"S": "Atomic habits"}},
                  UpdateExpression="SET isbn = :i ADD #y :one",
                  ExpressionAttributeNames={"#y": "year"},  # YEAR is a reserved word
                  ExpressionAttributeValues={":i": {"S": "34526767"}, ":one": {"N": "1"}})
    c.delete_item(TableName="Books", Key={"book_id": {"N": "1002"}, "title": {"S": "Gone"}})
    c.put_item(TableName="OnDemand", Item={"pk": {"S": "x"}, "v": {"BOOL": True}})
    before = {name: describe_stable(c, name) for name in ("Books", "OnDemand")}

    assert srv.stop() == 0
    srv.start()
    c = srv.client(key)

    assert c.list_tables()["TableNames"] == ["Books", "OnDemand"]
    for name in ("Books", "OnDemand"):
        assert describe_stable(c, name) == before[name]
    expected_1000 = dict(items[("1000", "Atomic habits")], isbn={"S": "34526767"},
                         year={"N": "2020"})
    got = sorted(scan_items(c, "Books"), key=lambda i: i["book_id"]["N"])
    assert got == [expected_1000, items[("1001", "Americanah")]]
    assert c.get_item(TableName="OnDemand", Key={"pk": {"S": "x"}})["Item"] == {
        "pk": {"S": "x"}, "v": {"BOOL": True}}
    with pytest.raises(ClientError) as e:
        c.describe_table(TableName="Doomed")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Writes keep working after the restart.
    c.put_item(TableName="Books", Item={"book_id": {"N": "1003"}, "title": {"S": "New"}})
    assert len(scan_items(c, "Books")) == 3


def test_acknowledged_writes_survive_kill_9(make_server):
    srv = make_server()
    key = unique_access_key()
    c = srv.client(key)
    create_table(c, "tbl", hash_key=("pk", "S"), range_key=("sk", "N"))
    n = 500
    expected = {}
    for i in range(n):
        item = {"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "v": {"N": str(i * 3)},
                "s": {"S": "x" * (i % 50)}}
        c.put_item(TableName="tbl", Item=item)
        expected[(item["pk"]["S"], str(i))] = item
    # The very last acknowledged writes: an update and a delete.
    c.update_item(TableName="tbl", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}},
                  UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "-1"}})
    expected[("p0", "0")] = dict(expected[("p0", "0")], v={"N": "-1"})
    c.delete_item(TableName="tbl", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})
    del expected[("p1", "1")]
    create_table(c, "created_last")
    srv.kill()

    srv.start()
    c = srv.client(key)
    assert c.list_tables()["TableNames"] == ["created_last", "tbl"]
    got = {(i["pk"]["S"], i["sk"]["N"]): i for i in scan_items(c, "tbl")}
    assert len(got) == n - 1
    assert got == expected


def test_in_memory_keeps_nothing_across_restart(make_server):
    srv = make_server("--in-memory")
    key = unique_access_key()
    c = srv.client(key)
    create_table(c, "tbl")
    c.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    assert c.list_tables()["TableNames"] == ["tbl"]
    srv.restart()
    c = srv.client(key)
    assert c.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        c.get_item(TableName="tbl", Key={"pk": {"S": "a"}})
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def sst_bytes(metrics_port):
    """cairn_storage_sst_bytes: the bytes of RocksDB's live table files (in memory with
    --in-memory)."""
    conn = http.client.HTTPConnection(HOST, metrics_port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    for family in text_string_to_metric_families(text):
        if family.name == "cairn_storage_sst_bytes":
            return family.samples[0].value
    raise AssertionError("no cairn_storage_sst_bytes in /metrics")


def test_in_memory_reads_back_every_write_after_flushes_and_compactions(make_server):
    """About 70 MB written in memory: more than four 16 MB memory tables, so RocksDB flushes them
    to table files, and compacts those, inside the server's own memory. Every item reads back as
    last written, by GetItem and by Scan, and a deleted one stays deleted."""
    port = free_port()
    srv = make_server("--in-memory", "--metrics-port", str(port))
    c = srv.client(unique_access_key())
    create_table(c, "big", range_key=("sk", "N"))
    n, size = 48, 350_000  # 16.8 MB a round

    def value(i, r):
        return (f"{i:03d}.{r}." * (size // 8))[:size]

    for r in range(4):
        for i in range(n):
            c.put_item(TableName="big", Item={"pk": {"S": f"p{i % 6}"}, "sk": {"N": str(i)},
                                              "v": {"S": value(i, r)}, "round": {"N": str(r)}})
    c.update_item(TableName="big", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}},
                  UpdateExpression="SET #r = :r", ExpressionAttributeNames={"#r": "round"},
                  ExpressionAttributeValues={":r": {"N": "9"}})
    c.delete_item(TableName="big", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})
    # The data reached table files (flushes happen in the background: wait, bounded).
    deadline = time.monotonic() + 30
    while sst_bytes(port) < 32 << 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sst_bytes(port) >= 32 << 20
    for i in range(n):
        got = c.get_item(TableName="big", Key={"pk": {"S": f"p{i % 6}"}, "sk": {"N": str(i)}},
                         ConsistentRead=True).get("Item")
        if i == 1:
            assert got is None
            continue
        assert got["v"]["S"] == value(i, 3), i
        assert got["round"]["N"] == ("9" if i == 0 else "3")
    items = scan_items(c, "big")
    assert sorted(int(it["sk"]["N"]) for it in items) == [i for i in range(n) if i != 1]
    assert all(it["v"]["S"] == value(int(it["sk"]["N"]), 3) for it in items)
