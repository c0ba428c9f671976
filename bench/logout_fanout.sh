#!/usr/bin/env bash
# Sign-out fan-out benchmark: starts the gatehouse of BUILD_DIR (build it as Release) with a
# throw-away data directory, N clients whose back-channel logout URIs point at local keep-alive
# receivers (bench/logout_receivers.cc, built with -DGATEHOUSE_BENCH=ON), and measures for N = 1, 10, 100, 1000 participants
# (a) the sign-out's response time, (b) the time until every participant has its logout token,
# and (c) delivered logout tokens per second under sustained sign-outs, next to this machine's
# RS256 signing ceiling (`openssl speed rsa2048` sign/s × CPUs). Prints Markdown tables.
#
#   bench/logout_fanout.sh BUILD_DIR        e.g. bench/logout_fanout.sh build/release
#   SIZES=1,10,100 REPS=3 SUSTAINED_SESSIONS=20 SUSTAINED_PARTICIPANTS=100 bench/logout_fanout.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/logout_fanout.sh BUILD_DIR}
bin=$(realpath "$build_dir/src/idp/gatehouse")
receivers=$(realpath "$build_dir/bench/logout_receivers")
here=$(cd "$(dirname "$0")" && pwd)

[[ -x $bin ]] || { echo "logout_fanout.sh: no gatehouse binary at $bin" >&2; exit 1; }
[[ -x $receivers ]] ||
  { echo "logout_fanout.sh: no $receivers; configure $build_dir with -DGATEHOUSE_BENCH=ON" >&2; exit 1; }
command -v node >/dev/null || { echo "logout_fanout.sh: node (>= 20) is missing" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] ||
  echo "logout_fanout.sh: warning: $build_dir is a '${build_type:-unknown}' build, not Release" >&2

# Every token is one RS256 signature, so this is what delivery could reach if signing were all
# the IdP did, on every CPU.
sign_per_cpu=$("$here/rsa_ceiling.sh")

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-fanout.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo
echo "$(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p'); RS256 (openssl speed rsa2048):" \
  "$sign_per_cpu sign/s per CPU"
# Only our settings: the server refuses unknown GATEHOUSE_* variables.
env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p') \
  GATEHOUSE_BIN="$bin" RECEIVERS_BIN="$receivers" WORK="$work" \
  SIGN_CEILING="$(awk -v s="$sign_per_cpu" -v n="$(nproc)" 'BEGIN { print s * n }')" \
  node "$here/logout_fanout.mjs"
