import Foundation

/// What a set of *newly stored* events adds to the consolidated rows of their executions.
///
/// The tracker inserts raw events with `ON CONFLICT DO NOTHING` and builds a delta from the events that
/// were really new, so a redelivered event contributes nothing. Every field merges with an operation that
/// is commutative and associative (sums, minimum/maximum, "lowest sequence number wins"), which is what
/// makes the consolidated rows independent of arrival order. ``ConsolidatedState`` applies the same rules
/// in memory; the SQL upserts of `ConsolidationWriter` apply them in PostgreSQL.
public struct ConsolidationDelta: Sendable, Equatable {
    /// Per-execution changes, sorted by execution id (the stable lock order of the upserts).
    public var executions: [ExecutionDelta]
    /// Per-phase changes, sorted by (execution id, phase).
    public var phases: [PhaseDelta]
    /// Per-tool changes, sorted by (execution id, tool).
    public var tools: [ToolDelta]
    /// One row per `error` event, sorted by (execution id, event id): the primary-key order, so
    /// concurrent inserts wait on the unique index in a stable order.
    public var errors: [ErrorEventRow]
    /// One row per `recovery_attempted` event with a strategy, sorted like ``errors``.
    public var recoveries: [RecoveryAttemptRow]

    /// Builds the delta of `events`; events must already be unique by `event_id`.
    public init(events: some Sequence<WireEvent>) {
        var executions: [UUID: ExecutionDelta] = [:]
        var phases: [PhaseKey: PhaseDelta] = [:]
        var tools: [ToolKey: ToolDelta] = [:]
        var errors: [ErrorEventRow] = []
        var recoveries: [RecoveryAttemptRow] = []
        for event in events {
            executions[event.executionID, default: ExecutionDelta(executionID: event.executionID)].add(event)
            if let phase = event.phase, PhaseDelta.concerns(event.type) {
                let key = PhaseKey(executionID: event.executionID, phase: phase)
                phases[key, default: PhaseDelta(executionID: event.executionID, phase: phase)].add(event)
            }
            if event.type == .toolUsed, let tool = event.payload.tool {
                let key = ToolKey(executionID: event.executionID, tool: tool)
                tools[key, default: ToolDelta(executionID: event.executionID, tool: tool)]
                    .add(durationMs: event.payload.durationMs ?? 0)
            }
            if event.type == .error {
                errors.append(ErrorEventRow(event: event))
            } else if event.type == .recoveryAttempted, let row = RecoveryAttemptRow(event: event) {
                recoveries.append(row)
            }
        }
        // UUID byte order (PostgreSQL's), compared without building strings.
        self.executions = executions.values.sorted { $0.executionID.precedes($1.executionID) }
        self.phases = phases.values.sorted {
            $0.executionID == $1.executionID ? $0.phase < $1.phase : $0.executionID.precedes($1.executionID)
        }
        self.tools = tools.values.sorted {
            $0.executionID == $1.executionID ? $0.tool < $1.tool : $0.executionID.precedes($1.executionID)
        }
        self.errors = errors.sorted {
            $0.executionID == $1.executionID ? $0.eventID.precedes($1.eventID) : $0.executionID.precedes($1.executionID)
        }
        self.recoveries = recoveries.sorted {
            $0.executionID == $1.executionID ? $0.eventID.precedes($1.eventID) : $0.executionID.precedes($1.executionID)
        }
    }

    /// True when the delta changes nothing.
    public var isEmpty: Bool { executions.isEmpty }

    private struct PhaseKey: Hashable { var executionID: UUID; var phase: String }
    private struct ToolKey: Hashable { var executionID: UUID; var tool: String }
}

/// A value chosen by sequence number: "lowest wins" for execution and phase starts (the seed used the
/// first ones), "highest wins" for the execution's final status and for phase completions (the latest
/// completion of a retried phase is its outcome).
///
/// Minimum and maximum are commutative and idempotent, so the choice is the same in any arrival order.
/// Two different events with the same `seq` in one execution are a client error; between them the value
/// already stored is kept.
public struct SeqChoice<Value: Sendable & Equatable>: Sendable, Equatable {
    public var seq: Int64
    public var value: Value

    public init(seq: Int64, value: Value) {
        self.seq = seq
        self.value = value
    }

    static func lowest(_ current: Self?, _ new: Self?) -> Self? {
        guard let current else { return new }
        guard let new else { return current }
        return new.seq < current.seq ? new : current
    }

    static func highest(_ current: Self?, _ new: Self?) -> Self? {
        guard let current else { return new }
        guard let new else { return current }
        return new.seq > current.seq ? new : current
    }
}
