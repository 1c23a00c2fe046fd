package import Logging
package import PostgresNIO

/// Many executions written straight into the consolidated tables, as the tracker would have stored them,
/// for the analyzer's benchmark and replica tests (the tracker would take minutes for 100,000).
///
/// Set-based `INSERT … SELECT` from `generate_series`, run by the schema owner in one transaction; the
/// pseudo-random choices come from `hashint8` of the execution number and the seed, so a shape always
/// gives the same rows (except the ids' times, relative to `now()`). The rows follow the tracker's rules:
/// seq numbers in event order (`execution_started` = 0, then per phase `phase_started`, its `tool_used`
/// events, an `error` and a `recovery_attempted` event — plus `retry` and a second `phase_started` when
/// the strategy is retry — and `phase_completed`, then `execution_completed`), start fields from the
/// first start, outcome from the latest completion, `start_count` = starts, counters equal to the
/// events behind them, one `errors` / `recovery_attempts` row per event. The statement trigger on
/// executions logs every (domain, day) in `domain_changes`, so every domain is due for analysis.
///
/// Per execution: six phases (`analysis` … `reporting`) with durations around a per-domain mean (10 %
/// of runs 2.5× slower) and estimates (one phase per domain underestimated by 40 %), one or two tool
/// calls per phase; 7 % fail in a phase after a failed recovery attempt (the later phases never run),
/// 10 % recover from an error (a third of them end `recovered`), the rest complete cleanly.
package enum ConsolidatedWorkload {
    /// How much to generate.
    package struct Shape: Sendable {
        /// Executions in total (numbered 1…executions, start times increasing with the number).
        package var executions: Int
        /// Domains `domain-00` … (execution i goes to domain i mod domains).
        package var domains: Int
        /// Start times spread over the last `days` days.
        package var days: Double
        /// Changes every pseudo-random choice and every id.
        package var seed: Int

        package init(executions: Int, domains: Int, days: Double = 29, seed: Int = 1) {
            self.executions = executions
            self.domains = domains
            self.days = days
            self.seed = seed
        }
    }

    /// Rows written per table.
    package struct Counts: Sendable, Equatable, Codable {
        package var executions = 0
        package var phases = 0
        package var tools = 0
        package var errors = 0
        package var recoveries = 0

        package init() {}
    }

    /// The name of domain `index` (`domain-07`).
    package static func domain(_ index: Int) -> String {
        index < 10 ? "domain-0\(index)" : "domain-\(index)"
    }

    /// Writes the workload; `client` must connect as the schema owner (it bypasses the tracker's grants).
    /// Call ``analyze(client:logger:)`` afterwards for planner statistics, as autovacuum would have.
    @discardableResult
    package static func load(_ shape: Shape, client: PostgresClient, logger: Logger) async throws -> Counts {
        guard shape.executions >= 1, shape.domains >= 1, shape.domains <= 100, shape.days > 0 else {
            throw HarnessError("ConsolidatedWorkload: executions ≥ 1, domains 1…100, days > 0")
        }
        let (count, domains, days, seed) = (shape.executions, shape.domains, shape.days, shape.seed)
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query(createTemporaryTables, logger: logger)
            try await connection.query("""
                INSERT INTO load_x
                SELECT i, d, 'domain-' || lpad(d::text, 2, '0'), \(seed)::bigint,
                       md5(\(seed)::bigint || ':x:' || i)::uuid, started_at, kind,
                       CASE WHEN kind = 'clean' THEN NULL ELSE floor(u2 * 6)::int END,
                       CASE WHEN kind = 'failed' THEN 'failed' WHEN kind = 'recovered' AND u3 < 0.3 THEN 'recovered'
                            ELSE 'completed' END,
                       CASE WHEN kind = 'recovered' THEN (CASE WHEN u4 < 0.6 THEN 'retry' ELSE 'simplify' END)
                            WHEN kind = 'failed' THEN (ARRAY['skip', 'escalate', 'retry', 'simplify'])[1 + floor(u4 * 4)::int] END,
                       10 + floor(u5 * 990)::int
                FROM (
                    SELECT i, (i % \(domains))::int AS d,
                           now() - make_interval(secs => (\(count) - i + u[1]) / \(count)::float8 * \(days) * 86400) AS started_at,
                           CASE WHEN u[2] < 0.07 THEN 'failed' WHEN u[2] < 0.17 THEN 'recovered' ELSE 'clean' END AS kind,
                           u[3] AS u2, u[4] AS u3, u[5] AS u4, u[6] AS u5
                    FROM generate_series(1, \(count)::bigint) AS i,
                    LATERAL (SELECT array_agg((hashint8(i * 64 + k + \(seed)::bigint * 1000003) & 2147483647)::float8
                                              / 2147483648.0 ORDER BY k) AS u
                             FROM generate_series(0, 5) AS k) AS r
                ) AS x
                """, logger: logger)
            try await connection.query(fillPhases, logger: logger)
            var counts = Counts()
            counts.executions = try await affected(connection, insertExecutions, logger)
            counts.phases = try await affected(connection, insertPhases, logger)
            counts.tools = try await affected(connection, insertTools, logger)
            counts.errors = try await affected(connection, insertErrors, logger)
            counts.recoveries = try await affected(connection, insertRecoveries, logger)
            return counts
        }
    }

    /// `VACUUM (ANALYZE)` of the tables the workload wrote (outside any transaction).
    package static func analyze(client: PostgresClient, logger: Logger) async throws {
        for table in ["executions", "phases", "tool_usage", "errors", "recovery_attempts", "domain_changes"] {
            // Fixed names from the list above, hence the reviewed unsafe path.
            try await client.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) hindsight.\(table)"), logger: logger)
        }
    }

    /// Updates `executions` executions of `domain` (their `updated_at`), as a late event would: the change
    /// log marks the domain due again. Returns how many rows changed. Connects as the owner.
    @discardableResult
    package static func touch(domain: String, executions: Int, client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query("""
            WITH picked AS (SELECT execution_id FROM hindsight.executions WHERE domain = \(domain)
                            ORDER BY started_at DESC LIMIT \(executions))
            UPDATE hindsight.executions x SET updated_at = now() FROM picked
            WHERE x.execution_id = picked.execution_id
            RETURNING 1
            """, logger: logger)
        var n = 0
        for try await _ in rows { n += 1 }
        return n
    }

    private static func affected(_ connection: PostgresConnection, _ sql: String, _ logger: Logger) async throws -> Int {
        // The statements are constants of this file, hence the reviewed unsafe path.
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "WITH written AS (\(sql) RETURNING 1) SELECT count(*) FROM written"), logger: logger)
        for try await row in rows { return try row.decode(Int.self) }
        return 0
    }

    private static let createTemporaryTables: PostgresQuery = """
        CREATE TEMP TABLE load_x (
            i bigint, d int, domain text, seed bigint, execution_id uuid, started_at timestamptz, kind text,
            error_phase int, status text, strategy text, number int
        ) ON COMMIT DROP
        """

    // One row per phase run, with its start offset and seq numbers from running sums over the earlier
    // phases of the execution.
    private static let fillPhases: PostgresQuery = """
        CREATE TEMP TABLE load_p ON COMMIT DROP AS
        SELECT p.*,
               1 + sum(n) OVER w - n AS start_seq,
               x_start + make_interval(secs => sum(duration + recovery_s) OVER w - (duration + recovery_s) + (k + 1) * 0.001)
                   AS started_at
        FROM (
            SELECT x.i, x.seed, x.execution_id, x.domain, x.d, x.started_at AS x_start, b.k,
                   (ARRAY['analysis', 'extraction', 'transformation', 'validation', 'loading', 'reporting'])[b.k + 1] AS phase,
                   b.base * (0.8 + 0.04 * x.d) * (0.6 + 0.8 * r.ud) * (CASE WHEN r.uslow < 0.1 THEN 2.5 ELSE 1 END) AS duration,
                   b.base * (0.8 + 0.04 * x.d) * (CASE WHEN b.k = x.d % 6 THEN 0.6 ELSE 1 END) AS estimate,
                   1 + (r.ut < 0.5)::int AS tools,
                   (ARRAY['sql', 'python', 'llm', 'http'])[1 + (b.k + x.i) % 4] AS tool,
                   r.ums,
                   coalesce(b.k = x.error_phase, false) AS has_error,
                   coalesce(b.k = x.error_phase AND x.strategy = 'retry', false) AS retried,
                   CASE WHEN b.k = x.error_phase THEN 2 ELSE 0 END AS recovery_s,
                   2 + (r.ut < 0.5)::int
                     + CASE WHEN b.k = x.error_phase THEN 2 + CASE WHEN x.strategy = 'retry' THEN 2 ELSE 0 END ELSE 0 END AS n,
                   NOT coalesce(x.kind = 'failed' AND b.k = x.error_phase, false) AS success,
                   x.kind, x.strategy, x.number
            FROM load_x x
            JOIN (VALUES (0, 20.0::float8), (1, 60), (2, 140), (3, 30), (4, 45), (5, 25)) AS b(k, base)
              ON b.k <= CASE WHEN x.kind = 'failed' THEN x.error_phase ELSE 5 END
            CROSS JOIN LATERAL (
                SELECT (hashint8(x.i * 64 + 16 + b.k + x.seed * 1000003) & 2147483647)::float8 / 2147483648.0 AS ud,
                       (hashint8(x.i * 64 + 24 + b.k + x.seed * 1000003) & 2147483647)::float8 / 2147483648.0 AS uslow,
                       (hashint8(x.i * 64 + 32 + b.k + x.seed * 1000003) & 2147483647)::float8 / 2147483648.0 AS ut,
                       (hashint8(x.i * 64 + 40 + b.k + x.seed * 1000003) & 2147483647)::float8 / 2147483648.0 AS ums) AS r
        ) AS p
        WINDOW w AS (PARTITION BY p.i ORDER BY p.k)
        """

    // Executions in start order (the heap order real ingestion gives).
    private static let insertExecutions = """
        INSERT INTO hindsight.executions (execution_id, domain, agent_id, goal, plan, status, status_seq, meta_seq,
            started_at, ended_at, final_result, event_count, error_count, tool_call_count, recovery_count,
            first_event_at, last_event_at)
        SELECT x.execution_id, x.domain, 'agent-' || (x.i % 50), 'goal ' || (x.i % 5) || ' of ' || x.domain,
               ARRAY['analysis', 'extraction', 'transformation', 'validation', 'loading', 'reporting'],
               x.status, a.events + 1, 0, x.started_at, a.ended_at,
               CASE WHEN x.status = 'failed' THEN 'aborted' ELSE 'done' END,
               a.events + 2, (x.kind <> 'clean')::int, a.tools, (x.kind <> 'clean')::int, x.started_at, a.ended_at
        FROM load_x x
        JOIN (SELECT i, sum(n)::int AS events, sum(tools)::int AS tools,
                     max(started_at + make_interval(secs => duration + recovery_s)) + interval '1 millisecond' AS ended_at
              FROM load_p GROUP BY i) AS a USING (i)
        ORDER BY x.i
        """

    private static let insertPhases = """
        INSERT INTO hindsight.phases (execution_id, phase, started_at, start_seq, ended_at, end_seq, success, error,
            estimated_duration_s, retry_count, error_count, start_count)
        SELECT execution_id, phase, started_at, start_seq, started_at + make_interval(secs => duration + recovery_s),
               start_seq + n - 1, success,
               CASE WHEN NOT success THEN format((ARRAY['Query timed out after %s seconds',
                   'File not found: /data/in/batch-%s.csv', 'Connection refused by 10.0.%s.7:443'])[1 + (d + k) % 3], number) END,
               estimate, retried::int, has_error::int, 1 + retried::int
        FROM load_p
        ORDER BY i, k
        """

    private static let insertTools = """
        INSERT INTO hindsight.tool_usage (execution_id, tool, calls, total_ms)
        SELECT execution_id, tool, sum(tools), sum(tools * round(duration * 250 * (0.5 + ums)))
        FROM load_p
        GROUP BY i, execution_id, tool
        ORDER BY i, tool
        """

    private static let insertErrors = """
        INSERT INTO hindsight.errors (execution_id, event_id, seq, ts, phase, error_type, message)
        SELECT execution_id, md5(seed || ':e:' || i)::uuid, start_seq + tools + 1,
               started_at + make_interval(secs => duration / 2), phase,
               (ARRAY['TimeoutError', 'FileNotFoundError', 'ConnectionError'])[1 + (d + k) % 3],
               format((ARRAY['Query timed out after %s seconds', 'File not found: /data/in/batch-%s.csv',
                             'Connection refused by 10.0.%s.7:443'])[1 + (d + k) % 3], number)
        FROM load_p
        WHERE has_error
        ORDER BY i
        """

    private static let insertRecoveries = """
        INSERT INTO hindsight.recovery_attempts (execution_id, event_id, seq, ts, phase, failure_type, strategy, success)
        SELECT execution_id, md5(seed || ':r:' || i)::uuid, start_seq + tools + 2,
               started_at + make_interval(secs => duration / 2 + 2), phase,
               (ARRAY['TimeoutError', 'FileNotFoundError', 'ConnectionError'])[1 + (d + k) % 3],
               strategy, kind <> 'failed'
        FROM load_p
        WHERE has_error
        ORDER BY i
        """
}
