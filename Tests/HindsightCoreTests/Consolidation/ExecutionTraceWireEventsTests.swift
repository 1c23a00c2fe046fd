import Foundation
import Testing
@testable import HindsightCore

/// One execution written twice: as wire events (what the tracker stores) and as the trace a live
/// recorder builds with `ExecutionTrace.record` — the reference `fromWireEvents` must reproduce.
private struct WireAndLive {
    let executionID = Fixtures.id(4242)
    let domain = "testing"
    let start = Fixtures.epoch
    var wire: [WireEvent] = []
    var live: [ExecutionEvent] = []

    private func micros(_ seconds: Double) -> Int64 {
        start.microsecondsSinceEpoch + Int64((seconds * 1_000_000).rounded())
    }

    private mutating func wire(_ type: EventType, phase: String? = nil, at seconds: Double, _ payload: EventPayload = .init()) {
        wire.append(WireEvent(
            eventID: Fixtures.id(10_000 + wire.count), executionID: executionID, seq: Int64(wire.count),
            timestampMicros: micros(seconds), type: type, domain: domain, phase: phase, payload: payload))
    }

    private func at(_ seconds: Double) -> Timestamp { Timestamp(microsecondsSinceEpoch: micros(seconds)) }

    mutating func begin(goal: String, plan: [String]) {
        wire(.executionStarted, at: 0, EventPayload(goal: goal, plan: plan))
    }

    mutating func startPhase(_ phase: String, estimate: Double?, at seconds: Double) {
        wire(.phaseStarted, phase: phase, at: seconds, EventPayload(estimatedDurationSeconds: estimate))
        live.append(.phaseStart(phase, at: at(seconds)))
    }

    mutating func endPhase(_ phase: String, success: Bool = true, at seconds: Double) {
        wire(.phaseCompleted, phase: phase, at: seconds, EventPayload(success: success))
        live.append(.phaseEnd(phase, at: at(seconds), success: success))
    }

    mutating func tool(_ tool: String, phase: String, at seconds: Double) {
        wire(.toolUsed, phase: phase, at: seconds, EventPayload(tool: tool, durationMs: 40))
        live.append(.toolCall(tool, at: at(seconds), durationMs: 40, phase: phase))
    }

    mutating func error(_ message: String, phase: String, at seconds: Double) {
        wire(.error, phase: phase, at: seconds, EventPayload(errorType: "TimeoutError", message: message))
        live.append(.error(type: "TimeoutError", message: message, at: at(seconds), phase: phase))
    }

    mutating func retry(_ phase: String, at seconds: Double) {
        wire(.retry, phase: phase, at: seconds)
        live.append(.retry(phase, at: at(seconds)))
    }

    mutating func recovery(_ phase: String, at seconds: Double) {
        wire(.recoveryAttempted, phase: phase, at: seconds, EventPayload(success: true, strategy: "retry"))
        let strategy = try! RecoveryStrategy(
            kind: .retry, phaseName: phase, reason: "timeout", actions: ["Retry"], confidence: 0.8, estimatedCost: 1)
        live.append(.recoveryAttempt(strategy, at: at(seconds)))
    }

    mutating func complete(_ status: String?, result: String? = nil, at seconds: Double) {
        wire(.executionCompleted, at: seconds, EventPayload(status: status, result: result))
    }

    /// The live trace: the same plan (estimates as `fromWireEvents` writes them), events recorded in order.
    func liveTrace(goal: String, plan: [(String, Double)], end seconds: Double?, status: ExecutionStatus) throws -> ExecutionTrace {
        let phases = try plan.map { name, estimate in
            try PlanPhase(name: name, description: "", requiredCapabilities: ["general"],
                          estimatedDuration: DurationFormatter.exactText(seconds: estimate))
        }
        var trace = try ExecutionTrace(
            executionID: executionID, agentBundleID: executionID, domain: domain,
            goal: try GoalDefinition(rawPrompt: goal, goal: goal, domain: domain),
            plan: try ExecutionPlan(goalID: executionID, phases: phases, totalEstimatedDuration: "", createdAt: start),
            startTime: start)
        for event in live { trace.record(event) }
        if let seconds { try trace.complete(at: at(seconds), status: status, result: nil) }
        return trace
    }

    /// collect (2.5 s estimate) fails once, is retried and succeeds; analyze (no estimate) succeeds.
    static func retriedRun() -> WireAndLive {
        var run = WireAndLive()
        run.begin(goal: "Collect and analyze", plan: ["collect", "analyze"])
        run.startPhase("collect", estimate: 2.5, at: 1)
        run.tool("http_get", phase: "collect", at: 1.5)
        run.error("Timed out after 30 s", phase: "collect", at: 2)
        run.endPhase("collect", success: false, at: 2.1)
        run.recovery("collect", at: 2.2)
        run.retry("collect", at: 2.3)
        run.startPhase("collect", estimate: 9, at: 2.4)
        run.endPhase("collect", at: 4)
        run.startPhase("analyze", estimate: nil, at: 4.5)
        run.tool("claude", phase: "analyze", at: 5)
        run.endPhase("analyze", at: 70)
        run.complete("recovered", at: 71)
        return run
    }
}

@Suite("ExecutionTrace.fromWireEvents")
struct ExecutionTraceWireEventsTests {
    static func shuffled<T>(_ items: [T], seed: UInt64) -> [T] {
        var state = seed
        var result = items
        for index in stride(from: result.count - 1, to: 0, by: -1) {
            state = StableHash.mix(state)
            result.swapAt(index, Int(state % UInt64(index + 1)))
        }
        return result
    }

    @Test("the execution markers are not events: counts, kinds and metrics equal the trace recorded live")
    func eventsEqualTheLiveTrace() throws {
        let run = WireAndLive.retriedRun()
        let rebuilt = try #require(ExecutionTrace.fromWireEvents(run.wire))
        let live = try run.liveTrace(
            goal: "Collect and analyze", plan: [("collect", 2.5), ("analyze", 60)], end: 71, status: .recovered)
        #expect(run.wire.count == live.events.count + 2)
        #expect(rebuilt.events.count == live.events.count)
        #expect(rebuilt.events.map(\.kind) == live.events.map(\.kind))
        #expect(rebuilt.events.map(\.phaseName) == live.events.map(\.phaseName))
        #expect(rebuilt.events.map(\.timestamp) == live.events.map(\.timestamp))
        #expect(!rebuilt.events.contains { $0.kind == .custom("execution_started") || $0.kind == .custom("execution_completed") })
        #expect(rebuilt.startTime == live.startTime && rebuilt.endTime == live.endTime && rebuilt.status == live.status)
        #expect(rebuilt.plan?.phases == live.plan?.phases && rebuilt.goal?.goal == live.goal?.goal)
        #expect(MetricsCollector.collect(rebuilt) == MetricsCollector.collect(live))
    }

    @Test("a trace of markers only has no events")
    func markersOnly() throws {
        var run = WireAndLive()
        run.begin(goal: "Nothing to do", plan: ["only"])
        run.complete("completed", at: 3)
        let trace = try #require(ExecutionTrace.fromWireEvents(run.wire))
        #expect(trace.events.isEmpty && trace.status == .completed && trace.durationSeconds == 3)
        #expect(ExecutionTrace.fromWireEvents([]) == nil)
    }

    @Test("plan from execution_started; estimates exact, from each phase's lowest-seq start, else one minute")
    func planAndEstimates() throws {
        var run = WireAndLive()
        run.begin(goal: "Estimates", plan: ["fraction", "tiny", "first-without", "whole", "never-started"])
        run.startPhase("fraction", estimate: 0.1 + 0.2, at: 1)       // 0.30000000000000004, not 0.3
        run.startPhase("fraction", estimate: 99, at: 2)              // a later start never replaces it
        run.startPhase("tiny", estimate: 0.000_012_5, at: 3)
        run.startPhase("first-without", estimate: nil, at: 4)        // the lowest-seq start has none: default
        run.startPhase("first-without", estimate: 42, at: 5)
        run.startPhase("whole", estimate: 150, at: 6)
        let trace = try #require(ExecutionTrace.fromWireEvents(Self.shuffled(run.wire, seed: 3)))
        let plan = try #require(trace.plan)
        #expect(plan.phases.map(\.name) == ["fraction", "tiny", "first-without", "whole", "never-started"])
        #expect(plan.phases.map(\.estimatedSeconds) == [0.1 + 0.2, 0.000_012_5, 60, 150, 60])
        #expect(plan.phases[3].estimatedDuration == "2 minutes 30 seconds")
        #expect(plan.phases[1].estimatedDuration == "0.0000125 seconds")
        // The core's estimate of every phase is exactly what phases.estimated_duration_s holds.
        let state = ConsolidatedState(uniqueEvents: run.wire)
        for phase in plan.phases where phase.name != "never-started" {
            let row = try #require(state.phases[ConsolidatedState.phaseKey(run.executionID, phase.name)])
            #expect(phase.estimatedSeconds == (row.estimatedDurationSeconds ?? MetricsCollector.defaultEstimateSeconds))
        }
    }

    @Test("without execution_started: no plan, no goal, the first event's time as start")
    func withoutStart() throws {
        var run = WireAndLive()
        run.startPhase("a", estimate: 5, at: 2)
        run.endPhase("a", at: 4)
        let trace = try #require(ExecutionTrace.fromWireEvents(run.wire))
        #expect(trace.plan == nil && trace.goal == nil && trace.status == .running && trace.endTime == nil)
        #expect(trace.startTime == Fixtures.epoch.adding(seconds: 2) && trace.events.count == 2)
    }

    @Test("status: the highest-seq completion; none → running; no status → completed, as the tracker stores it")
    func statusMapping() throws {
        for (status, expected) in [("completed", ExecutionStatus.completed), ("failed", .failed), ("recovered", .recovered)] {
            var run = WireAndLive()
            run.begin(goal: "g", plan: ["a"])
            run.complete(status, result: "r", at: 5)
            let trace = try #require(ExecutionTrace.fromWireEvents(run.wire))
            #expect(trace.status == expected && trace.finalResult == "r" && trace.durationSeconds == 5)
        }
        var running = WireAndLive()
        running.begin(goal: "g", plan: ["a"])
        running.startPhase("a", estimate: 1, at: 1)
        let open = try #require(ExecutionTrace.fromWireEvents(running.wire))
        #expect(open.status == .running && open.endTime == nil && open.finalResult == nil)

        var unnamed = WireAndLive()
        unnamed.begin(goal: "g", plan: ["a"])
        unnamed.complete(nil, at: 2)
        #expect(ExecutionTrace.fromWireEvents(unnamed.wire)?.status == .completed)
        #expect(ConsolidatedState(uniqueEvents: unnamed.wire).executions[unnamed.executionID]?.status == "completed")

        var twice = WireAndLive()
        twice.begin(goal: "g", plan: ["a"])
        twice.complete("failed", result: "first", at: 2)
        twice.complete("completed", result: "second", at: 9)
        for order in [twice.wire, twice.wire.reversed()] {
            let trace = try #require(ExecutionTrace.fromWireEvents(order))
            #expect(trace.status == .completed && trace.finalResult == "second" && trace.durationSeconds == 9)
        }
    }

    @Test("stored statuses: abandoned and unknown ones count as failed")
    func consolidatedStatuses() {
        #expect(ExecutionStatus(consolidatedStatus: "completed") == .completed)
        #expect(ExecutionStatus(consolidatedStatus: "failed") == .failed)
        #expect(ExecutionStatus(consolidatedStatus: "recovered") == .recovered)
        #expect(ExecutionStatus(consolidatedStatus: "running") == .running)
        #expect(ExecutionStatus(consolidatedStatus: "abandoned") == .failed)
        #expect(ExecutionStatus(consolidatedStatus: "exploded") == .failed)
    }

    @Test("an end before the start is clamped to the start")
    func endBeforeStart() throws {
        var run = WireAndLive()
        run.begin(goal: "g", plan: ["a"])
        run.complete("completed", at: -3)
        let trace = try #require(ExecutionTrace.fromWireEvents(run.wire))
        #expect(trace.durationSeconds == 0)
    }

    @Test("any arrival order gives the same trace, events in seq order")
    func outOfOrder() throws {
        let run = WireAndLive.retriedRun()
        let ordered = try #require(ExecutionTrace.fromWireEvents(run.wire))
        for seed in 1...20 as ClosedRange<UInt64> {
            #expect(ExecutionTrace.fromWireEvents(Self.shuffled(run.wire, seed: seed)) == ordered)
        }
        #expect(ExecutionTrace.fromWireEvents(run.wire.reversed()) == ordered)
    }

    @Test("a redelivered event appears once")
    func duplicatesAbsent() throws {
        let run = WireAndLive.retriedRun()
        let once = try #require(ExecutionTrace.fromWireEvents(run.wire))
        let delivered = Self.shuffled(run.wire + run.wire.prefix(5) + run.wire.suffix(3), seed: 9)
        let rebuilt = try #require(ExecutionTrace.fromWireEvents(delivered))
        #expect(rebuilt == once)
        let ids = rebuilt.events.compactMap(\.id)
        #expect(ids.count == rebuilt.events.count && Set(ids).count == ids.count)
    }
}
