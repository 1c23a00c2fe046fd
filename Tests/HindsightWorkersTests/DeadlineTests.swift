@testable import HindsightWorkers
import Synchronization
import Testing

/// A gate an operation waits on, ignoring cancellation (like a hung connection-pool lease); opened at
/// the end of the test so no continuation is left behind.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

@Suite("Write deadline")
struct DeadlineTests {
    @Test("an operation that never answers in time is abandoned with DeadlineExceeded")
    func abandonsHungOperation() async throws {
        let gate = Gate()
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(50)) { await gate.wait(); return 1 }
        }
        gate.open()
    }

    @Test("an operation that answers in time returns its value or its error")
    func passesThrough() async throws {
        #expect(try await withDeadline(.seconds(60)) { 42 } == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await withDeadline(.seconds(60)) { () async throws -> Int in throw Boom() }
        }
    }

    @Test("cancelling the caller cancels the operation")
    func cancellationReachesOperation() async throws {
        let caller = Task {
            try await withDeadline(.seconds(600)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(600))
                return 1
            }
        }
        caller.cancel()
        await #expect(throws: CancellationError.self) { _ = try await caller.value }
    }

    @Test("operation and deadline finishing together resume the caller exactly once", arguments: 0..<200)
    func raceResumesOnce(iteration: Int) async throws {
        // A double resume of the continuation would crash the test process.
        do {
            let value = try await withDeadline(.zero) { iteration }
            #expect(value == iteration)
        } catch is DeadlineExceeded {
        }
    }
}
