public import Foundation

/// Everything recorded about one execution of an agent: the compact input of all analysis.
///
/// Validated like the seed (an end time cannot precede the start time), and unlike the seed the rule
/// also holds for later completion through ``complete(at:status:result:)``.
public struct ExecutionTrace: Hashable, Codable, Sendable {
    /// The execution's identity.
    public var executionID: UUID
    /// The agent bundle that ran.
    public var agentBundleID: UUID
    /// The domain used to group executions; defaults to the goal's domain.
    public var domain: String?
    /// The goal, when known.
    public var goal: GoalDefinition?
    /// The plan that was executed, when known.
    public var plan: ExecutionPlan?
    /// The events, in recorded order.
    public var events: [ExecutionEvent]
    /// When the execution started.
    public var startTime: Timestamp
    /// When it finished; `nil` while running.
    public private(set) var endTime: Timestamp?
    /// The lifecycle state.
    public var status: ExecutionStatus
    /// The final result text.
    public var finalResult: String?

    /// Creates a validated trace.
    ///
    /// - Throws: ``ModelError/endBeforeStart``.
    public init(
        executionID: UUID,
        agentBundleID: UUID,
        domain: String? = nil,
        goal: GoalDefinition? = nil,
        plan: ExecutionPlan? = nil,
        events: [ExecutionEvent] = [],
        startTime: Timestamp,
        endTime: Timestamp? = nil,
        status: ExecutionStatus = .running,
        finalResult: String? = nil
    ) throws(ModelError) {
        if let endTime, endTime < startTime { throw .endBeforeStart }
        self.executionID = executionID
        self.agentBundleID = agentBundleID
        self.domain = domain ?? goal?.domain
        self.goal = goal
        self.plan = plan
        self.events = events
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.finalResult = finalResult
    }

    /// Seconds from start to end, or `nil` while running.
    public var durationSeconds: Double? { endTime.map { $0.seconds(since: startTime) } }

    /// `true` once the status is completed, failed or recovered.
    public var isComplete: Bool { status.isFinished }

    /// Appends an event.
    public mutating func record(_ event: ExecutionEvent) { events.append(event) }

    /// The events of `phase`, in recorded order (tool calls without a phase are never included).
    public func events(forPhase phase: String) -> [ExecutionEvent] {
        events.filter { $0.phaseName == phase }
    }

    /// Finishes the execution.
    ///
    /// - Throws: ``ModelError/endBeforeStart`` when `end` precedes the start.
    public mutating func complete(at end: Timestamp, status: ExecutionStatus = .completed, result: String?) throws(ModelError) {
        guard end >= startTime else { throw .endBeforeStart }
        endTime = end
        self.status = status
        finalResult = result
    }

    /// Merges events that arrived again or out of order, keeping exactly one copy of each.
    ///
    /// Events are the same when their ``ExecutionEvent/id`` match or, without ids, when they are equal.
    /// The result is sorted by timestamp (stable), so the outcome does not depend on arrival order.
    /// This is the consolidation rule the seed's database lacked (re-storing a trace duplicated its events).
    public mutating func mergeEvents(_ incoming: [ExecutionEvent]) {
        var seenIDs = Set<UUID>()
        var seenAnonymous = Set<ExecutionEvent>()
        var merged: [ExecutionEvent] = []
        merged.reserveCapacity(events.count + incoming.count)
        for event in events + incoming {
            let isNew = if let id = event.id { seenIDs.insert(id).inserted } else { seenAnonymous.insert(event).inserted }
            if isNew { merged.append(event) }
        }
        events = merged.enumerated()
            .sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
    }

    private enum CodingKeys: String, CodingKey {
        case executionID, agentBundleID, domain, goal, plan, events, startTime, endTime, status, finalResult
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            executionID: c.decode(UUID.self, forKey: .executionID),
            agentBundleID: c.decode(UUID.self, forKey: .agentBundleID),
            domain: c.decodeIfPresent(String.self, forKey: .domain),
            goal: c.decodeIfPresent(GoalDefinition.self, forKey: .goal),
            plan: c.decodeIfPresent(ExecutionPlan.self, forKey: .plan),
            events: c.decodeIfPresent([ExecutionEvent].self, forKey: .events) ?? [],
            startTime: c.decode(Timestamp.self, forKey: .startTime),
            endTime: c.decodeIfPresent(Timestamp.self, forKey: .endTime),
            status: c.decodeIfPresent(ExecutionStatus.self, forKey: .status) ?? .running,
            finalResult: c.decodeIfPresent(String.self, forKey: .finalResult)
        )
    }
}
