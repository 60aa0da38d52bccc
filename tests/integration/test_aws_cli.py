"""The AWS CLI (`aws dynamodb ...`, Debian's awscli) against Cairn, as a user coming from DynamoDB
Local runs it: only the endpoint changes.

DynamoDB behaviour checked, through the CLI's own code (its waiters, its paginators, its
shorthand and file:// arguments, its error output): tables are created, waited for, described,
updated, tagged and deleted; items written one by one, in batches from a file and in a
transaction, read back, updated with a return value, and conditionally refused; Scan and Query
paged by the CLI (--page-size sets Limit, --max-items stops and hands back a NextToken that
--starting-token resumes from: the CLI's paging sits on DynamoDB's LastEvaluatedKey /
ExclusiveStartKey) and split by --segment/--total-segments; ListTables paged; TTL and
DescribeLimits; an export to point in time and an import of its files into a new table; and DynamoDB's error types and messages as the CLI prints them (exit code 254,
"An error occurred (<type>) when calling the <Operation> operation: <message>").
Each test skips when the AWS CLI is not installed (the aws_cli fixture).
"""

import json
import time

import pytest

from conftest import create_table


def create_music(cli, name="Music"):
    cli("create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
        "AttributeName=SongTitle,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST")
    cli("wait", "table-exists", "--table-name", name)


def item(artist, title, plays):
    return {"Artist": {"S": artist}, "SongTitle": {"S": title}, "Plays": {"N": str(plays)}}


def test_table_lifecycle(aws_cli):
    create_music(aws_cli)
    d = aws_cli("describe-table", "--table-name", "Music")["Table"]
    assert d["TableStatus"] == "ACTIVE"
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["KeySchema"] == [{"AttributeName": "Artist", "KeyType": "HASH"},
                              {"AttributeName": "SongTitle", "KeyType": "RANGE"}]
    # A global secondary index added by update-table (shorthand JSON), then waited for.
    aws_cli("update-table", "--table-name", "Music",
            "--attribute-definitions", "AttributeName=Album,AttributeType=S",
            "--global-secondary-index-updates",
            json.dumps([{"Create": {"IndexName": "ByAlbum",
                                    "KeySchema": [{"AttributeName": "Album", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}}}]))
    aws_cli("wait", "table-exists", "--table-name", "Music")
    d = aws_cli("describe-table", "--table-name", "Music")["Table"]
    assert [g["IndexName"] for g in d["GlobalSecondaryIndexes"]] == ["ByAlbum"]
    arn = d["TableArn"]
    aws_cli("tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=audio")
    assert aws_cli("list-tags-of-resource", "--resource-arn", arn)["Tags"] == [
        {"Key": "team", "Value": "audio"}]
    aws_cli("update-time-to-live", "--table-name", "Music",
            "--time-to-live-specification", "Enabled=true,AttributeName=expires")
    assert aws_cli("describe-time-to-live", "--table-name", "Music")[
        "TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    limits = aws_cli("describe-limits")
    assert limits["TableMaxReadCapacityUnits"] == 40000
    aws_cli("delete-table", "--table-name", "Music")
    aws_cli("wait", "table-not-exists", "--table-name", "Music")
    out = aws_cli.run("describe-table", "--table-name", "Music")
    assert out.returncode == 254
    assert ("An error occurred (ResourceNotFoundException) when calling the DescribeTable "
            "operation: Requested resource not found: Table: Music not found") in out.stderr


def test_items_one_by_one_in_a_batch_file_and_in_a_transaction(aws_cli, tmp_path):
    create_music(aws_cli)
    aws_cli("put-item", "--table-name", "Music", "--item", json.dumps(item("Acme", "One", 1)))
    got = aws_cli("get-item", "--table-name", "Music", "--consistent-read",
                  "--key", json.dumps({"Artist": {"S": "Acme"}, "SongTitle": {"S": "One"}}))
    assert got["Item"] == item("Acme", "One", 1)
    # A batch from a file (file://), as the DynamoDB developer guide shows it.
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps({"Music": [
        {"PutRequest": {"Item": item("Acme", f"Song {i:02d}", i)}} for i in range(25)]}))
    out = aws_cli("batch-write-item", "--request-items", f"file://{batch}")
    assert out["UnprocessedItems"] == {}
    # A transaction: an update and a condition check on another item.
    aws_cli("transact-write-items", "--transact-items", json.dumps([
        {"Update": {"TableName": "Music",
                    "Key": {"Artist": {"S": "Acme"}, "SongTitle": {"S": "One"}},
                    "UpdateExpression": "SET Plays = Plays + :n",
                    "ExpressionAttributeValues": {":n": {"N": "10"}}}},
        {"ConditionCheck": {"TableName": "Music",
                            "Key": {"Artist": {"S": "Acme"}, "SongTitle": {"S": "Song 00"}},
                            "ConditionExpression": "attribute_exists(Artist)"}}]))
    out = aws_cli("update-item", "--table-name", "Music",
                  "--key", json.dumps({"Artist": {"S": "Acme"}, "SongTitle": {"S": "One"}}),
                  "--update-expression", "SET Plays = Plays + :n",
                  "--expression-attribute-values", json.dumps({":n": {"N": "1"}}),
                  "--return-values", "UPDATED_NEW")
    assert out["Attributes"] == {"Plays": {"N": "12"}}
    # A conditional put refused: DynamoDB's error, as the CLI prints it.
    out = aws_cli.run("put-item", "--table-name", "Music", "--item",
                      json.dumps(item("Acme", "One", 0)),
                      "--condition-expression", "attribute_not_exists(Artist)")
    assert out.returncode == 254
    assert ("An error occurred (ConditionalCheckFailedException) when calling the PutItem "
            "operation: The conditional request failed") in out.stderr
    aws_cli("delete-item", "--table-name", "Music",
            "--key", json.dumps({"Artist": {"S": "Acme"}, "SongTitle": {"S": "One"}}))
    got = aws_cli("get-item", "--table-name", "Music",
                  "--key", json.dumps({"Artist": {"S": "Acme"}, "SongTitle": {"S": "One"}}))
    assert got is None or "Item" not in got  # the CLI prints nothing for an empty answer
    out = aws_cli("batch-get-item", "--request-items", json.dumps({"Music": {"Keys": [
        {"Artist": {"S": "Acme"}, "SongTitle": {"S": f"Song {i:02d}"}} for i in (3, 7)],
        "ProjectionExpression": "Plays"}}))
    assert sorted(int(i["Plays"]["N"]) for i in out["Responses"]["Music"]) == [3, 7]


def test_paging_by_the_cli(aws_cli, client):
    create_music(aws_cli)
    for a in ("A", "B"):
        client.batch_write_item(RequestItems={"Music": [
            {"PutRequest": {"Item": item(a, f"S{i:02d}", i)}} for i in range(20)]})
    # Query: pages of 3 (Limit), stop after 7 items; the NextToken resumes where it stopped.
    args = ["query", "--table-name", "Music", "--key-condition-expression", "Artist = :a",
            "--expression-attribute-values", json.dumps({":a": {"S": "A"}})]
    first = aws_cli(*args, "--page-size", "3", "--max-items", "7")
    assert [i["SongTitle"]["S"] for i in first["Items"]] == [f"S{i:02d}" for i in range(7)]
    assert "NextToken" in first
    rest = aws_cli(*args, "--page-size", "3", "--starting-token", first["NextToken"])
    assert [i["SongTitle"]["S"] for i in rest["Items"]] == [f"S{i:02d}" for i in range(7, 20)]
    assert "NextToken" not in rest
    backwards = aws_cli(*args, "--no-scan-index-forward", "--page-size", "6")
    assert [i["SongTitle"]["S"] for i in backwards["Items"]] == [
        f"S{i:02d}" for i in reversed(range(20))]
    # Scan: every item once, in pages of 4; and split into 3 segments that cover the table.
    whole = aws_cli("scan", "--table-name", "Music", "--page-size", "4")
    assert len(whole["Items"]) == 40 and whole["Count"] == 40
    seen = []
    for segment in range(3):
        part = aws_cli("scan", "--table-name", "Music", "--segment", str(segment),
                       "--total-segments", "3", "--page-size", "5")
        seen += [(i["Artist"]["S"], i["SongTitle"]["S"]) for i in part["Items"]]
    assert sorted(seen) == sorted((i["Artist"]["S"], i["SongTitle"]["S"]) for i in whole["Items"])
    counted = aws_cli("scan", "--table-name", "Music", "--select", "COUNT",
                      "--filter-expression", "Plays >= :p",
                      "--expression-attribute-values", json.dumps({":p": {"N": "15"}}))
    assert counted["Count"] == 10 and counted["ScannedCount"] == 40
    # ListTables: the CLI pages by ExclusiveStartTableName.
    for n in range(4):
        create_table(client, f"Tab{n}")
    names = aws_cli("list-tables", "--page-size", "2")["TableNames"]
    assert names == ["Music", "Tab0", "Tab1", "Tab2", "Tab3"]
    two = aws_cli("list-tables", "--max-items", "2")
    assert two["TableNames"] == ["Music", "Tab0"]
    assert aws_cli("list-tables", "--starting-token", two["NextToken"])["TableNames"] == [
        "Tab1", "Tab2", "Tab3"]


@pytest.mark.parametrize("args, error, message", [
    (["create-table", "--table-name", "NoThroughput", "--attribute-definitions",
      "AttributeName=pk,AttributeType=S", "--key-schema", "AttributeName=pk,KeyType=HASH"],
     "ValidationException",
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
     "both be specified when BillingMode is PROVISIONED"),
    (["get-item", "--table-name", "Nope", "--key", '{"pk": {"S": "a"}}'],
     "ResourceNotFoundException", "Requested resource not found"),
    (["query", "--table-name", "Music", "--key-condition-expression", "Artist = :a",
      "--expression-attribute-values", '{":a": {"N": "1"}}'],
     "ValidationException",
     "One or more parameter values were invalid: Condition parameter type does not match schema "
     "type"),
])
def test_errors_as_the_cli_prints_them(aws_cli, client, args, error, message):
    create_table(client, "Music", ("Artist", "S"), ("SongTitle", "S"))
    out = aws_cli.run(*args)
    assert out.returncode == 254, out
    operation = "".join(w.capitalize() for w in args[0].split("-"))
    assert (f"An error occurred ({error}) when calling the {operation} operation: "
            f"{message}") in out.stderr, out.stderr


def test_export_and_import_by_the_cli(aws_cli, client):
    # An export of a table with point-in-time recovery on, then an import of its data files into
    # a new table, both through the CLI (the files under the session server's --s3-dir).
    create_table(client, "Src", ("pk", "S"), BillingMode="PAY_PER_REQUEST")
    aws_cli("update-continuous-backups", "--table-name", "Src",
            "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
    items = [{"pk": {"S": f"k{i}"}, "n": {"N": str(i)}, "l": {"L": [{"S": "x"}, {"NULL": True}]}}
             for i in range(12)]
    client.batch_write_item(RequestItems={"Src": [{"PutRequest": {"Item": i}} for i in items]})
    arn = client.describe_table(TableName="Src")["Table"]["TableArn"]
    prefix = f"cli-{aws_cli.env['AWS_ACCESS_KEY_ID']}"
    d = aws_cli("export-table-to-point-in-time", "--table-arn", arn, "--s3-bucket", "cli-bucket",
                "--s3-prefix", prefix, "--export-format", "DYNAMODB_JSON")["ExportDescription"]
    export_arn = d["ExportArn"]
    deadline = time.monotonic() + 60
    while (d := aws_cli("describe-export", "--export-arn", export_arn)["ExportDescription"])[
            "ExportStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline, d
        time.sleep(0.2)
    assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 12
    listed = aws_cli("list-exports", "--table-arn", arn)["ExportSummaries"]
    assert [e["ExportArn"] for e in listed] == [export_arn]
    export_id = export_arn.rsplit("/", 1)[1]
    d = aws_cli("import-table", "--input-format", "DYNAMODB_JSON",
                "--input-compression-type", "GZIP",
                "--s3-bucket-source",
                f"S3Bucket=cli-bucket,S3KeyPrefix={prefix}/AWSDynamoDB/{export_id}/data/",
                "--table-creation-parameters", json.dumps({
                    "TableName": "Dst", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}))
    import_arn = d["ImportTableDescription"]["ImportArn"]
    deadline = time.monotonic() + 60
    while (d := aws_cli("describe-import", "--import-arn", import_arn)[
            "ImportTableDescription"])["ImportStatus"] == "IN_PROGRESS":
        assert time.monotonic() < deadline, d
        time.sleep(0.2)
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 12, d
    got = client.scan(TableName="Dst", ConsistentRead=True)["Items"]
    assert sorted(got, key=lambda i: int(i["n"]["N"])) == items
