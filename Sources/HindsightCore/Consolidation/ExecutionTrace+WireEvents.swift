import Foundation

extension ExecutionTrace {
    /// Rebuilds the learning core's view of one execution from its stored wire events.
    ///
    /// The wire vocabulary maps onto the seed's: `phase_started` → `phase_start`, `phase_completed` →
    /// `phase_end`, `tool_used` → `tool_call`, `recovery_attempted` → `recovery_attempt`; `error` and
    /// `retry` keep their names; other types stay custom. The plan comes from the `execution_started`
    /// event's phase list with the estimates of the `phase_started` events (unknown estimates become
    /// the seed's default of one minute), the status and end from the highest-seq
    /// `execution_completed` event — the same choices as the consolidation in PostgreSQL.
    ///
    /// - Parameter events: The events of one execution, in any order, without duplicates.
    /// - Returns: The trace, or `nil` when `events` is empty or the plan cannot be built.
    public static func fromWireEvents(_ events: [WireEvent]) -> ExecutionTrace? {
        let ordered = events.sorted { ($0.seq, $0.timestampMicros) < ($1.seq, $1.timestampMicros) }
        guard let first = ordered.first else { return nil }
        let start = ordered.first { $0.type == .executionStarted }
        let completion = ordered.last { $0.type == .executionCompleted }
        var estimates: [String: Double] = [:]
        var converted: [ExecutionEvent] = []
        converted.reserveCapacity(ordered.count)
        for event in ordered {
            if event.type == .phaseStarted, let phase = event.phase, estimates[phase] == nil {
                estimates[phase] = event.payload.estimatedDurationSeconds
            }
            if let mapped = try? ExecutionEvent(wire: event) { converted.append(mapped) }
        }
        let plan: ExecutionPlan? = start?.payload.plan.flatMap { names in
            let phases = names.compactMap { name in
                try? PlanPhase(
                    name: name, description: "", requiredCapabilities: ["general"],
                    estimatedDuration: "\(Int(estimates[name] ?? 60)) seconds")
            }
            guard phases.count == names.count else { return nil }
            return try? ExecutionPlan(
                goalID: first.executionID, phases: phases, totalEstimatedDuration: "",
                createdAt: Timestamp(microsecondsSinceEpoch: start?.timestampMicros ?? first.timestampMicros))
        }
        let goal = start?.payload.goal.flatMap { text in
            try? GoalDefinition(rawPrompt: text, goal: text, domain: first.domain)
        }
        let startTime = Timestamp(microsecondsSinceEpoch: start?.timestampMicros ?? first.timestampMicros)
        var endTime = completion.map { Timestamp(microsecondsSinceEpoch: $0.timestampMicros) }
        if let end = endTime, end < startTime { endTime = startTime }
        let status: ExecutionStatus = switch completion?.payload.status {
        case "completed": .completed
        case "failed": .failed
        case "recovered": .recovered
        default: .running
        }
        return try? ExecutionTrace(
            executionID: first.executionID, agentBundleID: first.executionID, domain: first.domain, goal: goal,
            plan: plan, events: converted, startTime: startTime, endTime: endTime, status: status,
            finalResult: completion?.payload.result)
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
