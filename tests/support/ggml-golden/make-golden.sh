#!/usr/bin/env bash
# Writes tests/fixtures/ggml-golden/dequant.txt from ggml's own C: builds harness.c (ours) against
# src/ggml-quants.c of a ggml checkout with the system compiler, -O2 -ffp-contract=off (x86-64
# without -march has no FMA; contraction off keeps each product rounded as the C source reads).
# ggml's code is only compiled here, never committed.
#   bash tests/support/ggml-golden/make-golden.sh GGML_DIR   # a checkout, or a bare git directory
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
ggml="${1:?usage: make-golden.sh GGML_DIR}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -f "$ggml/src/ggml-quants.c" ]; then
  src="$ggml"
  rev="$(git -C "$ggml" rev-parse HEAD 2>/dev/null || echo unknown)"
else
  src="$work/ggml"
  mkdir -p "$src"
  git --git-dir "$ggml" archive HEAD src/ggml-quants.c src/ggml-quants.h src/ggml-common.h src/ggml-impl.h src/ggml-cpu/ggml-cpu-impl.h include |
    tar -x -C "$src"
  rev="$(git --git-dir "$ggml" rev-parse HEAD)"
fi
flags=(-O2 -ffp-contract=off -ffunction-sections -fdata-sections -I "$src/include" -I "$src/src")
cc "${flags[@]}" -std=c11 -c "$src/src/ggml-quants.c" -o "$work/q.o"
cc "${flags[@]}" "$here/harness.c" "$work/q.o" -Wl,--gc-sections -lm -o "$work/golden"
out="$root/tests/fixtures/ggml-golden/dequant.txt"
mkdir -p "$(dirname "$out")"
{
  echo "# ggml dequantize_row_* outputs of quantize_row_*_ref blocks; ggml commit $rev; made by tests/support/ggml-golden/make-golden.sh"
  "$work/golden"
} >"$out"
echo "wrote $out ($(grep -vc '^#' "$out") vectors)"
