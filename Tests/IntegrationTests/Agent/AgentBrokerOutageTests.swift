import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightTesting
import Synchronization
import Testing

/// The Swift agent's half of "broker stopped while agents publish, then started: every event stored
/// once" (the Python agent's half is tests/agent). Agents publish through a TCP proxy the test cuts —
/// refused and reset connections, what a stopped broker gives its clients — because the shared broker
/// must keep running for every other test. A tracker stores what arrives on the harness's private queue.
@Suite("Agent: broker outage")
struct AgentBrokerOutageTests {
    @Test("the broker cut for 3 s while four agents publish (spool on), then back: every event stored once")
    func outageWhilePublishing() async throws {
        let harness = try await TrackerHarness()
        // A private topic exchange into the harness's queue: the agents publish `<domain>.<type>` keys,
        // as to `hindsight.events`, without other sessions' events reaching this tracker.
        let exchange = "hindsight.test-agent-outage.\(UUID().uuidString.prefix(8).lowercased())"
        try await harness.connection.declareExchange(exchange, type: .topic, durable: false)
        try await harness.connection.bindQueue(harness.queue, exchange: exchange, routingKey: "#")
        let direct = try AMQPConfiguration(url: TestEnvironment.amqpURL)
        let proxy = try TCPProxy(targetHost: direct.host, targetPort: direct.port)
        let spools = (0..<4).map { _ in Self.spoolPath() }
        defer {
            proxy.stop()
            for path in spools { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        }
        var through = try #require(URLComponents(string: TestEnvironment.amqpURL))
        through.host = "127.0.0.1"
        through.port = proxy.port
        let proxied = try AMQPConfiguration(url: try #require(through.string))
        let domain = "swift-outage-\(UUID().uuidString.prefix(8).lowercased())"
        let published = Published()

        do {
            try await harness.withTrackers(1) {
                let events = try await withThrowingTaskGroup(of: [WireEvent].self) { group in
                    for agent in 0..<4 {
                        group.addTask {
                            // Single-event messages: many confirms in flight when the connection drops.
                            let publisher = EventPublisher(
                                amqp: proxied,
                                configuration: try .init(
                                    eventsPerMessage: 1, exchange: exchange, confirmTimeout: .seconds(2),
                                    reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(1),
                                    spool: .init(path: spools[agent])),
                                logger: harness.logger)
                            var sent: [WireEvent] = []
                            for _ in 0..<40 {
                                let execution = Self.execution(domain: domain)
                                let outcome = try await publisher.publish(execution)
                                sent += execution
                                published.add(spooled: outcome == .spooled)
                            }
                            try await Self.drainSpool(publisher)
                            await publisher.close()
                            return sent
                        }
                    }
                    group.addTask {
                        let deadline = ContinuousClock.now + .seconds(30)
                        while published.count < 8 {
                            guard ContinuousClock.now < deadline else { throw OutageTestError("the agents never published") }
                            try await Task.sleep(for: .milliseconds(5))
                        }
                        proxy.cut()
                        published.markOutage()
                        try await Task.sleep(for: .seconds(3))
                        try proxy.restore()
                        return []
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(events.count == 160 * 7)
                #expect(published.atOutage < 160, "the outage fell while the agents published")
                #expect(published.spooled > 0, "some publishes met the outage and went to the spool")
                try await TrackerIngestionTests().expectStored(events, harness: harness)
            }
        } catch {
            try? await harness.connection.deleteExchange(exchange)
            await harness.cleanUp()
            throw error
        }
        try? await harness.connection.deleteExchange(exchange)
        await harness.cleanUp()
    }

    /// Replays the spool until it is empty; `flushSpool` throws while the broker is still away.
    static func drainSpool(_ publisher: EventPublisher) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let flushed = try? await publisher.flushSpool()
            if flushed != nil, (try? await publisher.spoolStatus())?.messages == 0 { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw OutageTestError("the spool was not empty 60 s after the outage")
    }

    struct OutageTestError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// One execution of 7 events: start, two phases (one with a tool call), completion.
    static func execution(domain: String) -> [WireEvent] {
        var recorder = ExecutionRecorder(domain: domain)
        let now = WireFormat.currentMicros()
        recorder.start(goal: "Survive an outage", plan: ["collect", "store"], agentID: "swift-agent", at: now)
        recorder.startPhase("collect", estimatedSeconds: 1, at: now + 1)
        recorder.toolUsed("http", durationMs: 12.5, phase: "collect", at: now + 2)
        recorder.endPhase("collect", at: now + 3)
        recorder.startPhase("store", at: now + 4)
        recorder.endPhase("store", at: now + 5)
        recorder.complete(status: "completed", at: now + 6)
        return recorder.events
    }

    static func spoolPath() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("hindsight-outage-tests-\(UUID().uuidString.lowercased())")
            .appendingPathComponent("events.spool").path
    }

    /// How many executions the agents have published, how many of them were spooled, and how many
    /// were published before the cut.
    final class Published: Sendable {
        private let state = Mutex((count: 0, spooled: 0, atOutage: Int.max))
        func add(spooled: Bool) {
            state.withLock {
                $0.count += 1
                if spooled { $0.spooled += 1 }
            }
        }
        var spooled: Int { state.withLock { $0.spooled } }
        func markOutage() { state.withLock { $0.atOutage = $0.count } }
        var count: Int { state.withLock { $0.count } }
        var atOutage: Int { state.withLock { $0.atOutage } }
    }
}
