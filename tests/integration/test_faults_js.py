"""The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb, installed by `./cairn.sh test` into
tests/integration/js with npm) against injected faults: standard and adaptive retry modes,
attempts counted by the SDK ($metadata.attempts) and by the rule's counters, backoff observed
between the attempts (the SDK's jitter fixed). Skipped where node or the SDK is not installed.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"


@pytest.mark.skipif(shutil.which("node") is None or
                    not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb").exists(),
                    reason="node or @aws-sdk/client-dynamodb not installed (npm ci in "
                           "tests/integration/js)")
def test_js_sdk_v3_retries_injected_faults(make_server):
    s = make_server("--admin", "--in-memory")
    p = subprocess.run(["node", str(JS / "retries.mjs"), s.endpoint], capture_output=True,
                       text=True, timeout=120, cwd=JS)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["success_attempts"] == 3
    assert out["success_counters"]["requests"] == 3 and out["success_counters"]["fired"] == 2
    err = out["final_error"]
    assert err["name"] == "InternalServerError" and err["status"] == 500
    assert err["message"] == "Internal server error"
    assert err["attempts"] == 3
    assert out["final_counters"]["fired"] == 3
    assert out["failed_item_written"] is False
    assert out["drop_attempts"] == 2 and out["drop_item"] == {"pk": {"S": "a"}}
    # Backoff observed: with the jitter fixed at 0.5, the SDK waits 0.5 x 500 ms x 2^i (its
    # throttling base delay) before retry i = 1, 2: 500 ms, then 1,000 ms (totalRetryDelay 1,500);
    # adaptive mode's client-side rate limiter, cut by the throttling errors, may wait on top.
    for mode, b in out["backoff"].items():
        assert b["attempts"] == 3, (mode, b)
        assert (b["counters"]["requests"], b["counters"]["fired"]) == (3, 2), (mode, b)
        assert b["total_retry_delay"] == 1500, (mode, b)
        g = b["gaps_ms"]
        assert len(g) == 2 and g[0] >= 495 and g[1] >= 995, (mode, b)
        if mode == "standard":
            assert g[0] < 900 and g[1] < 1400, b
        else:
            assert sum(g) < 1500 + 4000, b
