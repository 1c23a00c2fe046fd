/// The working state of one ``AdaptationEngine/adapt(_:insights:aggressive:at:)`` call.
struct PlanAdaptation {
    var phases: [PlanPhase]
    let insights: PerformanceInsights
    let engine: AdaptationEngine
    var adaptations: [String] = []
    var changes: [PlanChange] = []
    var improvement = 0.0

    init(phases: [PlanPhase], insights: PerformanceInsights, engine: AdaptationEngine) {
        self.phases = phases
        self.insights = insights
        self.engine = engine
    }

    private func confidence(samples: Int) -> Double {
        Swift.min(insights.confidenceScore, SampleConfidence.score(sampleSize: samples))
    }

    mutating func reorder() {
        let learned = insights.optimalPhaseOrder
        guard !learned.isEmpty else { return }
        let reordered = PhaseReorderer.reorder(phases, towards: learned)
        guard reordered.map(\.name) != phases.map(\.name) else { return }
        let order = reordered.map(\.name).joined(separator: " -> ")
        changes.append(PlanChange(
            kind: .reorder, phaseName: nil, summary: "New order: \(order)",
            reason: "Successful, fast executions most often ran \(learned.joined(separator: " -> ")); dependencies kept",
            confidence: insights.confidenceScore))
        phases = reordered
        adaptations.append("Reordered phases based on \(insights.sampleSize) successful executions")
        improvement += 5
    }

    mutating func adjustDurations() {
        var changed = 0
        let percentile = engine.durationPercentile
        for i in phases.indices {
            let name = phases[i].name
            let current = phases[i].estimatedSeconds ?? MetricsCollector.defaultEstimateSeconds
            let newText: String, reason: String, samples: Int
            if let stats = insights.statistics(forPhase: name), stats.sampleCount >= engine.minimumPhaseSamples {
                let target = percentile.value(in: stats)
                guard abs(target - current) > engine.estimateTolerance * current else { continue }
                newText = DurationFormatter.text(seconds: Swift.max(1, target))
                samples = stats.sampleCount
                let p = percentile.rawValue
                reason = "\(p) of \(samples) runs is \(InsightWriter.oneDecimal(target)) s (mean \(InsightWriter.oneDecimal(stats.meanDuration)) s, estimate \(InsightWriter.oneDecimal(current)) s); \(p) covers \(percentile.coverage), the mean only about half"
            } else if let slow = insights.slowPhases.first(where: { $0.phaseName == name }) {
                newText = DurationFormatter.text(seconds: Swift.max(1, slow.averageDuration * 1.2))
                samples = insights.sampleSize
                reason = "Too few measurements for a percentile: mean \(InsightWriter.oneDecimal(slow.averageDuration)) s + 20 % buffer"
            } else {
                continue
            }
            guard newText != phases[i].estimatedDuration else { continue }
            changes.append(PlanChange(
                kind: .duration, phaseName: name,
                summary: "'\(name)' estimate \(phases[i].estimatedDuration) -> \(newText)",
                reason: reason, confidence: confidence(samples: samples)))
            phases[i].estimatedDuration = newText
            changed += 1
        }
        guard changed > 0 else { return }
        adaptations.append("Adjusted duration estimates for \(changed) phases")
        improvement += 10
    }

    mutating func addErrorHandling(aggressive: Bool) {
        let errors = insights.commonErrors
        let hasPhaseEvidence = !insights.phaseStatistics.isEmpty || errors.contains { !$0.phases.isEmpty }
        var added = 0
        for i in phases.indices {
            let name = phases[i].name
            let stats = insights.statistics(forPhase: name)
            let failureRate = stats.map { 1 - $0.successRate } ?? 0
            let failing = stats != nil && failureRate >= engine.failureRateThreshold
            let named = errors.contains { $0.phases.contains(name) }
            let fallback = !hasPhaseEvidence && !insights.commonErrors.isEmpty
            guard aggressive || failing || named || fallback else { continue }
            if aggressive, !phases[i].requiredCapabilities.contains("retry_logic") {
                phases[i].requiredCapabilities.append("retry_logic")
            }
            guard !phases[i].requiredCapabilities.contains("error_handling") else { continue }
            phases[i].requiredCapabilities.append("error_handling")
            added += 1
            let reason = failing
                ? "Failed in \(InsightWriter.oneDecimal(failureRate * 100))% of \(stats!.sampleCount) runs"
                : named ? "Common error patterns occur in this phase"
                : aggressive ? "Aggressive mode" : "Common errors without phase attribution"
            changes.append(PlanChange(
                kind: .errorHandling, phaseName: name, summary: "Adds error_handling",
                reason: reason, confidence: confidence(samples: stats?.sampleCount ?? insights.sampleSize)))
        }
        guard added > 0 else { return }
        adaptations.append("Added error handling to \(added) phases (\(insights.commonErrors.count) common failure patterns)")
        improvement += 15
    }

    mutating func addCheckpoints(aggressive: Bool) {
        guard insights.sampleSize > 0 || aggressive else { return }
        let overall = insights.successRate ?? Self.successRate(in: insights.insights)
        let everywhere = aggressive || (overall.map { $0 < engine.lowSuccessThreshold } ?? false)
        var added = 0
        for i in phases.indices where phases[i].successIndicators.isEmpty {
            let name = phases[i].name
            let stats = insights.statistics(forPhase: name)
            let low = stats.map { $0.successRate < engine.lowSuccessThreshold } ?? false
            guard everywhere || low else { continue }
            phases[i].successIndicators = ["Phase '\(name)' completes without errors", "Output from '\(name)' is validated"]
            added += 1
            let reason = low
                ? "Phase success rate \(InsightWriter.oneDecimal(stats!.successRate * 100))% is below \(InsightWriter.oneDecimal(engine.lowSuccessThreshold * 100))%"
                : aggressive ? "Aggressive mode"
                : "Overall success rate \(InsightWriter.oneDecimal((overall ?? 0) * 100))% is below \(InsightWriter.oneDecimal(engine.lowSuccessThreshold * 100))%"
            changes.append(PlanChange(
                kind: .checkpoint, phaseName: name, summary: "Adds validation checkpoints",
                reason: reason, confidence: confidence(samples: stats?.sampleCount ?? insights.sampleSize)))
        }
        guard added > 0 else { return }
        adaptations.append("Added validation checkpoints between phases")
        improvement += 10
    }

    /// The first percentage in an insight mentioning "success rate" (for insights written by hand).
    static func successRate(in insights: [String]) -> Double? {
        for line in insights where line.lowercased().contains("success rate") {
            let bytes = Array(line.utf8)
            var i = 0
            while i < bytes.count {
                guard bytes[i] >= 48, bytes[i] <= 57 else { i += 1; continue }
                var j = i
                while j < bytes.count, (bytes[j] >= 48 && bytes[j] <= 57) || bytes[j] == 46 { j += 1 }
                if j < bytes.count, bytes[j] == 37, let value = Double(String(decoding: bytes[i..<j], as: UTF8.self)) {
                    return value / 100
                }
                i = j
            }
        }
        return nil
    }
}
