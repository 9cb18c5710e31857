#!/usr/bin/env bash
# libFuzzer over the header and index parsers (clang, native, ASan+UBSan). Seeds: tests/fixtures.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMP_FUZZ=ON >/dev/null
cmake --build build/fuzz --target fuzz_header fuzz_index
for t in header index; do
  corpus="build/fuzz/corpus_$t"
  mkdir -p "$corpus"
  seeds="tests/fixtures/$t"
  [ -d "$seeds" ] || seeds=""
  ./build/fuzz/fuzz_$t -max_total_time="$secs" -max_len=65536 -print_final_stats=0 "$corpus" $seeds 2>&1 | tail -n 3
done
