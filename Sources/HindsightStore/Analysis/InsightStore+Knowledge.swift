import Foundation
public import HindsightCore
public import Logging
public import PostgresNIO

extension InsightStore {
    /// Every analysed domain's knowledge as the adapter serves it, ordered by domain.
    ///
    /// Reads the insight tables, `insight_phases.p75_s/p90_s` and `ab_promotions` only (the
    /// `hindsight_adapter` role may).
    public static func domainKnowledge(client: PostgresClient, logger: Logger) async throws -> [DomainKnowledge] {
        try await knowledge(read(client: client, logger: logger), client: client, logger: logger)
    }

    /// One domain's knowledge; `nil` when it was never analysed or had no executions in its window.
    public static func domainKnowledge(domain: String, client: PostgresClient, logger: Logger) async throws -> DomainKnowledge? {
        try await knowledge(read(domains: [domain], client: client, logger: logger), client: client, logger: logger).first
    }

    private static func knowledge(_ records: [Record], client: PostgresClient, logger: Logger) async throws -> [DomainKnowledge] {
        guard !records.isEmpty else { return [] }
        let wanted = records.map(\.domain)
        var upper: [String: [String: (p75: Double?, p90: Double?)]] = [:]
        let rows = try await client.query("""
            SELECT domain, phase, p75_s, p90_s FROM hindsight.insight_phases WHERE domain = ANY (\(wanted))
            """, logger: logger)
        for try await (domain, phase, p75, p90) in rows.decode((String, String, Double?, Double?).self) {
            upper[domain, default: [:]][phase] = (p75, p90)
        }
        var winners: [String: ABTest.Variant] = [:]
        let promotions = try await client.query("""
            SELECT domain, test, winner FROM hindsight.ab_promotions WHERE domain = ANY (\(wanted))
            """, logger: logger)
        for try await (domain, test, winner) in promotions.decode((String, String, String).self)
        where test == DomainKnowledge.abTestName(domain: domain) {
            winners[domain] = ABTest.Variant(rawValue: winner)
        }
        return records.compactMap { record in
            knowledge(record, upper: upper[record.domain] ?? [:], winner: winners[record.domain])
        }
    }

    /// The core values of one stored record: the `PerformanceInsights` the analyzer computed (rows
    /// written before 0062 have no p75/p90: p95 stands in, so estimates err long, never short);
    /// `nil` when a stored value is out of the core's range.
    static func knowledge(
        _ record: Record, upper: [String: (p75: Double?, p90: Double?)], winner: ABTest.Variant?
    ) -> DomainKnowledge? {
        // The core reports at most five slow phases: exactly those have a rank.
        let slow = record.phases.filter { $0.slowRank != nil }.sorted { ($0.slowRank ?? .max) < ($1.slowRank ?? .max) }.map {
            SlowPhase(phaseName: $0.phase, averageDuration: $0.meanSeconds, averageEstimate: $0.meanEstimateSeconds,
                      shareOfTotal: $0.shareOfTime)
        }
        let errors = record.errors.sorted { $0.rank < $1.rank }.map {
            ErrorPattern(pattern: $0.pattern, count: $0.occurrences, executionCount: $0.executions, phases: $0.phases,
                         example: $0.example)
        }
        let statistics = record.phases.map { row in
            let u = upper[row.phase]
            return PhaseStatistics(
                phaseName: row.phase, sampleCount: row.runs, meanDuration: row.meanSeconds, p50: row.p50,
                p75: u?.p75 ?? row.p95, p90: u?.p90 ?? row.p95, p95: row.p95, p99: row.p99,
                meanEstimate: row.meanEstimateSeconds, successRate: row.successRate, retryCount: row.retries,
                shareOfTotal: row.shareOfTime, isSlow: row.isSlow)
        }
        guard let insights = try? PerformanceInsights(
            goalDomain: record.domain, sampleSize: record.sampleSize, insights: record.insights,
            recommendations: record.recommendations, confidenceScore: record.confidence, slowPhases: slow,
            commonErrors: errors, optimalPhaseOrder: record.phaseOrder?.phases ?? [],
            successRate: record.summary.successRate, phaseStatistics: statistics)
        else { return nil }
        let recovery = record.recovery.map {
            DomainKnowledge.RecoveryOutcome(failureType: $0.failureType, strategy: $0.strategy, attempts: $0.attempts,
                                            successes: $0.successes)
        }
        return DomainKnowledge(
            domain: record.domain, insights: insights, recovery: recovery,
            abTest: DomainKnowledge.ABState(test: DomainKnowledge.abTestName(domain: record.domain), promotedWinner: winner),
            computedAt: record.computedAt)
    }
}
