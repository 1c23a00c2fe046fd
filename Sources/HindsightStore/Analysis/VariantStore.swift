import Foundation
public import HindsightCore
public import Logging
public import PostgresNIO

/// The A/B results of a domain (`insight_variants`) and its promotions (`ab_promotions`), written by
/// the analyzer in the domain's transaction from `executions.ab_test/variant` (migration 0062).
///
/// The decision is the learning core's (``ABTestOutcomes/decide(rule:)``: two-proportion z-test on
/// completion, then Welch's t-test on duration); a variant that wins significantly is promoted once
/// and stays promoted (the analyzer never deletes `ab_promotions`).
public enum VariantStore {
    /// One test's outcomes and decision.
    public struct TestResult: Sendable, Equatable {
        /// `executions.ab_test`.
        public var test: String
        public var outcomes: ABTestOutcomes
        public var decision: ABTestDecision
        /// The variant that won significantly, if one did.
        public var winner: ABTest.Variant?
        /// p-value of the deciding test; `nil` while a variant lacks the minimum sample.
        public var pValue: Double?

        /// Decides `outcomes` of `test` with `rule`.
        public init(test: String, outcomes: ABTestOutcomes, rule: ABDecisionRule = ABDecisionRule()) {
            self.test = test
            self.outcomes = outcomes
            let decision = outcomes.decide(rule: rule)
            self.decision = decision
            let success = decision.successTest, duration = decision.durationTest
            if let success, success.pValue < rule.alpha {
                winner = success.statistic > 0 ? .b : .a
                pValue = success.pValue
            } else if let duration, duration.pValue < rule.alpha {
                winner = decision.verdict == .adoptCandidate ? .b : .a
                pValue = duration.pValue
            } else {
                winner = nil
                pValue = duration?.pValue ?? success?.pValue
            }
        }
    }

    /// Recomputes the variant results of `domain` from its executions started in `window` and inserts
    /// a promotion for every test with a significant winner that has none yet.
    ///
    /// - Returns: The results written, by test name.
    @discardableResult
    public static func replace(
        domain: String, window: AnalysisSource.Window, analyzedBy: String, rule: ABDecisionRule = ABDecisionRule(),
        on connection: PostgresConnection, logger: Logger
    ) async throws -> [TestResult] {
        var outcomes: [String: ABTestOutcomes] = [:]
        let rows = try await connection.query("""
            SELECT ab_test, variant, status = 'completed', duration_s FROM hindsight.executions
            WHERE domain = \(domain) AND ab_test IS NOT NULL AND variant IS NOT NULL
              AND started_at >= TIMESTAMPTZ 'epoch' + \(window.startMicros) * INTERVAL '1 microsecond'
            ORDER BY started_at, execution_id
            """, logger: logger)
        for try await (test, variant, completed, duration) in rows.decode((String, String, Bool, Double?).self) {
            guard let v = ABTest.Variant(rawValue: variant) else { continue }
            outcomes[test, default: ABTestOutcomes()].record(v, success: completed, durationSeconds: duration)
        }
        let results = outcomes.keys.sorted().compactMap { test in outcomes[test].map { TestResult(test: test, outcomes: $0, rule: rule) } }

        try await connection.query("DELETE FROM hindsight.insight_variants WHERE domain = \(domain)", logger: logger)
        let start = window.startMicros, end = window.endMicros
        for r in results {
            for (variant, o) in [(ABTest.Variant.a, r.outcomes.a), (.b, r.outcomes.b)] {
                let mean: Double? = o.durationCount > 0 ? o.durationMean : nil
                try await connection.query("""
                    INSERT INTO hindsight.insight_variants
                        (domain, test, variant, computed_at, window_start, window_end, executions, completed, success_rate,
                         mean_duration_s, p_value, verdict, winner, reason)
                    VALUES (\(domain), \(r.test), \(variant.rawValue),
                            TIMESTAMPTZ 'epoch' + \(end) * INTERVAL '1 microsecond',
                            TIMESTAMPTZ 'epoch' + \(start) * INTERVAL '1 microsecond',
                            TIMESTAMPTZ 'epoch' + \(end) * INTERVAL '1 microsecond',
                            \(Int32(clamping: o.count)), \(Int32(clamping: o.successes)), \(o.successRate), \(mean),
                            \(r.pValue), \(r.decision.verdict.rawValue), \(r.winner?.rawValue), \(r.decision.reason))
                    """, logger: logger)
            }
            guard let winner = r.winner, let p = r.pValue else { continue }
            try await connection.query("""
                INSERT INTO hindsight.ab_promotions
                    (domain, test, winner, p_value, executions_a, executions_b, promoted_at, promoted_by)
                VALUES (\(domain), \(r.test), \(winner.rawValue), \(p), \(Int32(clamping: r.outcomes.a.count)),
                        \(Int32(clamping: r.outcomes.b.count)), TIMESTAMPTZ 'epoch' + \(end) * INTERVAL '1 microsecond',
                        \(analyzedBy))
                ON CONFLICT (domain, test) DO NOTHING
                """, logger: logger)
        }
        return results
    }
}
