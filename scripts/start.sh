#!/usr/bin/env bash
# Builds, then serves the static site (dist/) and the offline demo hub. http://127.0.0.1:${PORT:-8080}
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec node tools/serve.mjs
