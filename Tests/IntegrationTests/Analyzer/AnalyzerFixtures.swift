import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting

/// Executions for the analyzer tests, as wire events (stored through the tracker's write path), and
/// what the learning core concludes from the same events.
enum AnalyzerFixtures {
    static let minute: Int64 = 60_000_000

    /// The simulated fleet's three domains, finished within the last hours, plus hand-made domains:
    /// `ties` (equal starts and durations, two phase orders seen equally often), `planless` (no plans,
    /// restarted and retried phases, errors without a message, recoveries with failure types), `tiny`
    /// (one execution), `pair` (one finished, one still running — recent, so never stale), and `ancient`
    /// (started before the window: due, but nothing to analyse).
    static func events(now: Int64) -> [WireEvent] {
        var events: [WireEvent] = []
        var simulator = FleetSimulator(seed: 10)
        let fleetStart = now - 6 * 60 * minute
        for i in 0..<90 {
            events += simulator.execution(startingAt: fleetStart + Int64(i) * 2 * minute, domainIndex: i % 3)
        }
        let tiesStart = now - 3 * 60 * minute
        for i in 0..<4 {
            var r = ExecutionRecorder(domain: "ties")
            r.start(goal: "tie", plan: ["a", "b"], at: tiesStart)
            let order = i % 2 == 0 ? ["a", "b"] : ["b", "a"]
            r.startPhase(order[0], estimatedSeconds: 10, at: tiesStart + 1_000)
            r.endPhase(order[0], at: tiesStart + 10_001_000)
            r.startPhase(order[1], estimatedSeconds: 10, at: tiesStart + 10_002_000)
            r.endPhase(order[1], at: tiesStart + 20_002_000)
            r.complete(status: "completed", at: tiesStart + 20_003_000)
            events += r.events
        }
        let planlessStart = now - 2 * 60 * minute
        for i in 0..<6 {
            let t = planlessStart + Int64(i) * minute
            var r = ExecutionRecorder(domain: "planless")
            r.record(.executionStarted, at: t, payload: EventPayload(goal: "no plan"))
            r.startPhase("work", at: t + 1_000)
            if i % 2 == 0 {
                r.record(.error, phase: "work", at: t + 2_000, payload: EventPayload(errorType: "E"))
                r.endPhase("work", success: false, at: t + 3_000)
                r.record(.retry, phase: "work", at: t + 4_000)
                r.recoveryAttempted(strategy: "retry", failureType: i == 0 ? nil : "timeout", success: i != 2, phase: "work", at: t + 4_500)
                r.startPhase("work", at: t + 5_000)
            }
            r.toolUsed("llm", durationMs: 3, phase: "work", at: t + 6_000)
            r.endPhase("work", at: t + Int64(10 + i) * 1_000_000)
            r.startPhase("wrap", at: t + Int64(11 + i) * 1_000_000)
            r.endPhase("wrap", at: t + Int64(13 + i) * 1_000_000)
            r.complete(status: i == 4 ? "failed" : "completed", at: t + Int64(14 + i) * 1_000_000)
            events += r.events
        }
        var tiny = ExecutionRecorder(domain: "tiny")
        tiny.start(goal: "one", plan: ["only"], at: now - 30 * minute)
        tiny.startPhase("only", estimatedSeconds: 0.5, at: now - 30 * minute + 1)
        tiny.error(type: "X", message: "Disk full at /var/lib/x-42", phase: "only", at: now - 30 * minute + 2)
        tiny.endPhase("only", success: false, at: now - 29 * minute)
        tiny.complete(status: "failed", at: now - 29 * minute + 1)
        events += tiny.events
        var done = ExecutionRecorder(domain: "pair")
        done.start(goal: "two", plan: ["p", "q"], at: now - 20 * minute)
        done.startPhase("p", estimatedSeconds: 5, at: now - 20 * minute + 1)
        done.endPhase("p", at: now - 19 * minute)
        done.complete(status: "recovered", at: now - 19 * minute + 1)
        events += done.events
        var running = ExecutionRecorder(domain: "pair")
        running.start(goal: "two", plan: ["p", "q"], at: now - minute)
        running.startPhase("p", estimatedSeconds: 5, at: now - minute + 1)
        events += running.events
        var old = ExecutionRecorder(domain: "ancient")
        old.start(goal: "old", plan: ["x"], at: now - 40 * 24 * 60 * minute)
        old.complete(status: "completed", at: now - 40 * 24 * 60 * minute + minute)
        events += old.events
        return events
    }

    /// One more finished execution of `domain`, starting at `start`.
    static func extra(domain: String, start: Int64) -> [WireEvent] {
        var r = ExecutionRecorder(domain: domain)
        r.start(goal: "extra", plan: ["only"], at: start)
        r.startPhase("only", estimatedSeconds: 5, at: start + 1)
        r.endPhase("only", at: start + 4_000_000)
        r.complete(status: "completed", at: start + 4_000_001)
        return r.events
    }

    /// The domains with executions in the window.
    static let analysedDomains = ["automation", "data-processing", "pair", "planless", "security-analysis", "ties", "tiny"]

    /// What the stored insights of `domain` must be: computed from the raw events with the learning
    /// core (``ExecutionTrace/fromWireEvents(_:)``, traces ordered by start then execution id).
    struct Expected: Equatable, CustomStringConvertible {
        var insights: PerformanceInsights
        var summary: DomainAnalysis.Summary
        var supportingRuns: Int
        var recovery: [String: (attempts: Int, successes: Int)]

        static func == (a: Expected, b: Expected) -> Bool {
            a.insights == b.insights && a.summary == b.summary && a.supportingRuns == b.supportingRuns
                && a.recovery.mapValues { [$0.attempts, $0.successes] } == b.recovery.mapValues { [$0.attempts, $0.successes] }
        }

        var description: String { "\(insights) \(summary) supporting=\(supportingRuns) recovery=\(recovery)" }
    }

    static func expected(domain: String, events all: [WireEvent], windowStart: Int64, minimumSampleSize: Int) -> Expected {
        let byExecution = Dictionary(grouping: all.filter { $0.domain == domain }, by: \.executionID)
        let traces = byExecution.values.compactMap(ExecutionTrace.fromWireEvents)
            .filter { $0.startTime.microsecondsSinceEpoch >= windowStart }
            .sorted {
                $0.startTime != $1.startTime ? $0.startTime < $1.startTime : $0.executionID.precedes($1.executionID)
            }
        let insights = PerformanceAnalyzer(minimumSampleSize: minimumSampleSize).analyze(traces, domain: domain)
        var durations = traces.compactMap(\.durationSeconds)
        let mean = durations.isEmpty ? nil : durations.reduce(0, +) / Double(durations.count)
        let p = Percentile.continuous([0.5, 0.95, 0.99], selectingIn: &durations)
        let completed = traces.count { $0.status == .completed }
        let summary = DomainAnalysis.Summary(
            executions: traces.count, completed: completed, failed: traces.count { $0.status == .failed }, abandoned: 0,
            successRate: traces.isEmpty ? 0 : Double(completed) / Double(traces.count), durationCount: durations.count,
            durationMean: mean, durationP50: p[0], durationP95: p[1], durationP99: p[2])
        var supporting = 0
        var recovery: [String: (attempts: Int, successes: Int)] = [:]
        for trace in traces {
            let events = byExecution[trace.executionID] ?? []
            let starts = events.filter { $0.type == .phaseStarted }.sorted { ($0.timestampMicros, $0.seq) < ($1.timestampMicros, $1.seq) }
            var order: [String] = []
            for event in starts { if let phase = event.phase, !order.contains(phase) { order.append(phase) } }
            if trace.status == .completed, !order.isEmpty, order == insights.optimalPhaseOrder { supporting += 1 }
            for event in events where event.type == .recoveryAttempted {
                guard let strategy = event.payload.strategy else { continue }
                let key = "\(event.payload.failureType ?? "unknown")/\(strategy)"
                recovery[key, default: (0, 0)].attempts += 1
                if event.payload.success == true { recovery[key, default: (0, 0)].successes += 1 }
            }
        }
        return Expected(insights: insights, summary: summary, supportingRuns: supporting, recovery: recovery)
    }

    /// The same view of a stored record.
    static func actual(_ record: InsightStore.Record) -> Expected {
        let insights = try? PerformanceInsights(
            goalDomain: record.domain, sampleSize: record.sampleSize, insights: record.insights,
            recommendations: record.recommendations, confidenceScore: record.confidence,
            slowPhases: record.phases.filter { $0.slowRank != nil }.sorted { ($0.slowRank ?? 0) < ($1.slowRank ?? 0) }.map {
                SlowPhase(phaseName: $0.phase, averageDuration: $0.meanSeconds, averageEstimate: $0.meanEstimateSeconds,
                          shareOfTotal: $0.shareOfTime)
            },
            commonErrors: record.errors.map {
                ErrorPattern(pattern: $0.pattern, count: $0.occurrences, executionCount: $0.executions, phases: $0.phases,
                             example: $0.example)
            },
            optimalPhaseOrder: record.phaseOrder?.phases ?? [], successRate: record.summary.successRate,
            phaseStatistics: [])
        var recovery: [String: (attempts: Int, successes: Int)] = [:]
        for row in record.recovery { recovery["\(row.failureType)/\(row.strategy)"] = (row.attempts, row.successes) }
        return Expected(
            insights: insights ?? PerformanceInsights.empty, summary: record.summary,
            supportingRuns: record.phaseOrder?.supportingRuns ?? 0, recovery: recovery)
    }

    /// The core's insights without per-phase statistics (compared separately, with the fields stored).
    static func comparable(_ insights: PerformanceInsights) -> PerformanceInsights {
        var copy = insights
        copy.phaseStatistics = []
        return copy
    }
}

extension PerformanceInsights {
    /// Stands in when a stored record does not make valid insights (the comparison then fails).
    static let empty: PerformanceInsights = {
        guard let value = try? PerformanceInsights(
            goalDomain: "", sampleSize: 0, insights: [], recommendations: [], confidenceScore: 0, slowPhases: [],
            commonErrors: [], optimalPhaseOrder: [])
        else { preconditionFailure("constant insights are valid") }
        return value
    }()
}
