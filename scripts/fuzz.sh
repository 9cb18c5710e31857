#!/usr/bin/env bash
# libFuzzer over the safetensors header, index and GGUF parsers (clang, native, ASan+UBSan). Seeds: tests/fixtures.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
# MP_FUZZ_BUILD_DIR picks the build folder (default build/fuzz), so parallel work trees do not collide.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
build="${MP_FUZZ_BUILD_DIR:-build/fuzz}"
CXX="$(command -v clang++ || command -v clang++-14)"
CXX="$CXX" cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMP_FUZZ=ON >/dev/null
cmake --build "$build" --target fuzz_header fuzz_index fuzz_gguf
# UBSan only reports by default; a fuzz run must stop at the first undefined behaviour.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Dictionaries of the tokens the parsers branch on, so mutations reach past the first checks.
cat >"$build/header.dict" <<'DICT'
"\"dtype\""
"\"shape\""
"\"data_offsets\""
"\"__metadata__\""
"\"F32\""
"\"BF16\""
"\"F16\""
"\"F64\""
"\"C64\""
"\"F8_E4M3\""
"\"F8_E5M2\""
"\"F8_E8M0\""
"\"F8_E4M3FNUZ\""
"\"F4\""
"\"F6_E2M3\""
"\"F6_E3M2\""
"\"U64\""
"\"BOOL\""
"18446744073709551615"
"9223372036854775807"
"4294967296"
"\\u0000"
"null"
DICT
cat >"$build/index.dict" <<'DICT'
"\"weight_map\""
"\"metadata\""
"\"total_size\""
".."
"://"
"\\u0000"
"\\"
"/"
"model-00001-of-00002.safetensors"
"18446744073709551616"
"1.5e10"
DICT
cat >"$build/gguf.dict" <<'DICT'
"GGUF"
"\x03\x00\x00\x00"
"\x02\x00\x00\x00"
"general.alignment"
"general.architecture"
"split.no"
"split.count"
"\x09\x00\x00\x00"
"\x08\x00\x00\x00"
"\xff\xff\xff\xff\xff\xff\xff\xff"
DICT
status=0
for t in header index gguf; do
  corpus="$build/corpus_$t"
  mkdir -p "$corpus"
  log="$build/fuzz_$t.log"
  # A finding is written to $build/crash-* (artifact_prefix) and the run stops non-zero.
  if ./"$build"/fuzz_$t -max_total_time="$secs" -max_len=32768 -timeout=10 -dict="$build/$t.dict" -rss_limit_mb=4096 \
       -artifact_prefix="$build/" -print_final_stats=1 "$corpus" "tests/fixtures/$t" >"$log" 2>&1; then
    echo "fuzz_$t: no crash in ${secs}s ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, corpus $(ls "$corpus" | wc -l) files)"
  else
    echo "fuzz_$t: FAILED (log: $log)"
    tail -n 40 "$log"
    status=1
  fi
done
exit $status
