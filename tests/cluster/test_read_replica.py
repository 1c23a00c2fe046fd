"""The streaming read replica of `scripts/services replica up` (docs/operations.md, "Read replica").

1. It is a hot standby in recovery, streaming from the local PostgreSQL through the slot `hindsight_replica`;
   `replica status` shows the state and the lag.
2. A row committed on the primary is readable on the replica within a few seconds. The row goes into a
   scratch database the test creates and drops (as hindsight_owner, which may create databases locally), so
   schema hindsight and the other tests' data are left alone.
3. hindsight_analyst (roles replicate with the copy) logs in on the replica, reads every view of schema
   hindsight, holds no write privilege there, and every INSERT/UPDATE/DELETE it tries is refused.
"""
from __future__ import annotations

import time
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from ha_services import services

# A view that is not automatically updatable refuses before the read-only check does.
WRITE_ERRORS = (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege,
                psycopg.errors.ObjectNotInPrerequisiteState)


def connect(url: str, **overrides) -> psycopg.Connection:
    parts = urlsplit(url)
    settings = {"host": parts.hostname, "port": parts.port, "user": parts.username, "password": parts.password,
                "dbname": parts.path.lstrip("/"), "connect_timeout": 10}
    settings.update(overrides)
    return psycopg.connect(**settings)


@pytest.fixture(scope="module")
def analyst(replica):
    with connect(replica["url"], autocommit=True) as connection:
        yield connection


def test_replica_is_a_streaming_hot_standby(replica):
    with connect(replica["url"], autocommit=True) as connection:
        assert connection.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
        assert connection.execute("SHOW hot_standby").fetchone()[0] == "on"
        assert connection.execute("SELECT pg_last_wal_receive_lsn() IS NOT NULL").fetchone()[0] is True
    out = services("replica", "status").stdout
    assert "replica: running on 127.0.0.1:" in out, out
    assert "hindsight_replica streaming" in out and " bytes" in out, out
    assert "slot hindsight_replica: active" in out, out


def test_a_row_written_on_the_primary_is_replayed_within_seconds(replica):
    scratch = f"hindsight_replica_probe_{uuid.uuid4().hex[:12]}"
    primary_url = replica["primary_url"]
    with connect(primary_url, autocommit=True) as owner:
        owner.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        with connect(primary_url, dbname=scratch, autocommit=True) as primary:
            primary.execute("CREATE TABLE probe (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())")
            marker = uuid.uuid4()
            primary.execute("INSERT INTO probe (id) VALUES (%s)", (marker,))
            committed = time.monotonic()
        # The owner may connect to the database it created; on the replica too (same catalogs).
        deadline = committed + 10
        seen_after = None
        while time.monotonic() < deadline:
            try:
                with connect(replica["url"], dbname=scratch, user=urlsplit(primary_url).username,
                             password=urlsplit(primary_url).password, autocommit=True) as standby:
                    if standby.execute("SELECT count(*) FROM probe WHERE id = %s", (marker,)).fetchone()[0] == 1:
                        seen_after = time.monotonic() - committed
                        break
            except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
                pass  # the database (refused at connection) or the table has not been replayed yet
            time.sleep(0.1)
        assert seen_after is not None, "the row committed on the primary was not on the replica within 10 s"
        print(f"row replayed on the replica {seen_after:.2f} s after its commit")
    finally:
        with connect(primary_url, autocommit=True) as owner:
            owner.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


def views(connection: psycopg.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT viewname FROM pg_views WHERE schemaname = 'hindsight' "
        "UNION SELECT matviewname FROM pg_matviews WHERE schemaname = 'hindsight' ORDER BY 1").fetchall()
    return [name for (name,) in rows]


def test_the_analyst_reads_every_view(replica, analyst):
    assert analyst.execute("SELECT current_user").fetchone()[0] == "hindsight_analyst"
    on_replica = views(analyst)
    assert on_replica, "no views in schema hindsight on the replica (has `hindsight migrate` run?)"
    with connect(replica["primary_url"], autocommit=True) as primary:
        assert on_replica == views(primary), "the replica's views differ from the primary's"
    for view in on_replica:
        analyst.execute(sql.SQL("SELECT * FROM hindsight.{} LIMIT 5").format(sql.Identifier(view))).fetchall()


def test_the_analyst_can_write_nothing(analyst):
    relations = analyst.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'hindsight' AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1").fetchall()
    assert relations
    writable = [name for name, _ in relations if analyst.execute(
        "SELECT has_table_privilege('hindsight.' || quote_ident(%s), 'INSERT, UPDATE, DELETE, TRUNCATE')", (name,)).fetchone()[0]]
    assert not writable, f"hindsight_analyst holds write privileges on {writable}"
    # Every relation of the schema (tables and views): INSERT, UPDATE and DELETE are refused.
    for name, _ in relations:
        column = analyst.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = ('hindsight.' || quote_ident(%s))::regclass "
            "AND attnum > 0 AND NOT attisdropped AND attidentity = '' AND attgenerated = '' ORDER BY attnum LIMIT 1", (name,)).fetchone()[0]
        target, col = sql.Identifier("hindsight", name), sql.Identifier(column)
        for statement in (sql.SQL("INSERT INTO {} DEFAULT VALUES").format(target),
                          sql.SQL("UPDATE {} SET {} = {} WHERE false").format(target, col, col),
                          sql.SQL("DELETE FROM {} WHERE false").format(target)):
            with pytest.raises(WRITE_ERRORS):
                analyst.execute(statement)
    # Nor anything else: the standby refuses every write, whatever the privileges.
    for statement in ("CREATE TABLE hindsight.analyst_probe (x int)", "CREATE TEMP TABLE analyst_probe (x int)"):
        with pytest.raises(WRITE_ERRORS):
            analyst.execute(statement)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        analyst.execute("INSERT INTO hindsight.executions DEFAULT VALUES")
