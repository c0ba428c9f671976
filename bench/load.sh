#!/usr/bin/env bash
# Load benchmark: starts the gatehouse of BUILD_DIR (build it as Release) on an ephemeral loopback
# port with a throw-away data directory, runs wrk against discovery, the JWKS and the token
# endpoint (client_credentials), stops the server and prints a Markdown table.
#
#   bench/load.sh BUILD_DIR            e.g. bench/load.sh build/release
#   DURATION=10s THREADS=2 CONNECTIONS=32 bench/load.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/load.sh BUILD_DIR}
bin=$build_dir/src/idp/gatehouse
here=$(cd "$(dirname "$0")" && pwd)
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}
client_id=bench
client_secret=bench-secret-0123456789abcdef

[[ -x $bin ]] || { echo "load.sh: no gatehouse binary at $bin" >&2; exit 1; }
command -v wrk >/dev/null || { echo "load.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] || echo "load.sh: warning: $build_dir is a '${build_type:-unknown}' build, not Release" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-bench.XXXXXX")
server_pid=
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  local status=0
  wait "$server_pid" || status=$?
  server_pid=
  return "$status"
}
cleanup() { stop_server || true; rm -rf "$work"; }
trap cleanup EXIT

# Only our settings: the server refuses unknown GATEHOUSE_* variables. A command prefix, not a
# function, so that `&` below starts the server itself (env execs it) and $! is its pid.
gatehouse=(env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p')
  GATEHOUSE_DATA_DIR="$work/data" GATEHOUSE_SERVER_LISTEN=127.0.0.1:0 GATEHOUSE_LOG_LEVEL=warn
  "$bin")

"${gatehouse[@]}" client add --id "$client_id" --secret "$client_secret" \
  --redirect-uri https://rp.example/callback >/dev/null
"${gatehouse[@]}" serve --port-file "$work/port" >"$work/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 150); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { echo "load.sh: server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
base=http://127.0.0.1:$(cat "$work/port")
curl -fsS --max-time 5 "$base/healthz" >/dev/null

# Runs wrk and prints one table row: name, req/s, p50, p99, non-2xx/3xx responses.
run() {
  local name=$1; shift
  local out
  out=$(wrk --latency -t"$threads" -c"$connections" -d"$duration" "$@")
  echo "$out" >"$work/wrk-${name//[^a-z]/_}.txt"
  echo "$out" | grep -E '^non-200|^  [0-9]{3} x' >&2 || true
  echo "$out" | awk -v name="$name" '
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = $2 }
    $1 == "99%" { p99 = $2 }
    /Non-2xx or 3xx responses:/ { bad = $NF }
    /Socket errors:/ { errors = $0; sub(/^ *Socket errors: */, "", errors) }
    END { printf "| %s | %s | %s | %s | %s | %s |\n", name, rps, p50, p99, bad + 0, errors ? errors : "none" }'
}

rows=$(
  run "GET /.well-known/openid-configuration" "$base/.well-known/openid-configuration"
  run "GET /jwks" "$base/jwks"
  run "POST /token (client_credentials)" -s "$here/client_credentials.lua" "$base/token" \
    -- "$client_id" "$client_secret"
)

status=0
stop_server || status=$?
[[ $status -eq 0 ]] || { echo "load.sh: server exited with $status on SIGTERM" >&2; tail -20 "$work/server.log" >&2; }

echo
echo "wrk: $threads threads, $connections connections, $duration per endpoint; $(nproc) CPUs;" \
  "$(lscpu | sed -n 's/^Model name: *//p')"
echo
echo "| Endpoint | Requests/s | p50 | p99 | Non-2xx/3xx | Socket errors |"
echo "|---|---:|---:|---:|---:|---|"
echo "$rows"
exit "$status"
