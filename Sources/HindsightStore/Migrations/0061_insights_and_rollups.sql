-- 0061 the analyzer's output: insight tables (replaced per domain in one transaction, so readers never
-- see half a domain), daily rollups with mergeable duration histograms (kept when retention deletes
-- the rows they summarize), batched retention of consolidated rows, and the grants.

-- Duration histograms ------------------------------------------------------------------------------
-- Fixed log-spaced buckets, so histograms of different days, phases or domains merge by adding them
-- element-wise and a percentile over any range comes from the merged counts (an average of daily p95s
-- is not a p95). 128 buckets: bucket 1 holds durations under 1 ms; bucket k (2..127) holds
-- [0.001 * 1.2^(k-2), 0.001 * 1.2^(k-1)) seconds; bucket 128 holds everything from ~111 days on.
-- A percentile read back is its bucket's geometric midpoint: within ±9.6 % of the exact value.

CREATE FUNCTION hindsight.duration_bucket(seconds double precision)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN CASE
    WHEN seconds < 0.001 THEN 1
    ELSE least(128, 2 + floor(ln(seconds / 0.001) / ln(1.2))::integer)
END;
COMMENT ON FUNCTION hindsight.duration_bucket(double precision) IS
    'Histogram bucket (1..128) of a duration in seconds: 1 = under 1 ms, k = [0.001*1.2^(k-2), 0.001*1.2^(k-1)) s, 128 = overflow.';

CREATE FUNCTION hindsight.histogram_count(state integer[], seconds double precision)
RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    b integer;
BEGIN
    IF state IS NULL THEN
        state := array_fill(0, ARRAY[128]);
    END IF;
    IF seconds IS NOT NULL THEN
        b := hindsight.duration_bucket(seconds);
        state[b] := state[b] + 1;
    END IF;
    RETURN state;
END;
$$;

CREATE AGGREGATE hindsight.duration_histogram(double precision) (
    SFUNC = hindsight.histogram_count,
    STYPE = integer[]
);
COMMENT ON AGGREGATE hindsight.duration_histogram(double precision) IS
    'Builds a 128-bucket duration histogram (see duration_bucket) from durations in seconds; NULL durations are skipped.';

CREATE FUNCTION hindsight.histogram_add(a integer[], b integer[])
RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN a IS NULL THEN b
    WHEN b IS NULL THEN a
    ELSE ARRAY(SELECT x + y FROM unnest(a, b) AS t(x, y))
END;

CREATE AGGREGATE hindsight.histogram_merge(integer[]) (
    SFUNC = hindsight.histogram_add,
    STYPE = integer[]
);
COMMENT ON AGGREGATE hindsight.histogram_merge(integer[]) IS
    'Merges duration histograms by adding their buckets; feed the result to histogram_percentile.';

CREATE FUNCTION hindsight.histogram_percentile(h integer[], fraction double precision)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    total bigint := 0;
    seen bigint := 0;
    target double precision;
    k integer;
BEGIN
    IF h IS NULL OR fraction IS NULL OR fraction < 0 OR fraction > 1 THEN
        RETURN NULL;
    END IF;
    SELECT coalesce(sum(x), 0) INTO total FROM unnest(h) AS x;
    IF total = 0 THEN
        RETURN NULL;
    END IF;
    target := greatest(1, ceil(fraction * total));
    FOR k IN 1 .. array_length(h, 1) LOOP
        seen := seen + h[k];
        IF seen >= target THEN
            RETURN CASE WHEN k = 1 THEN 0.0005 ELSE 0.001 * power(1.2, k - 1.5) END;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION hindsight.histogram_percentile(integer[], double precision) IS
    'Percentile (fraction 0..1, e.g. 0.95) of a duration histogram, in seconds: the geometric midpoint of the bucket holding the nearest-rank value (within ±9.6 %).';

-- Daily rollups (kept indefinitely) ---------------------------------------------------------------

CREATE TABLE hindsight.phase_daily_stats (
    domain             text      NOT NULL,
    day                date      NOT NULL,
    phase              text      NOT NULL,
    runs               bigint    NOT NULL,
    successes          bigint    NOT NULL,
    errors             bigint    NOT NULL,
    retries            bigint    NOT NULL,
    duration_sum       double precision NOT NULL,
    duration_histogram integer[] NOT NULL,
    PRIMARY KEY (domain, day, phase)
);
COMMENT ON TABLE hindsight.phase_daily_stats IS 'Per domain, UTC start day of the execution and phase: finished phase runs, successes, errors, retries, total duration and a duration histogram. Recomputed by the analyzer for changed days, never deleted by retention: trends outlive raw data. Percentiles over a range: histogram_percentile(histogram_merge(duration_histogram), 0.95).';
COMMENT ON COLUMN hindsight.phase_daily_stats.domain IS 'executions.domain.';
COMMENT ON COLUMN hindsight.phase_daily_stats.day IS 'UTC day of the execution''s started_at.';
COMMENT ON COLUMN hindsight.phase_daily_stats.phase IS 'Phase name.';
COMMENT ON COLUMN hindsight.phase_daily_stats.runs IS 'Phase rows with a start and an end (finished runs).';
COMMENT ON COLUMN hindsight.phase_daily_stats.successes IS 'How many of them succeeded (latest completion).';
COMMENT ON COLUMN hindsight.phase_daily_stats.errors IS 'Error events in these phases.';
COMMENT ON COLUMN hindsight.phase_daily_stats.retries IS 'Retries: per phase row max(retry events, starts - 1), summed.';
COMMENT ON COLUMN hindsight.phase_daily_stats.duration_sum IS 'Sum of the finished runs'' durations in seconds (mean = duration_sum / runs).';
COMMENT ON COLUMN hindsight.phase_daily_stats.duration_histogram IS '128-bucket duration histogram (see duration_bucket); merge with histogram_merge.';

CREATE TABLE hindsight.domain_daily_durations (
    domain             text      NOT NULL,
    day                date      NOT NULL,
    executions         bigint    NOT NULL,
    duration_histogram integer[] NOT NULL,
    PRIMARY KEY (domain, day)
);
COMMENT ON TABLE hindsight.domain_daily_durations IS 'Per domain and UTC start day: a histogram of finished executions'' durations (counts are in domain_daily_stats). Kept indefinitely.';
COMMENT ON COLUMN hindsight.domain_daily_durations.domain IS 'executions.domain.';
COMMENT ON COLUMN hindsight.domain_daily_durations.day IS 'UTC day of started_at.';
COMMENT ON COLUMN hindsight.domain_daily_durations.executions IS 'Executions of the day with a duration.';
COMMENT ON COLUMN hindsight.domain_daily_durations.duration_histogram IS '128-bucket histogram of their duration_s (see duration_bucket).';

CREATE FUNCTION hindsight.refresh_daily_rollups(the_domain text, days date[], oldest_day date)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    wanted date[];
    n integer;
BEGIN
    -- Days older than oldest_day may already be partly deleted by retention: never recompute them.
    SELECT coalesce(array_agg(d), '{}') INTO wanted FROM unnest(days) AS d WHERE d >= oldest_day;
    DELETE FROM hindsight.phase_daily_stats WHERE domain = the_domain AND day = ANY (wanted);
    DELETE FROM hindsight.domain_daily_durations WHERE domain = the_domain AND day = ANY (wanted);
    INSERT INTO hindsight.phase_daily_stats
        (domain, day, phase, runs, successes, errors, retries, duration_sum, duration_histogram)
    SELECT the_domain, (x.started_at AT TIME ZONE 'UTC')::date, p.phase,
           count(p.duration_s), count(*) FILTER (WHERE p.duration_s IS NOT NULL AND coalesce(p.success, true)),
           sum(p.error_count), sum(greatest(p.retry_count, p.start_count - 1)),
           coalesce(sum(p.duration_s), 0), hindsight.duration_histogram(p.duration_s)
    FROM hindsight.executions x JOIN hindsight.phases p USING (execution_id)
    WHERE x.domain = the_domain
      AND x.started_at >= (SELECT min(d) FROM unnest(wanted) d)::timestamp AT TIME ZONE 'UTC'
      AND (x.started_at AT TIME ZONE 'UTC')::date = ANY (wanted)
    GROUP BY 2, 3;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO hindsight.domain_daily_durations (domain, day, executions, duration_histogram)
    SELECT the_domain, (started_at AT TIME ZONE 'UTC')::date, count(duration_s), hindsight.duration_histogram(duration_s)
    FROM hindsight.executions
    WHERE domain = the_domain
      AND started_at >= (SELECT min(d) FROM unnest(wanted) d)::timestamp AT TIME ZONE 'UTC'
      AND (started_at AT TIME ZONE 'UTC')::date = ANY (wanted)
    GROUP BY 2;
    RETURN n;
END;
$$;
COMMENT ON FUNCTION hindsight.refresh_daily_rollups(text, date[], date) IS
    'Recomputes phase_daily_stats and domain_daily_durations of one domain for the given UTC days (those not older than oldest_day) from executions and phases; returns the phase rows written.';

-- Retention of consolidated rows ------------------------------------------------------------------

CREATE FUNCTION hindsight.delete_old_executions(older_than timestamptz, batch_size integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    victims uuid[];
BEGIN
    IF batch_size IS NULL OR batch_size < 1 OR batch_size > 100000 THEN
        RAISE EXCEPTION 'delete_old_executions: batch_size must be 1..100000 (got %)', batch_size;
    END IF;
    -- The rollups summarize these rows and must not lose them (see domain_daily_stats_apply).
    PERFORM set_config('hindsight.retention', 'on', true);
    SELECT coalesce(array_agg(execution_id), '{}') INTO victims FROM (
        SELECT execution_id FROM hindsight.executions
        WHERE started_at < older_than
        ORDER BY started_at
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED) AS v;
    DELETE FROM hindsight.phases WHERE execution_id = ANY (victims);
    DELETE FROM hindsight.tool_usage WHERE execution_id = ANY (victims);
    DELETE FROM hindsight.errors WHERE execution_id = ANY (victims);
    DELETE FROM hindsight.recovery_attempts WHERE execution_id = ANY (victims);
    DELETE FROM hindsight.executions WHERE execution_id = ANY (victims);
    PERFORM set_config('hindsight.retention', 'off', true);
    RETURN cardinality(victims);
END;
$$;
COMMENT ON FUNCTION hindsight.delete_old_executions(timestamptz, integer) IS
    'Retention: deletes up to batch_size executions started before older_than, with their phases, tool usage, errors and recovery attempts; returns how many. Rollups are kept. Call in a loop, one short transaction per batch.';
REVOKE ALL ON FUNCTION hindsight.delete_old_executions(timestamptz, integer) FROM PUBLIC;

-- Insight tables -----------------------------------------------------------------------------------
-- Every row carries the analysis it belongs to: computed_at, the window [window_start, window_end),
-- the domain's sample size (executions in the window) and the confidence the core derives from it.

CREATE TABLE hindsight.insight_domains (
    domain          text PRIMARY KEY,
    computed_at     timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    sample_size     integer NOT NULL,
    confidence      double precision NOT NULL,
    completed       integer NOT NULL,
    failed          integer NOT NULL,
    abandoned       integer NOT NULL,
    success_rate    double precision NOT NULL,
    duration_n      integer NOT NULL,
    duration_mean   double precision,
    duration_p50    double precision,
    duration_p95    double precision,
    duration_p99    double precision,
    insights        text[] NOT NULL,
    recommendations text[] NOT NULL,
    analyzed_by     text NOT NULL
);
COMMENT ON TABLE hindsight.insight_domains IS 'Per domain: the latest analysis of its executions started within the window (learning core: PerformanceAnalyzer, MetricsCollector).';
COMMENT ON COLUMN hindsight.insight_domains.computed_at IS 'When the analysis ran.';
COMMENT ON COLUMN hindsight.insight_domains.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_domains.window_end IS 'End of the window (= computed_at).';
COMMENT ON COLUMN hindsight.insight_domains.sample_size IS 'Executions analysed (started within the window, any status).';
COMMENT ON COLUMN hindsight.insight_domains.confidence IS 'Confidence from the sample size: 0 none, 0.5 at the minimum sample, 0.7 at 20, 0.9 at 50, 1.0 at 100+.';
COMMENT ON COLUMN hindsight.insight_domains.completed IS 'Executions with status completed (the only success).';
COMMENT ON COLUMN hindsight.insight_domains.failed IS 'Executions with status failed.';
COMMENT ON COLUMN hindsight.insight_domains.abandoned IS 'Executions marked abandoned (counted as failures).';
COMMENT ON COLUMN hindsight.insight_domains.success_rate IS 'completed / sample_size.';
COMMENT ON COLUMN hindsight.insight_domains.duration_n IS 'Executions with a known duration (finished).';
COMMENT ON COLUMN hindsight.insight_domains.duration_mean IS 'Mean duration of finished executions, seconds.';
COMMENT ON COLUMN hindsight.insight_domains.duration_p50 IS 'Median duration, seconds (continuous percentile, as percentile_cont).';
COMMENT ON COLUMN hindsight.insight_domains.duration_p95 IS '95th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.insight_domains.duration_p99 IS '99th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.insight_domains.insights IS 'Findings in words.';
COMMENT ON COLUMN hindsight.insight_domains.recommendations IS 'Recommendations in words.';
COMMENT ON COLUMN hindsight.insight_domains.analyzed_by IS 'Instance name of the analyzer that wrote the row.';

CREATE TABLE hindsight.insight_phases (
    domain          text NOT NULL,
    phase           text NOT NULL,
    computed_at     timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    sample_size     integer NOT NULL,
    confidence      double precision NOT NULL,
    runs            integer NOT NULL,
    mean_s          double precision NOT NULL,
    p50_s           double precision NOT NULL,
    p95_s           double precision NOT NULL,
    p99_s           double precision NOT NULL,
    mean_estimate_s double precision,
    estimate_ratio  double precision,
    success_rate    double precision NOT NULL,
    retries         integer NOT NULL,
    share_of_time   double precision NOT NULL,
    is_slow         boolean NOT NULL,
    slow_rank       integer,
    PRIMARY KEY (domain, phase)
);
COMMENT ON TABLE hindsight.insight_phases IS 'Per domain and phase: finished runs in the window, durations, estimate accuracy, success, retries, share of time, and whether the phase is slow.';
COMMENT ON COLUMN hindsight.insight_phases.sample_size IS 'The domain''s executions in the window (see insight_domains).';
COMMENT ON COLUMN hindsight.insight_phases.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.insight_phases.runs IS 'Finished runs of the phase (plan phases with a start and an end).';
COMMENT ON COLUMN hindsight.insight_phases.mean_s IS 'Mean duration, seconds (first start to latest end).';
COMMENT ON COLUMN hindsight.insight_phases.p50_s IS 'Median duration, seconds.';
COMMENT ON COLUMN hindsight.insight_phases.p95_s IS '95th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.insight_phases.p99_s IS '99th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.insight_phases.mean_estimate_s IS 'Mean planned estimate, seconds (NULL without estimates).';
COMMENT ON COLUMN hindsight.insight_phases.estimate_ratio IS 'mean_s / mean_estimate_s: above 1 the plans underestimate the phase.';
COMMENT ON COLUMN hindsight.insight_phases.success_rate IS 'Share of runs whose latest completion succeeded.';
COMMENT ON COLUMN hindsight.insight_phases.retries IS 'Retries over all runs (per run max(retry events, starts - 1)).';
COMMENT ON COLUMN hindsight.insight_phases.share_of_time IS 'mean_s / sum of all phases'' mean_s.';
COMMENT ON COLUMN hindsight.insight_phases.is_slow IS 'Slow: overruns its estimate by 25 % or takes 40 % of the time, and the excess is material in seconds.';
COMMENT ON COLUMN hindsight.insight_phases.slow_rank IS '1 = slowest of the reported slow phases (top 5), NULL if not reported.';

CREATE TABLE hindsight.insight_error_patterns (
    domain          text NOT NULL,
    rank            integer NOT NULL,
    computed_at     timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    sample_size     integer NOT NULL,
    confidence      double precision NOT NULL,
    pattern         text NOT NULL,
    occurrences     integer NOT NULL,
    executions      integer NOT NULL,
    phases          text[] NOT NULL,
    example         text NOT NULL,
    PRIMARY KEY (domain, rank)
);
COMMENT ON TABLE hindsight.insight_error_patterns IS 'Per domain: the most frequent error patterns (messages with numbers, ids and paths normalized), with counts, affected executions and phases, and an example message.';
COMMENT ON COLUMN hindsight.insight_error_patterns.rank IS '1 = most frequent.';
COMMENT ON COLUMN hindsight.insight_error_patterns.pattern IS 'Normalized message.';
COMMENT ON COLUMN hindsight.insight_error_patterns.occurrences IS 'Error events matching the pattern.';
COMMENT ON COLUMN hindsight.insight_error_patterns.executions IS 'Distinct executions with the pattern.';
COMMENT ON COLUMN hindsight.insight_error_patterns.phases IS 'Phases it occurred in.';
COMMENT ON COLUMN hindsight.insight_error_patterns.example IS 'First message seen with the pattern.';

CREATE TABLE hindsight.insight_phase_order (
    domain              text PRIMARY KEY,
    computed_at         timestamptz NOT NULL,
    window_start        timestamptz NOT NULL,
    window_end          timestamptz NOT NULL,
    sample_size         integer NOT NULL,
    confidence          double precision NOT NULL,
    phase_order         text[] NOT NULL,
    supporting_runs     integer NOT NULL,
    supporting_mean_s   double precision,
    domain_mean_s       double precision,
    basis               text NOT NULL
);
COMMENT ON TABLE hindsight.insight_phase_order IS 'Per domain: the recommended phase order and its evidence.';
COMMENT ON COLUMN hindsight.insight_phase_order.phase_order IS 'Recommended order of the phases.';
COMMENT ON COLUMN hindsight.insight_phase_order.supporting_runs IS 'Completed executions that ran the phases in this order.';
COMMENT ON COLUMN hindsight.insight_phase_order.supporting_mean_s IS 'Their mean duration, seconds.';
COMMENT ON COLUMN hindsight.insight_phase_order.domain_mean_s IS 'Mean duration of all finished executions of the domain, for comparison.';
COMMENT ON COLUMN hindsight.insight_phase_order.basis IS 'How the order was chosen (fast completed runs, all completed runs, or the most common plan).';

CREATE TABLE hindsight.insight_recovery (
    domain        text NOT NULL,
    failure_type  text NOT NULL,
    strategy      text NOT NULL,
    computed_at   timestamptz NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    sample_size   integer NOT NULL,
    confidence    double precision NOT NULL,
    attempts      integer NOT NULL,
    successes     integer NOT NULL,
    PRIMARY KEY (domain, failure_type, strategy)
);
COMMENT ON TABLE hindsight.insight_recovery IS 'Per domain, failure type and strategy: recovery attempts in the window and how many succeeded.';
COMMENT ON COLUMN hindsight.insight_recovery.failure_type IS 'Failure type reported with the attempt (''unknown'' when none was).';
COMMENT ON COLUMN hindsight.insight_recovery.strategy IS 'Strategy tried.';
COMMENT ON COLUMN hindsight.insight_recovery.attempts IS 'Attempts.';
COMMENT ON COLUMN hindsight.insight_recovery.successes IS 'Attempts reported successful.';
COMMENT ON COLUMN hindsight.insight_recovery.sample_size IS 'Attempts of this failure type in the window (all strategies).';
COMMENT ON COLUMN hindsight.insight_recovery.confidence IS 'Confidence from that sample size.';

-- Analyst views ------------------------------------------------------------------------------------

CREATE VIEW hindsight.domain_insights AS
SELECT domain, sample_size AS executions, success_rate, duration_mean, duration_p50, duration_p95, duration_p99,
       confidence, completed, failed, abandoned, computed_at, window_start, window_end
FROM hindsight.insight_domains;
COMMENT ON VIEW hindsight.domain_insights IS 'One row per domain: executions in the analysis window, success rate, duration mean/p50/p95/p99 (seconds), confidence, when computed.';

CREATE VIEW hindsight.slow_phases AS
SELECT domain, slow_rank, phase, mean_s, mean_estimate_s, estimate_ratio, share_of_time, p95_s, runs, confidence, computed_at
FROM hindsight.insight_phases
WHERE is_slow;
COMMENT ON VIEW hindsight.slow_phases IS 'Phases the analyzer flags slow (overrun of the estimate or dominant share of time, material in seconds), slowest first by slow_rank.';

CREATE VIEW hindsight.error_patterns AS
SELECT domain, rank, pattern, occurrences, executions, phases, example, confidence, computed_at
FROM hindsight.insight_error_patterns;
COMMENT ON VIEW hindsight.error_patterns IS 'The most frequent normalized error patterns per domain, with counts, phases and an example.';

CREATE VIEW hindsight.phase_order AS
SELECT domain, phase_order, supporting_runs, supporting_mean_s, domain_mean_s, basis, sample_size, confidence, computed_at
FROM hindsight.insight_phase_order;
COMMENT ON VIEW hindsight.phase_order IS 'The recommended phase order per domain with its evidence (supporting completed runs and their mean duration).';

CREATE VIEW hindsight.daily_volume AS
SELECT s.domain, s.day, s.total AS executions, s.completed, s.failed, s.recovered, s.abandoned, s.running,
       CASE WHEN s.total > 0 THEN s.completed::double precision / s.total END AS success_rate,
       CASE WHEN s.duration_n > 0 THEN (s.duration_sum / s.duration_n)::double precision END AS duration_mean,
       hindsight.histogram_percentile(d.duration_histogram, 0.5) AS duration_p50,
       hindsight.histogram_percentile(d.duration_histogram, 0.95) AS duration_p95
FROM hindsight.domain_daily_stats s
LEFT JOIN hindsight.domain_daily_durations d USING (domain, day);
COMMENT ON VIEW hindsight.daily_volume IS 'Executions per domain and UTC day: counts by status, success rate, mean duration (exact) and p50/p95 (from histograms, within ±9.6 %). Kept after retention deletes the executions.';

CREATE VIEW hindsight.recovery_effectiveness AS
SELECT domain, failure_type, strategy, attempts, successes,
       CASE WHEN attempts > 0 THEN successes::double precision / attempts END AS success_rate,
       confidence, computed_at
FROM hindsight.insight_recovery;
COMMENT ON VIEW hindsight.recovery_effectiveness IS 'Per domain, failure type and strategy: attempts, successes and success rate in the analysis window.';

CREATE VIEW hindsight.phase_trends AS
SELECT domain, day, phase, runs, successes,
       CASE WHEN runs > 0 THEN successes::double precision / runs END AS success_rate,
       CASE WHEN runs > 0 THEN duration_sum / runs END AS mean_s,
       hindsight.histogram_percentile(duration_histogram, 0.95) AS p95_s,
       errors, retries, duration_histogram
FROM hindsight.phase_daily_stats;
COMMENT ON VIEW hindsight.phase_trends IS 'Per domain, UTC day and phase: runs, success rate, mean and p95 duration (p95 from the histogram). For a p95 over several days merge the histograms: histogram_percentile(histogram_merge(duration_histogram), 0.95).';

-- Grants -------------------------------------------------------------------------------------------

GRANT SELECT, INSERT, UPDATE, DELETE ON
    hindsight.insight_domains, hindsight.insight_phases, hindsight.insight_error_patterns,
    hindsight.insight_phase_order, hindsight.insight_recovery,
    hindsight.analysis_state, hindsight.rollup_dirty_days,
    hindsight.phase_daily_stats, hindsight.domain_daily_durations
    TO hindsight_analyzer;
GRANT SELECT, DELETE ON hindsight.domain_changes TO hindsight_analyzer;
GRANT UPDATE (status, abandoned_at) ON hindsight.executions TO hindsight_analyzer;
GRANT EXECUTE ON FUNCTION hindsight.lock_rollup_rows(uuid[], text[], bigint[]) TO hindsight_analyzer;
GRANT EXECUTE ON FUNCTION hindsight.ensure_event_partitions(date, date) TO hindsight_analyzer;
GRANT EXECUTE ON FUNCTION hindsight.drop_event_partitions(date) TO hindsight_analyzer;
GRANT EXECUTE ON FUNCTION hindsight.delete_old_executions(timestamptz, integer) TO hindsight_analyzer;

-- Comments on every remaining column, so `\d+` explains each one to analysts ------------------------

COMMENT ON COLUMN hindsight.domain_changes.id IS 'Log position (identity), increasing in commit order within a writer.';
COMMENT ON COLUMN hindsight.rollup_dirty_days.domain IS 'Domain whose rollups are stale.';
COMMENT ON COLUMN hindsight.rollup_dirty_days.day IS 'UTC day (of executions.started_at) to recompute.';

COMMENT ON COLUMN hindsight.insight_domains.domain IS 'The domain (executions.domain).';
COMMENT ON COLUMN hindsight.insight_phases.domain IS 'The domain (executions.domain).';
COMMENT ON COLUMN hindsight.insight_phases.phase IS 'Phase name.';
COMMENT ON COLUMN hindsight.insight_phases.computed_at IS 'When the analysis ran (the same on every insight row of the domain).';
COMMENT ON COLUMN hindsight.insight_phases.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_phases.window_end IS 'End of the window (= computed_at).';
COMMENT ON COLUMN hindsight.insight_error_patterns.domain IS 'The domain (executions.domain).';
COMMENT ON COLUMN hindsight.insight_error_patterns.computed_at IS 'When the analysis ran (the same on every insight row of the domain).';
COMMENT ON COLUMN hindsight.insight_error_patterns.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_error_patterns.window_end IS 'End of the window (= computed_at).';
COMMENT ON COLUMN hindsight.insight_error_patterns.sample_size IS 'The domain''s executions in the window (see insight_domains).';
COMMENT ON COLUMN hindsight.insight_error_patterns.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.insight_phase_order.domain IS 'The domain (executions.domain).';
COMMENT ON COLUMN hindsight.insight_phase_order.computed_at IS 'When the analysis ran (the same on every insight row of the domain).';
COMMENT ON COLUMN hindsight.insight_phase_order.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_phase_order.window_end IS 'End of the window (= computed_at).';
COMMENT ON COLUMN hindsight.insight_phase_order.sample_size IS 'The domain''s executions in the window (see insight_domains).';
COMMENT ON COLUMN hindsight.insight_phase_order.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.insight_recovery.domain IS 'The domain (executions.domain).';
COMMENT ON COLUMN hindsight.insight_recovery.computed_at IS 'When the analysis ran (the same on every insight row of the domain).';
COMMENT ON COLUMN hindsight.insight_recovery.window_start IS 'Recovery attempts of executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_recovery.window_end IS 'End of the window (= computed_at).';

COMMENT ON COLUMN hindsight.domain_insights.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.domain_insights.executions IS 'Executions started within the window, any status (the sample size).';
COMMENT ON COLUMN hindsight.domain_insights.success_rate IS 'completed / executions (0..1): only completed counts as success.';
COMMENT ON COLUMN hindsight.domain_insights.duration_mean IS 'Mean duration of finished executions, seconds.';
COMMENT ON COLUMN hindsight.domain_insights.duration_p50 IS 'Median duration, seconds.';
COMMENT ON COLUMN hindsight.domain_insights.duration_p95 IS '95th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.domain_insights.duration_p99 IS '99th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.domain_insights.confidence IS 'Confidence from the sample size (0..1; under 0.7 is a hint, not a finding).';
COMMENT ON COLUMN hindsight.domain_insights.completed IS 'Executions with status completed.';
COMMENT ON COLUMN hindsight.domain_insights.failed IS 'Executions with status failed.';
COMMENT ON COLUMN hindsight.domain_insights.abandoned IS 'Executions marked abandoned (counted as failures).';
COMMENT ON COLUMN hindsight.domain_insights.computed_at IS 'When the analysis ran.';
COMMENT ON COLUMN hindsight.domain_insights.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.domain_insights.window_end IS 'End of the window (= computed_at).';

COMMENT ON COLUMN hindsight.slow_phases.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.slow_phases.slow_rank IS '1 = slowest of the reported slow phases (top 5); NULL for a slow phase beyond them.';
COMMENT ON COLUMN hindsight.slow_phases.phase IS 'Phase name.';
COMMENT ON COLUMN hindsight.slow_phases.mean_s IS 'Mean duration, seconds (first start to latest end).';
COMMENT ON COLUMN hindsight.slow_phases.mean_estimate_s IS 'Mean planned estimate, seconds (NULL without estimates).';
COMMENT ON COLUMN hindsight.slow_phases.estimate_ratio IS 'mean_s / mean_estimate_s: above 1 the plans underestimate the phase.';
COMMENT ON COLUMN hindsight.slow_phases.share_of_time IS 'mean_s / sum of all phases'' mean_s of the domain.';
COMMENT ON COLUMN hindsight.slow_phases.p95_s IS '95th percentile duration, seconds.';
COMMENT ON COLUMN hindsight.slow_phases.runs IS 'Finished runs of the phase in the window.';
COMMENT ON COLUMN hindsight.slow_phases.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.slow_phases.computed_at IS 'When the analysis ran.';

COMMENT ON COLUMN hindsight.error_patterns.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.error_patterns.rank IS '1 = most frequent.';
COMMENT ON COLUMN hindsight.error_patterns.pattern IS 'Normalized message (numbers, ids and paths replaced).';
COMMENT ON COLUMN hindsight.error_patterns.occurrences IS 'Error events matching the pattern.';
COMMENT ON COLUMN hindsight.error_patterns.executions IS 'Distinct executions with the pattern.';
COMMENT ON COLUMN hindsight.error_patterns.phases IS 'Phases it occurred in.';
COMMENT ON COLUMN hindsight.error_patterns.example IS 'First message seen with the pattern.';
COMMENT ON COLUMN hindsight.error_patterns.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.error_patterns.computed_at IS 'When the analysis ran.';

COMMENT ON COLUMN hindsight.phase_order.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.phase_order.phase_order IS 'Recommended order of the phases.';
COMMENT ON COLUMN hindsight.phase_order.supporting_runs IS 'Completed executions that ran the phases in this order.';
COMMENT ON COLUMN hindsight.phase_order.supporting_mean_s IS 'Their mean duration, seconds.';
COMMENT ON COLUMN hindsight.phase_order.domain_mean_s IS 'Mean duration of all finished executions of the domain, for comparison.';
COMMENT ON COLUMN hindsight.phase_order.basis IS 'How the order was chosen.';
COMMENT ON COLUMN hindsight.phase_order.sample_size IS 'The domain''s executions in the window.';
COMMENT ON COLUMN hindsight.phase_order.confidence IS 'The domain''s confidence.';
COMMENT ON COLUMN hindsight.phase_order.computed_at IS 'When the analysis ran.';

COMMENT ON COLUMN hindsight.daily_volume.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.daily_volume.day IS 'UTC day of the executions'' started_at.';
COMMENT ON COLUMN hindsight.daily_volume.executions IS 'Executions started that day.';
COMMENT ON COLUMN hindsight.daily_volume.completed IS 'Of those, completed.';
COMMENT ON COLUMN hindsight.daily_volume.failed IS 'Of those, failed.';
COMMENT ON COLUMN hindsight.daily_volume.recovered IS 'Of those, recovered.';
COMMENT ON COLUMN hindsight.daily_volume.abandoned IS 'Of those, currently abandoned.';
COMMENT ON COLUMN hindsight.daily_volume.running IS 'Of those, still running.';
COMMENT ON COLUMN hindsight.daily_volume.success_rate IS 'completed / executions (NULL without executions).';
COMMENT ON COLUMN hindsight.daily_volume.duration_mean IS 'Exact mean duration of those with a duration, seconds.';
COMMENT ON COLUMN hindsight.daily_volume.duration_p50 IS 'Median duration from the day''s histogram, seconds (±9.6 %).';
COMMENT ON COLUMN hindsight.daily_volume.duration_p95 IS '95th percentile duration from the day''s histogram, seconds (±9.6 %).';

COMMENT ON COLUMN hindsight.recovery_effectiveness.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.recovery_effectiveness.failure_type IS 'Failure type reported with the attempts (''unknown'' when none was).';
COMMENT ON COLUMN hindsight.recovery_effectiveness.strategy IS 'Strategy tried.';
COMMENT ON COLUMN hindsight.recovery_effectiveness.attempts IS 'Attempts in the window.';
COMMENT ON COLUMN hindsight.recovery_effectiveness.successes IS 'Attempts reported successful.';
COMMENT ON COLUMN hindsight.recovery_effectiveness.success_rate IS 'successes / attempts (0..1).';
COMMENT ON COLUMN hindsight.recovery_effectiveness.confidence IS 'Confidence from the attempts of this failure type.';
COMMENT ON COLUMN hindsight.recovery_effectiveness.computed_at IS 'When the analysis ran.';

COMMENT ON COLUMN hindsight.phase_trends.domain IS 'The domain.';
COMMENT ON COLUMN hindsight.phase_trends.day IS 'UTC day of the executions'' started_at.';
COMMENT ON COLUMN hindsight.phase_trends.phase IS 'Phase name.';
COMMENT ON COLUMN hindsight.phase_trends.runs IS 'Finished runs of the phase.';
COMMENT ON COLUMN hindsight.phase_trends.successes IS 'Of those, successful (latest completion).';
COMMENT ON COLUMN hindsight.phase_trends.success_rate IS 'successes / runs (NULL without runs).';
COMMENT ON COLUMN hindsight.phase_trends.mean_s IS 'Mean duration, seconds.';
COMMENT ON COLUMN hindsight.phase_trends.p95_s IS '95th percentile duration from the day''s histogram, seconds (±9.6 %).';
COMMENT ON COLUMN hindsight.phase_trends.errors IS 'Error events in the phase.';
COMMENT ON COLUMN hindsight.phase_trends.retries IS 'Retries of the phase.';
COMMENT ON COLUMN hindsight.phase_trends.duration_histogram IS '128-bucket duration histogram; over several days: histogram_percentile(histogram_merge(duration_histogram), 0.95).';
