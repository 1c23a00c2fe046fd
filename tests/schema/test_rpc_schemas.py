"""Validates the adapter's RPC examples against their JSON Schemas (Sources/HindsightCore/Resources/rpc).

Request examples are decoded by the Swift tests (RPCExampleTests); response examples are exactly what the
Swift handlers encode for them (golden files), so these tests check the schemas against real replies.
Files: Tests/HindsightCoreTests/Examples/rpc/<method>--request--*.json, <method>--response--*.json,
error--response--*.json and invalid--<method>--*.json (requests both the schema and the decoder reject).

Run: python3 -m pytest tests/schema
"""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "Sources/HindsightCore/Resources/rpc"
EXAMPLES = ROOT / "Tests/HindsightCoreTests/Examples/rpc"
METHODS = {"plan.optimize": "plan-optimize", "recovery.strategy": "recovery-strategy", "estimate": "estimate"}


def validator(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def files(pattern):
    return sorted(EXAMPLES.glob(pattern))


def test_every_schema_is_valid_draft_2020_12():
    names = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert names == sorted(
        [f"{m}-v1.{kind}.schema.json" for m in METHODS.values() for kind in ("request", "response")] + ["error-v1.schema.json"]
    )
    for name in names:
        validator(name)


def test_catalogue():
    for method in METHODS:
        assert files(f"{method}--request--*.json"), method
        assert files(f"{method}--response--*.json"), method
        assert files(f"invalid--{method}--*.json"), method


@pytest.mark.parametrize("path", files("*--request--*.json"), ids=lambda p: p.stem)
def test_valid_requests(path):
    method = path.stem.split("--")[0]
    validator(f"{METHODS[method]}-v1.request.schema.json").validate(load(path))


@pytest.mark.parametrize("path", files("*--response--*.json"), ids=lambda p: p.stem)
def test_valid_responses(path):
    method = path.stem.split("--")[0]
    body = load(path)
    if method == "error":
        validator("error-v1.schema.json").validate(body)
        for schema in METHODS.values():  # every response schema admits the error reply
            validator(f"{schema}-v1.response.schema.json").validate(body)
    else:
        validator(f"{METHODS[method]}-v1.response.schema.json").validate(body)


@pytest.mark.parametrize("path", files("invalid--*.json"), ids=lambda p: p.stem)
def test_invalid_requests(path):
    method = path.stem.split("--")[1]
    errors = list(validator(f"{METHODS[method]}-v1.request.schema.json").iter_errors(load(path)))
    assert errors, f"{path.name} should be rejected"


def test_error_codes_match_swift():
    codes = validator("error-v1.schema.json").schema["properties"]["error"]["properties"]["code"]["enum"]
    swift = (ROOT / "Sources/HindsightCore/RPC/RPCContract.swift").read_text(encoding="utf-8")
    for code in codes:
        assert f'"{code}"' in swift or f"case `{code}`" in swift or f"case {code}\n" in swift, code
