-- 0062 the adaptation worker's inputs: the p75/p90 of phase durations (the core's duration step uses
-- p90, so the adapter rebuilds the exact PerformanceInsights the analyzer computed), trigram search on
-- goals (similar executions), the A/B variant an execution ran and the analyzer's variant results and
-- promotions. The adapter (hindsight_adapter) only reads: SELECT comes from 0005's default privileges.

-- Phase percentiles the core uses ------------------------------------------------------------------
ALTER TABLE hindsight.insight_phases ADD COLUMN IF NOT EXISTS p75_s double precision;
ALTER TABLE hindsight.insight_phases ADD COLUMN IF NOT EXISTS p90_s double precision;
COMMENT ON COLUMN hindsight.insight_phases.p75_s IS '75th percentile duration, seconds (NULL only for rows written before 0062).';
COMMENT ON COLUMN hindsight.insight_phases.p90_s IS '90th percentile duration, seconds: the adapter''s re-estimates and estimate intervals use it (NULL only for rows written before 0062).';

-- Similar executions: trigram similarity on the goal text ------------------------------------------
-- pg_trgm is trusted (PostgreSQL 13+): the database owner may create it. deploy/postgres/init and
-- scripts/services already create it as the superuser; this keeps scratch databases working too.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX IF NOT EXISTS executions_goal_trgm ON hindsight.executions USING gin (goal public.gin_trgm_ops);
COMMENT ON INDEX hindsight.executions_goal_trgm IS 'Trigram index on goal: the adapter''s similar-execution search (goal % $1, similarity()).';

-- The A/B variant an execution ran -----------------------------------------------------------------
ALTER TABLE hindsight.executions ADD COLUMN IF NOT EXISTS ab_test text;
ALTER TABLE hindsight.executions ADD COLUMN IF NOT EXISTS variant text CHECK (variant IN ('A', 'B'));
COMMENT ON COLUMN hindsight.executions.ab_test IS 'A/B test the execution took part in (data.ab_test of its execution_started, e.g. <domain>/adapted-v1); NULL if none. Set with the other start fields (lowest meta_seq wins).';
COMMENT ON COLUMN hindsight.executions.variant IS 'Variant of ab_test the execution ran: A (control, the plan as sent) or B (the adapted plan); NULL if none.';
CREATE INDEX IF NOT EXISTS executions_ab_test ON hindsight.executions (domain, ab_test, started_at) WHERE ab_test IS NOT NULL;

-- The analyzer's variant results -------------------------------------------------------------------
CREATE TABLE hindsight.insight_variants (
    domain          text NOT NULL,
    test            text NOT NULL,
    variant         text NOT NULL CHECK (variant IN ('A', 'B')),
    computed_at     timestamptz NOT NULL,
    window_start    timestamptz NOT NULL,
    window_end      timestamptz NOT NULL,
    executions      integer NOT NULL,
    completed       integer NOT NULL,
    success_rate    double precision NOT NULL,
    mean_duration_s double precision,
    p_value         double precision,
    verdict         text NOT NULL CHECK (verdict IN ('collectMoreData', 'adoptCandidate', 'keepControl')),
    winner          text CHECK (winner IN ('A', 'B')),
    reason          text NOT NULL,
    PRIMARY KEY (domain, test, variant)
);
COMMENT ON TABLE hindsight.insight_variants IS 'Per domain, A/B test and variant: executions started within the analysis window that ran the variant, their outcomes, and the core''s decision for the test (ABTest.decision, a two-proportion z-test on completion). Replaced with the domain''s other insight rows.';
COMMENT ON COLUMN hindsight.insight_variants.domain IS 'executions.domain.';
COMMENT ON COLUMN hindsight.insight_variants.test IS 'executions.ab_test.';
COMMENT ON COLUMN hindsight.insight_variants.variant IS 'A (control) or B (candidate).';
COMMENT ON COLUMN hindsight.insight_variants.computed_at IS 'When the analysis ran.';
COMMENT ON COLUMN hindsight.insight_variants.window_start IS 'Executions started at or after this are included.';
COMMENT ON COLUMN hindsight.insight_variants.window_end IS 'End of the window (= computed_at).';
COMMENT ON COLUMN hindsight.insight_variants.executions IS 'Executions of the variant in the window (any status).';
COMMENT ON COLUMN hindsight.insight_variants.completed IS 'How many of them completed (the only success).';
COMMENT ON COLUMN hindsight.insight_variants.success_rate IS 'completed / executions.';
COMMENT ON COLUMN hindsight.insight_variants.mean_duration_s IS 'Mean duration of its finished executions, seconds (NULL without any).';
COMMENT ON COLUMN hindsight.insight_variants.p_value IS 'Two-sided p-value of the deciding test (same on both rows): the two-proportion z-test on completion, or Welch''s t-test on duration when completion does not differ; NULL while a variant has fewer than 30 executions.';
COMMENT ON COLUMN hindsight.insight_variants.verdict IS 'The core''s verdict for the test (ABTestDecision.Verdict, same on both rows): collectMoreData, adoptCandidate (B) or keepControl (A, also when nothing differs significantly).';
COMMENT ON COLUMN hindsight.insight_variants.winner IS 'The variant that won significantly (p < alpha 0.05 with at least 30 executions per variant), NULL if none (same on both rows).';
COMMENT ON COLUMN hindsight.insight_variants.reason IS 'The core''s reason for the verdict, in words.';

CREATE TABLE hindsight.ab_promotions (
    domain       text NOT NULL,
    test         text NOT NULL,
    winner       text NOT NULL CHECK (winner IN ('A', 'B')),
    p_value      double precision NOT NULL,
    executions_a integer NOT NULL,
    executions_b integer NOT NULL,
    promoted_at  timestamptz NOT NULL,
    promoted_by  text NOT NULL,
    PRIMARY KEY (domain, test)
);
COMMENT ON TABLE hindsight.ab_promotions IS 'A/B tests decided: the first analysis in which a variant won significantly (alpha 0.05, at least 30 executions per variant). Never deleted by the analyzer: after promotion every execution of the domain gets the winner.';
COMMENT ON COLUMN hindsight.ab_promotions.domain IS 'executions.domain.';
COMMENT ON COLUMN hindsight.ab_promotions.test IS 'executions.ab_test.';
COMMENT ON COLUMN hindsight.ab_promotions.winner IS 'The winning variant, A or B.';
COMMENT ON COLUMN hindsight.ab_promotions.p_value IS 'p-value of the deciding analysis.';
COMMENT ON COLUMN hindsight.ab_promotions.executions_a IS 'Executions of variant A in the deciding analysis.';
COMMENT ON COLUMN hindsight.ab_promotions.executions_b IS 'Executions of variant B in the deciding analysis.';
COMMENT ON COLUMN hindsight.ab_promotions.promoted_at IS 'computed_at of the deciding analysis.';
COMMENT ON COLUMN hindsight.ab_promotions.promoted_by IS 'Instance name of the analyzer that promoted it.';

GRANT SELECT, INSERT, UPDATE, DELETE ON hindsight.insight_variants TO hindsight_analyzer;
GRANT SELECT, INSERT ON hindsight.ab_promotions TO hindsight_analyzer;
