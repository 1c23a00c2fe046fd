import Foundation
import Logging
import SQLiteNIO

/// Reads a seed SQLite database, read-only, page by page (``SeedDatabaseRows`` turns rows into
/// executions).
struct SeedDatabaseReader {
    let path: String
    let connection: SQLiteConnection
    static let pageSize = 500

    /// Opens the file read-only (`mode=ro`: the seed's file is never changed) and checks its tables.
    static func open(_ path: String, logger: Logger) async throws(ImportError) -> SeedDatabaseReader {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: uri(path)), logger: logger)
        } catch {
            throw ImportError(.unreadable, path: path, "cannot open the database: \(error)")
        }
        let reader = SeedDatabaseReader(path: path, connection: connection)
        do {
            let rows = try await connection.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('executions', 'events')")
            guard rows.count == 2 else {
                await reader.close()
                throw ImportError(.notASeedDatabase, path: path, "no executions and events tables")
            }
        } catch let error as ImportError {
            throw error
        } catch {
            await reader.close()
            throw ImportError(.notASeedDatabase, path: path, "\(error)")
        }
        return reader
    }

    /// A read-only SQLite URI for the path (reserved URI characters escaped).
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-._~")
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return "file:\(absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute)?mode=ro"
    }

    func close() async {
        try? await connection.close()
    }

    func executionCount() async throws(ImportError) -> Int {
        do {
            let rows = try await connection.query("SELECT count(*) AS n FROM executions")
            return rows.first?.column("n")?.integer.map { Int($0) } ?? 0
        } catch {
            throw ImportError(.notASeedDatabase, path: path, "\(error)")
        }
    }

    /// Calls `body` with the executions of each page of `executions` rows (by `rowid`), with their events.
    func forEachPage(
        _ body: ([(execution: SeedExecution?, issues: [ImportIssue])]) async throws(ImportError) -> Void
    ) async throws(ImportError) {
        var after: Int64 = 0
        while true {
            let page: [SeedDatabaseRows.Execution]
            var events: [String: [SeedDatabaseRows.Event]] = [:]
            do {
                let rows = try await connection.query("""
                    SELECT rowid AS r, execution_id, agent_bundle_id, goal_domain, goal_text, start_time, end_time, status,
                           final_result
                    FROM executions WHERE rowid > ? ORDER BY rowid LIMIT ?
                    """, [.integer(SQLiteInt64(after)), .integer(SQLiteInt64(Self.pageSize))])
                page = rows.map { row in
                    SeedDatabaseRows.Execution(
                        rowID: Int64(row.column("r")?.integer ?? 0), executionID: Self.value(row, "execution_id"),
                        agentBundleID: Self.value(row, "agent_bundle_id"), goalDomain: Self.value(row, "goal_domain"),
                        goalText: Self.value(row, "goal_text"), startTime: Self.value(row, "start_time"),
                        endTime: Self.value(row, "end_time"), status: Self.value(row, "status"),
                        finalResult: Self.value(row, "final_result"))
                }
                let ids = page.compactMap { $0.executionID.text }
                if !ids.isEmpty {
                    let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                    let eventRows = try await connection.query("""
                        SELECT id, execution_id, timestamp, event_type, phase_name, data, duration_ms
                        FROM events WHERE execution_id IN (\(marks)) ORDER BY id
                        """, ids.map { SQLiteData.text($0) })
                    for row in eventRows {
                        guard let owner = Self.value(row, "execution_id").text else { continue }
                        events[owner, default: []].append(SeedDatabaseRows.Event(
                            id: Int64(row.column("id")?.integer ?? 0), timestamp: Self.value(row, "timestamp"),
                            eventType: Self.value(row, "event_type"), phaseName: Self.value(row, "phase_name"),
                            data: Self.value(row, "data"), durationMs: Self.value(row, "duration_ms")))
                    }
                }
            } catch {
                throw ImportError(.notASeedDatabase, path: path, "\(error)")
            }
            guard let last = page.last else { return }
            after = last.rowID
            try await body(page.map { row in
                SeedDatabaseRows.execution(row, events: row.executionID.text.flatMap { events[$0] } ?? [], path: path)
            })
        }
    }

    /// Events whose execution has no `executions` row.
    func orphans() async throws(ImportError) -> [ImportIssue] {
        do {
            let rows = try await connection.query("""
                SELECT id FROM events
                WHERE execution_id IS NULL OR execution_id NOT IN (SELECT execution_id FROM executions WHERE execution_id IS NOT NULL)
                ORDER BY id
                """)
            return rows.map { row in
                ImportIssue(
                    .orphanEvent, at: SourceLocation(path: path, row: "events#\(row.column("id")?.integer ?? 0)"),
                    "no executions row")
            }
        } catch {
            throw ImportError(.notASeedDatabase, path: path, "\(error)")
        }
    }

    static func value(_ row: SQLiteRow, _ column: String) -> SeedDatabaseRows.Value {
        switch row.column(column) {
        case .integer(let value)?: .integer(Int64(value))
        case .float(let value)?: .real(value)
        case .text(let value)?: .text(value)
        case .blob?: .blob
        case .null?, nil: .null
        }
    }
}
