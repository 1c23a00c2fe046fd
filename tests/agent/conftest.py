"""Fixtures of the Python agent's tests: a private vhost, a scratch database, the proxy and a child
tracker (see agent_support.py for why this setup)."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import uuid
from urllib.parse import quote, urlsplit

import pytest

from agent_support import (BINARY, BROKER, DEFINITIONS, LOCAL_OWNER_URL, ROOT, ChildProcess, Cluster, TCPProxy, clean_env,
                           pika, psycopg, rabbitmqctl, sql, with_database)


@pytest.fixture(scope="session")
def vhost():
    """A private virtual host with the deployed users' permissions; deleted afterwards."""
    name = "hindsight-pytest-agent-" + uuid.uuid4().hex[:8]
    template = json.loads(DEFINITIONS.read_text())
    permissions = [dict(p, vhost=name) for p in template["permissions"] if p["vhost"] == "hindsight"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"vhosts": [{"name": name}], "permissions": permissions}, handle)
    os.chmod(handle.name, 0o644)  # rabbitmqctl runs as the rabbitmq user
    try:
        result = rabbitmqctl("import_definitions", handle.name)
        if result.returncode != 0:
            pytest.fail(f"RabbitMQ is needed (scripts/services up): {result.stderr.strip()[-500:]}")
        # The import is asynchronous: wait until the agent user can open the vhost.
        parameters = pika.URLParameters(f"amqp://hindsight-agent:hindsight-agent@{BROKER[0]}:{BROKER[1]}/{quote(name, safe='')}")
        deadline = time.monotonic() + 20
        while True:
            try:
                pika.BlockingConnection(parameters).close()
                break
            except pika.exceptions.AMQPError:
                assert time.monotonic() < deadline, f"vhost {name} not usable after 20 s"
                time.sleep(0.2)
        yield name
    finally:
        os.unlink(handle.name)
        rabbitmqctl("delete_vhost", name)


@pytest.fixture(scope="session")
def database():
    """A migrated scratch database; dropped afterwards (waiting for the children's sessions to leave)."""
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"{BINARY} is missing: run swift build")
    owner = os.environ.get("HINDSIGHT_DATABASE_URL", LOCAL_OWNER_URL)
    try:
        admin = psycopg.connect(owner.replace("postgres://", "postgresql://", 1), autocommit=True)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed (scripts/services up): {error}")
    name = "hs_pytest_agent_" + uuid.uuid4().hex[:12]
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        scratch = with_database(owner, name)
        migrated = subprocess.run([str(BINARY), "migrate"], capture_output=True, text=True, cwd=ROOT, timeout=120,
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


@pytest.fixture(scope="session")
def cluster(vhost, database):
    """The private vhost and database, the proxy (up) and a child tracker connected through it."""
    proxy = TCPProxy(*BROKER)
    proxy.up()
    cluster = Cluster(vhost, database, proxy)
    tracker = ChildProcess("tracker", clean_env(
        HINDSIGHT_AMQP_URL=cluster.amqp_url("hindsight-tracker"),
        HINDSIGHT_DATABASE_URL=with_database(database, urlsplit(database).path.lstrip("/"), "hindsight_tracker")),
        ready="/ready")
    cluster.tracker = tracker
    try:
        yield cluster
    finally:
        code = tracker.stop()
        proxy.close()
        assert code == 0, "the child tracker did not stop gracefully"
