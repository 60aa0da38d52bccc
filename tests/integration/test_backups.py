"""On-demand backups and point-in-time recovery: CreateBackup, DescribeBackup, ListBackups,
DeleteBackup, RestoreTableFromBackup and RestoreTableToPointInTime.

What DynamoDB documents (API reference; Developer Guide, "Backup and restore"): a backup is a
consistent snapshot of one table; CreateBackup answers BackupDetails (BackupStatus CREATING, then
AVAILABLE, with BackupSizeBytes); DescribeBackup adds SourceTableDetails and
SourceTableFeatureDetails (indexes, stream, TTL, SSE as they were). A restore creates a new table in
CREATING, with a RestoreSummary (SourceBackupArn or SourceTableArn, RestoreDateTime,
RestoreInProgress), that becomes ACTIVE when filled; the restored table has the source's schema,
indexes (or the overrides' choice), billing mode and encryption, but not its TTL, stream, tags or
PITR settings, which must be set again. ListBackups filters by TableName, time range (lower bound
inclusive, upper bound exclusive) and BackupType, and pages with Limit/ExclusiveStartBackupArn/
LastEvaluatedBackupArn. While PointInTimeRecoveryStatus is ENABLED, a table can be restored to any
moment of its window: the restored table holds exactly the writes acknowledged at or before it.
Backups survive restarts; a restart during a restore finishes it.
"""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, expect_error, load, scan_items, validation

WAIT_S = 60


def wait_backup(client, arn):
    deadline = time.monotonic() + WAIT_S
    while True:
        d = client.describe_backup(BackupArn=arn)["BackupDescription"]
        if d["BackupDetails"]["BackupStatus"] == "AVAILABLE":
            return d
        assert time.monotonic() < deadline, "backup not AVAILABLE in time"
        time.sleep(0.05)


def wait_active(client, table):
    deadline = time.monotonic() + WAIT_S
    while True:
        t = client.describe_table(TableName=table)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        assert t["TableStatus"] == "CREATING"
        assert t["RestoreSummary"]["RestoreInProgress"] is True
        assert time.monotonic() < deadline, "restore did not finish in time"
        time.sleep(0.05)


def backup(client, table, name="bkp"):
    arn = client.create_backup(TableName=table, BackupName=name)["BackupDetails"]["BackupArn"]
    return wait_backup(client, arn)


def key_of(item):
    return tuple(sorted((k, tuple(v.items())) for k, v in item.items() if k in ("pk", "sk")))


def by_key(items):
    return {key_of(it): it for it in items}


def make_rich_table(client, name):
    """pk/sk table with an LSI, a GSI (INCLUDE projection), TTL on "exp" and a stream."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "lsk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "by_lsk",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "lsk", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "INCLUDE",
                                                "NonKeyAttributes": ["v"]},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 3,
                                                           "WriteCapacityUnits": 4}}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    items = []
    for i in range(120):
        it = {"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "v": {"S": "x" * (i % 13)},
              "other": {"L": [{"N": str(i)}, {"BOOL": True}]}}
        if i % 2 == 0:
            it["lsk"] = {"S": f"l{i:04d}"}
        if i % 3 == 0:
            it["g"] = {"S": f"g{i % 4}"}
        items.append(it)
    load(client, name, items)
    return items


def index_views(client, table):
    """What the LSI and the GSI answer, per partition / index key."""
    out = {}
    for p in range(7):
        out[("lsi", p)] = client.query(
            TableName=table, IndexName="by_lsk", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"p{p}"}})["Items"]
    for g in range(4):
        out[("gsi", g)] = client.query(
            TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": f"g{g}"}})["Items"]
    return out


def test_backup_change_restore_compare(client):
    items = make_rich_table(client, "bsrc")
    views = index_views(client, "bsrc")
    size = client.describe_table(TableName="bsrc")["Table"]["TableSizeBytes"]
    created = client.create_backup(TableName="bsrc", BackupName="first")["BackupDetails"]
    assert created["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert created["BackupType"] == "USER"
    assert created["BackupName"] == "first"
    arn = created["BackupArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:000000000000:table/bsrc/backup/")
    assert len(arn) >= 37
    d = wait_backup(client, arn)
    details = d["BackupDetails"]
    assert details["BackupSizeBytes"] == size
    assert details["BackupCreationDateTime"] == created["BackupCreationDateTime"]
    src = d["SourceTableDetails"]
    table = client.describe_table(TableName="bsrc")["Table"]
    assert src["TableName"] == "bsrc" and src["TableId"] == table["TableId"]
    assert src["TableArn"] == table["TableArn"]
    assert src["ItemCount"] == 120 and src["TableSizeBytes"] == size
    assert src["KeySchema"] == table["KeySchema"]
    assert src["TableCreationDateTime"] == table["CreationDateTime"]
    assert src["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}
    assert src["BillingMode"] == "PROVISIONED"
    feat = d["SourceTableFeatureDetails"]
    assert feat["LocalSecondaryIndexes"] == [{
        "IndexName": "by_lsk",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "lsk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}]
    assert feat["GlobalSecondaryIndexes"] == [{
        "IndexName": "by_g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
        "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}]
    assert feat["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert feat["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}

    # Change the source after the backup: nothing of it may reach the restored table.
    client.put_item(TableName="bsrc", Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    client.delete_item(TableName="bsrc", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
    client.update_item(TableName="bsrc", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}},
                       UpdateExpression="SET v = :v, g = :g",
                       ExpressionAttributeValues={":v": {"S": "changed"}, ":g": {"S": "g0"}})

    got = client.restore_table_from_backup(TargetTableName="bdst", BackupArn=arn)
    desc = got["TableDescription"]
    assert desc["TableName"] == "bdst"
    assert desc["TableStatus"] == "CREATING"
    assert desc["RestoreSummary"]["SourceBackupArn"] == arn
    assert desc["RestoreSummary"]["SourceTableArn"] == table["TableArn"]
    assert desc["RestoreSummary"]["RestoreDateTime"] == created["BackupCreationDateTime"]
    assert desc["TableId"] != table["TableId"]
    done = wait_active(client, "bdst")
    assert done["RestoreSummary"]["RestoreInProgress"] is False
    assert done["KeySchema"] == table["KeySchema"]
    assert done["AttributeDefinitions"] == table["AttributeDefinitions"]
    assert done["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert done["ItemCount"] == 120 and done["TableSizeBytes"] == size
    assert [x["IndexName"] for x in done["LocalSecondaryIndexes"]] == ["by_lsk"]
    assert [x["IndexName"] for x in done["GlobalSecondaryIndexes"]] == ["by_g"]
    assert done["GlobalSecondaryIndexes"][0]["Projection"] == {
        "ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}
    # DynamoDB does not restore the stream or TTL settings: they are set again by hand.
    assert "StreamSpecification" not in done
    assert client.describe_time_to_live(TableName="bdst")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"}
    assert client.describe_continuous_backups(TableName="bdst")[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}
    # Item for item, and every index answer as the source gave it at backup time.
    assert by_key(scan_items(client, "bdst")) == by_key(items)
    assert index_views(client, "bdst") == views
    # The restored table is an ordinary table now.
    client.put_item(TableName="bdst", Item={"pk": {"S": "p0"}, "sk": {"N": "0"}, "g": {"S": "g9"}})
    assert len(client.query(TableName="bdst", IndexName="by_g", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "g9"}})["Items"]) == 1


def test_backup_of_empty_table_and_hash_only_table(client):
    create_table(client, "bempty", BillingMode="PAY_PER_REQUEST")
    d = backup(client, "bempty")
    assert d["BackupDetails"]["BackupSizeBytes"] == 0
    assert d["SourceTableDetails"]["ItemCount"] == 0
    assert d["SourceTableDetails"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["SourceTableFeatureDetails"] == {
        "TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    client.restore_table_from_backup(TargetTableName="bempty2",
                                     BackupArn=d["BackupDetails"]["BackupArn"])
    t = wait_active(client, "bempty2")
    assert t["ItemCount"] == 0
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_backups_survive_source_deletion(client):
    create_table(client, "bgone")
    load(client, "bgone", [{"pk": {"S": str(i)}} for i in range(30)])
    arn = backup(client, "bgone")["BackupDetails"]["BackupArn"]
    client.delete_table(TableName="bgone")
    assert client.list_backups(TableName="bgone")["BackupSummaries"][0]["BackupArn"] == arn
    client.restore_table_from_backup(TargetTableName="bgone", BackupArn=arn)
    wait_active(client, "bgone")
    assert len(scan_items(client, "bgone")) == 30


def test_delete_backup(client):
    create_table(client, "bdel")
    client.put_item(TableName="bdel", Item={"pk": {"S": "a"}})
    d = backup(client, "bdel")
    arn = d["BackupDetails"]["BackupArn"]
    got = client.delete_backup(BackupArn=arn)["BackupDescription"]
    assert got["BackupDetails"]["BackupStatus"] == "DELETED"
    assert got["BackupDetails"]["BackupArn"] == arn
    assert got["SourceTableDetails"] == d["SourceTableDetails"]
    msg = "Backup not found for the given BackupARN."
    expect_error(client.describe_backup, "BackupNotFoundException", msg, BackupArn=arn)
    expect_error(client.delete_backup, "BackupNotFoundException", msg, BackupArn=arn)
    expect_error(client.restore_table_from_backup, "BackupNotFoundException", msg,
                 BackupArn=arn, TargetTableName="bdel2")
    assert client.list_backups(TableName="bdel")["BackupSummaries"] == []


def test_list_backups_filters_and_paging(client, raw):
    create_table(client, "lb_a")
    create_table(client, "lb_b")
    arns = []
    for i in range(5):
        arns.append(backup(client, "lb_a" if i < 3 else "lb_b", f"bk_n{i}")["BackupDetails"])
        time.sleep(0.01)
    everything = client.list_backups()["BackupSummaries"]
    assert sorted(s["BackupArn"] for s in everything) == sorted(a["BackupArn"] for a in arns)
    s0 = [s for s in everything if s["BackupArn"] == arns[0]["BackupArn"]][0]
    table = client.describe_table(TableName="lb_a")["Table"]
    assert s0 == {"TableName": "lb_a", "TableId": table["TableId"], "TableArn": table["TableArn"],
                  "BackupArn": arns[0]["BackupArn"], "BackupName": "bk_n0",
                  "BackupCreationDateTime": arns[0]["BackupCreationDateTime"],
                  "BackupStatus": "AVAILABLE", "BackupType": "USER", "BackupSizeBytes": 0}
    assert len(client.list_backups(TableName="lb_a")["BackupSummaries"]) == 3
    assert len(client.list_backups(TableName="lb_b")["BackupSummaries"]) == 2
    assert client.list_backups(TableName="nope")["BackupSummaries"] == []
    # BackupType: USER when absent; these are all USER backups (SYSTEM ones: below).
    assert len(client.list_backups(BackupType="USER")["BackupSummaries"]) == 5
    assert len(client.list_backups(BackupType="ALL")["BackupSummaries"]) == 5
    assert client.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    assert client.list_backups(BackupType="AWS_BACKUP")["BackupSummaries"] == []
    # Time range: lower bound inclusive, upper bound exclusive.
    # (boto3 sends whole seconds: the bounds go raw, with the milliseconds of the creation times.)
    t1 = arns[1]["BackupCreationDateTime"].timestamp()
    t3 = arns[3]["BackupCreationDateTime"].timestamp()
    got = raw.request("ListBackups", {"TimeRangeLowerBound": t1, "TimeRangeUpperBound": t3})
    assert got.status == 200, got.body
    assert sorted(s["BackupName"] for s in got.json["BackupSummaries"]) == ["bk_n1", "bk_n2"]
    got = raw.request("ListBackups", {"TableName": "lb_a", "TimeRangeLowerBound": t1})
    assert sorted(s["BackupName"] for s in got.json["BackupSummaries"]) == ["bk_n1", "bk_n2"]
    got = raw.request("ListBackups", {"TimeRangeUpperBound": t1})
    assert sorted(s["BackupName"] for s in got.json["BackupSummaries"]) == ["bk_n0"]
    # Paging at the edges: Limit 1 page by page; a Limit equal to the count ends without a key.
    seen, start = [], None
    for _ in range(10):
        args = {"Limit": 1}
        if start:
            args["ExclusiveStartBackupArn"] = start
        page = client.list_backups(**args)
        assert len(page["BackupSummaries"]) <= 1
        seen += [s["BackupArn"] for s in page["BackupSummaries"]]
        start = page.get("LastEvaluatedBackupArn")
        if not start:
            break
    assert seen == [s["BackupArn"] for s in everything]
    assert "LastEvaluatedBackupArn" not in client.list_backups(Limit=5)
    page = client.list_backups(Limit=4)
    assert len(page["BackupSummaries"]) == 4
    assert page["LastEvaluatedBackupArn"] == page["BackupSummaries"][-1]["BackupArn"]
    rest = client.list_backups(Limit=100, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert len(rest["BackupSummaries"]) == 1 and "LastEvaluatedBackupArn" not in rest
    for bad in (0, 101):  # the model's range, 1..100 (boto3 would refuse to send them)
        r = raw.request("ListBackups", {"Limit": bad})
        assert (r.status, r.error_type) == (400, "ValidationException")
    assert len(raw.request("ListBackups", {"Limit": 100}).json["BackupSummaries"]) == 5


def test_backup_errors(client, raw):
    expect_error(client.create_backup, "TableNotFoundException", "Table not found: nosuch",
                 TableName="nosuch", BackupName="bkp")
    fake = "arn:aws:dynamodb:us-east-1:000000000000:table/x/backup/01700000000000-deadbeef"
    expect_error(client.describe_backup, "BackupNotFoundException",
                 "Backup not found for the given BackupARN.", BackupArn=fake)
    short = raw.request("DescribeBackup", {"BackupArn": "arn:short"})  # the model's 37 minimum
    assert (short.status, short.error_type) == (400, "ValidationException")
    create_table(client, "berr")
    create_table(client, "berr_taken")
    arn = backup(client, "berr")["BackupDetails"]["BackupArn"]
    expect_error(client.restore_table_from_backup, "TableAlreadyExistsException",
                 "Table already exists: berr_taken", TargetTableName="berr_taken", BackupArn=arn)


def test_restore_overrides(client):
    make_rich_table(client, "ov_src")
    arn = backup(client, "ov_src")["BackupDetails"]["BackupArn"]
    # On-demand instead of provisioned; without the GSI; with a KMS key.
    client.restore_table_from_backup(
        TargetTableName="ov1", BackupArn=arn, BillingModeOverride="PAY_PER_REQUEST",
        GlobalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "k1"})
    t = wait_active(client, "ov1")
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "GlobalSecondaryIndexes" not in t
    assert [x["IndexName"] for x in t["LocalSecondaryIndexes"]] == ["by_lsk"]
    assert t["SSEDescription"]["SSEType"] == "KMS" and t["SSEDescription"]["Status"] == "ENABLED"
    assert t["SSEDescription"]["KMSMasterKeyArn"].endswith("k1")
    assert sorted(d["AttributeName"] for d in t["AttributeDefinitions"]) == ["lsk", "pk", "sk"]
    assert t["ItemCount"] == 120
    with pytest.raises(ClientError) as e:
        client.query(TableName="ov1", IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g0"}})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    # New throughput; without the LSI; a GSI of its own (KEYS_ONLY) on a defined attribute.
    client.restore_table_from_backup(
        TargetTableName="ov2", BackupArn=arn,
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
        LocalSecondaryIndexOverride=[],
        GlobalSecondaryIndexOverride=[{
            "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}}])
    t = wait_active(client, "ov2")
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 8
    assert "LocalSecondaryIndexes" not in t
    gsi = t["GlobalSecondaryIndexes"][0]
    assert gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert gsi["KeySchema"] == [{"AttributeName": "g", "KeyType": "HASH"}]
    assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 2
    got = client.query(TableName="ov2", IndexName="by_g", KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {"S": "g0"}})["Items"]
    assert got and all(set(i) == {"pk", "sk", "g"} for i in got)
    assert len(got) == len([i for i in range(120) if i % 3 == 0 and i % 4 == 0])
    # Refused overrides, with nothing created.
    validation(client.restore_table_from_backup,
               "One or more parameter values were invalid: ProvisionedThroughputOverride cannot "
               "be specified when BillingMode is PAY_PER_REQUEST",
               TargetTableName="ov3", BackupArn=arn, BillingModeOverride="PAY_PER_REQUEST",
               ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as e:  # an index key with no attribute definition
        client.restore_table_from_backup(
            TargetTableName="ov3", BackupArn=arn, GlobalSecondaryIndexOverride=[{
                "IndexName": "nope", "KeySchema": [{"AttributeName": "zz", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}])
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Some index key attributes are not defined" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:  # SSEType AES256 is refused, as by CreateTable
        client.restore_table_from_backup(TargetTableName="ov3", BackupArn=arn,
                                         SSESpecificationOverride={"Enabled": True,
                                                                   "SSEType": "AES256"})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "ov3" not in client.list_tables()["TableNames"]
    # An on-demand source restored as PROVISIONED needs its throughput.
    create_table(client, "ov_od", BillingMode="PAY_PER_REQUEST")
    od = backup(client, "ov_od")["BackupDetails"]["BackupArn"]
    validation(client.restore_table_from_backup,
               "One or more parameter values were invalid: ProvisionedThroughputOverride is "
               "required when BillingModeOverride is PROVISIONED",
               TargetTableName="ov4", BackupArn=od, BillingModeOverride="PROVISIONED")
    client.restore_table_from_backup(
        TargetTableName="ov4", BackupArn=od, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3})
    t = wait_active(client, "ov4")
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert t.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"


def test_in_progress_errors(make_server):
    """While a backup is being created or a restore fills a table: BackupInUseException,
    TableInUseException, ContinuousBackupsUnavailableException, ResourceInUseException."""
    s = make_server("--test-backup-delay", "3")
    c = s.client("AKIDINPROGRESS")
    create_table(c, "ipt")
    load(c, "ipt", [{"pk": {"S": str(i)}} for i in range(600)])
    first = c.create_backup(TableName="ipt", BackupName="one")["BackupDetails"]
    assert first["BackupStatus"] == "CREATING"
    assert "BackupSizeBytes" not in first
    in_use = ("There is another ongoing conflicting backup control plane operation on the table. "
              "The backup is either being created, deleted or restored to a table.")
    expect_error(c.create_backup, "BackupInUseException", in_use, TableName="ipt",
                 BackupName="two")
    expect_error(c.delete_backup, "BackupInUseException", in_use, BackupArn=first["BackupArn"])
    expect_error(c.restore_table_from_backup, "BackupInUseException", in_use,
                 BackupArn=first["BackupArn"], TargetTableName="ipt2")
    listed = c.list_backups()["BackupSummaries"]
    assert [b["BackupStatus"] for b in listed] == ["CREATING"]
    wait_backup(c, first["BackupArn"])
    c.restore_table_from_backup(BackupArn=first["BackupArn"], TargetTableName="ipt2")
    assert c.describe_table(TableName="ipt2")["Table"]["TableStatus"] == "CREATING"
    expect_error(c.delete_backup, "BackupInUseException", in_use, BackupArn=first["BackupArn"])
    expect_error(c.restore_table_from_backup, "TableInUseException",
                 "Table is being created: ipt2", BackupArn=first["BackupArn"],
                 TargetTableName="ipt2")
    expect_error(c.create_backup, "ContinuousBackupsUnavailableException",
                 "Backups are being enabled for the table: ipt2. Please retry later",
                 TableName="ipt2", BackupName="bkp")
    # Its items cannot be read or written until it is ACTIVE (DynamoDB: the data plane's
    # ResourceNotFoundException for a table that is not ACTIVE).
    expect_error(c.put_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName="ipt2", Item={"pk": {"S": "x"}})
    expect_error(c.get_item, "ResourceNotFoundException", "Requested resource not found",
                 TableName="ipt2", Key={"pk": {"S": "x"}})
    expect_error(c.delete_table, "ResourceInUseException",
                 "Attempt to change a resource which is still in use: Table is being created: "
                 "ipt2", TableName="ipt2")
    wait_active(c, "ipt2")
    assert len(scan_items(c, "ipt2")) == 600
    c.delete_backup(BackupArn=first["BackupArn"])


def test_deleting_a_pitr_table_leaves_a_system_backup(make_server):
    """DynamoDB (BackupType's documentation): deleting a table with point-in-time recovery
    enabled creates a SYSTEM backup, retained 35 days, from which the deleted table can be
    restored as it was just before the deletion. ListBackups lists it with BackupType SYSTEM or
    ALL only; it survives a restart; DeleteBackup deletes it. A table without PITR leaves none."""
    s = make_server()
    c = s.client("AKIDSYSTEMBK")
    create_table(c, "sysb", range_key=("sk", "N"))
    items = [{"pk": {"S": f"p{i % 4}"}, "sk": {"N": str(i)}, "v": {"S": "x" * i}}
             for i in range(60)]
    load(c, "sysb", items)
    enable_pitr(c, "sysb")
    user = backup(c, "sysb", "mine")["BackupDetails"]
    c.put_item(TableName="sysb", Item={"pk": {"S": "last"}, "sk": {"N": "0"}})
    items.append({"pk": {"S": "last"}, "sk": {"N": "0"}})
    create_table(c, "nopitr")
    c.delete_table(TableName="nopitr")
    before = time.time()
    c.delete_table(TableName="sysb")
    after = time.time()

    assert [b["BackupArn"] for b in c.list_backups()["BackupSummaries"]] == [user["BackupArn"]]
    assert [b["BackupArn"] for b in c.list_backups(BackupType="USER")["BackupSummaries"]] == [
        user["BackupArn"]]
    system = c.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert len(system) == 1
    summary = system[0]
    assert summary["BackupType"] == "SYSTEM"
    assert summary["TableName"] == "sysb"
    assert summary["BackupName"] == "sysb$DeletedTableBackup"
    created = summary["BackupCreationDateTime"].timestamp()
    assert before - 1 <= created <= after + 1
    assert summary["BackupExpiryDateTime"].timestamp() == pytest.approx(created + 35 * 86400,
                                                                       abs=0.01)
    assert "BackupExpiryDateTime" not in c.list_backups()["BackupSummaries"][0]
    assert sorted(b["BackupType"] for b in c.list_backups(BackupType="ALL")[
        "BackupSummaries"]) == ["SYSTEM", "USER"]
    assert c.list_backups(BackupType="AWS_BACKUP")["BackupSummaries"] == []
    assert c.list_backups(BackupType="SYSTEM", TableName="nopitr")["BackupSummaries"] == []

    arn = summary["BackupArn"]
    d = wait_backup(c, arn)
    details = d["BackupDetails"]
    assert details["BackupType"] == "SYSTEM"
    assert details["BackupName"] == "sysb$DeletedTableBackup"
    assert details["BackupExpiryDateTime"] == summary["BackupExpiryDateTime"]
    assert d["SourceTableDetails"]["ItemCount"] == 61
    assert d["SourceTableDetails"]["TableName"] == "sysb"

    s.restart()
    c = s.client("AKIDSYSTEMBK")
    assert c.describe_backup(BackupArn=arn)["BackupDescription"] == d
    c.restore_table_from_backup(TargetTableName="sysb", BackupArn=arn)
    t = wait_active(c, "sysb")
    assert t["RestoreSummary"]["SourceBackupArn"] == arn
    assert by_key(scan_items(c, "sysb")) == by_key(items)
    # The restored table does not have PITR on: deleting it leaves no second SYSTEM backup.
    c.delete_table(TableName="sysb")
    assert len(c.list_backups(BackupType="SYSTEM")["BackupSummaries"]) == 1
    got = c.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert (got["BackupStatus"], got["BackupType"]) == ("DELETED", "SYSTEM")
    assert c.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    expect_error(c.describe_backup, "BackupNotFoundException",
                 "Backup not found for the given BackupARN.", BackupArn=arn)


def test_restart_keeps_backups(make_server):
    s = make_server()
    c = s.client("AKIDRESTARTBK")
    create_table(c, "rkt", range_key=("sk", "N"))
    items = [{"pk": {"S": f"p{i % 5}"}, "sk": {"N": str(i)}, "b": {"B": bytes([i % 256])}}
             for i in range(200)]
    load(c, "rkt", items)
    before = backup(c, "rkt")
    s.restart()
    c = s.client("AKIDRESTARTBK")
    assert c.describe_backup(BackupArn=before["BackupDetails"]["BackupArn"])[
        "BackupDescription"] == before
    c.restore_table_from_backup(TargetTableName="rkt2",
                                BackupArn=before["BackupDetails"]["BackupArn"])
    wait_active(c, "rkt2")
    assert by_key(scan_items(c, "rkt2")) == by_key(items)


def test_in_memory_backup_and_restore(make_server):
    s = make_server("--in-memory")
    c = s.client("AKIDINMEMBK")
    create_table(c, "imt")
    load(c, "imt", [{"pk": {"S": str(i)}} for i in range(50)])
    arn = backup(c, "imt")["BackupDetails"]["BackupArn"]
    c.restore_table_from_backup(TargetTableName="imt2", BackupArn=arn)
    wait_active(c, "imt2")
    assert len(scan_items(c, "imt2")) == 50


def test_restart_during_backup_creation_removes_it(make_server):
    """A backup whose copy a restart interrupts cannot be finished (its snapshot is gone): it is
    removed at the next start, never left CREATING or listed AVAILABLE with part of the table."""
    s = make_server("--test-backup-delay", "5")
    c = s.client("AKIDRESTARTCR")
    create_table(c, "bcr")
    load(c, "bcr", [{"pk": {"S": str(i)}} for i in range(400)])
    arn = c.create_backup(TableName="bcr", BackupName="bcr-bk")["BackupDetails"]["BackupArn"]
    time.sleep(0.3)
    assert c.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
        "BackupStatus"] == "CREATING"
    s.restart(hard=True)
    c = s.client("AKIDRESTARTCR")
    expect_error(c.describe_backup, "BackupNotFoundException",
                 "Backup not found for the given BackupARN.", BackupArn=arn)
    assert c.list_backups()["BackupSummaries"] == []
    assert "was being created when the server stopped: removed" in s.read_log()


@pytest.mark.parametrize("hard", [False, True])
def test_restart_during_restore_finishes_it(make_server, hard):
    """A restore interrupted by a shutdown (or kill -9) is resumed at the next start: the table
    stays CREATING until every item is there, then is ACTIVE; never ACTIVE and half filled."""
    s = make_server("--test-backup-delay", "3")
    c = s.client("AKIDRESTARTRS")
    c.create_table(
        TableName="rrt", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{"IndexName": "gix",
                                 "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        BillingMode="PAY_PER_REQUEST")
    items = [{"pk": {"S": f"p{i % 9}"}, "sk": {"N": str(i)}} for i in range(800)]
    load(c, "rrt", items)
    arn = backup(c, "rrt")["BackupDetails"]["BackupArn"]
    c.restore_table_from_backup(TargetTableName="rrt2", BackupArn=arn)
    time.sleep(0.5)
    t = c.describe_table(TableName="rrt2")["Table"]
    assert t["TableStatus"] == "CREATING"
    assert 0 < t["ItemCount"] < 800
    s.restart(hard=hard)
    c = s.client("AKIDRESTARTRS")
    t = c.describe_table(TableName="rrt2")["Table"]
    assert t["TableStatus"] == "CREATING"
    assert t["RestoreSummary"]["RestoreInProgress"] is True
    wait_active(c, "rrt2")
    assert by_key(scan_items(c, "rrt2")) == by_key(items)
    for k in (0, 17, 799):
        got = c.query(TableName="rrt2", IndexName="gix", KeyConditionExpression="sk = :k",
                      ExpressionAttributeValues={":k": {"N": str(k)}})["Items"]
        assert got == [{"pk": {"S": f"p{k % 9}"}, "sk": {"N": str(k)}}]


# ----- point-in-time recovery -----

def enable_pitr(client, table):
    client.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})


def test_pitr_restore_between_two_writes(client):
    client.create_table(
        TableName="ptt", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "v", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "by_v",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "v", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    # Written before PITR is on: part of every restorable state.
    client.put_item(TableName="ptt", Item={"pk": {"S": "a"}, "sk": {"N": "0"}, "v": {"S": "old"}})
    client.put_item(TableName="ptt", Item={"pk": {"S": "a"}, "sk": {"N": "9"}, "v": {"S": "gone"}})
    enable_pitr(client, "ptt")
    client.put_item(TableName="ptt", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "v1"}})
    time.sleep(1.1)
    moment = time.time()
    time.sleep(1.1)
    client.put_item(TableName="ptt", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "v2"}})
    client.put_item(TableName="ptt", Item={"pk": {"S": "a"}, "sk": {"N": "2"}, "v": {"S": "new"}})
    client.delete_item(TableName="ptt", Key={"pk": {"S": "a"}, "sk": {"N": "9"}})
    client.update_item(TableName="ptt", Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                       UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    client.update_item(TableName="ptt", Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                       UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "y"}})
    pitr = client.describe_continuous_backups(TableName="ptt")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"].timestamp() < moment
    assert pitr["LatestRestorableDateTime"].timestamp() >= moment + 1

    got = client.restore_table_to_point_in_time(SourceTableName="ptt", TargetTableName="ptt_then",
                                                RestoreDateTime=moment)["TableDescription"]
    assert got["TableStatus"] == "CREATING"
    summary = got["RestoreSummary"]
    assert "SourceBackupArn" not in summary
    assert summary["SourceTableArn"].endswith(":table/ptt")
    # boto3 sends whole seconds: the restore is to that second, still between the writes.
    assert summary["RestoreDateTime"].timestamp() == int(moment)
    wait_active(client, "ptt_then")
    expected = [{"pk": {"S": "a"}, "sk": {"N": "0"}, "v": {"S": "old"}},
                {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "v1"}},
                {"pk": {"S": "a"}, "sk": {"N": "9"}, "v": {"S": "gone"}}]
    assert by_key(scan_items(client, "ptt_then")) == by_key(expected)
    lsi = client.query(TableName="ptt_then", IndexName="by_v", KeyConditionExpression="pk = :a",
                       ExpressionAttributeValues={":a": {"S": "a"}})["Items"]
    assert [i["v"]["S"] for i in lsi] == ["gone", "old", "v1"]

    # The latest restorable time: every acknowledged write.
    table_arn = client.describe_table(TableName="ptt")["Table"]["TableArn"]
    client.restore_table_to_point_in_time(SourceTableArn=table_arn, TargetTableName="ptt_now",
                                          UseLatestRestorableTime=True)
    wait_active(client, "ptt_now")
    assert by_key(scan_items(client, "ptt_now")) == by_key(scan_items(client, "ptt"))


def test_pitr_restore_takes_the_schema_of_its_time(client):
    """A point-in-time restore to T creates the table with the indexes, billing mode and
    throughput the source had at T: a GSI deleted after T is there, one created after T is not
    (the PITR log records each schema change, backup/point_in_time.h)."""
    client.create_table(
        TableName="psch", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "old_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 3,
                                                           "WriteCapacityUnits": 4}}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 6})
    enable_pitr(client, "psch")
    items = [{"pk": {"S": f"k{i}"}, "g": {"S": f"g{i % 3}"}, "h": {"S": f"h{i % 2}"}}
             for i in range(12)]
    load(client, "psch", items)
    time.sleep(1.1)
    moment = time.time()
    time.sleep(1.1)
    client.update_table(TableName="psch",
                        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "old_g"}}])
    client.update_table(
        TableName="psch", AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "new_h", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    deadline = time.monotonic() + WAIT_S
    while True:
        gsis = client.describe_table(TableName="psch")["Table"].get("GlobalSecondaryIndexes", [])
        if [(x["IndexName"], x["IndexStatus"]) for x in gsis] == [("new_h", "ACTIVE")]:
            break
        assert time.monotonic() < deadline, gsis
        time.sleep(0.05)
    client.update_table(TableName="psch", BillingMode="PAY_PER_REQUEST")

    client.restore_table_to_point_in_time(SourceTableName="psch", TargetTableName="psch_then",
                                          RestoreDateTime=moment)
    then = wait_active(client, "psch_then")
    assert [x["IndexName"] for x in then["GlobalSecondaryIndexes"]] == ["old_g"]
    assert then["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert then["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert then.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"
    assert (then["ProvisionedThroughput"]["ReadCapacityUnits"],
            then["ProvisionedThroughput"]["WriteCapacityUnits"]) == (5, 6)
    assert sorted(d["AttributeName"] for d in then["AttributeDefinitions"]) == ["g", "pk"]
    got = client.query(TableName="psch_then", IndexName="old_g",
                       KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {"S": "g1"}})["Items"]
    assert sorted(i["pk"]["S"] for i in got) == ["k1", "k10", "k4", "k7"]
    assert by_key(scan_items(client, "psch_then")) == by_key(items)

    client.restore_table_to_point_in_time(SourceTableName="psch", TargetTableName="psch_now",
                                          UseLatestRestorableTime=True)
    now = wait_active(client, "psch_now")
    assert [x["IndexName"] for x in now["GlobalSecondaryIndexes"]] == ["new_h"]
    assert now["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_pitr_restore_overrides(client):
    """RestoreTableToPointInTime takes the same overrides as RestoreTableFromBackup."""
    make_rich_table(client, "pov_src")
    enable_pitr(client, "pov_src")
    client.restore_table_to_point_in_time(
        SourceTableName="pov_src", TargetTableName="pov1", UseLatestRestorableTime=True,
        BillingModeOverride="PAY_PER_REQUEST", GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS"})
    t = wait_active(client, "pov1")
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "GlobalSecondaryIndexes" not in t and "LocalSecondaryIndexes" not in t
    assert t["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:us-east-1:")
    assert t["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}]
    assert t["ItemCount"] == 120
    client.restore_table_to_point_in_time(
        SourceTableName="pov_src", TargetTableName="pov2", UseLatestRestorableTime=True,
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 9, "WriteCapacityUnits": 10})
    t = wait_active(client, "pov2")
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 9
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 10
    assert [x["IndexName"] for x in t["GlobalSecondaryIndexes"]] == ["by_g"]
    assert t["ItemCount"] == 120


def test_pitr_errors(client):
    create_table(client, "pet")
    create_table(client, "pet_taken")
    expect_error(client.restore_table_to_point_in_time, "PointInTimeRecoveryUnavailableException",
                 "Point in time recovery is not enabled for table 'pet'",
                 SourceTableName="pet", TargetTableName="pet2", UseLatestRestorableTime=True)
    expect_error(client.restore_table_to_point_in_time, "TableNotFoundException",
                 "Table not found: nosuch", SourceTableName="nosuch", TargetTableName="pet2",
                 UseLatestRestorableTime=True)
    enable_pitr(client, "pet")
    bad_time = ("An invalid restore time was specified. RestoreDateTime must be between "
                "EarliestRestorableDateTime and LatestRestorableDateTime.")
    expect_error(client.restore_table_to_point_in_time, "InvalidRestoreTimeException", bad_time,
                 SourceTableName="pet", TargetTableName="pet2",
                 RestoreDateTime=time.time() - 3600)
    expect_error(client.restore_table_to_point_in_time, "InvalidRestoreTimeException", bad_time,
                 SourceTableName="pet", TargetTableName="pet2",
                 RestoreDateTime=time.time() + 3600)
    expect_error(client.restore_table_to_point_in_time, "TableAlreadyExistsException",
                 "Table already exists: pet_taken", SourceTableName="pet",
                 TargetTableName="pet_taken", UseLatestRestorableTime=True)
    validation(client.restore_table_to_point_in_time,
               "One or more parameter values were invalid: Either SourceTableName or "
               "SourceTableArn must be specified", TargetTableName="pet2",
               UseLatestRestorableTime=True)
    arn = client.describe_table(TableName="pet")["Table"]["TableArn"]
    validation(client.restore_table_to_point_in_time,
               "One or more parameter values were invalid: Only one of SourceTableName or "
               "SourceTableArn can be specified", TargetTableName="pet2", SourceTableName="pet",
               SourceTableArn=arn, UseLatestRestorableTime=True)
    validation(client.restore_table_to_point_in_time,
               "One or more parameter values were invalid: Either RestoreDateTime or "
               "UseLatestRestorableTime must be specified", TargetTableName="pet2",
               SourceTableName="pet")
    validation(client.restore_table_to_point_in_time,
               "One or more parameter values were invalid: Either RestoreDateTime or "
               "UseLatestRestorableTime must be specified", TargetTableName="pet2",
               SourceTableName="pet", UseLatestRestorableTime=False)
    validation(client.restore_table_to_point_in_time,
               "One or more parameter values were invalid: Only one of RestoreDateTime or "
               "UseLatestRestorableTime can be specified", TargetTableName="pet2",
               SourceTableName="pet", UseLatestRestorableTime=True, RestoreDateTime=time.time())
    assert "pet2" not in client.list_tables()["TableNames"]
    # Turned off and on again: the window starts again.
    client.update_continuous_backups(TableName="pet", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    expect_error(client.restore_table_to_point_in_time, "PointInTimeRecoveryUnavailableException",
                 "Point in time recovery is not enabled for table 'pet'",
                 SourceTableName="pet", TargetTableName="pet2", UseLatestRestorableTime=True)


def test_pitr_survives_restart(make_server):
    s = make_server()
    c = s.client("AKIDPITRRESTART")
    create_table(c, "prt")
    enable_pitr(c, "prt")
    c.put_item(TableName="prt", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    time.sleep(1.1)
    moment = time.time()
    time.sleep(1.1)
    c.put_item(TableName="prt", Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    s.restart(hard=True)
    c = s.client("AKIDPITRRESTART")
    c.restore_table_to_point_in_time(SourceTableName="prt", TargetTableName="prt2",
                                     RestoreDateTime=moment)
    wait_active(c, "prt2")
    assert scan_items(c, "prt2") == [{"pk": {"S": "k"}, "v": {"N": "1"}}]


def test_aws_cli_backup_commands(aws_cli, client):
    """The AWS CLI's create-backup, list-backups, describe-backup and restore-table-from-backup
    (skipped where the CLI is not installed)."""
    cli = aws_cli
    create_table(client, "cli_src")
    client.put_item(TableName="cli_src", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    arn = cli("create-backup", "--table-name", "cli_src", "--backup-name", "cli-bk")[
        "BackupDetails"]["BackupArn"]
    wait_backup(client, arn)
    listed = cli("list-backups", "--table-name", "cli_src")["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [arn]
    d = cli("describe-backup", "--backup-arn", arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert d["SourceTableDetails"]["ItemCount"] == 1
    cli("restore-table-from-backup", "--target-table-name", "cli_dst", "--backup-arn", arn)
    wait_active(client, "cli_dst")
    assert scan_items(client, "cli_dst") == [{"pk": {"S": "a"}, "v": {"N": "1"}}]
