"""Writes faster than flushes, on a machine whose every core other processes keep busy.

RocksDB stops writes while its memtables all wait for a flush. The flush thread runs under
SCHED_IDLE while writes flow (storage/background_priority.h), so with the cores busy it gets no CPU
until it is raised; RocksDB's own stall notification comes only after the stalled write finished
waiting, so a server that waited for it let a 350 KB PutItem wait 15-29 s here (the watcher reads
the stall while the write waits). Each PutItem must answer within seconds.

CAIRN_LONG=1 only (./cairn.sh test --long): it keeps every core busy for about 20 s, which would
slow the tests that run beside it.
"""
import os
import subprocess
import time

import pytest

from conftest import create_table, unique_access_key

LONG = os.environ.get("CAIRN_LONG") == "1"


@pytest.mark.skipif(not LONG, reason="keeps every core busy for ~20 s: ./cairn.sh test --long")
def test_puts_past_two_memtables_with_every_core_busy_answer_within_seconds(make_server):
    srv = make_server("--in-memory")
    c = srv.client(unique_access_key())
    create_table(c, "big")
    value = "x" * 350_000
    c.put_item(TableName="big", Item={"pk": {"S": "warm"}, "v": {"S": value}})
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(os.cpu_count() or 2)]
    slowest = (0.0, -1)
    try:
        # 150 items of 350 KB: 52 MB, past two 16 MB memtables and their flushes (the stall came
        # at the 92nd).
        for i in range(150):
            started = time.monotonic()
            c.put_item(TableName="big", Item={"pk": {"S": f"k{i}"}, "v": {"S": value}})
            slowest = max(slowest, (time.monotonic() - started, i))
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert slowest[0] < 5, f"PutItem #{slowest[1]} took {slowest[0]:.1f} s"
    # Every item is there (a Scan page stops at 1 MB: two or three of these items).
    count, start = 0, {}
    while True:
        page = c.scan(TableName="big", Select="COUNT", **start)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert count == 151
    print(f"slowest PutItem with every core busy: #{slowest[1]}, {slowest[0]:.3f} s")
