/// Computes ``ExecutionMetrics`` from traces, and aggregates and compares them.
///
/// Pure and stateless, like the seed's `MetricsCollector`, with these corrections: phase durations
/// come from the earliest `phase_start` and the latest `phase_end` of a phase (so retries and
/// out-of-order arrival are handled), an end before the start drops that phase instead of failing the
/// whole trace, and plan-less traces still get phase metrics from their events.
public enum MetricsCollector {
    /// Tools whose calls count as language-model API calls.
    public static let languageModelTools: Set<String> = ["claude", "llm"]
    /// Estimated tokens per language-model call (the seed's constant).
    public static let tokensPerLanguageModelCall = 1000
    /// Seconds assumed for an estimate without any number (the seed's default).
    public static let defaultEstimateSeconds = 60.0

    /// The metrics of one trace.
    public static func collect(_ trace: ExecutionTrace) -> ExecutionMetrics {
        let phases = phaseMetrics(of: trace)
        var errors = 0
        var tools: [String: Int] = [:]
        var modelCalls = 0
        for event in trace.events {
            switch event.kind {
            case .error:
                errors += 1
            case .toolCall:
                guard let tool = event.tool, !tool.isEmpty else { continue }
                tools[tool, default: 0] += 1
                if languageModelTools.contains(tool) { modelCalls += 1 }
            default:
                break
            }
        }
        let successRate: Double = phases.isEmpty
            ? (trace.status == .completed ? 1 : 0)
            : Double(phases.count { $0.success }) / Double(phases.count)
        // Every value is in range by construction, so validation cannot fail.
        return try! ExecutionMetrics(
            executionID: trace.executionID,
            totalDurationSeconds: trace.durationSeconds ?? 0,
            phaseMetrics: phases,
            successRate: successRate,
            errorCount: errors,
            toolUsage: tools,
            apiCalls: modelCalls,
            tokensUsed: modelCalls * tokensPerLanguageModelCall
        )
    }

    /// Per-phase metrics of one trace: plan phases in plan order, or without a plan every phase that
    /// has events, in the order the phases first started (estimate `0`, accuracy `1`).
    public static func phaseMetrics(of trace: ExecutionTrace) -> [PhaseMetrics] {
        var spans = PhaseSpans()
        for event in trace.events { spans.add(event) }
        let names: [String]
        var estimates: [String: Double] = [:]
        if let plan = trace.plan {
            names = plan.phases.map(\.name)
            for phase in plan.phases { estimates[phase.name] = phase.estimatedSeconds ?? defaultEstimateSeconds }
        } else {
            names = spans.namesInStartOrder()
        }
        return names.compactMap { name in
            guard let span = spans[name], let start = span.firstStart, let end = span.lastEnd, end >= start else {
                return nil
            }
            let actual = end.seconds(since: start)
            let estimate = estimates[name] ?? 0
            return try? PhaseMetrics(
                phaseName: name,
                estimatedDuration: estimate,
                actualDuration: actual,
                accuracyRatio: estimate > 0 ? actual / estimate : 1.0,
                success: span.lastSuccess,
                errorMessage: span.lastError,
                retryCount: span.retries
            )
        }
    }

    /// Percentiles of `values` keyed `"p<percent>"` (`"p50"`, `"p99.9"`), percents in `0...100` as the seed took them.
    ///
    /// Empty input gives `0` for every key (the seed's rule; ``Percentile`` itself returns `nil`).
    /// - Throws: ``ModelError/percentileOutOfRange(_:)`` for a percent outside `0...100`, even for empty input.
    public static func percentiles(of values: [Double], percents: [Double]) throws(ModelError) -> [String: Double] {
        let sorted = values.sorted()
        var result: [String: Double] = [:]
        for percent in percents {
            guard percent >= 0, percent <= 100 else { throw .percentileOutOfRange(percent) }
            let key = percent == percent.rounded() ? "p\(Int(percent))" : "p\(percent)"
            result[key] = Percentile.continuous(percent / 100, sorted: sorted) ?? 0
        }
        return result
    }

    /// Aggregates many executions' metrics (empty input gives zeros and empty tool usage).
    public static func aggregate(_ metrics: [ExecutionMetrics]) -> MetricsAggregate {
        MetricsAggregate(metrics)
    }

    /// Compares `current` with `baseline`.
    public static func compare(baseline: ExecutionMetrics, current: ExecutionMetrics) -> MetricsComparison {
        MetricsComparison(baseline: baseline, current: current)
    }
}
