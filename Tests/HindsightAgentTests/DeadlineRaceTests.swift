@testable import HindsightAgent
import Testing

/// The confirm-timeout race and its single-waiter gate.
@Suite("Deadline race")
struct DeadlineRaceTests {
    struct Boom: Error {}

    @Test("the operation finishing first gives its value")
    func finishesFirst() async {
        let outcome = await race(timeout: .seconds(600)) { 42 }
        guard case .finished(.success(let value)) = outcome else {
            Issue.record("expected the value, got \(outcome)")
            return
        }
        #expect(value == 42)
    }

    @Test("the operation failing first gives its error")
    func failsFirst() async {
        let outcome = await race(timeout: .seconds(600)) { () async throws -> Int in throw Boom() }
        guard case .finished(.failure(let error)) = outcome else {
            Issue.record("expected the error, got \(outcome)")
            return
        }
        #expect(error is Boom)
    }

    @Test("the deadline passing first returns without waiting for the operation")
    func timesOut() async {
        // The operation waits on a gate nobody opens until after the race returned.
        let blocker = OnceGate<Int>()
        let outcome = await race(timeout: .milliseconds(20)) {
            await withCheckedContinuation { blocker.install($0) }
        }
        guard case .timedOut = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(blocker.resume(1))
    }

    @Test("cancelling the waiting task returns without waiting for the operation")
    func cancelled() async {
        let blocker = OnceGate<Int>()
        let waiter = Task {
            await race(timeout: .seconds(600)) { await withCheckedContinuation { blocker.install($0) } }
        }
        waiter.cancel()
        guard case .cancelled = await waiter.value else {
            Issue.record("expected cancellation")
            return
        }
        blocker.resume(1)
    }

    @Test("a gate hands over the first value only, also when it arrives before the waiter")
    func gateFirstValueWins() async {
        let gate = OnceGate<Int>()
        #expect(gate.resume(1))
        #expect(!gate.resume(2))
        let value = await withCheckedContinuation { gate.install($0) }
        #expect(value == 1)
        #expect(!gate.resume(3))
    }

    @Test("a second waiter on a gate stops the process instead of leaking a continuation")
    func gateSecondWaiter() async {
        await #expect(processExitsWith: .failure) {
            let gate = OnceGate<Int>()
            // Whichever of the two installs comes second must stop the process.
            Task { _ = await withCheckedContinuation { gate.install($0) } }
            _ = await withCheckedContinuation { gate.install($0) }
        }
    }
}
