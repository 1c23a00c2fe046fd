-- 0003 indexes for the query surface (docs/sql-schema.md shows each with EXPLAIN) and the
-- domain_daily_stats rollup that keeps domain statistics fast at millions of executions.

-- executions by domain, newest first; domain statistics over a window (index-only for status/duration).
CREATE INDEX executions_domain_started_idx
    ON hindsight.executions (domain, started_at DESC NULLS LAST) INCLUDE (status, duration_s);
-- recent executions by time range (any status).
CREATE INDEX executions_started_idx
    ON hindsight.executions (started_at DESC);
-- executions by status (newest first), and recent executions with a status.
CREATE INDEX executions_status_started_idx
    ON hindsight.executions (status, started_at DESC NULLS LAST);

CREATE TABLE hindsight.domain_daily_stats (
    domain      text   NOT NULL,
    day         date   NOT NULL,
    total       bigint NOT NULL DEFAULT 0,
    running     bigint NOT NULL DEFAULT 0,
    completed   bigint NOT NULL DEFAULT 0,
    failed      bigint NOT NULL DEFAULT 0,
    recovered   bigint NOT NULL DEFAULT 0,
    duration_n  bigint NOT NULL DEFAULT 0,
    duration_sum numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (domain, day)
);

COMMENT ON TABLE hindsight.domain_daily_stats IS 'Rollup of executions per domain and UTC day of started_at, kept exact by statement triggers on executions (executions without started_at are not counted). Sum the days of a window instead of scanning executions.';
COMMENT ON COLUMN hindsight.domain_daily_stats.domain IS 'executions.domain.';
COMMENT ON COLUMN hindsight.domain_daily_stats.day IS 'UTC day of executions.started_at.';
COMMENT ON COLUMN hindsight.domain_daily_stats.total IS 'Number of executions started that day.';
COMMENT ON COLUMN hindsight.domain_daily_stats.running IS 'How many of them have status running.';
COMMENT ON COLUMN hindsight.domain_daily_stats.completed IS 'How many of them have status completed (the only status counted as success).';
COMMENT ON COLUMN hindsight.domain_daily_stats.failed IS 'How many of them have status failed.';
COMMENT ON COLUMN hindsight.domain_daily_stats.recovered IS 'How many of them have status recovered.';
COMMENT ON COLUMN hindsight.domain_daily_stats.duration_n IS 'How many of them have a duration (duration_s not NULL).';
COMMENT ON COLUMN hindsight.domain_daily_stats.duration_sum IS 'Sum of their duration_s in seconds (average = duration_sum / duration_n).';

-- One function for the three statement-level triggers below. Each trigger passes its rows as
-- transition tables; the function turns old rows into negative and new rows into positive
-- contributions, sums them per (domain, day), drops the all-zero groups (an UPDATE that touched
-- neither status, started_at, ended_at nor domain changes nothing and takes no lock), and applies
-- the deltas with INSERT … ON CONFLICT DO UPDATE SET n = n + delta in (domain, day) order, so
-- concurrent trackers add exactly and always lock rollup rows in the same order.
-- SECURITY DEFINER: writers of executions need no privilege on the rollup table.
CREATE FUNCTION hindsight.domain_daily_stats_apply()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- Each branch names only the transition tables its trigger defines (plpgsql plans lazily).
    IF TG_OP = 'INSERT' THEN
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, 1 AS total,
                   (status = 'running')::int AS running, (status = 'completed')::int AS completed,
                   (status = 'failed')::int AS failed, (status = 'recovered')::int AS recovered,
                   (duration_s IS NOT NULL)::int AS duration_n, coalesce(duration_s, 0)::numeric AS duration_sum
            FROM new_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total,
            running = s.running + excluded.running,
            completed = s.completed + excluded.completed,
            failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered,
            duration_n = s.duration_n + excluded.duration_n,
            duration_sum = s.duration_sum + excluded.duration_sum;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, -1 AS total,
                   -(status = 'running')::int AS running, -(status = 'completed')::int AS completed,
                   -(status = 'failed')::int AS failed, -(status = 'recovered')::int AS recovered,
                   -(duration_s IS NOT NULL)::int AS duration_n, -coalesce(duration_s, 0)::numeric AS duration_sum
            FROM old_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total,
            running = s.running + excluded.running,
            completed = s.completed + excluded.completed,
            failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered,
            duration_n = s.duration_n + excluded.duration_n,
            duration_sum = s.duration_sum + excluded.duration_sum;
    ELSE
        INSERT INTO hindsight.domain_daily_stats AS s
            (domain, day, total, running, completed, failed, recovered, duration_n, duration_sum)
        SELECT domain, day, sum(total), sum(running), sum(completed), sum(failed), sum(recovered),
               sum(duration_n), sum(duration_sum)
        FROM (
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, -1 AS total,
                   -(status = 'running')::int AS running, -(status = 'completed')::int AS completed,
                   -(status = 'failed')::int AS failed, -(status = 'recovered')::int AS recovered,
                   -(duration_s IS NOT NULL)::int AS duration_n, -coalesce(duration_s, 0)::numeric AS duration_sum
            FROM old_rows WHERE started_at IS NOT NULL
            UNION ALL
            SELECT domain, (started_at AT TIME ZONE 'UTC')::date AS day, 1 AS total,
                   (status = 'running')::int AS running, (status = 'completed')::int AS completed,
                   (status = 'failed')::int AS failed, (status = 'recovered')::int AS recovered,
                   (duration_s IS NOT NULL)::int AS duration_n, coalesce(duration_s, 0)::numeric AS duration_sum
            FROM new_rows WHERE started_at IS NOT NULL
        ) AS delta
        GROUP BY domain, day
        HAVING sum(total) <> 0 OR sum(running) <> 0 OR sum(completed) <> 0 OR sum(failed) <> 0
            OR sum(recovered) <> 0 OR sum(duration_n) <> 0 OR sum(duration_sum) <> 0
        ORDER BY domain, day
        ON CONFLICT (domain, day) DO UPDATE SET
            total = s.total + excluded.total,
            running = s.running + excluded.running,
            completed = s.completed + excluded.completed,
            failed = s.failed + excluded.failed,
            recovered = s.recovered + excluded.recovered,
            duration_n = s.duration_n + excluded.duration_n,
            duration_sum = s.duration_sum + excluded.duration_sum;
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION hindsight.domain_daily_stats_apply() IS
    'Statement trigger function keeping hindsight.domain_daily_stats exact under INSERT, UPDATE (including INSERT ... ON CONFLICT DO UPDATE) and DELETE on hindsight.executions.';
REVOKE ALL ON FUNCTION hindsight.domain_daily_stats_apply() FROM PUBLIC;

CREATE TRIGGER executions_rollup_insert
    AFTER INSERT ON hindsight.executions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hindsight.domain_daily_stats_apply();
CREATE TRIGGER executions_rollup_update
    AFTER UPDATE ON hindsight.executions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hindsight.domain_daily_stats_apply();
CREATE TRIGGER executions_rollup_delete
    AFTER DELETE ON hindsight.executions
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hindsight.domain_daily_stats_apply();
