"""The broker definitions agree with the code, and every user can do exactly what it needs.

1. deploy/rabbitmq/definitions.template.json declares exactly the exchanges, queues, arguments and
   bindings of Sources/HindsightWorkers/Topology.swift, with the names of
   Sources/HindsightCore/Wire/WireContract.swift (parsed from the Swift source: a quorum queue
   redeclared with other arguments closes the channel with 406 PRECONDITION_FAILED, docs/decisions.md §4).
2. The permission regexes give each user least privilege (static: the regexes against the names).
3. Live, against the local broker (scripts/services up, which loads the same template): the important
   denials are real ACCESS_REFUSED (403) errors. Only side-effect-free operations are attempted
   (names that do not exist are declared, nothing is published where a worker would consume it).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "rabbitmq" / "definitions.template.json"
TOPOLOGY = ROOT / "Sources" / "HindsightWorkers" / "Topology.swift"
# The names themselves are the wire contract's (Topology.swift aliases them: `… = WireContract.name`).
WIRE_CONTRACT = ROOT / "Sources" / "HindsightCore" / "Wire" / "WireContract.swift"
VHOST = "hindsight"

# QueueOptions(…) labels → x-arguments (Sources/AMQP/Topology.swift, QueueOptions.declarationArguments).
OPTION_ARGUMENTS = {"deadLetterExchange": "x-dead-letter-exchange", "deadLetterRoutingKey": "x-dead-letter-routing-key",
                    "deliveryLimit": "x-delivery-limit", "maxLength": "x-max-length"}

# ------------------------------------------------------------------------------------------- parse

def swift_topology() -> dict:
    text = TOPOLOGY.read_text()
    strings = dict(re.findall(r'static let (\w+)\s*=\s*"([^"]*)"', text))
    contract = dict(re.findall(r'static let (\w+)\s*=\s*"([^"]*)"', WIRE_CONTRACT.read_text()))
    for alias, target in re.findall(r"static let (\w+)\s*=\s*WireContract\.(\w+)\b", text):
        assert target in contract, f"WireContract.{target} not found in WireContract.swift"
        strings[alias] = contract[target]
    ints = {k: int(v) for k, v in re.findall(r"static let (\w+)\s*=\s*(\d+)\b", text)}
    assert strings, "no string constants found in Topology.swift"

    def value(token: str):
        token = token.strip()
        if token.startswith('"'):
            return token.strip('"')
        if token in strings:
            return strings[token]
        if token in ints:
            return ints[token]
        if re.fullmatch(r"\d+", token):
            return int(token)
        raise AssertionError(f"cannot evaluate {token!r} from Topology.swift")

    def options(expression: str) -> dict:
        expression = expression.strip()
        if expression == ".quorum":
            return {"x-queue-type": "quorum"}
        if expression in ("QueueOptions()", ".init()"):
            return {}
        if expression == "trackerQueueOptions()" or expression.endswith("trackerQueueOptions()"):
            body = re.search(r"func trackerQueueOptions\(\)[^{]*\{\s*QueueOptions\((.*?)\)\s*\}", text, re.S).group(1)
            return options(f"QueueOptions({body})")
        m = re.fullmatch(r"QueueOptions\((.*)\)", expression, re.S)
        assert m, f"cannot read queue options {expression!r}"
        args = {}
        for label, raw in re.findall(r"(\w+):\s*([^,]+)", m.group(1)):
            if label == "kind":
                kind = raw.strip().lstrip(".")
                if kind != "classic":
                    args["x-queue-type"] = kind
            elif label in OPTION_ARGUMENTS:
                args[OPTION_ARGUMENTS[label]] = value(raw)
            else:
                raise AssertionError(f"QueueOptions label {label} not mapped in this test")
        return args

    exchanges, queues, bindings = {}, {}, set()
    for function in ("declareTracker", "declareAdapter"):
        declare = re.search(rf"func {function}\(on connection: AMQPConnection, queue: String = (\w+)\)(.*?)\n    \}}", text, re.S)
        assert declare, f"{function} not found in Topology.swift"
        default_queue, body = declare.group(1), declare.group(2)
        name = lambda token, q=default_queue: strings[q] if token == "queue" else value(token)
        exchanges |= {name(n): t for n, t in re.findall(r"declareExchange\((\w+), type: \.(\w+)\)", body)}
        queues |= {name(n): options(o) for n, o in re.findall(r"declareQueue\((\w+), options: ([^\n]+?)\)\n", body + "\n")}
        bindings |= {(name(e), name(q), value(k)) for q, e, k in
                     re.findall(r'bindQueue\((\w+), exchange: (\w+), routingKey: ("[^"]*"|\w+)\)', body)}
    return {"strings": strings, "exchanges": exchanges, "queues": queues, "bindings": bindings}


@pytest.fixture(scope="module")
def template() -> dict:
    return json.loads(TEMPLATE.read_text())


@pytest.fixture(scope="module")
def topology() -> dict:
    return swift_topology()


# ------------------------------------------------------------------------------ definitions = code

def test_swift_topology_was_read(topology):
    # Guards the parser: if Topology.swift changes shape, fail here rather than compare nothing.
    assert topology["exchanges"] and topology["queues"] and topology["bindings"]
    assert "hindsight.tracker" in topology["queues"]
    assert isinstance(topology["queues"]["hindsight.tracker"].get("x-delivery-limit"), int)
    assert topology["exchanges"]["hindsight.rpc"] == "direct"
    assert ("hindsight.rpc", "hindsight.adapter", "adapter") in topology["bindings"]


def test_exchanges_match_topology(template, topology):
    declared = {e["name"]: e for e in template["exchanges"]}
    assert set(declared) == set(topology["exchanges"])
    for name, kind in topology["exchanges"].items():
        e = declared[name]
        assert (e["type"], e["durable"], e["auto_delete"], e["internal"], e["arguments"]) == (kind, True, False, False, {}), name
        assert e["vhost"] == VHOST


def test_queues_match_topology_exactly(template, topology):
    declared = {q["name"]: q for q in template["queues"]}
    assert set(declared) == set(topology["queues"])
    for name, arguments in topology["queues"].items():
        q = declared[name]
        assert q["arguments"] == arguments, f"{name}: definitions {q['arguments']} vs Topology.swift {arguments}"
        assert q["durable"] is True and q["auto_delete"] is False and q["vhost"] == VHOST
        if arguments.get("x-queue-type") == "quorum":
            assert not q.get("exclusive"), "quorum queues cannot be exclusive"


def test_bindings_match_topology(template, topology):
    declared = {(b["source"], b["destination"], b["routing_key"]) for b in template["bindings"]}
    assert declared == topology["bindings"]
    assert all(b["destination_type"] == "queue" and b["vhost"] == VHOST for b in template["bindings"])


def test_dead_lettering_is_at_least_once(template, topology):
    tracker = topology["strings"]["trackerQueue"]
    policies = [p for p in template["policies"] if re.search(p["pattern"], tracker)]
    assert policies, "no policy applies to the tracker queue"
    definition = policies[0]["definition"]
    assert definition == {"dead-letter-strategy": "at-least-once", "overflow": "reject-publish"}
    dlx = {q["name"]: q for q in template["queues"]}[tracker]["arguments"]["x-dead-letter-exchange"]
    assert any(b["source"] == dlx for b in template["bindings"]), "the dead-letter exchange routes nowhere"


# -------------------------------------------------------------------------------- least privilege

NAMES = ["hindsight.events", "hindsight.tracker", "hindsight.dead", "hindsight.dead-letters", "hindsight.adapter",
         "amq.default", "amq.gen-AbC123", "hindsight.reply.agent-1", "amq.topic", "other.queue", "hindsight.rpc",
         "amq.rabbitmq.reply-to",
         # Near misses that only unanchored regexes would let through.
         "hindsight.adapter-shadow", "x.hindsight.events", "hindsight.tracker.copy", "xamq.gen-1"]

# user → operation → names it must be allowed. Everything else in NAMES must be denied.
# (configure: declare/delete; write: publish to an exchange, bind a queue; read: consume a queue,
# bind from an exchange.) See docs/conventions-for-contributors.md.
ALLOWED = {
    "hindsight-agent": {
        "configure": {"amq.gen-AbC123", "hindsight.reply.agent-1"},
        "write": {"hindsight.events", "hindsight.rpc"},
        "read": {"amq.gen-AbC123", "hindsight.reply.agent-1"},
    },
    "hindsight-tracker": {
        "configure": {"hindsight.events", "hindsight.tracker", "hindsight.dead", "hindsight.dead-letters"},
        "write": {"hindsight.tracker", "hindsight.dead", "hindsight.dead-letters"},
        "read": {"hindsight.events", "hindsight.tracker", "hindsight.dead"},
    },
    "hindsight-analyzer": {"configure": set(), "write": set(), "read": set()},
    "hindsight-adapter": {
        "configure": {"hindsight.adapter", "hindsight.rpc"},
        "write": {"hindsight.adapter", "amq.default"},
        "read": {"hindsight.adapter", "hindsight.rpc"},
    },
}


def permissions(template: dict) -> dict:
    return {p["user"]: p for p in template["permissions"] if p["vhost"] == VHOST}


def test_every_user_has_permissions_and_no_stray_ones(template):
    users = {u["name"] for u in template["users"]}
    assert set(permissions(template)) == users
    assert set(ALLOWED) | {"hindsight"} == users
    admins = {u["name"] for u in template["users"] if "administrator" in u["tags"]}
    assert admins == {"hindsight"}, "only the operator user may be an administrator"
    assert all(not u["tags"] for u in template["users"] if u["name"] != "hindsight"), "workers need no management tags"


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_least_privilege_regexes(template, user):
    granted = permissions(template)[user]
    for operation, allowed in ALLOWED[user].items():
        # RabbitMQ matches with re:run, unanchored: the regexes must anchor themselves.
        actual = {name for name in NAMES if re.search(granted[operation], name)}
        assert actual == allowed, f"{user} {operation}: allowed {sorted(actual)}, expected {sorted(allowed)}"


def test_important_denials_are_explicit(template):
    p = permissions(template)
    can = lambda user, op, name: re.search(p[user][op], name) is not None
    assert not can("hindsight-agent", "read", "hindsight.tracker"), "agents must not consume others' events"
    assert not can("hindsight-agent", "read", "hindsight.events"), "agents must not bind to (eavesdrop on) all events"
    assert not can("hindsight-agent", "configure", "hindsight.tracker"), "agents must not declare/delete the queue"
    assert not can("hindsight-tracker", "write", "hindsight.events"), "trackers must not forge events"
    assert not can("hindsight-tracker", "read", "hindsight.dead-letters"), "trackers must not consume dead letters"
    assert not can("hindsight-adapter", "read", "hindsight.tracker")
    for op in ("configure", "write", "read"):
        assert p["hindsight-analyzer"][op] == "^$"


def test_agents_cannot_publish_into_worker_queues_directly(template):
    # Agents send adapter requests to hindsight.rpc; write on amq.default would let them publish straight into
    # any queue by name (hindsight.tracker bypassing the events exchange, forged dead letters).
    p = permissions(template)
    assert re.search(p["hindsight-agent"]["write"], "amq.default") is None
    assert re.search(p["hindsight-agent"]["write"], "hindsight.rpc") is not None


# ------------------------------------------------------------------------------ live (local broker)

def broker_port() -> int:
    out = subprocess.run([str(ROOT / "scripts/services"), "env"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"HINDSIGHT_RABBITMQ_PORT='(\d+)'", out).group(1))


@pytest.fixture(scope="module")
def connect():
    pika = pytest.importorskip("pika")
    port = broker_port()
    opened = []

    def open_channel(user: str):
        # Local development passwords equal the user names (docs/conventions-for-contributors.md).
        parameters = pika.ConnectionParameters(
            host="127.0.0.1", port=port, virtual_host=VHOST, credentials=pika.PlainCredentials(user, user),
            connection_attempts=1, socket_timeout=5, blocked_connection_timeout=10)
        try:
            connection = pika.BlockingConnection(parameters)
        except pika.exceptions.AMQPConnectionError as error:
            pytest.fail(f"local RabbitMQ on 127.0.0.1:{port} refused {user}: {error!r} (scripts/services up)")
        opened.append(connection)
        return connection.channel()

    yield open_channel
    for connection in opened:
        if connection.is_open:
            connection.close()


def refused(action) -> int:
    import pika

    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as info:
        action()
    return info.value.reply_code


def test_agent_cannot_consume_the_tracker_queue(connect):
    channel = connect("hindsight-agent")
    assert refused(lambda: channel.basic_consume("hindsight.tracker", lambda *a: None)) == 403


def test_agent_cannot_read_dead_letters(connect):
    channel = connect("hindsight-agent")
    assert refused(lambda: channel.basic_get("hindsight.dead-letters")) == 403


def test_agent_cannot_declare_worker_queues(connect):
    channel = connect("hindsight-agent")
    # A name no one uses: if the permission were wrong this would only create an empty, auto-deleted queue.
    assert refused(lambda: channel.queue_declare("hindsight.compose-test-denied", auto_delete=True)) == 403


def test_agent_can_open_a_reply_queue_but_not_bind_it_to_all_events(connect):
    channel = connect("hindsight-agent")
    reply = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    assert reply.startswith("amq.gen-")
    channel.basic_consume(reply, lambda *a: None, auto_ack=True)  # allowed: its own reply queue
    assert refused(lambda: channel.queue_bind(reply, "hindsight.events", routing_key="#")) == 403


def test_agent_cannot_publish_into_the_tracker_queue_through_the_default_exchange(connect):
    channel = connect("hindsight-agent")
    channel.confirm_delivery()
    assert refused(lambda: channel.basic_publish("", "hindsight.tracker", b"{}")) == 403


def test_agent_can_make_a_direct_reply_to_request(connect):
    """What an RPC call needs: consume the direct reply-to pseudo-queue and publish to hindsight.rpc. The
    routing key routes nowhere, so no adapter sees this message (unroutable messages are dropped)."""
    import pika

    channel = connect("hindsight-agent")
    channel.basic_consume("amq.rabbitmq.reply-to", lambda *a: None, auto_ack=True)
    channel.confirm_delivery()
    channel.basic_publish("hindsight.rpc", "topology-test-unrouted", b"{}",
                          pika.BasicProperties(reply_to="amq.rabbitmq.reply-to", correlation_id="topology-test"))


def test_live_rpc_exchange_routes_to_the_adapter_queue(connect):
    channel = connect("hindsight-adapter")
    channel.exchange_declare("hindsight.rpc", passive=True)
    channel.queue_declare("hindsight.adapter", passive=True)
    # Redeclaring the binding as the adapter does is allowed and idempotent.
    channel.queue_bind("hindsight.adapter", "hindsight.rpc", routing_key="adapter")


def test_tracker_cannot_publish_events(connect):
    channel = connect("hindsight-tracker")
    channel.confirm_delivery()
    assert refused(lambda: channel.basic_publish("hindsight.events", "denied.test", b"{}")) == 403


def test_tracker_cannot_publish_through_the_default_exchange(connect):
    channel = connect("hindsight-tracker")
    channel.confirm_delivery()
    assert refused(lambda: channel.basic_publish("", "hindsight.tracker", b"{}")) == 403


def test_tracker_cannot_consume_dead_letters(connect):
    channel = connect("hindsight-tracker")
    assert refused(lambda: channel.basic_get("hindsight.dead-letters")) == 403


def test_analyzer_has_no_broker_access(connect):
    channel = connect("hindsight-analyzer")
    assert refused(lambda: channel.basic_get("hindsight.tracker")) == 403
    channel = connect("hindsight-analyzer")
    channel.confirm_delivery()
    assert refused(lambda: channel.basic_publish("hindsight.events", "denied.test", b"{}")) == 403


def test_adapter_cannot_consume_events_or_publish_them(connect):
    channel = connect("hindsight-adapter")
    assert refused(lambda: channel.basic_consume("hindsight.tracker", lambda *a: None)) == 403
    channel = connect("hindsight-adapter")
    channel.confirm_delivery()
    assert refused(lambda: channel.basic_publish("hindsight.events", "denied.test", b"{}")) == 403


def test_live_queues_carry_the_template_arguments(connect, template):
    """Passive declares as the tracker: the running broker has the queues the code expects (a mismatch
    would have closed the tracker's channel with 406)."""
    channel = connect("hindsight-tracker")
    for queue in ("hindsight.tracker", "hindsight.dead-letters"):
        channel.queue_declare(queue, passive=True)
    # A redeclare with the template's own arguments is accepted (same arguments → no 406).
    q = {q["name"]: q for q in template["queues"]}["hindsight.tracker"]
    channel.queue_declare(q["name"], durable=True, arguments=q["arguments"])
