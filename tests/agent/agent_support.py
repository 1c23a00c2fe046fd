"""Helpers of the private Hindsight cluster the Python agent's tests run on (fixtures in conftest.py).

- **Broker: a private virtual host** on the shared RabbitMQ (5673), created with the users' permissions
  of deploy/rabbitmq/definitions.template.json (so `hindsight-agent` may write only `hindsight.events`
  and `hindsight.rpc`, as deployed) and deleted afterwards. Every exchange and queue the tests use
  lives in it: no other session's tracker sees our events, and ours sees no one else's — the
  execution ids alone would not keep other engineers' simulations out of the counts.
- **Database: a scratch database** migrated with the built `hindsight migrate`, dropped afterwards.
- **A child `hindsight tracker`** (as `hindsight-tracker` / `hindsight_tracker`, its own metrics port)
  consuming `hindsight.tracker` of the private vhost — the product's own ingestion path.
- **A TCP proxy** in front of the broker that the tracker and the agents go through, so the outage
  test can take "the broker" away for everyone and bring it back. The shared broker is never stopped
  (other sessions use it); a private RabbitMQ node would cost seconds to start and prove nothing the
  proxy does not: clients see refused connections and reset sockets, exactly what a stopped broker
  gives them, and messages the broker confirmed are kept either way.

Needs `scripts/services up` and `.build/debug/hindsight` (swift build).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tcp_proxy import TCPProxy  # noqa: E402

psycopg = pytest.importorskip("psycopg")
pika = pytest.importorskip("pika")
from psycopg import sql  # noqa: E402,F401 — re-exported for conftest

BINARY = ROOT / ".build" / "debug" / "hindsight"
SERVICES = ROOT / "scripts" / "services"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.template.json"
LOCAL_OWNER_URL = "postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight"
BROKER = ("127.0.0.1", int(os.environ.get("HINDSIGHT_RABBITMQ_PORT", "5673")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_database(url: str, database: str, role: str | None = None) -> str:
    """`url` on another database, optionally as another role (local convention: password = role name)."""
    parts = urlsplit(url)
    netloc = parts.netloc if role is None else f"{role}:{role}@{parts.netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, parts.fragment))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(HINDSIGHT_LOG_LEVEL="warning", **extra)
    return env


class Cluster:
    """What the tests get: URLs of the private vhost (direct and through the proxy), the scratch
    database, the proxy, and helpers to wait for stored events."""

    def __init__(self, vhost: str, database_url: str, proxy: TCPProxy):
        self.vhost = vhost
        self.database_url = database_url
        self.proxy = proxy

    def amqp_url(self, user: str, via_proxy: bool = True) -> str:
        port = self.proxy.port if via_proxy else BROKER[1]
        return f"amqp://{user}:{user}@127.0.0.1:{port}/{quote(self.vhost, safe='')}"

    def connect(self):
        return psycopg.connect(self.database_url.replace("postgres://", "postgresql://", 1), autocommit=True)

    def stored_events(self, execution_ids) -> int:
        with self.connect() as db:
            return db.execute("SELECT count(*) FROM hindsight.events WHERE execution_id = ANY(%s)",
                              ([uuid.UUID(str(e)) for e in execution_ids],)).fetchone()[0]

    def wait_for_events(self, execution_ids, expected: int, timeout: float = 30) -> int:
        """Waits until `expected` raw events of `execution_ids` are stored and their executions count
        them (`event_count`); returns the raw count (more than `expected` is a duplicate)."""
        ids = [uuid.UUID(str(e)) for e in execution_ids]
        deadline = time.monotonic() + timeout
        while True:
            with self.connect() as db:
                raw = db.execute("SELECT count(*) FROM hindsight.events WHERE execution_id = ANY(%s)", (ids,)).fetchone()[0]
                counted = db.execute("SELECT coalesce(sum(event_count), 0) FROM hindsight.executions "
                                     "WHERE execution_id = ANY(%s)", (ids,)).fetchone()[0]
            if raw >= expected and counted >= expected:
                return raw
            if time.monotonic() > deadline:
                pytest.fail(f"only {raw} raw / {counted} consolidated of {expected} events stored after {timeout} s")
            time.sleep(0.2)


class ChildProcess:
    """A `hindsight` child with its own metrics port; `stop()` sends SIGTERM and expects exit 0."""

    def __init__(self, command: str, env: dict[str, str], ready: str = "/health"):
        self.command = command
        self.metrics_port = free_port()
        self.log = tempfile.TemporaryFile()
        env = dict(env, HINDSIGHT_METRICS_HOST="127.0.0.1", HINDSIGHT_METRICS_PORT=str(self.metrics_port))
        self.process = subprocess.Popen([str(BINARY), command], cwd=ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not self.answers(ready):
            assert self.process.poll() is None, f"hindsight {command} exited {self.process.returncode}:\n{self.output()}"
            assert time.monotonic() < deadline, f"hindsight {command}: {ready} never answered:\n{self.output()}"
            time.sleep(0.1)

    def answers(self, path: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def rabbitmqctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SERVICES), "rabbitmqctl", *args], capture_output=True, text=True, timeout=60)


