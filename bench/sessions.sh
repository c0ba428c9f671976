#!/usr/bin/env bash
# Session lookup with 1,000 to 1,000,000 stored sessions (bench/session_lookup_bench.cc), on
# SQLite and on a throwaway PostgreSQL cluster (tests/support/throwaway-postgres.sh).
#
#   bench/sessions.sh BUILD_DIR        e.g. bench/sessions.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/sessions.sh BUILD_DIR}
bench=$build_dir/bench/session_lookup_bench
here=$(cd "$(dirname "$0")" && pwd)
[[ -x $bench ]] || { echo "sessions.sh: no $bench; configure with -DGATEHOUSE_BENCH=ON" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-sessions.XXXXXX")
trap '"$here/../tests/support/throwaway-postgres.sh" destroy "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "## SQLite"
GATEHOUSE_BENCH_STORE="sqlite:$work/sessions.db" "$bench"
echo
echo "## PostgreSQL 15"
url=$("$here/../tests/support/throwaway-postgres.sh" start "$work/pg")
GATEHOUSE_BENCH_STORE="postgres:$url" "$bench"
