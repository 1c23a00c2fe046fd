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
}
