/// The seed's SQLite database (`execution_history.db`): rows of `executions` and `events` as read, and
/// how they become a ``SeedExecution``. Pure; ``SeedDatabaseReader`` does the reading.
///
/// Quirks kept: events in insertion order (`events.id`), so the `recovery_attempt` events the seed's
/// self-healing appended directly to the trace (dated at the trace's start) keep their place; a
/// `running` row has no completion. Quirks handled: events duplicated by a second `store_trace`
/// (identical, dropped by the converter as ``SkipReason/duplicateEvent``), `data` NULL or empty (`{}`),
/// events without an `executions` row (``SkipReason/orphanEvent``, invisible to the seed too). The
/// `metrics` table is derived data and is not imported (the analyzer recomputes it).
public enum SeedDatabaseRows {
    /// A column value as SQLite returned it.
    public enum Value: Sendable, Equatable {
        /// `NULL`.
        case null
        /// `INTEGER`.
        case integer(Int64)
        /// `REAL`.
        case real(Double)
        /// `TEXT`.
        case text(String)
        /// `BLOB` (never written by the seed).
        case blob

        var text: String? {
            switch self {
            case .text(let value): value
            case .integer(let value): String(value)
            case .real(let value): String(value)
            case .null, .blob: nil
            }
        }

        var number: Double? {
            switch self {
            case .integer(let value): Double(value)
            case .real(let value): value
            case .text(let value): Double(value)
            case .null, .blob: nil
            }
        }
    }

    /// One `executions` row (the columns the import uses).
    public struct Execution: Sendable, Equatable {
        /// `rowid`, for locations.
        public var rowID: Int64
        /// `execution_id`, `agent_bundle_id`, `goal_domain`, `goal_text`, `start_time`, `end_time`,
        /// `status`, `final_result`.
        public var executionID, agentBundleID, goalDomain, goalText, startTime, endTime, status, finalResult: Value

        /// Creates a row.
        ///
        /// - Parameters: One per column.
        public init(
            rowID: Int64, executionID: Value, agentBundleID: Value = .null, goalDomain: Value = .null,
            goalText: Value = .null, startTime: Value, endTime: Value = .null, status: Value, finalResult: Value = .null
        ) {
            self.rowID = rowID
            self.executionID = executionID
            self.agentBundleID = agentBundleID
            self.goalDomain = goalDomain
            self.goalText = goalText
            self.startTime = startTime
            self.endTime = endTime
            self.status = status
            self.finalResult = finalResult
        }
    }

    /// One `events` row.
    public struct Event: Sendable, Equatable {
        /// `id` (AUTOINCREMENT: insertion order).
        public var id: Int64
        /// `timestamp`, `event_type`, `phase_name`, `data` (JSON text), `duration_ms`.
        public var timestamp, eventType, phaseName, data, durationMs: Value

        /// Creates a row.
        ///
        /// - Parameters: One per column.
        public init(id: Int64, timestamp: Value, eventType: Value, phaseName: Value = .null, data: Value = .null, durationMs: Value = .null) {
            self.id = id
            self.timestamp = timestamp
            self.eventType = eventType
            self.phaseName = phaseName
            self.data = data
            self.durationMs = durationMs
        }
    }

    /// The seed execution of one `executions` row and its events (ordered by `id`).
    ///
    /// - Parameters:
    ///   - row: The execution row.
    ///   - events: Its `events` rows.
    ///   - path: The database file, for locations.
    /// - Returns: The execution (nil when the row has no usable id) and the issues.
    public static func execution(_ row: Execution, events: [Event], path: String) -> (execution: SeedExecution?, issues: [ImportIssue]) {
        var issues: [ImportIssue] = []
        let location = SourceLocation(path: path, row: "executions#\(row.rowID)")
        guard let id = row.executionID.text, !id.isEmpty else {
            return (nil, [ImportIssue(.missingField, at: location, "execution_id")])
        }
        var execution = SeedExecution(
            executionID: id, agentBundleID: row.agentBundleID.text, goal: row.goalText.text, domain: row.goalDomain.text,
            startTime: row.startTime.text, startLocation: location)
        if execution.startTime == nil { issues.append(ImportIssue(.missingField, at: location, "start_time")) }
        for event in events.sorted(by: { $0.id < $1.id }) {
            switch self.event(event, path: path) {
            case .success(let value): execution.records.append(.event(value))
            case .failure(let issue): issues.append(issue)
            }
        }
        let status = row.status.text ?? ""
        if status != "running" && !status.isEmpty {
            if let end = row.endTime.text {
                execution.records.append(.completion(SeedCompletion(
                    endTime: end, status: status, finalResult: row.finalResult.text, location: location)))
            } else {
                issues.append(ImportIssue(.missingField, at: location, "end_time (status \(status.count > 32 ? "…" : status))"))
            }
        }
        return (execution, issues)
    }

    static func event(_ row: Event, path: String) -> Result<SeedEvent, ImportIssue> {
        let location = SourceLocation(path: path, row: "events#\(row.id)")
        guard let timestamp = row.timestamp.text else { return .failure(ImportIssue(.missingField, at: location, "timestamp")) }
        guard let type = row.eventType.text else { return .failure(ImportIssue(.missingField, at: location, "event_type")) }
        var data: [String: SeedValue] = [:]
        switch row.data {
        case .null: break
        case .text(let text) where text.isEmpty: break
        case .text(let text):
            switch SeedValue.parse(Array(text.utf8)) {
            case .object(let object)?: data = object
            case .null?: break
            case nil: return .failure(ImportIssue(.malformedJSON, at: location, "data"))
            case _?: return .failure(ImportIssue(.wrongType, at: location, "data: not an object"))
            }
        default: return .failure(ImportIssue(.wrongType, at: location, "data: not text"))
        }
        let duration: Double?
        switch row.durationMs {
        case .null: duration = nil
        case .integer, .real: duration = row.durationMs.number
        default: return .failure(ImportIssue(.wrongType, at: location, "duration_ms: not a number"))
        }
        return .success(SeedEvent(
            timestamp: timestamp, eventType: type, phaseName: row.phaseName.text, data: data, durationMs: duration,
            location: location))
    }
}
