"""The Python agent (examples/python/hindsight_agent) against a private cluster (conftest.py).

- The module reads the repository's schemas (Sources/HindsightCore/Resources).
- Every message it builds is valid against the event schema; an invalid event raises before anything
  is sent (no connection is even opened).
- Parity with the Swift agent: `hindsight simulate` (the Swift `EventPublisher`) publishes executions;
  the Python recorder records the same calls (same timestamps, fresh ids) and publishes them. The AMQP
  messages have the same exchange, routing key, properties and headers, the bodies are byte for byte
  equal once the ids are swapped, and the tracker stores the same consolidated rows.
- examples/python/example.py runs against the cluster and its execution is stored as it reported it.
- The adapter RPC client against a child `hindsight adapter`: the three methods answer, an error reply
  raises, no adapter is a timeout.
- Broker stopped while the agent publishes, then started: every event stored once.

Run: python3 -m pytest -q tests/agent (needs scripts/services up and swift build).
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

import pika
import pytest

from agent_support import BINARY, ROOT, ChildProcess, clean_env, with_database
from hindsight_agent import (AdapterClient, AdapterRefused, AdapterTimeout, BrokerRefused, EventPublisher,
                             ExecutionRecorder, Failure, InvalidEvent, PlanPhase)
from hindsight_agent import wire

RESOURCES = ROOT / "Sources" / "HindsightCore" / "Resources"


def micros(ts: str) -> int:
    moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def full_execution(domain: str) -> ExecutionRecorder:
    recorder = ExecutionRecorder(domain=domain)
    recorder.start(goal="Clean the sales data \"Q4\"\n", plan=["extraction", "loading"], agent_id="agent-7")
    recorder.start_phase("extraction", estimated_seconds=60)
    recorder.tool_used("sql", duration_ms=412.25, phase="extraction")
    recorder.end_phase("extraction")
    recorder.start_phase("loading", estimated_seconds=0.5)
    recorder.error("TimeoutError", "Query timed out", phase="loading")
    recorder.recovery_attempted("retry", failure_type="timeout", success=True, phase="loading")
    recorder.end_phase("loading")
    recorder.complete(status="recovered", result="done")
    return recorder


# ------------------------------------------------------------------------------------ (b) schema

def test_the_module_reads_the_repository_schemas():
    assert wire.SCHEMA_DIR == RESOURCES
    assert wire.load_schema("event-v1.schema.json") == json.loads((RESOURCES / "event-v1.schema.json").read_text())


@pytest.mark.parametrize("events_per_message", [1, 3, 100])
def test_every_message_is_valid_against_the_event_schema(events_per_message):
    from jsonschema import Draft202012Validator
    schema = Draft202012Validator(json.loads((RESOURCES / "event-v1.schema.json").read_text()))
    recorder = full_execution("python-agent-test")
    messages = wire.messages_for(recorder.events, events_per_message)
    assert len(messages) == -(-len(recorder.events) // events_per_message)
    bodies = [json.loads(m.body) for m in messages]
    for message, body in zip(messages, bodies):
        assert list(schema.iter_errors(body)) == []
        first = body if events_per_message == 1 else body["events"][0]
        assert message.routing_key == f"{first['domain']}.{first['type']}" and message.message_id == first["event_id"]
    events = bodies if events_per_message == 1 else [e for b in bodies for e in b["events"]]
    assert [e["seq"] for e in events] == list(range(len(recorder.events)))


@pytest.mark.parametrize("breaks, rule", [
    (lambda r: r.record("tool_used", phase="p", data={"duration_ms": 3}), "data: 'tool' is a required property"),
    (lambda r: r.recovery_attempted("pray", None, True, phase="p"), "data/strategy: must satisfy enum"),
    (lambda r: r.complete(status="done"), "data/status: must satisfy enum"),
    (lambda r: r.start_phase("p", estimated_seconds=-1), "data/estimated_duration_s: must satisfy minimum 0"),
    (lambda r: r.record("Not A Type"), "type: must satisfy pattern"),
    (lambda r: r.error("E", "é" * 3000, phase="p"), "4096 UTF-8 bytes"),       # a byte limit: decoder-only
    (lambda r: r.tool_used("sql", float("inf"), phase="p"), "not finite"),   # decoder-only too
    (lambda r: r.record("checkpoint", at=946_684_799_999_999), "2000-01-01"),
])
def test_an_invalid_event_raises_before_anything_is_sent(breaks, rule):
    recorder = full_execution("python-agent-test")
    breaks(recorder)
    # Nothing listens on this port: reaching the broker would raise BrokerUnavailable, not InvalidEvent.
    publisher = EventPublisher(url="amqp://nobody:nobody@127.0.0.1:9/none", retry_for=0)
    with pytest.raises(InvalidEvent) as raised:
        publisher.publish(recorder.events)
    assert raised.value.event_index == len(recorder.events) - 1
    assert rule in raised.value.rule
    assert publisher._connection is None


def test_a_reused_event_id_with_other_content_raises():
    recorder = full_execution("python-agent-test")
    recorder.events[3] = dict(recorder.events[3], event_id=recorder.events[2]["event_id"])
    with pytest.raises(InvalidEvent, match="same id"):
        wire.messages_for(recorder.events)


def test_unroutable_and_forbidden_messages_raise_broker_refused(cluster):
    admin = pika.BlockingConnection(pika.URLParameters(cluster.amqp_url("hindsight", via_proxy=False)))
    admin.channel().exchange_declare("hindsight.rpc", "direct", durable=True)  # as the adapter declares it
    admin.close()
    events = full_execution("python-agent-test").events
    # Mandatory: no queue of `hindsight.rpc` is bound to `<domain>.<type>`, so the broker returns it.
    with EventPublisher(url=cluster.amqp_url("hindsight-agent"), exchange="hindsight.rpc") as publisher:
        with pytest.raises(BrokerRefused, match="unroutable"):
            publisher.publish(events)
    # hindsight-agent may write only hindsight.events and hindsight.rpc (403 on anything else).
    with EventPublisher(url=cluster.amqp_url("hindsight-agent"), exchange="amq.topic", retry_for=0) as publisher:
        with pytest.raises(BrokerRefused, match="403"):
            publisher.publish(events)


# ------------------------------------------------------------------------------------ (a) parity

def capture_queue(cluster, binding: str) -> tuple[pika.BlockingConnection, str]:
    """A queue in the private vhost that copies what reaches `hindsight.events` for `binding`."""
    connection = pika.BlockingConnection(pika.URLParameters(cluster.amqp_url("hindsight", via_proxy=False)))
    channel = connection.channel()
    name = "capture." + uuid.uuid4().hex[:8]
    channel.queue_declare(name, exclusive=True)
    channel.queue_bind(name, "hindsight.events", binding)
    return connection, name


def drain(connection, queue: str, expected: int, timeout: float = 20) -> list:
    channel = connection.channel()
    messages = []
    deadline = time.monotonic() + timeout
    while len(messages) < expected:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            assert time.monotonic() < deadline, f"captured {len(messages)} of {expected} messages"
            time.sleep(0.05)
            continue
        messages.append((method, properties, body))
    return messages


def replay(events: list[dict], domain: str) -> ExecutionRecorder:
    """The Swift events of one execution as calls to the Python recorder (same time, fresh ids)."""
    recorder = ExecutionRecorder(domain=domain)
    for e in events:
        at, phase, d = micros(e["ts"]), e.get("phase"), e.get("data", {})
        kind = e["type"]
        if kind == "execution_started":
            recorder.start(d.get("goal"), d.get("plan", []), agent_id=d.get("agent_id"), at=at,
                           ab_test=d.get("ab_test"), variant=d.get("variant"))
        elif kind == "phase_started":
            recorder.start_phase(phase, estimated_seconds=d.get("estimated_duration_s"), at=at)
        elif kind == "phase_completed":
            recorder.end_phase(phase, success=d.get("success", True), error=d.get("error"), at=at)
        elif kind == "tool_used":
            recorder.tool_used(d["tool"], d["duration_ms"], phase=phase, at=at)
        elif kind == "error":
            recorder.error(d["error_type"], d["message"], phase=phase, fatal=d.get("fatal", False), at=at)
        elif kind == "recovery_attempted":
            recorder.recovery_attempted(d["strategy"], d.get("failure_type"), d.get("success"), phase, at=at)
        elif kind == "execution_completed":
            recorder.complete(d["status"], result=d.get("result"), at=at)
        else:
            recorder.record(kind, phase=phase, at=at, data=d)
    return recorder


ROW_QUERIES = {
    "executions": "SELECT domain, agent_id, goal, plan, meta_seq, status, status_seq, started_at, ended_at, final_result, "
                  "event_count, error_count, tool_call_count, recovery_count, first_event_at, last_event_at, ab_test, "
                  "variant FROM hindsight.executions WHERE execution_id = %s",
    "phases": "SELECT phase, started_at, start_seq, ended_at, end_seq, success, error, estimated_duration_s, retry_count, "
              "error_count, start_count FROM hindsight.phases WHERE execution_id = %s ORDER BY phase",
    "tool_usage": "SELECT tool, calls, total_ms FROM hindsight.tool_usage WHERE execution_id = %s ORDER BY tool",
    "errors": "SELECT seq, ts, phase, error_type, message FROM hindsight.errors WHERE execution_id = %s ORDER BY seq",
    "recovery_attempts": "SELECT seq, ts, phase, failure_type, strategy, success FROM hindsight.recovery_attempts "
                         "WHERE execution_id = %s ORDER BY seq",
    "events": "SELECT seq, ts, type, phase, data FROM hindsight.events WHERE execution_id = %s ORDER BY seq",
}


def consolidated_rows(cluster, execution_id) -> dict[str, list]:
    with cluster.connect() as db:
        return {table: db.execute(query, (uuid.UUID(str(execution_id)),)).fetchall()
                for table, query in ROW_QUERIES.items()}


def test_python_and_swift_agents_send_the_same_messages_and_store_the_same_rows(cluster):
    # The Swift side: `hindsight simulate` publishes 6 executions with the Swift EventPublisher (one
    # batch message per execution) as hindsight-agent; a capture queue keeps a copy of each message.
    capture, queue = capture_queue(cluster, "#")
    try:
        simulated = subprocess.run(
            [str(BINARY), "simulate", "--executions", "6", "--agents", "1", "--events-per-message", "100",
             "--seed", str(uuid.uuid4().int % 100_000), "--hours", "1"],
            capture_output=True, text=True, cwd=ROOT, timeout=60,
            env=clean_env(HINDSIGHT_AMQP_URL=cluster.amqp_url("hindsight-agent")))
        assert simulated.returncode == 0, simulated.stderr[-2000:]
        swift = drain(capture, queue, 6)
        swift_events = [json.loads(body)["events"] for _, _, body in swift]
        # The Python side: the same calls on the Python recorder, published with the Python publisher.
        replays = [replay(events, events[0]["domain"]) for events in swift_events]
        with EventPublisher(url=cluster.amqp_url("hindsight-agent")) as publisher:
            for recorder in replays:
                assert publisher.publish(recorder.events) == 1
        python = drain(capture, queue, 6)
    finally:
        capture.close()

    kinds = {e["type"] for events in swift_events for e in events}
    assert {"execution_started", "phase_started", "phase_completed", "tool_used", "execution_completed"} <= kinds
    for (s_method, s_props, s_body), (p_method, p_props, p_body), events, recorder in zip(swift, python, swift_events, replays):
        assert (p_method.exchange, p_method.routing_key) == (s_method.exchange, s_method.routing_key) == \
            ("hindsight.events", f"{events[0]['domain']}.execution_started")
        for name in ("content_type", "delivery_mode", "headers", "type", "expiration", "priority", "correlation_id",
                     "reply_to", "content_encoding"):
            assert getattr(p_props, name) == getattr(s_props, name), name
        assert s_props.message_id == events[0]["event_id"] and p_props.message_id == recorder.events[0]["event_id"]
        # Byte for byte the Swift encoder's body, once Python's ids are swapped for Swift's.
        swapped = p_body.decode()
        for ours, theirs in zip(recorder.events, events):
            swapped = swapped.replace(ours["event_id"], theirs["event_id"]).replace(ours["execution_id"], theirs["execution_id"])
        assert swapped == s_body.decode()

    swift_ids = [events[0]["execution_id"] for events in swift_events]
    python_ids = [str(r.execution_id) for r in replays]
    total = sum(len(events) for events in swift_events)
    assert cluster.wait_for_events(swift_ids, total) == total
    assert cluster.wait_for_events(python_ids, total) == total
    for swift_id, python_id in zip(swift_ids, python_ids):
        assert consolidated_rows(cluster, python_id) == consolidated_rows(cluster, swift_id)


# ------------------------------------------------------------------------------------ (a) the example

def test_the_example_runs_and_its_execution_is_stored_as_reported(cluster):
    domain = "python-example-" + uuid.uuid4().hex[:8]
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "example.py"), "--domain", domain,
         "--adapter-timeout", "0.3", "--seed", "7"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
        env=clean_env(HINDSIGHT_AMQP_URL=cluster.amqp_url("hindsight-agent")))
    assert run.returncode == 0, run.stderr[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    assert last.endswith("events published in 1 message(s)"), run.stdout
    execution_id, count = last.split()[1].rstrip(":"), int(last.split()[2])
    assert cluster.wait_for_events([execution_id], count) == count
    rows = consolidated_rows(cluster, execution_id)
    (execution,) = rows["executions"]
    assert execution[0] == domain and execution[1] == "python-example"
    assert execution[3] == ["extraction", "transformation", "loading"]
    assert execution[5] == "recovered" and execution[10] == count
    assert (execution[11], execution[12], execution[13]) == (1, 3, 1)
    assert [(p[0], p[5], p[9], p[10]) for p in rows["phases"]] == [
        ("extraction", True, 0, 1), ("loading", True, 0, 1), ("transformation", True, 1, 1)]
    assert [(t[0], t[1]) for t in rows["tool_usage"]] == [("python", 3)]
    assert [(e[2], e[3]) for e in rows["errors"]] == [("transformation", "TimeoutError")]
    assert [(r[2], r[3], r[4], r[5]) for r in rows["recovery_attempts"]] == [("transformation", "timeout", "retry", True)]


def test_the_readme_agent_runs(cluster):
    """The project README's ten-line agent, as written, publishes (confirmed, routed to the tracker)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A Python agent", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env=clean_env(HINDSIGHT_AMQP_URL=cluster.amqp_url("hindsight-agent"),
                                       PYTHONPATH=str(ROOT / "examples" / "python")))
    assert run.returncode == 0, run.stderr[-3000:]


# ------------------------------------------------------------------------------------ (c) adapter RPC

@pytest.fixture(scope="module")
def adapter(cluster):
    child = ChildProcess("adapter", clean_env(
        HINDSIGHT_AMQP_URL=cluster.amqp_url("hindsight-adapter", via_proxy=False),
        HINDSIGHT_DATABASE_URL=with_database(cluster.database_url, cluster.database_url.rsplit("/", 1)[-1],
                                             "hindsight_adapter"),
        HINDSIGHT_ADAPTER_INSTANCE="adapter-pytest"), ready="/ready")
    try:
        yield child
    finally:
        assert child.stop() == 0, "the child adapter did not stop gracefully"


def test_adapter_client_round_trips(cluster, adapter):
    plan = [PlanPhase("extract", 60), PlanPhase("load", 30, dependencies=["extract"])]
    with AdapterClient(url=cluster.amqp_url("hindsight-agent", via_proxy=False)) as client:
        optimized = client.optimize("python-rpc-" + uuid.uuid4().hex[:6], "Load sales", plan, timeout=10)
        assert optimized.adapter == "adapter-pytest" and optimized.served_from == "cache"
        assert [p["name"] for p in optimized.result["phases"]] == ["extract", "load"]
        assert optimized.result["confidence"] == 0  # no history for a fresh domain: the plan unchanged

        estimate = client.estimate("python-rpc", plan, timeout=10)
        assert [p["name"] for p in estimate.result["phases"]] == ["extract", "load"]
        assert estimate.result["total_seconds"] == pytest.approx(90)

        strategy = client.recovery_strategy(Failure(domain="python-rpc", phase="load", message="Query timed out",
                                                    attempt=1, elapsed_seconds=3, error_type="TimeoutError"), timeout=10)
        assert strategy.result["action"] in {"retry", "skip", "simplify", "escalate", "abort"}
        assert strategy.result["failure_type"] == "timeout"

        # A request the adapter refuses comes back as a typed error (sent raw: the client would refuse it).
        with pytest.raises(AdapterRefused) as refused:
            client.decode_reply("estimate", client.send("estimate", b'{"domain":"x","plan":[]}', timeout=10))
        assert refused.value.code == "invalid_request" and "plan" in refused.value.message
        with pytest.raises(AdapterRefused) as unknown:
            client.decode_reply("estimate", client.send("plan.nothing", b"{}", timeout=10))
        assert unknown.value.code == "unknown_method"


def test_adapter_client_times_out_without_an_adapter(cluster):
    # The RPC exchange exists in the vhost only once an adapter declared it; a bound queue nobody
    # consumes stands for every adapter busy or dead.
    admin = pika.BlockingConnection(pika.URLParameters(cluster.amqp_url("hindsight", via_proxy=False)))
    channel = admin.channel()
    channel.exchange_declare("hindsight.rpc", "direct", durable=True)
    name = "idle-adapter." + uuid.uuid4().hex[:8]
    channel.queue_declare(name, exclusive=True)
    channel.queue_bind(name, "hindsight.rpc", "idle-route")
    outcome: dict = {}

    def call() -> None:
        with AdapterClient(url=cluster.amqp_url("hindsight-agent", via_proxy=False), routing_key="idle-route") as client:
            outcome["sent_ms"] = time.time_ns() // 1_000_000
            try:
                client.estimate("python-rpc", [PlanPhase("a", 1)], timeout=0.4)
            except AdapterTimeout as error:
                outcome["error"] = error
            outcome["returned_ms"] = time.time_ns() // 1_000_000

    try:
        caller = threading.Thread(target=call)
        caller.start()
        # Read the request while it waits (it expires with the call's timeout).
        method = None
        while method is None and caller.is_alive():
            method, properties, body = channel.basic_get(name, auto_ack=True)
        caller.join(10)
        assert isinstance(outcome.get("error"), AdapterTimeout) and outcome["error"].milliseconds == 400
        sent_ms, returned_ms = outcome["sent_ms"], outcome["returned_ms"]
        assert returned_ms - sent_ms >= 400, "the call gave up before its timeout"
        assert method is not None, "the request never reached the queue"
        # The broker rewrites the pseudo-queue name into the caller's channel address.
        assert properties.type == "estimate" and properties.reply_to.startswith("amq.rabbitmq.reply-to.")
        assert properties.content_type == "application/json" and properties.delivery_mode == 1
        assert properties.expiration == "400" and len(properties.correlation_id) == 32
        assert properties.headers["hindsight-version"] == 1
        assert sent_ms + 400 <= properties.headers["hindsight-deadline-ms"] <= returned_ms + 400
        assert json.loads(body) == {"domain": "python-rpc", "plan": [{"name": "a", "estimated_seconds": 1}]}
    finally:
        admin.close()


# ------------------------------------------------------------------------------------ (d) outage

def test_broker_stopped_while_the_agent_publishes_then_started_every_event_stored_once(cluster):
    """Four agents publish 40 executions each (single-event messages, so many confirms are in flight)
    while the broker goes away for 3 s. Every publish returns (reconnect and resend), and every event is
    stored exactly once. The Swift agent's half is Tests/IntegrationTests/Agent (spool and replay)."""
    domain = "python-outage-" + uuid.uuid4().hex[:8]
    recorders: list[ExecutionRecorder] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def agent(index: int) -> None:
        try:
            with EventPublisher(url=cluster.amqp_url("hindsight-agent"), events_per_message=1, retry_for=30) as publisher:
                for _ in range(40):
                    recorder = full_execution(domain)
                    publisher.publish(recorder.events)
                    with lock:
                        recorders.append(recorder)
        except BaseException as error:  # noqa: BLE001 — reported by the test
            errors.append(error)

    connections_before = cluster.proxy.connections
    threads = [threading.Thread(target=agent, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(recorders) < 8:  # the agents are publishing
        assert time.monotonic() < deadline and not errors, errors or "the agents never published"
        time.sleep(0.01)
    cluster.proxy.down()
    published_before_outage = len(recorders)
    time.sleep(3)
    cluster.proxy.up()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert published_before_outage < 160, "the outage must fall while the agents publish"
    print(f"{published_before_outage} of 160 executions published before the outage")
    assert cluster.proxy.connections > connections_before + 4, "the agents (and the tracker) never reconnected"
    ids = [str(r.execution_id) for r in recorders]
    total = sum(len(r.events) for r in recorders)
    assert total == 160 * 9
    assert cluster.wait_for_events(ids, total, timeout=60) == total
    time.sleep(1)  # a late duplicate would show up now
    with cluster.connect() as db:
        rows = db.execute("SELECT count(*), count(DISTINCT event_id) FROM hindsight.events WHERE execution_id = ANY(%s)",
                          ([uuid.UUID(i) for i in ids],)).fetchone()
        counted = db.execute("SELECT count(*), sum(event_count) FROM hindsight.executions WHERE execution_id = ANY(%s)",
                             ([uuid.UUID(i) for i in ids],)).fetchone()
    assert rows == (total, total)
    assert counted == (160, total)
