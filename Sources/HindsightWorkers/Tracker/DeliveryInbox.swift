import AMQP
import Synchronization

/// Decoded deliveries not yet taken into a batch.
///
/// The consumer task decodes and appends; the commit loop takes up to one batch once the previous one
/// is committed. Decoding thus runs while the previous batch commits. The inbox holds at most
/// `highWater` events: beyond that the consumer task waits before decoding more, and the deliveries
/// it has not decoded stay in the consumer's buffer, bounded by the prefetch window.
///
/// One task appends and one task takes: a second concurrent ``append(contentsOf:)`` or
/// ``take(maxMessages:maxEvents:maxBytes:linger:)`` throws ``SingleWaiterError`` at once, and the
/// first caller is unaffected.
final class DeliveryInbox: Sendable {
    private struct State {
        var items: [DecodedDelivery] = []
        var events = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
        var spaceWaiter: CheckedContinuation<Void, Never>?
        /// A call to `take` / `append` is running (single-waiter discipline).
        var taking = false
        var appending = false

        var count: Int { items.count }
    }

    private let state = Mutex(State())
    private let highWater: Int

    /// - Parameter highWater: the most decoded events held before ``append(contentsOf:)`` waits.
    init(highWater: Int) {
        self.highWater = max(1, highWater)
    }

    var count: Int { state.withLock { $0.count } }

    /// Whether a task is suspended in ``take(maxMessages:maxEvents:maxBytes:linger:)`` waiting for
    /// deliveries, and in ``append(contentsOf:)`` waiting for room (for tests).
    var waiters: (take: Bool, append: Bool) {
        state.withLock { ($0.waiter != nil, $0.spaceWaiter != nil) }
    }

    /// Appends, then waits while the inbox holds `highWater` events or more.
    ///
    /// - Throws: ``SingleWaiterError`` when another `append` is still running (nothing is appended).
    func append(contentsOf decoded: [DecodedDelivery]) async throws(SingleWaiterError) {
        let waiter = try state.withLock { state throws(SingleWaiterError) -> CheckedContinuation<Void, Never>? in
            guard !state.appending else { throw SingleWaiterError(operation: "DeliveryInbox.append") }
            state.appending = true
            state.items.append(contentsOf: decoded)
            for item in decoded { state.events += item.events.count }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
        defer { state.withLock { $0.appending = false } }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let roomy = state.withLock { state -> Bool in
                if state.events < highWater || state.finished { return true }
                state.spaceWaiter = continuation
                return false
            }
            if roomy { continuation.resume() }
        }
    }

    func finish() {
        let (waiter, spaceWaiter) = state.withLock { state in
            state.finished = true
            defer {
                state.waiter = nil
                state.spaceWaiter = nil
            }
            return (state.waiter, state.spaceWaiter)
        }
        waiter?.resume()
        spaceWaiter?.resume()
    }

    /// Waits for at least one delivery and returns those available, up to the bounds (always at least
    /// one delivery, even if it alone exceeds them). When the bounds are not reached and the oldest
    /// delivery arrived less than `linger` ago, first waits until it is `linger` old: under load the
    /// deliveries have already waited while the previous batch committed, so no time is added.
    /// Returns nil once finished and empty.
    ///
    /// - Throws: ``SingleWaiterError`` when another `take` is still running.
    func take(maxMessages: Int, maxEvents: Int, maxBytes: Int, linger: Duration) async throws(SingleWaiterError) -> [DecodedDelivery]? {
        try state.withLock { state throws(SingleWaiterError) in
            guard !state.taking else { throw SingleWaiterError(operation: "DeliveryInbox.take") }
            state.taking = true
        }
        defer { state.withLock { $0.taking = false } }
        await waitForDeliveries()
        let wait = state.withLock { state -> Duration? in
            guard linger > .zero, !state.finished, state.count < maxMessages, state.events < maxEvents,
                  let oldest = state.items.first else { return nil }
            let age = ContinuousClock.now - oldest.receivedAt
            return age < linger ? linger - age : nil
        }
        if let wait { try? await Task.sleep(for: wait) }
        let (taken, spaceWaiter) = state.withLock { state -> ([DecodedDelivery]?, CheckedContinuation<Void, Never>?) in
            if state.count == 0 { return (state.finished ? nil : [], nil) }
            var end = 0
            var bytes = 0
            var events = 0
            while end < state.items.count, end < maxMessages {
                let item = state.items[end]
                if end > 0, events + item.events.count > maxEvents { break }
                bytes += item.delivery.body.count
                events += item.events.count
                end += 1
                if bytes >= maxBytes { break }
            }
            let taken = Array(state.items[..<end])
            // Release the taken slots now: kept until a later compaction, thousands of consumed
            // deliveries (bodies and decoded events) stayed alive — 176 MiB with 100-event messages.
            state.items.removeSubrange(..<end)
            state.events -= events
            guard state.events < highWater, let spaceWaiter = state.spaceWaiter else { return (taken, nil) }
            state.spaceWaiter = nil
            return (taken, spaceWaiter)
        }
        spaceWaiter?.resume()
        return taken
    }

    private func waitForDeliveries() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.count > 0 || state.finished { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
