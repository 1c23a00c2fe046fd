package import Foundation
package import HindsightCore
import HindsightStore
package import Logging
package import PostgresNIO

/// Reads the consolidated rows of some executions back into a ``ConsolidatedState`` so a test (or the
/// fault run of `hindsight-bench chaos`) can compare them with the state the core computes from the
/// same events.
package enum ConsolidatedRowsReader {
    package static func read(_ executions: [UUID], from client: PostgresClient, logger: Logger) async throws -> ConsolidatedState {
        var state = ConsolidatedState()
        let micros = { (column: String) in "(EXTRACT(EPOCH FROM \(column)) * 1000000)::int8" }
        let executionRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT execution_id, domain, agent_id, goal, plan, meta_seq, status, status_seq, \(micros("started_at")),
                   \(micros("ended_at")), final_result, event_count, error_count, tool_call_count, recovery_count,
                   \(micros("first_event_at")), \(micros("last_event_at")), ab_test, variant
            FROM hindsight.executions WHERE execution_id = ANY($1)
            """, binds: binds(executions)), logger: logger)
        for try await row in executionRows {
            let c = row.makeRandomAccess()
            let id = try c[0].decode(UUID.self)
            var execution = ConsolidatedExecution(
                executionID: id, domain: try c[1].decode(String.self),
                firstEventAtMicros: try c[15].decode(Int64.self), lastEventAtMicros: try c[16].decode(Int64.self))
            execution.agentID = try c[2].decode(String?.self)
            execution.goal = try c[3].decode(String?.self)
            execution.plan = try c[4].decode([String]?.self)
            execution.metaSeq = try c[5].decode(Int32?.self).map(Int64.init)
            execution.status = try c[6].decode(String.self)
            execution.statusSeq = try c[7].decode(Int32?.self).map(Int64.init)
            execution.startedAtMicros = try c[8].decode(Int64?.self)
            execution.endedAtMicros = try c[9].decode(Int64?.self)
            execution.finalResult = try c[10].decode(String?.self)
            execution.eventCount = Int(try c[11].decode(Int32.self))
            execution.errorCount = Int(try c[12].decode(Int32.self))
            execution.toolCallCount = Int(try c[13].decode(Int32.self))
            execution.recoveryCount = Int(try c[14].decode(Int32.self))
            execution.abTest = try c[17].decode(String?.self)
            execution.variant = try c[18].decode(String?.self)
            state.executions[id] = execution
        }
        let phaseRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT execution_id, phase, \(micros("started_at")), start_seq, \(micros("ended_at")), end_seq, success,
                   error, estimated_duration_s, retry_count, error_count, start_count
            FROM hindsight.phases WHERE execution_id = ANY($1)
            """, binds: binds(executions)), logger: logger)
        for try await row in phaseRows {
            let c = row.makeRandomAccess()
            let id = try c[0].decode(UUID.self)
            let phase = try c[1].decode(String.self)
            var row = ConsolidatedPhase(executionID: id, phase: phase)
            row.startedAtMicros = try c[2].decode(Int64?.self)
            row.startSeq = try c[3].decode(Int32?.self).map(Int64.init)
            row.endedAtMicros = try c[4].decode(Int64?.self)
            row.endSeq = try c[5].decode(Int32?.self).map(Int64.init)
            row.success = try c[6].decode(Bool?.self)
            row.error = try c[7].decode(String?.self)
            row.estimatedDurationSeconds = try c[8].decode(Double?.self)
            row.retryCount = Int(try c[9].decode(Int32.self))
            row.errorCount = Int(try c[10].decode(Int32.self))
            row.startCount = Int(try c[11].decode(Int32.self))
            state.phases[ConsolidatedState.phaseKey(id, phase)] = row
        }
        let toolRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT execution_id, tool, calls, total_ms FROM hindsight.tool_usage WHERE execution_id = ANY($1)
            """, binds: binds(executions)), logger: logger)
        for try await (id, tool, calls, total) in toolRows.decode((UUID, String, Int32, Double).self) {
            state.tools[ConsolidatedState.phaseKey(id, tool)] = ConsolidatedTool(
                executionID: id, tool: tool, calls: Int(calls), totalMs: total)
        }
        let errorRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT execution_id, event_id, seq, \(micros("ts")), phase, error_type, message
            FROM hindsight.errors WHERE execution_id = ANY($1)
            """, binds: binds(executions)), logger: logger)
        for try await (id, event, seq, ts, phase, type, message)
            in errorRows.decode((UUID, UUID, Int32, Int64, String?, String?, String?).self) {
            state.errors[ConsolidatedState.eventKey(id, event)] = ErrorEventRow(
                executionID: id, eventID: event, seq: Int64(seq), timestampMicros: ts, phase: phase, errorType: type,
                message: message)
        }
        let recoveryRows = try await client.query(PostgresQuery(unsafeSQL: """
            SELECT execution_id, event_id, seq, \(micros("ts")), phase, failure_type, strategy, success
            FROM hindsight.recovery_attempts WHERE execution_id = ANY($1)
            """, binds: binds(executions)), logger: logger)
        for try await (id, event, seq, ts, phase, failure, strategy, success)
            in recoveryRows.decode((UUID, UUID, Int32, Int64, String?, String?, String, Bool?).self) {
            state.recoveries[ConsolidatedState.eventKey(id, event)] = RecoveryAttemptRow(
                executionID: id, eventID: event, seq: Int64(seq), timestampMicros: ts, phase: phase,
                failureType: failure, strategy: strategy, success: success)
        }
        return state
    }

    private static func binds(_ executions: [UUID]) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(executions)
        return bindings
    }
}
