"""Clients that follow the cluster (docs/amqp-client.md, "Several brokers"): `HINDSIGHT_AMQP_URL` lists the three nodes
of `scripts/services cluster up`. Agents (`hindsight simulate`, exit 0 only when every publish was confirmed) fill the
tracker queue; a child `hindsight tracker` connected to the queue's leader node drains it into a fresh database, and
that node is killed with SIGKILL during the drain:

- the tracker moves to a surviving node (its /health `brokers` names it), is ready and goes on;
- every confirmed event is stored exactly once: raw rows, distinct event ids and the executions' consolidated
  counts all equal what the agents published;
- the killed node is started again (`cluster up` starts what is missing) and is an online member again.

Isolation: a private virtual host on the cluster (the deployed users' permissions), so the fault run and other tests
on the cluster neither see nor take these events; a scratch database migrated with `hindsight migrate`. Only one
node is ever killed, after all three were seen online, and it is always brought back (the cluster is shared).
The agents' own failover (unconfirmed publishes republished on the next node) is tested in
Tests/AMQPTests/FailoverTests.swift.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from ha_services import UP_TIMEOUT, services

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "agent"))

from agent_support import (BINARY, DEFINITIONS, LOCAL_OWNER_URL, ChildProcess, clean_env, pika,  # noqa: E402
                           psycopg, sql, with_database)

QUEUE = "hindsight.tracker"


def child_env(**extra: str) -> dict[str, str]:
    """The caller's environment without HINDSIGHT_*, with info logs (the connection's node is logged) and `extra`."""
    env = clean_env()
    env.update(HINDSIGHT_LOG_LEVEL="info", **extra)
    return env


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"{what} within {timeout} s (last: {last!r})")


def urls(cluster, vhost: str, user: str, first: int) -> str:
    """The node list for `user` on `vhost`, starting with node `first` (1-based), then the others in order."""
    order = [first] + [n for n in (1, 2, 3) if n != first]
    return ",".join(f"amqp://{user}:{user}@127.0.0.1:{cluster.ports[n - 1]}/{quote(vhost, safe='')}" for n in order)


def health(child: ChildProcess) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{child.metrics_port}/health", timeout=2) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def vhost(cluster):
    """A private virtual host on the cluster with the deployed users' permissions; deleted afterwards."""
    name = "hindsight-pytest-failover-" + uuid.uuid4().hex[:8]
    template = json.loads(DEFINITIONS.read_text())
    permissions = [dict(p, vhost=name) for p in template["permissions"] if p["vhost"] == "hindsight"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"vhosts": [{"name": name}], "permissions": permissions}, handle)
    os.chmod(handle.name, 0o644)  # rabbitmqctl runs as the rabbitmq user
    try:
        result = cluster.ctl(1, "import_definitions", handle.name)
        assert result.returncode == 0, result.stderr[-1000:]
        parameters = pika.URLParameters(urls(cluster, name, "hindsight-agent", 3).split(",")[0])
        def usable():
            try:
                pika.BlockingConnection(parameters).close()
                return True
            except pika.exceptions.AMQPError:
                return False
        wait_for(usable, 30, f"vhost {name} usable by hindsight-agent on node 3")
        yield name
    finally:
        os.unlink(handle.name)
        cluster.ctl(1, "delete_vhost", name)


@pytest.fixture(scope="module")
def database():
    """A migrated scratch database; dropped afterwards."""
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"{BINARY} is missing: run swift build")
    owner = os.environ.get("HINDSIGHT_DATABASE_URL", LOCAL_OWNER_URL)
    try:
        admin = psycopg.connect(owner.replace("postgres://", "postgresql://", 1), autocommit=True)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed (scripts/services up): {error}")
    name = "hs_pytest_failover_" + uuid.uuid4().hex[:12]
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        scratch = with_database(owner, name)
        import subprocess
        migrated = subprocess.run([str(BINARY), "migrate"], capture_output=True, text=True, cwd=ROOT, timeout=180,
                                  env=clean_env(HINDSIGHT_DATABASE_URL=scratch))
        assert migrated.returncode == 0, f"hindsight migrate failed:\n{migrated.stderr[-3000:]}"
        yield scratch
    finally:
        deadline = time.monotonic() + 30
        while True:
            try:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                break
            except (psycopg.errors.ObjectInUse, psycopg.errors.InsufficientPrivilege):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        admin.close()


def stored(database: str) -> tuple[int, int, int]:
    """Raw event rows, distinct event ids, and the executions' consolidated event count."""
    with psycopg.connect(database.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        raw, distinct = db.execute("SELECT count(*), count(DISTINCT event_id) FROM hindsight.events").fetchone()
        counted = db.execute("SELECT coalesce(sum(event_count), 0) FROM hindsight.executions").fetchone()[0]
    return raw, distinct, int(counted)


def start_tracker(cluster, vhost: str, database: str, first: int, **settings: str) -> ChildProcess:
    return ChildProcess("tracker", child_env(
        HINDSIGHT_AMQP_URL=urls(cluster, vhost, "hindsight-tracker", first),
        HINDSIGHT_DATABASE_URL=with_database(database, database.rsplit("/", 1)[-1], "hindsight_tracker"),
        **settings), ready="/health")


def queue_leader(cluster, vhost: str, via: int) -> str:
    queues = cluster.json(via, "list_queues", "-p", vhost, "name", "leader", "members", "online")
    queue = next(q for q in queues if q["name"] == QUEUE)
    assert len(queue["members"]) == 3, f"{QUEUE} of {vhost} is not replicated on all three nodes: {queue}"
    return queue["leader"]


def all_online(cluster, vhost: str) -> bool:
    """Three running nodes, and the private queue with three online members and a leader."""
    try:
        queues = cluster.json(1 if cluster.ctl(1, "-q", "ping").returncode == 0 else 2,
                              "list_queues", "-p", vhost, "name", "leader", "online")
    except (AssertionError, ValueError):
        return False
    queue = next((q for q in queues if q["name"] == QUEUE), None)
    return bool(queue and len(queue["online"]) == 3 and queue["leader"])


def test_leader_killed_during_a_drain_every_confirmed_event_stored_once(cluster, vhost, database):
    import subprocess
    # The tracker declares the topology in the private vhost (a quorum queue on all three nodes), then stops:
    # the agents fill the queue while nothing consumes.
    first = start_tracker(cluster, vhost, database, first=1)
    assert first.stop() == 0, "the tracker did not stop gracefully"
    leader = cluster.index(queue_leader(cluster, vhost, 1))
    killed = f"127.0.0.1:{cluster.ports[leader - 1]}"
    survivors = {f"127.0.0.1:{cluster.ports[n - 1]}" for n in (1, 2, 3) if n != leader}
    # One fault at a time: the cluster is shared with the fault run, which restarts nodes too.
    wait_for(lambda: all_online(cluster, vhost), 180, "three online members of the private queue")

    # The agents (their URL list starting on a survivor) publish with confirms; exit 0 = every publish confirmed.
    agents = subprocess.run(
        [str(BINARY), "simulate", "--executions", "3000", "--agents", "4", "--events-per-message", "10"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=child_env(HINDSIGHT_AMQP_URL=urls(cluster, vhost, "hindsight-agent", 1 if leader != 1 else 2)))
    assert agents.returncode == 0, f"hindsight simulate failed:\n{agents.stdout}\n{agents.stderr[-3000:]}"
    published = int(re.search(r"published (\d+) events", agents.stdout).group(1))

    # The tracker drains from the leader's node (first in its list), slowly enough to be killed mid-drain.
    tracker = start_tracker(cluster, vhost, database, first=leader, HINDSIGHT_TRACKER_PREFETCH="20",
                            HINDSIGHT_TRACKER_BATCH_MESSAGES="10")
    try:
        assert health(tracker)["brokers"]["amqp"] == killed, "the tracker is not on the leader's node"
        wait_for(lambda: stored(database)[0] >= 500, 180, "500 events stored")
        pid = cluster.pid(leader)  # read now: the fault run may have restarted the node since
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(),
                 30, f"node {leader} (pid {pid}) to die")
        at_kill = stored(database)[0]
        assert at_kill < published, "the drain was over before the kill: raise --executions"

        # The tracker moves to a survivor, is ready again and stores everything exactly once.
        wait_for(lambda: tracker.answers("/ready") and health(tracker)["brokers"].get("amqp") in survivors, 120,
                 "the tracker ready on a surviving node")
        wait_for(lambda: stored(database)[0] >= published, 600, f"{published} events stored")
        time.sleep(2)  # anything redelivered late would land now
        assert tracker.process.poll() is None, f"the tracker exited:\n{tracker.output()}"
        raw, distinct, counted = stored(database)
        assert (raw, distinct, counted) == (published, published, published), \
            f"published {published}: {raw} rows, {distinct} distinct ids, {counted} consolidated"
        print(f"node {leader} killed after {at_kill} of {published} events; tracker moved to "
              f"{health(tracker)['brokers']['amqp']}; every event stored once")
    finally:
        code = tracker.stop()
        # Always bring the node back: the cluster is shared.
        services("cluster", "up", timeout=UP_TIMEOUT)
    assert code == 0, "the tracker did not stop gracefully"
    wait_for(lambda: len(cluster.queue(leader)["online"]) == 3, 120, f"node {leader} online in {QUEUE} again")
