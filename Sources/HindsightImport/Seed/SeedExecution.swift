/// Where a seed record came from: a file and line, or a database table and row id.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file or database path.
    public var path: String
    /// The 1-based line of a JSONL file.
    public var line: Int?
    /// The table and `rowid`/`id` of a database row, e.g. `events#42`.
    public var row: String?

    /// A line of a JSONL file.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - line: The 1-based line number.
    public init(path: String, line: Int) {
        self.path = path
        self.line = line
    }

    /// A row of a database table.
    ///
    /// - Parameters:
    ///   - path: The database file.
    ///   - row: The table and row, e.g. `events#42`.
    public init(path: String, row: String) {
        self.path = path
        self.row = row
    }

    /// `path:line` or `path#table#id`.
    public var description: String {
        if let line { return "\(path):\(line)" }
        if let row { return "\(path)#\(row)" }
        return path
    }
}

/// One execution of the seed system as read from either of its stores, before conversion.
///
/// Field values are kept as the seed wrote them (text timestamps, free-form statuses and types);
/// ``SeedConverter`` judges them.
public struct SeedExecution: Sendable, Equatable {
    /// `execution_id` as written (normally a lowercase UUID, but any text is possible).
    public var executionID: String
    /// `agent_bundle_id`.
    public var agentBundleID: String?
    /// `goal` (JSONL header) or `goal_text` (database).
    public var goal: String?
    /// `domain` (JSONL header) or `goal_domain` (database).
    public var domain: String?
    /// `start_time`; nil when the JSONL file has no header.
    public var startTime: String?
    /// Where the start came from.
    public var startLocation: SourceLocation?
    /// Events and completions in the order the seed wrote them.
    public var records: [SeedRecord]

    /// Creates an execution.
    ///
    /// - Parameters: One per property, named after it.
    public init(
        executionID: String, agentBundleID: String? = nil, goal: String? = nil, domain: String? = nil,
        startTime: String? = nil, startLocation: SourceLocation? = nil, records: [SeedRecord] = []
    ) {
        self.executionID = executionID
        self.agentBundleID = agentBundleID
        self.goal = goal
        self.domain = domain
        self.startTime = startTime
        self.startLocation = startLocation
        self.records = records
    }
}

/// An event line/row, or a completion (JSONL `trace_end`, the database's final status).
public enum SeedRecord: Sendable, Equatable {
    /// An `ExecutionEvent`.
    case event(SeedEvent)
    /// The execution ended.
    case completion(SeedCompletion)
}

/// The seed's `ExecutionEvent`: `timestamp`, `event_type`, `phase_name`, `data`, `duration_ms`.
public struct SeedEvent: Sendable, Equatable {
    /// `timestamp` text.
    public var timestamp: String
    /// `event_type` (any non-empty string in the seed).
    public var eventType: String
    /// `phase_name`.
    public var phaseName: String?
    /// `data` (`{}` when absent or null).
    public var data: [String: SeedValue]
    /// `duration_ms`.
    public var durationMs: Double?
    /// Where it came from.
    public var location: SourceLocation

    /// Creates an event.
    ///
    /// - Parameters: One per property, named after it.
    public init(
        timestamp: String, eventType: String, phaseName: String? = nil, data: [String: SeedValue] = [:],
        durationMs: Double? = nil, location: SourceLocation
    ) {
        self.timestamp = timestamp
        self.eventType = eventType
        self.phaseName = phaseName
        self.data = data
        self.durationMs = durationMs
        self.location = location
    }
}

/// The end of an execution: `end_time`, `status`, `final_result`.
public struct SeedCompletion: Sendable, Equatable {
    /// `end_time` text.
    public var endTime: String
    /// `status` (any string in the seed).
    public var status: String
    /// `final_result`.
    public var finalResult: String?
    /// Where it came from.
    public var location: SourceLocation

    /// Creates a completion.
    ///
    /// - Parameters: One per property, named after it.
    public init(endTime: String, status: String, finalResult: String? = nil, location: SourceLocation) {
        self.endTime = endTime
        self.status = status
        self.finalResult = finalResult
        self.location = location
    }
}
