#!/usr/bin/env bash
# SAML under load: starts the gatehouse of BUILD_DIR (build it as Release, -DGATEHOUSE_BENCH=ON)
# with a throw-away data directory and SPS SAML service providers whose SOAP SingleLogoutServices
# are local receivers, and measures SSO Responses per second for a signed-in user (wrk) and SOAP
# LogoutRequests delivered per second in a sustained fan-out, beside the RSA-2048 signing ceiling.
# See bench/saml_load.mjs. Prints a Markdown table.
#
#   bench/saml_load.sh BUILD_DIR                 e.g. bench/saml_load.sh build/release
#   SPS=20 SESSIONS=10 WRK_DURATION=5s bench/saml_load.sh build/release
set -euo pipefail

build_dir=${1:?usage: bench/saml_load.sh BUILD_DIR}
bin=$(realpath "$build_dir/src/idp/gatehouse")
receivers=$(realpath "$build_dir/bench/logout_receivers")
here=$(cd "$(dirname "$0")" && pwd)
for tool in node wrk openssl; do
  command -v "$tool" >/dev/null || { echo "saml_load.sh: $tool is missing" >&2; exit 1; }
done
[[ -x $receivers ]] ||
  { echo "saml_load.sh: no $receivers; configure $build_dir with -DGATEHOUSE_BENCH=ON" >&2; exit 1; }

sign_per_cpu=$("$here/rsa_ceiling.sh")
work=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-saml-load.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Only our settings: the server refuses unknown GATEHOUSE_* variables.
env $(compgen -e | sed -n 's/^GATEHOUSE_/-u GATEHOUSE_/p') \
  GATEHOUSE_BIN="$bin" RECEIVERS_BIN="$receivers" WORK="$work" \
  SIGN_CEILING="$(awk -v s="$sign_per_cpu" -v n="$(nproc)" 'BEGIN { print s * n }')" \
  node "$here/saml_load.mjs"
