import Foundation

extension ExecutionTrace {
    /// Rebuilds the learning core's view of one execution from its stored wire events.
    ///
    /// The result equals what a live recorder would have built for the same execution:
    /// - `execution_started` and `execution_completed` are the trace's start, plan, goal, end, status and
    ///   result, not events, so event counts (and every decision that counts events) match a trace
    ///   recorded live with ``record(_:)``;
    /// - the other types map onto the seed's vocabulary: `phase_started` → `phase_start`,
    ///   `phase_completed` → `phase_end`, `tool_used` → `tool_call`, `recovery_attempted` →
    ///   `recovery_attempt`; `error` and `retry` keep their names; other types stay custom events;
    /// - events are taken in `seq` order whatever order they come in, each `event_id` once.
    ///
    /// The choices are those of the consolidation in PostgreSQL, so a trace rebuilt from consolidated
    /// rows agrees: start fields from the lowest-seq `execution_started`; status, end and result from the
    /// highest-seq `execution_completed` (a missing status reads `completed`, as the tracker stores it;
    /// see ``ExecutionStatus/init(consolidatedStatus:)``); each planned phase's estimate from its
    /// lowest-seq `phase_started` — the seed's default of one minute when that event carries none or
    /// the phase never started — written with ``DurationFormatter/exactText(seconds:)`` so the plan's
    /// parsed estimate equals `phases.estimated_duration_s` exactly.
    ///
    /// - Parameter events: The events of one execution, in any order.
    /// - Returns: The trace, or `nil` when `events` is empty or the plan cannot be built.
    public static func fromWireEvents(_ events: [WireEvent]) -> ExecutionTrace? {
        let ordered = events.sorted {
            ($0.seq, $0.timestampMicros) != ($1.seq, $1.timestampMicros)
                ? ($0.seq, $0.timestampMicros) < ($1.seq, $1.timestampMicros) : $0.eventID.precedes($1.eventID)
        }
        guard let first = ordered.first else { return nil }
        var seen = Set<UUID>(minimumCapacity: ordered.count)
        var start: WireEvent?
        var completion: WireEvent?
        // The estimate of each phase's lowest-seq phase_started, `nil` inside when that event has none.
        var estimates: [String: Double?] = [:]
        var converted: [ExecutionEvent] = []
        converted.reserveCapacity(ordered.count)
        for event in ordered where seen.insert(event.eventID).inserted {
            switch event.type {
            case .executionStarted:
                if start == nil { start = event }
                continue
            case .executionCompleted:
                completion = event // ascending seq: the last one is the highest
                continue
            case .phaseStarted:
                if let phase = event.phase, estimates.index(forKey: phase) == nil {
                    estimates.updateValue(event.payload.estimatedDurationSeconds, forKey: phase)
                }
            default:
                break
            }
            if let mapped = try? ExecutionEvent(wire: event) { converted.append(mapped) }
        }
        // The same builder as the rebuild from consolidated rows: one rule for both.
        let plan: ExecutionPlan? = start.flatMap { start in
            start.payload.plan.flatMap { names in
                ExecutionPlan.rebuilt(
                    executionID: first.executionID, phaseNames: names, estimatedSeconds: { estimates[$0].flatMap { $0 } },
                    createdAt: Timestamp(microsecondsSinceEpoch: start.timestampMicros))
            }
        }
        let goal = start?.payload.goal.flatMap { text in
            try? GoalDefinition(rawPrompt: text, goal: text, domain: first.domain)
        }
        let startTime = Timestamp(microsecondsSinceEpoch: start?.timestampMicros ?? first.timestampMicros)
        var endTime = completion.map { Timestamp(microsecondsSinceEpoch: $0.timestampMicros) }
        if let end = endTime, end < startTime { endTime = startTime }
        let status = completion.map { ExecutionStatus(consolidatedStatus: $0.payload.status ?? "completed") } ?? .running
        return try? ExecutionTrace(
            executionID: first.executionID, agentBundleID: first.executionID, domain: first.domain, goal: goal,
            plan: plan, events: converted, startTime: startTime, endTime: endTime, status: status,
            finalResult: completion?.payload.result)
    }
}

extension ExecutionStatus {
    /// The trace status for a stored status: `executions.status`, or the `status` of an
    /// `execution_completed` event.
    ///
    /// `completed`, `failed`, `recovered` and `running` map to themselves; `abandoned` (an execution
    /// the analyzer gave up waiting for) and any status the core does not know count as ``failed``:
    /// the execution is over and was not a success, which is how statistics must count it.
    public init(consolidatedStatus status: String) {
        self = switch status {
        case "completed": .completed
        case "recovered": .recovered
        case "running": .running
        default: .failed
        }
    }
}

extension ExecutionEvent {
    /// The seed-vocabulary event for a wire event.
    public init(wire event: WireEvent) throws(ModelError) {
        let kind: EventKind = switch event.type {
        case .phaseStarted: .phaseStart
        case .phaseCompleted: .phaseEnd
        case .toolUsed: .toolCall
        case .error: .error
        case .retry: .retry
        case .recoveryAttempted: .recoveryAttempt
        default: .custom(event.type.rawValue)
        }
        var attributes: [String: String] = [:]
        if let strategy = event.payload.strategy { attributes["strategy"] = strategy }
        if let failureType = event.payload.failureType { attributes["failure_type"] = failureType }
        try self.init(
            id: event.eventID, timestamp: Timestamp(microsecondsSinceEpoch: event.timestampMicros), kind: kind,
            phaseName: event.phase, durationMs: event.payload.durationMs, success: event.payload.success,
            tool: event.payload.tool, errorType: event.payload.errorType,
            message: event.payload.message ?? event.payload.error, fatal: event.payload.fatal ?? false,
            attributes: attributes)
    }
}
