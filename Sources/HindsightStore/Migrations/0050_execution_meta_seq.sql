-- 0050: the sequence number of the execution_started event the start fields of an execution come from.
-- The tracker's upsert keeps the start fields of the lowest-seq execution_started event, whatever the
-- arrival order (see ConsolidationWriter+Upserts.swift and docs/architecture.md).
ALTER TABLE hindsight.executions ADD COLUMN IF NOT EXISTS meta_seq integer;
COMMENT ON COLUMN hindsight.executions.meta_seq IS 'seq of the execution_started event that set domain, agent_id, goal, plan and started_at; a start event with a lower seq replaces them, a higher one never does.';
