import Foundation
import HindsightAgent
import HindsightCore
import HindsightStore
import HindsightTesting
import PostgresNIO
import Testing

/// The writer alone against a real database: the plain insert when every event is new, the
/// deduplicating insert after a duplicate, the same consolidated rows either way.
@Suite("Store: consolidation writer", .serialized)
struct ConsolidationWriterTests {
    typealias S = StoreTestSupport

    static func executions(_ count: Int, seed: UInt64) -> [WireEvent] {
        var simulator = FleetSimulator(seed: seed)
        let start = WireFormat.currentMicros() - 3_600_000_000
        return (0..<count).flatMap { simulator.execution(startingAt: start + Int64($0) * 1_000_000) }
    }

    @Test func duplicatesAcrossAndWithinBatchesAreStoredOnce() async throws {
        try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let writer = ConsolidationWriter(client: client, logger: S.logger)
                let events = Self.executions(40, seed: 7)
                let half = events.count / 2

                // All new: the plain insert.
                let first = try await writer.write(Array(events[..<half]))
                #expect(first.stored == half && first.duplicates == 0)

                // A redelivered tail of the first batch plus new events: the plain insert meets a
                // unique violation, rolls back to its savepoint and deduplicates.
                let overlap = Array(events[(half - 30)..<(half + 50)])
                let second = try await writer.write(overlap)
                #expect(second.stored == 50 && second.duplicates == 30)

                // Duplicates inside one batch, all of them new to the database (deduplicating path now,
                // since a duplicate was just seen).
                let rest = Array(events[(half + 50)...])
                let third = try await writer.write(rest + rest.prefix(10))
                #expect(third.stored == rest.count && third.duplicates == 10)

                // Everything again: nothing new.
                let again = try await writer.write(events)
                #expect(again.stored == 0 && again.duplicates == events.count)

                let rows = try await client.query(
                    "SELECT (SELECT count(*) FROM hindsight.events)::int8, (SELECT coalesce(sum(event_count), 0) FROM hindsight.executions)::int8",
                    logger: S.logger)
                for try await (stored, counted) in rows.decode((Int64, Int64).self) {
                    #expect(stored == Int64(events.count))
                    #expect(counted == Int64(events.count))
                }
            }
        }
    }

    /// A phase started twice (failed, retried), errors in and outside phases, recoveries with and without
    /// a failure type — the rows the analyzer reads.
    static func retriedExecution(start: Int64) -> [WireEvent] {
        var recorder = ExecutionRecorder(domain: "analyzer-inputs")
        var now = start
        func tick() -> Int64 { now += 1_500_000; return now }
        recorder.start(goal: "Load the data", plan: ["fetch", "load"], at: tick())
        recorder.startPhase("fetch", estimatedSeconds: 2.5, at: tick())
        recorder.error(type: "TimeoutError", message: "Timed out after 30 s", phase: "fetch", at: tick())
        recorder.endPhase("fetch", success: false, error: "Timed out after 30 s", at: tick())
        recorder.recoveryAttempted(strategy: "retry", failureType: "timeout", success: true, phase: "fetch", at: tick())
        recorder.startPhase("fetch", estimatedSeconds: 9, at: tick())
        recorder.endPhase("fetch", at: tick())
        recorder.startPhase("load", at: tick())
        recorder.error(type: "Warning", message: "Slow disk", at: tick())
        recorder.record(.recoveryAttempted, phase: "load", at: tick(), payload: EventPayload(strategy: "skip"))
        recorder.endPhase("load", at: tick())
        recorder.complete(status: "recovered", at: tick())
        return recorder.events
    }

    @Test("start_count, errors and recovery_attempts equal the core's consolidation, batches in any order")
    func analyzerInputsMatchTheCore() async throws {
        let start = WireFormat.currentMicros() - 3_600_000_000
        let handMade = Self.retriedExecution(start: start)
        let events = Self.executions(60, seed: 11) + handMade
        // Deliver in reverse, in batches of 37, each batch repeating a few events of the previous one.
        let reversed = Array(events.reversed())
        let batches = stride(from: 0, to: reversed.count, by: 37).map { index in
            Array(reversed[max(0, index - 3)..<min(reversed.count, index + 37)])
        }
        let expected = ConsolidatedState(uniqueEvents: events)
        #expect(!expected.errors.isEmpty && !expected.recoveries.isEmpty)

        let stored = try await S.withMigratedDatabase { url in
            try await S.withClient(url) { client in
                let writer = ConsolidationWriter(client: client, logger: S.logger)
                for batch in batches { try await writer.write(batch) }
                try await writer.write(events) // everything again: nothing new, no second row
                return try await ConsolidatedRowsReader.read(
                    Array(Set(events.map(\.executionID))), from: client, logger: S.logger)
            }
        }
        #expect(stored.phases.count == expected.phases.count)
        for (key, row) in expected.phases { #expect(stored.phases[key] == row) }
        #expect(stored.errors == expected.errors)
        #expect(stored.recoveries == expected.recoveries)

        let execution = try #require(handMade.first?.executionID)
        let fetch = try #require(stored.phases[ConsolidatedState.phaseKey(execution, "fetch")])
        #expect(fetch.startCount == 2 && fetch.estimatedDurationSeconds == 2.5 && fetch.success == true)
        #expect(stored.phases[ConsolidatedState.phaseKey(execution, "load")]?.startCount == 1)
        let errors = stored.errors.values.filter { $0.executionID == execution }.sorted { $0.seq < $1.seq }
        #expect(errors.map(\.phase) == ["fetch", nil] && errors.map(\.errorType) == ["TimeoutError", "Warning"])
        #expect(errors.map(\.message) == ["Timed out after 30 s", "Slow disk"])
        let recoveries = stored.recoveries.values.filter { $0.executionID == execution }.sorted { $0.seq < $1.seq }
        #expect(recoveries.map(\.strategy) == ["retry", "skip"] && recoveries.map(\.failureType) == ["timeout", nil])
        #expect(recoveries.map(\.success) == [true, nil] && recoveries.map(\.phase) == ["fetch", "load"])
    }
}
