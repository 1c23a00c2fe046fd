import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import Testing

/// The spool while "the broker" (a proxy in front of the shared RabbitMQ) is down: at start, in the
/// middle of a run, or unresponsive; replay in order once it is back; nothing lost, nothing extra.
@Suite("EventPublisher spool and replay")
struct SpoolTests {
    /// A publisher that opens its own connection through `proxy`, with short delays.
    static func publisher(
        through proxy: TCPProxy, sink: TestSink, spoolPath: String?, eventsPerMessage: Int = 100,
        confirmTimeout: Duration = .seconds(10), maxMessages: Int = 100_000
    ) throws -> EventPublisher {
        let spool = try spoolPath.map { try EventPublisher.SpoolConfiguration(path: $0, maxMessages: maxMessages) }
        return EventPublisher(
            amqp: try AgentTestSupport.broker(through: proxy, name: AgentTestSupport.unique("agent-tests-spool")),
            configuration: try .init(
                eventsPerMessage: eventsPerMessage, exchange: sink.exchange, confirmTimeout: confirmTimeout,
                reconnectDelay: .milliseconds(10), maxReconnectDelay: .milliseconds(50), spool: spool),
            logger: AgentTestSupport.logger)
    }

    /// Flushes until the spool is empty, retrying while the broker is still coming back (the
    /// connection retries after at most 50 ms here; the bound only stops a broken test).
    static func flushUntilEmpty(_ publisher: EventPublisher) async throws -> Int {
        var replayed = 0
        for _ in 0..<200 {
            switch await Self.result({ () async throws(EventPublisherError) -> Int in try await publisher.flushSpool() }) {
            case .success(let count):
                replayed += count
                if try await publisher.spoolStatus()?.messages == 0 { return replayed }
            case .failure(let error) where error.code == .brokerUnavailable:
                try await Task.sleep(for: .milliseconds(50))
            case .failure(let error):
                throw error
            }
        }
        Issue.record("the spool did not drain")
        return replayed
    }

    static func result<T>(
        _ body: () async throws(EventPublisherError) -> T
    ) async -> Result<T, EventPublisherError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    /// The ids in first-arrival order, once each (what storage keeps after deduplicating by `event_id`).
    static func deduplicated(_ ids: [UUID]) -> [UUID] {
        var seen = Set<UUID>()
        return ids.filter { seen.insert($0).inserted }
    }

    @Test("broker down at start: publishes are spooled, replayed in order once it is up, none lost or extra")
    func downAtStart() async throws {
        let sink = try await TestSink.open("down-at-start")
        let proxy = try AgentTestSupport.proxy()
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = try Self.publisher(through: proxy, sink: sink, spoolPath: spoolPath, eventsPerMessage: 10)

        let calls = (0..<4).map { _ in AgentTestSupport.execution(events: 25) }
        for events in calls {
            #expect(try await publisher.publish(events) == .spooled)
        }
        let status = try #require(try await publisher.spoolStatus())
        #expect(status.messages == 12)
        let onDisk = [spoolPath, spoolPath + ".replaying"].map {
            (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0
        }
        #expect(status.bytes == onDisk.reduce(0, +))
        #expect(try await sink.readyCount() == 0)

        try proxy.up()
        _ = try await Self.flushUntilEmpty(publisher)
        let expected = calls.flatMap { $0.map(\.eventID) }
        let deliveries = try await sink.read { AgentTestSupport.idSet($0).isSuperset(of: expected) }
        let ids = try AgentTestSupport.eventIDs(deliveries)
        #expect(ids == expected)
        #expect(!FileManager.default.fileExists(atPath: spoolPath + ".replaying"))
        #expect(try await publisher.spoolStatus() == EventPublisher.SpoolStatus(messages: 0, bytes: 0, rejectedEntries: 0))
        await publisher.close()
        await proxy.down()
        await sink.close()
    }

    @Test("broker lost mid-run: later calls queue behind the spool and everything arrives in call order")
    func downMidRun() async throws {
        let sink = try await TestSink.open("down-mid-run")
        let proxy = try AgentTestSupport.proxy()
        try proxy.up()
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = try Self.publisher(
            through: proxy, sink: sink, spoolPath: spoolPath, eventsPerMessage: 5, confirmTimeout: .seconds(2))

        let before = AgentTestSupport.execution(events: 12)
        #expect(try await publisher.publish(before) == .confirmed)

        await proxy.down()
        let during = (0..<3).map { _ in AgentTestSupport.execution(events: 12) }
        for events in during {
            #expect(try await publisher.publish(events) == .spooled)
        }

        try proxy.up()
        // While anything is spooled a publish queues behind it, even with the broker back.
        let after = AgentTestSupport.execution(events: 12)
        #expect(try await publisher.publish(after) == .spooled)
        _ = try await Self.flushUntilEmpty(publisher)

        let expected = ([before] + during + [after]).flatMap { $0.map(\.eventID) }
        let deliveries = try await sink.read { AgentTestSupport.idSet($0).isSuperset(of: expected) }
        let ids = try AgentTestSupport.eventIDs(deliveries)
        // At least once: a message whose confirm was lost with the connection may come twice.
        #expect(Set(ids) == Set(expected))
        #expect(Self.deduplicated(ids) == expected)
        await publisher.close()
        await proxy.down()
        await sink.close()
    }

    @Test("a broker that stops answering: the confirm timeout spools, the replay delivers, dedupe leaves one of each")
    func unresponsiveBroker() async throws {
        let sink = try await TestSink.open("unresponsive")
        let proxy = try AgentTestSupport.proxy()
        try proxy.up()
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = try Self.publisher(
            through: proxy, sink: sink, spoolPath: spoolPath, confirmTimeout: .milliseconds(300))

        let first = AgentTestSupport.execution(events: 3)
        #expect(try await publisher.publish(first) == .confirmed)
        proxy.pause()
        let stalled = AgentTestSupport.execution(events: 3)
        #expect(try await publisher.publish(stalled) == .spooled)
        proxy.resume()
        _ = try await Self.flushUntilEmpty(publisher)

        let expected = (first + stalled).map(\.eventID)
        let deliveries = try await sink.read { AgentTestSupport.idSet($0).isSuperset(of: expected) }
        let ids = try AgentTestSupport.eventIDs(deliveries)
        #expect(Set(ids) == Set(expected))
        #expect(Self.deduplicated(ids) == expected)
        await publisher.close()
        await proxy.down()
        await sink.close()
    }

    @Test("past maxMessages a publish throws spoolFull and writes nothing; what is spooled stays")
    func spoolFull() async throws {
        let sink = try await TestSink.open("full")
        let proxy = try AgentTestSupport.proxy()
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = try Self.publisher(
            through: proxy, sink: sink, spoolPath: spoolPath, eventsPerMessage: 1, maxMessages: 3)
        let kept = AgentTestSupport.execution(events: 3)
        #expect(try await publisher.publish(kept) == .spooled)
        let before = try #require(try await publisher.spoolStatus())
        let error = await #expect(throws: EventPublisherError.self) {
            try await publisher.publish(AgentTestSupport.execution(events: 1))
        }
        #expect(error?.code == .spoolFull)
        #expect(try await publisher.spoolStatus() == before)
        #expect(before.messages == 3)

        try proxy.up()
        #expect(try await Self.flushUntilEmpty(publisher) == 3)
        let deliveries = try await sink.read { $0.count >= 3 }
        #expect(try AgentTestSupport.eventIDs(deliveries) == kept.map(\.eventID))
        await publisher.close()
        await proxy.down()
        await sink.close()
    }

    @Test("without a spool a publish while the broker is down throws brokerUnavailable")
    func noSpool() async throws {
        let sink = try await TestSink.open("no-spool")
        let proxy = try AgentTestSupport.proxy()
        let publisher = try Self.publisher(through: proxy, sink: sink, spoolPath: nil)
        let error = await #expect(throws: EventPublisherError.self) {
            try await publisher.publish(AgentTestSupport.execution(events: 2))
        }
        #expect(error?.code == .brokerUnavailable)
        #expect(try await publisher.spoolStatus() == nil)
        #expect(try await publisher.flushSpool() == 0)
        await publisher.close()
        await sink.close()
    }
}
