import Foundation
import Testing
@testable import HindsightCore

/// The analyzer's inputs in the consolidation: `phases.start_count`, `errors` and `recovery_attempts` rows.
@Suite("Consolidation: start counts, errors, recovery attempts")
struct ConsolidationDeltaTests {
    static func events(execution n: Int) -> [WireEvent] {
        let execution = Fixtures.id(n)
        var events: [WireEvent] = []
        func add(_ type: EventType, _ phase: String?, _ payload: EventPayload = .init()) {
            events.append(WireEvent(
                eventID: Fixtures.id(n * 1000 + events.count), executionID: execution, seq: Int64(events.count),
                timestampMicros: Fixtures.epoch.microsecondsSinceEpoch + Int64(events.count) * 1_000_000,
                type: type, domain: "testing", phase: phase, payload: payload))
        }
        add(.executionStarted, nil, EventPayload(plan: ["fetch", "load"]))
        add(.phaseStarted, "fetch", EventPayload(estimatedDurationSeconds: 3))
        add(.error, "fetch", EventPayload(errorType: "TimeoutError", message: "Timed out"))
        add(.phaseCompleted, "fetch", EventPayload(success: false, error: "Timed out"))
        add(.recoveryAttempted, "fetch", EventPayload(success: true, strategy: "retry", failureType: "timeout"))
        add(.phaseStarted, "fetch", EventPayload(estimatedDurationSeconds: 8))
        add(.phaseCompleted, "fetch", EventPayload(success: true))
        add(.phaseStarted, "load")
        add(.error, nil, EventPayload(error: "disk slow", errorType: "Warning")) // no message: error text
        add(.recoveryAttempted, "load", EventPayload(success: false)) // no strategy: no row
        add(.phaseCompleted, "load")
        add(.executionCompleted, nil, EventPayload(status: "recovered"))
        return events
    }

    @Test("start_count counts every phase_started; rows per error and per recovery with a strategy")
    func rows() throws {
        let events = Self.events(execution: 1)
        let state = ConsolidatedState(uniqueEvents: events)
        let execution = Fixtures.id(1)
        #expect(state.phases[ConsolidatedState.phaseKey(execution, "fetch")]?.startCount == 2)
        #expect(state.phases[ConsolidatedState.phaseKey(execution, "fetch")]?.estimatedDurationSeconds == 3)
        #expect(state.phases[ConsolidatedState.phaseKey(execution, "load")]?.startCount == 1)
        let errors = state.errors.values.sorted { $0.seq < $1.seq }
        #expect(errors.map(\.seq) == [2, 8] && errors.map(\.phase) == ["fetch", nil])
        #expect(errors.map(\.errorType) == ["TimeoutError", "Warning"] && errors.map(\.message) == ["Timed out", "disk slow"])
        #expect(errors[0].eventID == events[2].eventID && errors[0].timestampMicros == events[2].timestampMicros)
        let recovery = try #require(state.recoveries.values.first)
        #expect(state.recoveries.count == 1)
        #expect(recovery == RecoveryAttemptRow(
            executionID: execution, eventID: events[4].eventID, seq: 4, timestampMicros: events[4].timestampMicros,
            phase: "fetch", failureType: "timeout", strategy: "retry", success: true))
    }

    @Test("rows are in (execution id, event id) order, the primary key's")
    func keyOrder() {
        let events = (1...5).flatMap { Self.events(execution: $0) }.reversed()
        let delta = ConsolidationDelta(events: events)
        func ascending(_ keys: [(UUID, UUID)]) -> Bool {
            zip(keys, keys.dropFirst()).allSatisfy { a, b in
                a.0 == b.0 ? a.1.precedes(b.1) : a.0.precedes(b.0)
            }
        }
        #expect(ascending(delta.errors.map { ($0.executionID, $0.eventID) }))
        #expect(ascending(delta.recoveries.map { ($0.executionID, $0.eventID) }))
        #expect(delta.errors.count == 10 && delta.recoveries.count == 5)
    }

    @Test("one event per delta, in any order, gives the state of one delta (sums exact, rows once)")
    func anyGrouping() {
        let events = (1...3).flatMap { Self.events(execution: $0) }
        let whole = ConsolidatedState(uniqueEvents: events)
        var state = ConsolidatedState()
        for event in events.reversed() { state.apply(ConsolidationDelta(events: [event])) }
        #expect(state == whole)
        var halves = ConsolidatedState()
        halves.apply(ConsolidationDelta(events: events.suffix(17)))
        halves.apply(ConsolidationDelta(events: events.prefix(events.count - 17)))
        #expect(halves == whole)
    }
}
