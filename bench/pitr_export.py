#!/usr/bin/python3
"""Exports from the point-in-time recovery window (items/s): loads N items into a table with PITR
on, marks a time T, rewrites every item (so the change log holds N records after T), then
measures a FULL_EXPORT of now, a FULL_EXPORT of T (every item rebuilt from the change log) and an
INCREMENTAL_EXPORT of the period covering both writes (N lines with OldImage and NewImage).
The server runs under libfaketime (Debian's faketime) with its wall clock 60 times faster, so
that the 15-minute minimum of an incremental period passes in seconds; monotonic clocks are left
alone, and the figures are the client's real seconds from the request to COMPLETED.
Usage: bench/pitr_export.py [--items N] [--cairn BUILD/cairn]. Starts its own server."""
import argparse
import json
import os
import sys
import tempfile
import time

import boto3
import botocore.session

import one_server

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"


def overlaid_session(tmp):
    """A boto3 session whose DynamoDB model has tools/service_model_overlay.json's members."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import gen_service_model
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    with open(os.path.join(data, "dynamodb", "2012-08-10", "service-2.json")) as f:
        model = gen_service_model.apply_overlay("dynamodb", json.load(f))
    d = os.path.join(tmp, "models", "dynamodb", "2012-08-10")
    os.makedirs(d)
    with open(os.path.join(d, "service-2.json"), "w") as f:
        json.dump(model, f)
    core = botocore.session.Session()
    core.get_component("data_loader").search_paths.insert(0, os.path.join(tmp, "models"))
    return boto3.Session(aws_access_key_id="bench", aws_secret_access_key="x",
                         region_name="us-east-1", botocore_session=core)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--cairn", default=one_server.DEFAULT_BIN)
    a = ap.parse_args()
    env = dict(LD_PRELOAD=FAKETIME_LIB, FAKETIME="+0 x60", DONT_FAKE_MONOTONIC="1",
               FAKETIME_NO_CACHE="1")
    with one_server.Cairn(a.cairn, s3=True, env=env) as srv, \
            tempfile.TemporaryDirectory(prefix="cairn-bench-models-") as models:
        c = srv.client(session=overlaid_session(models))
        c.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        c.update_continuous_backups(TableName="bench", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        arn = c.describe_table(TableName="bench")["Table"]["TableArn"]

        def now():
            d = c.describe_continuous_backups(TableName="bench")["ContinuousBackupsDescription"]
            return d["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"].timestamp()

        def mark():
            t = int(now()) + 1
            while now() < t + 2:
                time.sleep(0.01)
            return t

        def load(version):
            t0 = time.time()
            for start in range(0, a.items, 25):
                reqs = [{"PutRequest": {"Item": {"pk": {"S": f"user#{i}"},
                                                 "v": {"N": str(version)},
                                                 "payload": {"S": "x" * 100}}}}
                        for i in range(start, min(start + 25, a.items))]
                r = c.batch_write_item(RequestItems={"bench": reqs})
                while r.get("UnprocessedItems"):
                    r = c.batch_write_item(RequestItems=r["UnprocessedItems"])
            return time.time() - t0

        t_from = mark()
        secs = load(1)
        print(f"load {a.items} items (PITR on): {secs:.1f} s, {a.items / secs:.0f} items/s")
        t_past = mark()
        secs = load(2)
        print(f"rewrite {a.items} items: {secs:.1f} s")
        while now() < t_from + 15 * 60 + 1:  # an incremental period is 15 minutes at least
            time.sleep(0.1)
        t_to = mark()
        while now() < t_from + 16 * 60:
            time.sleep(0.1)

        def run(label, **kw):
            t0 = time.time()
            d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="out", **kw)
            e = d["ExportDescription"]["ExportArn"]
            while True:
                d = c.describe_export(ExportArn=e)["ExportDescription"]
                if d["ExportStatus"] != "IN_PROGRESS":
                    break
                time.sleep(0.05)
            secs = time.time() - t0
            assert d["ExportStatus"] == "COMPLETED", d
            print(f"{label}: {d['ItemCount']} lines in {secs:.2f} s, "
                  f"{d['ItemCount'] / secs:.0f} items/s, {d['BilledSizeBytes']} bytes")
            return d

        run("FULL_EXPORT of now")
        d = run("FULL_EXPORT of a past time (every item rebuilt from the change log)",
                ExportTime=t_past)
        assert d["ItemCount"] == a.items
        d = run("INCREMENTAL_EXPORT, NEW_AND_OLD_IMAGES", ExportType="INCREMENTAL_EXPORT",
                IncrementalExportSpecification={"ExportFromTime": t_from, "ExportToTime": t_to})
        assert d["ItemCount"] == a.items
        run("INCREMENTAL_EXPORT, NEW_IMAGE, to now", ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={"ExportFromTime": t_from,
                                            "ExportViewType": "NEW_IMAGE"})


if __name__ == "__main__":
    main()
