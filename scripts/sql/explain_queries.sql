-- EXPLAIN ANALYZE of every ExecutionQueries query, with the SQL the Swift code sends (parameters
-- shown as literals). Run against a database filled by generate_executions.sql:
--   psql -X -h 127.0.0.1 -p 5433 -U hindsight_owner -d hindsight_bench -f scripts/sql/explain_queries.sql
\set ECHO queries
SET search_path = hindsight, public;
SELECT e.execution_id AS id, x.first_event_at AS first, x.last_event_at AS last
FROM (SELECT execution_id FROM hindsight.events LIMIT 1) e JOIN hindsight.executions x USING (execution_id) \gset
SELECT max(started_at) AS now FROM hindsight.executions \gset

-- execution(_:) — the execution row, then its events within first_event_at … last_event_at
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT execution_id, domain, agent_id, goal, plan, status, started_at, ended_at, duration_s, final_result, event_count, error_count, tool_call_count, recovery_count, first_event_at, last_event_at, updated_at
FROM hindsight.executions WHERE execution_id = :'id';
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT event_id, execution_id, seq, ts, type, phase, data::text FROM hindsight.events
WHERE execution_id = :'id' AND ts >= :'first' AND ts <= :'last' ORDER BY ts, seq;

-- executions(domain:status:limit:)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM hindsight.executions WHERE domain = 'domain_0'
ORDER BY started_at DESC NULLS LAST LIMIT 100;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM hindsight.executions WHERE domain = 'domain_0' AND status = 'failed'
ORDER BY started_at DESC NULLS LAST LIMIT 100;

-- recentExecutions(since:until:status:limit:)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM hindsight.executions
WHERE started_at >= :'now'::timestamptz - interval '7 days' AND started_at < 'infinity' ORDER BY started_at DESC LIMIT 100;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM hindsight.executions
WHERE status = 'failed' AND started_at >= :'now'::timestamptz - interval '7 days' AND started_at < 'infinity' ORDER BY started_at DESC LIMIT 100;

-- executions(status:limit:)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM hindsight.executions WHERE status = 'failed'
ORDER BY started_at DESC NULLS LAST LIMIT 100;

-- domainStatistics(method: .rollup): whole days from the rollup + the partial first day from the index
SELECT :'now'::timestamptz - interval '30 days' AS cutoff,
       date_trunc('day', (:'now'::timestamptz - interval '30 days') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day' AS full \gset
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) WITH full_days AS (
    SELECT coalesce(sum(total), 0) AS total, coalesce(sum(completed), 0) AS completed,
           coalesce(sum(failed), 0) AS failed, coalesce(sum(recovered), 0) AS recovered,
           coalesce(sum(running), 0) AS running, coalesce(sum(duration_n), 0) AS duration_n,
           coalesce(sum(duration_sum), 0) AS duration_sum
    FROM hindsight.domain_daily_stats
    WHERE domain = 'domain_0' AND day >= (:'full'::timestamptz AT TIME ZONE 'UTC')::date
), partial_day AS (
    SELECT count(*) AS total, count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status = 'failed') AS failed,
           count(*) FILTER (WHERE status = 'recovered') AS recovered,
           count(*) FILTER (WHERE status = 'running') AS running,
           count(duration_s) AS duration_n, coalesce(sum(duration_s::numeric), 0) AS duration_sum
    FROM hindsight.executions
    WHERE domain = 'domain_0' AND started_at >= :'cutoff' AND started_at < :'full'
)
SELECT (f.total + p.total)::int8, (f.completed + p.completed)::int8,
       CASE WHEN f.duration_n + p.duration_n > 0
            THEN ((f.duration_sum + p.duration_sum) / (f.duration_n + p.duration_n))::float8 END
FROM full_days f, partial_day p;

-- domainStatistics(method: .scan)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT count(*), count(*) FILTER (WHERE status = 'completed'),
       count(*) FILTER (WHERE status = 'failed'), avg(duration_s)
FROM hindsight.executions WHERE domain = 'domain_0' AND started_at >= :'cutoff';

-- domainStatistics(percentiles: true)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT percentile_cont(ARRAY[0.5, 0.95]::float8[]) WITHIN GROUP (ORDER BY duration_s)
FROM hindsight.executions WHERE domain = 'domain_0' AND started_at >= :'cutoff' AND duration_s IS NOT NULL;
