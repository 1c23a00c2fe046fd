-- 0060 what the analyzer reads: everything the learning core needs, consolidated, so insights never
-- depend on raw events (which retention drops after 30 days) and a round reads narrow rows only.
--
-- * phases.start_count: the core counts a phase's retries as max(retry events, starts - 1).
-- * errors, recovery_attempts: one row per error / recovery_attempted event (the core's error patterns
--   and the recovery statistics), written by the tracker in the batch that stores the raw event.
-- * executions.status 'abandoned' (stale executions, marked by the analyzer; a late completion still
--   wins because the mark leaves status_seq untouched) and the rollup's abandoned column.
-- * domain_changes: an append-only change log written by a statement trigger on executions in the
--   tracker's transaction; the analyzer folds it into analysis_state (dirty domains) and
--   rollup_dirty_days. Append-only, so concurrent trackers never wait on each other for it.

ALTER TABLE hindsight.phases ADD COLUMN start_count integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN hindsight.phases.start_count IS 'Number of phase_started events of the phase (a phase started again after a failure counts each start).';
UPDATE hindsight.phases AS p SET start_count = s.n
FROM (SELECT execution_id, phase, count(*)::int AS n FROM hindsight.events
      WHERE type = 'phase_started' AND phase IS NOT NULL GROUP BY 1, 2) AS s
WHERE p.execution_id = s.execution_id AND p.phase = s.phase;

CREATE TABLE hindsight.errors (
    execution_id uuid        NOT NULL,
    event_id     uuid        NOT NULL,
    seq          integer     NOT NULL,
    ts           timestamptz NOT NULL,
    phase        text,
    error_type   text,
    message      text,
    PRIMARY KEY (execution_id, event_id)
);
COMMENT ON TABLE hindsight.errors IS 'One row per error event, kept as long as its execution (raw events age out sooner). The analyzer''s error patterns come from here.';
COMMENT ON COLUMN hindsight.errors.execution_id IS 'The execution; see executions.execution_id.';
COMMENT ON COLUMN hindsight.errors.event_id IS 'The error event''s event_id.';
COMMENT ON COLUMN hindsight.errors.seq IS 'seq of the error event within its execution.';
COMMENT ON COLUMN hindsight.errors.ts IS 'When the error happened.';
COMMENT ON COLUMN hindsight.errors.phase IS 'Phase the error occurred in, if any.';
COMMENT ON COLUMN hindsight.errors.error_type IS 'Error type reported by the agent (data.error_type), if any.';
COMMENT ON COLUMN hindsight.errors.message IS 'Error message (data.message, else data.error); NULL when the agent sent none.';

CREATE TABLE hindsight.recovery_attempts (
    execution_id uuid        NOT NULL,
    event_id     uuid        NOT NULL,
    seq          integer     NOT NULL,
    ts           timestamptz NOT NULL,
    phase        text,
    failure_type text,
    strategy     text        NOT NULL,
    success      boolean,
    PRIMARY KEY (execution_id, event_id)
);
COMMENT ON TABLE hindsight.recovery_attempts IS 'One row per recovery_attempted event: which strategy an agent tried for which failure type, and whether it worked.';
COMMENT ON COLUMN hindsight.recovery_attempts.execution_id IS 'The execution; see executions.execution_id.';
COMMENT ON COLUMN hindsight.recovery_attempts.event_id IS 'The recovery_attempted event''s event_id.';
COMMENT ON COLUMN hindsight.recovery_attempts.seq IS 'seq of the event within its execution.';
COMMENT ON COLUMN hindsight.recovery_attempts.ts IS 'When the attempt was made.';
COMMENT ON COLUMN hindsight.recovery_attempts.phase IS 'Phase being recovered, if any.';
COMMENT ON COLUMN hindsight.recovery_attempts.failure_type IS 'Failure type being recovered from (data.failure_type), if reported.';
COMMENT ON COLUMN hindsight.recovery_attempts.strategy IS 'Strategy tried: retry, skip, simplify, escalate, abort (or an agent''s own name).';
COMMENT ON COLUMN hindsight.recovery_attempts.success IS 'Whether the attempt recovered the phase (data.success); NULL if not reported.';

INSERT INTO hindsight.errors (execution_id, event_id, seq, ts, phase, error_type, message)
SELECT execution_id, event_id, seq, ts, phase, data ->> 'error_type', COALESCE(data ->> 'message', data ->> 'error')
FROM hindsight.events WHERE type = 'error'
ON CONFLICT DO NOTHING;
INSERT INTO hindsight.recovery_attempts (execution_id, event_id, seq, ts, phase, failure_type, strategy, success)
SELECT execution_id, event_id, seq, ts, phase, data ->> 'failure_type', data ->> 'strategy', (data ->> 'success')::boolean
FROM hindsight.events WHERE type = 'recovery_attempted' AND data ->> 'strategy' IS NOT NULL
ON CONFLICT DO NOTHING;

GRANT SELECT, INSERT ON hindsight.errors, hindsight.recovery_attempts TO hindsight_tracker;
GRANT UPDATE (start_count) ON hindsight.phases TO hindsight_tracker;

-- Abandoned executions ----------------------------------------------------------------------------

ALTER TABLE hindsight.executions DROP CONSTRAINT executions_status_check;
ALTER TABLE hindsight.executions ADD CONSTRAINT executions_status_check
    CHECK (status IN ('running', 'completed', 'failed', 'recovered', 'abandoned'));
ALTER TABLE hindsight.executions ADD COLUMN abandoned_at timestamptz;
COMMENT ON COLUMN hindsight.executions.status IS 'running, completed, failed, recovered or abandoned (no completion long after its domain''s p99 duration; set by the analyzer, replaced by a late completion). Only completed counts as success in statistics (as in the seed).';
COMMENT ON COLUMN hindsight.executions.abandoned_at IS 'When the analyzer marked the execution abandoned; kept after a late completion replaced the status (it was abandoned once).';

ALTER TABLE hindsight.domain_daily_stats ADD COLUMN abandoned bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN hindsight.domain_daily_stats.abandoned IS 'How many of them have status abandoned.';
UPDATE hindsight.domain_daily_stats SET abandoned = 0;

-- The rollup trigger, now with the abandoned column. Deletions made by retention (which sets
-- hindsight.retention = 'on' in its transaction) leave the rollup alone: the rollup outlives the rows.
CREATE OR REPLACE FUNCTION hindsight.domain_daily_stats_apply()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('hindsight.retention', true) = 'on' THEN
            RETURN NULL;
        END IF;
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, abandoned, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered), sum(abandoned),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, -1 AS total,
                   -(status = 'running')::int AS running, -(status = 'completed')::int AS completed,
                   -(status = 'failed')::int AS failed, -(status = 'recovered')::int AS recovered,
                   -(status = 'abandoned')::int AS abandoned,
                   -(duration_s IS NOT NULL)::int AS duration_n, -coalesce(duration_s, 0)::numeric AS duration_sum
            FROM old_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(abandoned) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total, running = s.running + excluded.running,
            completed = s.completed + excluded.completed, failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered, abandoned = s.abandoned + excluded.abandoned,
            duration_n = s.duration_n + excluded.duration_n, duration_sum = s.duration_sum + excluded.duration_sum;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, abandoned, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered), sum(abandoned),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, 1 AS total,
                   (status = 'running')::int AS running, (status = 'completed')::int AS completed,
                   (status = 'failed')::int AS failed, (status = 'recovered')::int AS recovered,
                   (status = 'abandoned')::int AS abandoned,
                   (duration_s IS NOT NULL)::int AS duration_n, coalesce(duration_s, 0)::numeric AS duration_sum
            FROM new_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(abandoned) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total, running = s.running + excluded.running,
            completed = s.completed + excluded.completed, failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered, abandoned = s.abandoned + excluded.abandoned,
            duration_n = s.duration_n + excluded.duration_n, duration_sum = s.duration_sum + excluded.duration_sum;
    ELSE
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, abandoned, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered), sum(abandoned),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, -1 AS total,
                   -(status = 'running')::int AS running, -(status = 'completed')::int AS completed,
                   -(status = 'failed')::int AS failed, -(status = 'recovered')::int AS recovered,
                   -(status = 'abandoned')::int AS abandoned,
                   -(duration_s IS NOT NULL)::int AS duration_n, -coalesce(duration_s, 0)::numeric AS duration_sum
            FROM old_rows WHERE started_at IS NOT NULL
            UNION ALL
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, 1 AS total,
                   (status = 'running')::int AS running, (status = 'completed')::int AS completed,
                   (status = 'failed')::int AS failed, (status = 'recovered')::int AS recovered,
                   (status = 'abandoned')::int AS abandoned,
                   (duration_s IS NOT NULL)::int AS duration_n, coalesce(duration_s, 0)::numeric AS duration_sum
            FROM new_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(abandoned) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total, running = s.running + excluded.running,
            completed = s.completed + excluded.completed, failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered, abandoned = s.abandoned + excluded.abandoned,
            duration_n = s.duration_n + excluded.duration_n, duration_sum = s.duration_sum + excluded.duration_sum;
    END IF;
    RETURN NULL;
END;
$$;

-- Change log ---------------------------------------------------------------------------------------

CREATE TABLE hindsight.domain_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain     text NOT NULL,
    day        date,
    changed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE hindsight.domain_changes IS 'Append-only change log: one row per (domain, UTC start day) touched by each statement writing executions. The analyzer folds it into analysis_state and rollup_dirty_days and deletes what it folded.';
COMMENT ON COLUMN hindsight.domain_changes.domain IS 'Domain of the changed executions.';
COMMENT ON COLUMN hindsight.domain_changes.day IS 'UTC day of their started_at (NULL while the start is unknown).';
COMMENT ON COLUMN hindsight.domain_changes.changed_at IS 'Start of the writing transaction.';

CREATE FUNCTION hindsight.domain_changes_log()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO hindsight.domain_changes (domain, day)
    SELECT DISTINCT domain, (started_at AT TIME ZONE 'UTC')::date FROM new_rows;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION hindsight.domain_changes_log() IS
    'Statement trigger function: logs the (domain, start day) pairs an INSERT or UPDATE on executions touched, for the analyzer.';
REVOKE ALL ON FUNCTION hindsight.domain_changes_log() FROM PUBLIC;

CREATE TRIGGER executions_changes_insert
    AFTER INSERT ON hindsight.executions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hindsight.domain_changes_log();
CREATE TRIGGER executions_changes_update
    AFTER UPDATE ON hindsight.executions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hindsight.domain_changes_log();

CREATE TABLE hindsight.analysis_state (
    domain           text PRIMARY KEY,
    changes          bigint NOT NULL DEFAULT 0,
    analyzed_changes bigint NOT NULL DEFAULT 0,
    analyzed_at      timestamptz,
    analyzed_by      text,
    analysis_ms      double precision,
    rounds           bigint NOT NULL DEFAULT 0
);
COMMENT ON TABLE hindsight.analysis_state IS 'One row per domain: how many changes were logged for it and how many the last analysis covered. changes > analyzed_changes means the domain is due; an analyzer claims it with FOR UPDATE SKIP LOCKED, so replicas split the domains.';
COMMENT ON COLUMN hindsight.analysis_state.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.analysis_state.changes IS 'Change-log rows folded in so far (monotonic).';
COMMENT ON COLUMN hindsight.analysis_state.analyzed_changes IS 'Value of changes the last committed analysis covered.';
COMMENT ON COLUMN hindsight.analysis_state.analyzed_at IS 'When the last analysis committed.';
COMMENT ON COLUMN hindsight.analysis_state.analyzed_by IS 'Instance name of the analyzer that committed it.';
COMMENT ON COLUMN hindsight.analysis_state.analysis_ms IS 'How long that analysis took (read, compute, write), in milliseconds.';
COMMENT ON COLUMN hindsight.analysis_state.rounds IS 'How many analyses of the domain have committed.';
-- Existing history: every domain starts due.
INSERT INTO hindsight.analysis_state (domain, changes)
SELECT domain, 1 FROM hindsight.executions GROUP BY domain;

CREATE TABLE hindsight.rollup_dirty_days (
    domain text NOT NULL,
    day    date NOT NULL,
    PRIMARY KEY (domain, day)
);
COMMENT ON TABLE hindsight.rollup_dirty_days IS 'UTC days whose daily rollups (phase_daily_stats, domain_daily_durations) must be recomputed, per domain; the analyzer of the domain empties it.';
INSERT INTO hindsight.rollup_dirty_days (domain, day)
SELECT DISTINCT domain, (started_at AT TIME ZONE 'UTC')::date FROM hindsight.executions WHERE started_at IS NOT NULL;
