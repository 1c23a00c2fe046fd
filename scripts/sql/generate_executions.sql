-- Fills a migrated Hindsight database with a realistic volume of synthetic executions, for EXPLAIN
-- and `hindsight bench queries`. Never run it against a database holding real data.
--
--   createdb hindsight_bench      # as hindsight_owner, then: hindsight migrate --database-url …/hindsight_bench
--   psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5433 -U hindsight_owner -d hindsight_bench \
--        -v executions=1000000 -v days=35 -v domains=10 -v event_days=2 \
--        -f scripts/sql/generate_executions.sql
--
-- Variables (all optional): executions (default 1,000,000), days (start times spread uniformly over
-- the last N days, default 35), domains (default 10; domain_0 gets ~3x the executions of the
-- others, like a busy main domain), event_days (raw events — 12 per execution — are generated for
-- executions started in the last N days, default 2; 0 for none).
-- Status mix: 80 % completed, 10 % failed, 5 % recovered, 5 % running (no end yet). Rows are
-- inserted in start-time order, as a tracker would store them.
-- Durations: 20 s … ~30 min, skewed towards short runs.

\if :{?executions} \else \set executions 1000000 \endif
\if :{?days} \else \set days 35 \endif
\if :{?domains} \else \set domains 10 \endif
\if :{?event_days} \else \set event_days 2 \endif
\timing on

SET search_path = hindsight, public;
SET synchronous_commit = off;

SELECT hindsight.ensure_event_partitions(
    (now() AT TIME ZONE 'UTC')::date - :days - 1, (now() AT TIME ZONE 'UTC')::date + 7);

-- Executions, in chunks of 100,000 so the rollup trigger's transition tables stay moderate.
SELECT format($f$
INSERT INTO hindsight.executions (execution_id, domain, agent_id, goal, plan, status, status_seq, started_at,
    ended_at, final_result, event_count, error_count, tool_call_count, recovery_count, first_event_at, last_event_at)
SELECT gen_random_uuid(), g.domain, 'agent-' || (g.i %% 50), 'synthetic goal ' || (g.i %% 1000),
       ARRAY['plan', 'gather', 'build', 'verify'],
       g.status, 23, g.started_at,
       CASE WHEN g.status <> 'running' THEN g.started_at + make_interval(secs => g.duration) END,
       CASE WHEN g.status = 'completed' THEN 'ok' END,
       24, CASE WHEN g.status IN ('failed', 'recovered') THEN 2 ELSE 0 END, 8,
       CASE WHEN g.status = 'recovered' THEN 1 ELSE 0 END,
       g.started_at, g.started_at + make_interval(secs => g.duration)
FROM (
    SELECT i,
           CASE WHEN r1 < 0.25 THEN 'domain_0' ELSE 'domain_' || (1 + (i %% greatest(%s - 1, 1))) END AS domain,
           CASE WHEN r2 < 0.80 THEN 'completed' WHEN r2 < 0.90 THEN 'failed'
                WHEN r2 < 0.95 THEN 'recovered' ELSE 'running' END AS status,
           -- Start times grow with i (plus jitter), so the heap is in arrival order as with real ingestion.
           now() - make_interval(secs => (%s - i + r3) / %s::float8 * %s * 86400) AS started_at,
           20 + 1800 * r4 * r4 * r4 AS duration
    FROM (SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4
          FROM generate_series(%s, %s) AS i) AS r
) AS g
$f$, :domains, :executions, :executions, :days, lo, least(lo + 99999, :executions))
FROM generate_series(1, :executions, 100000) AS lo
\gexec

-- Raw events for the most recent executions: 12 per execution, one partition per day.
INSERT INTO hindsight.events (event_id, execution_id, seq, ts, type, phase, data)
SELECT gen_random_uuid(), e.execution_id, s.seq,
       e.first_event_at + (e.last_event_at - e.first_event_at) * (s.seq / 11.0),
       CASE s.seq WHEN 0 THEN 'execution_started' WHEN 11 THEN 'execution_completed'
                  ELSE (ARRAY['phase_started', 'tool_used', 'phase_completed'])[1 + s.seq % 3] END,
       CASE WHEN s.seq BETWEEN 1 AND 10 THEN (ARRAY['plan', 'gather', 'build', 'verify'])[1 + s.seq / 3] END,
       jsonb_build_object('tool', 'search', 'duration_ms', (random() * 500)::int)
FROM hindsight.executions e
CROSS JOIN generate_series(0, 11) AS s(seq)
WHERE :event_days > 0 AND e.started_at >= now() - make_interval(days => :event_days);

VACUUM (ANALYZE) hindsight.executions;
VACUUM (ANALYZE) hindsight.domain_daily_stats;
ANALYZE hindsight.events;

SELECT count(*) AS executions, count(DISTINCT domain) AS domains,
       pg_size_pretty(pg_total_relation_size('hindsight.executions')) AS executions_size
FROM hindsight.executions;
SELECT count(*) AS events FROM hindsight.events;
