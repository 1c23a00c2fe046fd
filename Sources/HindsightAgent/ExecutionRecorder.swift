public import Foundation
public import HindsightCore

/// Records one execution as wire events, with the seed tracker's vocabulary: start and end phases, tool
/// use, errors, recovery attempts, completion.
///
/// Every event gets a fresh `event_id`, the next `seq` and a timestamp from the injected clock, so a
/// simulation can run on virtual time and tests are deterministic. Publishing is separate (see
/// ``EventPublisher``): the recorder only builds events.
public struct ExecutionRecorder: Sendable {
    public let executionID: UUID
    public let domain: String
    private(set) public var events: [WireEvent] = []
    private var nextSeq: Int64 = 0
    private var makeID: @Sendable () -> UUID

    /// - Parameters:
    ///   - executionID: The execution's id. Defaults to a random UUID.
    ///   - domain: The goal domain.
    ///   - makeID: Produces event ids. Defaults to random UUIDs.
    public init(executionID: UUID = UUID(), domain: String, makeID: @escaping @Sendable () -> UUID = { UUID() }) {
        self.executionID = executionID
        self.domain = domain
        self.makeID = makeID
    }

    /// Appends an event and returns it.
    @discardableResult
    public mutating func record(_ type: EventType, phase: String? = nil, at micros: Int64, payload: EventPayload = .init()) -> WireEvent {
        let event = WireEvent(
            eventID: makeID(), executionID: executionID, seq: nextSeq, timestampMicros: micros,
            type: type, domain: domain, phase: phase, payload: payload)
        nextSeq += 1
        events.append(event)
        return event
    }

    public mutating func start(goal: String, plan: [String], agentID: String? = nil, at micros: Int64) {
        record(.executionStarted, at: micros, payload: EventPayload(goal: goal, agentID: agentID, plan: plan))
    }

    public mutating func startPhase(_ phase: String, estimatedSeconds: Double? = nil, at micros: Int64) {
        record(.phaseStarted, phase: phase, at: micros, payload: EventPayload(estimatedDurationSeconds: estimatedSeconds))
    }

    public mutating func endPhase(_ phase: String, success: Bool = true, error: String? = nil, at micros: Int64) {
        record(.phaseCompleted, phase: phase, at: micros, payload: EventPayload(success: success, error: error))
    }

    public mutating func toolUsed(_ tool: String, durationMs: Double, phase: String? = nil, at micros: Int64) {
        record(.toolUsed, phase: phase, at: micros, payload: EventPayload(tool: tool, durationMs: durationMs))
    }

    public mutating func error(type: String, message: String, phase: String? = nil, fatal: Bool = false, at micros: Int64) {
        record(.error, phase: phase, at: micros, payload: EventPayload(errorType: type, message: message, fatal: fatal))
    }

    public mutating func recoveryAttempted(strategy: String, failureType: String?, success: Bool, phase: String?, at micros: Int64) {
        record(.recoveryAttempted, phase: phase, at: micros,
               payload: EventPayload(success: success, strategy: strategy, failureType: failureType))
    }

    public mutating func complete(status: String, result: String? = nil, at micros: Int64) {
        record(.executionCompleted, at: micros, payload: EventPayload(status: status, result: result))
    }
}
