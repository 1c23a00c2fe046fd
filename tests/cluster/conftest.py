"""Fixtures for the high-availability tests: the three-node RabbitMQ cluster and the PostgreSQL read replica,
both started by scripts/services (`cluster up`, `replica up`) for one test module and stopped at its end
(`cluster down`, `replica down`), even when a test fails. A cluster that was already running when the module
started is left running (it is shared with the fault run).

Neither touches the single-node services the other tests use: the cluster has its own epmd, ports
(AMQP 5681-5683 by default) and data under var/rabbitmq-cluster; the replica is a copy of the local
PostgreSQL on its own port (5434), reached through a replication slot the fixture drops again.
"""
from __future__ import annotations

import re

import pytest

from ha_services import UP_TIMEOUT, Cluster, cannot_run_servers_reason, exports, local_database_url, services


@pytest.fixture(scope="module")
def cluster():
    reason = cannot_run_servers_reason()
    if reason:
        pytest.skip(reason)
    # A cluster that was already running belongs to someone else (the fault run, another session): left running.
    started_here = "cluster: stopped" in services("cluster", "status", check=False).stdout
    try:
        services("cluster", "up", timeout=UP_TIMEOUT)
        yield Cluster(exports("cluster", "env"))
    finally:
        if started_here:
            services("cluster", "down", timeout=300, check=False)


@pytest.fixture(scope="module")
def replica():
    """The replica's connection settings; the primary (scripts/services up) must be running."""
    reason = cannot_run_servers_reason()
    if reason:
        pytest.skip(reason)
    if services("status", check=False).stdout.find("postgresql: running") < 0:
        pytest.fail("the local PostgreSQL is not running: run scripts/services up")
    try:
        out = services("replica", "up", timeout=UP_TIMEOUT).stdout
        url = re.search(r"^HINDSIGHT_REPLICA_DATABASE_URL=(\S+)$", out, re.M)
        assert url, f"replica up printed no URL:\n{out}"
        yield {"url": url.group(1), "primary_url": local_database_url()}
    finally:
        services("replica", "down", timeout=300, check=False)
