// Where a run's wasm heap goes: one whole verification of a virtual trio (as bench_run.mjs, but
// unthrottled and with the mock in this process) on the bench module, printing at each phase the
// allocator's bytes in use and the most it has taken so far (dlmalloc's max_footprint, which the
// wasm memory's ~20% growth steps round up to the figure bench_run.mjs prints).
//
//   node bench/heap_phases.mjs [--layouts qwen3.5-fp8,qwen3.5-397b-bf16,llama-70b]
import { readFileSync } from 'node:fs';
import { startMockHub } from '../tools/mock-hub/server.mjs';
import { virtualTrio } from '../tools/mock-hub/virtual.mjs';
import { HubClient } from '../js/io/hub/client.mjs';
import { runAnalysis, DEFAULT_BUDGET } from '../js/engine/run-analysis.mjs';

const args = process.argv.slice(2);
const i = args.indexOf('--layouts');
const layouts = (i >= 0 ? args[i + 1] : 'qwen3.5-fp8,qwen3.5-397b-bf16,llama-70b').split(',');
const dir = new URL('../build/wasm/', import.meta.url);
const { default: create } = await import(new URL('mergeprobe-bench.mjs', dir).href);
const mb = (x) => (x / 1e6).toFixed(1);

console.log('| layout | phase ended | in use MB | max footprint MB | wasm memory MB |');
console.log('|---|---|---:|---:|---:|');
for (const layout of layouts) {
  const trio = virtualTrio({ layout, alpha: 0.571 });
  const hub = await startMockHub({ repos: [trio.base, trio.parent, trio.merge], knobs: { memoBytes: 3e9 } });
  const mod = await create({ wasmBinary: readFileSync(new URL('mergeprobe-bench.wasm', dir)) });
  const row = (phase) => {
    const s = mod.heapStats();
    console.log(`| ${layout} | ${phase} | ${mb(s.inUse)} | ${mb(s.maxFootprint)} | ${mb(mod.HEAPU8.length)} |`);
  };
  // The core's steps inside the plan phase, each on its own row.
  const proto = mod.Analysis.prototype;
  for (const step of ['match', 'plan']) {
    const f = proto[step];
    proto[step] = function (...a) { const r = f.apply(this, a); row(`core ${step}()`); return r; };
  }
  const rangeBuffer = proto.rangeBuffer;
  let first = true;
  proto.rangeBuffer = function (...a) { if (first) { first = false; row('plan checked (before range buffers)'); } return rangeBuffer.apply(this, a); };
  const client = new HubClient({ endpoint: hub.hubUrl });
  const [suspect, parent, base] = await Promise.all(
    [trio.names.merge, trio.names.parent, trio.names.base].map((r) => client.resolveModel(r, 'main')));
  let last = 'headers';
  const report = await runAnalysis({
    suspect, parents: [parent], base, seed: 0, wasm: mod, hub: client, endpoint: hub.hubUrl,
    onProgress: (p) => { if (p.phase !== last) { row(last); last = p.phase; } },
  });
  row('done');
  console.log(`|  | ${report.summary.verdict} alpha ${report.summary.alphas[0].toFixed(6)} cos_fit ${report.summary.cos_fit.toFixed(6)}, budget ${mb(DEFAULT_BUDGET)} MB | | | |`);
  await hub.close();
}
