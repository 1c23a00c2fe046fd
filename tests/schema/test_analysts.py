"""The analysts' surface: docs/analysts.md's queries run as written, and hindsight_analyst reads everything, writes nothing.

A scratch database is migrated with the built `hindsight migrate` (as the owner), filled with executions
stored as the tracker stores them (analyst_data.py), and analysed by `hindsight analyze` as
hindsight_analyzer — the product's own path, so the insight tables hold what the analyzer writes. Then,
as hindsight_analyst:
- every ```sql block of docs/analysts.md runs and returns rows (the data is made so each has some);
- every table and view of the schema can be read;
- INSERT, UPDATE, DELETE (every table and view) and TRUNCATE (every table) fail with 42501, so do
  CREATE in the schema and the writing functions;
and the schema has the objects and migrations the analysts' page describes, each commented.

Needs the local PostgreSQL (scripts/services up) and the built binary `.build/debug/hindsight`.
Run: python3 -m pytest -q tests/schema/test_analysts.py
"""
from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

import analyst_data

psycopg = pytest.importorskip("psycopg")
from psycopg import sql  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "hindsight"
DOC = ROOT / "docs" / "analysts.md"
MIGRATIONS = ROOT / "Sources" / "HindsightStore" / "Migrations"
LOCAL_OWNER_URL = "postgres://hindsight_owner:hindsight_owner@127.0.0.1:5433/hindsight"

INSIGHT_TABLES = ["insight_domains", "insight_phases", "insight_error_patterns", "insight_phase_order", "insight_recovery"]
ANALYST_VIEWS = ["domain_insights", "slow_phases", "error_patterns", "phase_order", "daily_volume",
                 "recovery_effectiveness", "phase_trends"]
ANALYZER_TABLES = ["errors", "recovery_attempts", "domain_changes", "analysis_state", "rollup_dirty_days",
                   "phase_daily_stats", "domain_daily_durations"]
OLDER_OBJECTS = ["events", "executions", "phases", "tool_usage", "domain_daily_stats", "schema_migrations",
                 "execution_summary", "phase_stats", "domain_stats_daily", "tool_stats", "event_partitions"]


# ------------------------------------------------------------------------------------------- helpers

def owner_url() -> str:
    """The schema owner (HINDSIGHT_DATABASE_URL, as for the Swift tests; else the local services')."""
    return os.environ.get("HINDSIGHT_DATABASE_URL", LOCAL_OWNER_URL)


def with_database(url: str, database: str, role: str | None = None) -> str:
    """`url` on another database, optionally as another role (password HINDSIGHT_<ROLE>_PASSWORD, else
    the role name: the local convention, as StoreTestSupport.url(_:role:))."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if role is not None:
        key = "HINDSIGHT_" + role.removeprefix("hindsight_").upper() + "_PASSWORD"
        host = netloc.rsplit("@", 1)[-1]
        netloc = f"{role}:{os.environ.get(key, role)}@{host}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, parts.fragment))


def connect(url: str):
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def run_binary(*args: str, url: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    env.update(HINDSIGHT_DATABASE_URL=url, HINDSIGHT_LOG_LEVEL="warning")
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def sql_blocks() -> list[tuple[str, str]]:
    """(heading, query) for every ```sql block of docs/analysts.md, in order."""
    text = DOC.read_text(encoding="utf-8")
    blocks = []
    for match in re.finditer(r"^```sql\n(.*?)^```", text, re.M | re.S):
        headings = re.findall(r"^#{2,4} (.+)$", text[:match.start()], re.M)
        heading = headings[-1] if headings else "top"
        number = sum(1 for h, _ in blocks if h.startswith(heading)) + 1
        blocks.append((f"{heading} #{number}", match.group(1)))
    return blocks


def block_id(block: tuple[str, str]) -> str:
    return re.sub(r"[^a-z0-9#]+", "-", block[0].lower()).strip("-")


# ------------------------------------------------------------------------------------------- fixture

@pytest.fixture(scope="module")
def database():
    """A migrated scratch database with executions and the analyzer's insights; dropped afterwards."""
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"{BINARY} is missing: run swift build")
    owner = owner_url()
    try:
        admin = connect(owner)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is needed (scripts/services up): {error}")
    name = "hs_pytest_" + uuid.uuid4().hex[:16]
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        scratch = with_database(owner, name)
        migrated = run_binary("migrate", url=scratch)
        assert migrated.returncode == 0, f"hindsight migrate failed:\n{migrated.stderr[-3000:]}"
        with connect(scratch) as connection:
            analyst_data.load(connection, analyst_data.generate(analyst_data.now_utc()))
        analysed = run_binary("analyze", url=with_database(owner, name, "hindsight_analyzer"))
        assert analysed.returncode == 0, f"hindsight analyze failed:\n{analysed.stdout[-2000:]}\n{analysed.stderr[-3000:]}"
        yield {"owner": scratch, "analyst": with_database(owner, name, "hindsight_analyst"), "analyze": analysed.stdout}
    finally:
        drop_database(admin, name)
        admin.close()


def drop_database(admin, name: str, timeout: float = 30) -> None:
    """Drops the scratch database once the other roles' sessions are gone.

    The owner is no superuser: WITH (FORCE) cannot end another role's backend (the analyst's connection
    or the analyzer's pool may still be closing), so the drop is retried until they have left.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
        except psycopg.errors.ObjectInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def analyst(database):
    with connect(database["analyst"]) as connection:
        assert connection.execute("SELECT current_user").fetchone()[0] == "hindsight_analyst"
        yield connection


def relations(connection, kinds: str) -> list[str]:
    """Tables ('r', 'p', partitions included) or views ('v') of the schema, by name."""
    return [row[0] for row in connection.execute(
        """SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'hindsight' AND c.relkind = ANY (%s) ORDER BY 1""", (list(kinds),))]


def refused(connection, statement, not_updatable_view: bool = False) -> str | None:
    """None if `statement` was refused for lack of privilege, else what happened instead. A view that is
    not automatically updatable (joins, aggregates) refuses every write before privileges are checked."""
    try:
        connection.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return None
    except psycopg.errors.ObjectNotInPrerequisiteState as error:
        if not_updatable_view and "view" in str(error):
            return None
        return f"failed otherwise: {error.sqlstate} {error}"
    except psycopg.Error as error:
        return f"failed otherwise: {error.sqlstate} {error}"
    return "succeeded"


# ------------------------------------------------------------------------------- the page's queries

def test_the_page_has_the_ten_questions():
    blocks = sql_blocks()
    numbered = {h.split(".")[0] for h, _ in blocks if re.match(r"\d+\. ", h)}
    assert numbered == {str(n) for n in range(1, 11)}, sorted(numbered)
    text = DOC.read_text(encoding="utf-8")
    for name in ANALYST_VIEWS + INSIGHT_TABLES:
        assert f"`{name}`" in text, f"docs/analysts.md does not describe {name}"


@pytest.mark.parametrize("block", sql_blocks(), ids=block_id)
def test_every_query_of_the_page_runs_as_the_analyst(analyst, block):
    heading, query = block
    rows = analyst.execute(query).fetchall()
    assert rows, f"{heading}: no rows on a database made to answer it"


def test_the_analyzer_wrote_insights_for_every_domain(database, analyst):
    domains = sorted(analyst_data.DOMAINS)
    for table in INSIGHT_TABLES:
        found = [row[0] for row in analyst.execute(
            sql.SQL("SELECT DISTINCT domain FROM hindsight.{} ORDER BY 1").format(sql.Identifier(table)))]
        assert found == domains, f"{table}: {found}"
    due = analyst.execute("SELECT count(*) FROM hindsight.analysis_state WHERE changes > analyzed_changes").fetchone()[0]
    assert due == 0, "domains left due after a full round"


# ------------------------------------------------------------------------------------------ privileges

def test_the_analyst_reads_every_table_and_view(analyst):
    names = relations(analyst, "rpv")
    assert set(INSIGHT_TABLES + ANALYST_VIEWS + ANALYZER_TABLES + OLDER_OBJECTS) <= set(names)
    unreadable = []
    for name in names:
        try:
            analyst.execute(sql.SQL("SELECT * FROM hindsight.{} LIMIT 1").format(sql.Identifier(name))).fetchall()
        except psycopg.Error as error:
            unreadable.append(f"{name}: {error.sqlstate} {error}")
    assert not unreadable, "\n".join(unreadable)


def test_the_analyst_writes_nothing(analyst):
    failures = []
    tables = relations(analyst, "rp")
    updatable = {row[0] for row in analyst.execute(
        "SELECT table_name::text FROM information_schema.views WHERE table_schema = 'hindsight' AND is_insertable_into = 'YES'")}
    for name in tables + relations(analyst, "v"):
        target = sql.Identifier("hindsight", name)
        column = analyst.execute(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "AND attidentity = '' AND attgenerated = '' ORDER BY attnum LIMIT 1", (f"hindsight.{name}",)).fetchone()[0]
        statements = {
            "INSERT": sql.SQL("INSERT INTO {t} DEFAULT VALUES").format(t=target),
            "UPDATE": sql.SQL("UPDATE {t} SET {c} = {c} WHERE false").format(t=target, c=sql.Identifier(column)),
            "DELETE": sql.SQL("DELETE FROM {t} WHERE false").format(t=target),
        }
        if name in tables:
            statements["TRUNCATE"] = sql.SQL("TRUNCATE {t}").format(t=target)
        for verb, statement in statements.items():
            outcome = refused(analyst, statement, not_updatable_view=name not in tables and name not in updatable)
            if outcome:
                failures.append(f"{verb} {name}: {outcome}")
    for statement in ["CREATE TABLE hindsight.analyst_scratch (a int)",
                      "CREATE VIEW hindsight.analyst_scratch AS SELECT 1 AS a",
                      "CREATE FUNCTION hindsight.analyst_scratch() RETURNS int LANGUAGE sql RETURN 1",
                      "CREATE TABLE public.analyst_scratch (a int)",
                      "SELECT nextval(pg_get_serial_sequence('hindsight.domain_changes', 'id'))",
                      "SELECT hindsight.refresh_daily_rollups('automation', ARRAY[current_date], current_date - 30)",
                      "SELECT hindsight.delete_old_executions(now(), 10)",
                      "SELECT hindsight.drop_event_partitions(current_date - 3650)",
                      "SELECT hindsight.ensure_event_partitions(current_date, current_date + 1)",
                      "COMMENT ON TABLE hindsight.executions IS 'x'"]:
        outcome = refused(analyst, statement)
        if outcome:
            failures.append(f"{statement}: {outcome}")
    assert not failures, "\n".join(failures)


def test_no_definer_function_is_executable_by_the_analyst(analyst):
    executable = [row[0] for row in analyst.execute(
        """SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'hindsight' AND p.prosecdef AND has_function_privilege(p.oid, 'EXECUTE')""")]
    assert not executable, f"SECURITY DEFINER functions the analyst may call: {executable}"


# ---------------------------------------------------------------------------------------------- schema

def test_every_migration_file_is_applied(database):
    files = sorted((int(p.name[:4]), p.stem[5:]) for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    assert (60, "analyzer_inputs") in files and (61, "insights_and_rollups") in files
    with connect(database["owner"]) as owner:
        applied = owner.execute("SELECT version, name FROM hindsight.schema_migrations ORDER BY version").fetchall()
    assert [tuple(row) for row in applied] == files, "the binary's migrations differ from the files: rebuild"


def test_analyst_objects_and_their_columns_are_commented(analyst):
    names = INSIGHT_TABLES + ANALYST_VIEWS + ANALYZER_TABLES
    missing = [row[0] for row in analyst.execute(
        """SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'hindsight' AND c.relname = ANY (%s) AND obj_description(c.oid, 'pg_class') IS NULL
           UNION ALL
           SELECT c.relname || '.' || a.attname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE n.nspname = 'hindsight' AND c.relname = ANY (%s) AND col_description(c.oid, a.attnum) IS NULL
           ORDER BY 1""", (names, names))]
    assert not missing, f"without a comment (\\d+ shows nothing): {missing}"
    kinds = dict(analyst.execute(
        "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'hindsight' AND c.relname = ANY (%s)", (names,)).fetchall())
    assert all(kinds[v] == "v" for v in ANALYST_VIEWS) and all(kinds[t] == "r" for t in INSIGHT_TABLES + ANALYZER_TABLES)


def test_histogram_percentile_of_merged_days_matches_the_exact_percentile(analyst):
    """The page's claim: a percentile of merged histograms is within ±9.6 % of the exact one."""
    rows = analyst.execute(
        """SELECT x.domain,
                  hindsight.histogram_percentile(hindsight.histogram_merge(d.duration_histogram), 0.95),
                  (SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY e.duration_s) FROM hindsight.executions e
                   WHERE e.domain = x.domain AND e.duration_s IS NOT NULL
                     AND (e.started_at AT TIME ZONE 'UTC')::date = ANY (array_agg(d.day)))
           FROM (SELECT DISTINCT domain FROM hindsight.domain_daily_durations) x
           JOIN hindsight.domain_daily_durations d USING (domain)
           GROUP BY x.domain""").fetchall()
    assert len(rows) == len(analyst_data.DOMAINS)
    for domain, merged, exact in rows:
        assert exact is not None and merged is not None, domain
        assert abs(merged / exact - 1) <= 0.0961, f"{domain}: merged {merged} vs exact {exact}"
