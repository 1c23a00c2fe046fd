public import Foundation
import PostgresNIO

/// One row of `hindsight.executions`, as the queries return it.
///
/// Codable (for the CLI's JSON output): keys are the Swift property names, UUIDs encode in lower
/// case (as PostgreSQL and the wire format print them), dates with the encoder's date strategy.
public struct StoredExecution: Sendable, Hashable, Codable {
    /// The statuses an execution can have, as stored.
    public static let statuses = ["running", "completed", "failed", "recovered"]

    /// Execution UUID.
    public var executionID: UUID
    /// Goal domain.
    public var domain: String
    /// Agent that ran it.
    public var agentID: String?
    /// Goal text.
    public var goal: String?
    /// Planned phase names in order.
    public var plan: [String]?
    /// `running`, `completed`, `failed` or `recovered`.
    public var status: String
    /// Start time (from the `execution_started` event), `nil` until that event arrives.
    public var startedAt: Date?
    /// End time, `nil` while running.
    public var endedAt: Date?
    /// Duration in seconds, `nil` until start and end are known.
    public var durationSeconds: Double?
    /// Result text reported on completion.
    public var finalResult: String?
    /// Events stored.
    public var eventCount: Int
    /// Error events.
    public var errorCount: Int
    /// Tool calls.
    public var toolCallCount: Int
    /// Recovery attempts.
    public var recoveryCount: Int
    /// Earliest event time.
    public var firstEventAt: Date
    /// Latest event time.
    public var lastEventAt: Date
    /// Last change of the row.
    public var updatedAt: Date

    /// The column list every query selects (a constant, spliced with `unescaped:`); ``init(row:)``
    /// decodes them in this order.
    static let columns = """
        execution_id, domain, agent_id, goal, plan, status, started_at, ended_at, duration_s,
        final_result, event_count, error_count, tool_call_count, recovery_count, first_event_at,
        last_event_at, updated_at
        """

    private enum CodingKeys: String, CodingKey {
        case executionID, domain, agentID, goal, plan, status, startedAt, endedAt, durationSeconds, finalResult,
             eventCount, errorCount, toolCallCount, recoveryCount, firstEventAt, lastEventAt, updatedAt
    }

    /// Encodes every column; the UUID as a lower-case string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(executionID.uuidString.lowercased(), forKey: .executionID)
        try c.encode(domain, forKey: .domain)
        try c.encodeIfPresent(agentID, forKey: .agentID)
        try c.encodeIfPresent(goal, forKey: .goal)
        try c.encodeIfPresent(plan, forKey: .plan)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(endedAt, forKey: .endedAt)
        try c.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try c.encodeIfPresent(finalResult, forKey: .finalResult)
        try c.encode(eventCount, forKey: .eventCount)
        try c.encode(errorCount, forKey: .errorCount)
        try c.encode(toolCallCount, forKey: .toolCallCount)
        try c.encode(recoveryCount, forKey: .recoveryCount)
        try c.encode(firstEventAt, forKey: .firstEventAt)
        try c.encode(lastEventAt, forKey: .lastEventAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }

    init(row: PostgresRow) throws {
        // Positional decoding, in the order of `columns` (faster than by-name lookups per row).
        (executionID, domain, agentID, goal, plan, status, startedAt, endedAt, durationSeconds, finalResult,
         eventCount, errorCount, toolCallCount, recoveryCount, firstEventAt, lastEventAt, updatedAt) =
            try row.decode((UUID, String, String?, String?, [String]?, String, Date?, Date?, Double?, String?,
                            Int, Int, Int, Int, Date, Date, Date).self)
    }
}

/// One row of `hindsight.events`.
///
/// ``data`` is the payload as JSON text; encoding a `StoredEvent` embeds it as a JSON value (not a
/// string), so the CLI's JSON output shows the payload as the agent sent it.
public struct StoredEvent: Sendable, Hashable, Codable {
    /// Event UUID (the idempotency key).
    public var eventID: UUID
    /// Execution UUID.
    public var executionID: UUID
    /// Sequence number within the execution.
    public var seq: Int
    /// When it happened.
    public var timestamp: Date
    /// Event type (`phase_started`, `tool_used`, …).
    public var type: String
    /// Phase, if any.
    public var phase: String?
    /// The payload as JSON text (an object).
    public var data: String

    /// Creates an event record.
    public init(eventID: UUID, executionID: UUID, seq: Int, timestamp: Date, type: String, phase: String?, data: String) {
        self.eventID = eventID
        self.executionID = executionID
        self.seq = seq
        self.timestamp = timestamp
        self.type = type
        self.phase = phase
        self.data = data
    }

    init(row: PostgresRow) throws {
        let (eventID, executionID, seq, timestamp, type, phase, data) =
            try row.decode((UUID, UUID, Int, Date, String, String?, String).self)
        self.init(eventID: eventID, executionID: executionID, seq: seq, timestamp: timestamp, type: type, phase: phase, data: data)
    }

    private enum CodingKeys: String, CodingKey { case eventID, executionID, seq, timestamp, type, phase, data }

    /// Decodes what ``encode(to:)`` wrote (the payload as a JSON value).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try c.decode(UUID.self, forKey: .eventID)
        executionID = try c.decode(UUID.self, forKey: .executionID)
        seq = try c.decode(Int.self, forKey: .seq)
        timestamp = try c.decode(Date.self, forKey: .timestamp)
        type = try c.decode(String.self, forKey: .type)
        phase = try c.decodeIfPresent(String.self, forKey: .phase)
        let value = try c.decode(JSONValue.self, forKey: .data)
        data = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// Encodes the event with lower-case UUIDs and the payload embedded as a JSON value.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eventID.uuidString.lowercased(), forKey: .eventID)
        try c.encode(executionID.uuidString.lowercased(), forKey: .executionID)
        try c.encode(seq, forKey: .seq)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(type, forKey: .type)
        try c.encodeIfPresent(phase, forKey: .phase)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))) ?? .string(data)
        try c.encode(value, forKey: .data)
    }
}

/// An execution with all its stored events, ordered by time and sequence number.
public struct ExecutionWithEvents: Sendable, Hashable, Codable {
    /// The execution row.
    public var execution: StoredExecution
    /// Its events ordered by `(ts, seq)`.
    public var events: [StoredEvent]
}

/// A JSON value, to carry event payloads through Codable unchanged.
enum JSONValue: Codable, Hashable, Sendable {
    case null, bool(Bool), number(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
