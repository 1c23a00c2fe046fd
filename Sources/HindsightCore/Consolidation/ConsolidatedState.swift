public import Foundation

/// One consolidated `executions` row, as the tracker keeps it in PostgreSQL.
public struct ConsolidatedExecution: Sendable, Equatable, Codable {
    public var executionID: UUID
    public var domain: String
    public var agentID: String?
    public var goal: String?
    public var plan: [String]?
    /// The A/B test and variant of the execution (start fields: lowest seq wins).
    public var abTest: String?
    public var variant: String?
    /// Sequence number of the `execution_started` event the start fields come from.
    public var metaSeq: Int64?
    public var status: String = "running"
    /// Sequence number of the `execution_completed` event the status comes from.
    public var statusSeq: Int64?
    public var startedAtMicros: Int64?
    public var endedAtMicros: Int64?
    public var finalResult: String?
    public var eventCount = 0
    public var errorCount = 0
    public var toolCallCount = 0
    public var recoveryCount = 0
    public var firstEventAtMicros: Int64
    public var lastEventAtMicros: Int64

    /// A row with the given identity and event-time bounds; every other column at its default.
    public init(executionID: UUID, domain: String, firstEventAtMicros: Int64, lastEventAtMicros: Int64) {
        self.executionID = executionID
        self.domain = domain
        self.firstEventAtMicros = firstEventAtMicros
        self.lastEventAtMicros = lastEventAtMicros
    }
}

/// One consolidated `phases` row.
public struct ConsolidatedPhase: Sendable, Equatable, Codable {
    public var executionID: UUID
    public var phase: String
    public var startedAtMicros: Int64?
    public var startSeq: Int64?
    public var endedAtMicros: Int64?
    public var endSeq: Int64?
    public var success: Bool?
    public var error: String?
    public var estimatedDurationSeconds: Double?
    public var retryCount = 0
    /// Number of `phase_started` events of the phase (`phases.start_count`).
    public var startCount = 0
    public var errorCount = 0

    /// A row of `phase` in `executionID` with every other column at its default.
    public init(executionID: UUID, phase: String) {
        self.executionID = executionID
        self.phase = phase
    }
}

/// One consolidated `tool_usage` row.
public struct ConsolidatedTool: Sendable, Equatable, Codable {
    public var executionID: UUID
    public var tool: String
    public var calls = 0
    public var totalMs = 0.0

    /// A row of `tool` in `executionID`.
    public init(executionID: UUID, tool: String, calls: Int = 0, totalMs: Double = 0) {
        self.executionID = executionID
        self.tool = tool
        self.calls = calls
        self.totalMs = totalMs
    }
}

/// The consolidated rows in memory: the reference the SQL upserts must agree with.
///
/// Applying deltas in any grouping and order yields the same state, provided each event is in exactly one
/// delta (which the raw-event deduplication guarantees).
public struct ConsolidatedState: Sendable, Equatable {
    public var executions: [UUID: ConsolidatedExecution] = [:]
    public var phases: [String: ConsolidatedPhase] = [:]
    public var tools: [String: ConsolidatedTool] = [:]
    /// `errors` rows by ``eventKey(_:_:)``.
    public var errors: [String: ErrorEventRow] = [:]
    /// `recovery_attempts` rows by ``eventKey(_:_:)``.
    public var recoveries: [String: RecoveryAttemptRow] = [:]

    public init() {}

    /// Folds unique events into a fresh state in one delta.
    public init(uniqueEvents: some Sequence<WireEvent>) {
        self.init()
        apply(ConsolidationDelta(events: uniqueEvents))
    }

    public static func phaseKey(_ executionID: UUID, _ phase: String) -> String { "\(executionID.uuidString)/\(phase)" }

    /// The key of an event's row in ``errors`` and ``recoveries`` (their primary key).
    public static func eventKey(_ executionID: UUID, _ eventID: UUID) -> String {
        "\(executionID.uuidString)/\(eventID.uuidString)"
    }

    /// Merges a delta with the rules of the SQL upserts.
    public mutating func apply(_ delta: ConsolidationDelta) {
        for change in delta.executions { apply(change) }
        for change in delta.phases { apply(change) }
        for change in delta.tools {
            let key = Self.phaseKey(change.executionID, change.tool)
            var row = tools[key] ?? ConsolidatedTool(executionID: change.executionID, tool: change.tool)
            row.calls += change.calls
            row.totalMs += change.totalMs
            tools[key] = row
        }
        // Inserted once, never updated (ON CONFLICT DO NOTHING): the first row of an event stays.
        for row in delta.errors where errors[Self.eventKey(row.executionID, row.eventID)] == nil {
            errors[Self.eventKey(row.executionID, row.eventID)] = row
        }
        for row in delta.recoveries where recoveries[Self.eventKey(row.executionID, row.eventID)] == nil {
            recoveries[Self.eventKey(row.executionID, row.eventID)] = row
        }
    }

    private mutating func apply(_ change: ExecutionDelta) {
        var row = executions[change.executionID] ?? ConsolidatedExecution(
            executionID: change.executionID, domain: change.domain,
            firstEventAtMicros: change.firstEventAtMicros, lastEventAtMicros: change.lastEventAtMicros)
        if let start = change.start, row.metaSeq.map({ start.seq < $0 }) ?? true {
            row.metaSeq = start.seq
            row.domain = start.value.domain
            row.agentID = start.value.agentID
            row.goal = start.value.goal
            row.plan = start.value.plan
            row.startedAtMicros = start.value.startedAtMicros
            row.abTest = start.value.abTest
            row.variant = start.value.variant
        }
        if let completion = change.completion, row.statusSeq.map({ completion.seq > $0 }) ?? true {
            row.statusSeq = completion.seq
            row.status = completion.value.status
            row.finalResult = completion.value.result
            row.endedAtMicros = completion.value.endedAtMicros
        }
        row.eventCount += change.eventCount
        row.errorCount += change.errorCount
        row.toolCallCount += change.toolCallCount
        row.recoveryCount += change.recoveryCount
        row.firstEventAtMicros = min(row.firstEventAtMicros, change.firstEventAtMicros)
        row.lastEventAtMicros = max(row.lastEventAtMicros, change.lastEventAtMicros)
        executions[change.executionID] = row
    }

    private mutating func apply(_ change: PhaseDelta) {
        let key = Self.phaseKey(change.executionID, change.phase)
        var row = phases[key] ?? ConsolidatedPhase(executionID: change.executionID, phase: change.phase)
        if let start = change.start, row.startSeq.map({ start.seq < $0 }) ?? true {
            row.startSeq = start.seq
            row.startedAtMicros = start.value.startedAtMicros
            row.estimatedDurationSeconds = start.value.estimatedDurationSeconds
        }
        if let end = change.end, row.endSeq.map({ end.seq > $0 }) ?? true {
            row.endSeq = end.seq
            row.endedAtMicros = end.value.endedAtMicros
            row.success = end.value.success
            row.error = end.value.error
        }
        row.retryCount += change.retryCount
        row.startCount += change.startCount
        row.errorCount += change.errorCount
        phases[key] = row
    }
}
