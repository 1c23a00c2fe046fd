public import Foundation

/// What the analyzer reads about one execution: its `executions` row with its `phases`, `tool_usage`
/// and `errors` rows — consolidated values only, so insights never depend on raw events (which
/// retention drops long before the consolidated rows).
///
/// ``ExecutionTrace/init(consolidated:)`` turns it into a trace that the learning core analyses exactly
/// as it analyses the trace rebuilt from the raw events (``ExecutionTrace/fromWireEvents(_:)``).
///
/// (Named `ConsolidatedTrace` because ``ConsolidatedExecution`` and ``ConsolidatedPhase`` already name
/// single rows of ``ConsolidatedState``.)
public struct ConsolidatedTrace: Sendable, Equatable {
    /// One `phases` row, reduced to what the analysis uses.
    public struct Phase: Sendable, Equatable {
        /// The phase name.
        public var name: String
        /// Time of the lowest-seq `phase_started` event; `nil` if the phase never started.
        public var startedAtMicros: Int64?
        /// `seq` of that event: orders phases that started in the same microsecond as the agent did.
        public var startSeq: Int64?
        /// How many `phase_started` events the phase had (`phases.start_count`).
        public var startCount: Int
        /// The estimate of the lowest-seq `phase_started` event, in seconds.
        public var estimatedSeconds: Double?
        /// Time of the highest-seq `phase_completed` event; `nil` while unfinished.
        public var endedAtMicros: Int64?
        /// Whether that completion succeeded (`nil`: not reported, counted as success as on the wire).
        public var success: Bool?
        /// `retry` events of the phase.
        public var retryCount: Int

        /// Creates a phase row.
        public init(
            name: String, startedAtMicros: Int64? = nil, startSeq: Int64? = nil, startCount: Int = 0,
            estimatedSeconds: Double? = nil, endedAtMicros: Int64? = nil, success: Bool? = nil, retryCount: Int = 0
        ) {
            self.name = name
            self.startedAtMicros = startedAtMicros
            self.startSeq = startSeq
            self.startCount = startCount
            self.estimatedSeconds = estimatedSeconds
            self.endedAtMicros = endedAtMicros
            self.success = success
            self.retryCount = retryCount
        }
    }

    /// One `tool_usage` row: how often a tool was called.
    public struct ToolCount: Sendable, Equatable {
        /// The tool.
        public var name: String
        /// Its `tool_used` events.
        public var calls: Int

        /// Creates a tool count.
        public init(name: String, calls: Int) {
            self.name = name
            self.calls = calls
        }
    }

    /// One `errors` row.
    public struct ErrorRecord: Sendable, Equatable {
        /// `seq` of the error event: errors are analysed in this order.
        public var seq: Int64
        /// When it happened.
        public var timestampMicros: Int64
        /// The phase it occurred in, if any.
        public var phase: String?
        /// `data.message`, else `data.error`; `nil` when the agent sent neither.
        public var message: String?

        /// Creates an error row.
        public init(seq: Int64, timestampMicros: Int64, phase: String? = nil, message: String? = nil) {
            self.seq = seq
            self.timestampMicros = timestampMicros
            self.phase = phase
            self.message = message
        }
    }

    /// The execution.
    public var executionID: UUID
    /// Its domain.
    public var domain: String
    /// The goal text of `execution_started`, if read.
    public var goal: String?
    /// The planned phase names of `execution_started`; `nil` without a plan.
    public var plan: [String]?
    /// `executions.status`: `running`, `completed`, `failed`, `recovered` or `abandoned`.
    public var status: String
    /// Time of `execution_started`; `nil` while unknown (such an execution is never analysed).
    public var startedAtMicros: Int64?
    /// Time of the latest `execution_completed`; `nil` while running (and when abandoned).
    public var endedAtMicros: Int64?
    /// The final result text, if read.
    public var finalResult: String?
    /// The execution's phase rows, in any order.
    public var phases: [Phase]
    /// Its tool counts, in any order.
    public var tools: [ToolCount]
    /// Its errors, in any order (the rebuilt trace orders them by `seq`).
    public var errors: [ErrorRecord]

    /// Creates the consolidated view of one execution.
    public init(
        executionID: UUID, domain: String, goal: String? = nil, plan: [String]? = nil, status: String = "running",
        startedAtMicros: Int64? = nil, endedAtMicros: Int64? = nil, finalResult: String? = nil,
        phases: [Phase] = [], tools: [ToolCount] = [], errors: [ErrorRecord] = []
    ) {
        self.executionID = executionID
        self.domain = domain
        self.goal = goal
        self.plan = plan
        self.status = status
        self.startedAtMicros = startedAtMicros
        self.endedAtMicros = endedAtMicros
        self.finalResult = finalResult
        self.phases = phases
        self.tools = tools
        self.errors = errors
    }

    /// The names of the phases that started, in the order they first started (ties: the lower start
    /// `seq`, then the name) — the order the learning core mines the best phase order from.
    public var startOrder: [String] {
        phases.filter { $0.startedAtMicros != nil }.sorted(by: Self.startsBefore).map(\.name)
    }

    static func startsBefore(_ a: Phase, _ b: Phase) -> Bool {
        let ka = (a.startedAtMicros ?? .max, a.startSeq ?? .max), kb = (b.startedAtMicros ?? .max, b.startSeq ?? .max)
        return ka != kb ? ka < kb : a.name < b.name
    }
}

extension ExecutionTrace {
    /// Rebuilds the learning core's view of an execution from its consolidated rows.
    ///
    /// The trace holds synthetic events that carry exactly what the analysis reads: per phase its
    /// starts (`start_count` of them at the first start), its `retry` events, its latest completion
    /// with that completion's success; every tool call; every error (message and phase) in `seq` order.
    /// The plan is rebuilt as ``fromWireEvents(_:)`` rebuilds it (estimates of the first start, one
    /// minute when unknown, written with ``DurationFormatter/exactText(seconds:)`` so they parse back exactly).
    /// Events are grouped by kind, not interleaved in time: no analysis depends on that order.
    ///
    /// The status maps with ``ExecutionStatus/init(consolidatedStatus:)``: `abandoned` counts as failed.
    ///
    /// - Parameter consolidated: The rows of one execution.
    /// - Returns: The trace, or `nil` without a start time (the execution never reported its start).
    public init?(consolidated c: ConsolidatedTrace) {
        guard let startMicros = c.startedAtMicros else { return nil }
        let start = Timestamp(microsecondsSinceEpoch: startMicros)
        var events: [ExecutionEvent] = []
        var estimates: [String: Double] = [:]
        let phases = c.phases.sorted(by: ConsolidatedTrace.startsBefore)
        for phase in phases {
            if let estimate = phase.estimatedSeconds { estimates[phase.name] = estimate }
            let started = phase.startedAtMicros.map(Timestamp.init(microsecondsSinceEpoch:))
            // A phase with a start time started at least once (rows written before start_count existed say 0).
            let starts = started == nil ? 0 : Swift.max(1, phase.startCount)
            if let started {
                for _ in 0..<starts { events.append(.phaseStart(phase.name, at: started)) }
            }
            let ended = phase.endedAtMicros.map(Timestamp.init(microsecondsSinceEpoch:))
            for _ in 0..<Swift.max(0, phase.retryCount) {
                events.append(.retry(phase.name, at: started ?? ended ?? start))
            }
            if let ended { events.append(.phaseEnd(phase.name, at: ended, success: phase.success ?? true)) }
        }
        for tool in c.tools {
            for _ in 0..<Swift.max(0, tool.calls) { events.append(.toolCall(tool.name, at: start)) }
        }
        for error in c.errors.sorted(by: { $0.seq < $1.seq }) {
            var event = ExecutionEvent.error(
                type: "", message: "", at: Timestamp(microsecondsSinceEpoch: error.timestampMicros), phase: error.phase)
            event.errorType = nil
            event.message = error.message
            events.append(event)
        }
        let plan = c.plan.flatMap { names in
            ExecutionPlan.rebuilt(
                executionID: c.executionID, phaseNames: names, estimatedSeconds: { estimates[$0] }, createdAt: start)
        }
        let goal = c.goal.flatMap { try? GoalDefinition(rawPrompt: $0, goal: $0, domain: c.domain) }
        var end = c.endedAtMicros.map(Timestamp.init(microsecondsSinceEpoch:))
        if let e = end, e < start { end = start }
        // The end is never before the start, so this cannot throw.
        guard let trace = try? ExecutionTrace(
            executionID: c.executionID, agentBundleID: c.executionID, domain: c.domain, goal: goal, plan: plan,
            events: events, startTime: start, endTime: end, status: ExecutionStatus(consolidatedStatus: c.status),
            finalResult: c.finalResult)
        else { return nil }
        self = trace
    }
}

extension ExecutionPlan {
    /// The plan of a stored execution: its planned phase names with their estimates.
    ///
    /// Each phase's estimate is written with ``DurationFormatter/exactText(seconds:)`` (so
    /// ``DurationParser`` reads back exactly `phases.estimated_duration_s`); an unknown estimate is the seed's default
    /// of one minute. `nil` when the names do not make a valid plan (none, more than ten, a blank or
    /// repeated name), as for a trace rebuilt from raw events.
    ///
    /// - Parameters:
    ///   - executionID: Used as the plan's goal id.
    ///   - phaseNames: The planned phases, in order.
    ///   - estimatedSeconds: The estimate of a phase, if known.
    ///   - createdAt: When the plan was made (the execution's start).
    public static func rebuilt(
        executionID: UUID, phaseNames: [String], estimatedSeconds: (String) -> Double?, createdAt: Timestamp
    ) -> ExecutionPlan? {
        var phases: [PlanPhase] = []
        phases.reserveCapacity(phaseNames.count)
        for name in phaseNames {
            let seconds = estimatedSeconds(name) ?? MetricsCollector.defaultEstimateSeconds
            guard let phase = try? PlanPhase(
                name: name, description: "", requiredCapabilities: ["general"],
                estimatedDuration: DurationFormatter.exactText(seconds: seconds))
            else { return nil }
            phases.append(phase)
        }
        return try? ExecutionPlan(goalID: executionID, phases: phases, totalEstimatedDuration: "", createdAt: createdAt)
    }
}
