"""PostgreSQL restarts, then stops, under a portal that keeps its connections (a private
server started by this test, never the machine's): the first request after the restart is
served (CONN_HEALTH_CHECKS replaces the dead connection), and while the server is down the
answer is a Spanish 503 page with Retry-After, not a 500."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_restart_costs_no_request_and_an_outage_is_a_503(private_postgres):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": private_postgres.url,
        "CONN_MAX_AGE": "600",
        "REDIS_URL": "",
    }
    probe = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.postgres_probe"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        actions = {"RESTART": private_postgres.restart, "STOP": private_postgres.stop, "START": private_postgres.start}
        result = None
        for line in probe.stdout:
            step = line.strip()
            if step in actions:
                actions[step]()
                probe.stdin.write("go\n")
                probe.stdin.flush()
            elif step.startswith("RESULT "):
                result = json.loads(step.removeprefix("RESULT "))
                break
        probe.wait(timeout=60)
    finally:
        if probe.poll() is None:
            probe.kill()
    assert result is not None, probe.stderr.read()
    assert result == {
        "before": 200,
        "after_restart": 200,
        "health_after_restart": "ok",
        "down": [503, "30", True],
        "back": 200,
    }
