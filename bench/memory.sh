#!/usr/bin/env bash
# Resident memory of the server (bench/memory.mjs) at start and after one sign-in, with 0,
# 100,000 and 1,000,000 sessions already stored (filled by bench/session_lookup_bench).
#
#   bench/memory.sh BUILD_DIR        e.g. bench/memory.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/memory.sh BUILD_DIR}
bin=$(realpath "$build_dir/src/idp/gatehouse")
fill=$(realpath "$build_dir/bench/session_lookup_bench")
here=$(cd "$(dirname "$0")" && pwd)
[[ -x $bin && -x $fill ]] || { echo "memory.sh: build gatehouse and session_lookup_bench in $build_dir" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077  # the server refuses a data directory others may read

echo
echo "| Stored sessions | RSS at start | RSS after one sign-in |"
echo "|---:|---:|---:|"
for sessions in 0 100000 1000000; do
  mkdir -p "$work/$sessions"
  if [[ $sessions -gt 0 ]]; then
    GATEHOUSE_BENCH_STORE="sqlite:$work/$sessions/gatehouse.db" "$fill" \
      --benchmark_filter="BM_FindSessionByKeyHash/$sessions/" >/dev/null 2>&1
  fi
  env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p') GATEHOUSE_BIN="$bin" \
    DATA="$work/$sessions" LABEL="$sessions" node "$here/memory.mjs"
done
