#!/usr/bin/env bash
# PostgreSQL first-boot initialisation for Hindsight (run once by the postgres image's entrypoint on an
# empty data directory, as the superuser; also runnable by hand against any cluster as a superuser).
#
# Creates the LOGIN roles with their passwords, the database `hindsight` owned by hindsight_owner, the
# pg_trgm extension, and the per-role search_path that migration 0005 sets only when the migrating
# role may (the owner here deliberately gets no CREATEROLE: in PostgreSQL 15 that is nearly superuser).
# Everything else — schema, tables, grants — is `hindsight migrate`'s job (the compose `migrate` service).
#
# Passwords come from the environment, one variable per role (role name upper-cased):
#   HINDSIGHT_POSTGRES_PASSWORD_HINDSIGHT_OWNER, …_HINDSIGHT_TRACKER, …_HINDSIGHT_ANALYZER,
#   …_HINDSIGHT_ADAPTER, …_HINDSIGHT_ANALYST
# Unset ones fall back to the role name (the local-development convention) with a warning.
# HINDSIGHT_DATABASE_NAME (default hindsight) names the database. Idempotent.
set -euo pipefail

database="${HINDSIGHT_DATABASE_NAME:-hindsight}"
roles=(hindsight_owner hindsight_tracker hindsight_analyzer hindsight_adapter hindsight_analyst)
psql_super=(psql -X -q -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --no-password)

for role in "${roles[@]}"; do
  var="HINDSIGHT_POSTGRES_PASSWORD_${role^^}"
  password="${!var:-}"
  if [ -z "$password" ]; then
    echo "hindsight-init: warning: $var is not set; role $role gets the development password" >&2
    password="$role"
  fi
  # Values go in as psql variables (:'…' quotes them), never spliced into SQL text.
  "${psql_super[@]}" --dbname postgres -v role="$role" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password') \gexec
SQL
done

"${psql_super[@]}" --dbname postgres -v db="$database" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER hindsight_owner', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO hindsight_owner, hindsight_tracker, hindsight_analyzer, hindsight_adapter, hindsight_analyst', :'db') \gexec
SELECT format('GRANT TEMPORARY ON DATABASE %I TO hindsight_owner, hindsight_analyst', :'db') \gexec
SQL

"${psql_super[@]}" --dbname "$database" -v db="$database" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
SELECT format('ALTER DATABASE %I SET search_path = hindsight, public', :'db') \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = hindsight, public', r, :'db')
  FROM unnest(ARRAY['hindsight_owner','hindsight_tracker','hindsight_analyzer','hindsight_adapter','hindsight_analyst']) AS r \gexec
SQL

echo "hindsight-init: roles ${roles[*]} and database $database ready" >&2
