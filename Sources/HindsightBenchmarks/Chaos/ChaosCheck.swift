import Foundation
import HindsightCore
import HindsightStore
import HindsightTesting
import Logging
import PostgresNIO

/// The end of the fault run: the database against everything the broker confirmed.
struct ChaosCheck: Sendable, Codable {
    var confirmedExecutions: Int
    var confirmedEvents: Int
    /// Confirmed events with no row in `events`.
    var lost: Int
    /// Rows in `events` beyond one per `event_id`, plus consolidated `event_count`s beyond the events stored.
    var duplicated: Int
    /// Whether the consolidated rows of the confirmed executions equal the core's consolidation of their events.
    var consolidationEqual: Bool
    /// Executions whose consolidated rows differ (at most 5 named).
    var consolidationDifferences: [String]
    /// Executions stored although their publish was never confirmed (given up at the end).
    var storedUnconfirmedExecutions: Int

    var passed: Bool { lost == 0 && duplicated == 0 && consolidationEqual }

    /// Reads the stored events and consolidated rows of the run's database.
    static func run(ledger: ChaosLedger, database: DatabaseURL, logger: Logger) async throws -> ChaosCheck {
        let confirmed = ledger.confirmed
        let ids = confirmed.map(\.executionID)
        return try await StoreConnection.withClient(database, logger: logger) { client in
            var stored: [UUID: (distinct: Int, rows: Int)] = [:]
            let rows = try await client.query(
                "SELECT execution_id, count(DISTINCT event_id)::int8, count(*)::int8 FROM hindsight.events GROUP BY 1",
                logger: logger)
            for try await (id, distinct, total) in rows.decode((UUID, Int64, Int64).self) {
                stored[id] = (Int(distinct), Int(total))
            }
            var lost = 0
            var duplicated = 0
            for execution in confirmed {
                lost += max(0, execution.events - (stored[execution.executionID]?.distinct ?? 0))
            }
            for (_, counts) in stored { duplicated += counts.rows - counts.distinct }
            let countRows = try await client.query(
                """
                SELECT coalesce(sum(greatest(x.event_count - e.n, 0)), 0)::int8
                FROM hindsight.executions x
                JOIN (SELECT execution_id, count(DISTINCT event_id) AS n FROM hindsight.events GROUP BY 1) e USING (execution_id)
                """, logger: logger)
            for try await extra in countRows.decode(Int64.self) { duplicated += Int(extra) }
            let confirmedSet = Set(ids)
            let unconfirmedStored = stored.keys.filter { !confirmedSet.contains($0) }.count

            let actual = try await ConsolidatedRowsReader.read(ids, from: client, logger: logger)
            let expected = ledger.expected
            var differences: [String] = []
            if actual != expected {
                for id in ids where actual.executions[id] != expected.executions[id] {
                    differences.append("execution \(id)")
                    if differences.count >= 5 { break }
                }
                for table in [("phases", actual.phases.count, expected.phases.count),
                              ("tool_usage", actual.tools.count, expected.tools.count),
                              ("errors", actual.errors.count, expected.errors.count),
                              ("recovery_attempts", actual.recoveries.count, expected.recoveries.count)] where table.1 != table.2 {
                    differences.append("\(table.0): \(table.1) rows stored, \(table.2) expected")
                }
                if differences.isEmpty { differences.append("phase, tool, error or recovery rows differ") }
            }
            return ChaosCheck(
                confirmedExecutions: confirmed.count, confirmedEvents: confirmed.reduce(0) { $0 + $1.events },
                lost: lost, duplicated: duplicated, consolidationEqual: actual == expected,
                consolidationDifferences: differences, storedUnconfirmedExecutions: unconfirmedStored)
        }
    }

    /// Per stored event: `ts` (the agent's first attempt) and the commit time of the row that holds it
    /// (`track_commit_timestamp`), in wall-clock microseconds.
    static func commitTimes(database: DatabaseURL, logger: Logger) async throws -> [(ts: Int64, committed: Int64)] {
        try await StoreConnection.withClient(database, logger: logger) { client in
            let rows = try await client.query(
                """
                SELECT (extract(epoch FROM ts) * 1000000)::int8,
                       (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000)::int8
                FROM hindsight.events
                """, logger: logger)
            var result: [(ts: Int64, committed: Int64)] = []
            for try await (ts, committed) in rows.decode((Int64, Int64?).self) {
                if let committed { result.append((ts, committed)) }
            }
            return result
        }
    }
}
