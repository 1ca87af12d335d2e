#!/usr/bin/env bash
# Start/stop a throwaway PostgreSQL cluster on loopback for the store tests.
# `start` prints the SQLAlchemy URL on stdout; `stop` stops it and removes its data.
set -euo pipefail
DIR="${PILOT_INTAKE_PG_DIR:-/tmp/pilot-intake-pg}"
PORT="${PILOT_INTAKE_PG_PORT:-54329}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "error: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 3; }

as_pg() {
  # The server refuses to run as root: use the postgres account the Debian package made.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [ -f "$DIR/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      echo "postgresql+psycopg://pilot@127.0.0.1:$PORT/pilot_test"; exit 0
    fi
    rm -rf "$DIR"; mkdir -p "$DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
    as_pg "$BIN/initdb" -D "$DIR" -U pilot --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U pilot pilot_test
    echo "postgresql+psycopg://pilot@127.0.0.1:$PORT/pilot_test"
    ;;
  stop)
    [ -d "$DIR" ] && as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
