#!/usr/bin/env bash
# Builds everything: the native core + tests, the wasm module + wasm tests, and the static site in
# dist/ (the page, its worker and the wasm module: host it anywhere).
#   bash scripts/build.sh          everything (npm test, npm run build)
#   bash scripts/build.sh site     only what serving needs: the page's wasm module and dist/ (npm start;
#                                  the test suites took most of a fresh build's 7 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
[ "${MP_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
export NODE_PATH=/usr/share/nodejs  # emcc's optimizer needs acorn (toolchain-notes pitfall 1)

if [ "$what" != site ]; then
  cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/native
fi
cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$PWD/emscripten.cmake" >/dev/null
if [ "$what" = site ]; then
  cmake --build build/wasm --target mergeprobe_wasm
else
  cmake --build build/wasm
fi
node scripts/build-site.mjs
