-- 0052: a phase's outcome is its latest completion. The tracker's upsert now keeps the end fields
-- (ended_at, success, error, end_seq) of the phase_completed event with the highest seq, as the learning
-- core does: a phase that failed, was retried and then succeeded is a succeeded phase (before this
-- migration the row kept the first completion and said failed). See ConsolidationWriter+Upserts.swift
-- and docs/sql-schema.md.
--
-- Rows written under the old rule are recomputed from the raw events still stored; a phase whose events
-- retention has already dropped keeps the values it has.
UPDATE hindsight.phases AS p
SET ended_at = e.ts,
    success = COALESCE((e.data ->> 'success')::boolean, true),
    error = e.data ->> 'error',
    end_seq = e.seq
FROM (
    SELECT DISTINCT ON (execution_id, phase) execution_id, phase, seq, ts, data
    FROM hindsight.events
    WHERE type = 'phase_completed' AND phase IS NOT NULL
    ORDER BY execution_id, phase, seq DESC
) AS e
WHERE p.execution_id = e.execution_id
  AND p.phase = e.phase
  AND (p.end_seq IS NULL OR e.seq > p.end_seq);

COMMENT ON COLUMN hindsight.phases.ended_at IS 'ts of the latest (highest-seq) phase_completed event (NULL while running).';
COMMENT ON COLUMN hindsight.phases.end_seq IS 'seq of that phase_completed event; a completion with a higher seq replaces the end fields, a lower one never does.';
COMMENT ON COLUMN hindsight.phases.success IS 'Success flag of the latest phase_completed (NULL while running): a failed phase retried successfully is successful.';
COMMENT ON COLUMN hindsight.phases.error IS 'Error message of the latest phase_completed, if that completion failed.';
-- The view's comment promised precomputed insight tables, which do not exist (yet).
COMMENT ON VIEW hindsight.phase_stats IS 'Per domain and phase over all stored history: how often it ran, succeeded (by each phase''s latest completion), how long it took (mean, p50, p95). Scans phases: filter by domain for speed.';
