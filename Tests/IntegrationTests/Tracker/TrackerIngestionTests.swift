import AMQP
import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO
import Testing

/// The tracker against the real broker and database: exactly-once storage in any order, with
/// duplicates, with several trackers.
@Suite("Tracker ingestion", .serialized)
struct TrackerIngestionTests {
    /// About 500 simulated executions (~20-30 events each) with a given seed.
    static func history(executions: Int, seed: UInt64) -> [WireEvent] {
        var simulator = FleetSimulator(seed: seed)
        let start = WireFormat.currentMicros() - 3 * 3_600_000_000
        var events: [WireEvent] = []
        for index in 0..<executions {
            events += simulator.execution(startingAt: start + Int64(index) * 1_000_000)
        }
        return events
    }

    /// Shuffles and appends a copy of `fraction` of the events at random places.
    static func shuffledWithDuplicates(_ events: [WireEvent], fraction: Double, seed: UInt64) -> [WireEvent] {
        var rng = SplitMix64(seed: seed)
        var delivered = events
        for event in events where rng.unit() < fraction { delivered.append(event) }
        for index in stride(from: delivered.count - 1, to: 0, by: -1) {
            delivered.swapAt(index, Int(rng.next() % UInt64(index + 1)))
        }
        return delivered
    }

    func expectStored(_ events: [WireEvent], harness: TrackerHarness) async throws {
        let executions = Array(Set(events.map(\.executionID)))
        let unique = Array(Set(events))
        try await harness.waitForEvents(unique.count, of: executions)
        let stored = try await StoreTestSupport.withClient(harness.database) { client in
            try await ConsolidatedRowsReader.read(executions, from: client, logger: harness.logger)
        }
        let expected = ConsolidatedState(uniqueEvents: unique)
        #expect(try await harness.countEvents(of: executions) == unique.count)
        #expect(stored.executions.count == expected.executions.count)
        #expect(stored.phases.count == expected.phases.count)
        #expect(stored.tools.count == expected.tools.count)
        #expect(stored.errors.count == expected.errors.count)
        #expect(stored.recoveries.count == expected.recoveries.count)
        for (id, row) in expected.executions { #expect(stored.executions[id] == row) }
        for (key, row) in expected.phases { #expect(stored.phases[key] == row) }
        for (key, row) in expected.tools { #expect(stored.tools[key] == row) }
        for (key, row) in expected.errors { #expect(stored.errors[key] == row) }
        for (key, row) in expected.recoveries { #expect(stored.recoveries[key] == row) }
    }

    @Test("500 executions, shuffled, 20 % delivered twice → rows equal the core's consolidation")
    func shuffledAndDuplicated() async throws {
        let harness = try await TrackerHarness()
        let events = Self.history(executions: 500, seed: UInt64.random(in: 1...UInt64.max))
        let delivered = Self.shuffledWithDuplicates(events, fraction: 0.2, seed: 7)
        #expect(delivered.count > events.count)
        try await harness.withTrackers(1) {
            try await harness.publish(delivered)
            try await self.expectStored(events, harness: harness)
        }
        await harness.cleanUp()
    }

    @Test("two trackers on one queue store every event exactly once")
    func twoTrackers() async throws {
        let harness = try await TrackerHarness()
        let events = Self.history(executions: 300, seed: UInt64.random(in: 1...UInt64.max))
        let delivered = Self.shuffledWithDuplicates(events, fraction: 0.3, seed: 11)
        try await harness.withTrackers(2) {
            try await harness.publish(delivered)
            try await self.expectStored(events, harness: harness)
        }
        await harness.cleanUp()
    }

    @Test("batch messages and single-event messages both store")
    func batchMessages() async throws {
        let harness = try await TrackerHarness()
        let events = Self.history(executions: 60, seed: UInt64.random(in: 1...UInt64.max))
        let bodies = stride(from: 0, to: events.count, by: 37).map {
            WireFormat.encodeBatch(Array(events[$0..<min($0 + 37, events.count)]))
        }
        try await harness.withTrackers(1) {
            try await harness.publish(bodies: bodies)
            try await harness.publish(Array(events.prefix(50)))  // redelivered as single events
            try await self.expectStored(events, harness: harness)
        }
        await harness.cleanUp()
    }
}
