#!/usr/bin/env bash
# tsc --checkJs over the JSDoc, once per context (issue 11): the page + worker (web/, js/ without
# js/io-node, browser libs, no Node types: a node: import there fails) and the Node CLI (cli/, js/,
# @types/node). Needs `npm ci` (typescript is a dev dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
tsc=node_modules/.bin/tsc
[ -x "$tsc" ] || { echo "typecheck: $tsc not found: run npm ci" >&2; exit 1; }
echo "== tsc: page + worker (tsconfig.web.json)"
"$tsc" -p tsconfig.web.json
echo "== tsc: Node CLI (tsconfig.node.json)"
"$tsc" -p tsconfig.node.json
