import AMQP
@testable import HindsightWorkers
import Synchronization
import Testing

/// Waits (bounded) until `condition` holds, yielding to the task under test; records an issue if it never does.
func eventually(_ what: String, _ condition: () -> Bool) async {
    for attempt in 0..<20_000 {
        if condition() { return }
        if attempt < 1000 { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(1)) }
    }
    Issue.record("never happened: \(what)")
}

@Suite("DeliveryInbox")
struct DeliveryInboxTests {
    typealias F = TrackerFixtures

    @Test("take returns the deliveries in order, bounded by messages; the rest stay for the next take")
    func boundedByMessages() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        try await inbox.append(contentsOf: (1...5).map { F.valid(tag: UInt64($0)) })
        let first = try await inbox.take(maxMessages: 3, maxEvents: 100, maxBytes: 1 << 20, linger: .zero)
        #expect(first?.map(\.delivery.deliveryTag.value) == [1, 2, 3])
        let second = try await inbox.take(maxMessages: 3, maxEvents: 100, maxBytes: 1 << 20, linger: .zero)
        #expect(second?.map(\.delivery.deliveryTag.value) == [4, 5])
        #expect(inbox.count == 0)
    }

    @Test("take is bounded by events, but always returns at least one delivery")
    func boundedByEvents() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        try await inbox.append(contentsOf: [F.valid(tag: 1, events: 4), F.valid(tag: 2, events: 4), F.valid(tag: 3)])
        let first = try await inbox.take(maxMessages: 10, maxEvents: 2, maxBytes: 1 << 20, linger: .zero)
        #expect(first?.map(\.delivery.deliveryTag.value) == [1])
        let second = try await inbox.take(maxMessages: 10, maxEvents: 5, maxBytes: 1 << 20, linger: .zero)
        #expect(second?.map(\.delivery.deliveryTag.value) == [2, 3])
    }

    @Test("take stops once the byte bound is reached")
    func boundedByBytes() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        let decoded = (1...4).map { F.valid(tag: UInt64($0)) }
        try await inbox.append(contentsOf: decoded)
        let size = decoded[0].delivery.body.count
        let taken = try await inbox.take(maxMessages: 10, maxEvents: 100, maxBytes: size + 1, linger: .zero)
        #expect(taken?.count == 2)
    }

    @Test("after finish, take returns what is left, then nil")
    func finishDrains() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        try await inbox.append(contentsOf: [F.valid(tag: 1)])
        inbox.finish()
        #expect(try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .seconds(60))?.count == 1)
        #expect(try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero) == nil)
    }

    @Test("a waiting take is woken by an append, and by finish")
    func takeWaits() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        let taker = Task { try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero) }
        await eventually("take is waiting") { inbox.waiters.take }
        try await inbox.append(contentsOf: [F.valid(tag: 9)])
        #expect(try await taker.value?.map(\.delivery.deliveryTag.value) == [9])

        let second = Task { try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero) }
        await eventually("take is waiting again") { inbox.waiters.take }
        inbox.finish()
        #expect(try await second.value == nil)
    }

    @Test("append waits at the high-water mark until a take makes room, or finish")
    func appendWaitsForRoom() async throws {
        let inbox = DeliveryInbox(highWater: 2)
        let returned = Atomic<Bool>(false)
        let appender = Task {
            try await inbox.append(contentsOf: [F.valid(tag: 1, events: 3)])
            returned.store(true, ordering: .sequentiallyConsistent)
        }
        await eventually("append is waiting for room") { inbox.waiters.append }
        let returnedEarly = returned.load(ordering: .sequentiallyConsistent)
        #expect(!returnedEarly)
        _ = try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero)
        try await appender.value
        let returnedAfterTake = returned.load(ordering: .sequentiallyConsistent)
        #expect(returnedAfterTake)

        let blocked = Task { try await inbox.append(contentsOf: [F.valid(tag: 2, events: 3)]) }
        await eventually("append is waiting again") { inbox.waiters.append }
        inbox.finish()
        try await blocked.value
    }

    @Test("misuse: a second concurrent take throws SingleWaiterError at once; the first still gets its deliveries")
    func secondTaker() async throws {
        let inbox = DeliveryInbox(highWater: 100)
        let first = Task { try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero) }
        await eventually("the first take is waiting") { inbox.waiters.take }
        await #expect(throws: SingleWaiterError.self) {
            _ = try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero)
        }
        try await inbox.append(contentsOf: [F.valid(tag: 3)])
        #expect(try await first.value?.map(\.delivery.deliveryTag.value) == [3])
    }

    @Test("misuse: a second concurrent append throws SingleWaiterError at once and appends nothing")
    func secondAppender() async throws {
        let inbox = DeliveryInbox(highWater: 1)
        let first = Task { try await inbox.append(contentsOf: [F.valid(tag: 1)]) }
        await eventually("the first append is waiting for room") { inbox.waiters.append }
        await #expect(throws: SingleWaiterError.self) {
            try await inbox.append(contentsOf: [F.valid(tag: 2)])
        }
        #expect(inbox.count == 1)
        _ = try await inbox.take(maxMessages: 10, maxEvents: 10, maxBytes: 1 << 20, linger: .zero)
        try await first.value
    }
}

@Suite("AckTurn")
struct AckTurnTests {
    @Test("a passed turn answers at once")
    func passed() async throws {
        #expect(try await AckTurn.passed().wait())
        let refused = AckTurn()
        refused.pass(acknowledged: false)
        #expect(try await refused.wait() == false)
    }

    @Test("a waiter is resumed by the pass, and only the first pass counts")
    func waitThenPass() async throws {
        let turn = AckTurn()
        let waiter = Task { try await turn.wait() }
        await eventually("the waiter is suspended") { turn.hasWaiter }
        turn.pass(acknowledged: false)
        turn.pass(acknowledged: true)
        #expect(try await waiter.value == false)
    }

    @Test("misuse: a second waiter throws SingleWaiterError at once; the first is still resumed")
    func secondWaiter() async throws {
        let turn = AckTurn()
        let first = Task { try await turn.wait() }
        await eventually("the first waiter is suspended") { turn.hasWaiter }
        await #expect(throws: SingleWaiterError.self) { _ = try await turn.wait() }
        turn.pass(acknowledged: true)
        #expect(try await first.value)
        // Even after the pass, the turn has had its one waiter.
        await #expect(throws: SingleWaiterError.self) { _ = try await turn.wait() }
    }
}
