"""ExportTableToPointInTime from the point-in-time recovery window: a FULL_EXPORT of a past
ExportTime (the table as it was then) and an INCREMENTAL_EXPORT (the items changed between
ExportFromTime and ExportToTime), through boto3, against the files they write under --s3-dir.

DynamoDB's rules (API reference, ExportTableToPointInTime and IncrementalExportSpecification; the
developer guide's "Incremental export" output format): ExportTime and the incremental period must
lie in the PITR window and not in the future (InvalidExportTimeException); the period is 15
minutes to 24 hours; ExportToTime defaults to now and ExportViewType to NEW_AND_OLD_IMAGES; each
line is {"Metadata":{"WriteTimestampMicros":...},"Keys":...,"OldImage":...,"NewImage":...}; an
item created and deleted inside the period is not exported.

The server runs under libfaketime (Debian's faketime package) with its wall clock 60 times faster
than real time (monotonic clocks untouched), so that a 15-minute period passes in 15 seconds. The
client reads the server's "now" from LatestRestorableDateTime. boto3 from Debian (2022) predates
ExportType and IncrementalExportSpecification: the client here is built from botocore's model with
tools/service_model_overlay.json laid over it, as Cairn's build reads it."""
import gzip
import json
import os
import time

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from conftest import CLIENT_CONFIG, REGION, SECRET_KEY, load_service_models, unique_access_key

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
SPEED = 60  # server seconds per real second


def overlaid_client(srv, tmp_path):
    """A boto3 client whose DynamoDB model has the overlay's members (ExportType, ...)."""
    model_dir = tmp_path / "models" / "dynamodb" / "2012-08-10"
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "service-2.json").write_text(
        json.dumps(load_service_models()["DynamoDB_20120810"]))
    core = botocore.session.Session()
    core.get_component("data_loader").search_paths.insert(0, str(tmp_path / "models"))
    session = boto3.Session(aws_access_key_id=unique_access_key(),
                            aws_secret_access_key=SECRET_KEY, region_name=REGION,
                            botocore_session=core)
    return session.client("dynamodb", endpoint_url=srv.endpoint, config=CLIENT_CONFIG)


@pytest.fixture
def fast(make_server, tmp_path, monkeypatch):
    """(server, client, s3 root) with the server's wall clock SPEED times faster."""
    if not os.path.exists(FAKETIME_LIB):
        pytest.fail("libfaketime is missing: apt-get install faketime (cairn.sh installs it)")
    monkeypatch.setenv("LD_PRELOAD", FAKETIME_LIB)
    monkeypatch.setenv("FAKETIME", f"+0 x{SPEED}")
    monkeypatch.setenv("DONT_FAKE_MONOTONIC", "1")
    monkeypatch.setenv("FAKETIME_NO_CACHE", "1")
    # The sanitizer build (./cairn.sh test) wants its runtime first among the loaded libraries;
    # libfaketime, preloaded, comes before it. It only wraps the clock functions: let ASan start.
    asan = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") + "verify_asan_link_order=0")
    root = tmp_path / "s3root"
    srv = make_server("--s3-dir", str(root))
    monkeypatch.delenv("LD_PRELOAD")
    return srv, overlaid_client(srv, tmp_path), root


def make_table(c, name="tbl"):
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}])
    c.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return c.describe_table(TableName=name)["Table"]["TableArn"]


def server_now(c, table="tbl"):
    """The server's clock (epoch seconds): LatestRestorableDateTime is now."""
    d = c.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    return d["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"].timestamp()


def mark(c, table="tbl"):
    """A whole-second server time T (boto3 sends timestamps in whole seconds) with no write of
    the test near it: waits until the server's clock is past T + 2."""
    t = int(server_now(c, table)) + 1
    while server_now(c, table) < t + 2:
        time.sleep(0.01)
    return t


def pass_server_seconds(c, seconds, table="tbl"):
    """Waits until `seconds` have passed on the server's clock."""
    target = server_now(c, table) + seconds
    while server_now(c, table) < target:
        time.sleep(0.05)


def put(c, pk, sk, **attrs):
    item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    item.update({k: {"S": v} for k, v in attrs.items()})
    c.put_item(TableName="tbl", Item=item)


def wait_export(c, arn):
    deadline = time.time() + 60
    while time.time() < deadline:
        d = c.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.05)
    raise AssertionError("export did not finish")


def export(c, arn, **kw):
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt", **kw)["ExportDescription"]
    assert d["ExportStatus"] == "IN_PROGRESS"
    d = wait_export(c, d["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    return d


def read_export(root, d):
    """(summary, [parsed data lines]) of a finished export."""
    summary = json.loads((root / "bkt" / d["ExportManifest"]).read_text())
    lines = []
    for entry in (root / "bkt" / summary["manifestFilesS3Key"]).read_text().splitlines():
        entry = json.loads(entry)
        rows = gzip.decompress((root / "bkt" / entry["dataFileS3Key"]).read_bytes())
        rows = [json.loads(r) for r in rows.decode().splitlines()]
        assert len(rows) == entry["itemCount"]
        lines += rows
    assert len(lines) == summary["itemCount"]
    return summary, lines


def expect(call, code, message=None):
    with pytest.raises(ClientError) as e:
        call()
    assert e.value.response["Error"]["Code"] == code, e.value.response
    if message is not None:
        assert e.value.response["Error"]["Message"] == message
    return e.value.response["Error"]["Message"]


def test_full_export_of_a_past_time_shows_the_table_as_it_was(fast):
    srv, c, root = fast
    arn = make_table(c)
    put(c, "a", 1, v="a1")
    put(c, "b", 1, v="b1")
    put(c, "c", 1, v="c1")
    pass_server_seconds(c, 120)
    t1 = mark(c)
    pass_server_seconds(c, 120)
    put(c, "a", 1, v="a2")                                   # changed after t1
    c.delete_item(TableName="tbl", Key={"pk": {"S": "b"}, "sk": {"N": "1"}})  # deleted after t1
    put(c, "d", 1, v="d1")                                   # created after t1
    put(c, "a", 1, v="a3")                                   # changed twice
    pass_server_seconds(c, 120)

    d = export(c, arn, ExportTime=t1)
    assert d["ExportTime"].timestamp() == t1
    summary, lines = read_export(root, d)
    assert summary["exportType"] == "FULL_EXPORT"
    assert summary["version"] == "2020-06-30"
    got = sorted((r["Item"]["pk"]["S"], r["Item"]["v"]["S"]) for r in lines)
    assert got == [("a", "a1"), ("b", "b1"), ("c", "c1")]
    assert d["ItemCount"] == 3

    # The export of now still sees the table as it is.
    _, lines = read_export(root, export(c, arn))
    assert sorted((r["Item"]["pk"]["S"], r["Item"]["v"]["S"]) for r in lines) == [
        ("a", "a3"), ("c", "c1"), ("d", "d1")]


def test_past_export_time_outside_the_window_is_refused(fast):
    srv, c, root = fast
    arn = make_table(c)
    enabled = c.describe_continuous_backups(TableName="tbl")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"].timestamp()
    now = int(server_now(c))
    expect(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt",
                                                   ExportTime=enabled - 3600),
           "InvalidExportTimeException",
           "ExportTime is earlier than the table's earliest restorable time")
    expect(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt",
                                                   ExportTime=now + 3600),
           "InvalidExportTimeException", "ExportTime cannot be in the future")
    # Recovery turned off: no export at all.
    c.update_continuous_backups(
        TableName="tbl", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    expect(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt"),
           "PointInTimeRecoveryUnavailableException")


def change_lines(lines):
    """{pk: (OldImage v or None, NewImage v or None)} of an incremental export's lines."""
    out = {}
    for r in lines:
        assert set(r) <= {"Metadata", "Keys", "OldImage", "NewImage"}, r
        assert set(r["Metadata"]) == {"WriteTimestampMicros"}
        pk = r["Keys"]["pk"]["S"]
        assert set(r["Keys"]) == {"pk", "sk"}
        out[pk] = (r.get("OldImage", {}).get("v", {}).get("S"),
                   r.get("NewImage", {}).get("v", {}).get("S"))
    return out


def test_incremental_export_writes_the_net_changes_of_the_period(fast):
    srv, c, root = fast
    arn = make_table(c)
    put(c, "same", 1, v="s0")      # not written in the period: not exported
    put(c, "upd", 1, v="u0")
    put(c, "del", 1, v="d0")
    pass_server_seconds(c, 30)
    t_from = mark(c)
    put(c, "upd", 1, v="u1")
    put(c, "upd", 1, v="u2")       # two writes: one line, old u0, new u2
    c.delete_item(TableName="tbl", Key={"pk": {"S": "del"}, "sk": {"N": "1"}})
    put(c, "new", 1, v="n1")
    put(c, "gone", 1, v="g1")      # created and deleted inside the period: not exported
    c.delete_item(TableName="tbl", Key={"pk": {"S": "gone"}, "sk": {"N": "1"}})
    before_last = mark(c)
    put(c, "late", 1, v="l1")
    pass_server_seconds(c, 16 * 60)
    t_to = mark(c)
    put(c, "upd", 1, v="u3")       # after the period: not seen
    put(c, "after", 1, v="a1")
    pass_server_seconds(c, 5)

    d = export(c, arn, ExportType="INCREMENTAL_EXPORT",
               IncrementalExportSpecification={"ExportFromTime": t_from, "ExportToTime": t_to})
    assert d["ExportType"] == "INCREMENTAL_EXPORT"
    spec = d["IncrementalExportSpecification"]
    assert spec["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    assert spec["ExportFromTime"].timestamp() == t_from
    assert spec["ExportToTime"].timestamp() == t_to
    assert "ExportTime" not in d
    summary, lines = read_export(root, d)
    assert summary["exportType"] == "INCREMENTAL_EXPORT"
    assert summary["version"] == "2023-08-01"
    assert summary["outputView"] == "NEW_AND_OLD_IMAGES"
    assert "exportFromTime" in summary and "exportToTime" in summary
    assert change_lines(lines) == {"upd": ("u0", "u2"), "del": ("d0", None),
                                   "new": (None, "n1"), "late": (None, "l1")}
    stamps = {r["Keys"]["pk"]["S"]: int(r["Metadata"]["WriteTimestampMicros"]["N"])
              for r in lines}
    assert t_from * 1e6 <= stamps["upd"] < t_to * 1e6
    assert stamps["late"] >= before_last * 1e6
    assert d["ItemCount"] == 4
    assert [e["ExportType"] for e in c.list_exports(TableArn=arn)["ExportSummaries"]] == [
        "INCREMENTAL_EXPORT"]

    # NEW_IMAGE: no OldImage; a deleted item has its Keys only. ExportToTime absent: now.
    d = export(c, arn, ExportType="INCREMENTAL_EXPORT", ExportFormat="DYNAMODB_JSON",
               IncrementalExportSpecification={"ExportFromTime": t_from,
                                               "ExportViewType": "NEW_IMAGE"})
    _, lines = read_export(root, d)
    assert change_lines(lines) == {"upd": (None, "u3"), "del": (None, None),
                                   "new": (None, "n1"), "late": (None, "l1"),
                                   "after": (None, "a1")}
    assert d["IncrementalExportSpecification"]["ExportToTime"].timestamp() >= t_to

    # ION: the same lines in Amazon Ion text.
    d = export(c, arn, ExportType="INCREMENTAL_EXPORT", ExportFormat="ION",
               IncrementalExportSpecification={"ExportFromTime": t_from, "ExportToTime": t_to})
    summary = json.loads((root / "bkt" / d["ExportManifest"]).read_text())
    entry = json.loads((root / "bkt" / summary["manifestFilesS3Key"]).read_text().splitlines()[0])
    assert entry["dataFileS3Key"].endswith(".ion.gz")
    text = gzip.decompress((root / "bkt" / entry["dataFileS3Key"]).read_bytes()).decode()
    rows = text.splitlines()
    assert len(rows) == 4
    assert all(r.startswith("$ion_1_0 {Metadata:{WriteTimestampMicros:") for r in rows)
    upd = [r for r in rows if 'Keys:{pk:"upd"' in r][0]
    assert 'OldImage:{pk:"upd",sk:1.,v:"u0"}' in upd and 'NewImage:{pk:"upd",sk:1.,v:"u2"}' in upd


def test_incremental_export_rules(fast):
    srv, c, root = fast
    arn = make_table(c)
    enabled = int(server_now(c))
    pass_server_seconds(c, 20 * 60)
    now = int(server_now(c))

    def start(**kw):
        return lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt", **kw)

    inc = {"ExportType": "INCREMENTAL_EXPORT"}
    expect(start(**inc), "ValidationException",
           "IncrementalExportSpecification must be specified for an INCREMENTAL_EXPORT")
    expect(start(**inc, IncrementalExportSpecification={}), "ValidationException",
           "ExportFromTime must be specified for an INCREMENTAL_EXPORT")
    expect(start(**inc, ExportTime=now - 60,
                 IncrementalExportSpecification={"ExportFromTime": now - 1000}),
           "ValidationException",
           "ExportTime cannot be specified for an INCREMENTAL_EXPORT: use "
           "IncrementalExportSpecification")
    expect(start(IncrementalExportSpecification={"ExportFromTime": now - 1000}),
           "ValidationException",
           "IncrementalExportSpecification can only be specified for an INCREMENTAL_EXPORT")
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 1000,
                                                         "ExportToTime": now - 2000}),
           "InvalidExportTimeException", "ExportFromTime must be earlier than ExportToTime")
    # The period: at least 15 minutes, at most 24 hours (edges included).
    short = "The incremental export period from ExportFromTime to ExportToTime must be at " \
            "least 15 minutes"
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 899,
                                                         "ExportToTime": now}),
           "InvalidExportTimeException", short)
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 600}),
           "InvalidExportTimeException", short)
    d = c.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="bkt", **inc,
        IncrementalExportSpecification={"ExportFromTime": now - 900, "ExportToTime": now})
    assert wait_export(c, d["ExportDescription"]["ExportArn"])["ExportStatus"] == "COMPLETED"
    # Outside the window: before PITR was enabled, in the future.
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": enabled - 3600,
                                                         "ExportToTime": enabled}),
           "InvalidExportTimeException",
           "ExportFromTime is earlier than the table's earliest restorable time")
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 1000,
                                                         "ExportToTime": now + 7200}),
           "InvalidExportTimeException", "ExportToTime cannot be in the future")
    # More than 24 hours (checked on the request, before the window: no table here has a
    # window that long); exactly 24 hours passes that check and meets the window's.
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 86401,
                                                         "ExportToTime": now}),
           "InvalidExportTimeException",
           "The incremental export period from ExportFromTime to ExportToTime must be at most 24 "
           "hours")
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 86400,
                                                         "ExportToTime": now}),
           "InvalidExportTimeException",
           "ExportFromTime is earlier than the table's earliest restorable time")
    # The model's enum for ExportViewType and ExportType.
    expect(start(**inc, IncrementalExportSpecification={"ExportFromTime": now - 1000,
                                                         "ExportViewType": "OLD_IMAGE"}),
           "ValidationException")
