// Runs bench/kernel_ablation.cpp (built by scripts/bench.sh into build/bench-ablation/): the shipped
// kernel beside stripped copies of its loop, same data, same run. See BENCHMARKS.md.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../build/bench-ablation/', import.meta.url));
const create = createRequire(import.meta.url)(`${dir}ablation.cjs`);
const mod = await create({ wasmBinary: readFileSync(`${dir}ablation.wasm`) });

const n = 12 * 1024 * 1024;  // 24 MiB per stream: beyond the caches
const ptrs = [0, 1, 2].map(() => mod._ablation_alloc(2 * n));
let s = 12345;
for (const p of ptrs) {
  const u16 = new Uint16Array(mod.HEAPU8.buffer, p, n);
  for (let i = 0; i < n; ++i) {
    s = (s * 1103515245 + 12345) >>> 0;
    u16[i] = 0x3c00 | (s >>> 22);  // the same values as bench_wasm.mjs
  }
}
const names = ['shipped (6 products + equality counts)', 'gram6 (6 products, no counts)',
  'prototype3 (D·D, D·d, d·d only)', 'folded (6 products, counts in the same loop)'];
const chunk = 1 << 20;
for (let v = 0; v < names.length; ++v) {
  let best = Infinity;
  for (let rep = 0; rep < 7; ++rep) {
    const t0 = performance.now();
    for (let off = 0; off < n; off += chunk)
      mod._ablation_run(v, ptrs[0] + 2 * off, ptrs[1] + 2 * off, ptrs[2] + 2 * off, chunk);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`ablation ${names[v].padEnd(46)} ${((3 * 2 * n) / (best / 1000) / 1e9).toFixed(2)} GB/s of input`);
}
