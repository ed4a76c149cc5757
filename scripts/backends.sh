#!/usr/bin/env bash
# Starts (or stops) Postgres and Redis on 127.0.0.1 for local runs and tests, from Debian's packages,
# with state kept outside the repository. Usage: scripts/backends.sh start|stop|status
# Settings: PGPORT (5432), REDIS_PORT (6379), OTELKIT_STATE (~/.cache/otelkit/state; /var/tmp/otelkit as root).
set -euo pipefail

PGPORT="${PGPORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
# As root, Postgres runs as the postgres user, which cannot enter /root: state then lives in /var/tmp.
if [ "$(id -u)" = 0 ]; then DEFAULT_STATE=/var/tmp/otelkit; else DEFAULT_STATE="$HOME/.cache/otelkit/state"; fi
STATE="${OTELKIT_STATE:-$DEFAULT_STATE}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
PGDATA="$STATE/postgres"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi

die() { echo "backends: $*" >&2; exit 1; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgres() {
  [ -n "$PGBIN" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
  if listening "$PGPORT"; then echo "postgres: already listening on 127.0.0.1:$PGPORT"; else
    mkdir -p "$STATE"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      mkdir -p "$PGDATA"
      [ ${#RUN_AS[@]} -eq 0 ] || chown -R postgres:postgres "$PGDATA"
      "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --no-instructions >/dev/null
    fi
    [ ${#RUN_AS[@]} -eq 0 ] || chown postgres:postgres "$STATE"
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k /tmp -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$PGDATA/server.log" >&2; die "postgres did not start"; }
    echo "postgres: started on 127.0.0.1:$PGPORT"
  fi
  # Idempotent: the application role and databases, and pg_monitor for the Collector's receiver.
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -q >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'otelkit') THEN
    CREATE ROLE otelkit LOGIN PASSWORD 'otelkit' CREATEDB;
  END IF;
END $$;
GRANT pg_monitor TO otelkit;
SELECT 'CREATE DATABASE otelkit OWNER otelkit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'otelkit')\gexec
SELECT 'CREATE DATABASE otelkit_test OWNER otelkit' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'otelkit_test')\gexec
SQL
}

start_redis() {
  command -v redis-server >/dev/null || die "redis-server not found (apt-get install redis-server)"
  if listening "$REDIS_PORT"; then echo "redis: already listening on 127.0.0.1:$REDIS_PORT"; return; fi
  mkdir -p "$STATE"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --pidfile "$STATE/redis-$REDIS_PORT.pid" --logfile "$STATE/redis-$REDIS_PORT.log"
  for _ in $(seq 50); do listening "$REDIS_PORT" && break; sleep 0.1; done
  listening "$REDIS_PORT" || die "redis did not start (see $STATE/redis-$REDIS_PORT.log)"
  echo "redis: started on 127.0.0.1:$REDIS_PORT"
}

stop_all() {
  if [ -s "$PGDATA/postmaster.pid" ]; then "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && echo "postgres: stopped"; fi
  if [ -s "$STATE/redis-$REDIS_PORT.pid" ]; then
    kill "$(cat "$STATE/redis-$REDIS_PORT.pid")" 2>/dev/null && echo "redis: stopped" || true
    rm -f "$STATE/redis-$REDIS_PORT.pid"
  fi
}

case "${1:-}" in
  start) start_postgres; start_redis ;;
  stop) stop_all ;;
  status)
    listening "$PGPORT" && echo "postgres: up on $PGPORT" || echo "postgres: down"
    listening "$REDIS_PORT" && echo "redis: up on $REDIS_PORT" || echo "redis: down" ;;
  *) die "usage: scripts/backends.sh start|stop|status" ;;
esac
