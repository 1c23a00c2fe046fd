"""The CLI against the streaming read replica (docs/operations.md, "Read replica"):

1. With `HINDSIGHT_READ_DATABASE_URL` naming the replica, `hindsight query` and `hindsight insights` read it —
   shown by pointing `HINDSIGHT_DATABASE_URL` at a port nothing listens on: they still answer.
2. `--database-url` wins over the read URL.
3. `hindsight status` reports the primary, the replica in recovery with its replay lag in bytes and seconds,
   and each broker node; it exits 1 when the replica it was given is unreachable.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgres://hindsight_analyst:hindsight_analyst@127.0.0.1:1/hindsight"


def hindsight() -> Path:
    candidates = [ROOT / ".build" / c / "hindsight" for c in ("debug", "release")]
    candidates = [b for b in candidates if b.exists()]
    for binary in sorted(candidates, key=lambda b: b.stat().st_mtime, reverse=True):
        if subprocess.run([str(binary), "status", "--help"], capture_output=True).returncode == 0:
            return binary
    pytest.fail("build hindsight first (swift build --product hindsight): no binary has the status command")


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    import os
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    environment.update(env)
    return subprocess.run([str(hindsight()), *args], capture_output=True, text=True, env=environment, timeout=120)


def test_query_and_insights_read_the_replica(replica):
    env = {"HINDSIGHT_DATABASE_URL": UNREACHABLE, "HINDSIGHT_READ_DATABASE_URL": replica["url"]}
    query = run("query", "recent", "--limit", "3", "--format", "json", env=env)
    assert query.returncode == 0, query.stderr
    assert isinstance(json.loads(query.stdout), list)
    insights = run("insights", "--format", "json", env=env)
    assert insights.returncode == 0, insights.stderr
    assert isinstance(json.loads(insights.stdout), list)


def test_the_database_url_flag_wins_over_the_read_url(replica):
    result = run("query", "recent", "--limit", "1", "--database-url", UNREACHABLE,
                 env={"HINDSIGHT_READ_DATABASE_URL": replica["url"]})
    assert result.returncode != 0
    assert "127.0.0.1:1" in result.stderr or "connect" in result.stderr.lower(), result.stderr


def test_status_reports_the_replica_lag(replica):
    result = run("status", "--format", "json",
                 env={"HINDSIGHT_DATABASE_URL": replica["primary_url"], "HINDSIGHT_READ_DATABASE_URL": replica["url"]})
    report = json.loads(result.stdout)
    assert report["primary"]["reachable"] and report["primary"]["inRecovery"] is False, report["primary"]
    standby = report["replica"]
    assert standby["reachable"] and standby["inRecovery"] is True, standby
    assert isinstance(standby["replayLagBytes"], int) and standby["replayLagBytes"] >= 0, standby
    if standby["replayLagBytes"] == 0:
        assert standby["replayLagSeconds"] == 0, standby
    assert ":hindsight_analyst@" not in result.stdout and ":hindsight_owner@" not in result.stdout, "a password was printed"
    assert any(b["reachable"] for b in report["brokers"]), report["brokers"]
    assert result.returncode == 0, result.stderr
    table = run("status", env={"HINDSIGHT_DATABASE_URL": replica["primary_url"], "HINDSIGHT_READ_DATABASE_URL": replica["url"]})
    assert "replica" in table.stdout and "replay lag" in table.stdout, table.stdout


def test_status_exits_1_when_the_replica_is_unreachable(replica):
    result = run("status", "--format", "json",
                 env={"HINDSIGHT_DATABASE_URL": replica["primary_url"], "HINDSIGHT_READ_DATABASE_URL": UNREACHABLE})
    assert result.returncode == 1
    assert json.loads(result.stdout)["replica"]["reachable"] is False
