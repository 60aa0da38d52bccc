#!/usr/bin/python3
"""Export and import throughput (items/s): imports N generated items (DYNAMODB_JSON, gzip) into a
new table with a GSI, then exports the table (DYNAMODB_JSON and ION) and reimports the export.
Usage: bench/export_import.py [--items N] [--cairn BUILD/cairn]. Starts its own server."""
import argparse
import gzip
import json
import os
import sys
import time

import one_server


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--cairn", default=one_server.DEFAULT_BIN)
    a = ap.parse_args()
    with one_server.Cairn(a.cairn, s3=True) as srv:
        c = srv.client()
        src = os.path.join(srv.tmp, "s3", "in-bucket", "gen")
        os.makedirs(src)
        with gzip.open(os.path.join(src, "items.json.gz"), "wt") as f:
            for i in range(a.items):
                f.write(json.dumps({"Item": {"pk": {"S": f"user#{i}"}, "sk": {"N": str(i % 100)},
                                             "g": {"S": f"g{i % 1000}"}, "n": {"N": str(i * 7)},
                                             "payload": {"S": "x" * 100},
                                             "tags": {"SS": ["a", "b"]}}}) + "\n")
        params = lambda name: {
            "TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "g", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byg",
                                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]}

        def run_import(name, prefix, fmt):
            t0 = time.time()
            arn = c.import_table(S3BucketSource={"S3Bucket": "in-bucket" if prefix == "gen/" else "out",
                                                 "S3KeyPrefix": prefix},
                                 InputFormat=fmt, InputCompressionType="GZIP",
                                 TableCreationParameters=params(name))["ImportTableDescription"]["ImportArn"]
            while (d := c.describe_import(ImportArn=arn)["ImportTableDescription"])["ImportStatus"] == "IN_PROGRESS":
                time.sleep(0.05)
            dt = time.time() - t0
            assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == a.items, d
            print(f"import {fmt:13} {a.items} items: {dt:6.2f} s  {a.items / dt:8.0f} items/s")

        def run_export(table, fmt):
            arn = c.describe_table(TableName=table)["Table"]["TableArn"]
            t0 = time.time()
            e = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="out", ExportFormat=fmt,
                                                S3Prefix=fmt.lower())["ExportDescription"]["ExportArn"]
            while (d := c.describe_export(ExportArn=e)["ExportDescription"])["ExportStatus"] == "IN_PROGRESS":
                time.sleep(0.05)
            dt = time.time() - t0
            assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == a.items, d
            print(f"export {fmt:13} {a.items} items: {dt:6.2f} s  {a.items / dt:8.0f} items/s")
            return d["ExportManifest"].rsplit("/", 1)[0] + "/data/"

        run_import("bench", "gen/", "DYNAMODB_JSON")
        c.update_continuous_backups(TableName="bench", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        js = run_export("bench", "DYNAMODB_JSON")
        ion = run_export("bench", "ION")
        run_import("bench-json", js, "DYNAMODB_JSON")
        run_import("bench-ion", ion, "ION")


if __name__ == "__main__":
    sys.exit(main())
