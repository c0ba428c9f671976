#!/usr/bin/env bash
# Builds the fuzz targets with clang and libFuzzer (build/fuzz) and runs each for SECONDS
# (default 60), JOBS at a time (default: the number of CPUs). New inputs that reach new code
# are merged into fuzz/corpus/<target>/, so they can be checked in and replayed by `make test`.
# Findings (crash-*, leak-*, timeout-*) are left in build/fuzz/findings/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
jobs=${FUZZ_JOBS:-$(nproc)}

cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DGATEHOUSE_FUZZ=ON >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

run() {
  local target=$1 work=build/fuzz/work/$1 findings=build/fuzz/findings/$1
  mkdir -p "$work" "$findings"
  cp -n fuzz/corpus/"$target"/* "$work"/ 2>/dev/null || true
  local log=build/fuzz/$target.log status=0
  build/fuzz/fuzz/fuzz_"$target" "$work" -max_total_time="$seconds" -max_len=8192 \
    -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || status=$?
  build/fuzz/fuzz/fuzz_"$target" -merge=1 fuzz/corpus/"$target" "$work" >/dev/null 2>&1 || true
  local execs
  execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  printf '%-22s %s executions in %s s, exit %s\n' "$target" "${execs:-?}" "$seconds" "$status"
  return "$status"
}

failed=0
pids=()
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
  run "$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || { echo "fuzz: findings in build/fuzz/findings/" >&2; exit 1; }
