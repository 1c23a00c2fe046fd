import AMQP
import Foundation
@testable import HindsightAgent
import HindsightCore
import InMemoryLogging
import Logging
import Testing

/// Spool files left by an earlier run, including unreadable ones: readable entries are replayed in
/// order, the others are kept aside in `<path>.rejected`, counted and logged — never deleted.
@Suite("EventPublisher spool recovery")
struct SpoolRecoveryTests {
    /// Writes `lines` as the spool file (each followed by a newline unless `torn` is set for the last).
    static func writeSpool(_ path: String, _ lines: [[UInt8]], tornLast: Bool = false) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var data: [UInt8] = []
        for (index, line) in lines.enumerated() {
            data += line
            if !(tornLast && index == lines.count - 1) { data.append(0x0A) }
        }
        try Data(data).write(to: URL(fileURLWithPath: path))
    }

    static func lines(of path: String) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return [UInt8](data).split(separator: 0x0A).map { Array($0) }
    }

    @Test("corrupt and truncated lines are moved to the rejected file, counted and logged; the rest is replayed in order")
    func corruptEntries() async throws {
        let sink = try await TestSink.open("corrupt")
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "agent-tests") { _ in logs }
        logger.logLevel = .info
        let publisher = EventPublisher(
            connection: sink.connection,
            configuration: try .init(eventsPerMessage: 10, exchange: sink.exchange, spool: .init(path: spoolPath)),
            logger: logger)

        let good = (0..<3).map { _ in AgentTestSupport.execution(events: 4) }
        let bodies = try good.map { try publisher.messages(for: $0)[0].body }
        let garbage = Array("{\"schema\":1,\"events\":[{\"event_id\":".utf8)
        let notJSON = Array("this is not json".utf8)
        let truncated = Array(bodies[2].prefix(bodies[2].count / 2))
        try Self.writeSpool(spoolPath, [bodies[0], garbage, bodies[1], notJSON, bodies[2], truncated], tornLast: true)

        // Read at start: six entries, nothing known to be bad yet.
        #expect(try await publisher.spoolStatus()?.messages == 6)
        #expect(try await publisher.flushSpool() == 3)

        let status = try #require(try await publisher.spoolStatus())
        #expect(status.messages == 0)
        #expect(status.rejectedEntries == 3)
        #expect(Self.lines(of: spoolPath + ".rejected") == [garbage, notJSON, truncated])
        let deliveries = try await sink.read { $0.count >= 3 }
        #expect(try AgentTestSupport.eventIDs(deliveries) == good.flatMap { $0.map(\.eventID) })

        let reports = logs.entries.filter { $0.message == "agent.spool.rejected" }
        #expect(reports.count == 1)
        #expect(reports.first?.level == .warning)
        #expect(reports.first?.metadata["spool.rejected.count"] == "3")
        #expect(reports.first?.metadata["error.reason"]?.description.contains("invalid_json") == true)
        await publisher.close()
        await sink.close()
    }

    @Test("an append after a torn last line starts on a new line, so only the torn entry is lost to the rejected file")
    func appendAfterTornLine() async throws {
        let sink = try await TestSink.open("torn")
        let proxy = try AgentTestSupport.proxy()
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let publisher = EventPublisher(
            amqp: try AgentTestSupport.broker(through: proxy, name: "agent-tests-torn"),
            configuration: try .init(
                exchange: sink.exchange, reconnectDelay: .milliseconds(10), maxReconnectDelay: .milliseconds(50),
                spool: .init(path: spoolPath)),
            logger: AgentTestSupport.logger)
        let earlier = AgentTestSupport.execution(events: 2)
        let body = try publisher.messages(for: earlier)[0].body
        try Self.writeSpool(spoolPath, [body, Array(body.prefix(40))], tornLast: true)

        let later = AgentTestSupport.execution(events: 2)
        #expect(try await publisher.publish(later) == .spooled)
        #expect(try await publisher.spoolStatus()?.messages == 3)

        try proxy.up()
        _ = try await SpoolTests.flushUntilEmpty(publisher)
        let expected = (earlier + later).map(\.eventID)
        let deliveries = try await sink.read { AgentTestSupport.idSet($0).isSuperset(of: expected) }
        #expect(try AgentTestSupport.eventIDs(deliveries) == expected)
        #expect(Self.lines(of: spoolPath + ".rejected") == [Array(body.prefix(40))])
        #expect(try await publisher.spoolStatus()?.rejectedEntries == 1)
        await publisher.close()
        await proxy.down()
        await sink.close()
    }

    @Test("a replay the broker refuses keeps every entry; a replay that succeeds empties the spool")
    func refusedReplay() async throws {
        let sink = try await TestSink.open("refused-replay")
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let missing = AgentTestSupport.unique("agent-tests.missing")
        let events = (0..<4).map { _ in AgentTestSupport.execution(events: 2) }
        let writer = EventPublisher(
            connection: sink.connection, configuration: try .init(exchange: sink.exchange), logger: AgentTestSupport.logger)
        let bodies = try events.map { try writer.messages(for: $0)[0].body }
        try Self.writeSpool(spoolPath, bodies)

        let publisher = EventPublisher(
            connection: sink.connection,
            configuration: try .init(exchange: sink.exchange, spool: .init(path: spoolPath, replayBatchSize: 2)),
            logger: AgentTestSupport.logger)
        #expect(try await publisher.flushSpool() == 4)
        #expect(try await publisher.spoolStatus()?.messages == 0)

        try Self.writeSpool(spoolPath, bodies)
        let refusing = EventPublisher(
            connection: sink.connection,
            configuration: try .init(exchange: missing, spool: .init(path: spoolPath, replayBatchSize: 2)),
            logger: AgentTestSupport.logger)
        let error = await #expect(throws: EventPublisherError.self) {
            try await refusing.flushSpool()
        }
        #expect(error?.code == .brokerRefused)
        // Nothing was confirmed, so everything is still there, nothing set aside.
        #expect(try await refusing.spoolStatus() == EventPublisher.SpoolStatus(
            messages: 4, bytes: bodies.reduce(0) { $0 + $1.count + 1 }, rejectedEntries: 0))
        let deliveries = try await sink.read { $0.count >= 4 }
        #expect(try AgentTestSupport.eventIDs(deliveries) == events.flatMap { $0.map(\.eventID) })
        #expect(try await sink.readyCount() == 0)
        await sink.close()
    }

    @Test("after confirmed rounds only the unconfirmed rest stays in the segment being replayed")
    func partialSegment() async throws {
        let spoolPath = AgentTestSupport.spoolPath()
        defer { AgentTestSupport.removeSpool(spoolPath) }
        let spool = EventSpool(configuration: try .init(path: spoolPath), logger: AgentTestSupport.logger)
        let publisher = try ValidationTests.publisher()
        let bodies = try (0..<5).map { _ in try publisher.messages(for: AgentTestSupport.execution(events: 2))[0].body }
        try await spool.append(Array(bodies[0..<3]))
        let segment = try #require(try await spool.takeSegment())
        #expect(segment.map(\.body) == Array(bodies[0..<3]))
        // Appends during the replay go to a new spool file, behind the segment.
        try await spool.append(Array(bodies[3...]))
        try await spool.finishSegment(segment, confirmed: 2)
        #expect(Self.lines(of: spoolPath + ".replaying") == [bodies[2]])
        #expect(try await spool.status().messages == 3)
        let rest = try #require(try await spool.takeSegment())
        #expect(rest.map(\.body) == [bodies[2]])
        try await spool.finishSegment(rest, confirmed: 1)
        let last = try #require(try await spool.takeSegment())
        #expect(last.map(\.body) == Array(bodies[3...]))
        try await spool.finishSegment(last, confirmed: last.count)
        #expect(try await spool.takeSegment() == nil)
        #expect(try await spool.status() == EventPublisher.SpoolStatus(messages: 0, bytes: 0, rejectedEntries: 0))
    }
}
