import Foundation
@testable import HindsightCore

/// Wire events of made-up executions, and the two ways of turning them into traces: from the raw
/// events (``ExecutionTrace/fromWireEvents(_:)``) and from their consolidation (``ConsolidatedState``,
/// the in-memory reference of the tracker's upserts, then ``ConsolidatedTrace``).
enum ConsolidationFixtures {
    static let domains = ["alpha", "beta", "gamma"]

    /// Builds one execution's events with increasing `seq`; times are microseconds after `start`.
    struct Builder {
        let executionID: UUID
        let domain: String
        let start: Int64
        private(set) var events: [WireEvent] = []

        init(executionID: UUID, domain: String, start: Int64) {
            self.executionID = executionID
            self.domain = domain
            self.start = start
        }

        private mutating func add(_ type: EventType, phase: String? = nil, at offset: Int64, _ payload: EventPayload = .init()) {
            events.append(WireEvent(
                eventID: UUID(), executionID: executionID, seq: Int64(events.count + 1), timestampMicros: start + offset,
                type: type, domain: domain, phase: phase, payload: payload))
        }

        mutating func start(plan: [String]?) { add(.executionStarted, at: 0, EventPayload(goal: "goal of \(domain)", plan: plan)) }
        mutating func phaseStart(_ phase: String, at t: Int64, estimate: Double?) {
            add(.phaseStarted, phase: phase, at: t, EventPayload(estimatedDurationSeconds: estimate))
        }
        mutating func phaseEnd(_ phase: String, at t: Int64, success: Bool = true) {
            add(.phaseCompleted, phase: phase, at: t, EventPayload(success: success))
        }
        mutating func retry(_ phase: String, at t: Int64) { add(.retry, phase: phase, at: t) }
        mutating func tool(_ tool: String, at t: Int64) { add(.toolUsed, at: t, EventPayload(tool: tool, durationMs: 5)) }
        mutating func error(_ message: String?, phase: String?, at t: Int64) {
            add(.error, phase: phase, at: t, EventPayload(errorType: "E", message: message))
        }
        mutating func complete(_ status: String, at t: Int64) { add(.executionCompleted, at: t, EventPayload(status: status)) }
    }

    /// A deterministic mix per domain: retried and restarted phases, failures, errors with and without
    /// messages, running executions, equal durations (ties), and — with `planless` — executions
    /// without a plan.
    static func fleet(executions count: Int, seed: UInt64, planless: Bool = false) -> [WireEvent] {
        var rng = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func next(_ bound: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((rng >> 33) % UInt64(bound))
        }
        let phases = ["plan", "fetch", "transform", "check", "publish"]
        let messages = ["Timeout after 30 s", "Timeout after 45 s", "File not found: /tmp/x-12.csv", "Rate limit (429) at 7 requests"]
        var events: [WireEvent] = []
        for i in 0..<count {
            let domain = domains[i % domains.count]
            var b = Builder(
                executionID: UUID(), domain: domain, start: 1_700_000_000_000_000 + Int64(i / 4) * 1_000_000)
            let plan: [String]? = planless && i % 2 == 0 ? nil : (i % 5 == 0 ? Array(phases.reversed().prefix(4)) : phases)
            b.start(plan: plan)
            var t: Int64 = 1_000
            var failed = false
            // Every tenth execution runs two phases in swapped order; ties: durations repeat every 7.
            var order = plan ?? phases
            if i % 10 == 3, order.count > 2 { order.swapAt(1, 2) }
            for (k, phase) in order.enumerated() {
                let estimate: Double? = [nil, 20, 45.5, 90, 120][k % 5]
                b.phaseStart(phase, at: t, estimate: estimate)
                let seconds = Int64(5 + (i % 7) * 3 + k * 11)
                if next(8) == 0 {
                    b.error(next(3) == 0 ? nil : messages[next(messages.count)], phase: phase, at: t + 500)
                    b.phaseEnd(phase, at: t + 1_000, success: false)
                    if next(2) == 0 {
                        failed = true
                        break
                    }
                    b.retry(phase, at: t + 1_500)
                    b.phaseStart(phase, at: t + 2_000, estimate: estimate)
                }
                for _ in 0..<next(3) { b.tool(["llm", "sql", "claude"][next(3)], at: t + 100) }
                t += seconds * 1_000_000
                b.phaseEnd(phase, at: t, success: true)
                t += 1_000
            }
            if i % 17 != 16 {  // some stay running
                b.complete(failed ? "failed" : (i % 9 == 0 ? "recovered" : "completed"), at: t)
            }
            events += b.events.shuffled()
        }
        return events
    }

    /// Start time and id of an execution, the order the analyzer reads executions in.
    private static func precedes(_ a: (Int64, UUID), _ b: (Int64, UUID)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1.precedes(b.1)
    }

    /// One trace per execution from its raw events, ordered by (start, execution id).
    static func rawTraces(_ events: [WireEvent]) -> [ExecutionTrace] {
        Dictionary(grouping: events, by: \.executionID).values
            .compactMap(ExecutionTrace.fromWireEvents)
            .sorted { precedes(($0.startTime.microsecondsSinceEpoch, $0.executionID), ($1.startTime.microsecondsSinceEpoch, $1.executionID)) }
    }

    /// The consolidated view of every execution (through ``ConsolidatedState``), ordered by (start, execution id).
    static func consolidatedTraces(_ events: [WireEvent]) -> [ConsolidatedTrace] {
        let state = ConsolidatedState(uniqueEvents: events)
        let phases = Dictionary(grouping: state.phases.values, by: \.executionID)
        let tools = Dictionary(grouping: state.tools.values, by: \.executionID)
        let errors = Dictionary(grouping: state.errors.values, by: \.executionID)
        return state.executions.values.map { row in
            ConsolidatedTrace(
                executionID: row.executionID, domain: row.domain, goal: row.goal, plan: row.plan, status: row.status,
                startedAtMicros: row.startedAtMicros, endedAtMicros: row.endedAtMicros, finalResult: row.finalResult,
                phases: (phases[row.executionID] ?? []).map {
                    ConsolidatedTrace.Phase(
                        name: $0.phase, startedAtMicros: $0.startedAtMicros, startSeq: $0.startSeq, startCount: $0.startCount,
                        estimatedSeconds: $0.estimatedDurationSeconds, endedAtMicros: $0.endedAtMicros, success: $0.success,
                        retryCount: $0.retryCount)
                },
                tools: (tools[row.executionID] ?? []).map { ConsolidatedTrace.ToolCount(name: $0.tool, calls: $0.calls) },
                errors: (errors[row.executionID] ?? []).map {
                    ConsolidatedTrace.ErrorRecord(seq: $0.seq, timestampMicros: $0.timestampMicros, phase: $0.phase, message: $0.message)
                })
        }
        .filter { $0.startedAtMicros != nil }
        .sorted { precedes(($0.startedAtMicros ?? 0, $0.executionID), ($1.startedAtMicros ?? 0, $1.executionID)) }
    }
}
