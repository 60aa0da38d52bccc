"""DescribeContinuousBackups and UpdateContinuousBackups: the point-in-time recovery setting.

DynamoDB's API reference: every table has ContinuousBackupsStatus ENABLED; PointInTimeRecovery is
DISABLED until UpdateContinuousBackups turns it on, and then reports RecoveryPeriodInDays (1 to 35,
default 35), EarliestRestorableDateTime and LatestRestorableDateTime. A table that does not exist is
TableNotFoundException, the backup operations' own error type. Infrastructure tools (Terraform's
point_in_time_recovery) read and set this on every table. The setting survives a restart.
These tests pin the setting; restoring to a point in time is tested in test_backups.py.
"""

import datetime

import pytest
from botocore.exceptions import ClientError

from conftest import create_table, unique_access_key


def describe(client, table):
    return client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]


def recovery_days(raw, table):
    """RecoveryPeriodInDays as sent: boto3 from Debian (2022) predates the member and drops it."""
    r = raw.request("DescribeContinuousBackups", {"TableName": table})
    assert r.status == 200, r.body
    return r.json["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"].get(
        "RecoveryPeriodInDays")


def test_new_table_has_recovery_disabled(client):
    create_table(client, "pitr")
    assert describe(client, "pitr") == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}


def test_enable_then_disable(raw, client):
    create_table(client, "pitr")
    before = datetime.datetime.now(datetime.timezone.utc)
    got = client.update_continuous_backups(
        TableName="pitr",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    desc = got["ContinuousBackupsDescription"]
    assert desc == describe(client, "pitr") | {
        "PointInTimeRecoveryDescription": desc["PointInTimeRecoveryDescription"]}
    pitr = desc["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert recovery_days(raw, "pitr") == 35
    # Just turned on: the window starts now.
    earliest = pitr["EarliestRestorableDateTime"]
    assert abs((earliest - before).total_seconds()) < 5
    assert pitr["LatestRestorableDateTime"] >= earliest
    again = describe(client, "pitr")["PointInTimeRecoveryDescription"]
    assert again["EarliestRestorableDateTime"] == earliest

    got = client.update_continuous_backups(
        TableName="pitr",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert got["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}
    assert describe(client, "pitr")["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}
    assert recovery_days(raw, "pitr") is None


@pytest.mark.parametrize("days", [1, 7, 35])
def test_recovery_period(raw, client, days):
    create_table(client, "pitr")
    # boto3 from Debian predates RecoveryPeriodInDays: raw HTTP.
    r = raw.request("UpdateContinuousBackups", {
        "TableName": "pitr",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True,
                                             "RecoveryPeriodInDays": days}})
    assert r.status == 200, r.body
    pitr = r.json["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["RecoveryPeriodInDays"] == days
    assert recovery_days(raw, "pitr") == days
    # Turning it on again without a period: the default.
    client.update_continuous_backups(TableName="pitr", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    assert recovery_days(raw, "pitr") == 35


@pytest.mark.parametrize("days,bound", [(0, "greater than or equal to 1"),
                                        (36, "less than or equal to 35")])
def test_recovery_period_out_of_range(raw, client, days, bound):
    create_table(client, "pitr")
    r = raw.request("UpdateContinuousBackups", {
        "TableName": "pitr",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True,
                                             "RecoveryPeriodInDays": days}})
    assert (r.status, r.error_type) == (400, "ValidationException")
    assert r.message == (
        f"1 validation error detected: Value '{days}' at "
        f"'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: "
        f"Member must have value {bound}")
    assert describe(client, "pitr")["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"}


@pytest.mark.parametrize("call,kwargs", [
    ("describe_continuous_backups", {}),
    ("update_continuous_backups",
     {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}),
])
def test_missing_table_is_table_not_found(client, call, kwargs):
    with pytest.raises(ClientError) as e:
        getattr(client, call)(TableName="missing", **kwargs)
    assert e.value.response["Error"]["Code"] == "TableNotFoundException"
    assert e.value.response["Error"]["Message"] == "Table not found: missing"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_specification_is_required(raw, client):
    create_table(client, "pitr")
    r = raw.request("UpdateContinuousBackups", {"TableName": "pitr"})
    assert (r.status, r.error_type) == (400, "ValidationException")
    assert r.message == ("1 validation error detected: Value null at "
                         "'pointInTimeRecoverySpecification' failed to satisfy constraint: Member "
                         "must not be null")
    r = raw.request("UpdateContinuousBackups", {"TableName": "pitr",
                                                "PointInTimeRecoverySpecification": {}})
    assert r.message == ("1 validation error detected: Value null at "
                         "'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to "
                         "satisfy constraint: Member must not be null")


def test_setting_survives_restart(make_server):
    srv = make_server()
    key = unique_access_key()
    c = srv.client(key)
    create_table(c, "pitr")
    c.update_continuous_backups(TableName="pitr", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    earliest = describe(c, "pitr")["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
    srv.restart()
    c = srv.client(key)
    pitr = describe(c, "pitr")["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["EarliestRestorableDateTime"] == earliest
