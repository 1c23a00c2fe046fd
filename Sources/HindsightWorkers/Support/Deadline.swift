import Synchronization

/// The operation did not finish within its deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "no answer within \(limit)" }
}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` once `limit` has passed.
///
/// Unlike a task group, this does not wait for an operation that ignores cancellation: the operation
/// is cancelled and left to finish on its own. The tracker uses it around database writes, because a
/// connection-pool lease was seen to hang forever after PostgreSQL restarted; retrying the batch is
/// safe (the insert is idempotent), waiting forever is not.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    defer { race.cancelTimer() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation, limit: limit, operation)
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// The shared state of one ``withDeadline(_:_:)`` call: whoever finishes first resumes the caller.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        /// The caller was cancelled, possibly before the work started: it must start cancelled.
        var cancelled = false
    }

    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<T, any Error>, limit: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) {
        state.withLock { $0.continuation = continuation }
        let work = Task {
            do { self.finish(.success(try await operation())) } catch { self.finish(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled else { return }
            self.cancelWork()
            self.finish(.failure(DeadlineExceeded(limit: limit)))
        }
        let (cancelled, finished) = state.withLock { state -> (Bool, Bool) in
            state.work = work
            state.timer = timer
            return (state.cancelled, state.continuation == nil)
        }
        // A cancellation that arrived before the work existed (the caller's task was already cancelled).
        if cancelled { work.cancel() }
        // The work finished before the timer was stored, so the caller's `cancelTimer` may have missed it.
        if finished { timer.cancel() }
    }

    func cancelWork() {
        state.withLock { state -> Task<Void, Never>? in
            state.cancelled = true
            return state.work
        }?.cancel()
    }
    func cancelTimer() { state.withLock { $0.timer }?.cancel() }

    private func finish(_ result: Result<T, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<T, any Error>? in
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(with: result)
    }
}
