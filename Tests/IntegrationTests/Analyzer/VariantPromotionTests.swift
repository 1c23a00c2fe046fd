import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import PostgresNIO
import Testing

/// The A/B loop's storage: `data.ab_test`/`data.variant` of `execution_started` consolidated by the
/// tracker, decided by the analyzer with the core's rule into `insight_variants`, promoted once in
/// `ab_promotions`, and served by `InsightStore.domainKnowledge`.
@Suite("Analyzer: A/B variants", .serialized)
struct VariantPromotionTests {
    typealias S = StoreTestSupport
    typealias A = AnalyzerInsightsTests
    static let domain = "abtest"
    static let test = DomainKnowledge.abTestName(domain: domain)

    /// `count` finished executions of `variant`, the first `completed` of them completed, one a minute.
    static func executions(_ variant: ABTest.Variant, count: Int, completed: Int, from start: Int64) -> [WireEvent] {
        var events: [WireEvent] = []
        for i in 0..<count {
            let t = start + Int64(i) * AnalyzerFixtures.minute
            var r = ExecutionRecorder(domain: domain)
            r.record(.executionStarted, at: t, payload: EventPayload(
                goal: "ab", plan: ["work"], abTest: test, variant: variant.rawValue))
            r.startPhase("work", estimatedSeconds: 10, at: t + 1)
            r.endPhase("work", success: i < completed, at: t + 10_000_000)
            r.complete(status: i < completed ? "completed" : "failed", at: t + 10_000_001)
            events += r.events
        }
        return events
    }

    struct Row: Equatable { var variant: String, executions: Int32, completed: Int32, verdict: String, winner: String?, p: Double? }

    static func rows(_ url: DatabaseURL) async throws -> [Row] {
        try await S.withClient(S.url(url, role: "hindsight_analyst")) { client in
            var rows: [Row] = []
            for try await (v, n, c, verdict, winner, p) in try await client.query("""
                SELECT variant, executions, completed, verdict, winner, p_value FROM hindsight.insight_variants
                WHERE domain = \(domain) AND test = \(test) ORDER BY variant
                """, logger: S.logger).decode((String, Int32, Int32, String, String?, Double?).self) {
                rows.append(Row(variant: v, executions: n, completed: c, verdict: verdict, winner: winner, p: p))
            }
            return rows
        }
    }

    static func promotions(_ url: DatabaseURL) async throws -> [String] {
        try await S.withClient(S.url(url, role: "hindsight_analyst")) { client in
            try await client.query("SELECT winner FROM hindsight.ab_promotions WHERE domain = \(domain) AND test = \(test)",
                                   logger: S.logger).collect().map { try $0.decode(String.self) }
        }
    }

    @Test("a variant that does better is promoted once both have 30 executions, not before; the adapter sees the winner")
    func promotedAfterEnoughExecutions() async throws {
        try await S.withMigratedDatabase { url in
            let now = WireFormat.currentMicros()
            let start = now - 5 * 60 * AnalyzerFixtures.minute
            // 20 per variant: B completes every time, A half the time — clearly better, but too few.
            try await A.store(
                Self.executions(.a, count: 20, completed: 10, from: start)
                    + Self.executions(.b, count: 20, completed: 20, from: start + 30_000_000), url: url)
            var report = try await A.withAnalyzer(url) { try await $0.runRound() }
            #expect(report.failures.isEmpty)
            var rows = try await Self.rows(url)
            #expect(rows.map(\.variant) == ["A", "B"])
            #expect(rows.map(\.executions) == [20, 20] && rows.map(\.completed) == [10, 20])
            #expect(rows.allSatisfy { $0.verdict == "collectMoreData" && $0.winner == nil && $0.p == nil })
            #expect(try await Self.promotions(url).isEmpty, "not promoted before 30 executions per variant")

            // 15 more each: 35 per variant, A 17/35, B 35/35 — significant; the core's own decision.
            let later = start + 60 * AnalyzerFixtures.minute
            try await A.store(
                Self.executions(.a, count: 15, completed: 7, from: later)
                    + Self.executions(.b, count: 15, completed: 15, from: later + 30_000_000), url: url)
            report = try await A.withAnalyzer(url) { try await $0.runRound() }
            #expect(report.failures.isEmpty)
            var outcomes = ABTestOutcomes()
            for i in 0..<35 { outcomes.record(.a, success: i < 17, durationSeconds: 10.000001) }
            for _ in 0..<35 { outcomes.record(.b, success: true, durationSeconds: 10.000001) }
            let expected = VariantStore.TestResult(test: Self.test, outcomes: outcomes)
            #expect(expected.winner == .b && expected.decision.verdict == .adoptCandidate)
            rows = try await Self.rows(url)
            #expect(rows.map(\.executions) == [35, 35] && rows.map(\.completed) == [17, 35])
            #expect(rows.allSatisfy { $0.verdict == "adoptCandidate" && $0.winner == "B" })
            let p = try #require(rows.first?.p)
            #expect(abs(p - (expected.pValue ?? -1)) < 1e-12)
            #expect(try await Self.promotions(url) == ["B"])

            // Promoted once: later rounds keep the row; the adapter's knowledge says B.
            report = try await A.withAnalyzer(url) { try await $0.runRound(force: [Self.domain]) }
            #expect(try await Self.promotions(url) == ["B"])
            let knowledge = try await S.withClient(S.url(url, role: "hindsight_adapter")) { client in
                try await InsightStore.domainKnowledge(domain: Self.domain, client: client, logger: S.logger)
            }
            #expect(knowledge?.abTest == DomainKnowledge.ABState(test: Self.test, promotedWinner: .b))
        }
    }

    @Test("the tracker keeps ab_test and variant of the lowest-seq execution_started")
    func consolidatedLowestSeq() async throws {
        try await S.withMigratedDatabase { url in
            let id = UUID()
            let now = WireFormat.currentMicros()
            var r = ExecutionRecorder(executionID: id, domain: Self.domain)
            r.record(.executionStarted, at: now - 2_000, payload: EventPayload(goal: "g", abTest: Self.test, variant: "B"))
            r.record(.executionStarted, at: now - 1_000, payload: EventPayload(goal: "g", abTest: "other", variant: "A"))
            // Later start first, in its own batch: the lower seq still wins.
            try await S.withClient(url) { owner in
                let writer = ConsolidationWriter(client: owner, logger: S.logger)
                try await writer.write([r.events[1]])
                try await writer.write([r.events[0]])
                let rows = try await owner.query(
                    "SELECT ab_test, variant FROM hindsight.executions WHERE execution_id = \(id)", logger: S.logger
                ).collect().map { try $0.decode((String?, String?).self) }
                #expect(rows.count == 1)
                #expect(rows.first?.0 == Self.test && rows.first?.1 == "B")
            }
        }
    }
}
