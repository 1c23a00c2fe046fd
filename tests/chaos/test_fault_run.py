"""The shortened fault run of `hindsight-bench chaos` (docs/reliability.md): two minutes of load on the three-node
cluster with every fault of the schedule (kill -9 of the queue leader's node, kill -9 of a tracker, a node
restart, PostgreSQL stopped 10 s, connections reset), then the database checked against everything the broker
confirmed. Asserts the outcome only — lost = 0, duplicated = 0, consolidation equal to the core's, every fault
injected and undone — never timings (those are the benchmark's figures).

Needs root (the servers run as their own users; `ss -K` resets sockets) and a built `hindsight-bench` and
`hindsight` (the newer of release and debug that has the command). The cluster is started when a node is
missing and left running; the run's PostgreSQL (`scripts/services chaos-postgres`, 127.0.0.1:5435) is its own.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench_binary() -> Path | None:
    """The most recently built hindsight-bench (release or debug) that has the chaos command."""
    candidates = [ROOT / ".build" / c / "hindsight-bench" for c in ("release", "debug")]
    candidates = [b for b in candidates if b.exists() and (b.parent / "hindsight").exists()]
    for bench in sorted(candidates, key=lambda b: b.stat().st_mtime, reverse=True):
        if subprocess.run([str(bench), "chaos", "--help"], capture_output=True).returncode == 0:
            return bench
    return None


@pytest.fixture(scope="module")
def fault_run():
    if os.geteuid() != 0:
        pytest.skip("the fault run starts and kills servers as their own users and resets sockets: run as root")
    bench = bench_binary()
    if bench is None:
        pytest.fail("build hindsight-bench and hindsight first (swift build -c release)")
    result = subprocess.run(
        [str(bench), "chaos", "--duration", "120", "--agents", "4", "--rate", "400", "--check", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=1500)
    if not result.stdout.strip():
        pytest.fail(f"hindsight-bench chaos printed no report (exit {result.returncode}):\n{result.stderr[-4000:]}")
    report = json.loads(result.stdout)
    report["_exit"] = result.returncode
    report["_stderr"] = result.stderr
    return report


def test_every_fault_was_injected_and_undone(fault_run):
    faults = [f["record"] for f in fault_run["faults"]]
    assert [f["fault"] for f in faults] == [
        "kill -9 of the queue leader's node", "kill -9 of a tracker", "restart of one node",
        "PostgreSQL stopped 10 s", "connections cut"]
    failed = [f["detail"] for f in faults if f["detail"].startswith("FAILED")]
    assert not failed, failed


def test_the_agents_held_a_load_and_the_broker_confirmed_it(fault_run):
    check = fault_run["check"]
    assert check["confirmedExecutions"] > 100, check
    assert check["confirmedEvents"] > 2000, check


def test_nothing_confirmed_is_lost(fault_run):
    assert fault_run["check"]["lost"] == 0, fault_run["check"]


def test_nothing_is_stored_twice(fault_run):
    assert fault_run["check"]["duplicated"] == 0, fault_run["check"]


def test_consolidated_rows_equal_the_cores_consolidation(fault_run):
    check = fault_run["check"]
    assert check["consolidationEqual"], check["consolidationDifferences"]


def test_the_killed_tracker_was_restarted(fault_run):
    assert sum(t["restarts"] for t in fault_run["trackers"]) >= 1, fault_run["trackers"]


def test_the_check_flag_agrees(fault_run):
    assert fault_run["_exit"] == 0, fault_run["_stderr"][-3000:]
