/// A second task waited on a primitive that serves one waiter at a time (``DeliveryInbox``,
/// ``AckTurn``): a bug in the caller, reported at once to the second waiter instead of overwriting (and
/// leaking) the first waiter's continuation.
struct SingleWaiterError: Error, CustomStringConvertible {
    /// The primitive and the operation, e.g. `DeliveryInbox.take`.
    var operation: String

    var description: String { "\(operation) already has a waiter; it serves one waiter at a time" }
}
