"""`hindsight import --dry-run` on seed files written by Python exactly as the seed wrote them.

The seed's ExecutionTracker appends `json.dumps(...)` lines (default separators) to
`trace_<execution_id>.jsonl`; its ExecutionDatabase writes the same trace with `sqlite3`. This reads both
with the real binary (no broker or database needed for a dry run) and checks what would be imported.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("HINDSIGHT_BINARY", ROOT / ".build" / "debug" / "hindsight"))

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS executions (execution_id TEXT PRIMARY KEY, agent_bundle_id TEXT NOT NULL, goal_domain TEXT, "
    "goal_text TEXT, start_time TEXT NOT NULL, end_time TEXT, duration_seconds REAL, status TEXT NOT NULL, final_result TEXT, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL, timestamp TEXT NOT NULL, "
    "event_type TEXT NOT NULL, phase_name TEXT, data TEXT, duration_ms REAL, FOREIGN KEY (execution_id) REFERENCES executions(execution_id))",
    "CREATE TABLE IF NOT EXISTS metrics (execution_id TEXT PRIMARY KEY, total_duration_seconds REAL, success_rate REAL, "
    "error_count INTEGER, tool_usage TEXT, api_calls INTEGER, tokens_used INTEGER, phase_metrics TEXT)",
]


class SeedTrace:
    """The seed's tracker: events in memory and appended to the JSONL file, one open per line."""

    def __init__(self, directory, domain, goal):
        self.execution_id = uuid.uuid4()
        self.bundle_id = uuid.uuid4()
        self.domain, self.goal = domain, goal
        self.start = datetime.datetime.utcnow() - datetime.timedelta(days=1)
        self.clock = self.start
        self.events = []
        self.path = Path(directory) / f"trace_{self.execution_id}.jsonl"
        self.end = None
        self._append({"type": "trace_start", "execution_id": str(self.execution_id), "agent_bundle_id": str(self.bundle_id),
                      "goal": goal, "domain": domain, "start_time": self.start.isoformat()})

    def _append(self, obj):
        with open(self.path, "a") as f:
            f.write(json.dumps(obj) + "\n")

    def record(self, event_type, phase_name=None, data=None, duration_ms=None):
        self.clock += datetime.timedelta(seconds=1, microseconds=1234)
        event = (self.clock, event_type, phase_name, data or {}, duration_ms)
        self.events.append(event)
        self._append({"type": "event", "timestamp": self.clock.isoformat(), "event_type": event_type, "phase_name": phase_name,
                      "data": data or {}, "duration_ms": duration_ms})

    def recovery(self, strategy, phase):  # SelfHealingManager.execute_recovery: memory only, dated at the start
        self.events.append((self.start, "recovery_attempt", phase, {"strategy": strategy, "reason": "r", "confidence": 0.7}, None))

    def complete(self, result, status="completed"):
        self.end = (self.clock + datetime.timedelta(seconds=1), status, result)
        self._append({"type": "trace_end", "execution_id": str(self.execution_id), "end_time": self.end[0].isoformat(),
                      "status": status, "final_result": result, "duration_seconds": (self.end[0] - self.start).total_seconds(),
                      "event_count": len(self.events)})

    def store(self, db):  # ExecutionDatabase.store_trace
        end = self.end
        db.execute("INSERT OR REPLACE INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (str(self.execution_id), str(self.bundle_id), self.domain, self.goal, self.start.isoformat(),
                    end[0].isoformat() if end else None, (end[0] - self.start).total_seconds() if end else None,
                    end[1] if end else "running", end[2] if end else None, datetime.datetime.utcnow().isoformat()))
        for ts, event_type, phase, data, duration in self.events:
            db.execute("INSERT INTO events (execution_id, timestamp, event_type, phase_name, data, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                       (str(self.execution_id), ts.isoformat(), event_type, phase, json.dumps(data), duration))
        db.commit()


def run_import(*paths):
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run swift build first")
    done = subprocess.run([str(BINARY), "import", "--dry-run", "--format", "json", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_python_written_seed_files(tmp_path):
    traces = tmp_path / "traces"
    traces.mkdir()
    a = SeedTrace(traces, "data-processing", "Clean the sales data")
    a.record("phase_start", phase_name="extract")
    a.record("tool_call", data={"tool": "sql", "parameters": {"q": "SELECT 1"}}, duration_ms=412.5)
    a.record("error", phase_name="extract", data={"error_type": "TimeoutError", "message": "Query timed out", "fatal": False})
    a.recovery("retry", "extract")
    a.record("phase_end", phase_name="extract", data={"success": True})
    a.complete("done", status="recovered")
    b = SeedTrace(traces, None, None)  # no goal definition: no domain
    b.record("phase_start", phase_name="only")
    with open(b.path, "a") as f:
        f.write("\n{not json\n")
    b.record("checkpoint", phase_name="only", data={"n": 1})
    database = tmp_path / "execution_history.db"
    db = sqlite3.connect(database)
    for statement in SCHEMA:
        db.execute(statement)
    a.store(db)
    a.store(db)  # stored twice: the seed duplicates every event
    b.store(db)  # still running
    db.close()

    jsonl = run_import(traces)
    assert jsonl["jsonlFiles"] == 2 and jsonl["databases"] == 0
    assert jsonl["executions"] == 2
    assert jsonl["events"] == 6 + 3  # a: start, 4 events, end; b: start, phase_start, seed.checkpoint
    assert {k: v["count"] for k, v in jsonl["skipped"].items()} == {"blank_line": 1, "malformed_json": 1}
    assert jsonl["skipped"]["malformed_json"]["first"] == [f"{b.path}:4"]
    assert jsonl["notes"] == {"domain_defaulted": 1, "custom_event_type": 1}

    both = run_import(database, traces)
    assert both["databases"] == 1 and both["jsonlFiles"] == 2
    assert both["events"] == 7 + 3  # the database adds a's recovery attempt; the files add nothing new
    assert both["alsoInOtherSource"] == 9
    assert both["skipped"]["duplicate_event"]["count"] == 5  # a's second store_trace

