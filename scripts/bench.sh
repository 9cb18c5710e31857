#!/usr/bin/env bash
# Benchmarks (figures go to BENCHMARKS.md): kernel throughput wasm SIMD / wasm scalar / native,
# header and index parse rates, and the hub read path against a throttled mock hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/native/mergeprobe_bench
node --no-liftoff bench/bench_wasm.mjs
node bench/bench_hub.mjs
node bench/bench_run.mjs
