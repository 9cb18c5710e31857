#!/usr/bin/env bash
# Builds everything: the native core + tests, the wasm module + wasm tests, and the static site in
# dist/ (the page, its worker and the wasm module: host it anywhere).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${MP_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
export NODE_PATH=/usr/share/nodejs  # emcc's optimizer needs acorn (toolchain-notes pitfall 1)

cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native
cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$PWD/emscripten.cmake" >/dev/null
cmake --build build/wasm
node scripts/build-site.mjs
