// I/O benchmark: how long it takes to fetch every shard header of one full-size model through the
// mock hub over a throttled link (default 100 Mbit/s shared, 40 ms per response), the way the
// engine does it: revision -> SHA, the index first, then each shard's first 100,000 bytes
// (speculative), and a second read only when the header is longer.
//
//   node bench/bench_hub.mjs [--mbit 100] [--latency 40] [--concurrency 16]
//                            [--layouts qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b] [--first 100000]

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startMockHub } from '../tools/mock-hub/server.mjs';
import { virtualTrio } from '../tools/mock-hub/virtual.mjs';
import { HubClient } from '../js/io/hub/client.mjs';
import { readBytes } from '../js/io/byte-source.mjs';

// The mock runs in a worker thread, so generating tensor bytes does not stall the client's loop.
if (!isMainThread) {
  const { layout, knobs } = workerData;
  const trio = virtualTrio({ layout, alpha: 0.571 });
  const hub = await startMockHub({ repos: [trio.base, trio.parent, trio.merge], knobs });
  parentPort?.postMessage({ hubUrl: hub.hubUrl, repo: trio.names.merge });
  parentPort?.on('message', async (m) => {
    if (m === 'stats') parentPort?.postMessage(JSON.parse(JSON.stringify({ hub: hub.stats.hub, cdn: hub.stats.cdn })));
    if (m === 'close') { await hub.close(); process.exit(0); }
  });
} else {
  await main();
}

async function main() {
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const mbit = Number(opt('mbit', 100));
const latencyMs = Number(opt('latency', 40));
const concurrency = Number(opt('concurrency', 16));
const layouts = opt('layouts', 'qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b').split(',');
const SPECULATIVE = Number(opt('first', 100_000)); // the engine's speculative first read

/**
 * Fetches the index and all shard headers of `repo`; returns what it cost.
 * @param {string} hubUrl
 * @param {string} repo
 */
async function fetchHeaders(hubUrl, repo) {
  const client = new HubClient({ endpoint: hubUrl, concurrency });
  const t0 = performance.now();
  const model = await client.resolveModel(repo);
  if (!('index' in model.weights)) throw new Error(`${repo} has no index`);
  const idxSrc = model.file(model.weights.index);
  const index = JSON.parse(new TextDecoder().decode(await readBytes(idxSrc, 0, await idxSrc.size())));
  const tIndex = performance.now();
  const shards = [...new Set(Object.values(index.weight_map))];
  let second = 0;
  let headerBytes = 0;
  let tensors = 0;
  await Promise.all(shards.map(async (name) => {
    const src = model.file(name);
    const size = await src.size();
    const first = await readBytes(src, 0, Math.min(size, SPECULATIVE));
    const n = Number(new DataView(first.buffer).getBigUint64(0, true));
    let head = first;
    if (8 + n > first.length) {
      second++;
      const rest = await readBytes(src, first.length, 8 + n);
      head = new Uint8Array(8 + n);
      head.set(first);
      head.set(rest, first.length);
    }
    headerBytes += 8 + n;
    tensors += Object.keys(JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + n)))).length - 1;
  }));
  const t1 = performance.now();
  return {
    shards: shards.length, tensors, indexBytes: await idxSrc.size(), headerBytes, second,
    ...client.stats, indexMs: tIndex - t0, totalMs: t1 - t0,
  };
}

const rows = [];
for (const layout of layouts) {
  const tb = performance.now();
  const worker = new Worker(new URL(import.meta.url), { workerData: { layout, knobs: { latencyMs, bandwidthBps: (mbit * 1e6) / 8 } } });
  const next = () => new Promise((r, j) => { worker.once('message', r); worker.once('error', j); });
  const { hubUrl, repo } = /** @type {any} */ (await next());
  const buildMs = performance.now() - tb;
  const r = await fetchHeaders(hubUrl, repo);
  worker.postMessage('stats');
  const st = /** @type {any} */ (await next());
  worker.postMessage('close');
  if (st.cdn.withAuthorization) throw new Error('the CDN saw an Authorization header');
  rows.push({ layout, ...r, hubRequests: st.hub.requests, cdnRequests: st.cdn.requests, buildMs });
}

const mb = (b) => (b / 1e6).toFixed(2);
console.log(`mock hub: ${mbit} Mbit/s shared link, ${latencyMs} ms per response, client concurrency ${concurrency}, speculative first read ${SPECULATIVE} B`);
console.log('| layout | shards | tensors | index MB | headers MB | 2nd reads | requests | /resolve/ | bytes MB | index s | total s |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.layout} | ${r.shards} | ${r.tensors} | ${mb(r.indexBytes)} | ${mb(r.headerBytes)} | ${r.second} | ${r.requests} | ${r.resolveCalls} | ${mb(r.bytes)} | ${(r.indexMs / 1000).toFixed(2)} | ${(r.totalMs / 1000).toFixed(2)} |`);
}
}
