"""The three-node RabbitMQ cluster of `scripts/services cluster up` (docs/operations.md, "RabbitMQ cluster").

1. Three running members, the same definitions as the single node, the tracker queue a quorum queue with a
   replica on each member and a leader.
2. A message published (with confirms) to node 1 is consumed from node 3.
3. `kill -9` of the tracker queue's leader node: messages the broker confirmed before the kill are all still
   there, the queue elects a new leader and takes confirmed publishes on the surviving nodes; the killed
   node restarts (`cluster up`) and rejoins as a member.

The broker is driven with pika as the administrator `hindsight` (the tracker queue is purged first; no
tracker consumes from this cluster).
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from pathlib import Path

import pika
import pytest

from ha_services import UP_TIMEOUT, services

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "rabbitmq" / "definitions.template.json"
VHOST = "hindsight"
QUEUE = "hindsight.tracker"
EXCHANGE = "hindsight.events"


def connect(cluster, node: int) -> pika.BlockingConnection:
    user, password = cluster.credentials()
    parameters = pika.ConnectionParameters(
        host="127.0.0.1", port=cluster.ports[node - 1], virtual_host=VHOST,
        credentials=pika.PlainCredentials(user, password), heartbeat=30,
        connection_attempts=5, retry_delay=2, socket_timeout=10, blocked_connection_timeout=60)
    return pika.BlockingConnection(parameters)


def within(seconds: float, action, what: str):
    """Run a blocking pika action on a thread and fail (instead of hanging) when it takes too long."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = action()
        except BaseException as error:  # reported on the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{what} did not finish within {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def publish_confirmed(cluster, node: int, count: int, tag: str) -> set[str]:
    """Publish `count` persistent messages through node `node` with publisher confirms (mandatory: an
    unroutable message raises); returns the message ids the broker confirmed."""
    def action():
        confirmed = set()
        connection = connect(cluster, node)
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            for i in range(count):
                message_id = f"{tag}-{i}-{uuid.uuid4()}"
                channel.basic_publish(EXCHANGE, f"test.cluster.{tag}", json.dumps({"test": tag, "i": i}).encode(),
                                      properties=pika.BasicProperties(delivery_mode=2, message_id=message_id,
                                                                      content_type="application/json"),
                                      mandatory=True)
                confirmed.add(message_id)  # basic_publish returns once the broker acked it
        finally:
            if connection.is_open:
                connection.close()
        return confirmed
    return within(120, action, f"publishing {count} messages through node {node}")


def drain(cluster, node: int, idle: float = 5.0) -> list[str]:
    """Consume (and ack) everything in the tracker queue through node `node`; the message ids in order."""
    def action():
        ids = []
        connection = connect(cluster, node)
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=500)  # per consumer: quorum queues reject global QoS
            for method, properties, _ in channel.consume(QUEUE, inactivity_timeout=idle):
                if method is None:
                    break
                ids.append(properties.message_id)
                channel.basic_ack(method.delivery_tag)
            channel.cancel()
        finally:
            if connection.is_open:
                connection.close()
        return ids
    return within(180, action, f"draining {QUEUE} through node {node}")


def wait_for(predicate, timeout: float, what: str, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (AssertionError, StopIteration, json.JSONDecodeError) as error:
            last = error
        time.sleep(interval)
    pytest.fail(f"{what} within {timeout} s (last: {last!r})")


@pytest.fixture(scope="module")
def empty_queue(cluster):
    def purge():
        connection = connect(cluster, 1)
        try:
            connection.channel().queue_purge(QUEUE)
        finally:
            connection.close()
    within(60, purge, "purging the tracker queue")
    return cluster


# ------------------------------------------------------------------------------------------- shape

def test_three_running_members_and_a_quorum_tracker_queue_on_all_three(cluster):
    for node in (1, 2, 3):
        status = cluster.json(node, "cluster_status")
        assert sorted(status["disk_nodes"]) == sorted(cluster.nodes), f"members seen by node {node}: {status}"
        assert sorted(status["running_nodes"]) == sorted(cluster.nodes), f"running nodes seen by node {node}: {status}"
    queue = cluster.queue(3)
    assert queue["type"] == "quorum"
    assert sorted(queue["members"]) == sorted(cluster.nodes)
    assert sorted(queue["online"]) == sorted(cluster.nodes)
    assert queue["leader"] in cluster.nodes
    # The quorum status of the Raft group: one leader, two followers.
    states = sorted(m["Raft State"] for m in cluster.json(2, "quorum_status", QUEUE, "--vhost", VHOST, tool="rabbitmq-queues"))
    assert states == ["follower", "follower", "leader"], states


def test_every_node_has_the_single_node_definitions(cluster):
    template = json.loads(TEMPLATE.read_text())
    node = 3  # received them by joining node 1
    assert {v["name"] for v in cluster.json(node, "list_vhosts", "name")} >= {v["name"] for v in template["vhosts"]}
    assert {u["user"] for u in cluster.json(node, "list_users")} == {u["name"] for u in template["users"]}
    permissions = {p["user"]: p for p in cluster.json(node, "list_permissions", "-p", VHOST)}
    for wanted in template["permissions"]:
        got = permissions[wanted["user"]]
        assert (got["configure"], got["write"], got["read"]) == (wanted["configure"], wanted["write"], wanted["read"])
    exchanges = {e["name"]: e for e in cluster.json(node, "list_exchanges", "-p", VHOST, "name", "type", "durable")}
    for wanted in template["exchanges"]:
        assert exchanges[wanted["name"]]["type"] == wanted["type"] and exchanges[wanted["name"]]["durable"]
    queues = {q["name"]: q for q in cluster.json(node, "list_queues", "-p", VHOST, "name", "arguments", "members")}
    for wanted in template["queues"]:
        queue = queues[wanted["name"]]
        arguments = queue["arguments"]
        if isinstance(arguments, list):  # rabbitmqctl prints [name, type, value] triples
            arguments = {item[0]: item[-1] for item in arguments}
        assert arguments == wanted["arguments"], wanted["name"]
        if wanted["arguments"].get("x-queue-type") == "quorum":
            assert sorted(queue["members"]) == sorted(cluster.nodes), f"{wanted['name']} is not on all three nodes"
    policies = {p["name"]: p for p in cluster.json(node, "list_policies", "-p", VHOST)}
    for wanted in template["policies"]:
        assert json.loads(policies[wanted["name"]]["definition"]) == wanted["definition"]
    # Agents log in on any node with the password the single node gives them (definitions rendered from one template).
    agent = pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=cluster.ports[2], virtual_host=VHOST,
        credentials=pika.PlainCredentials("hindsight-agent", "hindsight-agent"), socket_timeout=10))
    agent.close()


def test_status_prints_members_running_nodes_and_the_tracker_queue(cluster):

    out = services("cluster", "status").stdout
    assert "running nodes:" in out and "(3 of 3)" in out, out
    assert "queue hindsight.tracker: type quorum, leader hindsight-c" in out, out
    assert "members hindsight-c1@localhost hindsight-c2@localhost hindsight-c3@localhost (3)" in out, out
    assert f"HINDSIGHT_AMQP_URL={','.join(cluster.urls)}" in out, out


# ------------------------------------------------------------------------------------------- traffic

def test_published_on_node_1_consumed_on_node_3(empty_queue):
    cluster = empty_queue
    sent = publish_confirmed(cluster, 1, 50, "across")
    received = drain(cluster, 3)
    assert set(received) == sent
    assert len(received) == len(sent), "a message was delivered twice"


def test_killing_the_leader_keeps_every_confirmed_message_and_the_queue_available(empty_queue):
    cluster = empty_queue
    leader_name = cluster.queue(1)["leader"]
    leader = cluster.index(leader_name)
    survivors = [n for n in (1, 2, 3) if n != leader]

    # Confirmed by the leader itself, then by a follower: both must survive the leader's death.
    before = publish_confirmed(cluster, leader, 200, "before-leader") | publish_confirmed(cluster, survivors[0], 200, "before-follower")
    pid = cluster.pid(leader)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(),
             30, f"node {leader_name} (pid {pid}) to die")
    killed_at = time.monotonic()

    # A new leader among the survivors, the killed node no longer online.
    def re_elected():
        queue = cluster.queue(survivors[0])
        return queue if queue["leader"] in {cluster.nodes[n - 1] for n in survivors} and leader_name not in queue["online"] else None
    queue = wait_for(re_elected, 90, "the tracker queue to elect a new leader on a surviving node")
    elected_after = time.monotonic() - killed_at
    assert sorted(queue["members"]) == sorted(cluster.nodes), "membership must not change when a node dies"

    # Still available: confirmed publishes on each survivor, and everything is there exactly once.
    after = publish_confirmed(cluster, survivors[0], 100, "after-a") | publish_confirmed(cluster, survivors[1], 100, "after-b")
    received = drain(cluster, survivors[1])
    missing = (before | after) - set(received)
    assert not missing, f"{len(missing)} confirmed messages lost, e.g. {sorted(missing)[:3]}"
    assert len(received) == len(before | after), "a message was delivered twice"
    print(f"leader {leader_name} killed; new leader {queue['leader']} after {elected_after:.1f} s; "
          f"{len(before)} + {len(after)} confirmed messages all consumed")

    # The killed node comes back (cluster up starts what is missing) and is an online member again.
    services("cluster", "up", timeout=UP_TIMEOUT)
    def back_online():
        queue = cluster.queue(leader)
        return queue if len(queue["online"]) == 3 else None
    queue = wait_for(back_online, 120, f"{leader_name} to be an online member of the tracker queue again")
    assert sorted(queue["members"]) == sorted(cluster.nodes)
    after_restart = publish_confirmed(cluster, leader, 20, "after-restart")
    assert set(drain(cluster, 1)) == after_restart
