import Foundation
import HindsightCore
import Synchronization

/// What the fault run's agents know: every execution the broker confirmed (its events folded into the
/// learning core's consolidation, the reference the database must equal), every failed publish attempt,
/// and what was still unconfirmed when the run stopped.
///
/// Times are wall-clock microseconds (the clock PostgreSQL stamps commits with).
final class ChaosLedger: Sendable {
    /// One execution the broker confirmed.
    struct Confirmed: Sendable {
        var executionID: UUID
        var events: Int
        /// When its first publish attempt started (= the events' `ts`).
        var firstAttemptMicros: Int64
        var confirmedMicros: Int64
        var attempts: Int
    }

    private struct State {
        var confirmed: [Confirmed] = []
        var expected = ConsolidatedState()
        var failedAttempts: [Int64] = []
        var republishedEvents = 0
        var unconfirmed: [UUID] = []
        var lastFailure: String?
    }

    private let state = Mutex(State())

    /// Records a confirmed execution and folds its events into the reference consolidation.
    func confirm(_ events: [WireEvent], firstAttemptMicros: Int64, attempts: Int) {
        guard let first = events.first else { return }
        let now = WireFormat.currentMicros()
        let delta = ConsolidationDelta(events: events)
        state.withLock {
            $0.confirmed.append(Confirmed(
                executionID: first.executionID, events: events.count, firstAttemptMicros: firstAttemptMicros,
                confirmedMicros: now, attempts: attempts))
            $0.expected.apply(delta)
            $0.republishedEvents += (attempts - 1) * events.count
        }
    }

    /// Records a publish attempt that did not end confirmed.
    func failed(_ error: any Error) {
        let now = WireFormat.currentMicros()
        state.withLock {
            $0.failedAttempts.append(now)
            $0.lastFailure = "\(error)"
        }
    }

    /// Records an execution the run gave up on at its end (it may or may not be stored).
    func abandoned(_ executionID: UUID) {
        state.withLock { $0.unconfirmed.append(executionID) }
    }

    var confirmed: [Confirmed] { state.withLock { $0.confirmed } }
    var expected: ConsolidatedState { state.withLock { $0.expected } }
    var failedAttempts: [Int64] { state.withLock { $0.failedAttempts } }
    var republishedEvents: Int { state.withLock { $0.republishedEvents } }
    var unconfirmed: [UUID] { state.withLock { $0.unconfirmed } }
    var lastFailure: String? { state.withLock { $0.lastFailure } }
    var confirmedEvents: Int { state.withLock { $0.confirmed.reduce(0) { $0 + $1.events } } }
}
