/// Learns from a domain's executions: slow phases, error patterns, the best phase order, insight texts,
/// recommendations and a confidence from the sample size.
///
/// One linear pass over the events (see `docs/learning-core.md`). Differences from the seed: traces are
/// filtered by the domain asked for; error messages are normalized into patterns before counting;
/// slowness must be material in absolute time as well as relative (``isSlow(mean:estimate:share:)``);
/// the best order is mined from start timestamps of successful, fast executions (``PhaseOrderMiner``).
public struct PerformanceAnalyzer: Sendable {
    /// Sample size below which confidence is scaled down. Defaults to `10`.
    public var minimumSampleSize: Int
    /// A phase whose mean duration is at least this multiple of its mean estimate is slow. Defaults to `1.25`.
    public var overrunFactor: Double = 1.25
    /// A phase taking at least this share of the summed mean phase durations is slow. Defaults to `0.4`.
    public var dominantShare: Double = 0.4
    /// The least time, in seconds, that makes slowness material: an overrun must exceed the estimate by
    /// at least this much, a dominant phase must last at least this long. Defaults to `5`.
    public var materialSeconds: Double
    /// How many slow phases and error patterns are reported. Defaults to `5`.
    public var reportLimit: Int = 5

    /// Creates an analyzer.
    ///
    /// - Parameters:
    ///   - minimumSampleSize: Sample size below which confidence is scaled down. Defaults to `10`.
    ///   - materialSeconds: The least time that makes a phase's slowness material. Defaults to `5`.
    public init(minimumSampleSize: Int = 10, materialSeconds: Double = 5) {
        self.minimumSampleSize = minimumSampleSize
        self.materialSeconds = materialSeconds
    }

    /// Whether a phase with this mean duration, mean estimate and share of the summed mean phase
    /// durations is slow.
    ///
    /// Slow when it overruns its estimate materially — `mean ≥ overrunFactor × estimate` **and**
    /// `mean − estimate ≥ materialSeconds` — or when it dominates materially — `share ≥ dominantShare`
    /// **and** `mean ≥ materialSeconds` **and**, when an estimate exists, `mean > estimate`. A phase that
    /// averages within its estimate is never slow, and neither is one that lasts milliseconds against a
    /// minute's estimate (the seed's share rule alone flagged it and advised "allocate at least 0 seconds").
    public func isSlow(mean: Double, estimate: Double?, share: Double) -> Bool {
        let overrun = estimate.map { mean >= overrunFactor * $0 && mean - $0 >= materialSeconds } ?? false
        let dominant = share >= dominantShare && mean >= materialSeconds && estimate.map { mean > $0 } ?? true
        return mean > 0 && (overrun || dominant)
    }

    /// The confidence for `sampleSize` executions (``SampleConfidence``).
    public func confidence(sampleSize: Int) -> Double {
        SampleConfidence.score(sampleSize: sampleSize, minimumSampleSize: minimumSampleSize)
    }

    /// Analyses the traces of `domain` among `traces` (others are ignored).
    ///
    /// With no trace of the domain the result says "Insufficient data for analysis" with confidence `0`.
    public func analyze(_ traces: [ExecutionTrace], domain: String) -> PerformanceInsights {
        var acc = DomainAccumulator()
        // Index the buffer so traces are borrowed, not copied (a copy retains every field).
        traces.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where buffer[i].domain == domain { acc.add(buffer[i]) }
        }
        return insights(from: acc, domain: domain, traces: traces, filtered: true)
    }

    /// Analyses every trace given, whatever its domain, reporting under `label` (used for similar
    /// executions, which may come from related domains).
    func analyzeAll(_ traces: [ExecutionTrace], label: String) -> PerformanceInsights {
        var acc = DomainAccumulator()
        for trace in traces { acc.add(trace) }
        return insights(from: acc, domain: label, traces: traces, filtered: false)
    }

    func insights(from acc: DomainAccumulator, domain: String, traces: [ExecutionTrace], filtered: Bool) -> PerformanceInsights {
        let n = acc.sampleSize
        guard n > 0 else {
            return try! PerformanceInsights(
                goalDomain: domain, sampleSize: 0,
                insights: ["Insufficient data for analysis"],
                recommendations: ["Execute more agents to gather performance data"],
                confidenceScore: 0, slowPhases: [], commonErrors: [], optimalPhaseOrder: [])
        }
        let statistics = phaseStatistics(acc)
        let slow = statistics.filter(\.isSlow)
            .sorted { $0.meanDuration != $1.meanDuration ? $0.meanDuration > $1.meanDuration : $0.phaseName < $1.phaseName }
            .prefix(reportLimit)
            .map { SlowPhase(phaseName: $0.phaseName, averageDuration: $0.meanDuration, averageEstimate: $0.meanEstimate, shareOfTotal: $0.shareOfTotal) }
        let errors = acc.patterns.enumerated()
            .sorted { $0.element.count != $1.element.count ? $0.element.count > $1.element.count : $0.offset < $1.offset }
            .prefix(reportLimit)
            .map { item in
                ErrorPattern(
                    pattern: item.element.pattern, count: item.element.count, executionCount: item.element.executions,
                    phases: item.element.phaseIDs.map { acc.phaseNames.names[$0] }.sorted(), example: item.element.example)
            }
        var order: [String] = []
        if let best = PhaseOrderMiner.bestSequence(runs: acc.runs, sequenceCount: acc.sequences.count) {
            order = acc.sequences[best].map { acc.phaseNames.names[$0] }
        } else {
            order = PhaseOrderMiner.mostCommonPlannedOrder(traces.lazy.filter { !filtered || $0.domain == domain })
        }
        var apiCalls = 0
        for (id, tool) in acc.toolNames.names.enumerated() where MetricsCollector.languageModelTools.contains(tool) {
            apiCalls += acc.toolCounts[id]
        }
        let facts = InsightWriter.Facts(
            sampleSize: n, completed: acc.completedCount, averageDuration: acc.durationSum / Double(n),
            slowest: slow.first, topError: errors.first,
            averageAccuracy: acc.accuracySum / Double(n), averagePhaseSuccess: acc.phaseSuccessSum / Double(n),
            apiCalls: apiCalls)
        return try! PerformanceInsights(
            goalDomain: domain, sampleSize: n,
            insights: InsightWriter.insights(facts),
            recommendations: InsightWriter.recommendations(facts),
            confidenceScore: confidence(sampleSize: n),
            slowPhases: Array(slow), commonErrors: Array(errors), optimalPhaseOrder: order,
            successRate: Double(acc.completedCount) / Double(n),
            phaseStatistics: statistics)
    }

    private func phaseStatistics(_ acc: DomainAccumulator) -> [PhaseStatistics] {
        let measured = acc.phases.indices.filter { !acc.phases[$0].durations.isEmpty }
        let meanTotal = measured.reduce(0.0) { $0 + acc.phases[$1].durationSum / Double(acc.phases[$1].durations.count) }
        return measured.map { id -> PhaseStatistics in
            let totals = acc.phases[id]
            let count = totals.durations.count
            var values = totals.durations
            let p = Percentile.continuous([0.5, 0.75, 0.9, 0.95, 0.99], selectingIn: &values).map { $0! }
            let mean = totals.durationSum / Double(count)
            let estimate = totals.estimateCount > 0 ? totals.estimateSum / Double(totals.estimateCount) : nil
            let share = meanTotal > 0 ? mean / meanTotal : 0
            return PhaseStatistics(
                phaseName: acc.phaseNames.names[id], sampleCount: count, meanDuration: mean,
                p50: p[0], p75: p[1], p90: p[2], p95: p[3], p99: p[4],
                meanEstimate: estimate, successRate: Double(totals.successes) / Double(count),
                retryCount: totals.retries, shareOfTotal: share,
                isSlow: isSlow(mean: mean, estimate: estimate, share: share))
        }.sorted { $0.phaseName < $1.phaseName }
    }

    /// Compares a domain before and after a change (mean durations and success rates).
    public func compareBeforeAfter(before: [ExecutionTrace], after: [ExecutionTrace], domain: String) -> BeforeAfterComparison {
        let b = before.filter { $0.domain == domain }, a = after.filter { $0.domain == domain }
        let bm = MetricsAggregate(b.map(MetricsCollector.collect)), am = MetricsAggregate(a.map(MetricsCollector.collect))
        let durationGain = bm.averageDuration > 0 ? (bm.averageDuration - am.averageDuration) / bm.averageDuration * 100 : 0
        let successGain = (am.averageSuccessRate - bm.averageSuccessRate) * 100
        return BeforeAfterComparison(
            domain: domain, beforeSampleSize: b.count, afterSampleSize: a.count,
            durationImprovementPercent: durationGain, successRateImprovementPoints: successGain,
            beforeAverageDuration: bm.averageDuration, afterAverageDuration: am.averageDuration,
            improved: durationGain > 0 || successGain > 0,
            confidence: Swift.min(confidence(sampleSize: b.count), confidence(sampleSize: a.count)))
    }
}
