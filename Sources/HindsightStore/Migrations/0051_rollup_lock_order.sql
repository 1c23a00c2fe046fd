-- 0051: lock the rollup rows a batch is going to change, in (domain, day) order, before the batch's
-- executions upsert.
--
-- An INSERT ... ON CONFLICT DO UPDATE on executions fires the rollup's AFTER INSERT and AFTER UPDATE
-- statement triggers one after the other. Each applies its deltas in (domain, day) order, but two
-- concurrent transactions can take the rows of the first pass and of the second in crossed orders and
-- deadlock (seen once trackers committed two batches at once). Taking every existing row's lock first,
-- in one ordered pass, removes the cycle. Rollup rows that do not exist yet (a domain's first execution
-- of a UTC day) are still created by the triggers; a deadlock there stays possible but rare, and the
-- tracker retries the batch.
-- SECURITY DEFINER: the tracker has no privilege on the rollup table.
CREATE FUNCTION hindsight.lock_rollup_rows(execution_ids uuid[], domains text[], started_us bigint[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM 1
    FROM hindsight.domain_daily_stats AS s
    WHERE (s.domain, s.day) IN (
        SELECT x.domain, (x.started_at AT TIME ZONE 'UTC')::date
        FROM hindsight.executions AS x
        WHERE x.execution_id = ANY (execution_ids) AND x.started_at IS NOT NULL
        UNION
        SELECT d.domain, ((TIMESTAMPTZ 'epoch' + d.started_us * INTERVAL '1 microsecond') AT TIME ZONE 'UTC')::date
        FROM unnest(domains, started_us) AS d(domain, started_us)
        WHERE d.started_us IS NOT NULL)
    ORDER BY s.domain, s.day
    FOR UPDATE OF s;
END;
$$;

COMMENT ON FUNCTION hindsight.lock_rollup_rows(uuid[], text[], bigint[]) IS
    'Locks, in (domain, day) order, the existing domain_daily_stats rows that an upsert of these executions (ids; domains and start times, in microseconds since the epoch, from the batch) can change. Called by the tracker before its executions upsert so concurrent batches cannot deadlock in the rollup triggers.';
REVOKE ALL ON FUNCTION hindsight.lock_rollup_rows(uuid[], text[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hindsight.lock_rollup_rows(uuid[], text[], bigint[]) TO hindsight_tracker;
