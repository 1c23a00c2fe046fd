import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import PostgresNIO
import ServiceLifecycle
import Testing

/// The worker around the analyzer: a round at start, readiness once it reached PostgreSQL, a graceful
/// shutdown that returns.
@Suite("Analyzer: service", .serialized)
struct AnalyzerServiceTests {
    typealias S = StoreTestSupport

    @Test("the first round runs at start, /ready follows PostgreSQL, graceful shutdown stops the loop")
    func firstRoundAndShutdown() async throws {
        try await S.withMigratedDatabase { url in
            try await AnalyzerInsightsTests.store(AnalyzerFixtures.events(now: WireFormat.currentMicros()), url: url)
            try await S.withClient(S.url(url, role: "hindsight_analyzer")) { client in
                var configuration = AnalyzerInsightsTests.configuration()
                configuration.interval = .seconds(3600)  // only the round at start
                let health = HealthState()
                let service = AnalyzerService(
                    analyzer: Analyzer(configuration: configuration, client: client, logger: S.logger),
                    configuration: configuration, health: health, logger: S.logger)
                let analysed = try await withServices([.init(service: service)], logger: S.logger) {
                    // Polls until the round at start has committed every due domain (no time bound asserted).
                    while true {
                        let done = try await client.query(
                            "SELECT count(*) FILTER (WHERE rounds = 1)::int8, count(*)::int8 FROM hindsight.analysis_state",
                            logger: S.logger
                        ).collect().first?.decode((Int64, Int64).self)
                        if let done, done.1 > 0, done.0 == done.1, health.isReady { return done.0 }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                #expect(analysed == Int64(AnalyzerFixtures.analysedDomains.count + 1))
                #expect(health.snapshot.map(\.0) == ["postgres"])
            }
        }
    }
}
