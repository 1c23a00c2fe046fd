-- 0001 core tables: raw events (daily partitions) and the consolidated rows the tracker upserts.
-- Applied by `hindsight migrate` in one transaction. Statements are split by the Migrator on `;`
-- outside quotes, comments and dollar-quoted bodies (see SQLScript.swift).

CREATE SCHEMA IF NOT EXISTS hindsight;
COMMENT ON SCHEMA hindsight IS 'Hindsight: execution history of AI agents (raw events, consolidated executions, rollups, analyst views).';

CREATE TABLE hindsight.events (
    event_id     uuid        NOT NULL,
    execution_id uuid        NOT NULL,
    seq          integer     NOT NULL,
    ts           timestamptz NOT NULL,
    type         text        NOT NULL,
    phase        text,
    data         jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (execution_id, event_id, ts)
) PARTITION BY RANGE (ts);

COMMENT ON TABLE hindsight.events IS 'Raw events as published by agents, stored exactly once per event_id. Range-partitioned by day on ts (partitions events_YYYYMMDD, UTC days); retention drops whole partitions.';
COMMENT ON COLUMN hindsight.events.event_id IS 'Event UUID chosen by the agent; the idempotency key (duplicates are ignored on insert).';
COMMENT ON COLUMN hindsight.events.execution_id IS 'The execution (agent run) this event belongs to; see executions.execution_id.';
COMMENT ON COLUMN hindsight.events.seq IS 'Sequence number of the event within its execution, assigned by the agent (0, 1, 2, ...).';
COMMENT ON COLUMN hindsight.events.ts IS 'When the event happened, as stamped by the agent (UTC, microseconds). Selects the daily partition.';
COMMENT ON COLUMN hindsight.events.type IS 'Event type: execution_started, phase_started, phase_completed, tool_used, error, recovery_attempted, execution_completed, ...';
COMMENT ON COLUMN hindsight.events.phase IS 'Plan phase the event refers to, if any.';
COMMENT ON COLUMN hindsight.events.data IS 'Type-specific payload (tool name and duration, error type and message, success, result, ...) as JSON.';

CREATE TABLE hindsight.executions (
    execution_id    uuid PRIMARY KEY,
    domain          text NOT NULL,
    agent_id        text,
    goal            text,
    plan            text[],
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'failed', 'recovered')),
    status_seq      integer,
    started_at      timestamptz,
    ended_at        timestamptz,
    duration_s      double precision GENERATED ALWAYS AS (EXTRACT(EPOCH FROM (ended_at - started_at))) STORED,
    final_result    text,
    event_count     integer NOT NULL DEFAULT 0,
    error_count     integer NOT NULL DEFAULT 0,
    tool_call_count integer NOT NULL DEFAULT 0,
    recovery_count  integer NOT NULL DEFAULT 0,
    first_event_at  timestamptz NOT NULL,
    last_event_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE hindsight.executions IS 'One row per execution (agent run), consolidated by the tracker from its events, independent of arrival order.';
COMMENT ON COLUMN hindsight.executions.execution_id IS 'Execution UUID chosen by the agent.';
COMMENT ON COLUMN hindsight.executions.domain IS 'Goal domain of the execution (e.g. data_processing); the main grouping key for statistics.';
COMMENT ON COLUMN hindsight.executions.agent_id IS 'Identifier of the agent (bundle) that ran the execution.';
COMMENT ON COLUMN hindsight.executions.goal IS 'Goal text the agent was given.';
COMMENT ON COLUMN hindsight.executions.plan IS 'Planned phase names, in plan order.';
COMMENT ON COLUMN hindsight.executions.status IS 'running, completed, failed or recovered. Only completed counts as success in statistics (as in the seed).';
COMMENT ON COLUMN hindsight.executions.status_seq IS 'seq of the event that set status; a status from a lower seq never overwrites a higher one.';
COMMENT ON COLUMN hindsight.executions.started_at IS 'ts of the execution_started event (NULL until it arrives). Time windows filter on this column.';
COMMENT ON COLUMN hindsight.executions.ended_at IS 'ts of the execution_completed event (NULL while running).';
COMMENT ON COLUMN hindsight.executions.duration_s IS 'Generated: ended_at - started_at in seconds (NULL until both are known).';
COMMENT ON COLUMN hindsight.executions.final_result IS 'Result text reported on completion.';
COMMENT ON COLUMN hindsight.executions.event_count IS 'Number of distinct events stored for the execution.';
COMMENT ON COLUMN hindsight.executions.error_count IS 'Number of error events.';
COMMENT ON COLUMN hindsight.executions.tool_call_count IS 'Number of tool_used events.';
COMMENT ON COLUMN hindsight.executions.recovery_count IS 'Number of recovery_attempted events.';
COMMENT ON COLUMN hindsight.executions.first_event_at IS 'Smallest event ts seen for the execution (lower bound of its events'' partitions).';
COMMENT ON COLUMN hindsight.executions.last_event_at IS 'Largest event ts seen for the execution (upper bound of its events'' partitions).';
COMMENT ON COLUMN hindsight.executions.updated_at IS 'When the tracker last changed the row.';

CREATE TABLE hindsight.phases (
    execution_id         uuid NOT NULL,
    phase                text NOT NULL,
    started_at           timestamptz,
    start_seq            integer,
    ended_at             timestamptz,
    end_seq              integer,
    success              boolean,
    error                text,
    duration_s           double precision GENERATED ALWAYS AS (EXTRACT(EPOCH FROM (ended_at - started_at))) STORED,
    estimated_duration_s double precision,
    retry_count          integer NOT NULL DEFAULT 0,
    error_count          integer NOT NULL DEFAULT 0,
    PRIMARY KEY (execution_id, phase)
);

COMMENT ON TABLE hindsight.phases IS 'One row per (execution, phase), consolidated from phase_started / phase_completed / error events in any order.';
COMMENT ON COLUMN hindsight.phases.execution_id IS 'The execution; see executions.execution_id.';
COMMENT ON COLUMN hindsight.phases.phase IS 'Phase name as in the plan.';
COMMENT ON COLUMN hindsight.phases.started_at IS 'ts of the first phase_started event (NULL if not seen yet).';
COMMENT ON COLUMN hindsight.phases.start_seq IS 'seq of that phase_started event.';
COMMENT ON COLUMN hindsight.phases.ended_at IS 'ts of the first phase_completed event (NULL while running).';
COMMENT ON COLUMN hindsight.phases.end_seq IS 'seq of that phase_completed event.';
COMMENT ON COLUMN hindsight.phases.success IS 'Success flag reported by phase_completed (NULL while running).';
COMMENT ON COLUMN hindsight.phases.error IS 'Error message of the phase, if it failed.';
COMMENT ON COLUMN hindsight.phases.duration_s IS 'Generated: ended_at - started_at in seconds.';
COMMENT ON COLUMN hindsight.phases.estimated_duration_s IS 'Duration the plan estimated for the phase, in seconds, if known.';
COMMENT ON COLUMN hindsight.phases.retry_count IS 'Number of retries (recovery attempts) of the phase.';
COMMENT ON COLUMN hindsight.phases.error_count IS 'Number of error events in the phase.';

CREATE TABLE hindsight.tool_usage (
    execution_id uuid NOT NULL,
    tool         text NOT NULL,
    calls        integer NOT NULL DEFAULT 0,
    total_ms     double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (execution_id, tool)
);

COMMENT ON TABLE hindsight.tool_usage IS 'Tool calls per execution and tool, summed from tool_used events.';
COMMENT ON COLUMN hindsight.tool_usage.execution_id IS 'The execution; see executions.execution_id.';
COMMENT ON COLUMN hindsight.tool_usage.tool IS 'Tool name.';
COMMENT ON COLUMN hindsight.tool_usage.calls IS 'Number of calls of the tool in the execution.';
COMMENT ON COLUMN hindsight.tool_usage.total_ms IS 'Total time spent in the tool, in milliseconds.';
