import Synchronization

/// The right to acknowledge, handed from one batch to the next in delivery order.
///
/// Batches commit concurrently, but a `multiple` ack covers every earlier delivery, so a batch may
/// only be acknowledged after the batch before it was. Each batch waits for its predecessor's turn
/// and then passes its own: `true` when it was acknowledged, `false` when it was not (shutdown or a
/// fatal error) — then no later batch acknowledges either, and the broker redelivers all of them
/// (the committed ones are recognized as duplicates).
final class AckTurn: Sendable {
    private struct State {
        var outcome: Bool?
        var waiters: [CheckedContinuation<Bool, Never>] = []
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
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard state.outcome == nil else { return [] }
            state.outcome = acknowledged
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: acknowledged) }
    }

    /// Waits until the turn is passed; whether the batch before was acknowledged.
    func wait() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let outcome = state.withLock { state -> Bool? in
                if let outcome = state.outcome { return outcome }
                state.waiters.append(continuation)
                return nil
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }
}
