public import Foundation

/// The change a set of new events makes to one `executions` row.
public struct ExecutionDelta: Sendable, Equatable {
    /// What an `execution_started` event says about its execution.
    public struct Start: Sendable, Equatable {
        public var domain: String
        public var agentID: String?
        public var goal: String?
        public var plan: [String]?
        public var startedAtMicros: Int64
        /// `data.ab_test` and `data.variant`: the A/B test and variant the execution runs.
        public var abTest: String?
        public var variant: String?
    }

    /// What an `execution_completed` event says about its execution.
    public struct Completion: Sendable, Equatable {
        public var status: String
        public var result: String?
        public var endedAtMicros: Int64
    }

    public var executionID: UUID
    /// Domain of the lowest-sequence event of the delta; used only when the row does not exist yet.
    public var domain: String = ""
    private var domainSeq: Int64 = .max
    /// The lowest-sequence `execution_started` event.
    public var start: SeqChoice<Start>?
    /// The highest-sequence `execution_completed` event.
    public var completion: SeqChoice<Completion>?
    public var eventCount = 0
    public var errorCount = 0
    public var toolCallCount = 0
    public var recoveryCount = 0
    public var firstEventAtMicros: Int64 = .max
    public var lastEventAtMicros: Int64 = .min

    public init(executionID: UUID) {
        self.executionID = executionID
    }

    mutating func add(_ event: WireEvent) {
        eventCount += 1
        firstEventAtMicros = min(firstEventAtMicros, event.timestampMicros)
        lastEventAtMicros = max(lastEventAtMicros, event.timestampMicros)
        if event.seq < domainSeq {
            domainSeq = event.seq
            domain = event.domain
        }
        switch event.type {
        case .executionStarted:
            let value = Start(
                domain: event.domain, agentID: event.payload.agentID, goal: event.payload.goal,
                plan: event.payload.plan, startedAtMicros: event.timestampMicros, abTest: event.payload.abTest,
                variant: event.payload.variant)
            start = SeqChoice.lowest(start, SeqChoice(seq: event.seq, value: value))
        case .executionCompleted:
            let value = Completion(
                status: event.payload.status ?? "completed", result: event.payload.result,
                endedAtMicros: event.timestampMicros)
            completion = SeqChoice.highest(completion, SeqChoice(seq: event.seq, value: value))
        case .error:
            errorCount += 1
        case .toolUsed:
            toolCallCount += 1
        case .recoveryAttempted:
            recoveryCount += 1
        default:
            break
        }
    }
}

/// The change a set of new events makes to one `phases` row.
public struct PhaseDelta: Sendable, Equatable {
    public struct Start: Sendable, Equatable {
        public var startedAtMicros: Int64
        public var estimatedDurationSeconds: Double?
    }

    public struct End: Sendable, Equatable {
        public var endedAtMicros: Int64
        public var success: Bool
        public var error: String?
    }

    public var executionID: UUID
    public var phase: String
    /// The lowest-sequence `phase_started` event (the seed used the first one).
    public var start: SeqChoice<Start>?
    /// The highest-sequence `phase_completed` event: the latest completion decides a phase's outcome, so
    /// a phase that failed and was retried successfully counts as succeeded (as in the learning core's
    /// analysis).
    public var end: SeqChoice<End>?
    public var retryCount = 0
    /// Number of `phase_started` events: additive like ``retryCount`` (only newly stored events reach a
    /// delta), so the stored sum is exact. The learning core counts a phase's retries as
    /// `max(retry events, starts - 1)`.
    public var startCount = 0
    public var errorCount = 0

    public init(executionID: UUID, phase: String) {
        self.executionID = executionID
        self.phase = phase
    }

    static func concerns(_ type: EventType) -> Bool {
        type == .phaseStarted || type == .phaseCompleted || type == .retry || type == .error
    }

    mutating func add(_ event: WireEvent) {
        switch event.type {
        case .phaseStarted:
            let value = Start(
                startedAtMicros: event.timestampMicros,
                estimatedDurationSeconds: event.payload.estimatedDurationSeconds)
            start = SeqChoice.lowest(start, SeqChoice(seq: event.seq, value: value))
            startCount += 1
        case .phaseCompleted:
            let value = End(
                endedAtMicros: event.timestampMicros, success: event.payload.success ?? true,
                error: event.payload.error)
            end = SeqChoice.highest(end, SeqChoice(seq: event.seq, value: value))
        case .retry:
            retryCount += 1
        case .error:
            errorCount += 1
        default:
            break
        }
    }
}

/// The change a set of new events makes to one `tool_usage` row.
public struct ToolDelta: Sendable, Equatable {
    public var executionID: UUID
    public var tool: String
    public var calls = 0
    public var totalMs = 0.0

    public init(executionID: UUID, tool: String) {
        self.executionID = executionID
        self.tool = tool
    }

    mutating func add(durationMs: Double) {
        calls += 1
        totalMs += durationMs
    }
}
