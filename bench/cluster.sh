#!/usr/bin/env bash
# Multi-node benchmark: Gatehouse behind nginx on one SQLite file and on PostgreSQL with 1, 2 and
# 3 nodes (bench/cluster.mjs says what it measures). Needs a Release build configured with
# -DGATEHOUSE_BENCH=ON (for bench/logout_receivers), wrk, nginx and PostgreSQL (make bench
# installs them). Prints a Markdown table.
#
#   bench/cluster.sh BUILD_DIR                                  e.g. bench/cluster.sh build/release
#   CONFIGS=sqlite:1,postgres:3 SESSIONS=20 PARTICIPANTS=100 DURATION=5s bench/cluster.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/cluster.sh BUILD_DIR}
bin=$(realpath "$build_dir/src/idp/gatehouse")
receivers=$(realpath "$build_dir/bench/logout_receivers")
here=$(cd "$(dirname "$0")" && pwd)

[[ -x $bin ]] || { echo "cluster.sh: no gatehouse binary at $bin" >&2; exit 1; }
[[ -x $receivers ]] || { echo "cluster.sh: no $receivers; configure with -DGATEHOUSE_BENCH=ON" >&2; exit 1; }
for tool in wrk node /usr/sbin/nginx; do
  command -v "$tool" >/dev/null || { echo "cluster.sh: $tool is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-cluster.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo
echo "$(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p'); $(date -u +%F)"
# Only our settings: the server refuses unknown GATEHOUSE_* variables.
env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p') \
  GATEHOUSE_BIN="$bin" RECEIVERS_BIN="$receivers" WORK="$work" LUA="$here/client_credentials.lua" \
  node "$here/cluster.mjs"
