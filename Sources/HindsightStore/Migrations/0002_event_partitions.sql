-- 0002 daily partitions of hindsight.events: creation ahead of time and retention by dropping.
--
-- Both functions are SECURITY DEFINER (they run as the schema owner), so the tracker role may create
-- the partitions it needs without any CREATE right of its own. They pin search_path and qualify
-- every name, as SECURITY DEFINER functions must.
--
-- Creating a partition takes an ACCESS EXCLUSIVE lock on hindsight.events until the transaction
-- ends: call ensure_event_partitions in its own short transaction (at start-up and on a timer), not
-- inside an ingestion batch. Existing partitions are skipped without taking any lock.

CREATE FUNCTION hindsight.ensure_event_partitions(from_day date, to_day date)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    day date := from_day;
    part text;
    created integer := 0;
BEGIN
    IF from_day IS NULL OR to_day IS NULL THEN
        RAISE EXCEPTION 'ensure_event_partitions: from_day and to_day must not be NULL';
    END IF;
    IF to_day - from_day > 3660 THEN
        RAISE EXCEPTION 'ensure_event_partitions: at most 3660 days at once (asked for % .. %)', from_day, to_day;
    END IF;
    WHILE day <= to_day LOOP
        part := 'events_' || to_char(day, 'YYYYMMDD');
        IF to_regclass('hindsight.' || part) IS NULL THEN
            BEGIN
                EXECUTE format(
                    'CREATE TABLE hindsight.%I PARTITION OF hindsight.events FOR VALUES FROM (%L) TO (%L)',
                    part,
                    (day::timestamp AT TIME ZONE 'UTC'),
                    ((day + 1)::timestamp AT TIME ZONE 'UTC'));
                EXECUTE format('COMMENT ON TABLE hindsight.%I IS %L', part,
                    'Daily partition of hindsight.events for ' || day::text || ' (UTC).');
                created := created + 1;
            EXCEPTION
                -- Another session created it between our check and our CREATE: that is success.
                WHEN duplicate_table OR unique_violation THEN NULL;
            END;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END;
$$;

COMMENT ON FUNCTION hindsight.ensure_event_partitions(date, date) IS
    'Creates the missing daily partitions events_YYYYMMDD for every UTC day from from_day to to_day (inclusive); returns how many it created. Idempotent and safe to call concurrently. Runs as the owner (SECURITY DEFINER).';

CREATE FUNCTION hindsight.drop_event_partitions(before_day date)
RETURNS SETOF text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    part text;
BEGIN
    FOR part IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'hindsight.events'::regclass
          AND c.relname ~ '^events_[0-9]{8}$'
          AND to_date(substr(c.relname, 8), 'YYYYMMDD') < before_day
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE hindsight.%I', part);
        RETURN NEXT part;
    END LOOP;
END;
$$;

COMMENT ON FUNCTION hindsight.drop_event_partitions(date) IS
    'Retention: drops every daily partition of hindsight.events whose day is before before_day (UTC) and returns the dropped partition names. Consolidated rows (executions, phases, tool_usage) are kept.';

REVOKE ALL ON FUNCTION hindsight.ensure_event_partitions(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION hindsight.drop_event_partitions(date) FROM PUBLIC;

-- Partitions for yesterday .. a week ahead, so a fresh database accepts events at once.
SELECT hindsight.ensure_event_partitions(
    (now() AT TIME ZONE 'UTC')::date - 1,
    (now() AT TIME ZONE 'UTC')::date + 7);
