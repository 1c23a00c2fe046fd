public import Foundation

/// One thing that happened during an execution.
///
/// The seed kept a free-form `data` dictionary; the core keeps the fields the learning algorithms read
/// as typed properties (so analysis never parses dictionaries) and everything else in ``attributes``.
public struct ExecutionEvent: Hashable, Codable, Sendable {
    // Hot fields first: analysis reads kind, time, phase, outcome, tool and message, so they share
    // the first cache lines of each event.
    /// The event type.
    public var kind: EventKind
    /// When the event happened.
    public var timestamp: Timestamp
    /// The phase the event belongs to; `nil` for execution-level events such as tool calls.
    public var phaseName: String?
    /// For `phase_end`: whether the phase succeeded (`nil` is read as success, as in the seed).
    public var success: Bool?
    /// For `tool_call`: the tool's name.
    public var tool: String?
    /// For `error` and failed `phase_end`: the error message.
    public var message: String?
    /// How long the event took, in milliseconds.
    public var durationMs: Double?
    /// For `error`: the error's type, e.g. `TimeoutError`.
    public var errorType: String?
    /// For `error`: whether the error was fatal.
    public var fatal: Bool
    /// The idempotency key, when the producer assigned one (the wire format always does).
    public var id: UUID?
    /// Any other data, as strings.
    public var attributes: [String: String]

    /// Creates an event.
    ///
    /// - Throws: ``ModelError/emptyEventType`` when `kind` is an empty custom type.
    public init(
        id: UUID? = nil,
        timestamp: Timestamp,
        kind: EventKind,
        phaseName: String? = nil,
        durationMs: Double? = nil,
        success: Bool? = nil,
        tool: String? = nil,
        errorType: String? = nil,
        message: String? = nil,
        fatal: Bool = false,
        attributes: [String: String] = [:]
    ) throws(ModelError) {
        if case .custom(let raw) = kind, raw.isEmpty { throw .emptyEventType }
        self.id = id
        self.timestamp = timestamp
        self.kind = kind
        self.phaseName = phaseName
        self.durationMs = durationMs
        self.success = success
        self.tool = tool
        self.errorType = errorType
        self.message = message
        self.fatal = fatal
        self.attributes = attributes
    }

    // Known kinds can never be empty, so the convenience constructors do not throw.
    private init(known kind: EventKind, at timestamp: Timestamp, phase: String?) {
        self.id = nil
        self.timestamp = timestamp
        self.kind = kind
        self.phaseName = phase
        self.durationMs = nil
        self.success = nil
        self.tool = nil
        self.errorType = nil
        self.message = nil
        self.fatal = false
        self.attributes = [:]
    }

    /// A `phase_start` event.
    public static func phaseStart(_ phase: String, at timestamp: Timestamp) -> ExecutionEvent {
        ExecutionEvent(known: .phaseStart, at: timestamp, phase: phase)
    }

    /// A `phase_end` event; `error` is kept only when non-empty, as in the seed.
    public static func phaseEnd(
        _ phase: String, at timestamp: Timestamp, success: Bool = true, error: String? = nil
    ) -> ExecutionEvent {
        var event = ExecutionEvent(known: .phaseEnd, at: timestamp, phase: phase)
        event.success = success
        if let error, !error.isEmpty { event.message = error }
        return event
    }

    /// A `tool_call` event (no phase, as the seed's tracker records them).
    public static func toolCall(
        _ tool: String, at timestamp: Timestamp, durationMs: Double? = nil, phase: String? = nil
    ) -> ExecutionEvent {
        var event = ExecutionEvent(known: .toolCall, at: timestamp, phase: phase)
        event.tool = tool
        event.durationMs = durationMs
        return event
    }

    /// An `error` event.
    public static func error(
        type errorType: String, message: String, at timestamp: Timestamp, phase: String? = nil, fatal: Bool = false
    ) -> ExecutionEvent {
        var event = ExecutionEvent(known: .error, at: timestamp, phase: phase)
        event.errorType = errorType
        event.message = message
        event.fatal = fatal
        return event
    }

    /// A `retry` event for `phase`.
    public static func retry(_ phase: String, at timestamp: Timestamp) -> ExecutionEvent {
        ExecutionEvent(known: .retry, at: timestamp, phase: phase)
    }

    /// A `recovery_attempt` event describing `strategy`.
    public static func recoveryAttempt(_ strategy: RecoveryStrategy, at timestamp: Timestamp) -> ExecutionEvent {
        var event = ExecutionEvent(known: .recoveryAttempt, at: timestamp, phase: strategy.phaseName)
        event.attributes = [
            "strategy": strategy.kind.rawValue,
            "reason": strategy.reason,
            "confidence": String(strategy.confidence),
        ]
        return event
    }

    private enum CodingKeys: String, CodingKey {
        case id, timestamp, kind, phaseName, durationMs, success, tool, errorType, message, fatal, attributes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            id: c.decodeIfPresent(UUID.self, forKey: .id),
            timestamp: c.decode(Timestamp.self, forKey: .timestamp),
            kind: c.decode(EventKind.self, forKey: .kind),
            phaseName: c.decodeIfPresent(String.self, forKey: .phaseName),
            durationMs: c.decodeIfPresent(Double.self, forKey: .durationMs),
            success: c.decodeIfPresent(Bool.self, forKey: .success),
            tool: c.decodeIfPresent(String.self, forKey: .tool),
            errorType: c.decodeIfPresent(String.self, forKey: .errorType),
            message: c.decodeIfPresent(String.self, forKey: .message),
            fatal: c.decodeIfPresent(Bool.self, forKey: .fatal) ?? false,
            attributes: c.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:]
        )
    }
}
