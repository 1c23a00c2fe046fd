-- 0004 views for analysts (psql, BI tools). Every view and column is commented so `\d+` explains it.

CREATE VIEW hindsight.execution_summary AS
SELECT e.execution_id,
       e.domain,
       e.agent_id,
       e.goal,
       e.status,
       e.status = 'completed' AS succeeded,
       e.started_at,
       e.ended_at,
       e.duration_s,
       cardinality(e.plan) AS planned_phases,
       e.event_count,
       e.error_count,
       e.tool_call_count,
       e.recovery_count,
       e.final_result
FROM hindsight.executions e;

COMMENT ON VIEW hindsight.execution_summary IS 'One line per execution with its outcome and counters; filter on domain and started_at (indexed).';
COMMENT ON COLUMN hindsight.execution_summary.execution_id IS 'Execution UUID.';
COMMENT ON COLUMN hindsight.execution_summary.domain IS 'Goal domain.';
COMMENT ON COLUMN hindsight.execution_summary.agent_id IS 'Agent that ran it.';
COMMENT ON COLUMN hindsight.execution_summary.goal IS 'Goal text.';
COMMENT ON COLUMN hindsight.execution_summary.status IS 'running, completed, failed or recovered.';
COMMENT ON COLUMN hindsight.execution_summary.succeeded IS 'True when status is completed (the seed''s definition of success).';
COMMENT ON COLUMN hindsight.execution_summary.started_at IS 'Start time (UTC).';
COMMENT ON COLUMN hindsight.execution_summary.ended_at IS 'End time (UTC), NULL while running.';
COMMENT ON COLUMN hindsight.execution_summary.duration_s IS 'Duration in seconds, NULL while running.';
COMMENT ON COLUMN hindsight.execution_summary.planned_phases IS 'Number of phases in the plan.';
COMMENT ON COLUMN hindsight.execution_summary.event_count IS 'Events stored.';
COMMENT ON COLUMN hindsight.execution_summary.error_count IS 'Error events.';
COMMENT ON COLUMN hindsight.execution_summary.tool_call_count IS 'Tool calls.';
COMMENT ON COLUMN hindsight.execution_summary.recovery_count IS 'Recovery attempts.';
COMMENT ON COLUMN hindsight.execution_summary.final_result IS 'Result text reported on completion.';

CREATE VIEW hindsight.phase_stats AS
SELECT e.domain,
       p.phase,
       count(*) AS executions,
       count(p.ended_at) AS finished,
       avg(CASE WHEN p.success THEN 1.0 ELSE 0.0 END) FILTER (WHERE p.success IS NOT NULL) AS success_rate,
       avg(p.duration_s) AS avg_duration_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.duration_s) AS p50_duration_s,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY p.duration_s) AS p95_duration_s,
       avg(p.estimated_duration_s) AS avg_estimated_duration_s,
       sum(p.retry_count) AS retries,
       sum(p.error_count) AS errors
FROM hindsight.phases p
JOIN hindsight.executions e USING (execution_id)
GROUP BY e.domain, p.phase;

COMMENT ON VIEW hindsight.phase_stats IS 'Per domain and phase over all stored history: how often it ran, succeeded, how long it took (mean, p50, p95). Scans phases: filter by domain for speed; the analyzer''s insight tables hold precomputed per-phase statistics.';
COMMENT ON COLUMN hindsight.phase_stats.domain IS 'Goal domain.';
COMMENT ON COLUMN hindsight.phase_stats.phase IS 'Phase name.';
COMMENT ON COLUMN hindsight.phase_stats.executions IS 'Executions in which the phase appeared.';
COMMENT ON COLUMN hindsight.phase_stats.finished IS 'Of those, how many completed the phase (ended_at known).';
COMMENT ON COLUMN hindsight.phase_stats.success_rate IS 'Share of finished phases reported successful (0..1).';
COMMENT ON COLUMN hindsight.phase_stats.avg_duration_s IS 'Mean phase duration in seconds.';
COMMENT ON COLUMN hindsight.phase_stats.p50_duration_s IS 'Median phase duration in seconds (linear interpolation).';
COMMENT ON COLUMN hindsight.phase_stats.p95_duration_s IS '95th percentile phase duration in seconds (linear interpolation).';
COMMENT ON COLUMN hindsight.phase_stats.avg_estimated_duration_s IS 'Mean planned estimate in seconds, to compare with avg_duration_s.';
COMMENT ON COLUMN hindsight.phase_stats.retries IS 'Total retries of the phase.';
COMMENT ON COLUMN hindsight.phase_stats.errors IS 'Total error events in the phase.';

CREATE VIEW hindsight.domain_stats_daily AS
SELECT s.domain,
       s.day,
       s.total,
       s.completed,
       s.failed,
       s.recovered,
       s.running,
       CASE WHEN s.total > 0 THEN s.completed::double precision / s.total ELSE 0 END AS success_rate,
       CASE WHEN s.duration_n > 0 THEN (s.duration_sum / s.duration_n)::double precision END AS avg_duration_s
FROM hindsight.domain_daily_stats s;

COMMENT ON VIEW hindsight.domain_stats_daily IS 'Executions per domain and UTC start day from the domain_daily_stats rollup: counts by status, success rate and mean duration. Cheap at any volume.';
COMMENT ON COLUMN hindsight.domain_stats_daily.domain IS 'Goal domain.';
COMMENT ON COLUMN hindsight.domain_stats_daily.day IS 'UTC day of started_at.';
COMMENT ON COLUMN hindsight.domain_stats_daily.total IS 'Executions started that day.';
COMMENT ON COLUMN hindsight.domain_stats_daily.completed IS 'Of those, completed.';
COMMENT ON COLUMN hindsight.domain_stats_daily.failed IS 'Of those, failed.';
COMMENT ON COLUMN hindsight.domain_stats_daily.recovered IS 'Of those, recovered.';
COMMENT ON COLUMN hindsight.domain_stats_daily.running IS 'Of those, still running.';
COMMENT ON COLUMN hindsight.domain_stats_daily.success_rate IS 'completed / total (0 when total is 0).';
COMMENT ON COLUMN hindsight.domain_stats_daily.avg_duration_s IS 'Mean duration in seconds of those with a duration; NULL if none.';

CREATE VIEW hindsight.tool_stats AS
SELECT e.domain,
       t.tool,
       count(*) AS executions,
       sum(t.calls) AS calls,
       sum(t.total_ms) AS total_ms,
       CASE WHEN sum(t.calls) > 0 THEN sum(t.total_ms) / sum(t.calls) END AS avg_ms_per_call
FROM hindsight.tool_usage t
JOIN hindsight.executions e USING (execution_id)
GROUP BY e.domain, t.tool;

COMMENT ON VIEW hindsight.tool_stats IS 'Tool usage per domain and tool over all stored history.';
COMMENT ON COLUMN hindsight.tool_stats.domain IS 'Goal domain.';
COMMENT ON COLUMN hindsight.tool_stats.tool IS 'Tool name.';
COMMENT ON COLUMN hindsight.tool_stats.executions IS 'Executions that used the tool.';
COMMENT ON COLUMN hindsight.tool_stats.calls IS 'Total calls.';
COMMENT ON COLUMN hindsight.tool_stats.total_ms IS 'Total time in the tool, milliseconds.';
COMMENT ON COLUMN hindsight.tool_stats.avg_ms_per_call IS 'Mean milliseconds per call.';

CREATE VIEW hindsight.event_partitions AS
SELECT c.relname AS partition,
       to_date(substr(c.relname, 8), 'YYYYMMDD') AS day,
       greatest(c.reltuples, 0)::bigint AS approx_rows,
       pg_total_relation_size(c.oid) AS total_bytes
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'hindsight.events'::regclass
  AND c.relname ~ '^events_[0-9]{8}$';

COMMENT ON VIEW hindsight.event_partitions IS 'The daily partitions of hindsight.events with their day, estimated row count (from the last ANALYZE) and size.';
COMMENT ON COLUMN hindsight.event_partitions.partition IS 'Partition table name (events_YYYYMMDD).';
COMMENT ON COLUMN hindsight.event_partitions.day IS 'UTC day the partition holds.';
COMMENT ON COLUMN hindsight.event_partitions.approx_rows IS 'Estimated rows (pg_class.reltuples; 0 before the first ANALYZE).';
COMMENT ON COLUMN hindsight.event_partitions.total_bytes IS 'Size on disk including indexes, bytes.';

COMMENT ON TABLE hindsight.schema_migrations IS 'Applied migrations: version, file name, SHA-256 of the file, when. Written by `hindsight migrate` only.';
COMMENT ON COLUMN hindsight.schema_migrations.version IS 'Migration number (the NNNN of NNNN_name.sql).';
COMMENT ON COLUMN hindsight.schema_migrations.name IS 'Migration name (file name without number and extension).';
COMMENT ON COLUMN hindsight.schema_migrations.checksum IS 'SHA-256 of the file, hex; a changed file is refused.';
COMMENT ON COLUMN hindsight.schema_migrations.applied_at IS 'When the migration was applied.';
