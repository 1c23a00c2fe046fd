"""Records one execution as wire events, like the Swift `ExecutionRecorder` (same calls, same events)."""
from __future__ import annotations

import uuid
from typing import Callable, Optional, Sequence

from .wire import now_micros, timestamp


class ExecutionRecorder:
    """Builds the events of one execution; publishing is separate (`EventPublisher.publish(recorder.events)`).

    Every event gets a fresh `event_id`, the next `seq` and the time `at` (microseconds since the Unix
    epoch; default: now), so a test or a replay can pass its own clock and ids.

        recorder = ExecutionRecorder(domain="data-processing")
        recorder.start(goal="Clean the sales data", plan=["extraction", "loading"], agent_id="agent-7")
        recorder.start_phase("extraction", estimated_seconds=60)
        recorder.tool_used("sql", duration_ms=412, phase="extraction")
        recorder.end_phase("extraction")
        recorder.complete(status="completed")
    """

    def __init__(self, domain: str, execution_id: Optional[uuid.UUID] = None,
                 make_id: Callable[[], uuid.UUID] = uuid.uuid4, clock: Callable[[], int] = now_micros):
        self.domain = domain
        self.execution_id = execution_id or uuid.uuid4()
        self.events: list[dict] = []
        self._make_id = make_id
        self._clock = clock

    def record(self, type: str, phase: Optional[str] = None, at: Optional[int] = None,
               data: Optional[dict] = None) -> dict:
        """Appends an event of any type (an open set, e.g. `checkpoint.saved`) and returns it."""
        event = {
            "event_id": str(self._make_id()).lower(),
            "execution_id": str(self.execution_id).lower(),
            "seq": len(self.events),
            "ts": timestamp(self._clock() if at is None else at),
            "type": type,
            "domain": self.domain,
            "phase": phase,
            "data": {k: v for k, v in (data or {}).items() if v is not None},
        }
        self.events.append(event)
        return event

    def start(self, goal: str, plan: Sequence[str], agent_id: Optional[str] = None, at: Optional[int] = None,
              ab_test: Optional[str] = None, variant: Optional[str] = None) -> dict:
        """`execution_started`; `ab_test`/`variant` report the adapter's A/B variant the execution runs."""
        return self.record("execution_started", at=at, data={
            "goal": goal, "agent_id": agent_id, "plan": list(plan), "ab_test": ab_test, "variant": variant})

    def start_phase(self, phase: str, estimated_seconds: Optional[float] = None, at: Optional[int] = None) -> dict:
        """`phase_started`, with the planned duration if known."""
        return self.record("phase_started", phase=phase, at=at, data={"estimated_duration_s": estimated_seconds})

    def end_phase(self, phase: str, success: bool = True, error: Optional[str] = None,
                  at: Optional[int] = None) -> dict:
        """`phase_completed`."""
        return self.record("phase_completed", phase=phase, at=at, data={"success": success, "error": error})

    def tool_used(self, tool: str, duration_ms: float, phase: Optional[str] = None, at: Optional[int] = None) -> dict:
        """`tool_used`: one call of a tool and how long it took (milliseconds, finite, ≥ 0)."""
        return self.record("tool_used", phase=phase, at=at, data={"tool": tool, "duration_ms": duration_ms})

    def error(self, type: str, message: str, phase: Optional[str] = None, fatal: bool = False,
              at: Optional[int] = None) -> dict:
        """`error`, e.g. `error("TimeoutError", "Query timed out", phase="loading")`."""
        return self.record("error", phase=phase, at=at, data={"error_type": type, "message": message, "fatal": fatal})

    def recovery_attempted(self, strategy: str, failure_type: Optional[str], success: bool,
                           phase: Optional[str], at: Optional[int] = None) -> dict:
        """`recovery_attempted` once its outcome is known; `strategy` is retry, skip, simplify, escalate or abort."""
        return self.record("recovery_attempted", phase=phase, at=at, data={
            "success": success, "strategy": strategy, "failure_type": failure_type})

    def complete(self, status: str, result: Optional[str] = None, at: Optional[int] = None) -> dict:
        """`execution_completed`; `status` is completed, failed or recovered."""
        return self.record("execution_completed", at=at, data={"status": status, "result": result})
