"""ExportTableToPointInTime, DescribeExport, ListExports, ImportTable, DescribeImport, ListImports
through boto3, against the files they write under --s3-dir (AWS's export layout:
<bucket>/<prefix>/AWSDynamoDB/<export id>/manifest-summary.json, manifest-files.json,
data/*.json.gz or *.ion.gz) and read (every InputFormat and InputCompressionType)."""
import base64
import gzip
import hashlib
import json
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import expect_error, unique_access_key

S = "S"


def wait(predicate, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out")


def wait_export(c, arn):
    return wait(lambda: (d := c.describe_export(ExportArn=arn)["ExportDescription"])
                ["ExportStatus"] != "IN_PROGRESS" and d)


def wait_import(c, arn):
    return wait(lambda: (d := c.describe_import(ImportArn=arn)["ImportTableDescription"])
                ["ImportStatus"] != "IN_PROGRESS" and d)


def make_table(c, name, pitr=True):
    c.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    if pitr:
        c.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def creation_params(name):
    return {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byg",
                                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]}


# Every attribute type, awkward names and strings (quotes, backslashes, newlines, non-ASCII).
def sample_items(n=30):
    items = []
    for i in range(n):
        items.append({
            "pk": {S: f"p{i % 7}"}, "sk": {"N": str(i)}, "g": {S: f"g{i % 3}"},
            "s": {S: f'quote " back \\ nl \n tab \t é 😀 {i}'},
            "n": {"N": "-1.5E+7" if i % 2 else "0.000123"},
            "b": {"B": bytes([i, 0, 255])},
            "t": {"BOOL": i % 2 == 0}, "z": {"NULL": True},
            "m": {"M": {"a b": {"L": [{"N": "1"}, {S: "x"}]}, "null": {"NULL": True}}},
            "ss": {"SS": ["a", "b'c"]}, "ns": {"NS": ["1", "2.5"]},
            "bs": {"BS": [b"x"]},
            "weird-name.x": {S: "v"},
        })
    return items


def scan_all(c, table):
    out, kw = [], {}
    while True:
        r = c.scan(TableName=table, **kw)
        out += r["Items"]
        if "LastEvaluatedKey" not in r:
            return out
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def norm(items):
    """Items as comparable values: sets sorted, binaries as bytes (JSON files hold base64)."""
    def fix(v):
        if isinstance(v, dict) and len(v) == 1 and "B" in v:
            return {"B": bytes(v["B"]) if not isinstance(v["B"], str) else base64.b64decode(v["B"])}
        if isinstance(v, dict) and len(v) == 1 and "BS" in v:
            return {"BS": sorted(bytes(x) if not isinstance(x, str) else base64.b64decode(x)
                                 for x in v["BS"])}
        if isinstance(v, dict):
            return {k: (sorted(x) if k in ("SS", "NS", "BS") else fix(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v
    return sorted((fix(i) for i in items), key=lambda i: (i["pk"][S], i["sk"]["N"]))


@pytest.fixture
def s3(make_server, tmp_path):
    """A server with --s3-dir and a client of it: (server, client, s3 root)."""
    root = tmp_path / "s3root"
    srv = make_server("--s3-dir", str(root))
    return srv, srv.client(unique_access_key()), root


def export(c, table, bucket="my-bucket", **kw):
    arn = c.describe_table(TableName=table)["Table"]["TableArn"]
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, **kw)["ExportDescription"]
    assert d["ExportStatus"] == "IN_PROGRESS"
    return wait_export(c, d["ExportArn"])


def test_export_layout_manifests_and_checksums(s3):
    srv, c, root = s3
    make_table(c, "src")
    items = sample_items()
    for it in items:
        c.put_item(TableName="src", Item=it)
    d = export(c, "src", S3Prefix="exports/run1", ClientToken="tok-1")
    assert d["ExportStatus"] == "COMPLETED"
    assert d["ItemCount"] == len(items) and d["BilledSizeBytes"] > 0
    assert d["ExportFormat"] == "DYNAMODB_JSON" and d["S3Bucket"] == "my-bucket"
    assert d["S3Prefix"] == "exports/run1" and d["S3SseAlgorithm"] == "AES256"
    assert d["ClientToken"] == "tok-1"
    export_id = d["ExportArn"].rsplit("/", 1)[1]
    assert d["ExportArn"].endswith(f":table/src/export/{export_id}")
    assert d["ExportManifest"] == f"exports/run1/AWSDynamoDB/{export_id}/manifest-summary.json"
    assert d["EndTime"] >= d["StartTime"] and d["TableId"]
    base = root / "my-bucket" / "exports/run1/AWSDynamoDB" / export_id
    assert (base / "_started").exists()
    summary = json.loads((root / "my-bucket" / d["ExportManifest"]).read_text())
    assert set(summary) == {"version", "exportArn", "startTime", "endTime", "tableId", "tableArn",
                            "exportTime", "s3Bucket", "s3Prefix", "s3SseAlgorithm",
                            "s3SseKmsKeyId", "manifestFilesS3Key", "billedSizeBytes",
                            "itemCount", "outputFormat", "exportType"}
    assert summary["version"] == "2020-06-30" and summary["exportArn"] == d["ExportArn"]
    assert summary["itemCount"] == len(items) and summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["s3Prefix"] == "exports/run1" and summary["s3SseKmsKeyId"] is None
    assert summary["billedSizeBytes"] == d["BilledSizeBytes"]
    assert summary["manifestFilesS3Key"] == f"exports/run1/AWSDynamoDB/{export_id}/manifest-files.json"
    assert summary["exportTime"].endswith("Z") and "T" in summary["exportTime"]
    files_text = (root / "my-bucket" / summary["manifestFilesS3Key"]).read_text()
    assert base64.b64decode((base / "manifest-files.md5").read_text()) == \
        hashlib.md5(files_text.encode()).digest()
    lines = [json.loads(l) for l in files_text.splitlines()]
    assert lines and sum(l["itemCount"] for l in lines) == len(items)
    exported = []
    for l in lines:
        assert set(l) == {"itemCount", "md5Checksum", "etag", "dataFileS3Key"}
        assert l["dataFileS3Key"].startswith(f"exports/run1/AWSDynamoDB/{export_id}/data/")
        assert l["dataFileS3Key"].endswith(".json.gz")
        raw = (root / "my-bucket" / l["dataFileS3Key"]).read_bytes()
        assert l["etag"] == hashlib.md5(raw).hexdigest()
        assert l["md5Checksum"] == base64.b64encode(hashlib.md5(raw).digest()).decode()
        rows = gzip.decompress(raw).decode().splitlines()
        assert len(rows) == l["itemCount"]
        exported += [json.loads(r)["Item"] for r in rows]
    assert norm(exported) == norm(scan_all(c, "src"))


def test_export_ion_and_import_every_format(s3, tmp_path):
    srv, c, root = s3
    make_table(c, "src")
    items = sample_items()
    for it in items:
        c.put_item(TableName="src", Item=it)
    want = norm(scan_all(c, "src"))
    ion = export(c, "src", S3Prefix="ion", ExportFormat="ION")
    assert ion["ExportFormat"] == "ION"
    manifest = json.loads((root / "my-bucket" / ion["ExportManifest"]).read_text())
    assert manifest["outputFormat"] == "ION"
    data = [json.loads(l)["dataFileS3Key"]
            for l in (root / "my-bucket" / manifest["manifestFilesS3Key"]).read_text().splitlines()]
    assert all(k.endswith(".ion.gz") for k in data)
    text = gzip.decompress((root / "my-bucket" / data[0]).read_bytes()).decode()
    assert text.startswith("$ion_1_0 {Item:{")
    assert "$dynamodb_SS::[" in text and "{{" in text
    export_dir = ion["ExportManifest"].rsplit("/", 1)[0]
    # The ION export imports back into a new table, item for item, with its GSI.
    d = c.import_table(S3BucketSource={"S3Bucket": "my-bucket", "S3KeyPrefix": export_dir + "/data/"},
                       InputFormat="ION", InputCompressionType="GZIP",
                       TableCreationParameters=creation_params("from-ion"))["ImportTableDescription"]
    assert d["ImportStatus"] == "IN_PROGRESS"
    d = wait_import(c, d["ImportArn"])
    assert d["ImportStatus"] == "COMPLETED", d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (len(items), len(items), 0)
    assert norm(scan_all(c, "from-ion")) == want
    assert c.describe_table(TableName="from-ion")["Table"]["TableStatus"] == "ACTIVE"
    q = c.query(TableName="from-ion", IndexName="byg", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {S: "g1"}})["Items"]
    assert norm(q) == [i for i in want if i["g"][S] == "g1"]

    # DYNAMODB_JSON in each compression.
    js = export(c, "src", S3Prefix="json")
    js_dir = js["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    lines = b"".join(gzip.decompress(p.read_bytes())
                     for p in sorted((root / "my-bucket" / js_dir).iterdir()))
    for comp, blob in [("NONE", lines), ("GZIP", gzip.compress(lines)),
                       ("ZSTD", subprocess.run(["zstd", "-q", "-c"], input=lines,
                                               capture_output=True, check=True).stdout)]:
        obj = root / "in-bucket" / f"json-{comp}" / "part-0"
        obj.parent.mkdir(parents=True)
        obj.write_bytes(blob)
        name = f"from-json-{comp.lower()}"
        d = c.import_table(S3BucketSource={"S3Bucket": "in-bucket", "S3KeyPrefix": f"json-{comp}/"},
                           InputFormat="DYNAMODB_JSON", InputCompressionType=comp,
                           TableCreationParameters=creation_params(name))["ImportTableDescription"]
        assert d["InputCompressionType"] == comp
        d = wait_import(c, d["ImportArn"])
        assert (d["ImportStatus"], d["ErrorCount"], d["ImportedItemCount"]) == ("COMPLETED", 0, len(items))
        assert d["ProcessedSizeBytes"] == len(lines)
        assert norm(scan_all(c, name)) == want
        assert len(c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": {S: "g2"}})["Items"]) == \
            len([i for i in want if i["g"][S] == "g2"])


def test_import_ion_as_aws_writes_it(s3):
    """Ion text in AWS's style (decimals as 103., a blob, annotated sets, quoted symbols), and
    what other Ion writers produce (ints, d-exponents, typed nulls, comments, long strings)."""
    srv, c, root = s3
    obj = root / "aws" / "ion" / "data.ion"
    obj.parent.mkdir(parents=True)
    obj.write_text(
        '$ion_1_0 {Item:{pk:"a",sk:103.,g:"x",Authors:$dynamodb_SS::["Author1","Author2"],'
        'Price:2000.,InPublication:false,Blob:{{aGVsbG8=}},Nums:$dynamodb_NS::[1.5d2,7],'
        '\'odd name\':null.string,Nested:{l:[1,"two",true]}}}\n'
        '$ion_1_0 {Item:{pk:"b",sk:1e0,g:\'\'\'long \'\'\' \'\'\'string\'\'\' /* c */}}\n'
        '\n')
    d = c.import_table(S3BucketSource={"S3Bucket": "aws", "S3KeyPrefix": "ion/"},
                       InputFormat="ION", TableCreationParameters=creation_params("aws-ion"))
    d = wait_import(c, d["ImportTableDescription"]["ImportArn"])
    assert (d["ImportStatus"], d["ImportedItemCount"], d["ErrorCount"]) == ("COMPLETED", 2, 0)
    a = c.get_item(TableName="aws-ion", Key={"pk": {S: "a"}, "sk": {"N": "103"}})["Item"]
    assert a["Authors"] == {"SS": ["Author1", "Author2"]} and a["Price"] == {"N": "2000"}
    assert a["InPublication"] == {"BOOL": False} and a["Blob"] == {"B": b"hello"}
    assert sorted(a["Nums"]["NS"]) == ["150", "7"] and a["odd name"] == {"NULL": True}
    assert a["Nested"] == {"M": {"l": {"L": [{"N": "1"}, {S: "two"}, {"BOOL": True}]}}}
    b = c.get_item(TableName="aws-ion", Key={"pk": {S: "b"}, "sk": {"N": "1"}})["Item"]
    assert b["g"] == {S: "long string"}


def test_import_csv_with_header_list_and_delimiter(s3):
    srv, c, root = s3
    d = root / "csv-bucket" / "in"
    d.mkdir(parents=True)
    # With HeaderList every line is data; keys typed by AttributeDefinitions, the rest strings.
    (d / "a.csv").write_text('p1|1|gA|"has | bar and ""quotes"""|5\np2|2|gB||x\n')
    (d / "b.csv").write_text("p3|3|gA|multi|\n")
    r = c.import_table(S3BucketSource={"S3Bucket": "csv-bucket", "S3KeyPrefix": "in/"},
                       InputFormat="CSV",
                       InputFormatOptions={"Csv": {"Delimiter": "|",
                                                   "HeaderList": ["pk", "sk", "g", "note", "n"]}},
                       TableCreationParameters=creation_params("csv1"))["ImportTableDescription"]
    assert r["InputFormatOptions"] == {"Csv": {"Delimiter": "|",
                                               "HeaderList": ["pk", "sk", "g", "note", "n"]}}
    r = wait_import(c, r["ImportArn"])
    assert (r["ImportStatus"], r["ImportedItemCount"], r["ErrorCount"]) == ("COMPLETED", 3, 0)
    items = {i["pk"][S]: i for i in scan_all(c, "csv1")}
    assert items["p1"] == {"pk": {S: "p1"}, "sk": {"N": "1"}, "g": {S: "gA"},
                           "note": {S: 'has | bar and "quotes"'}, "n": {S: "5"}}
    assert "note" not in items["p2"]  # an empty field is left out
    assert len(c.query(TableName="csv1", IndexName="byg", KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {S: "gA"}})["Items"]) == 2
    # Without HeaderList, each file's first line is its header; the default delimiter is ','.
    d2 = root / "csv-bucket" / "hdr"
    d2.mkdir()
    (d2 / "x.csv").write_text("g,pk,sk,extra\r\ngZ,q1,10,e\r\ngZ,q2,11,f\r\n")
    r = c.import_table(S3BucketSource={"S3Bucket": "csv-bucket", "S3KeyPrefix": "hdr/"},
                       InputFormat="CSV", InputCompressionType="GZIP",
                       TableCreationParameters=creation_params("csv2"))["ImportTableDescription"]
    r = wait_import(c, r["ImportArn"])
    # Not gzip: the source cannot be read, the import FAILS and its table is gone.
    assert r["ImportStatus"] == "FAILED" and r["FailureCode"] and r["FailureMessage"]
    expect_error(lambda: c.describe_table(TableName="csv2"), "ResourceNotFoundException",
                 "Requested resource not found: Table: csv2 not found")
    r = c.import_table(S3BucketSource={"S3Bucket": "csv-bucket", "S3KeyPrefix": "hdr/"},
                       InputFormat="CSV", TableCreationParameters=creation_params("csv2"))
    r = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (r["ImportStatus"], r["ImportedItemCount"]) == ("COMPLETED", 2)
    assert c.get_item(TableName="csv2", Key={"pk": {S: "q2"}, "sk": {"N": "11"}})["Item"] == \
        {"pk": {S: "q2"}, "sk": {"N": "11"}, "g": {S: "gZ"}, "extra": {S: "f"}}


def test_corrupt_lines_are_counted_and_nothing_else_is_touched(s3):
    srv, c, root = s3
    make_table(c, "existing")
    c.put_item(TableName="existing", Item={"pk": {S: "keep"}, "sk": {"N": "1"}, "g": {S: "x"}})
    d = root / "bad" / "lines"
    d.mkdir(parents=True)
    good = {"pk": {S: "a"}, "sk": {"N": "1"}, "g": {S: "x"}}
    (d / "f.json").write_text("\n".join([
        json.dumps({"Item": good}),
        "{not json",
        json.dumps({"Item": {"pk": {S: "b"}}}),                       # no sort key
        json.dumps({"Item": {"pk": {"N": "1"}, "sk": {"N": "2"}}}),    # wrong key type
        json.dumps({"NotItem": {}}),
        json.dumps({"Item": {"pk": {S: "c"}, "sk": {"N": "3"}, "g": {S: ""}}}),  # empty GSI key
        json.dumps({"Item": {"pk": {S: "d"}, "sk": {"N": "4"}}}),
    ]) + "\n")
    r = c.import_table(S3BucketSource={"S3Bucket": "bad", "S3KeyPrefix": "lines/"},
                       InputFormat="DYNAMODB_JSON", TableCreationParameters=creation_params("partial"))
    r = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (r["ImportStatus"], r["ProcessedItemCount"], r["ImportedItemCount"], r["ErrorCount"]) == \
        ("COMPLETED", 7, 2, 5)
    assert len(scan_all(c, "partial")) == 2
    # A file that is not what InputCompressionType says fails the import; the table is deleted.
    (root / "bad" / "zst").mkdir()
    (root / "bad" / "zst" / "f.zst").write_bytes(b"\x28\xb5\x2f\xfd garbage")
    r = c.import_table(S3BucketSource={"S3Bucket": "bad", "S3KeyPrefix": "zst/"},
                       InputFormat="DYNAMODB_JSON", InputCompressionType="ZSTD",
                       TableCreationParameters=creation_params("broken"))
    r = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert r["ImportStatus"] == "FAILED" and "zstd" in r["FailureMessage"]
    assert "broken" not in c.list_tables()["TableNames"]
    # No object under the prefix: FAILED too.
    r = c.import_table(S3BucketSource={"S3Bucket": "bad", "S3KeyPrefix": "nothing-here/"},
                       InputFormat="CSV", TableCreationParameters=creation_params("empty"))
    r = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert r["ImportStatus"] == "FAILED" and r["FailureCode"] == "S3NoSuchKey"
    assert scan_all(c, "existing") == [{"pk": {S: "keep"}, "sk": {"N": "1"}, "g": {S: "x"}}]


def test_errors(s3):
    srv, c, root = s3
    make_table(c, "nopitr", pitr=False)
    arn = c.describe_table(TableName="nopitr")["Table"]["TableArn"]
    missing = arn.replace("nopitr", "missing")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=missing, S3Bucket="bkt"),
                 "TableNotFoundException", f"Table not found: {missing}")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt"),
                 "PointInTimeRecoveryUnavailableException",
                 "Point in time recovery is not enabled for table 'nopitr'")
    make_table(c, "tbl")
    tarn = c.describe_table(TableName="tbl")["Table"]["TableArn"]
    for bucket in ["ab", "Upper-Case", "a..b", "192.168.1.1", "-bad-", "x" * 64]:
        with pytest.raises(ClientError) as e:
            c.export_table_to_point_in_time(TableArn=tarn, S3Bucket=bucket)
        assert e.value.response["Error"]["Code"] == "ValidationException", bucket
    for prefix in ["../escape", "a/../../b", "a/./b", "/abs"]:
        with pytest.raises(ClientError) as e:
            c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt", S3Prefix=prefix)
        assert e.value.response["Error"]["Code"] == "ValidationException", prefix
        with pytest.raises(ClientError) as e:
            c.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": prefix},
                           InputFormat="CSV", TableCreationParameters=creation_params("never"))
        assert e.value.response["Error"]["Code"] == "ValidationException", prefix
    assert not (root.parent / "escape").exists()
    assert "never" not in c.list_tables()["TableNames"]
    now = time.time()
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt",
                                                         ExportTime=now + 3600),
                 "InvalidExportTimeException", "ExportTime cannot be in the future")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt",
                                                         ExportTime=now - 86400 * 2),
                 "InvalidExportTimeException",
                 "ExportTime is earlier than the table's earliest restorable time")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt",
                                                         S3SseKmsKeyId="key"),
                 "ValidationException",
                 "S3SseKmsKeyId can only be specified when S3SseAlgorithm is KMS")
    d = c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt", ExportTime=now - 1,
                                        S3SseAlgorithm="KMS", S3SseKmsKeyId="my-key",
                                        S3BucketOwner="123456789012")["ExportDescription"]
    assert (d["S3SseAlgorithm"], d["S3SseKmsKeyId"], d["S3BucketOwner"]) == ("KMS", "my-key", "123456789012")
    wait_export(c, d["ExportArn"])
    # ClientToken: the same parameters answer the same export; others conflict.
    a = c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt", ClientToken="same")
    b = c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="bkt", ClientToken="same")
    assert a["ExportDescription"]["ExportArn"] == b["ExportDescription"]["ExportArn"]
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=tarn, S3Bucket="other", ClientToken="same")
    assert e.value.response["Error"]["Code"] == "ExportConflictException"
    expect_error(lambda: c.describe_export(ExportArn=tarn + "/export/01234567890123-deadbeef"),
                 "ExportNotFoundException",
                 f"Export not found: {tarn}/export/01234567890123-deadbeef")
    expect_error(lambda: c.describe_import(ImportArn=tarn + "/import/01234567890123-deadbeef"),
                 "ImportNotFoundException",
                 f"Import not found: {tarn}/import/01234567890123-deadbeef")
    # ImportTable into a table that exists.
    (root / "bkt" / "in").mkdir(parents=True)
    (root / "bkt" / "in" / "x.csv").write_text("pk,sk,g\na,1,b\n")
    expect_error(lambda: c.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "in/"},
                                        InputFormat="CSV", TableCreationParameters=creation_params("tbl")),
                 "ResourceInUseException", "Table already exists: tbl")
    # CSV options with another format; TableCreationParameters checked as CreateTable does.
    expect_error(lambda: c.import_table(S3BucketSource={"S3Bucket": "bkt"}, InputFormat="ION",
                                        InputFormatOptions={"Csv": {"Delimiter": ";"}},
                                        TableCreationParameters=creation_params("zzz")),
                 "ValidationException",
                 "InputFormatOptions.Csv can only be specified when InputFormat is CSV")
    bad = creation_params("zzz")
    bad["KeySchema"][0]["AttributeName"] = "nope"
    with pytest.raises(ClientError) as e:
        c.import_table(S3BucketSource={"S3Bucket": "bkt"}, InputFormat="CSV",
                       TableCreationParameters=bad)
    assert e.value.response["Error"]["Code"] == "ValidationException"
    # ImportTable's ClientToken.
    kw = dict(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "in/"}, InputFormat="CSV",
              ClientToken="imp")
    first = c.import_table(TableCreationParameters=creation_params("imp-1"), **kw)
    again = c.import_table(TableCreationParameters=creation_params("imp-1"), **kw)
    assert first["ImportTableDescription"]["ImportArn"] == again["ImportTableDescription"]["ImportArn"]
    with pytest.raises(ClientError) as e:
        c.import_table(TableCreationParameters=creation_params("imp-2"), **kw)
    assert e.value.response["Error"]["Code"] == "ImportConflictException"
    assert "imp-2" not in c.list_tables()["TableNames"]


def test_export_type_members_newer_than_the_model(s3):
    """ExportType and IncrementalExportSpecification (2023) through raw requests: boto3's model
    predates them. INCREMENTAL_EXPORT's own behaviour is tested in test_pitr_exports.py."""
    srv, _, root = s3
    key = unique_access_key()
    c, raw = srv.client(key), srv.raw(key)
    make_table(c, "tbl")
    make_table(c, "nopitr", pitr=False)
    arn = c.describe_table(TableName="tbl")["Table"]["TableArn"]
    r = srv.raw(unique_access_key()).request(
        "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt"})
    assert r.error_type == "TableNotFoundException"  # another caller's namespace
    spec = {"ExportFromTime": time.time() - 1000}
    r = raw.request("ExportTableToPointInTime",
                    {"TableArn": arn.replace("tbl", "nopitr"), "S3Bucket": "bkt",
                     "ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": spec})
    assert r.error_type == "PointInTimeRecoveryUnavailableException"
    r = raw.request("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt",
                                                 "ExportType": "INCREMENTAL_EXPORT",
                                                 "IncrementalExportSpecification": spec})
    assert (r.error_type, r.message) == (
        "InvalidExportTimeException",
        "ExportFromTime is earlier than the table's earliest restorable time")
    r = raw.request("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt",
                                                 "ExportType": "INCREMENTAL_EXPORT",
                                                 "IncrementalExportSpecification": {
                                                     "ExportFromTime": "yesterday"}})
    assert r.error_type == "SerializationException"
    r = raw.request("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt",
                                                 "IncrementalExportSpecification": {}})
    assert (r.error_type, r.message) == (
        "ValidationException",
        "IncrementalExportSpecification can only be specified for an INCREMENTAL_EXPORT")
    r = raw.request("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt",
                                                 "ExportType": "PARTIAL"})
    assert r.error_type == "ValidationException" and "exportType" in r.message
    r = raw.request("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt",
                                                 "ExportType": "FULL_EXPORT"})
    assert r.status == 200
    d = json.loads(r.body)["ExportDescription"]
    assert d["ExportType"] == "FULL_EXPORT"
    wait_export(c, d["ExportArn"])
    r = raw.request("ListExports", {})
    assert json.loads(r.body)["ExportSummaries"][0]["ExportType"] == "FULL_EXPORT"


def test_list_paging(s3):
    srv, c, root = s3
    make_table(c, "tab-a")
    make_table(c, "tab-b")
    arns = {}
    for t in ["tab-a", "tab-b"]:
        tarn = c.describe_table(TableName=t)["Table"]["TableArn"]
        arns[t] = [wait_export(c, c.export_table_to_point_in_time(
            TableArn=tarn, S3Bucket="bkt", S3Prefix=f"{t}{i}")["ExportDescription"]["ExportArn"])
            ["ExportArn"] for i in range(3)]
    got, kw = [], {}
    while True:
        r = c.list_exports(MaxResults=2, **kw)
        assert len(r["ExportSummaries"]) <= 2
        got += r["ExportSummaries"]
        if "NextToken" not in r:
            break
        kw["NextToken"] = r["NextToken"]
    assert [s["ExportArn"] for s in got] == arns["tab-a"] + arns["tab-b"]
    assert all(s["ExportStatus"] == "COMPLETED" for s in got)
    only_b = c.list_exports(TableArn=c.describe_table(TableName="tab-b")["Table"]["TableArn"])
    assert [s["ExportArn"] for s in only_b["ExportSummaries"]] == arns["tab-b"]
    with pytest.raises(ClientError) as e:
        c.list_exports(NextToken="bogus")
    assert e.value.response["Error"]["Code"] == "ValidationException"

    (root / "bkt" / "in").mkdir(parents=True)
    (root / "bkt" / "in" / "x.csv").write_text("pk,sk,g\na,1,b\n")
    imports = []
    for i in range(3):
        d = c.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "in/"},
                           InputFormat="CSV", TableCreationParameters=creation_params(f"imp{i}"))
        imports.append(wait_import(c, d["ImportTableDescription"]["ImportArn"])["ImportArn"])
    got, kw = [], {}
    while True:
        r = c.list_imports(PageSize=2, **kw)
        got += r["ImportSummaryList"]
        if "NextToken" not in r:
            break
        assert len(r["NextToken"]) >= 112
        kw["NextToken"] = r["NextToken"]
    assert [s["ImportArn"] for s in got] == imports
    s = got[0]
    assert s["ImportStatus"] == "COMPLETED" and s["InputFormat"] == "CSV"
    assert s["S3BucketSource"] == {"S3Bucket": "bkt", "S3KeyPrefix": "in/"} and s["EndTime"]
    t1 = c.describe_table(TableName="imp1")["Table"]["TableArn"]
    assert [x["ImportArn"] for x in c.list_imports(TableArn=t1)["ImportSummaryList"]] == [imports[1]]
    # Another caller sees none of them.
    other = srv.client(unique_access_key())
    assert other.list_exports()["ExportSummaries"] == []
    assert other.list_imports()["ImportSummaryList"] == []


def test_restart_during_import_fails_it_and_drops_the_table(make_server, tmp_path):
    root = tmp_path / "s3"
    srv = make_server("--s3-dir", str(root), "--test-transfer-delay", "20")
    key = unique_access_key()
    c = srv.client(key)
    (root / "bkt" / "big").mkdir(parents=True)
    (root / "bkt" / "big" / "x.csv").write_text(
        "pk,sk,g\n" + "".join(f"p{i},{i},g\n" for i in range(2000)))
    d = c.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "big/"},
                       InputFormat="CSV", TableCreationParameters=creation_params("slow"))
    arn = d["ImportTableDescription"]["ImportArn"]
    t = c.describe_table(TableName="slow")["Table"]
    assert t["TableStatus"] == "CREATING"
    # The data plane does not see a CREATING table; DeleteTable is refused.
    expect_error(lambda: c.get_item(TableName="slow", Key={"pk": {S: "p1"}, "sk": {"N": "1"}}),
                 "ResourceNotFoundException", "Requested resource not found")
    expect_error(lambda: c.delete_table(TableName="slow"), "ResourceInUseException",
                 "Attempt to change a resource which is still in use: Table is being created: slow")
    time.sleep(0.3)
    srv.restart()
    c = srv.client(key)
    d = c.describe_import(ImportArn=arn)["ImportTableDescription"]
    assert d["ImportStatus"] == "FAILED" and d["FailureCode"] == "InternalServerError"
    assert "restart" in d["FailureMessage"]
    assert "slow" not in c.list_tables()["TableNames"]


def test_restart_during_export_fails_it(make_server, tmp_path):
    root = tmp_path / "s3"
    srv = make_server("--s3-dir", str(root), "--test-transfer-delay", "20")
    key = unique_access_key()
    c = srv.client(key)
    make_table(c, "tbl")
    for i in range(200):
        c.put_item(TableName="tbl", Item={"pk": {S: f"p{i}"}, "sk": {"N": "1"}, "g": {S: "x"}})
    arn = c.describe_table(TableName="tbl")["Table"]["TableArn"]
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bkt")["ExportDescription"]
    time.sleep(0.3)
    assert c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
    srv.restart()
    c = srv.client(key)
    d = c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]
    assert d["ExportStatus"] == "FAILED" and "restart" in d["FailureMessage"]
    assert "ExportManifest" not in d and "ItemCount" not in d
    # No manifest-summary.json: a reader never takes the partial export for a complete one.
    assert not list(root.rglob("manifest-summary.json"))
    assert len(scan_all(c, "tbl")) == 200


def test_s3_dir_defaults_to_data_dir(make_server, tmp_path):
    srv = make_server()
    key = unique_access_key()
    c = srv.client(key)
    make_table(c, "tbl")
    c.put_item(TableName="tbl", Item={"pk": {S: "a"}, "sk": {"N": "1"}, "g": {S: "x"}})
    d = export(c, "tbl", bucket="dflt")
    assert (srv.data_dir / "s3" / "dflt" / d["ExportManifest"]).exists()
    # Descriptions survive a restart.
    srv.restart()
    c = srv.client(key)
    assert c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]["ExportStatus"] == "COMPLETED"


def test_table_creation_parameters_members(s3):
    """ProvisionedThroughput, SSESpecification and a PROVISIONED GSI reach the new table; members
    of CreateTable that TableCreationParameters does not have (LSIs, a stream, tags) are ignored,
    as DynamoDB ignores unknown members. S3BucketOwner is echoed."""
    srv, c, root = s3
    (root / "bkt" / "in").mkdir(parents=True)
    (root / "bkt" / "in" / "x.csv").write_text("pk,sk,g\na,1,b\n")
    raw = srv.raw(unique_access_key())
    params = {
        "TableName": "prov", "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/mine"},
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [{"IndexName": "byg",
                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                                    "ProvisionedThroughput": {"ReadCapacityUnits": 2,
                                                              "WriteCapacityUnits": 2}}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "Tags": [{"Key": "k", "Value": "v"}],
    }
    r = raw.request("ImportTable", {"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "in/",
                                                       "S3BucketOwner": "111122223333"},
                                    "InputFormat": "CSV", "TableCreationParameters": params})
    assert r.status == 200, r
    d = json.loads(r.body)["ImportTableDescription"]
    assert d["S3BucketSource"]["S3BucketOwner"] == "111122223333"
    assert d["TableCreationParameters"]["TableName"] == "prov"
    d = wait(lambda: (x := json.loads(raw.request("DescribeImport", {"ImportArn": d["ImportArn"]}).body)
                      ["ImportTableDescription"])["ImportStatus"] != "IN_PROGRESS" and x)
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 1
    t = json.loads(raw.request("DescribeTable", {"TableName": "prov"}).body)["Table"]
    assert t["TableStatus"] == "ACTIVE"
    assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert t["SSEDescription"]["Status"] == "ENABLED"
    assert t["GlobalSecondaryIndexes"][0]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert "StreamSpecification" not in t and "LatestStreamArn" not in t
    tags = json.loads(raw.request("ListTagsOfResource", {"ResourceArn": t["TableArn"]}).body)
    assert tags["Tags"] == []


def test_in_memory_uses_a_temporary_s3_dir(make_server):
    """--in-memory without --s3-dir: a new temporary directory, named in the log; the export's
    files are there (they are the user's: the directory outlives the server)."""
    import re
    import shutil
    srv = make_server("--in-memory", "--log-level", "info")
    c = srv.client(unique_access_key())
    # The server accepts connections while it opens its storage, which is when it names the
    # directory: the line may come a moment after the port answers.
    m = wait(lambda: re.search(r"exports and imports use the S3 directory (\S+)", srv.read_log()),
             timeout=10)
    root = Path(m.group(1))
    try:
        assert root.is_dir() and root.name.startswith("cairn-s3-")
        make_table(c, "tbl")
        d = export(c, "tbl", bucket="mem-bucket")
        assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 0
        assert (root / "mem-bucket" / d["ExportManifest"]).exists()
        manifest = root / "mem-bucket" / d["ExportManifest"].replace("summary", "files")
        assert manifest.read_text() == ""  # an empty table: no data file
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_simultaneous_requests_with_one_client_token_start_one_job(s3):
    """ClientToken makes ExportTableToPointInTime and ImportTable idempotent: requests with the
    same token and parameters, even at the same moment, start one export or import."""
    import concurrent.futures
    srv, _, root = s3
    key = unique_access_key()
    clients = [srv.client(key) for _ in range(8)]
    c = clients[0]
    make_table(c, "tok")
    arn = c.describe_table(TableName="tok")["Table"]["TableArn"]
    (root / "bkt" / "in").mkdir(parents=True)
    (root / "bkt" / "in" / "x.csv").write_text("pk,sk,g\na,1,b\n")
    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        exports = list(pool.map(lambda cl: cl.export_table_to_point_in_time(
            TableArn=arn, S3Bucket="bkt", ClientToken="one-token")["ExportDescription"]["ExportArn"],
            clients))
        imports = list(pool.map(lambda cl: cl.import_table(
            S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "in/"}, InputFormat="CSV",
            ClientToken="one-token", TableCreationParameters=creation_params("tok-imp"))[
                "ImportTableDescription"]["ImportArn"], clients))
    assert len(set(exports)) == 1
    assert len(set(imports)) == 1
    assert [e["ExportArn"] for e in c.list_exports()["ExportSummaries"]] == exports[:1]
    assert [i["ImportArn"] for i in c.list_imports()["ImportSummaryList"]] == imports[:1]
    wait_export(c, exports[0])
    assert wait_import(c, imports[0])["ImportStatus"] == "COMPLETED"
