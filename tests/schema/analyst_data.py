"""Executions for the analysts' tests, stored as the tracker stores them (consolidated rows only).

A deterministic fleet over the last 40 days in three domains (the FleetSimulator's), with phases whose
estimates are too low (slow phases), error messages with numbers (patterns), recovery attempts with
failure types and strategies, tool calls, abandoned and stale executions, and a domain whose success
rate drops in the last seven days — so every example query of docs/analysts.md has rows to return.

Rows look like the tracker's: seq numbers in event order (execution_started = 0), start fields from the
first phase_started, outcome from the latest phase_completed, counters equal to the events behind them,
start_count = phase_started events, one errors / recovery_attempts row per event.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

# (phase, mean seconds, planned estimate seconds, failure probability)
DOMAINS = {
    "data-processing": {
        "goals": ["Clean and aggregate sales data", "Deduplicate customer records", "Build the weekly revenue report"],
        "phases": [("analysis", 20, 20, 0.02), ("extraction", 60, 60, 0.05), ("transformation", 140, 90, 0.12),
                   ("validation", 30, 30, 0.04), ("loading", 45, 45, 0.06), ("reporting", 25, 25, 0.02)],
        "tools": ["sql", "python", "llm", "http"],
        "errors": [("TimeoutError", "Query timed out after {n} seconds"),
                   ("FileNotFoundError", "File not found: /data/in/batch-{n}.csv"),
                   ("MemoryError", "Out of memory while sorting {n} rows")],
    },
    "security-analysis": {
        "goals": ["Analyze logs for intrusion attempts", "Audit IAM permissions", "Scan dependencies for CVEs"],
        "phases": [("analysis", 30, 30, 0.03), ("collection", 90, 90, 0.08), ("scanning", 200, 120, 0.10),
                   ("triage", 60, 60, 0.05), ("reporting", 30, 30, 0.02), ("review", 20, 20, 0.01)],
        "tools": ["grep", "llm", "scanner", "http"],
        "errors": [("PermissionError", "Access denied reading /var/log/auth-{n}.log"),
                   ("ConnectionError", "Connection refused by 10.0.{n}.7:443"),
                   ("TimeoutError", "Scanner timeout after {n} s")],
    },
    "automation": {
        "goals": ["Automate the release checklist", "Provision a staging environment", "Rotate service credentials"],
        "phases": [("analysis", 15, 15, 0.02), ("planning", 25, 25, 0.03), ("implementation", 120, 120, 0.10),
                   ("testing", 90, 60, 0.15), ("deployment", 60, 60, 0.07), ("verification", 20, 20, 0.03)],
        "tools": ["shell", "git", "llm", "http"],
        "errors": [("SyntaxError", "Parse error in deploy.yaml line {n}"),
                   ("HTTPError", "Rate limit exceeded (429) after {n} requests"),
                   ("TimeoutError", "Health check timed out after {n} seconds")],
    },
}
# Recovery strategies an agent tries, and how often each works (per failure, one or two attempts).
STRATEGIES = [("retry", 0.55), ("simplify", 0.75), ("skip", 0.9), ("escalate", 0.4)]


@dataclass
class Rows:
    executions: list[tuple] = field(default_factory=list)
    phases: list[tuple] = field(default_factory=list)
    tools: list[tuple] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)
    recoveries: list[tuple] = field(default_factory=list)


def generate(now: datetime, per_domain: int = 150, seed: int = 20261201) -> Rows:
    rng = random.Random(seed)
    rows = Rows()
    for domain, profile in DOMAINS.items():
        for i in range(per_domain):
            # Spread over the last 40 days; the last few executions are recent.
            start = now - timedelta(days=40) * (1 - (i + rng.random()) / per_domain) - timedelta(minutes=30)
            recent = (now - start) < timedelta(days=7)
            worse = 2.5 if domain == "automation" and recent else 1.0
            _execution(rng, rows, domain, profile, start, failure_scale=worse)
        # Abandoned (marked by an analyzer earlier), stale (no completion for days) and one running now.
        for days in (2, 3, 5):
            _execution(rng, rows, domain, profile, now - timedelta(days=days, hours=2), stop_after=2, abandoned_at=now - timedelta(days=days - 1))
        _execution(rng, rows, domain, profile, now - timedelta(days=4), stop_after=3)
        _execution(rng, rows, domain, profile, now - timedelta(seconds=20), stop_after=1)
    return rows


def _execution(rng: random.Random, rows: Rows, domain: str, profile: dict, start: datetime,
               failure_scale: float = 1.0, stop_after: int | None = None, abandoned_at: datetime | None = None) -> None:
    execution_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    seq = 0
    events = 1  # execution_started
    now = start
    tool_calls: dict[str, list[float]] = {}
    error_count = recovery_count = tool_call_count = 0
    failed = recovered = False
    plan = [name for name, *_ in profile["phases"]]
    for index, (phase, mean, estimate, failure) in enumerate(profile["phases"]):
        if stop_after is not None and index >= stop_after:
            break
        now += timedelta(milliseconds=1)
        seq += 1
        events += 1
        phase_start, start_seq, starts, retries, phase_errors = now, seq, 1, 0, 0
        seconds = mean * (0.6 + rng.random() * 0.8) * (2.5 if rng.random() < 0.1 else 1.0)
        for _ in range(1 + rng.randrange(3)):
            ms = round(seconds * 1000 / 4 * (0.5 + rng.random()))
            now += timedelta(milliseconds=ms / 4)
            tool = rng.choice(profile["tools"])
            tool_calls.setdefault(tool, []).append(ms)
            seq += 1
            events += 1
            tool_call_count += 1
        now = max(now, phase_start + timedelta(seconds=seconds / 2))
        outcome, error_text = True, None
        if stop_after is None and rng.random() < failure * 2 * failure_scale:
            error_type, template = profile["errors"][(index + rng.randrange(2)) % len(profile["errors"])]
            message = template.format(n=10 + rng.randrange(990))
            seq += 1
            events += 1
            error_count += 1
            phase_errors += 1
            rows.errors.append((execution_id, uuid.UUID(int=rng.getrandbits(128), version=4), seq, now, phase, error_type, message))
            worked = False
            for _ in range(1 + rng.randrange(2)):
                strategy, works = rng.choice(STRATEGIES)
                worked = rng.random() < works
                now += timedelta(seconds=2)
                seq += 1
                events += 1
                recovery_count += 1
                rows.recoveries.append((execution_id, uuid.UUID(int=rng.getrandbits(128), version=4), seq, now, phase,
                                        error_type, strategy, worked))
                if strategy == "retry":
                    seq += 2  # the retry event and the phase started again
                    events += 2
                    retries += 1
                    starts += 1
                if worked:
                    break
            if worked:
                recovered = True
            else:
                outcome, error_text, failed = False, message, True
        now += timedelta(seconds=seconds / 2)
        seq += 1
        events += 1
        rows.phases.append((execution_id, phase, phase_start, start_seq, now, seq, outcome, error_text, float(estimate),
                            retries, phase_errors, starts))
        if failed:
            break
    if stop_after is not None:
        # Never completed: the last phase's end never arrived either.
        last = rows.phases.pop()
        rows.phases.append(last[:4] + (None, None, None, None) + last[8:])
        status, status_seq, ended, result = ("abandoned" if abandoned_at else "running"), None, None, None
    else:
        now += timedelta(milliseconds=1)
        seq += 1
        events += 1
        status = "failed" if failed else ("recovered" if recovered and rng.random() < 0.3 else "completed")
        status_seq, ended, result = seq, now, ("aborted" if failed else "done")
    for tool, calls in tool_calls.items():
        rows.tools.append((execution_id, tool, len(calls), float(sum(calls))))
    rows.executions.append((
        execution_id, domain, f"agent-{rng.randrange(16)}", rng.choice(profile["goals"]), plan, status, status_seq,
        0, start, ended, result, events, error_count, tool_call_count, recovery_count, start, ended or now,
        abandoned_at))


def load(connection, rows: Rows) -> None:
    """COPY the rows in (one statement per table, so the statement triggers run once each)."""
    copies = [
        ("hindsight.executions (execution_id, domain, agent_id, goal, plan, status, status_seq, meta_seq, started_at, "
         "ended_at, final_result, event_count, error_count, tool_call_count, recovery_count, first_event_at, "
         "last_event_at, abandoned_at)", rows.executions),
        ("hindsight.phases (execution_id, phase, started_at, start_seq, ended_at, end_seq, success, error, "
         "estimated_duration_s, retry_count, error_count, start_count)", rows.phases),
        ("hindsight.tool_usage (execution_id, tool, calls, total_ms)", rows.tools),
        ("hindsight.errors (execution_id, event_id, seq, ts, phase, error_type, message)", rows.errors),
        ("hindsight.recovery_attempts (execution_id, event_id, seq, ts, phase, failure_type, strategy, success)",
         rows.recoveries),
    ]
    with connection.cursor() as cursor:
        for target, values in copies:
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)


def now_utc() -> datetime:
    return datetime.now(timezone.utc)
