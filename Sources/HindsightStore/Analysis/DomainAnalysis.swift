import Foundation
public import HindsightCore

/// The analysis of one domain, as written to the insight tables: the learning core's
/// ``PerformanceInsights`` of the domain's executions (one source of truth), the domain summary, the
/// evidence of the recommended phase order, and the recovery statistics.
///
/// Pure: built from values read by ``AnalysisSource``, no I/O.
public struct DomainAnalysis: Sendable, Equatable, Codable {
    /// `insight_domains` without the analysis metadata.
    public struct Summary: Sendable, Equatable, Codable {
        /// Executions analysed (started within the window, any status).
        public var executions: Int
        public var completed: Int
        public var failed: Int
        public var abandoned: Int
        /// `completed / executions` (the core's success rate).
        public var successRate: Double
        /// Executions with a known duration (finished).
        public var durationCount: Int
        /// Mean, p50, p95 and p99 of those durations in seconds (continuous percentiles, as
        /// `percentile_cont`); `nil` without finished executions.
        public var durationMean: Double?
        public var durationP50: Double?
        public var durationP95: Double?
        public var durationP99: Double?

        public init(
            executions: Int, completed: Int, failed: Int, abandoned: Int, successRate: Double, durationCount: Int,
            durationMean: Double?, durationP50: Double?, durationP95: Double?, durationP99: Double?
        ) {
            self.executions = executions
            self.completed = completed
            self.failed = failed
            self.abandoned = abandoned
            self.successRate = successRate
            self.durationCount = durationCount
            self.durationMean = durationMean
            self.durationP50 = durationP50
            self.durationP95 = durationP95
            self.durationP99 = durationP99
        }
    }

    /// `insight_phases`: one phase's statistics.
    public struct PhaseRow: Sendable, Equatable, Codable {
        public var phase: String
        public var runs: Int
        public var meanSeconds: Double
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var meanEstimateSeconds: Double?
        /// `meanSeconds / meanEstimateSeconds`.
        public var estimateRatio: Double?
        public var successRate: Double
        public var retries: Int
        public var shareOfTime: Double
        public var isSlow: Bool
        /// 1 = slowest of the reported slow phases; `nil` if not reported.
        public var slowRank: Int?

        public init(
            phase: String, runs: Int, meanSeconds: Double, p50: Double, p95: Double, p99: Double,
            meanEstimateSeconds: Double?, estimateRatio: Double?, successRate: Double, retries: Int, shareOfTime: Double,
            isSlow: Bool, slowRank: Int?
        ) {
            self.phase = phase
            self.runs = runs
            self.meanSeconds = meanSeconds
            self.p50 = p50
            self.p95 = p95
            self.p99 = p99
            self.meanEstimateSeconds = meanEstimateSeconds
            self.estimateRatio = estimateRatio
            self.successRate = successRate
            self.retries = retries
            self.shareOfTime = shareOfTime
            self.isSlow = isSlow
            self.slowRank = slowRank
        }
    }

    /// `insight_error_patterns`: one pattern, most frequent first.
    public struct ErrorRow: Sendable, Equatable, Codable {
        public var rank: Int
        public var pattern: String
        public var occurrences: Int
        public var executions: Int
        public var phases: [String]
        public var example: String
    }

    /// `insight_phase_order`: the recommended order and its evidence.
    public struct PhaseOrder: Sendable, Equatable, Codable {
        public var phases: [String]
        /// Completed executions whose phases started in exactly this order.
        public var supportingRuns: Int
        /// Their mean duration in seconds.
        public var supportingMeanSeconds: Double?
        /// Mean duration of all finished executions of the domain.
        public var domainMeanSeconds: Double?
        /// How the order was chosen, in words.
        public var basis: String
    }

    /// `insight_recovery`: attempts of one strategy against one failure type.
    public struct RecoveryRow: Sendable, Equatable, Codable {
        public var failureType: String
        public var strategy: String
        public var attempts: Int
        public var successes: Int
        /// Attempts of the failure type over all strategies.
        public var sampleSize: Int
        /// ``SampleConfidence`` of that sample size.
        public var confidence: Double
    }

    /// The domain.
    public var domain: String
    /// What the learning core concluded (`PerformanceAnalyzer.analyze`).
    public var insights: PerformanceInsights
    public var summary: Summary
    public var phases: [PhaseRow]
    public var errors: [ErrorRow]
    /// `nil` when the core recommends no order (no completed execution ran or planned phases).
    public var phaseOrder: PhaseOrder?
    public var recovery: [RecoveryRow]

    /// Analyses `executions` (one domain's, in the order the core should see them) with `analyzer`.
    ///
    /// - Parameters:
    ///   - domain: The domain.
    ///   - executions: Its executions, ordered by (start, execution id).
    ///   - recovery: Its recovery counts.
    ///   - analyzer: The learning core's analyzer (its minimum sample size sets the confidence).
    public init(
        domain: String, executions: [ConsolidatedTrace], recovery: [AnalysisSource.RecoveryCount],
        analyzer: PerformanceAnalyzer
    ) {
        let traces = executions.compactMap(ExecutionTrace.init(consolidated:))
        let insights = analyzer.analyze(traces, domain: domain)
        self.domain = domain
        self.insights = insights
        summary = Self.summary(executions: executions, traces: traces)
        phases = Self.phaseRows(insights)
        errors = insights.commonErrors.enumerated().map { i, e in
            ErrorRow(rank: i + 1, pattern: e.pattern, occurrences: e.count, executions: e.executionCount,
                     phases: e.phases, example: e.example)
        }
        phaseOrder = Self.phaseOrder(insights.optimalPhaseOrder, executions: executions, traces: traces,
                                     domainMean: summary.durationMean)
        var attemptsByType: [String: Int] = [:]
        for row in recovery { attemptsByType[row.failureType, default: 0] += row.attempts }
        self.recovery = recovery.map { row in
            let n = attemptsByType[row.failureType] ?? row.attempts
            return RecoveryRow(failureType: row.failureType, strategy: row.strategy, attempts: row.attempts,
                               successes: row.successes, sampleSize: n, confidence: analyzer.confidence(sampleSize: n))
        }
    }

    private static func summary(executions: [ConsolidatedTrace], traces: [ExecutionTrace]) -> Summary {
        var completed = 0, failed = 0, abandoned = 0
        for execution in executions where execution.startedAtMicros != nil {
            switch execution.status {
            case "completed": completed += 1
            case "failed": failed += 1
            case "abandoned": abandoned += 1
            default: break
            }
        }
        var durations = traces.compactMap(\.durationSeconds)
        let mean = durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count)
        let count = durations.count
        let p = Percentile.continuous([0.5, 0.95, 0.99], selectingIn: &durations)
        return Summary(
            executions: traces.count, completed: completed, failed: failed, abandoned: abandoned,
            successRate: traces.isEmpty ? 0 : Double(completed) / Double(traces.count),
            durationCount: count, durationMean: mean, durationP50: p[0], durationP95: p[1], durationP99: p[2])
    }

    private static func phaseRows(_ insights: PerformanceInsights) -> [PhaseRow] {
        var rank: [String: Int] = [:]
        for (i, slow) in insights.slowPhases.enumerated() { rank[slow.phaseName] = i + 1 }
        return insights.phaseStatistics.map { s in
            PhaseRow(
                phase: s.phaseName, runs: s.sampleCount, meanSeconds: s.meanDuration, p50: s.p50, p95: s.p95, p99: s.p99,
                meanEstimateSeconds: s.meanEstimate,
                estimateRatio: s.meanEstimate.flatMap { $0 > 0 ? s.meanDuration / $0 : nil },
                successRate: s.successRate, retries: s.retryCount, shareOfTime: s.shareOfTotal, isSlow: s.isSlow,
                slowRank: rank[s.phaseName])
        }
    }

    /// The evidence for `order`: completed executions whose phases started in exactly that order, and
    /// how the core chose it (see `PhaseOrderMiner`: the most frequent start order among the fast half
    /// of the completed executions, else among all of them, else the most common plan).
    private static func phaseOrder(
        _ order: [String], executions: [ConsolidatedTrace], traces: [ExecutionTrace], domainMean: Double?
    ) -> PhaseOrder? {
        guard !order.isEmpty else { return nil }
        var supporting: [Double] = []
        var completedWithOrder: [Double] = []
        var completedWithOrderUntimed = 0
        var byID: [UUID: Double?] = [:]
        for trace in traces { byID[trace.executionID] = trace.durationSeconds }
        for execution in executions where execution.status == "completed" {
            let started = execution.startOrder
            guard !started.isEmpty, let duration = byID[execution.executionID] else { continue }
            if let duration { completedWithOrder.append(duration) } else { completedWithOrderUntimed += 1 }
            if started == order { supporting.append(duration ?? 0) }
        }
        let basis: String
        if !completedWithOrder.isEmpty {
            var durations = completedWithOrder
            let median = Percentile.continuous([0.5], selectingIn: &durations)[0] ?? 0
            basis = "most frequent phase start order among the fast completed executions "
                + "(at or below the median duration of \(String(format: "%.1f", median)) s of \(completedWithOrder.count) completed executions)"
        } else if completedWithOrderUntimed > 0 {
            basis = "most frequent phase start order among the \(completedWithOrderUntimed) completed executions"
        } else {
            basis = "most common plan of the completed executions (none reported phase starts)"
        }
        return PhaseOrder(
            phases: order, supportingRuns: supporting.count,
            supportingMeanSeconds: supporting.isEmpty ? nil : supporting.reduce(0, +) / Double(supporting.count),
            domainMeanSeconds: domainMean, basis: basis)
    }
}
