import AMQP
import HindsightCore
import HindsightStore
@testable import HindsightWorkers
import Testing

@Suite("Batch state machine")
struct BatchStateMachineTests {
    typealias F = TrackerFixtures

    static let configuration = BatchStateMachine.Configuration(
        initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(350), writeTimeout: .seconds(30),
        maxStalledWrites: 3)

    static let transient = StoreError.Failure(.transient, sqlState: "40P01", summary: "deadlock detected")
    static let permanent = StoreError.Failure(.permanent, sqlState: "42501", summary: "permission denied")
    static let refused = StoreError.Failure(.rejectedData, sqlState: "22P05", summary: "untranslatable character")

    static func machine(_ decoded: [DecodedDelivery]) -> BatchStateMachine {
        BatchStateMachine(batch: F.batch(decoded), configuration: configuration)
    }

    // MARK: Helpers to read actions

    static func written(_ action: BatchStateMachine.Action) -> [WireEvent]? {
        if case .write(let events) = action { return events }
        return nil
    }

    static func writtenAlone(_ action: BatchStateMachine.Action) -> (Int, [WireEvent])? {
        if case .writeAlone(let index, let events) = action { return (index, events) }
        return nil
    }

    static func retryDelay(_ action: BatchStateMachine.Action) -> Duration? {
        if case .retry(let delay, _) = action { return delay }
        return nil
    }

    static func isWaitForPredecessor(_ action: BatchStateMachine.Action) -> Bool {
        if case .waitForPredecessor = action { return true }
        return false
    }

    static func deadLetters(_ action: BatchStateMachine.Action) -> [EventBatch.Rejected]? {
        if case .deadLetter(let rejected) = action { return rejected }
        return nil
    }

    static func acked(_ action: BatchStateMachine.Action) -> (DeliveryTag, Bool)? {
        if case .ack(let tag, let multiple) = action { return (tag, multiple) }
        return nil
    }

    static func finished(_ action: BatchStateMachine.Action) -> Bool? {
        if case .finish(let acknowledged) = action { return acknowledged }
        return nil
    }

    // MARK: Happy path

    @Test("a valid batch: write all events, wait for the turn, ack the last delivery with multiple, finish acknowledged")
    func happyPath() {
        let decoded = [F.valid(tag: 1), F.valid(tag: 2, events: 3), F.valid(tag: 3)]
        var machine = Self.machine(decoded)
        #expect(Self.written(machine.start())?.count == 5)
        #expect(Self.isWaitForPredecessor(machine.writeSucceeded()))
        let ack = Self.acked(machine.predecessorFinished(acknowledged: true))
        #expect(ack?.0 == decoded[2].delivery.deliveryTag)
        #expect(ack?.1 == true)
        #expect(Self.finished(machine.acknowledged()) == true)
    }

    @Test("a batch whose messages all failed decoding skips the write, dead-letters them, then waits for its turn and acks")
    func onlyRefusedByDecoding() {
        let decoded = [F.invalid(tag: 7), F.invalid(tag: 8)]
        var machine = Self.machine(decoded)
        let letters = Self.deadLetters(machine.start())
        #expect(letters?.map(\.delivery.deliveryTag.value) == [7, 8])
        #expect(letters?.allSatisfy { $0.reason == WireError.Reason.invalidJSON.rawValue } == true)
        #expect(Self.isWaitForPredecessor(machine.deadLettersPublished()))
        #expect(Self.acked(machine.predecessorFinished(acknowledged: true))?.0.value == 8)
        #expect(Self.finished(machine.acknowledged()) == true)
    }

    @Test("decode-refused messages in a mixed batch are dead-lettered after the write and before the turn and the ack")
    func mixedBatch() {
        var machine = Self.machine([F.valid(tag: 1), F.invalid(tag: 2), F.valid(tag: 3)])
        #expect(Self.written(machine.start())?.count == 2)
        #expect(Self.deadLetters(machine.writeSucceeded())?.map(\.delivery.deliveryTag.value) == [2])
        #expect(Self.isWaitForPredecessor(machine.deadLettersPublished()))
        #expect(Self.acked(machine.predecessorFinished(acknowledged: true))?.0.value == 3)
    }

    @Test("when the predecessor was not acknowledged, the batch finishes unacknowledged")
    func predecessorNotAcknowledged() {
        var machine = Self.machine([F.valid(tag: 1), F.invalid(tag: 2)])
        _ = machine.start()
        _ = machine.writeSucceeded()
        _ = machine.deadLettersPublished()
        #expect(Self.finished(machine.predecessorFinished(acknowledged: false)) == false)
    }

    // MARK: Retries

    @Test("transient and permanent failures back off exponentially up to the maximum, then repeat the write", arguments: [
        BatchStateMachineTests.transient, BatchStateMachineTests.permanent,
    ])
    func backOff(failure: StoreError.Failure) {
        var machine = Self.machine([F.valid(tag: 1), F.invalid(tag: 2)])
        _ = machine.start()
        var delays: [Duration] = []
        for _ in 0..<4 {
            let action = machine.writeFailed(failure, shuttingDown: false)
            if let delay = Self.retryDelay(action) { delays.append(delay) }
            #expect(Self.written(machine.retryDue())?.count == 1)
        }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350)])
        // A success resets the back-off: the next failure of the batch (its dead letters) waits the initial delay.
        #expect(Self.deadLetters(machine.writeSucceeded())?.count == 1)
        #expect(Self.retryDelay(machine.deadLettersFailed("connection closed", shuttingDown: false)) == .milliseconds(100))
    }

    @Test("a failure during shutdown finishes the batch unacknowledged instead of retrying")
    func failureDuringShutdown() {
        var machine = Self.machine([F.valid(tag: 1)])
        _ = machine.start()
        #expect(Self.finished(machine.writeFailed(Self.transient, shuttingDown: true)) == false)
    }

    @Test("a timed-out write is repeated at once; the third in a row exits with databaseStalled")
    func stalledWrites() {
        var machine = Self.machine([F.valid(tag: 1)])
        _ = machine.start()
        #expect(Self.written(machine.writeTimedOut(shuttingDown: false)) != nil)
        // A transient failure in between does not break the run of timeouts.
        _ = machine.writeFailed(Self.transient, shuttingDown: false)
        _ = machine.retryDue()
        #expect(Self.written(machine.writeTimedOut(shuttingDown: false)) != nil)
        guard case .exit(.databaseStalled(let writes, let timeout)) = machine.writeTimedOut(shuttingDown: false) else {
            Issue.record("expected exit")
            return
        }
        #expect(writes == 3)
        #expect(timeout == .seconds(30))
    }

    @Test("a successful write resets the count of timed-out writes")
    func successResetsStalls() {
        var machine = Self.machine([F.valid(tag: 1)])
        _ = machine.start()
        _ = machine.writeTimedOut(shuttingDown: false)
        _ = machine.writeTimedOut(shuttingDown: false)
        #expect(machine.stalledWrites == 2)
        _ = machine.writeSucceeded()
        #expect(machine.stalledWrites == 0)
    }

    @Test("a timed-out write during shutdown finishes unacknowledged")
    func timeoutDuringShutdown() {
        var machine = Self.machine([F.valid(tag: 1)])
        _ = machine.start()
        #expect(Self.finished(machine.writeTimedOut(shuttingDown: true)) == false)
    }

    // MARK: Isolation of refused data

    @Test("refused data: each message is written alone; the refused ones become storage_rejected dead letters")
    func isolation() {
        let decoded = [F.valid(tag: 1), F.valid(tag: 2, events: 2), F.invalid(tag: 3), F.valid(tag: 4)]
        var machine = Self.machine(decoded)
        _ = machine.start()
        let first = Self.writtenAlone(machine.writeFailed(Self.refused, shuttingDown: false))
        #expect(first?.0 == 0)
        #expect(first?.1 == decoded[0].events)
        let second = Self.writtenAlone(machine.writeSucceeded())
        #expect(second?.0 == 1)
        #expect(second?.1 == decoded[1].events)
        // The second message is refused alone; the third accepted one (tag 4) is written next.
        #expect(Self.writtenAlone(machine.writeFailed(Self.refused, shuttingDown: false))?.1 == decoded[3].events)
        let letters = Self.deadLetters(machine.writeSucceeded()) ?? []
        #expect(machine.batch.events == decoded[0].events + decoded[3].events)
        #expect(letters.map(\.delivery.deliveryTag.value) == [3, 2])
        #expect(letters.map(\.reason) == [WireError.Reason.invalidJSON.rawValue, "storage_rejected"])
        #expect(letters.last?.detail == "SQLSTATE 22P05")
        #expect(Self.isWaitForPredecessor(machine.deadLettersPublished()))
        #expect(Self.acked(machine.predecessorFinished(acknowledged: true))?.0.value == 4)
    }

    @Test("a transient failure while isolating backs off and writes the same message alone again")
    func transientWhileIsolating() {
        var machine = Self.machine([F.valid(tag: 1), F.valid(tag: 2)])
        _ = machine.start()
        _ = machine.writeFailed(Self.refused, shuttingDown: false)
        _ = machine.writeSucceeded()  // message 0 stored alone
        #expect(Self.retryDelay(machine.writeFailed(Self.transient, shuttingDown: false)) == .milliseconds(100))
        #expect(Self.writtenAlone(machine.retryDue())?.0 == 1)
        #expect(Self.writtenAlone(machine.writeTimedOut(shuttingDown: false))?.0 == 1)
        #expect(Self.isWaitForPredecessor(machine.writeSucceeded()))
        #expect(Self.acked(machine.predecessorFinished(acknowledged: true))?.0.value == 2)
    }

    @Test("a transient failure while isolating during shutdown finishes unacknowledged")
    func transientWhileIsolatingDuringShutdown() {
        var machine = Self.machine([F.valid(tag: 1), F.valid(tag: 2)])
        _ = machine.start()
        _ = machine.writeFailed(Self.refused, shuttingDown: false)
        #expect(Self.finished(machine.writeFailed(Self.transient, shuttingDown: true)) == false)
    }

    // MARK: Dead letters

    @Test("a failed dead-letter publish is retried with back-off, never an exit; then the batch is acked")
    func deadLetterRetry() {
        var machine = Self.machine([F.invalid(tag: 5)])
        #expect(Self.deadLetters(machine.start())?.count == 1)
        var delays: [Duration] = []
        for _ in 0..<3 {
            guard case .retry(let delay, .deadLetterPublish(let reason)) = machine.deadLettersFailed("nacked", shuttingDown: false) else {
                Issue.record("expected a retry")
                return
            }
            #expect(reason == "nacked")
            delays.append(delay)
            #expect(Self.deadLetters(machine.retryDue())?.count == 1)
        }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(350)])
        #expect(Self.isWaitForPredecessor(machine.deadLettersPublished()))
        #expect(Self.acked(machine.predecessorFinished(acknowledged: true))?.0.value == 5)
        #expect(Self.finished(machine.acknowledged()) == true)
    }

    @Test("a failed dead-letter publish during shutdown finishes unacknowledged")
    func deadLetterFailureDuringShutdown() {
        var machine = Self.machine([F.invalid(tag: 5)])
        _ = machine.start()
        #expect(Self.finished(machine.deadLettersFailed("connection closed", shuttingDown: true)) == false)
    }

    @Test("configuration: the maximum back-off is never below the initial one, and at least one stalled write")
    func configurationBounds() {
        let configuration = BatchStateMachine.Configuration(
            initialBackoff: .seconds(1), maxBackoff: .milliseconds(10), writeTimeout: .seconds(1), maxStalledWrites: 0)
        #expect(configuration.maxBackoff == .seconds(1))
        #expect(configuration.maxStalledWrites == 1)
    }
}
