#!/usr/bin/env bash
# Every test: native ctest, wasm ctest under node, a short fuzz run of the parsers, the JS tests
# (hub client against the mock hub, engine, command line) and the browser tests (headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
# Set-up (Debian packages, npm ci) first, then types: seconds, and a type error fails before the
# slow build and tests.
[ "${MP_SKIP_SETUP:-}" = 1 ] || bash scripts/setup.sh
bash scripts/typecheck.sh
MP_SKIP_SETUP=1 bash scripts/build.sh

echo "== native ctest"
ctest --test-dir build/native --output-on-failure -j2
echo "== wasm ctest (node)"
ctest --test-dir build/wasm --output-on-failure -j2

echo "== fuzz (short run; scripts/fuzz.sh SECONDS for longer)"
bash scripts/fuzz.sh 15

echo "== JS tests (shared modules, CLI, page modules, tools, evaluation)"
node --test --test-concurrency=2 tests/js/ tests/cli/ tests/web/ tests/tools/ tests/eval/
echo "== browser tests"
node --test --test-concurrency=1 tests/browser/
