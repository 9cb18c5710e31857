// End-to-end benchmark: one whole verification (resolve, index + headers, plan, fetch, compute)
// of a full-size virtual trio {base, fine-tune, 0.571 merge} through the mock hub over a throttled
// link, exactly as the CLI runs it. Prints time per phase, bytes and requests, and the verdict.
//
//   node bench/bench_run.mjs [--mbit 100] [--latency 40] [--budget 67108864]
//                            [--layouts qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

if (!isMainThread) {
  // The mock generates tensor bytes on the fly: keep it off the client's event loop.
  const { startMockHub } = await import('../tools/mock-hub/server.mjs');
  const { virtualTrio } = await import('../tools/mock-hub/virtual.mjs');
  const trio = virtualTrio({ layout: workerData.layout, alpha: 0.571 });
  const hub = await startMockHub({ repos: [trio.base, trio.parent, trio.merge], knobs: workerData.knobs });
  parentPort.postMessage({ hubUrl: hub.hubUrl, names: trio.names });
  parentPort.on('message', async (m) => { if (m === 'close') { await hub.close(); process.exit(0); } });
} else {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
  const mbit = Number(opt('mbit', 100));
  const latencyMs = Number(opt('latency', 40));
  const budget = Number(opt('budget', 64 * 1024 * 1024));
  const layouts = opt('layouts', 'qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b').split(',');
  const { HubClient } = await import('../js/io/hub/client.mjs');
  const { runAnalysis } = await import('../js/engine/run-analysis.mjs');
  const { loadWasm } = await import('../js/io-node/wasm.mjs');
  const wasm = await loadWasm();

  console.log(`mock hub: ${mbit} Mbit/s shared, ${latencyMs} ms per response, budget ${(budget / 2 ** 20).toFixed(0)} MiB, concurrency 16, no cache`);
  console.log('| layout | resolve s | headers s | plan s | fetch s | compute s | total s | header MB | tensor MB | requests | /resolve/ | verdict | alpha | cos_fit |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|');
  for (const layout of layouts) {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { layout, knobs: { latencyMs, bandwidthBps: (mbit * 1e6) / 8 } },
    });
    const { hubUrl, names } = await new Promise((res) => worker.once('message', res));
    const hub = new HubClient({ endpoint: hubUrl });
    const t0 = performance.now();
    const [suspect, parent, base] = await Promise.all([names.merge, names.parent, names.base].map((r) => hub.resolveModel(r, 'main')));
    const marks = { resolving: performance.now() };
    let headerBytes = 0;
    let last = 'headers';
    const report = await runAnalysis({
      suspect, parents: [parent], base, budget, seed: 0, wasm, hub, endpoint: hubUrl,
      onProgress: (p) => {
        if (p.phase !== last) { marks[last] = performance.now(); if (last === 'headers') headerBytes = p.bytes; last = p.phase; }
      },
    });
    const t = (a, b) => ((marks[b] - marks[a]) / 1000).toFixed(2);
    const s = report.summary;
    console.log(`| ${layout} | ${((marks.resolving - t0) / 1000).toFixed(2)} | ${t('resolving', 'headers')} | ${t('headers', 'plan')} | ` +
      `${t('plan', 'fetching')} | ${t('fetching', 'computing')} | ${((marks.computing - t0) / 1000).toFixed(2)} | ` +
      `${(headerBytes / 1e6).toFixed(2)} | ${((report.fetch.bytes - headerBytes) / 1e6).toFixed(1)} | ${report.fetch.requests} | ` +
      `${report.fetch.resolve_calls} | ${s.verdict} | ${s.alphas[0].toFixed(4)} | ${s.cos_fit.toFixed(4)} |`);
    worker.postMessage('close');
  }
}
