"""Helpers of the high-availability tests: scripts/services and the cluster it starts."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "scripts" / "services"
# Generous: three broker boots on a busy two-core machine take 20 s each, a first cluster up about 50 s.
UP_TIMEOUT = 600


def services(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(SERVICES), *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)
    if check and result.returncode != 0:
        pytest.fail(f"scripts/services {' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def exports(*args: str) -> dict[str, str]:
    return dict(re.findall(r"export (\w+)='([^']*)'", services(*args).stdout))


def cannot_run_servers_reason() -> str | None:
    """The script runs the servers as their own users, which needs root, or the packages to be installed
    for the current user to run them."""
    if os.geteuid() == 0:
        return None
    if not Path("/usr/lib/rabbitmq/bin/rabbitmq-server").exists() or shutil.which("pg_basebackup") is None:
        return "not root and RabbitMQ/PostgreSQL are not installed (scripts/services installs them as root)"
    return None




class Cluster:
    def __init__(self, env: dict[str, str]):
        self.urls = env["HINDSIGHT_AMQP_URL"].split(",")
        self.nodes = env["HINDSIGHT_CLUSTER_NODES"].split(",")
        self.ports = [int(p) for p in env["HINDSIGHT_CLUSTER_AMQP_PORTS"].split(",")]
        self.dir = Path(env["HINDSIGHT_CLUSTER_DIR"])

    def index(self, node: str) -> int:
        """1-based index of a node name."""
        return self.nodes.index(node) + 1

    def ctl(self, node: int, *args: str, tool: str = "rabbitmqctl", timeout: float = 60) -> subprocess.CompletedProcess:
        return services("cluster", tool, str(node), *args, timeout=timeout, check=False)

    def json(self, node: int, *args: str, tool: str = "rabbitmqctl"):
        result = self.ctl(node, "-q", *args, "--formatter", "json", tool=tool)
        assert result.returncode == 0, f"{tool} -n {self.nodes[node - 1]} {' '.join(args)}: {result.stderr[-2000:]}"
        return json.loads(result.stdout)

    def queue(self, node: int, name: str = "hindsight.tracker") -> dict:
        queues = self.json(node, "list_queues", "-p", "hindsight", "name", "type", "members", "leader", "online", "messages")
        return next(q for q in queues if q["name"] == name)

    def pid(self, node: int) -> int:
        return int((self.dir / f"c{node}" / "rabbitmq.pid").read_text().strip())

    def credentials(self) -> tuple[str, str]:
        url = urlsplit(self.urls[0])
        return url.username, url.password


def local_database_url() -> str:
    return exports("env")["HINDSIGHT_DATABASE_URL"]


