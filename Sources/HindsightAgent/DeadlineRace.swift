import Synchronization

/// How a raced operation ended.
enum RaceOutcome<Value: Sendable>: Sendable {
    /// The operation finished first, with this result.
    case finished(Result<Value, any Error>)
    /// The deadline passed first; the operation may still complete later.
    case timedOut
    /// The waiting task was cancelled first; the operation may still complete later.
    case cancelled
}

/// Waits for `operation` until it finishes, `timeout` passes or the calling task is cancelled,
/// whichever comes first — without waiting for the operation to notice.
///
/// A task group cannot do this: it waits for every child, and a publish waiting for its confirm
/// (a continuation on the connection's thread) does not react to cancellation. So the operation
/// runs in its own task and the first of the three events resumes the caller.
func race<Value: Sendable>(
    timeout: Duration, _ operation: @escaping @Sendable () async throws -> Value
) async -> RaceOutcome<Value> {
    let gate = OnceGate<RaceOutcome<Value>>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            gate.install(continuation)
            let sleeper = Task {
                do {
                    try await Task.sleep(for: timeout)
                    gate.resume(.timedOut)
                } catch {
                    // Cancelled because the operation finished first.
                }
            }
            Task {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await operation())
                } catch {
                    result = .failure(error)
                }
                gate.resume(.finished(result))
                sleeper.cancel()
            }
        }
    } onCancel: {
        gate.resume(.cancelled)
    }
}

/// A one-shot hand-over to a single waiter: the first ``resume(_:)`` wins, later ones are ignored;
/// a value that arrives before the waiter is kept for it. A second waiter is a programming error
/// and stops the process instead of leaking a continuation.
final class OnceGate<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case resolved(Value)
        case done
    }

    private let state = Mutex(State.empty)

    init() {}

    /// Installs the only waiter; resumes it at once when a value already arrived.
    func install(_ continuation: CheckedContinuation<Value, Never>) {
        let ready: Value? = state.withLock { state in
            switch state {
            case .empty:
                state = .waiting(continuation)
                return nil
            case .resolved(let value):
                state = .done
                return value
            case .waiting, .done:
                preconditionFailure("OnceGate: a second waiter was installed")
            }
        }
        if let ready { continuation.resume(returning: ready) }
    }

    /// Hands `value` over unless a value was already handed over.
    ///
    /// - Returns: `true` when this call's value is the one the waiter gets.
    @discardableResult
    func resume(_ value: Value) -> Bool {
        let outcome: (won: Bool, waiter: CheckedContinuation<Value, Never>?) = state.withLock { state in
            switch state {
            case .empty:
                state = .resolved(value)
                return (true, nil)
            case .waiting(let continuation):
                state = .done
                return (true, continuation)
            case .resolved, .done:
                return (false, nil)
            }
        }
        outcome.waiter?.resume(returning: value)
        return outcome.won
    }
}
