public import Foundation
import HindsightCore
public import Logging
public import PostgresNIO

/// The insight tables (`insight_domains`, `insight_phases`, `insight_error_patterns`,
/// `insight_phase_order`, `insight_recovery`): written per domain, read back for `hindsight insights`.
///
/// A domain's rows are replaced (DELETE, then INSERT) on the connection of the transaction that claimed
/// the domain, so readers see either the previous analysis or the new one, never half of each.
public enum InsightStore {
    /// One domain's stored insights with the analysis they belong to.
    public struct Record: Sendable, Equatable, Codable {
        public var domain: String
        /// When the analysis ran (= ``windowEnd``).
        public var computedAt: Date
        /// Executions started at or after this were analysed.
        public var windowStart: Date
        public var windowEnd: Date
        /// Executions analysed.
        public var sampleSize: Int
        /// The core's confidence for that sample size.
        public var confidence: Double
        /// Instance name of the analyzer that wrote the rows.
        public var analyzedBy: String
        public var summary: DomainAnalysis.Summary
        public var insights: [String]
        public var recommendations: [String]
        public var phases: [DomainAnalysis.PhaseRow]
        public var errors: [DomainAnalysis.ErrorRow]
        public var phaseOrder: DomainAnalysis.PhaseOrder?
        public var recovery: [DomainAnalysis.RecoveryRow]
    }

    /// Replaces the insight rows of `analysis.domain` with `analysis`; a domain without executions in
    /// the window keeps no rows at all.
    ///
    /// - Parameters:
    ///   - analysis: The computed analysis.
    ///   - window: The window it covers (`computed_at` = its end).
    ///   - analyzedBy: The analyzer's instance name.
    ///   - connection: The connection of the caller's transaction.
    public static func replace(
        with analysis: DomainAnalysis, window: AnalysisSource.Window, analyzedBy: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let domain = analysis.domain
        try await connection.query("""
            WITH d1 AS (DELETE FROM hindsight.insight_domains WHERE domain = \(domain)),
                 d2 AS (DELETE FROM hindsight.insight_phases WHERE domain = \(domain)),
                 d3 AS (DELETE FROM hindsight.insight_error_patterns WHERE domain = \(domain)),
                 d4 AS (DELETE FROM hindsight.insight_phase_order WHERE domain = \(domain)),
                 d5 AS (DELETE FROM hindsight.insight_recovery WHERE domain = \(domain))
            SELECT 1
            """, logger: logger)
        let summary = analysis.summary
        guard summary.executions > 0 else { return }
        let start = window.startMicros, end = window.endMicros
        let n = Int32(clamping: summary.executions)
        let confidence = analysis.insights.confidenceScore
        try await connection.query("""
            INSERT INTO hindsight.insight_domains
                (domain, computed_at, window_start, window_end, sample_size, confidence, completed, failed, abandoned,
                 success_rate, duration_n, duration_mean, duration_p50, duration_p95, duration_p99,
                 insights, recommendations, analyzed_by)
            VALUES (\(domain), \(unescaped: at)\(end)\(unescaped: us), \(unescaped: at)\(start)\(unescaped: us),
                    \(unescaped: at)\(end)\(unescaped: us), \(n), \(confidence),
                    \(Int32(clamping: summary.completed)), \(Int32(clamping: summary.failed)),
                    \(Int32(clamping: summary.abandoned)), \(summary.successRate), \(Int32(clamping: summary.durationCount)),
                    \(summary.durationMean), \(summary.durationP50), \(summary.durationP95), \(summary.durationP99),
                    \(analysis.insights.insights), \(analysis.insights.recommendations), \(analyzedBy))
            """, logger: logger)
        let phases = analysis.phases
        if !phases.isEmpty {
            // p75/p90 (0062) straight from the core's statistics: the adapter's duration step uses p90.
            var upper: [String: (p75: Double, p90: Double)] = [:]
            for s in analysis.insights.phaseStatistics { upper[s.phaseName] = (s.p75, s.p90) }
            try await connection.query("""
                INSERT INTO hindsight.insight_phases
                    (domain, phase, computed_at, window_start, window_end, sample_size, confidence, runs, mean_s, p50_s,
                     p95_s, p99_s, mean_estimate_s, estimate_ratio, success_rate, retries, share_of_time, is_slow, slow_rank,
                     p75_s, p90_s)
                SELECT \(domain), u.phase, \(unescaped: at)\(end)\(unescaped: us), \(unescaped: at)\(start)\(unescaped: us),
                       \(unescaped: at)\(end)\(unescaped: us), \(n), \(confidence), u.runs, u.mean_s, u.p50_s, u.p95_s, u.p99_s,
                       u.mean_estimate_s, u.estimate_ratio, u.success_rate, u.retries, u.share_of_time, u.is_slow, u.slow_rank,
                       u.p75_s, u.p90_s
                FROM UNNEST(\(PackedArray(phases.map(\.phase))), \(PackedArray(phases.map { Int32(clamping: $0.runs) })),
                            \(PackedArray(phases.map(\.meanSeconds))), \(PackedArray(phases.map(\.p50))),
                            \(PackedArray(phases.map(\.p95))), \(PackedArray(phases.map(\.p99))),
                            \(NullableArray(phases.map(\.meanEstimateSeconds))), \(NullableArray(phases.map(\.estimateRatio))),
                            \(PackedArray(phases.map(\.successRate))), \(PackedArray(phases.map { Int32(clamping: $0.retries) })),
                            \(PackedArray(phases.map(\.shareOfTime))), \(PackedArray(phases.map(\.isSlow))),
                            \(NullableArray(phases.map { $0.slowRank.map { Int32(clamping: $0) } })),
                            \(NullableArray(phases.map { upper[$0.phase]?.p75 })), \(NullableArray(phases.map { upper[$0.phase]?.p90 })))
                     AS u(phase, runs, mean_s, p50_s, p95_s, p99_s, mean_estimate_s, estimate_ratio, success_rate, retries,
                          share_of_time, is_slow, slow_rank, p75_s, p90_s)
                """, logger: logger)
        }
        for error in analysis.errors {
            try await connection.query("""
                INSERT INTO hindsight.insight_error_patterns
                    (domain, rank, computed_at, window_start, window_end, sample_size, confidence, pattern, occurrences,
                     executions, phases, example)
                VALUES (\(domain), \(Int32(clamping: error.rank)), \(unescaped: at)\(end)\(unescaped: us),
                        \(unescaped: at)\(start)\(unescaped: us), \(unescaped: at)\(end)\(unescaped: us), \(n), \(confidence),
                        \(error.pattern), \(Int32(clamping: error.occurrences)), \(Int32(clamping: error.executions)),
                        \(error.phases), \(error.example))
                """, logger: logger)
        }
        if let order = analysis.phaseOrder {
            try await connection.query("""
                INSERT INTO hindsight.insight_phase_order
                    (domain, computed_at, window_start, window_end, sample_size, confidence, phase_order, supporting_runs,
                     supporting_mean_s, domain_mean_s, basis)
                VALUES (\(domain), \(unescaped: at)\(end)\(unescaped: us), \(unescaped: at)\(start)\(unescaped: us),
                        \(unescaped: at)\(end)\(unescaped: us), \(n), \(confidence), \(order.phases),
                        \(Int32(clamping: order.supportingRuns)), \(order.supportingMeanSeconds), \(order.domainMeanSeconds),
                        \(order.basis))
                """, logger: logger)
        }
        let recovery = analysis.recovery
        if !recovery.isEmpty {
            try await connection.query("""
                INSERT INTO hindsight.insight_recovery
                    (domain, failure_type, strategy, computed_at, window_start, window_end, sample_size, confidence,
                     attempts, successes)
                SELECT \(domain), u.failure_type, u.strategy, \(unescaped: at)\(end)\(unescaped: us),
                       \(unescaped: at)\(start)\(unescaped: us), \(unescaped: at)\(end)\(unescaped: us),
                       u.sample_size, u.confidence, u.attempts, u.successes
                FROM UNNEST(\(PackedArray(recovery.map(\.failureType))), \(PackedArray(recovery.map(\.strategy))),
                            \(PackedArray(recovery.map { Int32(clamping: $0.sampleSize) })), \(PackedArray(recovery.map(\.confidence))),
                            \(PackedArray(recovery.map { Int32(clamping: $0.attempts) })),
                            \(PackedArray(recovery.map { Int32(clamping: $0.successes) })))
                     AS u(failure_type, strategy, sample_size, confidence, attempts, successes)
                """, logger: logger)
        }
    }

    // A microsecond count as timestamptz: `\(unescaped: at)\(micros)\(unescaped: us)` (exact, no Date rounding).
    private static let at = "(TIMESTAMPTZ 'epoch' + "
    private static let us = " * INTERVAL '1 microsecond')"
}
