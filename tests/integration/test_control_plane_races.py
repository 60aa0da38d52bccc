"""Control-plane changes racing each other: none is lost, none is undone.

DynamoDB behaviour checked:
- each control-plane call changes only what it names: TagResource/UntagResource change the tags,
  UpdateTimeToLive the TTL, UpdateTable the throughput, stream or indexes. Calls made at the same
  time on one table all take effect, as if made one after the other;
- a global secondary index added by UpdateTable goes CREATING -> ACTIVE once its backfill is done,
  even while the table's tags keep changing; ListTagsOfResource then shows exactly what the last
  TagResource/UntagResource calls left;
- UpdateTimeToLive and an UpdateTable changing ProvisionedThroughput (and enabling or disabling the
  stream) at the same moment: DescribeTimeToLive and DescribeTable show both changes;
- many concurrent UpdateTable (throughput) and TagResource calls: every tag is there and the
  throughput is the one the last UpdateTable set.
Every call is made with boto3 from threads started together; every wait is bounded.
DynamoDB itself serializes some of these calls by refusing them (ResourceInUseException while a
table is UPDATING; TTL changed at most once an hour); Cairn, like DynamoDB Local, applies each at
once, and what is checked here is that it applies all of them.
"""

import threading
import time

from conftest import all_pages, create_table, load

WAIT_S = 30.0
POLL_S = 0.05


def run_together(*jobs):
    """Runs each job (a callable) in its own thread, all released at once; re-raises the first
    exception any of them raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def wrap(job):
        try:
            barrier.wait(timeout=WAIT_S)
            job()
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT_S * 2)
        assert not t.is_alive(), "a job did not finish"
    if errors:
        raise errors[0]


def table_arn(client, table):
    return client.describe_table(TableName=table)["Table"]["TableArn"]


def tags_of(client, arn):
    # Every page (ListTagsOfResource pages its answer: test_tags.py).
    pages = client.get_paginator("list_tags_of_resource").paginate(ResourceArn=arn)
    return {t["Key"]: t["Value"] for page in pages for t in page["Tags"]}


def index_status(client, table, index):
    for g in client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", []):
        if g["IndexName"] == index:
            return g["IndexStatus"]
    return None


def test_tags_changed_during_gsi_backfill(server, access_key):
    # Two tables at once, each backfilling a new GSI over 3000 items while two threads keep
    # tagging and untagging it (each thread its own keys, so the final tags are known).
    tables, items, taggers = ["backfill0", "backfill1"], 3000, 2
    client = server.client(access_key)
    arns = {}
    for table in tables:
        create_table(client, table)
        load(client, table, [{"pk": {"S": f"k{i}"}, "g": {"S": f"g{i % 17}"}}
                             for i in range(items)])
        arns[table] = table_arn(client, table)
    active = {table: threading.Event() for table in tables}
    expected = {table: {} for table in tables}  # what each table's tag calls leave, in order

    def tag_loop(table, tagger, c):
        # Until the index is ACTIVE, then a few more rounds: bounded either way.
        i, extra, deadline = 0, 5, time.monotonic() + WAIT_S
        while extra > 0 and time.monotonic() < deadline:
            if active[table].is_set():
                extra -= 1
            key = f"a{tagger}-{i % 6}"
            c.tag_resource(ResourceArn=arns[table], Tags=[{"Key": key, "Value": str(i)}])
            expected[table][key] = str(i)
            if i % 3 == 2:
                gone = f"a{tagger}-{(i + 1) % 6}"
                c.untag_resource(ResourceArn=arns[table], TagKeys=[gone])
                expected[table].pop(gone, None)
            i += 1

    def add_index_and_wait(table, c):
        try:
            resp = c.update_table(
                TableName=table,
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "g", "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {
                    "IndexName": "by_g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}}])
            [g] = resp["TableDescription"]["GlobalSecondaryIndexes"]
            assert g["IndexStatus"] in ("CREATING", "ACTIVE")
            deadline = time.monotonic() + WAIT_S
            while index_status(c, table, "by_g") != "ACTIVE":
                assert time.monotonic() < deadline, f"index by_g of {table} still not ACTIVE"
                time.sleep(POLL_S)
        finally:
            active[table].set()

    jobs = []
    for table in tables:
        jobs.append(lambda table=table, c=server.client(access_key): add_index_and_wait(table, c))
        for tagger in range(taggers):
            jobs.append(lambda table=table, tagger=tagger, c=server.client(access_key):
                        tag_loop(table, tagger, c))
    run_together(*jobs)
    for table in tables:
        # ACTIVE for good (a stale tag write cannot set it back to CREATING), and complete.
        assert index_status(client, table, "by_g") == "ACTIVE"
        assert sum(page["Count"] for page in all_pages(client.scan, TableName=table,
                                                       IndexName="by_g", Select="COUNT")) == items
        assert tags_of(client, arns[table]) == expected[table], table


def test_ttl_and_update_table_both_kept(server, access_key):
    client = server.client(access_key)
    ttl_client = server.client(access_key)
    create_table(client, "ttlrace")
    for n in range(1, 25):
        ttl_on = n % 2 == 1
        stream_on = n % 4 in (1, 2)  # TTL and stream states go through all four combinations

        def update_table(n=n, stream_on=stream_on):
            client.update_table(
                TableName="ttlrace",
                ProvisionedThroughput={"ReadCapacityUnits": 5 + n, "WriteCapacityUnits": 50 - n},
                StreamSpecification=({"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
                                     if stream_on else {"StreamEnabled": False}))

        def update_ttl(ttl_on=ttl_on):
            ttl_client.update_time_to_live(
                TableName="ttlrace",
                TimeToLiveSpecification={"Enabled": ttl_on, "AttributeName": "expires"})

        if n % 4 in (1, 3):  # the stream changes every other round
            run_together(update_table, update_ttl)
        else:
            run_together(lambda n=n: client.update_table(
                TableName="ttlrace",
                ProvisionedThroughput={"ReadCapacityUnits": 5 + n, "WriteCapacityUnits": 50 - n}),
                update_ttl)
        table = client.describe_table(TableName="ttlrace")["Table"]
        assert (table["ProvisionedThroughput"]["ReadCapacityUnits"],
                table["ProvisionedThroughput"]["WriteCapacityUnits"]) == (5 + n, 50 - n), n
        stream_now = table.get("StreamSpecification", {}).get("StreamEnabled", False)
        assert stream_now == (n % 4 in (1, 2)), n
        ttl = client.describe_time_to_live(TableName="ttlrace")["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] in (("ENABLED", "ENABLING") if ttl_on
                                           else ("DISABLED", "DISABLING")), (n, ttl)
        if ttl_on:
            assert ttl["AttributeName"] == "expires"


def test_concurrent_update_table_and_tags_lose_nothing(server, access_key):
    # Three tables at once, each with four taggers (48 distinct tags: DynamoDB allows 50) and one
    # UpdateTable caller changing the throughput and switching the stream on and off.
    tables, tag_threads, tags_each, updates = ["busy0", "busy1", "busy2"], 4, 12, 15
    client = server.client(access_key)
    arns = {}
    for table in tables:
        create_table(client, table)
        arns[table] = table_arn(client, table)
    jobs = []
    for table in tables:
        for t in range(tag_threads):
            def tagger(table=table, t=t, c=server.client(access_key)):
                for i in range(tags_each):
                    c.tag_resource(ResourceArn=arns[table],
                                   Tags=[{"Key": f"t{t}-{i}", "Value": f"v{i}"}])
            jobs.append(tagger)

        def updater(table=table, c=server.client(access_key)):
            for n in range(1, updates + 1):
                c.update_table(
                    TableName=table,
                    ProvisionedThroughput={"ReadCapacityUnits": 5 + n, "WriteCapacityUnits": 5 + n},
                    StreamSpecification=({"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
                                         if n % 2 else {"StreamEnabled": False}))
        jobs.append(updater)

    run_together(*jobs)
    for table in tables:
        assert tags_of(client, arns[table]) == {f"t{t}-{i}": f"v{i}" for t in range(tag_threads)
                                                for i in range(tags_each)}, table
        desc = client.describe_table(TableName=table)["Table"]
        tp = desc["ProvisionedThroughput"]
        assert (tp["ReadCapacityUnits"], tp["WriteCapacityUnits"]) == (5 + updates, 5 + updates)
        assert desc["StreamSpecification"]["StreamEnabled"] is True  # the 15th call enabled it
