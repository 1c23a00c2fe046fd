import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Testing

/// `InsightStore.domainKnowledge`: what the adapter serves is exactly what the analyzer computed.
@Suite("Analyzer: knowledge read-back", .serialized)
struct InsightKnowledgeTests {
    typealias S = StoreTestSupport
    typealias F = AnalyzerFixtures
    typealias A = AnalyzerInsightsTests

    @Test("the adapter role reads back the core's PerformanceInsights exactly (p75/p90 included), recovery and A/B state")
    func exactReadBack() async throws {
        try await S.withMigratedDatabase { url in
            let now = WireFormat.currentMicros()
            let events = F.events(now: now)
            try await A.store(events, url: url)
            let report = try await A.withAnalyzer(url) { try await $0.runRound() }
            #expect(report.failures.isEmpty)
            let (records, all, one, missing) = try await S.withClient(S.url(url, role: "hindsight_adapter")) { client in
                (try await InsightStore.read(client: client, logger: S.logger),
                 try await InsightStore.domainKnowledge(client: client, logger: S.logger),
                 try await InsightStore.domainKnowledge(domain: "data-processing", client: client, logger: S.logger),
                 try await InsightStore.domainKnowledge(domain: "no-such-domain", client: client, logger: S.logger))
            }
            #expect(all.map(\.domain) == F.analysedDomains)
            #expect(missing == nil)
            #expect(one == all.first { $0.domain == "data-processing" })
            for knowledge in all {
                let record = try #require(records.first { $0.domain == knowledge.domain })
                #expect(knowledge.computedAt == record.computedAt)
                let windowStart = Int64((record.windowStart.timeIntervalSince1970 * 1_000_000).rounded())
                let expected = F.expected(
                    domain: knowledge.domain, events: events, windowStart: windowStart,
                    minimumSampleSize: A.configuration().minimumSampleSize)
                #expect(knowledge.insights == expected.insights, "domain \(knowledge.domain)")
                var recovery: [String: (attempts: Int, successes: Int)] = [:]
                for row in knowledge.recovery { recovery["\(row.failureType)/\(row.strategy)"] = (row.attempts, row.successes) }
                #expect(recovery.mapValues { [$0.attempts, $0.successes] } == expected.recovery.mapValues { [$0.attempts, $0.successes] })
                #expect(knowledge.abTest == DomainKnowledge.ABState(test: "\(knowledge.domain)/adapted-v1", promotedWinner: nil))
            }
        }
    }
}
