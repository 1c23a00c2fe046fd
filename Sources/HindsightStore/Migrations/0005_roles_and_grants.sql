-- 0005 roles and least-privilege grants (docs/conventions-for-contributors.md, "PostgreSQL roles").
--
-- Roles are cluster-wide: they are created NOLOGIN only if missing; `scripts/services up` and the
-- deployment's init script give them LOGIN and a password. Grants are per database, so every
-- database migrated (including the tests' scratch databases) gets them.
--
-- The owner (the role running migrations) owns every object. Nobody else may CREATE in the schema or
-- DROP anything (DROP needs ownership). SECURITY DEFINER functions give the tracker exactly the two
-- extra powers it needs: creating event partitions and updating the domain_daily_stats rollup.
--
-- Insight tables (analyzer output, a later migration) get SELECT for every reading role through
-- the default privileges below; that migration must add
--     GRANT INSERT, UPDATE, DELETE, TRUNCATE ON hindsight.<insight table> TO hindsight_analyzer;
-- explicitly (default privileges cannot tell insight tables from raw tables).

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['hindsight_tracker', 'hindsight_analyzer', 'hindsight_adapter', 'hindsight_analyst'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- created concurrently
            END;
        END IF;
    END LOOP;
END
$$;

-- search_path hindsight, public for every role in this database (and the database default for
-- tools connecting as other roles). Needs CREATEROLE / database ownership; skipped with a notice
-- where the migrating role lacks it (objects are always schema-qualified in Hindsight's own SQL).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['hindsight_tracker', 'hindsight_analyzer', 'hindsight_adapter', 'hindsight_analyst', current_user::text] LOOP
        BEGIN
            EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path = hindsight, public', r, current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'not allowed to set search_path of role %, skipped', r;
        END;
    END LOOP;
    BEGIN
        EXECUTE format('ALTER DATABASE %I SET search_path = hindsight, public', current_database());
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'not allowed to set the database search_path, skipped';
    END;
    BEGIN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'not allowed to revoke CREATE on schema public, skipped';
    END;
END
$$;

REVOKE ALL ON SCHEMA hindsight FROM PUBLIC;
GRANT USAGE ON SCHEMA hindsight
    TO hindsight_tracker, hindsight_analyzer, hindsight_adapter, hindsight_analyst;

-- Tracker: writes raw and consolidated rows, creates partitions through the definer function.
GRANT SELECT, INSERT, UPDATE
    ON hindsight.events, hindsight.executions, hindsight.phases, hindsight.tool_usage
    TO hindsight_tracker;
GRANT EXECUTE ON FUNCTION hindsight.ensure_event_partitions(date, date) TO hindsight_tracker;

-- Analyzer, adapter, analyst: read everything in the schema (tables and views).
GRANT SELECT ON ALL TABLES IN SCHEMA hindsight
    TO hindsight_analyzer, hindsight_adapter, hindsight_analyst;

-- Future tables and views created by the owner in this schema follow the same rule.
ALTER DEFAULT PRIVILEGES IN SCHEMA hindsight
    GRANT SELECT ON TABLES TO hindsight_analyzer, hindsight_adapter, hindsight_analyst;
