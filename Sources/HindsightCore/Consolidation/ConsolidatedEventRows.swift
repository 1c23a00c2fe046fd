public import Foundation

/// One `hindsight.errors` row: an `error` event kept as long as its execution, so error patterns
/// outlive the raw events (which retention drops sooner).
///
/// Rows are inserted once per event (`ON CONFLICT DO NOTHING`) and never updated.
public struct ErrorEventRow: Sendable, Equatable, Codable {
    public var executionID: UUID
    public var eventID: UUID
    public var seq: Int64
    public var timestampMicros: Int64
    public var phase: String?
    /// `data.error_type`.
    public var errorType: String?
    /// `data.message`, else `data.error` (the learning core reads the message the same way).
    public var message: String?

    /// The row of an `error` event.
    public init(event: WireEvent) {
        self.init(
            executionID: event.executionID, eventID: event.eventID, seq: event.seq,
            timestampMicros: event.timestampMicros, phase: event.phase, errorType: event.payload.errorType,
            message: event.payload.message ?? event.payload.error)
    }

    /// A row with every column given (used when reading rows back).
    public init(
        executionID: UUID, eventID: UUID, seq: Int64, timestampMicros: Int64, phase: String?, errorType: String?,
        message: String?
    ) {
        self.executionID = executionID
        self.eventID = eventID
        self.seq = seq
        self.timestampMicros = timestampMicros
        self.phase = phase
        self.errorType = errorType
        self.message = message
    }
}

/// One `hindsight.recovery_attempts` row: a `recovery_attempted` event that names its strategy.
///
/// Rows are inserted once per event (`ON CONFLICT DO NOTHING`) and never updated.
public struct RecoveryAttemptRow: Sendable, Equatable, Codable {
    public var executionID: UUID
    public var eventID: UUID
    public var seq: Int64
    public var timestampMicros: Int64
    public var phase: String?
    /// `data.failure_type`.
    public var failureType: String?
    /// `data.strategy` (required on the wire; events without one get no row).
    public var strategy: String
    /// `data.success`; `nil` when the agent did not say.
    public var success: Bool?

    /// The row of a `recovery_attempted` event, or `nil` when it names no strategy.
    public init?(event: WireEvent) {
        guard let strategy = event.payload.strategy else { return nil }
        self.init(
            executionID: event.executionID, eventID: event.eventID, seq: event.seq,
            timestampMicros: event.timestampMicros, phase: event.phase, failureType: event.payload.failureType,
            strategy: strategy, success: event.payload.success)
    }

    /// A row with every column given (used when reading rows back).
    public init(
        executionID: UUID, eventID: UUID, seq: Int64, timestampMicros: Int64, phase: String?, failureType: String?,
        strategy: String, success: Bool?
    ) {
        self.executionID = executionID
        self.eventID = eventID
        self.seq = seq
        self.timestampMicros = timestampMicros
        self.phase = phase
        self.failureType = failureType
        self.strategy = strategy
        self.success = success
    }
}
