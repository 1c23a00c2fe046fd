#!/usr/bin/env python3
"""A Python agent that asks the adapter for a plan, runs it, asks again when a phase fails, and reports
the whole execution to Hindsight.

    scripts/services up && python3 examples/python/example.py        # HINDSIGHT_AMQP_URL to use another broker

Without a running adapter (`hindsight adapter`) the plan is run as written and failures are retried:
the calls time out and the agent carries on, as a real agent should.
"""
from __future__ import annotations

import argparse
import random
import time

from hindsight_agent import (AdapterClient, AdapterError, EventPublisher, ExecutionRecorder, Failure, PlanPhase)

PLAN = [PlanPhase("extraction", 0.2), PlanPhase("transformation", 0.3), PlanPhase("loading", 0.1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="data-processing")
    parser.add_argument("--goal", default="Clean and aggregate the sales data")
    parser.add_argument("--adapter-timeout", type=float, default=1.0, help="seconds to wait for each adapter answer")
    parser.add_argument("--seed", type=int, default=None, help="seed of the simulated work (default: random)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    recorder = ExecutionRecorder(domain=args.domain)
    with AdapterClient() as adapter:
        plan, variant = PLAN, None
        try:
            reply = adapter.optimize(args.domain, args.goal, PLAN, execution_id=str(recorder.execution_id),
                                     timeout=args.adapter_timeout)
            variant = reply.result.get("variant")
            if not variant or variant["variant"] == "B":  # B runs the adapted plan, A the plan as written
                plan = [PlanPhase(p["name"], p.get("estimated_seconds")) for p in reply.result["phases"]]
            print(f"adapter {reply.adapter}: confidence {reply.result['confidence']:.2f}, "
                  f"{len(reply.result['changes'])} change(s)")
        except AdapterError as error:
            print(f"plan as written ({error})")

        recorder.start(goal=args.goal, plan=[p.name for p in plan], agent_id="python-example",
                       ab_test=variant and variant["test"], variant=variant and variant["variant"])
        status = "completed"
        for phase in plan:
            started = time.monotonic()
            recorder.start_phase(phase.name, estimated_seconds=phase.estimated_seconds)
            recorder.tool_used("python", duration_ms=round(rng.uniform(5, 50), 3), phase=phase.name)
            time.sleep(rng.uniform(0.01, 0.05))  # the phase's work
            if phase.name == "transformation":
                # A transient failure: ask the adapter what to do, do it, report the outcome.
                message = "Query timed out after 30 seconds"
                recorder.error("TimeoutError", message, phase=phase.name)
                action = "retry"
                try:
                    answer = adapter.recovery_strategy(
                        Failure(domain=args.domain, phase=phase.name, message=message, attempt=1,
                                elapsed_seconds=time.monotonic() - started, error_type="TimeoutError",
                                execution_id=str(recorder.execution_id)),
                        timeout=args.adapter_timeout)
                    action = answer.result["action"] if answer.result["action"] in ("retry", "skip") else "retry"
                    print(f"recovery: {answer.result['action']} ({answer.result['reason']})")
                except AdapterError as error:
                    print(f"recovery: retry ({error})")
                recorder.recovery_attempted(action, failure_type="timeout", success=True, phase=phase.name)
                status = "recovered"
            recorder.end_phase(phase.name)
        recorder.complete(status=status, result="sales data aggregated")

    with EventPublisher() as publisher:
        messages = publisher.publish(recorder.events)
    print(f"execution {recorder.execution_id}: {len(recorder.events)} events published in {messages} message(s)")


if __name__ == "__main__":
    main()
