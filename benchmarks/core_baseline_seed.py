#!/usr/bin/env python3
"""Python baseline for `hindsight-bench core`: the seed's learning core, re-implemented.

The original source (rysweet/amplihack, branch feat/issue-1293-all-phases-complete, Phase 4) is not
available offline, so this file is a faithful re-implementation of the seed's `analyze_domain`,
`adapt_plan` and `generate_recovery_strategy` written straight from the seed's specification (sections
1, 4, 5, 6 and 8): the same dataclass models with `__post_init__` validation, naive-UTC `datetime`
timestamps, the regex duration parser, `Counter`/`defaultdict` aggregations, `copy.deepcopy` of phases,
`uuid4()`/`utcnow()` in adapted plans, and the seed's constants and message texts. Its known bugs are
kept on purpose (it is the baseline, not the product).

The synthetic traces come from the same seeded SplitMix64 rule as
Sources/HindsightTesting/BenchCoreTraces.swift, drawn in the same order, so both languages
analyse identical executions; the checksums printed at the end prove it, and the summaries (success
rate, slowest phases' means, best order, error patterns: see `summary`) show both computed the same.

Usage: python3 benchmarks/core_baseline_seed.py --seed 42 --sizes 100 10000 100000
Prints human-readable lines, then one JSON line {"figures": {...}, "checksums": {...}, "summaries":
{...}} (figures: seconds of thread CPU time, median of repeated runs).
"""

import argparse
import copy
import json
import re
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

# ----------------------------------------------------------------------------------------------- models (§1)


@dataclass
class GoalDefinition:
    raw_prompt: str
    goal: str
    domain: str
    constraints: List[str] = field(default_factory=list)
    success_criteria: List[str] = field(default_factory=list)
    context: Dict[str, Any] = field(default_factory=dict)
    complexity: str = "moderate"

    def __post_init__(self):
        if not self.raw_prompt.strip():
            raise ValueError("Raw prompt cannot be empty")
        if not self.goal.strip():
            raise ValueError("Goal must be specified")
        if not self.domain.strip():
            raise ValueError("Domain must be specified")


@dataclass
class PlanPhase:
    name: str
    description: str
    required_capabilities: List[str]
    estimated_duration: str
    dependencies: List[str] = field(default_factory=list)
    parallel_safe: bool = True
    success_indicators: List[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.name:
            raise ValueError("Phase must have a name")
        if not self.required_capabilities:
            raise ValueError(f"Phase {self.name} must specify required capabilities")


@dataclass
class ExecutionPlan:
    goal_id: uuid.UUID
    phases: List[PlanPhase]
    total_estimated_duration: str
    required_skills: List[str] = field(default_factory=list)
    parallel_opportunities: List[List[str]] = field(default_factory=list)
    risk_factors: List[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=datetime.utcnow)

    def __post_init__(self):
        if not self.phases:
            raise ValueError("Plan must have at least one phase")
        if len(self.phases) > 10:
            raise ValueError("Plan should have 3-5 phases for MVP (max 10)")

    @property
    def phase_count(self) -> int:
        return len(self.phases)


@dataclass
class ExecutionEvent:
    timestamp: datetime
    event_type: str
    phase_name: Optional[str] = None
    data: Dict[str, Any] = field(default_factory=dict)
    duration_ms: Optional[float] = None

    def __post_init__(self):
        if not self.event_type:
            raise ValueError("Event must have a type")


@dataclass
class ExecutionTrace:
    execution_id: uuid.UUID = field(default_factory=uuid.uuid4)
    agent_bundle_id: uuid.UUID = field(default_factory=uuid.uuid4)
    goal_definition: Optional[GoalDefinition] = None
    execution_plan: Optional[ExecutionPlan] = None
    events: List[ExecutionEvent] = field(default_factory=list)
    start_time: datetime = field(default_factory=datetime.utcnow)
    end_time: Optional[datetime] = None
    status: str = "running"
    final_result: Optional[str] = None

    def __post_init__(self):
        if self.end_time and self.end_time < self.start_time:
            raise ValueError("End time cannot be before start time")

    @property
    def duration_seconds(self) -> Optional[float]:
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()


@dataclass
class PhaseMetrics:
    phase_name: str
    estimated_duration: float
    actual_duration: float
    accuracy_ratio: float
    success: bool
    error_message: Optional[str] = None
    retry_count: int = 0

    def __post_init__(self):
        if not self.phase_name:
            raise ValueError("Phase name required")
        if self.actual_duration < 0:
            raise ValueError("Duration cannot be negative")


@dataclass
class ExecutionMetrics:
    execution_id: uuid.UUID
    total_duration_seconds: float
    phase_metrics: Dict[str, PhaseMetrics]
    success_rate: float
    error_count: int
    tool_usage: Dict[str, int] = field(default_factory=dict)
    api_calls: int = 0
    tokens_used: int = 0

    def __post_init__(self):
        if not 0 <= self.success_rate <= 1:
            raise ValueError(f"Success rate must be 0-1, got {self.success_rate}")
        if self.error_count < 0:
            raise ValueError("Error count cannot be negative")

    @property
    def average_accuracy_ratio(self) -> float:
        if not self.phase_metrics:
            return 1.0
        return sum(m.accuracy_ratio for m in self.phase_metrics.values()) / len(self.phase_metrics)


@dataclass
class PerformanceInsights:
    goal_domain: str
    sample_size: int
    insights: List[str]
    recommendations: List[str]
    confidence_score: float
    slow_phases: List[Tuple[str, float]]
    common_errors: List[Tuple[str, int]]
    optimal_phase_order: List[str]

    def __post_init__(self):
        if self.sample_size < 0:
            raise ValueError("Sample size cannot be negative")
        if not 0 <= self.confidence_score <= 1:
            raise ValueError(f"Confidence must be 0-1, got {self.confidence_score}")

    @property
    def has_sufficient_data(self) -> bool:
        return self.sample_size >= 10


@dataclass
class AdaptedExecutionPlan(ExecutionPlan):
    original_plan_id: uuid.UUID = field(default_factory=uuid.uuid4)
    adaptations: List[str] = field(default_factory=list)
    expected_improvement: float = 0.0
    confidence: float = 0.0
    adapted_at: datetime = field(default_factory=datetime.utcnow)

    def __post_init__(self):
        super().__post_init__()
        if not 0 <= self.confidence <= 1:
            raise ValueError(f"Confidence must be 0-1, got {self.confidence}")


@dataclass
class RecoveryStrategy:
    strategy_type: str
    phase_name: str
    reason: str
    actions: List[str]
    confidence: float
    estimated_cost: float

    def __post_init__(self):
        if not 0 <= self.confidence <= 1:
            raise ValueError(f"Confidence must be 0-1, got {self.confidence}")
        if self.estimated_cost < 0:
            raise ValueError("Cost cannot be negative")


# -------------------------------------------------------------------------------------- MetricsCollector (§4)


class MetricsCollector:
    @staticmethod
    def collect_metrics(trace: ExecutionTrace) -> ExecutionMetrics:
        total_duration = trace.duration_seconds or 0
        phase_metrics = MetricsCollector._collect_phase_metrics(trace)
        error_count = len([e for e in trace.events if e.event_type == "error"])
        if phase_metrics:
            success_rate = sum(1 for m in phase_metrics.values() if m.success) / len(phase_metrics)
        else:
            success_rate = 1.0 if trace.status == "completed" else 0.0
        tool_usage = MetricsCollector._count_tool_usage(trace)
        api_calls = tool_usage.get("claude", 0) + tool_usage.get("llm", 0)
        tokens_used = MetricsCollector._estimate_tokens(trace)
        return ExecutionMetrics(
            execution_id=trace.execution_id,
            total_duration_seconds=total_duration,
            phase_metrics=phase_metrics,
            success_rate=success_rate,
            error_count=error_count,
            tool_usage=tool_usage,
            api_calls=api_calls,
            tokens_used=tokens_used,
        )

    @staticmethod
    def _collect_phase_metrics(trace: ExecutionTrace) -> Dict[str, PhaseMetrics]:
        if not trace.execution_plan:
            return {}
        phase_events: Dict[str, List[ExecutionEvent]] = defaultdict(list)
        for event in trace.events:
            if event.phase_name:
                phase_events[event.phase_name].append(event)
        metrics: Dict[str, PhaseMetrics] = {}
        for phase in trace.execution_plan.phases:
            events = phase_events.get(phase.name, [])
            if not events:
                continue
            start = next((e for e in events if e.event_type == "phase_start"), None)
            end = next((e for e in events if e.event_type == "phase_end"), None)
            if not start or not end:
                continue
            actual = (end.timestamp - start.timestamp).total_seconds()
            estimated = MetricsCollector._parse_duration(phase.estimated_duration)
            metrics[phase.name] = PhaseMetrics(
                phase_name=phase.name,
                estimated_duration=estimated,
                actual_duration=actual,
                accuracy_ratio=actual / estimated if estimated > 0 else 1.0,
                success=end.data.get("success", True),
                error_message=end.data.get("error"),
                retry_count=len([e for e in events if e.event_type == "retry"]),
            )
        return metrics

    @staticmethod
    def _parse_duration(duration_str: str) -> float:
        text = duration_str.lower().strip()
        match = re.search(r"(\d+(?:\.\d+)?)", text)
        if not match:
            return 60.0
        value = float(match.group(1))
        if "hour" in text:
            return value * 3600
        if "min" in text:
            return value * 60
        if "sec" in text:
            return value
        return value * 60

    @staticmethod
    def _count_tool_usage(trace: ExecutionTrace) -> Dict[str, int]:
        usage: Dict[str, int] = defaultdict(int)
        for event in trace.events:
            if event.event_type == "tool_call":
                tool = event.data.get("tool")
                if tool:
                    usage[tool] += 1
        return dict(usage)

    @staticmethod
    def _estimate_tokens(trace: ExecutionTrace) -> int:
        calls = sum(1 for e in trace.events if e.event_type == "tool_call" and e.data.get("tool") in ("claude", "llm"))
        return calls * 1000

    @staticmethod
    def calculate_percentiles(values: List[float], percentiles: List[int]) -> Dict[str, float]:
        if not values:
            return {f"p{p}": 0.0 for p in percentiles}
        sorted_values = sorted(values)
        n = len(sorted_values)
        result = {}
        for p in percentiles:
            if p < 0 or p > 100:
                raise ValueError(f"Percentile must be 0-100, got {p}")
            index = (n - 1) * p / 100
            lower = int(index)
            upper = min(lower + 1, n - 1)
            weight = index - lower
            result[f"p{p}"] = sorted_values[lower] * (1 - weight) + sorted_values[upper] * weight
        return result

    @staticmethod
    def aggregate_metrics(metrics_list: List[ExecutionMetrics]) -> Dict[str, Any]:
        if not metrics_list:
            return {"count": 0, "avg_duration": 0, "avg_success_rate": 0, "total_errors": 0, "duration_percentiles": {}}
        durations = [m.total_duration_seconds for m in metrics_list]
        success_rates = [m.success_rate for m in metrics_list]
        tool_usage: Dict[str, int] = defaultdict(int)
        for m in metrics_list:
            for tool, count in m.tool_usage.items():
                tool_usage[tool] += count
        return {
            "count": len(metrics_list),
            "avg_duration": sum(durations) / len(durations),
            "avg_success_rate": sum(success_rates) / len(success_rates),
            "total_errors": sum(m.error_count for m in metrics_list),
            "duration_percentiles": MetricsCollector.calculate_percentiles(durations, [50, 95, 99]),
            "tool_usage": dict(tool_usage),
            "total_api_calls": sum(m.api_calls for m in metrics_list),
            "total_tokens": sum(m.tokens_used for m in metrics_list),
        }


# ----------------------------------------------------------------------------------- PerformanceAnalyzer (§5)


class PerformanceAnalyzer:
    def __init__(self, min_sample_size: int = 10):
        self.min_sample_size = min_sample_size

    def analyze_domain(self, traces: List[ExecutionTrace], domain: str) -> PerformanceInsights:
        if not traces:
            return PerformanceInsights(
                goal_domain=domain, sample_size=0, insights=["Insufficient data for analysis"],
                recommendations=["Execute more agents to gather performance data"], confidence_score=0.0,
                slow_phases=[], common_errors=[], optimal_phase_order=[])
        metrics_list = [MetricsCollector.collect_metrics(t) for t in traces]
        slow_phases = self._identify_slow_phases(metrics_list)
        common_errors = self._identify_common_errors(traces)
        optimal_order = self._determine_optimal_order(traces)
        insights = self._generate_insights(traces, metrics_list, slow_phases, common_errors)
        recommendations = self._generate_recommendations(metrics_list, slow_phases, common_errors)
        return PerformanceInsights(
            goal_domain=domain, sample_size=len(traces), insights=insights, recommendations=recommendations,
            confidence_score=self._calculate_confidence(len(traces)), slow_phases=slow_phases,
            common_errors=common_errors, optimal_phase_order=optimal_order)

    def _identify_slow_phases(self, metrics_list):
        phase_durations = defaultdict(list)
        for metrics in metrics_list:
            for name, pm in metrics.phase_metrics.items():
                phase_durations[name].append(pm.actual_duration)
        averages = {name: sum(d) / len(d) for name, d in phase_durations.items()}
        return sorted(averages.items(), key=lambda item: item[1], reverse=True)[:5]

    def _identify_common_errors(self, traces):
        counter = Counter()
        for trace in traces:
            for event in trace.events:
                if event.event_type == "error":
                    counter[event.data.get("message", "Unknown error")] += 1
        return counter.most_common(5)

    def _determine_optimal_order(self, traces):
        successful = [t for t in traces if t.status == "completed" and t.execution_plan]
        if not successful:
            return []
        sequences = Counter(tuple(p.name for p in t.execution_plan.phases) for t in successful)
        return list(sequences.most_common(1)[0][0])

    def _generate_insights(self, traces, metrics_list, slow_phases, common_errors):
        n = len(traces)
        completed = sum(1 for t in traces if t.status == "completed")
        insights = [f"Overall success rate: {completed / n * 100:.1f}% ({completed}/{n} executions)"]
        avg_duration = sum(m.total_duration_seconds for m in metrics_list) / len(metrics_list)
        insights.append(f"Average execution time: {avg_duration:.1f} seconds")
        if slow_phases:
            insights.append(f"Slowest phase: '{slow_phases[0][0]}' averaging {slow_phases[0][1]:.1f} seconds")
        if common_errors:
            insights.append(f"Most common error occurs in {common_errors[0][1] / n * 100:.1f}% of executions")
        avg_accuracy = sum(m.average_accuracy_ratio for m in metrics_list) / len(metrics_list)
        if avg_accuracy > 1.5:
            insights.append(f"Phases take {avg_accuracy:.1f}x longer than estimated on average")
        elif avg_accuracy < 0.7:
            insights.append(f"Phases complete faster than estimated ({avg_accuracy:.1f}x)")
        return insights

    def _generate_recommendations(self, metrics_list, slow_phases, common_errors):
        recommendations = []
        if slow_phases:
            recommendations.append(f"Optimize '{slow_phases[0][0]}' phase - consider parallelization or caching")
        if common_errors:
            recommendations.append("Add error handling and retry logic for common failure patterns")
        avg_accuracy = sum(m.average_accuracy_ratio for m in metrics_list) / len(metrics_list)
        if avg_accuracy > 1.5:
            recommendations.append("Increase duration estimates by 50-100% for more realistic planning")
        aggregate = MetricsCollector.aggregate_metrics(metrics_list)
        if aggregate.get("total_api_calls", 0) > 50 * len(metrics_list):
            recommendations.append("High API usage detected - consider batching or caching strategies")
        if aggregate["avg_success_rate"] < 0.7:
            recommendations.append("Success rate below 70% - add validation checkpoints between phases")
        return recommendations or ["Performance is within acceptable range"]

    def _calculate_confidence(self, n: int) -> float:
        if n >= 100:
            return 1.0
        if n >= 50:
            return 0.9
        if n >= 20:
            return 0.7
        if n >= self.min_sample_size:
            return 0.5
        return max(0.1, n / self.min_sample_size * 0.5)


# -------------------------------------------------------------------------------------- AdaptationEngine (§6)


class AdaptationEngine:
    def __init__(self, min_confidence: float = 0.5):
        self.min_confidence = min_confidence

    def adapt_plan(self, original_plan: ExecutionPlan, insights: PerformanceInsights, aggressive: bool = False):
        if insights.confidence_score < self.min_confidence:
            return self._no_adaptation(original_plan, "Insufficient confidence")
        adaptations = []
        improvement = 0.0
        phases = copy.deepcopy(original_plan.phases)
        if insights.optimal_phase_order:
            phases, gain = self._reorder_phases(phases, insights.optimal_phase_order)
            if gain > 0:
                adaptations.append(f"Reordered phases based on {insights.sample_size} successful executions")
                improvement += gain
        if insights.slow_phases:
            phases, gain = self._adjust_durations(phases, insights.slow_phases)
            if gain > 0:
                adaptations.append(f"Adjusted duration estimates for {len(insights.slow_phases)} slow phases")
                improvement += gain
        if insights.common_errors:
            phases, gain = self._add_error_handling(phases, insights.common_errors, aggressive)
            if gain > 0:
                adaptations.append(f"Added error handling for {len(insights.common_errors)} common failures")
                improvement += gain
        if insights.sample_size > 0:
            success_mentions = sum(1 for i in insights.insights if "success rate" in i.lower())
            if success_mentions < 0.7 or aggressive:
                phases, gain = self._add_checkpoints(phases)
                adaptations.append("Added validation checkpoints between phases")
                improvement += gain
        if not adaptations:
            return self._no_adaptation(original_plan, "No beneficial adaptations found")
        return AdaptedExecutionPlan(
            goal_id=original_plan.goal_id, phases=phases,
            total_estimated_duration=self._recalculate_total_duration(phases),
            required_skills=original_plan.required_skills,
            parallel_opportunities=self._recalculate_parallel_opportunities(phases),
            risk_factors=original_plan.risk_factors, original_plan_id=uuid.uuid4(), adaptations=adaptations,
            expected_improvement=min(improvement, 50.0), confidence=insights.confidence_score,
            adapted_at=datetime.utcnow())

    def _no_adaptation(self, plan, reason):
        return AdaptedExecutionPlan(
            goal_id=plan.goal_id, phases=plan.phases, total_estimated_duration=plan.total_estimated_duration,
            required_skills=plan.required_skills, parallel_opportunities=plan.parallel_opportunities,
            risk_factors=plan.risk_factors, original_plan_id=uuid.uuid4(),
            adaptations=[f"No adaptations applied: {reason}"], expected_improvement=0.0, confidence=0.0)

    def _reorder_phases(self, phases, optimal_order):
        if not optimal_order or len(optimal_order) != len(phases):
            return phases, 0.0
        by_name = {p.name: p for p in phases}
        if any(name not in by_name for name in optimal_order):
            return phases, 0.0
        reordered = []
        for name in optimal_order:
            phase = by_name[name]
            placed = {p.name for p in reordered}
            if all(dep in placed for dep in phase.dependencies):
                reordered.append(phase)
        for phase in phases:
            if phase not in reordered:
                reordered.append(phase)
        return reordered, (5.0 if reordered != phases else 0.0)

    def _adjust_durations(self, phases, slow_phases):
        slow = dict(slow_phases)
        changed = False
        for phase in phases:
            if phase.name in slow:
                phase.estimated_duration = f"{int(slow[phase.name] * 1.2)} seconds"
                changed = True
        return phases, (10.0 if changed else 0.0)

    def _add_error_handling(self, phases, common_errors, aggressive):
        added = 0
        for phase in phases:
            if "error_handling" not in phase.required_capabilities:
                phase.required_capabilities.append("error_handling")
                added += 1
            if aggressive and "retry_logic" not in phase.required_capabilities:
                phase.required_capabilities.append("retry_logic")
        return phases, (15.0 if added > 0 else 0.0)

    def _add_checkpoints(self, phases):
        for phase in phases:
            if not phase.success_indicators:
                phase.success_indicators = [
                    f"Phase '{phase.name}' completes without errors",
                    f"Output from '{phase.name}' is validated",
                ]
        return phases, 10.0

    def _recalculate_total_duration(self, phases):
        total = 0
        for phase in phases:
            text = phase.estimated_duration.lower()
            if "hour" in text:
                total += int(text.split()[0]) * 3600
            elif "minute" in text:
                total += int(text.split()[0]) * 60
            elif "second" in text:
                total += int(text.split()[0])
        if total >= 3600:
            return f"{total // 3600} hours"
        if total >= 60:
            return f"{total // 60} minutes"
        return f"{total} seconds"

    def _recalculate_parallel_opportunities(self, phases):
        independent = [p.name for p in phases if not p.dependencies and p.parallel_safe]
        return [independent] if len(independent) > 1 else []


# ------------------------------------------------------------------------------------ SelfHealingManager (§8)


class SelfHealingManager:
    def __init__(self, max_retries: int = 3):
        self.max_retries = max_retries
        self.recovery_history: Dict[str, List[RecoveryStrategy]] = defaultdict(list)
        self.success_rates: Dict[str, Dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def generate_recovery_strategy(self, trace, phase, failure_type, retry_count=0):
        if retry_count >= self.max_retries:
            return self._create_escalate_strategy(phase, "Max retries exceeded")
        learned = self._get_best_learned_strategy(phase.name, failure_type)
        if learned:
            return learned
        if failure_type == "timeout":
            return self._create_retry_strategy(phase, "Timeout may be transient")
        if failure_type == "network_error":
            return self._create_retry_strategy(phase, "Network issues often resolve")
        if failure_type == "resource_not_found":
            return self._create_simplify_strategy(phase, "Resource may need to be created first")
        if failure_type == "permission_denied":
            return self._create_escalate_strategy(phase, "Permission issues require manual intervention")
        if failure_type == "resource_exhaustion":
            return self._create_simplify_strategy(phase, "Reduce resource requirements")
        if failure_type == "syntax_error":
            if retry_count == 0:
                return self._create_retry_strategy(phase, "Retry with corrected syntax")
            return self._create_skip_strategy(phase, "Syntax cannot be fixed")
        return self._create_retry_strategy(phase, "Unknown error - try once more")

    def _create_retry_strategy(self, phase, reason):
        return RecoveryStrategy(
            strategy_type="retry", phase_name=phase.name, reason=reason,
            actions=["Wait 5 seconds", f"Retry phase '{phase.name}'", "Log retry attempt"], confidence=0.7,
            estimated_cost=float(phase.estimated_duration.split()[0]) * 1.2)

    def _create_skip_strategy(self, phase, reason):
        return RecoveryStrategy(
            strategy_type="skip", phase_name=phase.name, reason=reason,
            actions=[f"Mark phase '{phase.name}' as skipped", "Continue to next phase", "Log skip decision"],
            confidence=0.5, estimated_cost=0.0)

    def _create_simplify_strategy(self, phase, reason):
        return RecoveryStrategy(
            strategy_type="simplify", phase_name=phase.name, reason=reason,
            actions=[f"Reduce scope of '{phase.name}'", "Use simpler approach", "Retry with reduced complexity"],
            confidence=0.6, estimated_cost=float(phase.estimated_duration.split()[0]) * 0.8)

    def _create_escalate_strategy(self, phase, reason):
        return RecoveryStrategy(
            strategy_type="escalate", phase_name=phase.name, reason=reason,
            actions=["Pause execution", f"Request human intervention for '{phase.name}'", "Provide error details and context"],
            confidence=1.0, estimated_cost=300.0)

    def _get_best_learned_strategy(self, phase_name, failure_type):
        if phase_name not in self.success_rates:
            return None
        rates = self.success_rates[phase_name]
        if not rates:
            return None
        best_type, best_rate = max(rates.items(), key=lambda item: item[1])
        if best_rate < 0.3:
            return None
        return RecoveryStrategy(
            strategy_type=best_type, phase_name=phase_name, reason=f"Learned strategy (success rate: {best_rate:.1%})",
            actions=[f"Execute learned {best_type} strategy"], confidence=best_rate, estimated_cost=60.0)


# ----------------------------------------------------------------------------- synthetic traces (shared rule)

PHASES = ["setup", "fetch", "parse", "analyze", "report", "cleanup"]
ESTIMATES = ["1 minute", "2 minutes", "90 seconds", "5 minutes", "1 minute", "30 seconds"]
BASE_SECONDS = [50, 130, 100, 280, 40, 20]
TOOLS = ["bash", "python", "claude", "grep", "llm"]
BASE_US = 1_762_887_901_000_000
BASE_DT = datetime(2025, 11, 11, 19, 5, 1)
MASK = (1 << 64) - 1
FAILURES = ["timeout", "permission_denied", "resource_not_found", "network_error", "resource_exhaustion",
            "syntax_error", "unknown_error"]


class SplitMix64:
    def __init__(self, seed: int):
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self, n: int) -> int:
        return self.next() % n


def make_plan() -> ExecutionPlan:
    phases = [PlanPhase(name=n, description=n, required_capabilities=["general"], estimated_duration=e,
                        dependencies=[] if n == "setup" else ["setup"]) for n, e in zip(PHASES, ESTIMATES)]
    return ExecutionPlan(goal_id=uuid.UUID("00000000-0000-4000-8000-00000000b001"), phases=phases,
                         total_estimated_duration="12 minutes")


def message(rng: SplitMix64) -> str:
    kind = rng.uniform(4)
    if kind == 0:
        ms = rng.uniform(5000)
        a = rng.uniform(256)
        b = rng.uniform(256)
        return f"Timeout after {ms} ms calling 10.0.{a}.{b}:8080"
    if kind == 1:
        return f"File not found: /data/input_{rng.uniform(1000)}.csv"
    if kind == 2:
        return f"Connection refused by db-{rng.uniform(10)}.internal:5432"
    v = rng.uniform(100)
    r = rng.uniform(100_000)
    return f"Invalid value '{v}' in record {r}"


def generate(count: int, seed: int):
    rng = SplitMix64(seed)
    plan = make_plan()
    goal = GoalDefinition(raw_prompt="Benchmark", goal="Process the nightly data export", domain="bench")
    traces = []
    checksum = {"events": 0, "errors": 0, "completed": 0}

    def at(us: int) -> datetime:
        return BASE_DT + timedelta(microseconds=us - BASE_US)

    for i in range(count):
        completed = rng.uniform(100) < 80
        fail_at = rng.uniform(6)
        order = list(range(6))
        if rng.uniform(10) == 0:
            order[2], order[3] = order[3], order[2]
        start = BASE_US + i * 1_000_000_000
        t = start
        events = []
        for position, p in enumerate(order):
            name = PHASES[p]
            events.append(ExecutionEvent(timestamp=at(t), event_type="phase_start", phase_name=name))
            duration = BASE_SECONDS[p] * 1_000_000 * (50 + rng.uniform(100)) // 100
            for k in (1, 2):
                tool = TOOLS[rng.uniform(5)]
                ms = float(rng.uniform(1000))
                events.append(ExecutionEvent(timestamp=at(t + duration * k // 3), event_type="tool_call",
                                             data={"tool": tool, "parameters": {}}, duration_ms=ms))
            if rng.uniform(100) < 20:
                events.append(ExecutionEvent(timestamp=at(t + duration // 2), event_type="error", phase_name=name,
                                             data={"error_type": "RuntimeError", "message": message(rng), "fatal": False}))
                checksum["errors"] += 1
            failed_here = (not completed) and position == fail_at
            events.append(ExecutionEvent(timestamp=at(t + duration), event_type="phase_end", phase_name=name,
                                         data={"success": not failed_here}))
            t += duration + rng.uniform(1_000_000)
            if failed_here:
                break
        checksum["events"] += len(events)
        if completed:
            checksum["completed"] += 1
        traces.append(ExecutionTrace(
            execution_id=uuid.UUID(int=(0x4000 << 64) | (0x8000 << 48) | i), agent_bundle_id=uuid.uuid4(),
            goal_definition=goal, execution_plan=plan, events=events, start_time=at(start), end_time=at(t),
            status="completed" if completed else "failed"))
    return traces, checksum


# The generator's four error templates, as the Swift core's ErrorMessageNormalizer writes their patterns.
# The seed counts raw messages (its top five are single random messages); folding its per-message counts
# by template gives the patterns both sides must agree on.
ERROR_TEMPLATES = [
    (re.compile(r"^Timeout after \d+ ms calling \d+\.\d+\.\d+\.\d+:\d+$"), "Timeout after <n> ms calling <ip>"),
    (re.compile(r"^File not found: /\S+$"), "File not found: <path>"),
    (re.compile(r"^Connection refused by [\w.-]+:\d+$"), "Connection refused by <host>"),
    (re.compile(r"^Invalid value '[^']*' in record \d+$"), "Invalid value <str> in record <n>"),
]


def summary(traces, insights) -> str:
    """The canonical line `hindsight-bench core` compares with the Swift core's (InsightsSummary)."""
    n = insights.sample_size
    completed = sum(1 for t in traces if t.status == "completed")
    slow = ",".join(f"{name}:{mean:.3f}" for name, mean in insights.slow_phases)
    counter = Counter()
    for trace in traces:  # the seed's own error count (_identify_common_errors), all messages
        for event in trace.events:
            if event.event_type == "error":
                counter[event.data.get("message", "Unknown error")] += 1
    patterns = Counter()
    for message, count in counter.items():
        pattern = next((p for regex, p in ERROR_TEMPLATES if regex.match(message)), message)
        patterns[pattern] += count
    errors = "|".join(f"{p}:{c}" for p, c in sorted(patterns.items(), key=lambda item: (-item[1], item[0]))[:5])
    return (f"n={n};success={completed / n if n else 0:.6f};slow={slow}"
            f";order={'>'.join(insights.optimal_phase_order)};errors={errors}")


def median_cpu(runs: int, inner: int, body) -> float:
    samples = []
    for _ in range(runs):
        start = time.thread_time()
        for _ in range(inner):
            body()
        samples.append((time.thread_time() - start) / inner)
    samples.sort()
    return samples[len(samples) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    args = parser.parse_args()
    figures, checksums, summaries = {}, {}, {}
    analyzer = PerformanceAnalyzer()
    insights_100 = None
    for size in args.sizes:
        traces, checksum = generate(size, args.seed)
        checksums[str(size)] = checksum
        runs = max(1, min(25, 20_000 // size))
        result = {}

        def analyze():
            result["insights"] = analyzer.analyze_domain(traces, "bench")

        figures[f"analysis {size}"] = median_cpu(runs, 1, analyze)
        if insights_100 is None or size == 100:
            insights_100 = result["insights"]
        summaries[str(size)] = summary(traces, result["insights"])
        print(f"  python analysed {size} traces ({checksum}): {figures[f'analysis {size}']:.4f} s", flush=True)
        del traces
    plan = make_plan()
    engine = AdaptationEngine()
    figures["adapt-plan"] = median_cpu(15, 200, lambda: engine.adapt_plan(plan, insights_100))
    manager = SelfHealingManager()
    trace = ExecutionTrace()

    def strategies():
        for k in range(7):
            manager.generate_recovery_strategy(trace, plan.phases[k % 6], FAILURES[k], retry_count=k % 2)

    figures["strategy"] = median_cpu(15, 2000, strategies) / 7
    print(json.dumps({"figures": figures, "checksums": checksums, "summaries": summaries}))


if __name__ == "__main__":
    main()
