import Synchronization

/// Body bytes a consumer has received and the application has not taken yet.
///
/// The broker bounds unacknowledged deliveries by count only (RabbitMQ ignores `basic.qos` prefetch
/// size and applies a per-consumer prefetch count only when consuming starts), so with large messages
/// a prefetch window can hold far more bytes than intended. With a limit, the connection thread stops
/// reading the socket while the application holds `limit` bytes or more, and TCP flow control holds
/// the rest back at the broker — backpressure without re-subscribing.
final class ConsumerBuffer: Sendable {
    /// Bytes above which the connection stops reading (`Int.max`: no limit).
    let limit: Int
    private let bytes = Atomic<Int>(0)

    init(limit: Int?) {
        self.limit = max(1, limit ?? .max)
    }

    var isLimited: Bool { limit != .max }
    var current: Int { bytes.load(ordering: .relaxed) }

    /// A batch of `count` bytes was handed to the application.
    func added(_ count: Int) {
        bytes.add(count, ordering: .relaxed)
    }

    /// The application took a batch of `count` bytes; `true` when that brought the buffer from at or
    /// above the limit to below it (the reader must be woken).
    func taken(_ count: Int) -> Bool {
        let after = bytes.subtract(count, ordering: .relaxed).newValue
        return after < limit && after + count >= limit
    }
}
