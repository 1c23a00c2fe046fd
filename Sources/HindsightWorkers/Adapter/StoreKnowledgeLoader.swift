import Foundation
public import HindsightCore
import HindsightStore
public import Logging
public import PostgresNIO

/// Loads domain knowledge from the insight tables through ``HindsightStore/InsightStore/read(domains:client:logger:)``
/// (read-only: the `hindsight_adapter` role may).
///
/// Interim conversion of the stored rows into core values until `InsightStore` reads them back itself
/// (migration 0062 adds `p75_s`/`p90_s`, `insight_variants`, `ab_promotions`): until then a phase's p75
/// and p90 are taken as its p95 (estimates err long, never short) and no domain has a promoted variant.
public struct StoreKnowledgeLoader: DomainKnowledgeLoader {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a loader on `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func loadAll() async throws -> [DomainKnowledge] {
        try await InsightStore.read(client: client, logger: logger).compactMap(Self.knowledge)
    }

    public func load(domain: String) async throws -> DomainKnowledge? {
        try await InsightStore.read(domains: [domain], client: client, logger: logger).first.flatMap(Self.knowledge)
    }

    /// The core values of one stored record; `nil` when the stored values are out of range.
    static func knowledge(_ record: InsightStore.Record) -> DomainKnowledge? {
        let slow = record.phases.filter(\.isSlow).sorted { ($0.slowRank ?? .max) < ($1.slowRank ?? .max) }.map {
            SlowPhase(phaseName: $0.phase, averageDuration: $0.meanSeconds, averageEstimate: $0.meanEstimateSeconds, shareOfTotal: $0.shareOfTime)
        }
        let errors = record.errors.sorted { $0.rank < $1.rank }.map {
            ErrorPattern(pattern: $0.pattern, count: $0.occurrences, executionCount: $0.executions, phases: $0.phases, example: $0.example)
        }
        let statistics = record.phases.map {
            PhaseStatistics(
                phaseName: $0.phase, sampleCount: $0.runs, meanDuration: $0.meanSeconds, p50: $0.p50, p75: $0.p95, p90: $0.p95,
                p95: $0.p95, p99: $0.p99, meanEstimate: $0.meanEstimateSeconds, successRate: $0.successRate, retryCount: $0.retries,
                shareOfTotal: $0.shareOfTime, isSlow: $0.isSlow)
        }
        guard let insights = try? PerformanceInsights(
            goalDomain: record.domain, sampleSize: record.sampleSize, insights: record.insights,
            recommendations: record.recommendations, confidenceScore: record.confidence, slowPhases: slow, commonErrors: errors,
            optimalPhaseOrder: record.phaseOrder?.phases ?? [], successRate: record.summary.successRate, phaseStatistics: statistics)
        else { return nil }
        let recovery = record.recovery.map {
            DomainKnowledge.RecoveryOutcome(failureType: $0.failureType, strategy: $0.strategy, attempts: $0.attempts, successes: $0.successes)
        }
        return DomainKnowledge(
            domain: record.domain, insights: insights, recovery: recovery,
            abTest: DomainKnowledge.ABState(test: DomainKnowledge.abTestName(domain: record.domain)), computedAt: record.computedAt)
    }
}
