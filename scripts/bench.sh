#!/usr/bin/env bash
# Benchmarks (figures go to BENCHMARKS.md): kernel throughput wasm SIMD / wasm scalar / native,
# header and index parse rates, and the hub read path against a throttled mock hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/native/mergeprobe_bench
node --no-liftoff bench/bench_wasm.mjs
# Kernel ablation: the shipped kernel beside stripped copies of its loop (BENCHMARKS.md).
mkdir -p build/bench-ablation
NODE_PATH=/usr/share/nodejs em++ -std=c++20 -O3 -msimd128 -Isrc bench/kernel_ablation.cpp \
  src/stats/kernel_simd.cpp src/stats/kernel_scalar.cpp src/stats/decode.cpp src/format/dtype.cpp \
  -o build/bench-ablation/ablation.cjs -sMODULARIZE=1 -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=268435456 \
  -sEXPORTED_FUNCTIONS=_ablation_alloc,_ablation_run
node --no-liftoff bench/kernel_ablation.mjs
node bench/bench_hub.mjs
node bench/bench_run.mjs
