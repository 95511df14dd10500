#!/usr/bin/env bash
# Run a command against a fresh PostgreSQL database of its own, dropped afterwards.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# PG_URL_BASE (default postgres://postgres@127.0.0.1:5432) names the server.
set -euo pipefail
base="${PG_URL_BASE:-postgres://postgres@127.0.0.1:5432}"
name="palava_ci_$$_$(date +%s)"
psql_admin() { psql "$base/postgres" -v ON_ERROR_STOP=1 -q -c "$1"; }
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; trying to start the local cluster" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
cleanup() {
  psql_admin "DROP DATABASE IF EXISTS \"test_$name\" WITH (FORCE)" || true
  psql_admin "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" || true
}
trap cleanup EXIT
psql_admin "CREATE DATABASE \"$name\""
echo "using PostgreSQL database $name" >&2
DATABASE_URL="$base/$name" "$@"
