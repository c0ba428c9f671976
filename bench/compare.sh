#!/usr/bin/env bash
# Gatehouse beside node-oidc-provider 9 and nginx, in one run on this machine (bench/compare.mjs
# says what it measures). The peer's ready configuration comes from ../shared/bench-peers (or
# PEER_SRC) and is installed with npm into BUILD_DIR/bench-peers once.
#
#   bench/compare.sh BUILD_DIR               e.g. bench/compare.sh build/release
#   DURATION=8s CONNECTIONS=64 ROUNDS=5 bench/compare.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/compare.sh BUILD_DIR}
bin=$(realpath "$build_dir/src/idp/gatehouse")
here=$(cd "$(dirname "$0")" && pwd)
peer_src=${PEER_SRC:-$here/../../shared/bench-peers/oidc-provider}
peer=$(realpath -m "$build_dir/bench-peers/oidc-provider")

[[ -x $bin ]] || { echo "compare.sh: no gatehouse binary at $bin" >&2; exit 1; }
password_bench=$(realpath -m "$build_dir/bench/password_bench")
sso_flows=$(realpath -m "$build_dir/bench/sso_flows")
for tool in "$password_bench" "$sso_flows"; do
  [[ -x $tool ]] || { echo "compare.sh: no $tool; configure $build_dir with -DGATEHOUSE_BENCH=ON" >&2; exit 1; }
done
for tool in wrk node npm /usr/sbin/nginx; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (scripts/install-deps.sh bench)" >&2; exit 1; }
done
if [[ ! -d $peer/node_modules/oidc-provider ]]; then
  [[ -f $peer_src/server.mjs ]] || { echo "compare.sh: no peer at $peer_src (set PEER_SRC)" >&2; exit 1; }
  mkdir -p "$peer"
  cp -r "$peer_src/." "$peer"
  chmod -R u+w "$peer"
  (cd "$peer" && npm install --no-audit --no-fund --loglevel=error >&2)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-compare.XXXXXX")
chmod 755 "$work"  # nginx's workers (an unprivileged user under root) read the static files
trap 'rm -rf "$work"' EXIT

echo
echo "$(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p'); $(date -u '+%F %H:%M UTC')"
env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p') \
  GATEHOUSE_BIN="$bin" PEER_DIR="$peer" WORK="$work" LUA="$here/client_credentials.lua" \
  PASSWORD_BENCH="$password_bench" SSO_FLOWS="$sso_flows" RSA_CEILING="$here/rsa_ceiling.sh" \
  node "$here/compare.mjs"
