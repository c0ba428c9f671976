#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's postgresql package: its
# own data directory and Unix socket inside DIR, no TCP port, trust authentication for the role
# "gatehouse", and no fsync (nothing in it outlives the run).
#
#   throwaway-postgres.sh start DIR     initialises DIR on first use, starts the server, and
#                                       prints the connection URL of the database "gatehouse"
#   throwaway-postgres.sh stop DIR      stops it (fast shutdown: sessions are cut off)
#   throwaway-postgres.sh destroy DIR   stops it and removes DIR
#
# PostgreSQL refuses to run as root, so under root (CI) the server runs as the "postgres" system
# user the package creates, DIR is handed to it, and DIR's parent is opened for passing through.
set -euo pipefail
cmd=${1:?usage: throwaway-postgres.sh start|stop|destroy DIR}
dir=${2:?usage: throwaway-postgres.sh start|stop|destroy DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$bin/pg_ctl" ] || { echo "throwaway-postgres: PostgreSQL is not installed (scripts/install-deps.sh test)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url="postgresql:///gatehouse?host=$dir&user=gatehouse"
case "$cmd" in
  start)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        # A mktemp directory is root's alone; the server only needs to pass through it.
        chmod o+x "$(dirname "$dir")"
      fi
      as_owner "$bin/initdb" -D "$dir/data" -U gatehouse --auth=trust --no-sync -E UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      fresh=1
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    if [ -n "${fresh:-}" ]; then
      "$bin/createdb" -h "$dir" -U gatehouse gatehouse
    fi
    echo "$url"
    ;;
  stop)
    [ ! -f "$dir/data/postmaster.pid" ] || as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  destroy)
    [ ! -f "$dir/data/postmaster.pid" ] || as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "throwaway-postgres: unknown command $cmd" >&2
    exit 2
    ;;
esac
