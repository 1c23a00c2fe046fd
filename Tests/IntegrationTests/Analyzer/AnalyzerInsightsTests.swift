import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import Testing

/// The analyzer against a real database, executions stored through the tracker's write path
/// (`ConsolidationWriter`): its insights equal the learning core's on the same executions; rounds
/// analyse only what changed; every committed domain is announced on `hindsight_insights`.
@Suite("Analyzer: insights", .serialized)
struct AnalyzerInsightsTests {
    typealias S = StoreTestSupport
    typealias F = AnalyzerFixtures

    static func configuration() -> Analyzer.Configuration {
        var configuration = Analyzer.Configuration()
        configuration.instanceName = "test-analyzer"
        return configuration
    }

    /// Stores `events` as the tracker does, in a few shuffled batches.
    static func store(_ events: [WireEvent], url: DatabaseURL) async throws {
        try await S.withClient(url) { owner in
            let writer = ConsolidationWriter(client: owner, logger: S.logger)
            var shuffled = events
            var rng = SplitMix64(seed: 3)
            for i in shuffled.indices.reversed() where i > 0 { shuffled.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let size = max(1, shuffled.count / 4)
            for start in stride(from: 0, to: shuffled.count, by: size) {
                try await writer.write(Array(shuffled[start..<min(start + size, shuffled.count)]))
            }
        }
    }

    /// Runs `body` with an analyzer connected as `hindsight_analyzer`.
    static func withAnalyzer<R: Sendable>(_ url: DatabaseURL, _ body: (Analyzer) async throws -> R) async throws -> R {
        try await S.withClient(S.url(url, role: "hindsight_analyzer")) { client in
            try await body(Analyzer(configuration: configuration(), client: client, logger: S.logger))
        }
    }

    static func records(_ url: DatabaseURL) async throws -> [InsightStore.Record] {
        try await S.withClient(S.url(url, role: "hindsight_analyst")) { client in
            try await InsightStore.read(client: client, logger: S.logger)
        }
    }

    @Test("the worker's insights equal the learning core's on the same executions")
    func insightsEqualTheCore() async throws {
        try await S.withMigratedDatabase { url in
            let now = WireFormat.currentMicros()
            let events = F.events(now: now)
            try await Self.store(events, url: url)
            let report = try await Self.withAnalyzer(url) { try await $0.runRound() }
            #expect(report.failures.isEmpty)
            #expect(report.domains.map(\.domain) == (F.analysedDomains + ["ancient"]).sorted())
            #expect(report.domains.first { $0.domain == "ancient" }?.executions == 0)
            #expect(report.domains.allSatisfy { $0.abandoned == 0 })

            let records = try await Self.records(url)
            #expect(records.map(\.domain) == F.analysedDomains, "ancient has no executions in the window: no rows")
            for record in records {
                let windowStart = Int64((record.windowStart.timeIntervalSince1970 * 1_000_000).rounded())
                let expected = F.expected(
                    domain: record.domain, events: events, windowStart: windowStart,
                    minimumSampleSize: Self.configuration().minimumSampleSize)
                var comparable = expected
                comparable.insights = F.comparable(expected.insights)
                #expect(F.actual(record) == comparable, "domain \(record.domain)")
                #expect(record.sampleSize == expected.insights.sampleSize)
                let phases = Self.phaseRows(expected.insights)
                #expect(record.phases == phases, "phases of \(record.domain)")
                #expect(record.analyzedBy == "test-analyzer")
            }
            // Ties: four executions with one start time and one duration, two orders seen twice each: the
            // first in (start, execution id) order wins, as in the core on the same ordered traces.
            let ties = try #require(records.first { $0.domain == "ties" })
            #expect(ties.phaseOrder?.supportingRuns == 2)
            // The one-execution domain keeps its single error as its top pattern.
            #expect(records.first { $0.domain == "tiny" }?.errors.first?.pattern.hasPrefix("Disk full") == true)
            #expect(records.first { $0.domain == "planless" }?.recovery.map(\.failureType) == ["timeout", "unknown"])
        }
    }

    @Test("a round without changes analyses nothing; a change re-analyses only its domain")
    func incrementalRounds() async throws {
        try await S.withMigratedDatabase { url in
            let now = WireFormat.currentMicros()
            try await Self.store(F.events(now: now), url: url)
            try await Self.withAnalyzer(url) { analyzer in
                let first = try await analyzer.runRound()
                #expect(first.domains.count == F.analysedDomains.count + 1)
                let second = try await analyzer.runRound()
                #expect(second.domains.isEmpty)
                #expect(second.foldedChanges == 0)
            }
            let before = try await Self.records(url)
            try await Self.store(F.extra(domain: "tiny", start: now - 10 * F.minute), url: url)
            try await Self.withAnalyzer(url) { analyzer in
                let third = try await analyzer.runRound()
                #expect(third.domains.map(\.domain) == ["tiny"])
                #expect(third.domains.first?.executions == 2)
            }
            let after = try await Self.records(url)
            for (old, new) in zip(before, after) where old.domain != "tiny" {
                #expect(old == new, "\(old.domain) was not re-analysed")
            }
            #expect(after.first { $0.domain == "tiny" }?.sampleSize == 2)
            let rounds = try await S.withClient(url) { owner in
                try await owner.query(
                    "SELECT domain, rounds FROM hindsight.analysis_state ORDER BY domain", logger: S.logger
                ).collect().map { try $0.decode((String, Int64).self) }
            }
            #expect(rounds.first { $0.0 == "tiny" }?.1 == 2)
            #expect(rounds.filter { $0.0 != "tiny" }.allSatisfy { $0.1 == 1 })
        }
    }

    @Test("each committed domain is announced on hindsight_insights")
    func notifiesEachDomain() async throws {
        try await S.withMigratedDatabase { url in
            try await Self.store(F.events(now: WireFormat.currentMicros()), url: url)
            let expected = Set(F.analysedDomains + ["ancient"])
            try await S.withClient(url) { listener in
                try await listener.withConnection { connection in
                    try await connection.listen(on: AnalysisLedger.channel) { notifications in
                        let report = try await Self.withAnalyzer(url) { try await $0.runRound() }
                        #expect(Set(report.domains.map(\.domain)) == expected)
                        var heard: Set<String> = []
                        for try await notification in notifications {
                            heard.insert(notification.payload)
                            if heard.count >= expected.count { break }
                        }
                        #expect(heard == expected)
                    }
                }
            }
        }
    }

    @Test("forced domains are analysed whether due or not, unknown ones leave no rows")
    func forcedDomains() async throws {
        try await S.withMigratedDatabase { url in
            try await Self.store(F.events(now: WireFormat.currentMicros()), url: url)
            try await Self.withAnalyzer(url) { analyzer in
                _ = try await analyzer.runRound()
                let forced = try await analyzer.runRound(force: ["pair", "nobody", "pair"])
                #expect(forced.domains.map(\.domain) == ["nobody", "pair"])
                #expect(forced.domains.map(\.executions) == [0, 2])
                let again = try await analyzer.runRound()
                #expect(again.domains.isEmpty)
            }
            let records = try await Self.records(url)
            #expect(!records.contains { $0.domain == "nobody" })
            #expect(records.first { $0.domain == "pair" }?.summary.durationCount == 1)
        }
    }

    @Test("a stale execution is marked abandoned in its domain's round, counted as failed; a late completion clears it")
    func staleExecutions() async throws {
        try await S.withMigratedDatabase { url in
            let now = WireFormat.currentMicros()
            // One finished execution (4 s: threshold = max(600 s floor, 3 × p99)) and one silent for two hours.
            var stale = ExecutionRecorder(domain: "stale")
            stale.start(goal: "hangs", plan: ["only"], at: now - 120 * F.minute)
            stale.startPhase("only", estimatedSeconds: 5, at: now - 120 * F.minute + 1)
            try await Self.store(F.extra(domain: "stale", start: now - 30 * F.minute) + stale.events, url: url)
            try await Self.withAnalyzer(url) { analyzer in
                let first = try await analyzer.runRound()
                #expect(first.domains.map(\.abandoned) == [1])
                let marked = try #require(try await Self.records(url).first)
                #expect(marked.summary.abandoned == 1 && marked.summary.completed == 1 && marked.summary.successRate == 0.5)
                #expect(marked.summary.durationCount == 1, "an abandoned execution has no duration")
                // Marking changed the executions row, so the domain is analysed once more, marking nothing.
                let second = try await analyzer.runRound()
                #expect(second.domains.map(\.abandoned) == [0])
                let third = try await analyzer.runRound()
                #expect(third.domains.isEmpty)
            }
            stale.complete(status: "completed", at: now)
            try await Self.store(Array(stale.events.suffix(1)), url: url)
            try await Self.withAnalyzer(url) { analyzer in
                let late = try await analyzer.runRound()
                #expect(late.domains.map(\.domain) == ["stale"])
            }
            let completed = try #require(try await Self.records(url).first)
            #expect(completed.summary.abandoned == 0 && completed.summary.completed == 2 && completed.summary.durationCount == 2)
        }
    }

    /// The phase rows the analyzer must store for `insights` (slow rank = position among the reported slow phases).
    static func phaseRows(_ insights: PerformanceInsights) -> [DomainAnalysis.PhaseRow] {
        insights.phaseStatistics.map { s in
            DomainAnalysis.PhaseRow(
                phase: s.phaseName, runs: s.sampleCount, meanSeconds: s.meanDuration, p50: s.p50, p95: s.p95, p99: s.p99,
                meanEstimateSeconds: s.meanEstimate,
                estimateRatio: s.meanEstimate.flatMap { $0 > 0 ? s.meanDuration / $0 : nil },
                successRate: s.successRate, retries: s.retryCount, shareOfTime: s.shareOfTotal, isSlow: s.isSlow,
                slowRank: insights.slowPhases.firstIndex { $0.phaseName == s.phaseName }.map { $0 + 1 })
        }
    }
}
