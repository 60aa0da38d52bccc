#!/usr/bin/python3
"""Backup and restore figures: loads N items (default 100,000; about 200 bytes each, the shape
bench/run uses: pk/sk S, c N, d 180 characters; with --gsi, a GSI on c) into a fresh
`cairn` on an empty data directory, then times CreateBackup until AVAILABLE, RestoreTableFromBackup
until ACTIVE, and a point-in-time restore (UseLatestRestorableTime) until ACTIVE, as a client sees
them (polling every 50 ms), and prints the server's own timings from its log.

  bench/backup_restore.py [--items N] [--gsi] [--bin build-rel/cairn]
"""

import argparse
import random
import re
import string
import sys
import time

from botocore.config import Config

import one_server
from one_server import wait


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--gsi", action="store_true", help="give the table a GSI (ALL projection)")
    ap.add_argument("--bin", default=one_server.DEFAULT_BIN)
    args = ap.parse_args()
    with one_server.Cairn(args.bin, log_level="info") as srv:
        c = srv.client(config=Config(retries={"max_attempts": 10}))
        extra = {}
        defs = [{"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"}]
        if args.gsi:
            defs.append({"AttributeName": "c", "AttributeType": "N"})
            extra["GlobalSecondaryIndexes"] = [{
                "IndexName": "by_c", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}]
        c.create_table(TableName="bench", BillingMode="PAY_PER_REQUEST",
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}],
                       AttributeDefinitions=defs, **extra)
        c.update_continuous_backups(TableName="bench", PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        rnd = random.Random(1)
        t0 = time.monotonic()
        batch = []
        for i in range(args.items):
            d = "".join(rnd.choices(string.ascii_letters, k=180))
            batch.append({"PutRequest": {"Item": {
                "pk": {"S": f"p{i // 10:07d}"}, "sk": {"S": f"s{i % 10}"},
                "c": {"N": str(i % 1000)}, "d": {"S": d}}}})
            if len(batch) == 25 or i == args.items - 1:
                r = c.batch_write_item(RequestItems={"bench": batch})
                assert not r["UnprocessedItems"]
                batch = []
        load_s = time.monotonic() - t0
        size = c.describe_table(TableName="bench")["Table"]["TableSizeBytes"]

        t0 = time.monotonic()
        arn = c.create_backup(TableName="bench", BackupName="bench-backup")["BackupDetails"][
            "BackupArn"]
        wait(lambda: c.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"][
            "BackupStatus"] == "AVAILABLE", 3600, "the backup")
        backup_s = time.monotonic() - t0

        def restore(call, name, **kw):
            t = time.monotonic()
            call(TargetTableName=name, **kw)
            wait(lambda: c.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE",
                 3600, "the restore")
            return time.monotonic() - t

        restore_s = restore(c.restore_table_from_backup, "restored", BackupArn=arn)
        pitr_s = restore(c.restore_table_to_point_in_time, "pitr", SourceTableName="bench",
                         UseLatestRestorableTime=True)
        count = c.describe_table(TableName="restored")["Table"]["ItemCount"]
        assert count == args.items, count
        print(f"items {args.items}, table {size} bytes{', with a GSI' if args.gsi else ''}")
        print(f"load (BatchWriteItem, one client): {load_s:.1f} s")
        print(f"CreateBackup -> AVAILABLE: {backup_s:.2f} s")
        print(f"RestoreTableFromBackup -> ACTIVE: {restore_s:.2f} s "
              f"({args.items / restore_s:,.0f} items/s)")
        print(f"RestoreTableToPointInTime (latest) -> ACTIVE: {pitr_s:.2f} s "
              f"({args.items / pitr_s:,.0f} items/s)")
        srv.stop()
        with open(srv.log_path) as f:
            for line in f:
                if re.search(r"backup arn|restored table|of table bench:", line):
                    print("server:", line.rstrip()[:200])


if __name__ == "__main__":
    sys.exit(main())
