"""Validates every wire-format example against the JSON Schema (the same files the Swift tests decode).

Valid examples must pass; invalid ones must fail, either because they are not strict JSON or because the
schema rejects them. A few rules can only be enforced by the decoder (byte lengths, calendar validity,
time relative to the receiver's clock, ...): those examples are listed in DECODER_ONLY with the reason.

Run: python3 -m pytest tests/schema
"""

import copy
import json
import math
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "Sources/HindsightCore/Resources/event-v1.schema.json"
EXAMPLES = ROOT / "Tests/HindsightCoreTests/Examples"

# Invalid examples the JSON Schema cannot reject, and why (the Swift decoder rejects them).
DECODER_ONLY = {
    "invalid_json--lone-surrogate": "JSON grammar allows \\ud800; the decoder rejects unpaired surrogates",
    "invalid_json--too-deep": "nesting depth (limit 32) is not expressible in JSON Schema",
    "invalid_timestamp--feb-30": "calendar validity of ts is not expressible with a pattern",
    "timestamp_out_of_range--before-2000": "ts range is checked by the decoder (minTimestamp)",
    "timestamp_out_of_range--far-future": "ts range is relative to the receiver's clock",
    "invalid_domain--too-many-bytes": "maxLength counts characters; the decoder counts UTF-8 bytes",
    "string_too_long--goal-multibyte": "maxLength counts characters; the decoder counts UTF-8 bytes",
    "invalid_value--duration-overflows": "1e400 parses as infinity, which passes minimum: 0",
    "duplicate_field--two-event-ids": "JSON parsers keep the last duplicate member",
    "duplicate_event_id--conflicting": "uniqueness of event_id within a batch is not expressible",
}


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name}")


def load_strict(path):
    """Parses RFC 8259 JSON (rejects NaN/Infinity literals, which Python accepts by default)."""
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def examples(kind):
    return sorted((EXAMPLES / kind).glob("*.json"))


def test_catalogue_sizes():
    assert len(examples("valid")) >= 12
    assert len(examples("invalid")) >= 24
    names = {p.stem for p in examples("invalid")}
    assert set(DECODER_ONLY) <= names, set(DECODER_ONLY) - names


@pytest.mark.parametrize("path", examples("valid"), ids=lambda p: p.stem)
def test_valid_examples_pass(validator, path):
    errors = list(validator.iter_errors(load_strict(path)))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("path", examples("invalid"), ids=lambda p: p.stem)
def test_invalid_examples_fail(validator, path):
    try:
        instance = load_strict(path)
    except (ValueError, UnicodeDecodeError):
        assert path.stem.startswith("invalid_json"), "only invalid_json examples may fail to parse"
        return
    valid = validator.is_valid(instance)
    if path.stem in DECODER_ONLY:
        assert valid, f"{path.stem} is listed as decoder-only but the schema rejects it: remove it from the list"
    else:
        assert not valid, f"{path.stem} passes the schema"


def test_batch_size_limits(validator):
    event = load_strict(EXAMPLES / "valid/tool_used.json")
    batch = {"schema": 1, "events": [copy.deepcopy(event) for _ in range(1000)]}
    assert validator.is_valid(batch)
    batch["events"].append(copy.deepcopy(event))
    assert not validator.is_valid(batch)  # too_many_events


def test_null_means_absent_only_for_optional_members(validator):
    event = load_strict(EXAMPLES / "valid/tool_used.json")
    for member in ("phase",):
        assert validator.is_valid({**event, member: None})
    for member in ("event_id", "execution_id", "seq", "ts", "type", "domain"):
        assert not validator.is_valid({**event, member: None}), member
    assert not validator.is_valid({**event, "data": {**event["data"], "tool": None}})
    assert math.isfinite(event["data"]["duration_ms"])
