import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Testing

/// The loop closed through PostgreSQL: recovery outcomes written as the tracker writes them, analysed by
/// the analyzer, loaded by the adapter's cache, change the adapter's answer.
@Suite("Adapter: learning loop", .serialized)
struct AdapterLearningLoopTests {
    typealias S = StoreTestSupport
    static let domain = "loop"
    static let minute: Int64 = 60_000_000

    /// `count` executions whose phase `work` times out; each tries `retry` (fails) and then `skip` (works).
    static func events(count: Int, now: Int64) -> [WireEvent] {
        (0..<count).flatMap { i -> [WireEvent] in
            let t = now - 3 * 60 * minute + Int64(i) * minute
            var r = ExecutionRecorder(domain: domain)
            r.start(goal: "nightly export", plan: ["work", "wrap"], at: t)
            r.startPhase("work", estimatedSeconds: 10, at: t + 1_000)
            r.error(type: "TimeoutError", message: "Query timed out after 30 seconds", phase: "work", at: t + 2_000)
            r.recoveryAttempted(strategy: "retry", failureType: "timeout", success: false, phase: "work", at: t + 3_000)
            r.recoveryAttempted(strategy: "skip", failureType: "timeout", success: true, phase: "work", at: t + 4_000)
            r.endPhase("work", success: false, at: t + 5_000)
            r.startPhase("wrap", estimatedSeconds: 5, at: t + 6_000)
            r.endPhase("wrap", at: t + 5_006_000)
            r.complete(status: "recovered", at: t + 5_007_000)
            return r.events
        }
    }

    @Test("a failure type whose retries keep failing and whose skips succeed: once analysed, the strategy changes")
    func strategyChanges() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { owner in
                let harness = try await AdapterHarness()
                defer { Task { await harness.cleanUp() } }
                let client = harness.client
                let request = RecoveryStrategyRequest(
                    domain: Self.domain, phase: "work", errorType: "TimeoutError", message: "Query timed out after 30 seconds",
                    attempt: 1, elapsedSeconds: 31)
                let loader = StoreKnowledgeLoader(client: owner, logger: S.logger)
                let (before, after) = try await harness.withAdapter(loader: loader) { cache in
                    let before = try await client.recoveryStrategy(for: request)
                    try await ConsolidationWriter(client: owner, logger: S.logger).write(Self.events(count: 40, now: WireFormat.currentMicros()))
                    var configuration = Analyzer.Configuration()
                    configuration.instanceName = "loop-analyzer"
                    _ = try await Analyzer(configuration: configuration, client: owner, logger: S.logger).runRound()
                    #expect(await cache.reloadAll())
                    return (before, try await client.recoveryStrategy(for: request))
                }
                #expect(before.result.evidence.attempts == 0)
                #expect(before.insightsComputedAt == nil)
                #expect(after.insightsComputedAt != nil)
                #expect(after.result.failureType == .timeout)
                #expect(before.result.action != after.result.action)
                #expect(after.result.action == .skip)
                #expect(after.result.evidence == .init(attempts: 40, successes: 40))
            }
        }
    }
}
