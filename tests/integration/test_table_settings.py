"""Table settings beyond the schema: WarmThroughput, OnDemandThroughput, server-side encryption,
the table class, and the CreateTable/UpdateTable members of features a local server does not have.

DynamoDB behaviour checked (raw HTTP: botocore 1.29 neither sends nor parses the newer members):
- every TableDescription (CreateTable, DescribeTable, UpdateTable, DeleteTable answers) carries
  WarmThroughput {ReadUnitsPerSecond, WriteUnitsPerSecond, Status}, and so does each GSI's
  description; tools such as Terraform's AWS provider (6.13 and later) poll until it is there and
  ACTIVE. An on-demand table and its GSIs report the documented initial throughput, 12,000 read and
  4,000 write units per second. A provisioned table or GSI reports its provisioned capacity: that is
  Cairn's reading of the documentation (see src/api/table_description.h), the one figure here not
  confirmed against DynamoDB itself;
- CreateTable and UpdateTable take WarmThroughput (table, and each GSI in GlobalSecondaryIndexes
  and in GlobalSecondaryIndexUpdates Create and Update), DescribeTable returns it; a value below the
  floor is refused with DynamoDB's messages ("Requested ReadUnitsPerSecond for WarmThroughput for
  table is lower than initial throughput for OnDemand", "... for index <name> is lower than
  ReadCapacityUnits of ProvisionedThroughput"); warm throughput never decreases;
- OnDemandThroughput {MaxReadRequestUnits, MaxWriteRequestUnits} likewise, on on-demand tables and
  their GSIs only; -1 means no limit, and a member left out reads -1; a provisioned table has none;
- SSESpecification {Enabled: true} gives SSEDescription {Status ENABLED, SSEType KMS,
  KMSMasterKeyArn}; Enabled false or absent is DynamoDB's default (an AWS owned key): no
  SSEDescription; SSEType outside [AES256, KMS] is coral's enum violation;
- TableClassSummary {TableClass} for a STANDARD_INFREQUENT_ACCESS table, with LastUpdateDateTime
  once UpdateTable changed the class; none for a table that has always been STANDARD;
- each of WarmThroughput, OnDemandThroughput, SSESpecification, TableClass is enough alone for
  UpdateTable (no "At least one of ..." refusal), and all of it survives a restart;
- the members of global tables, multi-Region consistency, witnesses, multi-account global tables
  and resource-based policies are refused with a ValidationException that names the member, and
  nothing is created or changed; the refusal comes before the table is looked up, and whatever
  else the request asks; the global table operations (CreateGlobalTable, UpdateGlobalTable, ...)
  are not served: UnknownOperationException naming the operation (Cairn's answer: DynamoDB serves
  them), nothing created.
Some messages for invalid values are Cairn's wording where DynamoDB's text is not known to us (the
OnDemandThroughput value checks, an empty WarmThroughput, the SSE combinations, a warm throughput
lower than the current one, the unsupported members); the tests pin them so they do not drift.
"""

import datetime
import time

import pytest

from conftest import create_table, unique_access_key

INVALID = "One or more parameter values were invalid: "
KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
GSI_KEYS = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "g", "AttributeType": "S"}]}
ON_DEMAND_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
WAIT_S = 30.0


def gsi(name="gs1", throughput=None, **members):
    """A GlobalSecondaryIndexes entry (or an UpdateTable Create) on attribute g."""
    x = {"IndexName": name, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL"}, **members}
    if throughput is not None:
        x["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                      "WriteCapacityUnits": throughput[1]}
    return x


def create_body(name, throughput=None, gsis=None, **members):
    """A CreateTable body: on demand unless `throughput` (read, write) is given."""
    body = {"TableName": name, **(GSI_KEYS if gsis else KEYS), **members}
    if throughput is None:
        body["BillingMode"] = "PAY_PER_REQUEST"
    else:
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                         "WriteCapacityUnits": throughput[1]}
    if gsis:
        body["GlobalSecondaryIndexes"] = gsis
    return body


def ok(raw, operation, body):
    r = raw.request(operation, body)
    assert r.status == 200, r
    return r.json


def create(raw, name, **kwargs):
    return ok(raw, "CreateTable", create_body(name, **kwargs))["TableDescription"]


def describe(raw, name):
    return ok(raw, "DescribeTable", {"TableName": name})["Table"]


def update(raw, name, **members):
    return ok(raw, "UpdateTable", {"TableName": name, **members})["TableDescription"]


def refused(raw, operation, body, message, error="ValidationException"):
    r = raw.request(operation, body)
    assert (r.status, r.error_type, r.message) == (400, error, message), r


def index(desc, name="gs1"):
    return next(x for x in desc["GlobalSecondaryIndexes"] if x["IndexName"] == name)


def warm(read, write, status="ACTIVE"):
    return {"ReadUnitsPerSecond": read, "WriteUnitsPerSecond": write, "Status": status}


def on_demand(read, write):
    return {"MaxReadRequestUnits": read, "MaxWriteRequestUnits": write}


def absent(raw, name):
    r = raw.request("DescribeTable", {"TableName": name})
    return r.status == 400 and r.error_type == "ResourceNotFoundException"


def wait_for_gsi_active(raw, table, name):
    deadline = time.monotonic() + WAIT_S
    while True:
        x = index(describe(raw, table), name)
        if x["IndexStatus"] == "ACTIVE":
            return x
        assert x["WarmThroughput"]["Status"] == "UPDATING", x
        assert time.monotonic() < deadline, f"index {name} not ACTIVE after {WAIT_S} s: {x}"
        time.sleep(0.05)


# --------------------------------------------------------------------------------------------------
# WarmThroughput: what every TableDescription reports.


def test_on_demand_table_and_gsi_report_initial_throughput(raw):
    created = create(raw, "ondemand", gsis=[gsi()])
    for t in (created, describe(raw, "ondemand")):
        assert t["WarmThroughput"] == ON_DEMAND_WARM
        assert index(t)["WarmThroughput"] == ON_DEMAND_WARM
        for member in ("OnDemandThroughput", "SSEDescription", "TableClassSummary"):
            assert member not in t, member
        assert "OnDemandThroughput" not in index(t)


def test_provisioned_table_and_gsi_report_their_capacity(raw):
    created = create(raw, "prov", throughput=(5, 6), gsis=[gsi(throughput=(3, 4))])
    for t in (created, describe(raw, "prov")):
        assert t["WarmThroughput"] == warm(5, 6)
        assert index(t)["WarmThroughput"] == warm(3, 4)


def test_lsi_has_no_warm_throughput(raw):
    body = {"TableName": "lsi", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"},
                                     {"AttributeName": "l", "AttributeType": "S"}],
            "LocalSecondaryIndexes": [{"IndexName": "lsi1", "Projection": {"ProjectionType": "ALL"},
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "l", "KeyType": "RANGE"}]}]}
    t = ok(raw, "CreateTable", body)["TableDescription"]
    assert t["WarmThroughput"] == ON_DEMAND_WARM
    assert "WarmThroughput" not in t["LocalSecondaryIndexes"][0]


def test_update_and_delete_answers_carry_warm_throughput(raw):
    create(raw, "tbl", throughput=(5, 5))
    t = update(raw, "tbl", ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8})
    assert t["WarmThroughput"] == warm(7, 8)
    gone = ok(raw, "DeleteTable", {"TableName": "tbl"})["TableDescription"]
    assert gone["TableStatus"] == "DELETING"
    assert (gone["WarmThroughput"]["ReadUnitsPerSecond"],
            gone["WarmThroughput"]["WriteUnitsPerSecond"]) == (7, 8)
    assert gone["WarmThroughput"]["Status"] in ("ACTIVE", "DELETING")


def test_gsi_added_by_update_table_reports_warm_throughput(raw):
    create(raw, "tbl")
    t = update(raw, "tbl", AttributeDefinitions=GSI_KEYS["AttributeDefinitions"],
               GlobalSecondaryIndexUpdates=[{"Create": gsi(
                   WarmThroughput={"ReadUnitsPerSecond": 20000},
                   OnDemandThroughput={"MaxWriteRequestUnits": 70})}])
    x = index(t)
    assert x["IndexStatus"] == "CREATING"
    assert x["WarmThroughput"] == warm(20000, 4000, "UPDATING")
    assert x["OnDemandThroughput"] == on_demand(-1, 70)
    x = wait_for_gsi_active(raw, "tbl", "gs1")
    assert x["WarmThroughput"] == warm(20000, 4000)
    assert x["OnDemandThroughput"] == on_demand(-1, 70)


# --------------------------------------------------------------------------------------------------
# WarmThroughput: requested values.


def test_create_with_warm_throughput(raw):
    index_warm = {"ReadUnitsPerSecond": 30000, "WriteUnitsPerSecond": 4000}
    t = ok(raw, "CreateTable", {
        **create_body("ondemand", gsis=[gsi(WarmThroughput=index_warm)]),
        "WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000}},
    )["TableDescription"]
    for d in (t, describe(raw, "ondemand")):
        assert d["WarmThroughput"] == warm(15000, 5000)
        assert index(d)["WarmThroughput"] == warm(30000, 4000)
    # A provisioned table may ask for any value from its capacity up; a member left out keeps the
    # default.
    index_warm = {"WriteUnitsPerSecond": 3}
    t = create(raw, "prov", throughput=(10, 10),
               gsis=[gsi(throughput=(2, 3), WarmThroughput=index_warm)],
               WarmThroughput={"ReadUnitsPerSecond": 100})
    assert t["WarmThroughput"] == warm(100, 10)
    assert index(t)["WarmThroughput"] == warm(2, 3)
    assert describe(raw, "prov")["WarmThroughput"] == warm(100, 10)


def test_update_table_with_warm_throughput_alone(raw):
    create(raw, "ondemand", gsis=[gsi()])
    t = update(raw, "ondemand", WarmThroughput={"ReadUnitsPerSecond": 13000})
    assert t["WarmThroughput"] == warm(13000, 4000)
    t = update(raw, "ondemand",
               WarmThroughput={"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 4500})
    assert t["WarmThroughput"] == warm(13000, 4500)
    assert describe(raw, "ondemand")["WarmThroughput"] == warm(13000, 4500)
    # A GSI's Update with WarmThroughput alone.
    t = update(raw, "ondemand", GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "gs1", "WarmThroughput": {"WriteUnitsPerSecond": 6000}}}])
    assert index(t)["WarmThroughput"] == warm(12000, 6000)
    d = describe(raw, "ondemand")
    assert index(d)["WarmThroughput"] == warm(12000, 6000)
    assert d["WarmThroughput"] == warm(13000, 4500)


def test_warm_throughput_never_decreases(raw):
    create(raw, "tbl", throughput=(5, 5))
    up = {"ReadCapacityUnits": 100, "WriteCapacityUnits": 50}
    assert update(raw, "tbl", ProvisionedThroughput=up)["WarmThroughput"] == warm(100, 50)
    down = {"ReadCapacityUnits": 10, "WriteCapacityUnits": 10}
    assert update(raw, "tbl", ProvisionedThroughput=down)["WarmThroughput"] == warm(100, 50)
    assert update(raw, "tbl", BillingMode="PAY_PER_REQUEST")["WarmThroughput"] == ON_DEMAND_WARM
    t = update(raw, "tbl", BillingMode="PROVISIONED",
               ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert t["WarmThroughput"] == ON_DEMAND_WARM
    assert describe(raw, "tbl")["WarmThroughput"] == ON_DEMAND_WARM
    # A GSI's too.
    create(raw, "gsitable", throughput=(5, 5), gsis=[gsi(throughput=(40, 30))])
    t = update(raw, "gsitable", GlobalSecondaryIndexUpdates=[{"Update": {
        "IndexName": "gs1", "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                     "WriteCapacityUnits": 1}}}])
    assert index(t)["ProvisionedThroughput"]["ReadCapacityUnits"] == 1
    assert index(t)["WarmThroughput"] == warm(40, 30)


@pytest.mark.parametrize("warm_request,floor", [
    ({"ReadUnitsPerSecond": 11999}, "ReadUnitsPerSecond"),
    ({"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 3999}, "WriteUnitsPerSecond"),
    ({"ReadUnitsPerSecond": 0}, "ReadUnitsPerSecond"),
    ({"WriteUnitsPerSecond": -1}, "WriteUnitsPerSecond"),
])
def test_warm_throughput_below_on_demand_floor(raw, warm_request, floor):
    message = (f"{INVALID}Requested {floor} for WarmThroughput for table is lower than initial "
               "throughput for OnDemand")
    refused(raw, "CreateTable", create_body("tab", WarmThroughput=warm_request), message)
    assert absent(raw, "tab")
    create(raw, "tab")
    refused(raw, "UpdateTable", {"TableName": "tab", "WarmThroughput": warm_request}, message)
    index_message = (f"{INVALID}Requested {floor} for WarmThroughput for index gs1 is lower than "
                     "initial throughput for OnDemand")
    refused(raw, "CreateTable", create_body("idx", gsis=[gsi(WarmThroughput=warm_request)]),
            index_message)
    assert absent(raw, "idx")


def test_warm_throughput_below_provisioned_capacity(raw):
    refused(raw, "CreateTable",
            create_body("tab", throughput=(10, 20), WarmThroughput={"ReadUnitsPerSecond": 9}),
            f"{INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than "
            "ReadCapacityUnits of ProvisionedThroughput")
    refused(raw, "CreateTable",
            create_body("tab", throughput=(10, 20), WarmThroughput={"WriteUnitsPerSecond": 19}),
            f"{INVALID}Requested WriteUnitsPerSecond for WarmThroughput for table is lower than "
            "WriteCapacityUnits of ProvisionedThroughput")
    refused(raw, "CreateTable",
            create_body("tab", throughput=(10, 20),
                        gsis=[gsi(throughput=(5, 5), WarmThroughput={"ReadUnitsPerSecond": 4})]),
            f"{INVALID}Requested ReadUnitsPerSecond for WarmThroughput for index gs1 is lower than "
            "ReadCapacityUnits of ProvisionedThroughput")
    assert absent(raw, "tab")
    # UpdateTable: against the capacity the same request sets.
    create(raw, "tab", throughput=(10, 20))
    refused(raw, "UpdateTable",
            {"TableName": "tab", "WarmThroughput": {"ReadUnitsPerSecond": 50},
             "ProvisionedThroughput": {"ReadCapacityUnits": 60, "WriteCapacityUnits": 20}},
            f"{INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than "
            "ReadCapacityUnits of ProvisionedThroughput")
    d = describe(raw, "tab")
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 10  # nothing applied
    assert d["WarmThroughput"] == warm(10, 20)


def test_warm_throughput_lower_than_current(raw):
    create(raw, "tab", gsis=[gsi(WarmThroughput={"ReadUnitsPerSecond": 14000})],
           WarmThroughput={"ReadUnitsPerSecond": 15000})
    refused(raw, "UpdateTable",
            {"TableName": "tab", "WarmThroughput": {"ReadUnitsPerSecond": 14000}},
            f"{INVALID}Requested ReadUnitsPerSecond for WarmThroughput for table is lower than "
            "current WarmThroughput")
    refused(raw, "UpdateTable",
            {"TableName": "tab", "GlobalSecondaryIndexUpdates": [{"Update": {
                "IndexName": "gs1", "WarmThroughput": {"ReadUnitsPerSecond": 13000}}}]},
            f"{INVALID}Requested ReadUnitsPerSecond for WarmThroughput for index gs1 is lower than "
            "current WarmThroughput")
    # The same value is no decrease.
    assert update(raw, "tab", WarmThroughput={"ReadUnitsPerSecond": 15000})["WarmThroughput"] == (
        warm(15000, 4000))


def test_warm_throughput_malformed(raw):
    create(raw, "tab")
    message = (f"{INVALID}WarmThroughput must specify ReadUnitsPerSecond, WriteUnitsPerSecond, "
               "or both")
    refused(raw, "CreateTable", create_body("refused", WarmThroughput={}), message)
    refused(raw, "UpdateTable", {"TableName": "tab", "WarmThroughput": {}}, message)
    refused(raw, "UpdateTable",
            {"TableName": "tab", "WarmThroughput": {"ReadUnitsPerSecond": None}}, message)
    refused(raw, "CreateTable",
            create_body("refused", WarmThroughput={"ReadUnitsPerSecond": "12000"}),
            "STRING_VALUE cannot be converted to Long", "SerializationException")
    refused(raw, "UpdateTable",
            {"TableName": "tab", "WarmThroughput": {"WriteUnitsPerSecond": 4000.5}},
            "NUMBER_VALUE cannot be converted to Long", "SerializationException")
    refused(raw, "UpdateTable", {"TableName": "tab", "WarmThroughput": [12000]},
            "Start of list found where not expected", "SerializationException")
    assert absent(raw, "refused")
    assert describe(raw, "tab")["WarmThroughput"] == ON_DEMAND_WARM


# --------------------------------------------------------------------------------------------------
# OnDemandThroughput.


def test_create_with_on_demand_throughput(raw):
    t = ok(raw, "CreateTable", {
        **create_body("ondemand", gsis=[gsi(OnDemandThroughput={"MaxReadRequestUnits": 50})]),
        "OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 200}},
    )["TableDescription"]
    for d in (t, describe(raw, "ondemand")):
        assert d["OnDemandThroughput"] == on_demand(100, 200)
        assert index(d)["OnDemandThroughput"] == on_demand(50, -1)
    t = create(raw, "nolimit", OnDemandThroughput={"MaxWriteRequestUnits": -1})
    assert t["OnDemandThroughput"] == on_demand(-1, -1)


def test_update_table_with_on_demand_throughput_alone(raw):
    create(raw, "ondemand", gsis=[gsi()])
    t = update(raw, "ondemand", OnDemandThroughput={"MaxReadRequestUnits": 100})
    assert t["OnDemandThroughput"] == on_demand(100, -1)
    t = update(raw, "ondemand", OnDemandThroughput={"MaxWriteRequestUnits": 300})
    assert t["OnDemandThroughput"] == on_demand(100, 300)
    t = update(raw, "ondemand", OnDemandThroughput={"MaxReadRequestUnits": -1})
    assert t["OnDemandThroughput"] == on_demand(-1, 300)
    assert describe(raw, "ondemand")["OnDemandThroughput"] == on_demand(-1, 300)
    t = update(raw, "ondemand", GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "gs1", "OnDemandThroughput": {"MaxWriteRequestUnits": 40}}}])
    assert index(t)["OnDemandThroughput"] == on_demand(-1, 40)
    d = describe(raw, "ondemand")
    assert index(d)["OnDemandThroughput"] == on_demand(-1, 40)
    assert d["OnDemandThroughput"] == on_demand(-1, 300)


@pytest.mark.parametrize("value", [0, -2, -100])
def test_on_demand_throughput_out_of_range(raw, value):
    create(raw, "tab")
    for member in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):
        message = (f"{INVALID}{member} must be at least 1, or -1 for no limit; requested: "
                   f"{value}")
        refused(raw, "CreateTable", create_body("refused", OnDemandThroughput={member: value}),
                message)
        refused(raw, "CreateTable",
                create_body("refused", gsis=[gsi(OnDemandThroughput={member: value})]), message)
        refused(raw, "UpdateTable", {"TableName": "tab", "OnDemandThroughput": {member: value}},
                message)
    assert absent(raw, "refused")
    assert "OnDemandThroughput" not in describe(raw, "tab")


def test_on_demand_throughput_malformed(raw):
    create(raw, "tab")
    message = (f"{INVALID}OnDemandThroughput must specify MaxReadRequestUnits, "
               "MaxWriteRequestUnits, or both")
    refused(raw, "CreateTable", create_body("refused", OnDemandThroughput={}), message)
    refused(raw, "UpdateTable", {"TableName": "tab", "OnDemandThroughput": {}}, message)
    refused(raw, "UpdateTable",
            {"TableName": "tab", "OnDemandThroughput": {"MaxReadRequestUnits": True}},
            "TRUE_VALUE cannot be converted to Long", "SerializationException")
    refused(raw, "UpdateTable", {"TableName": "tab", "OnDemandThroughput": 5},
            "Unexpected value type in payload", "SerializationException")
    assert absent(raw, "refused")


def test_on_demand_throughput_on_provisioned_table(raw):
    table_message = (f"{INVALID}Neither MaxReadRequestUnits nor MaxWriteRequestUnits can be "
                     "specified when BillingMode is PROVISIONED")
    refused(raw, "CreateTable",
            create_body("refused", throughput=(5, 5),
                        OnDemandThroughput={"MaxReadRequestUnits": 10}),
            table_message)
    refused(raw, "CreateTable",
            create_body("refused", throughput=(5, 5), gsis=[gsi(
                throughput=(5, 5), OnDemandThroughput={"MaxReadRequestUnits": 10})]),
            f"{INVALID}OnDemandThroughput should not be specified for index: gs1 when BillingMode "
            "is PROVISIONED")
    assert absent(raw, "refused")
    create(raw, "provisioned", throughput=(5, 5), gsis=[gsi(throughput=(5, 5))])
    refused(raw, "UpdateTable",
            {"TableName": "provisioned", "OnDemandThroughput": {"MaxReadRequestUnits": 10}},
            table_message)
    refused(raw, "UpdateTable",
            {"TableName": "provisioned", "GlobalSecondaryIndexUpdates": [{"Update": {
                "IndexName": "gs1", "OnDemandThroughput": {"MaxReadRequestUnits": 10}}}]},
            f"{INVALID}OnDemandThroughput should not be specified for index: gs1 when BillingMode "
            "is PROVISIONED")
    # Switching to on-demand in the same request is fine.
    t = update(raw, "provisioned", BillingMode="PAY_PER_REQUEST",
               OnDemandThroughput={"MaxReadRequestUnits": 10})
    assert t["OnDemandThroughput"] == on_demand(10, -1)


def test_switch_to_provisioned_drops_on_demand_throughput(raw):
    create(raw, "ondemand", gsis=[gsi(OnDemandThroughput={"MaxReadRequestUnits": 5})],
           OnDemandThroughput={"MaxReadRequestUnits": 100})
    refused(raw, "UpdateTable",
            {"TableName": "ondemand", "BillingMode": "PROVISIONED",
             "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
             "OnDemandThroughput": {"MaxReadRequestUnits": 100}},
            f"{INVALID}Neither MaxReadRequestUnits nor MaxWriteRequestUnits can be specified when "
            "BillingMode is PROVISIONED")
    t = update(raw, "ondemand", BillingMode="PROVISIONED",
               ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
               GlobalSecondaryIndexUpdates=[{"Update": {
                   "IndexName": "gs1", "ProvisionedThroughput": {"ReadCapacityUnits": 5,
                                                                "WriteCapacityUnits": 5}}}])
    for d in (t, describe(raw, "ondemand")):
        assert "OnDemandThroughput" not in d
        assert "OnDemandThroughput" not in index(d)


# --------------------------------------------------------------------------------------------------
# Server-side encryption.

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}"


def sse_description(t):
    return t.get("SSEDescription")


def test_sse_enabled_with_aws_managed_key(raw):
    t = create(raw, "first", SSESpecification={"Enabled": True})
    d = sse_description(t)
    assert (d["Status"], d["SSEType"]) == ("ENABLED", "KMS")
    assert d["KMSMasterKeyArn"].startswith("arn:aws:kms:us-east-1:000000000000:key/"), d
    assert sse_description(describe(raw, "first")) == d
    # DynamoDB's AWS managed key is one per account and Region.
    t = create(raw, "second", SSESpecification={"Enabled": True, "SSEType": "KMS"})
    assert sse_description(t) == d


@pytest.mark.parametrize("key,arn", [
    (KEY_ID, f"arn:aws:kms:us-east-1:000000000000:key/{KEY_ID}"),
    (KEY_ARN, KEY_ARN),
    ("alias/my-key", "arn:aws:kms:us-east-1:000000000000:alias/my-key"),
])
def test_sse_with_customer_managed_key(raw, key, arn):
    t = ok(raw, "CreateTable", {
        **create_body("tab"),
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}},
    )["TableDescription"]
    expected = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": arn}
    assert sse_description(t) == expected
    assert sse_description(describe(raw, "tab")) == expected


@pytest.mark.parametrize("spec", [{"Enabled": False}, {}, None])
def test_sse_disabled_or_absent_shows_no_description(raw, spec):
    members = {} if spec is None else {"SSESpecification": spec}
    t = create(raw, "tab", **members)
    assert "SSEDescription" not in t
    assert "SSEDescription" not in describe(raw, "tab")


def test_update_table_with_sse_specification_alone(raw):
    create(raw, "tab")
    t = update(raw, "tab", SSESpecification={"Enabled": True, "KMSMasterKeyId": KEY_ARN})
    assert sse_description(t) == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}
    assert sse_description(describe(raw, "tab"))["KMSMasterKeyArn"] == KEY_ARN
    t = update(raw, "tab", SSESpecification={"Enabled": True})  # back to the AWS managed key
    assert sse_description(t)["KMSMasterKeyArn"].startswith(
        "arn:aws:kms:us-east-1:000000000000:key/")
    t = update(raw, "tab", SSESpecification={"Enabled": False})  # back to an AWS owned key
    assert "SSEDescription" not in t
    assert "SSEDescription" not in describe(raw, "tab")


def test_sse_specification_invalid(raw):
    create(raw, "tab")
    refused(raw, "CreateTable", create_body("refused", SSESpecification={"Enabled": True,
                                                                   "SSEType": "DES"}),
            "1 validation error detected: Value 'DES' at 'sSESpecification.sSEType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [AES256, KMS]")
    refused(raw, "UpdateTable",
            {"TableName": "tab", "SSESpecification": {"Enabled": True, "SSEType": "kms"}},
            "1 validation error detected: Value 'kms' at 'sSESpecification.sSEType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [AES256, KMS]")
    cases = [
        ({"Enabled": True, "SSEType": "AES256"},
         f"{INVALID}Unsupported SSEType AES256: the only supported value is KMS"),
        ({"Enabled": False, "SSEType": "KMS"},
         f"{INVALID}SSEType can only be specified when SSESpecification Enabled is true"),
        ({"KMSMasterKeyId": KEY_ID},
         f"{INVALID}KMSMasterKeyId can only be specified when SSESpecification Enabled is true"),
        ({"Enabled": True, "KMSMasterKeyId": ""}, f"{INVALID}KMSMasterKeyId must not be empty"),
    ]
    for spec, message in cases:
        refused(raw, "CreateTable", create_body("refused", SSESpecification=spec), message)
        refused(raw, "UpdateTable", {"TableName": "tab", "SSESpecification": spec}, message)
    refused(raw, "UpdateTable", {"TableName": "tab", "SSESpecification": {"Enabled": "yes"}},
            "STRING_VALUE cannot be converted to Boolean", "SerializationException")
    assert absent(raw, "refused")
    assert "SSEDescription" not in describe(raw, "tab")


# --------------------------------------------------------------------------------------------------
# TableClassSummary (boto3 1.29 knows TableClass).


def test_table_class_summary(client):
    created = create_table(client, "infrequent", BillingMode="PAY_PER_REQUEST",
                           TableClass="STANDARD_INFREQUENT_ACCESS")
    assert created["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    t = client.describe_table(TableName="infrequent")["Table"]
    assert t["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    plain = create_table(client, "standard", BillingMode="PAY_PER_REQUEST")
    assert "TableClassSummary" not in plain

    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    t = client.update_table(TableName="infrequent", TableClass="STANDARD")["TableDescription"]
    after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
    summary = t["TableClassSummary"]
    assert summary["TableClass"] == "STANDARD"
    assert before <= summary["LastUpdateDateTime"] <= after
    assert client.describe_table(TableName="infrequent")["Table"]["TableClassSummary"] == summary


# --------------------------------------------------------------------------------------------------
# UpdateTable with nothing it knows.


def test_update_table_with_nothing_to_change(raw):
    create(raw, "tab")
    refused(raw, "UpdateTable", {"TableName": "tab"},
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")


# --------------------------------------------------------------------------------------------------
# Restart.


def test_settings_survive_restart(make_server):
    srv = make_server()
    key = unique_access_key()
    raw = srv.raw(key)
    create(raw, "ondemand", gsis=[gsi(OnDemandThroughput={"MaxReadRequestUnits": 50},
                                WarmThroughput={"ReadUnitsPerSecond": 16000})],
           OnDemandThroughput={"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 200},
           WarmThroughput={"WriteUnitsPerSecond": 8000},
           SSESpecification={"Enabled": True, "KMSMasterKeyId": KEY_ARN},
           TableClass="STANDARD_INFREQUENT_ACCESS")
    create(raw, "prov", throughput=(5, 5), SSESpecification={"Enabled": True})
    update(raw, "prov", ProvisionedThroughput={"ReadCapacityUnits": 300, "WriteCapacityUnits": 200})
    update(raw, "prov", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
           TableClass="STANDARD_INFREQUENT_ACCESS")
    members = ("WarmThroughput", "OnDemandThroughput", "SSEDescription", "TableClassSummary",
               "GlobalSecondaryIndexes")

    def settings(name):
        t = describe(raw, name)
        for x in t.get("GlobalSecondaryIndexes", []):
            x.pop("ItemCount")
            x.pop("IndexSizeBytes")
        return {m: t.get(m) for m in members}

    before = {name: settings(name) for name in ("ondemand", "prov")}
    assert before["ondemand"]["WarmThroughput"] == warm(12000, 8000)
    assert before["ondemand"]["OnDemandThroughput"] == on_demand(100, 200)
    assert before["ondemand"]["SSEDescription"]["KMSMasterKeyArn"] == KEY_ARN
    assert before["ondemand"]["GlobalSecondaryIndexes"][0]["WarmThroughput"] == warm(16000, 4000)
    assert before["prov"]["WarmThroughput"] == warm(300, 200)
    assert "LastUpdateDateTime" in before["prov"]["TableClassSummary"]

    assert srv.stop() == 0
    srv.start()
    raw = srv.raw(key)
    for name in ("ondemand", "prov"):
        assert settings(name) == before[name], name


# --------------------------------------------------------------------------------------------------
# Members of features a local server does not have.


@pytest.mark.parametrize("operation,member,value,feature", [
    ("CreateTable", "ResourcePolicy", '{"Version": "2012-10-17", "Statement": []}',
     "Resource-based policies"),
    ("CreateTable", "GlobalTableSourceArn", "arn:aws:dynamodb:us-west-2:111122223333:table/src",
     "Multi-account global tables"),
    ("CreateTable", "GlobalTableSettingsReplicationMode", "ENABLED", "Multi-account global tables"),
    ("UpdateTable", "ReplicaUpdates", [{"Create": {"RegionName": "us-west-2"}}], "Global tables"),
    ("UpdateTable", "MultiRegionConsistency", "STRONG", "Multi-Region consistency modes"),
    ("UpdateTable", "GlobalTableWitnessUpdates", [{"Create": {"RegionName": "us-west-2"}}],
     "Global table witnesses"),
    ("UpdateTable", "GlobalTableSettingsReplicationMode", "DISABLED",
     "Multi-account global tables"),
])
def test_unsupported_member_is_refused(raw, operation, member, value, feature):
    create(raw, "tab")
    message = f"{feature} ({member}) are not supported by Cairn"
    if operation == "CreateTable":
        refused(raw, operation, {**create_body("new"), member: value}, message)
        assert absent(raw, "new")
        return
    refused(raw, operation, {"TableName": "tab", member: value}, message)
    # Also beside a change that would be accepted alone: nothing is applied.
    refused(raw, operation,
            {"TableName": "tab", member: value, "TableClass": "STANDARD_INFREQUENT_ACCESS"},
            message)
    assert "TableClassSummary" not in describe(raw, "tab")


@pytest.mark.parametrize("member,value,feature", [
    ("ReplicaUpdates", [{"Delete": {"RegionName": "us-west-2"}}], "Global tables"),
    ("MultiRegionConsistency", "EVENTUAL", "Multi-Region consistency modes"),
    ("GlobalTableWitnessUpdates", [{"Delete": {"RegionName": "us-west-2"}}],
     "Global table witnesses"),
])
def test_unsupported_member_refused_before_the_table_lookup(raw, member, value, feature):
    # Also on a table that does not exist, and beside a GSI change: the member is what is wrong.
    refused(raw, "UpdateTable", {"TableName": "absent", member: value},
            f"{feature} ({member}) are not supported by Cairn")
    create(raw, "tab")
    refused(raw, "UpdateTable", {"TableName": "tab", member: value,
                                 "AttributeDefinitions": GSI_KEYS["AttributeDefinitions"],
                                 "GlobalSecondaryIndexUpdates": [{"Create": gsi("gs1")}]},
            f"{feature} ({member}) are not supported by Cairn")
    assert "GlobalSecondaryIndexes" not in describe(raw, "tab")


@pytest.mark.parametrize("operation,body", [
    ("CreateGlobalTable", {"GlobalTableName": "tab",
                           "ReplicationGroup": [{"RegionName": "us-east-1"}]}),
    ("UpdateGlobalTable", {"GlobalTableName": "tab",
                           "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]}),
    ("DescribeGlobalTable", {"GlobalTableName": "tab"}),
    ("ListGlobalTables", {}),
    ("UpdateGlobalTableSettings", {"GlobalTableName": "tab"}),
    ("DescribeGlobalTableSettings", {"GlobalTableName": "tab"}),
    ("UpdateTableReplicaAutoScaling", {"TableName": "tab"}),
    ("DescribeTableReplicaAutoScaling", {"TableName": "tab"}),
])
def test_global_table_operations_are_not_served(raw, operation, body):
    create(raw, "tab")
    refused(raw, operation, body, f"Unknown operation: DynamoDB_20120810.{operation}",
            "UnknownOperationException")
    assert "Replicas" not in describe(raw, "tab")
    assert ok(raw, "ListTables", {})["TableNames"] == ["tab"]
