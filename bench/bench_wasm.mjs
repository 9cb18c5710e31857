// wasm benchmarks (run by `npm run bench` with node --no-liftoff): the moments kernel, SIMD vs its
// scalar twin in the same run, and the header/index parse rate for a Rio-scale sharded model.
// The kernel is called from JS in chunks so V8 tiers the wasm up (toolchain-notes pitfall 10).
import { readFileSync } from 'node:fs';
import { rioScaleShards } from './rio-layout.mjs';

// The bench module (the page's bindings plus the bench hooks, CMakeLists.txt mergeprobe_bench_wasm):
// the page's own module exports no bench hooks. Node gets wasmBinary (toolchain-notes pitfall 2).
const dir = new URL('../build/wasm/', import.meta.url);
const { default: create } = await import(new URL('mergeprobe-bench.mjs', dir).href);
const mod = await create({ wasmBinary: readFileSync(new URL('mergeprobe-bench.wasm', dir)) });
console.log(`wasm SIMD compiled in: ${mod.kernelHasSimd()}`);

// --- kernel: three bf16 streams (C, B, A), 24 MiB each ---
const n = 12 * 1024 * 1024;
const bytes = n * 2;
const ptrs = [mod._malloc(bytes), mod._malloc(bytes), mod._malloc(bytes)];
let s = 12345;
for (const p of ptrs) {
  const u16 = new Uint16Array(mod.HEAPU8.buffer, p, n);
  for (let i = 0; i < n; ++i) {
    s = (s * 1103515245 + 12345) >>> 0;
    u16[i] = 0x3c00 | (s >>> 22);  // bf16 values around 0.008-0.016 with random mantissas
  }
}
function timeKernel(simd) {
  const chunk = 1 << 20;
  let best = Infinity;
  let sink = 0;
  for (let rep = 0; rep < 7; ++rep) {
    const t0 = performance.now();
    for (let off = 0; off < n; off += chunk) {
      const m = Math.min(chunk, n - off);
      sink += mod.benchMomentsBf16(ptrs[0] + 2 * off, ptrs[1] + 2 * off, ptrs[2] + 2 * off, m, simd);
    }
    best = Math.min(best, performance.now() - t0);
  }
  return { gbps: (3 * bytes) / (best / 1000) / 1e9, sink };
}
const simd = timeKernel(true);
const scalar = timeKernel(false);
console.log(`kernel bf16 1 parent (3 streams) wasm SIMD:   ${simd.gbps.toFixed(2)} GB/s of input`);
console.log(`kernel bf16 1 parent (3 streams) wasm scalar: ${scalar.gbps.toFixed(2)} GB/s of input`);
console.log(`kernel SIMD / scalar: ${(simd.gbps / scalar.gbps).toFixed(2)}x`);
for (const p of ptrs) mod._free(p);

// --- headers: an FP8 per-expert Rio-scale model, 100 shards, ~20 MB index ---
const { index, shards } = rioScaleShards(100);
const enc = new TextEncoder();
const put = (u8) => {
  const p = mod._malloc(u8.length + 64);
  mod.HEAPU8.set(u8, p);
  mod.HEAPU8.fill(0, p + u8.length, p + u8.length + 64);
  return p;
};
const indexBytes = enc.encode(index);
const heads = shards.map((sh) => ({ ...sh, ptr: put(sh.header) }));
const indexPtr = put(indexBytes);
let best = Infinity;
let headerBytes = 0;
for (let rep = 0; rep < 5; ++rep) {
  const a = new mod.Analysis(1, false);
  const t0 = performance.now();
  const r = a.addIndex(0, indexPtr, indexBytes.length);
  if (r.error) throw new Error(r.error);
  headerBytes = 0;
  for (const h of heads) {
    const res = a.addFile(0, h.name, h.ptr, h.header.length, h.fileSize);
    if (res.error) throw new Error(res.error);
    headerBytes += h.header.length;
  }
  best = Math.min(best, performance.now() - t0);
  a.delete();
}
const mb = (indexBytes.length + headerBytes) / 1e6;
console.log(`headers: ${(indexBytes.length / 1e6).toFixed(1)} MB index + ${heads.length} shard headers ` +
  `(${(headerBytes / 1e6).toFixed(1)} MB) parsed in wasm in ${(best / 1000).toFixed(3)} s (${(mb / (best / 1000)).toFixed(0)} MB/s)`);
const t0 = performance.now();
JSON.parse(index);
for (const h of heads) JSON.parse(new TextDecoder().decode(h.header.subarray(8)));
const js = performance.now() - t0;
console.log(`baseline: JSON.parse of the same bytes in V8: ${(js / 1000).toFixed(3)} s (${(mb / (js / 1000)).toFixed(0)} MB/s)`);
