"""compose.yaml's profile "ha": the three-node RabbitMQ cluster in containers (no Docker engine here).

The whole file is validated against the Compose Specification schema by tests/compose; here: docker-compose
accepts the profile, and the nodes form one cluster by construction — the peer list of
deploy/rabbitmq/cluster.conf names exactly the three nodes (node names on their hostnames), they share one
Erlang cookie, boot with the single broker's configuration and definitions, keep their own data, publish
loopback ports only, and start after rabbitmq-1 is healthy. The default profile is left as it was. The profile's
workers (`tracker-ha`, `adapter-ha`) are the default tracker's and adapter's settings with HINDSIGHT_AMQP_URL listing
the three nodes; mapped as compose-local runs them, those URLs log in on the nodes of `scripts/services cluster up`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
CLUSTER_CONF = ROOT / "deploy" / "rabbitmq" / "cluster.conf"
RABBITMQ_CONF = ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf"
DOCKER_COMPOSE = shutil.which("docker-compose")
HA_NODES = ["rabbitmq-1", "rabbitmq-2", "rabbitmq-3"]
HA_WORKERS = {"tracker-ha": "tracker", "adapter-ha": "adapter"}
COMPOSE_LOCAL = ROOT / "scripts" / "compose-local"

needs_compose = pytest.mark.skipif(
    DOCKER_COMPOSE is None,
    reason="docker-compose is not installed (apt-get install -y docker-compose; scripts/services installs it)")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(extra)
    return env


def resolved(**env: str) -> dict:
    result = subprocess.run([DOCKER_COMPOSE, "-f", str(COMPOSE_FILE), "--profile", "ha", "config"],
                            capture_output=True, text=True, cwd=ROOT, env=clean_env(**env))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def conf(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z_.0-9]+)\s*=\s*(.+?)\s*$", path.read_text(), re.M))


def mounts(service: dict) -> dict[str, dict]:
    out = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            volume = {"source": source, "target": target, "type": "bind" if source.startswith(("/", ".")) else "volume"}
        out[volume["target"]] = volume
    return out


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def test_ha_profile_holds_exactly_the_three_nodes_and_leaves_the_default_alone(raw):
    in_ha = sorted(name for name, s in raw.items() if "ha" in ((s or {}).get("profiles") or []))
    assert in_ha == sorted(HA_NODES + list(HA_WORKERS))
    for name in HA_NODES + list(HA_WORKERS):
        assert raw[name]["profiles"] == ["ha"], f"{name} must start only with --profile ha"
    default = {name for name, s in raw.items() if not (s or {}).get("profiles")}
    assert {"rabbitmq", "postgres", "migrate", "tracker"} <= default
    assert not default & set(HA_NODES)


@needs_compose
def test_docker_compose_accepts_the_ha_profile():
    for args in (["--profile", "ha"], []):
        result = subprocess.run([DOCKER_COMPOSE, "-f", str(COMPOSE_FILE), *args, "config", "-q"],
                                capture_output=True, text=True, cwd=ROOT, env=clean_env())
        assert result.returncode == 0, result.stderr


@needs_compose
def test_peer_list_names_the_three_nodes_on_their_hostnames():
    services = resolved()
    settings = conf(CLUSTER_CONF)
    assert settings["cluster_formation.peer_discovery_backend"] in ("classic_config", "rabbit_peer_discovery_classic_config")
    peers = sorted(v for k, v in settings.items() if k.startswith("cluster_formation.classic_config.nodes."))
    names = sorted(services[n]["environment"]["RABBITMQ_NODENAME"] for n in HA_NODES)
    assert peers == names
    for name in HA_NODES:
        node = services[name]["environment"]["RABBITMQ_NODENAME"]
        assert node == f"rabbit@{services[name]['hostname']}", f"{name}: node name must be on its hostname"
    assert int(settings["quorum_queue.continuous_membership_reconciliation.target_group_size"]) == len(HA_NODES)
    assert settings["quorum_queue.continuous_membership_reconciliation.enabled"] == "true"


@needs_compose
def test_nodes_share_one_cookie_from_one_variable():
    services = resolved(HINDSIGHT_RABBITMQ_ERLANG_COOKIE="cookie-from-the-environment")
    cookies = {services[n]["environment"]["RABBITMQ_ERLANG_COOKIE"] for n in HA_NODES}
    assert cookies == {"cookie-from-the-environment"}
    default = {resolved()[n]["environment"]["RABBITMQ_ERLANG_COOKIE"] for n in HA_NODES}
    assert len(default) == 1 and next(iter(default))


@needs_compose
def test_nodes_boot_with_the_single_brokers_configuration_and_definitions():
    services = resolved()
    single = mounts(services["rabbitmq"])
    definitions_dir = os.path.dirname(conf(RABBITMQ_CONF)["definitions.local.path"])
    data_volumes = set()
    for name in HA_NODES:
        node = mounts(services[name])
        conf_d = sorted(t for t in node if t.startswith("/etc/rabbitmq/conf.d/"))
        sources = [Path(node[t]["source"]).resolve() for t in conf_d]
        assert sources == [RABBITMQ_CONF.resolve(), CLUSTER_CONF.resolve()], f"{name}: conf.d {conf_d}"
        assert node[definitions_dir]["source"] == single[definitions_dir]["source"], f"{name}: definitions volume"
        assert node["/etc/rabbitmq/enabled_plugins"]["source"] == single["/etc/rabbitmq/enabled_plugins"]["source"]
        data = node["/var/lib/rabbitmq"]
        assert data["type"] == "volume"
        data_volumes.add(data["source"])
        assert services[name]["image"] == services["rabbitmq"]["image"]
        assert services[name]["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
        assert services[name]["healthcheck"]["test"]
    assert len(data_volumes) == 3 and mounts(services["rabbitmq"])["/var/lib/rabbitmq"]["source"] not in data_volumes
    for name in HA_NODES[1:]:
        assert services[name]["depends_on"]["rabbitmq-1"]["condition"] == "service_healthy", \
            f"{name} must join a running rabbitmq-1"


@needs_compose
def test_nodes_publish_distinct_loopback_ports():
    services = resolved()
    published = []
    for name in HA_NODES:
        for port in services[name].get("ports") or []:
            if isinstance(port, dict):
                host_ip, host_port = port.get("host_ip"), str(port.get("published"))
            else:
                host_ip, host_port = str(port).split(":")[:2]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"
            published.append(host_port)
    assert len(published) == len(set(published)) == 6, published


def test_definitions_declare_the_tracker_queue_as_a_quorum_queue():
    """Replicated on every node only if it is a quorum queue (classic queues are not replicated)."""
    template = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.template.json").read_text())
    tracker = next(q for q in template["queues"] if q["name"] == "hindsight.tracker")
    assert tracker["durable"] and tracker["arguments"]["x-queue-type"] == "quorum"


@needs_compose
@pytest.mark.parametrize("name", sorted(HA_WORKERS))
def test_ha_workers_are_the_default_workers_on_the_three_nodes(name):
    """Same image, command, settings, health check and stop as the default worker; only the broker URL differs:
    one URL per node, in node order, with the default worker's user, password and virtual host."""
    services = resolved(HINDSIGHT_RABBITMQ_PASSWORD_HINDSIGHT_TRACKER="t-secret", HINDSIGHT_RABBITMQ_PASSWORD_HINDSIGHT_ADAPTER="a-secret")
    worker, default = services[name], services[HA_WORKERS[name]]
    for key in ("image", "command", "healthcheck", "stop_grace_period", "stop_signal", "init", "restart", "expose"):
        assert worker.get(key) == default.get(key), f"{name}: {key} differs from {HA_WORKERS[name]}"
    env, default_env = dict(worker["environment"]), dict(default["environment"])
    urls = env.pop("HINDSIGHT_AMQP_URL").split(",")
    single = urlsplit(default_env.pop("HINDSIGHT_AMQP_URL"))
    assert env == default_env, f"{name}: settings differ from {HA_WORKERS[name]}"
    assert [urlsplit(u).hostname for u in urls] == HA_NODES
    for url in map(urlsplit, urls):
        assert (url.username, url.password, url.port, url.path) == (single.username, single.password, 5672, single.path)


@needs_compose
@pytest.mark.parametrize("name", sorted(HA_WORKERS))
def test_ha_workers_node_urls_log_in_on_the_local_cluster(cluster, name):
    """`compose-local` maps the worker's node URLs to `scripts/services cluster up` (rabbitmq-N → the N-th node),
    and each URL logs in there as the worker's own user. Nothing consumes: the cluster's queues belong to the
    fault run."""
    plan = subprocess.run([sys.executable, str(COMPOSE_LOCAL), "--cluster-amqp-port", str(cluster.ports[0]), "--print", name],
                          capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=120)
    assert plan.returncode == 0, plan.stderr[-2000:]
    urls = json.loads(plan.stdout)["environment"]["HINDSIGHT_AMQP_URL"].split(",")
    assert [(urlsplit(u).hostname, urlsplit(u).port) for u in urls] == [("127.0.0.1", p) for p in cluster.ports]
    import pika
    for url in urls:
        pika.BlockingConnection(pika.URLParameters(url + "?socket_timeout=10&connection_attempts=3")).close()
