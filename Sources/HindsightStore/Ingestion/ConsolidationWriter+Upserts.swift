import HindsightCore
import Logging
import PostgresNIO

import struct Foundation.UUID

// The merge rules here are those of `ConsolidatedState` in HindsightCore: sums for counters, LEAST/GREATEST
// for first/last timestamps, "lowest seq wins" for start fields, "highest seq wins" for the final status
// and for a phase's completion (the latest phase_completed decides success, as in the learning core).
// Timestamps travel as microseconds since the epoch (exact integers) and become timestamptz in SQL.
extension ConsolidationWriter {
    static func upsertExecutions(
        _ rows: [ExecutionDelta], on connection: PostgresConnection, logger: Logger
    ) async throws {
        let ids = PackedArray(rows.map(\.executionID))
        let domains = PackedArray(rows.map { ($0.start?.value.domain ?? $0.domain).pgSafe })
        // The rollup rows first, in one ordered pass (migration 0051 explains the deadlock it prevents).
        try await connection.query(
            "SELECT hindsight.lock_rollup_rows(\(ids), \(domains), \(NullableArray(rows.map { $0.start?.value.startedAtMicros })))",
            logger: logger)
        let agents = NullableArray(rows.map { $0.start?.value.agentID?.pgSafe })
        let goals = NullableArray(rows.map { $0.start?.value.goal?.pgSafe })
        let plans = NullableArray(rows.map { $0.start?.value.plan.map(WireFormat.encodeStringArray) })
        let metaSeqs = NullableArray(rows.map { $0.start.map { Int32($0.seq) } })
        let abTests = NullableArray(rows.map { $0.start?.value.abTest?.pgSafe })
        let variants = NullableArray(rows.map { $0.start?.value.variant?.pgSafe })
        let startedAt = NullableArray(rows.map { $0.start?.value.startedAtMicros })
        let statuses = NullableArray(rows.map { $0.completion?.value.status.pgSafe })
        let statusSeqs = NullableArray(rows.map { $0.completion.map { Int32($0.seq) } })
        let endedAt = NullableArray(rows.map { $0.completion?.value.endedAtMicros })
        let results = NullableArray(rows.map { $0.completion?.value.result?.pgSafe })
        let counts = PackedArray(rows.map { Int32($0.eventCount) })
        let errors = PackedArray(rows.map { Int32($0.errorCount) })
        let tools = PackedArray(rows.map { Int32($0.toolCallCount) })
        let recoveries = PackedArray(rows.map { Int32($0.recoveryCount) })
        let first = PackedArray(rows.map(\.firstEventAtMicros))
        let last = PackedArray(rows.map(\.lastEventAtMicros))
        try await connection.query(
            """
            INSERT INTO hindsight.executions AS x (execution_id, domain, agent_id, goal, plan, meta_seq, started_at,
                status, status_seq, ended_at, final_result, event_count, error_count, tool_call_count,
                recovery_count, first_event_at, last_event_at, ab_test, variant)
            SELECT d.id, d.domain, d.agent, d.goal,
                   CASE WHEN d.plan IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(d.plan::jsonb)) END,
                   d.meta_seq, TIMESTAMPTZ 'epoch' + d.started_us * INTERVAL '1 microsecond',
                   COALESCE(d.status, 'running'), d.status_seq, TIMESTAMPTZ 'epoch' + d.ended_us * INTERVAL '1 microsecond',
                   d.result, d.n, d.errors, d.tools, d.recoveries,
                   TIMESTAMPTZ 'epoch' + d.first_us * INTERVAL '1 microsecond',
                   TIMESTAMPTZ 'epoch' + d.last_us * INTERVAL '1 microsecond', d.ab_test, d.variant
            FROM UNNEST(\(ids), \(domains), \(agents), \(goals), \(plans), \(metaSeqs), \(startedAt), \(statuses),
                        \(statusSeqs), \(endedAt), \(results), \(counts), \(errors), \(tools), \(recoveries),
                        \(first), \(last), \(abTests), \(variants))
                 AS d(id, domain, agent, goal, plan, meta_seq, started_us, status, status_seq, ended_us, result,
                      n, errors, tools, recoveries, first_us, last_us, ab_test, variant)
            ON CONFLICT (execution_id) DO UPDATE SET
                domain = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                              THEN EXCLUDED.domain ELSE x.domain END,
                agent_id = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                                THEN EXCLUDED.agent_id ELSE x.agent_id END,
                goal = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                            THEN EXCLUDED.goal ELSE x.goal END,
                plan = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                            THEN EXCLUDED.plan ELSE x.plan END,
                started_at = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                                  THEN EXCLUDED.started_at ELSE x.started_at END,
                ab_test = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                               THEN EXCLUDED.ab_test ELSE x.ab_test END,
                variant = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                               THEN EXCLUDED.variant ELSE x.variant END,
                meta_seq = CASE WHEN EXCLUDED.meta_seq < x.meta_seq OR (x.meta_seq IS NULL AND EXCLUDED.meta_seq IS NOT NULL)
                                THEN EXCLUDED.meta_seq ELSE x.meta_seq END,
                status = CASE WHEN EXCLUDED.status_seq > x.status_seq OR (x.status_seq IS NULL AND EXCLUDED.status_seq IS NOT NULL)
                              THEN EXCLUDED.status ELSE x.status END,
                ended_at = CASE WHEN EXCLUDED.status_seq > x.status_seq OR (x.status_seq IS NULL AND EXCLUDED.status_seq IS NOT NULL)
                                THEN EXCLUDED.ended_at ELSE x.ended_at END,
                final_result = CASE WHEN EXCLUDED.status_seq > x.status_seq OR (x.status_seq IS NULL AND EXCLUDED.status_seq IS NOT NULL)
                                    THEN EXCLUDED.final_result ELSE x.final_result END,
                status_seq = CASE WHEN EXCLUDED.status_seq > x.status_seq OR (x.status_seq IS NULL AND EXCLUDED.status_seq IS NOT NULL)
                                  THEN EXCLUDED.status_seq ELSE x.status_seq END,
                event_count = x.event_count + EXCLUDED.event_count,
                error_count = x.error_count + EXCLUDED.error_count,
                tool_call_count = x.tool_call_count + EXCLUDED.tool_call_count,
                recovery_count = x.recovery_count + EXCLUDED.recovery_count,
                first_event_at = LEAST(x.first_event_at, EXCLUDED.first_event_at),
                last_event_at = GREATEST(x.last_event_at, EXCLUDED.last_event_at),
                updated_at = now()
            """,
            logger: logger)
    }

    static func upsertPhases(
        _ rows: [PhaseDelta], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        let ids = PackedArray(rows.map(\.executionID))
        let names = PackedArray(rows.map(\.phase.pgSafe))
        let startedAt = NullableArray(rows.map { $0.start?.value.startedAtMicros })
        let startSeqs = NullableArray(rows.map { $0.start.map { Int32($0.seq) } })
        let estimates = NullableArray(rows.map { $0.start?.value.estimatedDurationSeconds })
        let endedAt = NullableArray(rows.map { $0.end?.value.endedAtMicros })
        let endSeqs = NullableArray(rows.map { $0.end.map { Int32($0.seq) } })
        let successes = NullableArray(rows.map { $0.end?.value.success })
        let errorTexts = NullableArray(rows.map { $0.end?.value.error?.pgSafe })
        let retries = PackedArray(rows.map { Int32($0.retryCount) })
        let starts = PackedArray(rows.map { Int32($0.startCount) })
        let errors = PackedArray(rows.map { Int32($0.errorCount) })
        try await connection.query(
            """
            INSERT INTO hindsight.phases AS p (execution_id, phase, started_at, start_seq, estimated_duration_s,
                ended_at, end_seq, success, error, retry_count, start_count, error_count)
            SELECT d.id, d.phase, TIMESTAMPTZ 'epoch' + d.started_us * INTERVAL '1 microsecond', d.start_seq,
                   d.estimate, TIMESTAMPTZ 'epoch' + d.ended_us * INTERVAL '1 microsecond', d.end_seq, d.success,
                   d.error, d.retries, d.starts, d.errors
            FROM UNNEST(\(ids), \(names), \(startedAt), \(startSeqs), \(estimates), \(endedAt), \(endSeqs),
                        \(successes), \(errorTexts), \(retries), \(starts), \(errors))
                 AS d(id, phase, started_us, start_seq, estimate, ended_us, end_seq, success, error, retries, starts,
                      errors)
            ON CONFLICT (execution_id, phase) DO UPDATE SET
                started_at = CASE WHEN EXCLUDED.start_seq < p.start_seq OR (p.start_seq IS NULL AND EXCLUDED.start_seq IS NOT NULL)
                                  THEN EXCLUDED.started_at ELSE p.started_at END,
                estimated_duration_s = CASE WHEN EXCLUDED.start_seq < p.start_seq OR (p.start_seq IS NULL AND EXCLUDED.start_seq IS NOT NULL)
                                            THEN EXCLUDED.estimated_duration_s ELSE p.estimated_duration_s END,
                start_seq = CASE WHEN EXCLUDED.start_seq < p.start_seq OR (p.start_seq IS NULL AND EXCLUDED.start_seq IS NOT NULL)
                                 THEN EXCLUDED.start_seq ELSE p.start_seq END,
                ended_at = CASE WHEN EXCLUDED.end_seq > p.end_seq OR (p.end_seq IS NULL AND EXCLUDED.end_seq IS NOT NULL)
                                THEN EXCLUDED.ended_at ELSE p.ended_at END,
                success = CASE WHEN EXCLUDED.end_seq > p.end_seq OR (p.end_seq IS NULL AND EXCLUDED.end_seq IS NOT NULL)
                               THEN EXCLUDED.success ELSE p.success END,
                error = CASE WHEN EXCLUDED.end_seq > p.end_seq OR (p.end_seq IS NULL AND EXCLUDED.end_seq IS NOT NULL)
                             THEN EXCLUDED.error ELSE p.error END,
                end_seq = CASE WHEN EXCLUDED.end_seq > p.end_seq OR (p.end_seq IS NULL AND EXCLUDED.end_seq IS NOT NULL)
                               THEN EXCLUDED.end_seq ELSE p.end_seq END,
                retry_count = p.retry_count + EXCLUDED.retry_count,
                start_count = p.start_count + EXCLUDED.start_count,
                error_count = p.error_count + EXCLUDED.error_count
            """,
            logger: logger)
    }

    static func upsertTools(
        _ rows: [ToolDelta], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO hindsight.tool_usage AS t (execution_id, tool, calls, total_ms)
            SELECT * FROM UNNEST(\(PackedArray(rows.map(\.executionID))), \(PackedArray(rows.map(\.tool.pgSafe))),
                                 \(PackedArray(rows.map { Int32($0.calls) })), \(PackedArray(rows.map(\.totalMs))))
            ON CONFLICT (execution_id, tool) DO UPDATE SET
                calls = t.calls + EXCLUDED.calls,
                total_ms = t.total_ms + EXCLUDED.total_ms
            """,
            logger: logger)
    }

    /// One `errors` row per new `error` event: a single statement for the batch, in primary-key order.
    /// `ON CONFLICT DO NOTHING` only guards a replay: the delta holds newly stored events only.
    static func insertErrors(
        _ rows: [ErrorEventRow], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO hindsight.errors (execution_id, event_id, seq, ts, phase, error_type, message)
            SELECT d.id, d.event_id, d.seq, TIMESTAMPTZ 'epoch' + d.ts_us * INTERVAL '1 microsecond', d.phase,
                   d.error_type, d.message
            FROM UNNEST(\(PackedArray(rows.map(\.executionID))), \(PackedArray(rows.map(\.eventID))),
                        \(PackedArray(rows.map { Int32($0.seq) })), \(PackedArray(rows.map(\.timestampMicros))),
                        \(NullableArray(rows.map { $0.phase?.pgSafe })), \(NullableArray(rows.map { $0.errorType?.pgSafe })),
                        \(NullableArray(rows.map { $0.message?.pgSafe })))
                 AS d(id, event_id, seq, ts_us, phase, error_type, message)
            ON CONFLICT DO NOTHING
            """,
            logger: logger)
    }

    /// One `recovery_attempts` row per new `recovery_attempted` event with a strategy, as ``insertErrors``.
    static func insertRecoveries(
        _ rows: [RecoveryAttemptRow], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO hindsight.recovery_attempts (execution_id, event_id, seq, ts, phase, failure_type, strategy, success)
            SELECT d.id, d.event_id, d.seq, TIMESTAMPTZ 'epoch' + d.ts_us * INTERVAL '1 microsecond', d.phase,
                   d.failure_type, d.strategy, d.success
            FROM UNNEST(\(PackedArray(rows.map(\.executionID))), \(PackedArray(rows.map(\.eventID))),
                        \(PackedArray(rows.map { Int32($0.seq) })), \(PackedArray(rows.map(\.timestampMicros))),
                        \(NullableArray(rows.map { $0.phase?.pgSafe })), \(NullableArray(rows.map { $0.failureType?.pgSafe })),
                        \(PackedArray(rows.map(\.strategy.pgSafe))), \(NullableArray(rows.map(\.success))))
                 AS d(id, event_id, seq, ts_us, phase, failure_type, strategy, success)
            ON CONFLICT DO NOTHING
            """,
            logger: logger)
    }
}
