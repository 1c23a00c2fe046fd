"""Wire format v1 (docs/wire-format.md): event bodies encoded as the Swift `WireFormat.encode` writes
them, validated against the project's JSON Schema plus the rules a schema cannot express, and cut into
AMQP messages with the Swift publisher's properties."""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import InvalidEvent

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "Sources" / "HindsightCore" / "Resources"
"""The project's schemas, read where the repository keeps them (one source of truth, no copy to drift).
An agent that runs the module outside the repository sets this to a copy of that folder before the
first publish or call."""

EVENTS_EXCHANGE = "hindsight.events"
CONTENT_TYPE = "application/json"
SCHEMA_HEADER = "hindsight-schema"
SCHEMA_VERSION = 1
MAX_MESSAGE_BYTES = 1_048_576
MAX_EVENTS_PER_MESSAGE = 1000
MIN_TIMESTAMP_MICROS = 946_684_800_000_000  # 2000-01-01T00:00:00Z
MAX_FUTURE_SKEW_MICROS = 24 * 3600 * 1_000_000

# Payload members in the order WireFormat.encode writes them (docs/wire-format.md, "Payload").
PAYLOAD_ORDER = ("goal", "agent_id", "plan", "estimated_duration_s", "success", "error", "tool", "duration_ms",
                 "error_type", "message", "fatal", "strategy", "failure_type", "status", "result", "ab_test", "variant")
# UTF-8 byte limits the schema's maxLength (characters) cannot express.
TEXT_BYTES = {"goal": 4096, "error": 4096, "message": 4096, "result": 4096}
NAME_BYTES = {"agent_id": 256, "tool": 128, "error_type": 256, "failure_type": 256, "ab_test": 256}


def load_schema(name: str) -> dict:
    """A JSON Schema of the module's copy, e.g. `event-v1.schema.json` or `rpc/estimate-v1.request.schema.json`."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


_validators: dict[str, Any] = {}


def validator(name: str):
    """A cached draft 2020-12 validator for a schema of the module's copy."""
    if name not in _validators:
        from jsonschema import Draft202012Validator
        _validators[name] = Draft202012Validator(load_schema(name))
    return _validators[name]


def now_micros() -> int:
    """Microseconds since the Unix epoch (the Swift `WireFormat.currentMicros()`)."""
    return time.time_ns() // 1000


def timestamp(micros: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ`, as the Swift encoder writes `ts`."""
    seconds, fraction = divmod(micros, 1_000_000)
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{fraction:06d}Z"


def _string(value: str) -> str:
    # Escapes only `"`, `\` and C0 controls, raw UTF-8 otherwise: the Swift JSONWriter's output.
    return json.dumps(value, ensure_ascii=False)


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "null"  # as the Swift encoder; validation refuses it before
    if value == round(value) and abs(value) < 1e15:
        return ("-" if math.copysign(1, value) < 0 else "") + str(abs(int(value)))
    return repr(value)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_event(event: dict, with_schema: bool) -> str:
    """One event object in the Swift encoder's member order; absent (None) members and empty `data` left out."""
    parts = ['"schema":1'] if with_schema else []
    for key in ("event_id", "execution_id", "seq", "ts", "type", "domain", "phase"):
        if event.get(key) is not None:
            parts.append(f'"{key}":{_value(event[key])}')
    data = event.get("data") or {}
    members = [f'"{key}":{_value(data[key])}' for key in PAYLOAD_ORDER if data.get(key) is not None]
    if members:
        parts.append('"data":{' + ",".join(members) + "}")
    return "{" + ",".join(parts) + "}"


def encode_batch(events: list[dict]) -> bytes:
    """`{"schema":1,"events":[…]}`, as `WireFormat.encodeBatch`."""
    return ('{"schema":1,"events":[' + ",".join(encode_event(e, with_schema=False) for e in events) + "]}").encode()


def encode_single(event: dict) -> bytes:
    """A single-event body, as `WireFormat.encode`."""
    return encode_event(event, with_schema=True).encode()


def routing_key(event: dict) -> str:
    """`<domain>.<event_type>`, as `WireContract.routingKey(for:)`."""
    return f"{event['domain']}.{event['type']}"


def _non_finite(event: dict) -> str | None:
    # Checked before the schema: the encoder writes a non-finite number as null, a misleading type error.
    data = event.get("data") or {}
    for key in ("estimated_duration_s", "duration_ms"):
        value = data.get(key)
        if isinstance(value, float) and not math.isfinite(value):
            return f"data/{key}: not finite"
    return None


def _decoder_only_rule(event: dict, now: int) -> str | None:
    """The first rule of docs/wire-format.md ("JSON Schema vs decoder") the event breaks that the schema
    cannot express: byte limits, finite numbers, the timestamp's range."""
    if len(event["domain"].encode()) > 128:
        return "domain: more than 128 UTF-8 bytes"
    if event.get("phase") is not None and len(event["phase"].encode()) > 256:
        return "phase: more than 256 UTF-8 bytes"
    data = event.get("data") or {}
    for key, limit in {**TEXT_BYTES, **NAME_BYTES}.items():
        if isinstance(data.get(key), str) and len(data[key].encode()) > limit:
            return f"data/{key}: more than {limit} UTF-8 bytes"
    for entry in data.get("plan") or []:
        if isinstance(entry, str) and len(entry.encode()) > 256:
            return "data/plan: an entry of more than 256 UTF-8 bytes"
    try:
        moment = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    except ValueError:
        return "ts: not a calendar date and time"
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if not MIN_TIMESTAMP_MICROS <= micros <= now + MAX_FUTURE_SKEW_MICROS:
        return "ts: before 2000-01-01 or more than 24 h ahead of this clock"
    return None


def _event_validator():
    # The event schema with its root narrowed to a single event: errors name the member that failed
    # instead of "not valid under any of the given schemas".
    if "event" not in _validators:
        from jsonschema import Draft202012Validator
        schema = dict(load_schema("event-v1.schema.json"))
        schema.pop("oneOf")
        schema["$ref"] = "#/$defs/singleEventMessage"
        _validators["event"] = Draft202012Validator(schema)
    return _validators["event"]


def describe(error) -> str:
    """A schema violation as `path: rule`, without the offending value (it may be payload)."""
    from jsonschema.exceptions import best_match
    error = best_match([error]) if error.context else error
    path = "/".join(str(p) for p in error.absolute_path) or "(event)"
    if error.validator == "required":
        return f"{path}: {error.message}"
    return f"{path}: must satisfy {error.validator} {json.dumps(error.validator_value, ensure_ascii=False)[:200]}"


def validate_event(event: dict) -> list[str]:
    """Every JSON Schema violation of one event as a single-event body (empty when valid)."""
    return [describe(e) for e in _event_validator().iter_errors(json.loads(encode_single(event)))]


def validate_body(body: bytes) -> list[str]:
    """Every JSON Schema violation of a message body against event-v1.schema.json (empty when valid)."""
    return [describe(e) for e in validator("event-v1.schema.json").iter_errors(json.loads(body))]


@dataclass(frozen=True)
class Message:
    """One AMQP message as the Swift `EventPublisher` sends it."""
    body: bytes
    routing_key: str
    message_id: str
    exchange: str = EVENTS_EXCHANGE
    content_type: str = CONTENT_TYPE
    delivery_mode: int = 2  # persistent
    headers: tuple[tuple[str, int], ...] = ((SCHEMA_HEADER, SCHEMA_VERSION),)


def messages_for(events: list[dict], events_per_message: int = 100, exchange: str = EVENTS_EXCHANGE,
                 now: int | None = None) -> list[Message]:
    """The validated messages for `events`, in order, cut as the Swift `MessageBuilder` cuts them.

    Single-event bodies when `events_per_message` is 1, else batches of up to `events_per_message`
    events, halved until a body fits 1 MiB. Every event is checked first on its own (the JSON Schema,
    then the decoder-only rules), then every body against the schema.

    Raises:
        InvalidEvent: naming the first offending event; nothing is returned.
    """
    if not 1 <= events_per_message <= MAX_EVENTS_PER_MESSAGE:
        raise ValueError(f"events_per_message must be 1…{MAX_EVENTS_PER_MESSAGE}, not {events_per_message}")
    now = now_micros() if now is None else now
    seen: dict[str, str] = {}
    for index, event in enumerate(events):
        single = encode_single(event)
        errors = [rule for rule in [_non_finite(event)] if rule] or validate_event(event)
        if errors:
            raise InvalidEvent(index, errors[0])
        rule = _decoder_only_rule(event, now)
        if rule:
            raise InvalidEvent(index, rule)
        if len(single) > MAX_MESSAGE_BYTES:
            raise InvalidEvent(index, f"the event alone is larger than {MAX_MESSAGE_BYTES} bytes")
        earlier = seen.setdefault(event["event_id"], single.decode())
        if earlier != single.decode():
            raise InvalidEvent(index, "event_id: another event of this call has the same id")
    messages = []
    start = 0
    while start < len(events):
        end = min(start + events_per_message, len(events))
        body = encode_single(events[start]) if events_per_message == 1 else encode_batch(events[start:end])
        while len(body) > MAX_MESSAGE_BYTES and end - start > 1:
            end = start + (end - start) // 2
            body = encode_batch(events[start:end])
        errors = validate_body(body)
        if errors:
            raise InvalidEvent(start, errors[0])
        first = events[start]
        messages.append(Message(body=body, routing_key=routing_key(first), message_id=first["event_id"].lower(),
                                exchange=exchange))
        start = end
    return messages
