#!/usr/bin/env bash
# Installs what Gatehouse needs on Debian 12, skipping what is already present.
# Usage: scripts/install-deps.sh [build|demo|test|bench|fuzz]
set -euo pipefail
mode=${1:-build}

build_pkgs=(cmake ninja-build ccache g++ pkg-config
  libboost1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libssl-dev nlohmann-json3-dev libsqlite3-dev libargon2-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libxml2-dev libxmlsec1-dev zlib1g-dev libpq-dev libmimalloc-dev)
# lasso and openssl: the demo's SAML app (apps/saml-wiki)
demo_pkgs=(python3-lasso openssl)
# chromium and a font: tests/browser; pysaml2, lasso and xmlsec1: independent SAML SPs in
# tests/interop/saml and the Wiki app in tests/browser; postgresql and nginx: throwaway servers
# for the PostgreSQL store's tests and the multi-node test (tests/support/throwaway-postgres.sh);
# Google Benchmark: `make test` compiles bench/ too
test_pkgs=(nodejs npm curl chromium fonts-liberation python3-pysaml2 "${demo_pkgs[@]}" xmlsec1
  postgresql nginx libbenchmark-dev)
bench_pkgs=(libbenchmark-dev wrk openssl nodejs curl postgresql nginx)  # node drives bench/*.sh
fuzz_pkgs=(clang libclang-rt-14-dev)                   # libFuzzer and clang's sanitizers

want=("${build_pkgs[@]}")
case "$mode" in
  demo) want+=("${demo_pkgs[@]}") ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${bench_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from outside Debian's archive; a working binary is enough.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$mode" = test ]; then
  root="$(cd "$(dirname "$0")/.." && pwd)"
  for dir in "$root/tests/interop" "$root/tests/browser"; do
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "install-deps: npm ci in ${dir#"$root"/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  done
fi
