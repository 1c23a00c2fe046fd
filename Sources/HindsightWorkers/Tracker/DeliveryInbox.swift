import AMQP
import Synchronization

/// Deliveries received and not yet taken into a batch.
///
/// The consumer task appends; the commit loop takes everything that arrived (up to the bounds) once the
/// previous batch is committed. Its size is bounded by the consumer's prefetch window: the broker sends
/// no more until deliveries are acknowledged.
final class DeliveryInbox: Sendable {
    private struct State {
        var deliveries: [Delivery] = []
        var head = 0
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.deliveries.count - $0.head } }

    func append(contentsOf deliveries: [Delivery]) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.deliveries.append(contentsOf: deliveries)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns deliveries taken but not used to the front of the inbox, keeping their order.
    func putBack(_ deliveries: [Delivery]) {
        guard !deliveries.isEmpty else { return }
        state.withLock { state in
            state.deliveries.insert(contentsOf: deliveries, at: state.head)
        }
    }

    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Waits for at least one delivery and returns those available, up to the bounds. When fewer than
    /// `maxMessages` are there, waits once up to `linger` for more. Returns nil once finished and empty.
    func take(maxMessages: Int, maxBytes: Int, linger: Duration) async -> [Delivery]? {
        await waitForDeliveries()
        if linger > .zero, count < maxMessages, !state.withLock({ $0.finished }) {
            try? await Task.sleep(for: linger)
        }
        return state.withLock { state -> [Delivery]? in
            let available = state.deliveries.count - state.head
            if available == 0 { return state.finished ? nil : [] }
            var end = state.head
            var bytes = 0
            while end < state.deliveries.count, end - state.head < maxMessages {
                bytes += state.deliveries[end].body.count
                end += 1
                if bytes >= maxBytes { break }
            }
            let taken = Array(state.deliveries[state.head..<end])
            state.head = end
            if state.head > 4096, state.head * 2 > state.deliveries.count {
                state.deliveries.removeFirst(state.head)
                state.head = 0
            }
            return taken
        }
    }

    private func waitForDeliveries() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.deliveries.count > state.head || state.finished { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
