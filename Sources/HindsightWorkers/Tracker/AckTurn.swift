import Synchronization

/// The right to acknowledge, handed from one batch to the next in delivery order.
///
/// Batches commit concurrently, but a `multiple` ack covers every earlier delivery, so a batch may
/// only be acknowledged after the batch before it was. Each batch waits for its predecessor's turn
/// and then passes its own: `true` when it was acknowledged, `false` when it was not (shutdown or a
/// fatal error) — then no later batch acknowledges either, and the broker redelivers all of them
/// (the committed ones are recognized as duplicates).
///
/// A turn has one successor, so it serves one waiter: a second ``wait()`` throws
/// ``SingleWaiterError`` at once (the first waiter is unaffected).
final class AckTurn: Sendable {
    private struct State {
        var outcome: Bool?
        var waiter: CheckedContinuation<Bool, Never>?
        var claimed = false
    }

    private let state: Mutex<State>

    init() { state = Mutex(State()) }

    /// A turn already passed: the first batch acknowledges without waiting.
    static func passed() -> AckTurn {
        let turn = AckTurn()
        turn.pass(acknowledged: true)
        return turn
    }

    /// Passes the turn on; only the first call counts.
    func pass(acknowledged: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = acknowledged
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: acknowledged)
    }

    /// Waits until the turn is passed; whether the batch before was acknowledged.
    ///
    /// - Throws: ``SingleWaiterError`` when another task already waited on this turn.
    func wait() async throws(SingleWaiterError) -> Bool {
        let claimed = state.withLock { state -> Bool in
            guard !state.claimed else { return false }
            state.claimed = true
            return true
        }
        guard claimed else { throw SingleWaiterError(operation: "AckTurn.wait") }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let outcome = state.withLock { state -> Bool? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }

    /// Whether a task is suspended in ``wait()`` (for tests).
    var hasWaiter: Bool { state.withLock { $0.waiter != nil } }
}
