import AMQP
import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import HindsightWorkers
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// The tracker's pipeline end to end: dead letters of a flood, the final acknowledgement at shutdown,
/// readiness following the broker connection.
@Suite("Tracker pipeline", .serialized)
struct TrackerPipelineTests {
    @Test("a flood of invalid messages among valid ones: each invalid one dead-lettered once, the valid stored, the queue empty")
    func deadLetterFlood() async throws {
        let harness = try await TrackerHarness()
        let events = (0..<300).map { index in
            WireEvent(eventID: UUID(), executionID: UUID(), seq: 0, timestampMicros: WireFormat.currentMicros() - Int64(index),
                      type: .executionStarted, domain: "pipeline-tests")
        }
        let invalid = (0..<3000).map { (id: "bad-\($0)", body: Array("not json \($0)".utf8),
                                         headers: TrackerHarness.table(WireContract.schemaHeaders)) }
        try await harness.withTrackers(1) {
            try await harness.publish(messages: Array(invalid[..<1500]))
            try await harness.publish(events)
            try await harness.publish(messages: Array(invalid[1500...]))
            try await harness.waitForEvents(events.count, of: events.map(\.executionID))
            let letters = try await harness.drainDeadLetters(expecting: invalid.count, timeout: .seconds(60))
            #expect(letters.count == invalid.count)
            #expect(Set(letters.compactMap(\.messageID)) == Set(invalid.map(\.id)))
            #expect(letters.allSatisfy { $0.reason == WireError.Reason.invalidJSON.rawValue })
        }
        // The trackers stopped: whatever was not acknowledged is back in the queue.
        #expect(try await harness.connection.inspectQueue(harness.queue).messageCount == 0)
        await harness.cleanUp()
    }

    @Test("graceful shutdown right after the last commit still acknowledges it before the connections close")
    func finalAcknowledgement() async throws {
        let harness = try await TrackerHarness()
        for round in 0..<3 {
            let events = (0..<200).map { index in
                WireEvent(eventID: UUID(), executionID: UUID(), seq: 0, timestampMicros: WireFormat.currentMicros() - Int64(index),
                          type: .executionStarted, domain: "pipeline-tests")
            }
            try await harness.withTrackers(1) {
                try await harness.publish(events)
                // Returns as soon as the rows are visible: the ack of the last batch may not be sent yet.
                try await harness.waitForEvents(events.count, of: events.map(\.executionID))
            }
            let left = try await harness.connection.inspectQueue(harness.queue).messageCount
            #expect(left == 0, "round \(round): \(left) messages returned to the queue unacknowledged")
        }
        await harness.cleanUp()
    }

    @Test("/ready follows the broker connection: down while it reconnects, up again after")
    func readinessFollowsBroker() async throws {
        let harness = try await TrackerHarness()
        let health = HealthState()
        var amqp = harness.amqp
        let name = "tracker-ready-\(UUID().uuidString.prefix(8).lowercased())"
        amqp.connectionName = name
        var settings = harness.trackerConfiguration
        settings.queue = harness.queue
        settings.declareTopology = false
        let postgres = PostgresClient(configuration: harness.database.clientConfiguration, backgroundLogger: harness.logger)
        let tracker = TrackerService(
            configuration: settings, amqp: amqp, writer: ConsolidationWriter(client: postgres, logger: harness.logger),
            health: health, logger: harness.logger)
        try await withServices([.init(service: postgres), .init(service: tracker)], logger: harness.logger) {
            try await Self.until("the tracker is ready") { health.isReady }
            // Close the tracker's consuming connection on the broker side.
            let listing = try await Self.rabbitmqctl(["list_connections", "-q", "--no-table-headers", "pid", "client_properties"])
            let pids = listing.split(separator: "\n").filter { $0.contains("\"\(name)-consume\"") }
                .compactMap { $0.split(separator: "\t").first.map(String.init) }
            #expect(pids.count == 1)
            let states = RecordedStates()
            let watcher = Task {
                while !Task.isCancelled {
                    states.append(health.snapshot.first { $0.0 == "amqp" }?.1)
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            for pid in pids { _ = try await Self.rabbitmqctl(["close_connection", pid, "closed by the readiness test"]) }
            try await Self.until("readiness went down") { states.contains(.down) }
            try await Self.until("the tracker is ready again") { health.isReady }
            watcher.cancel()
        }
        await harness.cleanUp()
    }

    // MARK: Helpers

    final class RecordedStates: Sendable {
        private let states = Mutex<[HealthState.Status?]>([])
        func append(_ state: HealthState.Status?) { states.withLock { $0.append(state) } }
        func contains(_ state: HealthState.Status) -> Bool { states.withLock { $0.contains(state) } }
    }

    static func until(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError("\(what): not within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func rabbitmqctl(_ arguments: [String]) async throws -> String {
        let script = TrackerHarness.projectRoot.appendingPathComponent("scripts/services").path
        let (termination, output) = try await ChildProcess.run(script, ["rabbitmqctl"] + arguments)
        guard termination == .exited(0) else { throw HarnessError("rabbitmqctl \(arguments.first ?? "") failed: \(termination)") }
        return String(decoding: output, as: UTF8.self)
    }
}
