"""Asks the adapter (`hindsight adapter`) over AMQP request/reply: the envelope v1 of docs/wire-format.md,
exactly as the Swift `AdapterEnvelope` and `AMQPRPCClient` build it."""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Optional, Sequence

import pika
import pika.exceptions

from .errors import AdapterRefused, AdapterTimeout, InvalidRequest, UndecodableReply
from .publisher import amqp_url
from .wire import validator

RPC_EXCHANGE = "hindsight.rpc"
ADAPTER_ROUTING_KEY = "adapter"
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
VERSION_HEADER = "hindsight-version"
DEADLINE_HEADER = "hindsight-deadline-ms"
SCHEMAS = {"plan.optimize": "plan-optimize-v1", "recovery.strategy": "recovery-strategy-v1", "estimate": "estimate-v1"}


@dataclass
class PlanPhase:
    """One phase of a plan (`$defs/phase` of the request schemas)."""
    name: str
    estimated_seconds: Optional[float] = None
    description: Optional[str] = None
    dependencies: Sequence[str] = field(default_factory=list)
    required_capabilities: Sequence[str] = field(default_factory=list)
    success_indicators: Sequence[str] = field(default_factory=list)


@dataclass
class Failure:
    """A failed phase to recover from (recovery-strategy-v1.request.schema.json)."""
    domain: str
    phase: str
    message: str
    attempt: int
    elapsed_seconds: float
    error_type: Optional[str] = None
    execution_id: Optional[str] = None
    consecutive_failures: Optional[int] = None
    estimated_seconds: Optional[float] = None
    failure_type: Optional[str] = None


@dataclass
class Reply:
    """A successful answer: `result` as in the method's response schema, and where it came from."""
    result: dict
    served_from: str
    database: str
    adapter: str
    insights_computed_at: Optional[str] = None


def _clean(value: Any) -> Any:
    # Absent optionals and empty lists are left out, as the Swift encoder leaves out nil members.
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class AdapterClient:
    """Typed calls to the adapter; each has a timeout, sent along as the request's deadline.

        with AdapterClient() as adapter:             # HINDSIGHT_AMQP_URL
            reply = adapter.optimize("etl", "Load sales", [PlanPhase("extract", 60), PlanPhase("load", 30)])
            print([p["name"] for p in reply.result["phases"]], reply.result["confidence"])

    Requests go to `hindsight.rpc` (routing key `adapter`) with `type` = method, `reply_to` =
    `amq.rabbitmq.reply-to`, a fresh 32-hex `correlation_id`, `expiration` = timeout in ms and the
    headers `hindsight-version: 1` and `hindsight-deadline-ms`; the reply is matched by correlation id.
    """

    def __init__(self, url: Optional[str] = None, exchange: str = RPC_EXCHANGE,
                 routing_key: str = ADAPTER_ROUTING_KEY, optimize_timeout: float = 2.0,
                 recovery_timeout: float = 1.0, estimate_timeout: float = 1.0):
        self.url = url or amqp_url()
        self.exchange = exchange
        self.routing_key = routing_key
        self.timeouts = {"plan.optimize": optimize_timeout, "recovery.strategy": recovery_timeout,
                         "estimate": estimate_timeout}
        self._connection: Optional[pika.BlockingConnection] = None
        self._channel = None
        self._replies: dict[str, bytes] = {}
        self._pending: set[str] = set()

    def __enter__(self) -> "AdapterClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def optimize(self, domain: str, goal: str, plan: Sequence[PlanPhase], execution_id: Optional[str] = None,
                 aggressive: bool = False, cross_domain: bool = False, timeout: Optional[float] = None) -> Reply:
        """`plan.optimize`: the adapted plan, its changes with reasons and evidence, the A/B `variant`."""
        request = {"domain": domain, "goal": goal, "execution_id": execution_id,
                   "plan": [asdict(p) for p in plan]}
        if aggressive or cross_domain:
            request["options"] = {"aggressive": aggressive, "cross_domain": cross_domain}
        return self.call("plan.optimize", request, timeout)

    def recovery_strategy(self, failure: Failure, timeout: Optional[float] = None) -> Reply:
        """`recovery.strategy`: the action (retry with delay, skip, simplify, escalate, abort) and why."""
        return self.call("recovery.strategy", asdict(failure), timeout)

    def estimate(self, domain: str, plan: Sequence[PlanPhase], timeout: Optional[float] = None) -> Reply:
        """`estimate`: per-phase and total durations with intervals."""
        return self.call("estimate", {"domain": domain, "plan": [asdict(p) for p in plan]}, timeout)

    def call(self, method: str, request: dict, timeout: Optional[float] = None) -> Reply:
        """Validates `request` against the method's schema, sends it and waits for the reply.

        Raises:
            InvalidRequest: the request breaks the schema (not sent).
            AdapterTimeout: no reply within the timeout.
            AdapterRefused: an error reply (`code`, `message`).
            UndecodableReply: anything else came back.
        """
        body = _clean(request)
        errors = list(validator(f"rpc/{SCHEMAS[method]}.request.schema.json").iter_errors(body))
        if errors:
            path = "/".join(str(p) for p in errors[0].absolute_path) or "(body)"
            raise InvalidRequest(f"{method}: {path}: {errors[0].message}")
        raw = self.send(method, json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
                        self.timeouts[method] if timeout is None else timeout)
        return self.decode_reply(method, raw)

    @staticmethod
    def properties(method: str, timeout: float, now_ms: int, correlation_id: str) -> pika.BasicProperties:
        """The request's properties (Swift `AdapterEnvelope.properties`, plus what `AMQPRPCClient` adds)."""
        milliseconds = max(1, int(-(-timeout * 1000 // 1)))  # rounded up, never 0
        return pika.BasicProperties(
            content_type="application/json", delivery_mode=1, expiration=str(milliseconds), type=method,
            headers={VERSION_HEADER: 1, DEADLINE_HEADER: now_ms + milliseconds},
            reply_to=DIRECT_REPLY_TO, correlation_id=correlation_id)

    def send(self, method: str, body: bytes, timeout: float) -> bytes:
        """Sends any body under any method name and returns the raw reply body (for tools and tests)."""
        channel = self._open()
        correlation_id = secrets.token_hex(16)
        milliseconds = max(1, int(-(-timeout * 1000 // 1)))
        properties = self.properties(method, timeout, time.time_ns() // 1_000_000, correlation_id)
        self._pending.add(correlation_id)
        try:
            channel.basic_publish(self.exchange, self.routing_key, body, properties)
            deadline = time.monotonic() + timeout
            while correlation_id not in self._replies:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AdapterTimeout(method, milliseconds)
                self._connection.process_data_events(time_limit=min(remaining, 0.1))
            return self._replies.pop(correlation_id)
        finally:
            self._pending.discard(correlation_id)

    @staticmethod
    def decode_reply(method: str, raw: bytes) -> Reply:
        try:
            reply = json.loads(raw)
        except ValueError:
            raise UndecodableReply(f"reply to {method}: not JSON") from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise UndecodableReply(f"reply to {method}: no ok member")
        if not reply["ok"]:
            error = reply.get("error") or {}
            raise AdapterRefused(str(error.get("code")), str(error.get("message")))
        errors = list(validator(f"rpc/{SCHEMAS[method]}.response.schema.json").iter_errors(reply))
        if errors:
            path = "/".join(str(p) for p in errors[0].absolute_path) or "(body)"
            raise UndecodableReply(f"reply to {method}: {path}: {errors[0].message}")
        return Reply(result=reply["result"], served_from=reply["served_from"], database=reply["database"],
                     adapter=reply["adapter"], insights_computed_at=reply.get("insights_computed_at"))

    def _on_reply(self, _channel, _method, properties, body: bytes) -> None:
        # Replies to calls that timed out are dropped here: nobody waits for them any more.
        if properties.correlation_id in self._pending:
            self._replies[properties.correlation_id] = body

    def _open(self):
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        parameters = pika.URLParameters(self.url)
        parameters.connection_attempts = 1
        parameters.client_properties = {"connection_name": "hindsight-python-adapter-client"}
        self._connection = pika.BlockingConnection(parameters)
        self._channel = self._connection.channel()
        # Direct reply-to: consume the pseudo-queue, no-ack, on the channel that publishes.
        self._channel.basic_consume(DIRECT_REPLY_TO, self._on_reply, auto_ack=True)
        return self._channel

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        self._replies.clear()
        self._pending.clear()
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 — already broken
                pass
