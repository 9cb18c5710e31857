#!/usr/bin/env bash
# Builds what serving needs (the page's wasm module and dist/), then serves the static site (dist/) and the offline demo hub. http://127.0.0.1:${PORT:-8080}
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh site
exec node tools/serve.mjs
