"""compose.yaml without a Docker engine.

(a) the file validates against the Compose Specification schema shipped with docker-compose;
(b) `docker-compose config -q` accepts it;
(c) the invariants the cluster relies on: scalable trackers, one least-privilege user per worker,
    passwords wired consistently, health checks, graceful stop, loopback-only host ports;
(d) the services' commands run here, with the same environment, against real servers:
    - the `postgres` service's init script on a throwaway PostgreSQL cluster, then `migrate` on it;
    - `rabbitmq-definitions` renders password hashes that match the passwords the workers use;
    - `migrate`, `tracker` (ready, healthcheck, SIGTERM → exit 0 within stop_grace_period),
      `simulate` and `analyzer` (health, ready, healthcheck, metrics, a round, SIGTERM → exit 0) against
      the local services (scripts/services), as their own users.

Needs docker-compose (apt-get install docker-compose: skipped with a reason when missing), the local
services (`scripts/services up`) and the built binary `.build/debug/hindsight` for (d).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
COMPOSE_LOCAL = ROOT / "scripts" / "compose-local"
BINARY = ROOT / ".build" / "debug" / "hindsight"
DEFINITIONS_TEMPLATE = ROOT / "deploy" / "rabbitmq" / "definitions.template.json"
DOCKER_COMPOSE = shutil.which("docker-compose")

needs_compose = pytest.mark.skipif(
    DOCKER_COMPOSE is None,
    reason="docker-compose is not installed (apt-get install -y docker-compose; scripts/services installs it)")

# Which broker user and database role each hindsight service must use, and which URLs it needs
# (docs/conventions-for-contributors.md; `simulate` is an agent).
WORKERS = {
    "migrate": {"HINDSIGHT_DATABASE_URL": "hindsight_owner"},
    "tracker": {"HINDSIGHT_AMQP_URL": "hindsight-tracker", "HINDSIGHT_DATABASE_URL": "hindsight_tracker"},
    "simulate": {"HINDSIGHT_AMQP_URL": "hindsight-agent"},
    "analyzer": {"HINDSIGHT_DATABASE_URL": "hindsight_analyzer"},
    "adapter": {"HINDSIGHT_AMQP_URL": "hindsight-adapter", "HINDSIGHT_DATABASE_URL": "hindsight_adapter"},
    # Profile "ha": the same workers on the three-node cluster (one URL per node in HINDSIGHT_AMQP_URL).
    "tracker-ha": {"HINDSIGHT_AMQP_URL": "hindsight-tracker", "HINDSIGHT_DATABASE_URL": "hindsight_tracker"},
    "adapter-ha": {"HINDSIGHT_AMQP_URL": "hindsight-adapter", "HINDSIGHT_DATABASE_URL": "hindsight_adapter"},
}
HA_WORKERS = {"tracker-ha": "tracker", "adapter-ha": "adapter"}
HA_NODES = ["rabbitmq-1", "rabbitmq-2", "rabbitmq-3"]
LONG_RUNNING = {"tracker", "analyzer", "adapter", *HA_WORKERS}
# Replicas of these split the work (`--scale`); the path each one's healthcheck asks.
SCALABLE = {"tracker": "/health", "analyzer": "/ready", "adapter": "/ready"}


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without HINDSIGHT_* (so defaults in compose.yaml apply), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(extra)
    return env


def profiles_args() -> list[str]:
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    names = sorted({p for s in raw["services"].values() for p in (s or {}).get("profiles", [])})
    return [arg for name in names for arg in ("--profile", name)]


def compose_config(env: dict[str, str] | None = None) -> dict:
    result = subprocess.run(
        [DOCKER_COMPOSE, "-f", str(COMPOSE_FILE), *profiles_args(), "config"],
        capture_output=True, text=True, cwd=ROOT, env=env or clean_env())
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def urls_of(name: str, variable: str, value: str) -> list:
    """The URL of a variable split into its URLs: the ha workers' broker URL lists the three nodes, every
    other value is one URL."""
    if name in HA_WORKERS and variable == "HINDSIGHT_AMQP_URL":
        urls = [urlsplit(u) for u in re.split(r",(?=amqps?://)", value)]
        assert len(urls) == len(HA_NODES), f"{name}: {variable} must list the {len(HA_NODES)} nodes"
        return urls
    return [urlsplit(value)]


def is_hindsight(service: dict) -> bool:
    return bool(re.search(r"(^|/)hindsight(:[^/]*)?$", str(service.get("image", ""))))


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def mounts_of(service: dict) -> dict[str, dict]:
    """Volumes by container path, long or short syntax (docker-compose 1.29 prints the short one)."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            kind = "bind" if source.startswith(("/", ".")) else "volume"
            volume = {"source": source, "target": target, "type": kind}
        mounts[volume["target"]] = volume
    return mounts


def seconds(duration: str | None) -> float:
    """Compose durations: 1m30s, 10s, 500ms."""
    if not duration:
        return 10.0  # Compose's default stop grace period
    total = 0.0
    for value, unit in re.findall(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)", str(duration)):
        total += float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def schema_path() -> Path:
    """compose/config/compose_spec.json of the installed docker-compose package (its own interpreter)."""
    try:
        import compose.config  # type: ignore
        return Path(compose.config.__file__).parent / "compose_spec.json"
    except ImportError:
        pass
    first = Path(DOCKER_COMPOSE).read_text(errors="replace").splitlines()[0]
    interpreter = first[2:].strip().split()[0] if first.startswith("#!") else "/usr/bin/python3"
    out = subprocess.run(
        [interpreter, "-c", "import compose.config, os; print(os.path.dirname(compose.config.__file__))"],
        capture_output=True, text=True, check=True).stdout.strip()
    return Path(out) / "compose_spec.json"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def resolved() -> dict:
    return compose_config()


# ------------------------------------------------------------------------------------------ (a) (b)

@needs_compose
def test_compose_file_matches_the_compose_specification_schema(raw):
    from jsonschema import Draft201909Validator

    path = schema_path()
    assert path.is_file(), f"docker-compose is installed but {path} is missing"
    schema = json.loads(path.read_text())
    validator = Draft201909Validator(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


@needs_compose
def test_docker_compose_config_accepts_the_file():
    for extra in ([], profiles_args()):
        result = subprocess.run([DOCKER_COMPOSE, "-f", str(COMPOSE_FILE), *extra, "config", "-q"],
                                capture_output=True, text=True, cwd=ROOT, env=clean_env())
        assert result.returncode == 0, result.stderr


def test_profiles_keep_the_default_cluster_small(raw):
    profiles = {name: (service or {}).get("profiles") for name, service in raw["services"].items()}
    default = {name for name, p in profiles.items() if not p}
    assert {"rabbitmq", "postgres", "migrate", "tracker", "analyzer", "adapter"} <= default
    assert profiles["simulate"] == ["demo"]
    assert profiles["prometheus"] == ["observability"] and profiles["grafana"] == ["observability"]


# ----------------------------------------------------------------------------------------------- (c)

@needs_compose
@pytest.mark.parametrize("name", sorted(SCALABLE) + sorted(HA_WORKERS))
def test_workers_are_scalable(resolved, name):
    service = resolved["services"][name]
    assert "container_name" not in service, f"{name}: a container_name prevents --scale"
    assert not service.get("ports"), f"{name}: a fixed host port prevents --scale (use expose)"
    assert "hostname" not in service
    assert "9090" in [str(p) for p in service.get("expose", [])]


@needs_compose
def test_every_hindsight_service_has_the_urls_it_needs_with_its_own_user(resolved):
    services = resolved["services"]
    hindsight = {name for name, s in services.items() if is_hindsight(s)}
    assert hindsight == set(WORKERS), f"hindsight services {sorted(hindsight)} vs expected {sorted(WORKERS)}"
    for name, expected in WORKERS.items():
        env = env_of(services[name])
        command = HA_WORKERS.get(name, name)
        assert services[name]["command"][0] == command, f"{name}: runs `hindsight {services[name]['command'][0]}`"
        for variable, user in expected.items():
            assert variable in env, f"{name} lacks {variable}"
            urls = urls_of(name, variable, env[variable])
            host_services = {"HINDSIGHT_AMQP_URL": ["rabbitmq"], "HINDSIGHT_DATABASE_URL": ["postgres"]}[variable]
            if len(urls) > 1:
                host_services = HA_NODES
            for url, host_service in zip(urls, host_services):
                assert url.username == user, f"{name}: {variable} connects as {url.username}, expected {user}"
                assert url.password, f"{name}: {variable} has no password"
                port = 5432 if host_service == "postgres" else 5672
                assert url.hostname == host_service and url.port == port, f"{name}: {variable} names {url.netloc}"
                assert url.path == "/hindsight"
            assert len({(u.username, u.password) for u in urls}) == 1, f"{name}: one user and password in every URL"
        # Nothing more than needed: an agent has no database URL, migrate no broker URL.
        for variable in ("HINDSIGHT_AMQP_URL", "HINDSIGHT_DATABASE_URL"):
            if variable not in expected:
                assert variable not in env, f"{name} should not get {variable}"


@needs_compose
def test_passwords_are_wired_from_one_variable_per_user():
    """Set every password variable to a distinct value: each URL must carry its user's, and the broker
    definitions / database init must receive the same one."""
    raw_text = COMPOSE_FILE.read_text()
    names = sorted(set(re.findall(r"\$\{(HINDSIGHT_(?:RABBITMQ|POSTGRES)_PASSWORD_[A-Z_]+)", raw_text)))
    assert names, "no password variables in compose.yaml"
    values = {n: f"pw{random.randrange(10**9)}x{i}" for i, n in enumerate(names)}
    services = compose_config(clean_env(**values))["services"]

    def expected(kind: str, user: str) -> str:
        return values[f"HINDSIGHT_{kind}_PASSWORD_" + user.upper().replace("-", "_")]

    for name, wanted in WORKERS.items():
        env = env_of(services[name])
        for variable, user in wanted.items():
            kind = "RABBITMQ" if variable == "HINDSIGHT_AMQP_URL" else "POSTGRES"
            for url in urls_of(name, variable, env[variable]):
                assert url.password == expected(kind, user), f"{name}: {variable}"
    definitions_env = env_of(services["rabbitmq-definitions"])
    for user in json.loads(DEFINITIONS_TEMPLATE.read_text())["users"]:
        key = "HINDSIGHT_RABBITMQ_PASSWORD_" + user["name"].upper().replace("-", "_")
        assert definitions_env.get(key) == values.get(key), f"rabbitmq-definitions does not pass {key}"
    postgres_env = env_of(services["postgres"])
    for role in ("hindsight_owner", "hindsight_tracker", "hindsight_analyzer", "hindsight_adapter", "hindsight_analyst"):
        key = "HINDSIGHT_POSTGRES_PASSWORD_" + role.upper()
        assert postgres_env.get(key) == values[key], f"postgres does not pass {key}"


@needs_compose
def test_workers_start_in_order_and_stop_gracefully(resolved):
    services = resolved["services"]
    for name in WORKERS:
        service = services[name]
        assert service.get("init") is True, f"{name}: init: true (signals reach the worker, zombies reaped)"
        assert seconds(service.get("stop_grace_period")) >= 20, f"{name}: stop_grace_period too short to drain"
    migrate = services["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    tracker = services["tracker"]
    assert tracker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    analyzer = services["analyzer"]
    assert analyzer["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert analyzer["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "rabbitmq" not in analyzer["depends_on"], "the analyzer needs no broker"
    assert tracker["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert tracker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["simulate"]["restart"] == "no"
    assert services["simulate"]["profiles"] == ["demo"]
    assert services["rabbitmq"]["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
    for name in HA_WORKERS:
        depends = services[name]["depends_on"]
        assert "rabbitmq" not in depends, f"{name} must not wait for the single broker"
        for node in HA_NODES:
            assert depends[node]["condition"] == "service_healthy", f"{name} must wait for {node}"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"


@needs_compose
def test_long_running_services_have_health_checks(resolved):
    services = resolved["services"]
    for name in LONG_RUNNING:
        test = services[name]["healthcheck"]["test"]
        path = SCALABLE.get(HA_WORKERS.get(name, name), "/health")
        assert test[0] in ("CMD", "CMD-SHELL") and f"GET {path} " in " ".join(test), f"{name}: healthcheck must hit {path}"
    for name in ("rabbitmq", "postgres"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


@needs_compose
def test_host_ports_bind_loopback_only(resolved):
    for name, service in resolved["services"].items():
        for port in service.get("ports") or []:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).rsplit(":", 2)[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond loopback"


@needs_compose
def test_broker_and_database_configuration_is_mounted_where_it_is_read(resolved):
    services = resolved["services"]
    conf = (ROOT / "deploy/rabbitmq/rabbitmq.conf").read_text()
    definitions_path = re.search(r"^definitions\.local\.path\s*=\s*(\S+)", conf, re.M).group(1)
    mounts = mounts_of(services["rabbitmq"])
    folder = os.path.dirname(definitions_path)
    assert folder in mounts and mounts[folder]["type"] == "volume"
    volume = mounts[folder]["source"]
    writer = mounts_of(services["rabbitmq-definitions"])
    written = [t for t, v in writer.items() if v.get("source") == volume]
    assert written, "rabbitmq-definitions does not write the volume rabbitmq reads"
    assert f"{written[0]}/{os.path.basename(definitions_path)}" in " ".join(services["rabbitmq-definitions"]["command"])
    assert any(t.startswith("/etc/rabbitmq/conf.d/") for t in mounts), "rabbitmq.conf not mounted in conf.d"
    pg_mounts = mounts_of(services["postgres"])
    assert Path(pg_mounts["/docker-entrypoint-initdb.d"]["source"]) == ROOT / "deploy/postgres/init"


def test_prometheus_and_dashboard_use_real_metric_names(resolved=None):
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    for name in SCALABLE:
        sd = jobs[f"hindsight-{name}"]["dns_sd_configs"][0]
        assert sd["names"] == [name] and sd["port"] == 9090
    swift = (ROOT / "Sources/HindsightWorkers/Tracker/TrackerMetrics.swift").read_text()
    declared = set(re.findall(r'label:\s*"(hindsight_[a-z_]+)"', swift))
    assert declared, "no metric labels found in TrackerMetrics.swift"
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/hindsight-trackers.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {m for e in exprs for m in re.findall(r"\b(hindsight_[a-z_]+)", e)}
    assert used
    for metric in used:
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        assert metric in declared or base in declared, f"dashboard uses {metric}, not in TrackerMetrics.swift"


def test_dockerfile_builds_a_small_non_root_image():
    text = (ROOT / "deploy/Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(stages) >= 2 and stages[0].startswith("swift:"), stages
    assert stages[-1] in ("debian:12-slim", "debian:bookworm-slim") or "slim" in stages[-1]
    assert "librabbitmq-dev" in text and "pkg-config" in text
    assert re.search(r"swift build -c release --static-swift-stdlib --product hindsight", text)
    runtime = text[text.rindex("FROM "):]
    assert "librabbitmq4" in runtime and "ca-certificates" in runtime
    assert ".resources" in text, "resource bundles (migrations, schema) must be copied next to the binary"
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and not user[-1].startswith(("root", "0")), "runtime must not run as root"
    assert re.search(r'^ENTRYPOINT \["hindsight"\]', runtime, re.M)
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert "*" in ignore and "!Sources/" in ignore and "!Package.swift" in ignore


# ----------------------------------------------------------------------------------------------- (d)

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_args(args: tuple[str, ...] | list[str]) -> list[str]:
    """The local services' ports (scripts/services env), unless the caller names its own."""
    ports = local_ports()
    out = []
    if "--rabbitmq-port" not in args:
        out += ["--rabbitmq-port", str(ports["rabbitmq"])]
    if "--postgres-port" not in args:
        out += ["--postgres-port", str(ports["postgres"])]
    return out


def compose_local(*args: str, env: dict[str, str] | None = None, timeout: float = 180,
                  check: bool = True) -> subprocess.CompletedProcess:
    command = [sys.executable, str(COMPOSE_LOCAL), *port_args(args), *args]
    result = subprocess.run(command, capture_output=True, text=True,
                            cwd=ROOT, env=env or clean_env(), timeout=timeout)
    if check:
        assert result.returncode == 0, f"compose-local {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}"
    return result


def plan(*args: str) -> dict:
    return json.loads(compose_local("--print", *args).stdout)


def local_ports() -> dict[str, int]:
    out = subprocess.run([str(ROOT / "scripts/services"), "env"], capture_output=True, text=True, check=True).stdout
    values = dict(re.findall(r"export (\w+)='([^']*)'", out))
    return {"rabbitmq": int(values["HINDSIGHT_RABBITMQ_PORT"]), "postgres": int(values["HINDSIGHT_POSTGRES_PORT"])}


def require_local_services():
    ports = local_ports()
    for name, port in ports.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pytest.fail(f"local {name} is not running on 127.0.0.1:{port}: run scripts/services up")
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"{BINARY} is missing: run swift build")
    return ports


def http_get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


@needs_compose
def test_plans_rewrite_hosts_but_keep_users(resolved):
    ports = require_local_services()
    cluster_port = int(os.environ.get("HINDSIGHT_CLUSTER_AMQP_PORT", "5681"))
    for name, expected in WORKERS.items():
        env = plan(name)["environment"]
        for variable, user in expected.items():
            urls = urls_of(name, variable, env[variable])
            wanted_ports = ([cluster_port, cluster_port + 1, cluster_port + 2] if len(urls) > 1
                            else [ports["rabbitmq" if "AMQP" in variable else "postgres"]])
            given = urls_of(name, variable, env_of(resolved["services"][name])[variable])
            for url, port, original in zip(urls, wanted_ports, given, strict=True):
                assert url.hostname == "127.0.0.1"
                assert url.port == port, f"{name}: {variable} → {url.netloc}"
                assert url.username == user
                assert url.password == original.password


@needs_compose
def test_rabbitmq_definitions_service_renders_hashes_of_the_workers_passwords(tmp_path):
    values = {"HINDSIGHT_RABBITMQ_PASSWORD_HINDSIGHT_TRACKER": "tracker-secret-1",
              "HINDSIGHT_RABBITMQ_PASSWORD_HINDSIGHT_AGENT": "agent-secret-2"}
    compose_local("--volume", f"rabbitmq-definitions={tmp_path}", "rabbitmq-definitions", env=clean_env(**values))
    rendered = json.loads((tmp_path / "definitions.json").read_text())
    template = json.loads(DEFINITIONS_TEMPLATE.read_text())
    for key in ("vhosts", "permissions", "exchanges", "queues", "bindings", "policies"):
        assert rendered[key] == template[key], key
    users = {u["name"]: u for u in rendered["users"]}
    assert set(users) == {u["name"] for u in template["users"]}

    def verifies(user: dict, password: str) -> bool:
        raw = base64.b64decode(user["password_hash"])
        return raw[4:] == hashlib.sha256(raw[:4] + password.encode()).digest()

    for user in users.values():
        assert "password" not in user, "plain password left in the rendered definitions"
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
    assert verifies(users["hindsight-tracker"], "tracker-secret-1")
    assert verifies(users["hindsight-agent"], "agent-secret-2")
    assert verifies(users["hindsight-analyzer"], "hindsight-analyzer")  # unset: development default
    # …and the workers' URLs carry those same passwords.
    services = compose_config(clean_env(**values))["services"]
    assert urlsplit(env_of(services["tracker"])["HINDSIGHT_AMQP_URL"]).password == "tracker-secret-1"
    assert urlsplit(env_of(services["simulate"])["HINDSIGHT_AMQP_URL"]).password == "agent-secret-2"


# --- the postgres service's init script + migrate on a throwaway cluster ---------------------------

def postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0])
    return candidates[-1] if candidates and (candidates[-1] / "initdb").exists() else None


@pytest.fixture(scope="module")
def scratch_postgres():
    """A throwaway PostgreSQL cluster initialised like the postgres image (superuser `postgres`, local
    trust, password auth over TCP), then the compose service's init scripts run with its environment."""
    if DOCKER_COMPOSE is None:
        pytest.skip("docker-compose is not installed")
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL server binaries are missing: run scripts/services up")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        pytest.fail("user postgres is missing: run scripts/services up")
    base = Path(tempfile.mkdtemp(prefix="hindsight-compose-pg-", dir="/var/tmp"))
    data, run = base / "data", base / "run"
    run.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(run, "postgres", "postgres")
    port = free_port()
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"],
                   check=True, capture_output=True)
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {run} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    try:
        postgres = compose_config()["services"]["postgres"]
        env = clean_env(**env_of(postgres), PGHOST=str(run), PGPORT=str(port))
        init_dir = ROOT / "deploy" / "postgres" / "init"
        scripts = sorted(p for p in init_dir.iterdir() if p.suffix in (".sh", ".sql"))
        assert scripts, "no init scripts in deploy/postgres/init"
        for script in scripts:
            if script.suffix == ".sh":
                result = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
            else:
                result = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", "postgres",
                                         "-f", str(script)], env=env, capture_output=True, text=True)
            assert result.returncode == 0, f"{script.name}: {result.stderr}"
        # Idempotent: the image runs it once, people may run it again.
        again = subprocess.run(["bash", str(scripts[0])], env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        yield {"port": port, "socket": str(run), "env": env_of(postgres)}
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@needs_compose
def test_postgres_init_then_migrate_service_on_a_fresh_cluster(scratch_postgres):
    import psycopg

    port = scratch_postgres["port"]
    first = compose_local("--postgres-port", str(port), "migrate")
    assert "applied" in first.stdout, first.stdout
    second = compose_local("--postgres-port", str(port), "migrate")
    assert "up to date" in second.stdout, second.stdout

    services = compose_config()["services"]

    def connect(service: str):
        url = urlsplit(env_of(services[service])["HINDSIGHT_DATABASE_URL"])
        return psycopg.connect(host="127.0.0.1", port=port, user=url.username, password=url.password,
                               dbname=url.path.lstrip("/"), autocommit=True)

    with connect("migrate") as owner:
        row = owner.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user").fetchone()
        assert row == (False, False, False), "the schema owner must not be a superuser or create roles"
        assert owner.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()[0] == 1
        assert owner.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'hindsight' AND tablename = 'executions'").fetchone()[0] == 1
    with connect("tracker") as tracker:
        assert tracker.execute("SHOW search_path").fetchone()[0].startswith("hindsight")
        assert tracker.execute("SELECT has_table_privilege('hindsight.events', 'INSERT')").fetchone()[0]
        assert not tracker.execute("SELECT has_schema_privilege('hindsight', 'CREATE')").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            tracker.execute("DELETE FROM hindsight.executions")
    # Every role of the conventions can log in with the password the compose file gives it.
    env = scratch_postgres["env"]
    for role in ("hindsight_analyzer", "hindsight_adapter", "hindsight_analyst"):
        password = env["HINDSIGHT_POSTGRES_PASSWORD_" + role.upper()]
        with psycopg.connect(host="127.0.0.1", port=port, user=role, password=password, dbname="hindsight") as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == role


# --- migrate, tracker and simulate against the local services --------------------------------------

@needs_compose
def test_migrate_service_runs_locally():
    require_local_services()
    result = compose_local("migrate")
    assert "up to date" in result.stdout or "applied" in result.stdout, result.stdout


@needs_compose
def test_tracker_and_simulate_services_run_locally():
    require_local_services()
    metrics_port = free_port()
    tracker_plan = plan("--metrics-port", str(metrics_port), "tracker")
    grace = seconds(tracker_plan["stop_grace_period"])
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, str(COMPOSE_LOCAL), *port_args([]), "--metrics-port", str(metrics_port), "tracker"],
                               cwd=ROOT, env=clean_env(), stdout=log, stderr=subprocess.STDOUT)

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + 60
        while http_get(metrics_port, "/health")[0] != 200:
            assert process.poll() is None, f"tracker exited {process.returncode}:\n{output()}"
            assert time.monotonic() < deadline, f"tracker /health never answered:\n{output()}"
            time.sleep(0.2)
        # The compose healthcheck command itself, pointed at this tracker.
        health = compose_local("--healthcheck", "--metrics-port", str(metrics_port), "tracker", check=False)
        assert health.returncode == 0, f"healthcheck failed: {health.stderr}"

        # The simulate service (as hindsight-agent) with few executions; the tracker stores them.
        simulate = plan("simulate")["argv"][2:]
        options = dict(zip(simulate[::2], simulate[1::2]))
        options.update({"--executions": "4", "--seed": str(random.randrange(1, 2**31)), "--hours": "2"})
        published = compose_local("simulate", *[x for kv in options.items() for x in kv], timeout=120)
        assert re.search(r"published \d+ events of 4 executions", published.stdout), published.stdout

        deadline = time.monotonic() + 60
        while True:
            status, body = http_get(metrics_port, "/ready")
            if status == 200:
                break
            assert process.poll() is None, f"tracker exited {process.returncode}:\n{output()}"
            assert time.monotonic() < deadline, f"tracker never became ready ({status} {body}):\n{output()}"
            time.sleep(0.2)
        # /ready is 200 as soon as both servers answer; wait for the simulated events to be committed.
        deadline = time.monotonic() + 60
        while True:
            metrics = http_get(metrics_port, "/metrics")[1]
            committed = re.search(r"^hindsight_tracker_batches_committed_total (\d+)", metrics, re.M)
            if committed and int(committed.group(1)) >= 1:
                break
            assert time.monotonic() < deadline, metrics[:2000]
            time.sleep(0.2)

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tracker did not stop within stop_grace_period ({grace} s):\n{output()}")
        assert code == 0, f"tracker exited {code} after SIGTERM:\n{output()}"
        assert time.monotonic() - started < grace
        assert "tracker.stopped" in output()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def analyzer_metric_names() -> set[str]:
    """The metric labels the analyzer declares (as the dashboard check reads TrackerMetrics.swift)."""
    folder = ROOT / "Sources/HindsightWorkers/Analyzer"
    code = "\n".join(p.read_text(errors="replace") for p in folder.rglob("*.swift")) if folder.is_dir() else ""
    return set(re.findall(r'label:\s*"(hindsight_analyzer_[a-z_]+)"', code))


@needs_compose
class LocalWorker:
    """A worker started by compose-local as compose would run it, its output captured, its metrics port
    polled; `stop()` sends SIGTERM and expects exit 0 within the service's stop_grace_period."""

    def __init__(self, service: str, metrics_port: int):
        self.service = service
        self.metrics_port = metrics_port
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, str(COMPOSE_LOCAL), *port_args([]), "--metrics-port", str(metrics_port), service],
            cwd=ROOT, env=clean_env(), stdout=self.log, stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def wait_for(self, path: str, what: str) -> str:
        deadline = time.monotonic() + 60
        while True:
            status, body = http_get(self.metrics_port, path)
            if status == 200:
                return body
            assert self.process.poll() is None, f"{self.service} exited {self.process.returncode}:\n{self.output()}"
            assert time.monotonic() < deadline, f"{self.service} {what} ({status} {body[:500]}):\n{self.output()}"
            time.sleep(0.2)

    def stop(self, grace: float) -> None:
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{self.service} did not stop within stop_grace_period ({grace} s):\n{self.output()}")
        assert code == 0, f"{self.service} exited {code} after SIGTERM:\n{self.output()}"
        assert time.monotonic() - started < grace

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def test_analyzer_service_runs_locally():
    """The `analyzer` service as compose runs it (hindsight analyzer as hindsight_analyzer): /health, then
    /ready and the compose healthcheck, /metrics with the analyzer's metrics and a finished round, then
    SIGTERM → exit 0 within stop_grace_period."""
    require_local_services()
    compose_local("migrate")  # the local database has the analyzer's tables
    declared = analyzer_metric_names()
    assert declared, "no hindsight_analyzer_* metric labels in Sources/HindsightWorkers/Analyzer"
    rounds = sorted(m for m in declared if re.search(r"_rounds(_total)?$", m))
    assert rounds, f"no rounds counter among {sorted(declared)}"
    metrics_port = free_port()
    analyzer_plan = plan("--metrics-port", str(metrics_port), "analyzer")
    assert urlsplit(analyzer_plan["environment"]["HINDSIGHT_DATABASE_URL"]).username == "hindsight_analyzer"
    assert "HINDSIGHT_AMQP_URL" not in analyzer_plan["environment"]
    grace = seconds(analyzer_plan["stop_grace_period"])
    worker = LocalWorker("analyzer", metrics_port)
    wait_for, output, process = worker.wait_for, worker.output, worker.process
    try:
        wait_for("/health", "/health never answered")
        wait_for("/ready", "never became ready")
        health = compose_local("--healthcheck", "--metrics-port", str(metrics_port), "analyzer", check=False)
        assert health.returncode == 0, f"healthcheck failed: {health.stderr}"
        # The first round runs at start; its counters show up on /metrics once it is done.
        deadline = time.monotonic() + 120
        while True:
            metrics = wait_for("/metrics", "/metrics failed")
            exposed = set(re.findall(r"^(hindsight_analyzer_[a-z_]+)", metrics, re.M))
            finished = [float(v) for name in rounds
                        for v in re.findall(rf"^{name}(?:_total|_count)?(?:{{[^}}]*}})? ([0-9.e+]+)$", metrics, re.M)]
            if exposed and any(v >= 1 for v in finished):
                break
            assert process.poll() is None, f"analyzer exited {process.returncode}:\n{output()}"
            assert time.monotonic() < deadline, f"no finished round on /metrics:\n{metrics[:3000]}\n{output()}"
            time.sleep(0.5)
        for metric in exposed:
            base = re.sub(r"_(bucket|sum|count|total)$", "", metric)
            assert metric in declared or base in declared, f"/metrics shows {metric}, not declared in the analyzer's code"

        worker.stop(grace)
    finally:
        worker.close()


def adapter_metric_names() -> set[str]:
    """The metric labels the adapter declares."""
    folder = ROOT / "Sources/HindsightWorkers/Adapter"
    code = "\n".join(p.read_text(errors="replace") for p in folder.rglob("*.swift")) if folder.is_dir() else ""
    return set(re.findall(r'label:\s*"(hindsight_adapter_[a-z_]+)"', code))


def rpc_estimate(port: int) -> dict:
    """One `estimate` request through the broker as an agent does it (hindsight-agent publishes to the
    exchange hindsight.rpc, key adapter; the reply comes back by direct reply-to)."""
    pika = pytest.importorskip("pika")
    connection = pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=port, virtual_host="hindsight", credentials=pika.PlainCredentials("hindsight-agent", "hindsight-agent")))
    try:
        channel = connection.channel()
        replies: list[bytes] = []
        channel.basic_consume("amq.rabbitmq.reply-to", lambda _c, _m, _p, body: replies.append(body), auto_ack=True)
        body = json.dumps({"domain": "compose-local-check", "plan": [{"name": "fetch", "estimated_seconds": 30}]})
        channel.basic_publish("hindsight.rpc", "adapter", body, pika.BasicProperties(
            reply_to="amq.rabbitmq.reply-to", correlation_id="compose-local-1", type="estimate",
            headers={"hindsight-version": 1, "hindsight-deadline-ms": int(time.time() * 1000) + 30_000}))
        deadline = time.monotonic() + 30
        while not replies and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.2)
        assert replies, "no reply from the adapter within 30 s"
        return json.loads(replies[0])
    finally:
        connection.close()


@needs_compose
def test_adapter_service_runs_locally():
    """The `adapter` service as compose runs it (hindsight adapter as hindsight-adapter / hindsight_adapter):
    /health, then /ready (insights loaded) and the compose healthcheck, one `estimate` round trip through
    the broker, its request on /metrics, then SIGTERM → exit 0 within stop_grace_period."""
    require_local_services()
    compose_local("migrate")
    declared = adapter_metric_names()
    assert "hindsight_adapter_requests_total" in declared, f"adapter metrics: {sorted(declared)}"
    metrics_port = free_port()
    adapter_plan = plan("--metrics-port", str(metrics_port), "adapter")
    assert urlsplit(adapter_plan["environment"]["HINDSIGHT_DATABASE_URL"]).username == "hindsight_adapter"
    amqp = urlsplit(adapter_plan["environment"]["HINDSIGHT_AMQP_URL"])
    assert amqp.username == "hindsight-adapter"
    grace = seconds(adapter_plan["stop_grace_period"])
    worker = LocalWorker("adapter", metrics_port)
    wait_for = worker.wait_for
    try:
        wait_for("/health", "/health never answered")
        ready = wait_for("/ready", "never became ready")
        assert '"insights":"up"' in ready and '"amqp":"up"' in ready, ready
        health = compose_local("--healthcheck", "--metrics-port", str(metrics_port), "adapter", check=False)
        assert health.returncode == 0, f"healthcheck failed: {health.stderr}"
        reply = rpc_estimate(amqp.port or 5672)
        assert reply["ok"] is True and reply["result"]["total_seconds"] == 30, reply
        assert reply["database"] == "available" and reply["served_from"] == "cache"
        metrics = wait_for("/metrics", "/metrics failed")
        assert re.search(r'^hindsight_adapter_requests_total\{[^}]*method="estimate"[^}]*\} 1', metrics, re.M), metrics[:3000]
        for metric in set(re.findall(r"^(hindsight_adapter_[a-z_]+)", metrics, re.M)):
            base = re.sub(r"_(bucket|sum|count|total)$", "", metric)
            assert metric in declared or base in declared, f"/metrics shows {metric}, not declared in the adapter's code"

        worker.stop(grace)
    finally:
        worker.close()


@needs_compose
def test_simulate_service_cannot_reach_the_database():
    """The agent's plan has no database URL, and its broker user is the agent user."""
    env = plan("simulate")["environment"]
    assert "HINDSIGHT_DATABASE_URL" not in env
    assert urlsplit(env["HINDSIGHT_AMQP_URL"]).username == "hindsight-agent"


# --------------------------------------------------------------------------------------- consistency

def sources_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in (ROOT / "Sources").rglob("*.swift"))


def variable_name(key: str) -> str:
    """swift-configuration's environment mapping under the `hindsight` scope (EnvironmentReader.variableName)."""
    parts = [re.sub(r"(?<=[a-z])(?=[A-Z])", "_", component).upper() for component in key.split(".")]
    return "_".join(["HINDSIGHT"] + [re.sub(r"[^A-Z0-9]", "_", part) for part in parts])


def configuration_keys(code: str) -> set[str]:
    """Keys read through EnvironmentReader (`reader.int("tracker.batchMessages", in: …)`), as variable names."""
    keys = re.findall(r'\.(?:string|int|milliseconds|bool|logLevel|value)\("([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)"', code)
    return {variable_name(key) for key in keys}


@needs_compose
def test_every_variable_given_to_a_worker_is_read_by_the_code(resolved):
    """A misspelt setting (HINDSIGHT_TRACKER_PREFECH) would be silently ignored by the worker."""
    code = sources_text()
    known = set(re.findall(r'"(HINDSIGHT_[A-Z0-9_]+)"', code)) | configuration_keys(code)
    known.add("HINDSIGHT_AMQP_URL")  # AMQPConfiguration.environmentKey
    for name, service in resolved["services"].items():
        if not is_hindsight(service):
            continue
        for variable in env_of(service):
            assert variable in known or f'"{variable}"' in code, f"{name}: {variable} is read nowhere in Sources/"


def test_operations_configuration_table_matches_the_readme():
    def rows(text: str) -> dict[str, str]:
        return {m.group(1): line.strip() for line in text.splitlines()
                if (m := re.match(r"\|\s*`(HINDSIGHT_[A-Z0-9_]+)`\s*\|", line.strip()))}
    readme = rows((ROOT / "README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0])
    operations = rows((ROOT / "docs/operations.md").read_text().split("## Configuration of the workers", 1)[1].split("\n## ", 1)[0])
    assert readme, "README's configuration table not found"
    assert operations == readme, "docs/operations.md's worker table differs from README's"
    tracker_keys = configuration_keys(
        (ROOT / "Sources/HindsightWorkers/Tracker/TrackerService+Configuration.swift").read_text())
    assert len(tracker_keys) >= 12, f"tracker settings not found: {sorted(tracker_keys)}"
    assert tracker_keys <= set(readme), f"undocumented: {sorted(tracker_keys - set(readme))}"
    workers = "\n".join(p.read_text(errors="replace") for folder in ("hindsight", "HindsightWorkers")
                        for p in (ROOT / "Sources" / folder).rglob("*.swift"))
    read = configuration_keys(workers)
    assert read <= set(readme), f"read by a worker or command but undocumented: {sorted(read - set(readme))}"
