public import Foundation
public import HindsightCore

/// Records one execution as wire events, with the seed tracker's vocabulary: start and end phases, tool
/// use, errors, recovery attempts, completion.
///
/// Every event gets a fresh `event_id`, the next `seq` and the timestamp the caller passes (so a
/// simulation can run on virtual time and tests are deterministic). Publishing is separate (see
/// ``EventPublisher``): the recorder only builds events; the publisher validates them.
///
/// ```swift
/// var recorder = ExecutionRecorder(domain: "data-processing")
/// let now = { WireFormat.currentMicros() }
/// recorder.start(goal: "Clean the sales data", plan: ["extraction", "loading"], agentID: "agent-7", at: now())
/// recorder.startPhase("extraction", estimatedSeconds: 60, at: now())
/// recorder.toolUsed("sql", durationMs: 412, phase: "extraction", at: now())
/// recorder.endPhase("extraction", at: now())
/// recorder.startPhase("loading", at: now())
/// recorder.error(type: "TimeoutError", message: "Query timed out", phase: "loading", at: now())
/// recorder.recoveryAttempted(strategy: "retry", failureType: "TimeoutError", success: true, phase: "loading", at: now())
/// recorder.endPhase("loading", at: now())
/// recorder.complete(status: "recovered", at: now())
/// try await publisher.publish(recorder.events)
/// ```
public struct ExecutionRecorder: Sendable {
    /// The execution's id (`execution_id` of every event).
    public let executionID: UUID
    /// The goal domain (`domain` of every event).
    public let domain: String
    /// The events recorded so far, in order.
    private(set) public var events: [WireEvent] = []
    private var nextSeq: Int64 = 0
    private var makeID: @Sendable () -> UUID

    /// Creates a recorder for one execution, with no events yet.
    ///
    /// - Parameters:
    ///   - executionID: The execution's id. Defaults to a random UUID.
    ///   - domain: The goal domain.
    ///   - makeID: Produces event ids. Defaults to random UUIDs.
    public init(executionID: UUID = UUID(), domain: String, makeID: @escaping @Sendable () -> UUID = { UUID() }) {
        self.executionID = executionID
        self.domain = domain
        self.makeID = makeID
    }

    /// Appends an event of any type and returns it.
    ///
    /// ```swift
    /// recorder.record(.init(rawValue: "checkpoint.saved"), phase: "loading", at: WireFormat.currentMicros())
    /// ```
    ///
    /// - Parameters:
    ///   - type: The event type.
    ///   - phase: The phase it belongs to, if any. Defaults to `nil`.
    ///   - micros: When it happened, in microseconds since the Unix epoch.
    ///   - payload: The `data` members. Defaults to empty.
    /// - Returns: The event, with the next `seq` and a new `event_id`.
    @discardableResult
    public mutating func record(_ type: EventType, phase: String? = nil, at micros: Int64, payload: EventPayload = .init()) -> WireEvent {
        let event = WireEvent(
            eventID: makeID(), executionID: executionID, seq: nextSeq, timestampMicros: micros,
            type: type, domain: domain, phase: phase, payload: payload)
        nextSeq += 1
        events.append(event)
        return event
    }

    /// Records `execution_started`.
    ///
    /// - Parameters:
    ///   - goal: What the agent set out to do (at most 4096 UTF-8 bytes).
    ///   - plan: The planned phases, in order (at most 64).
    ///   - agentID: The agent's id. Defaults to `nil`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func start(goal: String, plan: [String], agentID: String? = nil, at micros: Int64) {
        record(.executionStarted, at: micros, payload: EventPayload(goal: goal, agentID: agentID, plan: plan))
    }

    /// Records `phase_started`.
    ///
    /// - Parameters:
    ///   - phase: The phase.
    ///   - estimatedSeconds: The planned duration. Defaults to `nil`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func startPhase(_ phase: String, estimatedSeconds: Double? = nil, at micros: Int64) {
        record(.phaseStarted, phase: phase, at: micros, payload: EventPayload(estimatedDurationSeconds: estimatedSeconds))
    }

    /// Records `phase_completed`.
    ///
    /// - Parameters:
    ///   - phase: The phase.
    ///   - success: Whether it succeeded. Defaults to `true`.
    ///   - error: Why it failed. Defaults to `nil`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func endPhase(_ phase: String, success: Bool = true, error: String? = nil, at micros: Int64) {
        record(.phaseCompleted, phase: phase, at: micros, payload: EventPayload(success: success, error: error))
    }

    /// Records `tool_used`.
    ///
    /// - Parameters:
    ///   - tool: The tool's name.
    ///   - durationMs: How long the call took, in milliseconds (finite, ≥ 0).
    ///   - phase: The phase it ran in. Defaults to `nil`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func toolUsed(_ tool: String, durationMs: Double, phase: String? = nil, at micros: Int64) {
        record(.toolUsed, phase: phase, at: micros, payload: EventPayload(tool: tool, durationMs: durationMs))
    }

    /// Records `error`.
    ///
    /// - Parameters:
    ///   - type: The error's type, e.g. `"TimeoutError"`.
    ///   - message: The error's message (at most 4096 UTF-8 bytes).
    ///   - phase: The phase it happened in. Defaults to `nil`.
    ///   - fatal: Whether it ended the execution. Defaults to `false`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func error(type: String, message: String, phase: String? = nil, fatal: Bool = false, at micros: Int64) {
        record(.error, phase: phase, at: micros, payload: EventPayload(errorType: type, message: message, fatal: fatal))
    }

    /// Records `recovery_attempted`.
    ///
    /// - Parameters:
    ///   - strategy: One of `abort`, `escalate`, `retry`, `simplify`, `skip`.
    ///   - failureType: The failure it answered, if known.
    ///   - success: Whether the recovery worked.
    ///   - phase: The phase it happened in.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func recoveryAttempted(strategy: String, failureType: String?, success: Bool, phase: String?, at micros: Int64) {
        record(.recoveryAttempted, phase: phase, at: micros,
               payload: EventPayload(success: success, strategy: strategy, failureType: failureType))
    }

    /// Records `execution_completed`.
    ///
    /// - Parameters:
    ///   - status: One of `completed`, `failed`, `recovered`.
    ///   - result: The outcome, in words. Defaults to `nil`.
    ///   - micros: When, in microseconds since the Unix epoch.
    public mutating func complete(status: String, result: String? = nil, at micros: Int64) {
        record(.executionCompleted, at: micros, payload: EventPayload(status: status, result: result))
    }
}
