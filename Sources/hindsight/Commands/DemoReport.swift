import Foundation
import HindsightCore
import HindsightStore
import Logging
import PostgresNIO

/// What the demo prints: per domain, what the learning core concluded from the stored history.
struct DemoReport {
    let client: PostgresClient
    let logger: Logger

    func storedEvents() async throws -> Int {
        let rows = try await client.query("SELECT coalesce(sum(event_count), 0)::int8 FROM hindsight.executions", logger: logger)
        var total = 0
        for try await value in rows.decode(Int64.self) { total = Int(value) }
        return total
    }

    /// Waits until `events` more events are stored than at `baseline`, or until nothing changed for 15 s.
    func waitUntilStored(events: Int, baseline: Int) async throws {
        var last = -1
        var lastChange = ContinuousClock.now
        while true {
            let stored = try await storedEvents() - baseline
            if stored >= events { return }
            if stored != last {
                last = stored
                lastChange = .now
            } else if ContinuousClock.now - lastChange > .seconds(15) {
                print("  note: \(stored) of \(events) new events stored (the rest were already stored: same seed as before?)")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func printLearned(since: Date) async throws {
        let history = ExecutionHistory(client: client, logger: logger)
        let analyzer = PerformanceAnalyzer()
        let engine = AdaptationEngine()
        let policy = RecoveryPolicy()
        for (domain, count) in try await history.domains(since: since) {
            let traces = try await history.recentExecutions(domain: domain, since: since, limit: 2000)
                .compactMap(ExecutionTrace.fromWireEvents)
            let insights = analyzer.analyze(traces, domain: domain)
            print("== \(domain): \(count) executions in the window, \(insights.sampleSize) analysed, confidence \(format(insights.confidenceScore, 2))")
            let durations = traces.compactMap(\.durationSeconds).sorted()
            if let p50 = Percentile.continuous(0.5, sorted: durations), let p95 = Percentile.continuous(0.95, sorted: durations),
               let p99 = Percentile.continuous(0.99, sorted: durations)
            {
                print("   duration p50 \(format(p50, 1)) s · p95 \(format(p95, 1)) s · p99 \(format(p99, 1)) s")
            }
            for line in insights.insights { print("   • \(line)") }
            if !insights.slowPhases.isEmpty {
                print("   slow phases:")
                for slow in insights.slowPhases.prefix(3) {
                    let estimate = slow.averageEstimate.map { " vs estimate \(format($0, 0)) s" } ?? ""
                    print("     - \(slow.phaseName): avg \(format(slow.averageDuration, 1)) s\(estimate), \(format(slow.shareOfTotal * 100, 0)) % of the run")
                }
            }
            if !insights.commonErrors.isEmpty {
                print("   error patterns:")
                for error in insights.commonErrors.prefix(3) {
                    print("     - \(error.pattern)  ×\(error.count) in \(error.phases.joined(separator: ", "))")
                }
            }
            if !insights.optimalPhaseOrder.isEmpty {
                print("   learned phase order: \(insights.optimalPhaseOrder.joined(separator: " → "))")
            }
            for line in insights.recommendations { print("   → \(line)") }
            if let plan = traces.lazy.compactMap(\.plan).first {
                let adapted = engine.adapt(plan, insights: insights)
                print("   adapted plan (expected improvement \(format(adapted.expectedImprovement, 0)) %, confidence \(format(adapted.confidence, 2))):")
                for change in adapted.changes.prefix(6) {
                    print("     * \(change.summary) — \(change.reason)")
                }
                if adapted.changes.isEmpty { for line in adapted.adaptations { print("     * \(line)") } }
            }
            if let error = insights.commonErrors.first, let phaseName = error.phases.first {
                let failure = FailureClassifier.classify(message: error.example)
                let strategy = policy.strategy(for: failure, phaseName: phaseName, estimatedSeconds: nil)
                print("   recovery for \"\(error.example)\" in \(phaseName): \(failure.rawValue) → \(strategy.kind) (\(strategy.reason), confidence \(format(strategy.confidence, 2)))")
            }
            print("")
        }
    }

    private func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
