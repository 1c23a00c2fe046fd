extension PlanOptimizer {
    /// Advice from similar executions, in the seed's order and wording.
    ///
    /// Order hint, time for the slowest phase, validation when errors are common, reliability when more
    /// than 80 % completed, and the most used tool (ties → name order).
    public static func bestPractices(from traces: [ExecutionTrace], insights: PerformanceInsights) -> [String] {
        var practices: [String] = []
        if !insights.optimalPhaseOrder.isEmpty {
            practices.append("Use phase order: " + insights.optimalPhaseOrder.joined(separator: " -> "))
        }
        if let slow = insights.slowPhases.first {
            // Formatted, never below one second: a truncated mean once advised "at least 0 seconds".
            let time = DurationFormatter.text(seconds: Swift.max(1, slow.averageDuration))
            practices.append("Allocate at least \(time) for '\(slow.phaseName)'")
        }
        if !insights.commonErrors.isEmpty { practices.append("Add validation before phases prone to errors") }
        let completed = traces.count { $0.status == .completed }
        if !traces.isEmpty, Double(completed) > 0.8 * Double(traces.count) {
            practices.append("Current approach is reliable - minimal changes recommended")
        }
        var tools: [String: Int] = [:]
        for trace in traces {
            for event in trace.events where event.kind == .toolCall {
                if let tool = event.tool, !tool.isEmpty { tools[tool, default: 0] += 1 }
            }
        }
        if let top = tools.min(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            practices.append("'\(top.key)' tool is commonly used - ensure availability")
        }
        return practices
    }

    /// A plan's score, `0...100`: 50, +10 for 3–5 phases, +10 for parallel groups, +10 × share of phases
    /// with success indicators, +10 for listed risks, +10 when the phase count equals the most common
    /// count among completed references with a plan (4 when none has one; ties → the smaller count).
    public static func score(_ plan: ExecutionPlan, references: [ExecutionTrace]) -> Double {
        var score = 50.0
        if (3...5).contains(plan.phaseCount) { score += 10 }
        if !plan.parallelOpportunities.isEmpty { score += 10 }
        let withIndicators = plan.phases.count { !$0.successIndicators.isEmpty }
        score += 10 * Double(withIndicators) / Double(plan.phaseCount)
        if !plan.riskFactors.isEmpty { score += 10 }
        let completed = references.filter { $0.status == .completed }
        if !completed.isEmpty {
            var counts: [Int: Int] = [:]
            for trace in completed { if let p = trace.plan { counts[p.phaseCount, default: 0] += 1 } }
            let common = counts.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }?.key ?? 4
            if plan.phaseCount == common { score += 10 }
        }
        return Swift.min(score, 100)
    }
}
