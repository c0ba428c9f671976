#!/usr/bin/env bash
# Every benchmark against BUILD_DIR (a Release build with -DGATEHOUSE_BENCH=ON), in order:
# signing and verification (jws_bench), ending a session (session_end_bench), HTTP load (load.sh),
# sign-out fan-out (logout_fanout.sh), SAML messages (saml_bench), SAML under load
# (saml_load.sh), several nodes on PostgreSQL (cluster.sh), session lookup with up to a million
# stored sessions (sessions.sh), the server's resident memory (memory.sh) and the side-by-side
# comparison with node-oidc-provider and nginx (compare.sh). `make bench` builds and runs this.
#
#   bench/run.sh BUILD_DIR        e.g. bench/run.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)

[[ -x $build_dir/bench/jws_bench ]] ||
  { echo "run.sh: no $build_dir/bench/jws_bench (configure with -DGATEHOUSE_BENCH=ON)" >&2; exit 1; }

echo "## Signing and verification (jws_bench)"
"$build_dir/bench/jws_bench"
echo
echo "## Ending a session with N participants (session_end_bench)"
"$build_dir/bench/session_end_bench"
echo
echo "## HTTP load (bench/load.sh)"
"$here/load.sh" "$build_dir"
echo
echo "## Sign-out fan-out (bench/logout_fanout.sh)"
"$here/logout_fanout.sh" "$build_dir"
echo
echo "## SAML messages, in-process (saml_bench)"
"$build_dir/bench/saml_bench"
echo
echo "## SAML under load (bench/saml_load.sh)"
"$here/saml_load.sh" "$build_dir"
echo
echo "## Several nodes on PostgreSQL (bench/cluster.sh)"
"$here/cluster.sh" "$build_dir"
echo
echo "## Session lookup with up to 1,000,000 sessions (bench/sessions.sh)"
"$here/sessions.sh" "$build_dir"
echo
echo "## Resident memory (bench/memory.sh)"
"$here/memory.sh" "$build_dir"
echo
echo "## Beside node-oidc-provider and nginx (bench/compare.sh)"
"$here/compare.sh" "$build_dir"
