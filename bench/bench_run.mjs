// End-to-end benchmark: one whole verification (resolve, index + headers, plan, fetch, compute)
// of a full-size virtual trio {base, fine-tune, 0.571 merge} through the mock hub over a throttled
// link, exactly as the CLI runs it, beside the seed method (bench/seed-method.mjs) on the same mock
// in the same run. Prints time per phase, bytes, requests, the verdict, the ratio to the seed
// method, the floor of the run's own bytes and round trips, and the wasm heap at the end. Each
// method runs once unthrottled first (untimed) so the mock serves remembered bytes when timed.
//
//   node bench/bench_run.mjs [--mbit 100] [--latency 20] [--budget <bytes>] [--concurrency 16]
//                            [--layouts qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b] [--no-seed]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

if (!isMainThread) {
  // The mock generates tensor bytes on the fly: keep it off the client's event loop.
  const { startMockHub } = await import('../tools/mock-hub/server.mjs');
  const { virtualTrio } = await import('../tools/mock-hub/virtual.mjs');
  const trio = virtualTrio({ layout: workerData.layout, alpha: 0.571 });
  const hub = await startMockHub({ repos: [trio.base, trio.parent, trio.merge], knobs: workerData.knobs });
  parentPort.postMessage({ hubUrl: hub.hubUrl, names: trio.names });
  parentPort.on('message', async (m) => {
    if (m === 'close') { await hub.close(); process.exit(0); }
    hub.setKnobs(m);  // the throttle, between the warm-up and the timed runs
    parentPort.postMessage('ok');
  });
} else {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
  const mbit = Number(opt('mbit', 100));
  const latencyMs = Number(opt('latency', 20));
  const budgetArg = opt('budget', undefined);
  const budget = budgetArg === undefined ? undefined : Number(budgetArg);
  const concurrency = opt('concurrency', undefined);
  const layouts = opt('layouts', 'qwen3.5-397b-bf16,qwen3.5-fp8,llama-70b').split(',');
  const withSeed = !args.includes('--no-seed');
  const { HubClient } = await import('../js/io/hub/client.mjs');
  const { runAnalysis, DEFAULT_BUDGET } = await import('../js/engine/run-analysis.mjs');
  const { createWasmFrom, DEFAULT_WASM_DIR } = await import('../js/io-node/wasm.mjs');
  const { seedMethod } = await import('./seed-method.mjs');
  const { forgetCdnUrls } = await import('../js/io/hub/retry.mjs');
  const linkBps = (mbit * 1e6) / 8;

  console.log(`mock hub: ${mbit} Mbit/s shared, ${latencyMs} ms per server hop, budget ${((budget ?? DEFAULT_BUDGET) / 2 ** 20).toFixed(0)} MiB, ` +
    `concurrency ${concurrency ?? 'default'}, no cache`);
  console.log('seed = bench/seed-method.mjs (router + shared-expert gate of 5 layers, whole tensors, sequential) on the same mock, same run.');
  console.log('floor = max(the run\'s bytes / link, its requests in waves of the concurrency x one hop); heapPeak = wasm memory at the end of a fresh module (it never shrinks: the run\'s peak), beside its bound budget + index and header bytes.');
  console.log('| layout | headers s | plan s | fetch s | compute s | total s | header MB | tensor MB | requests | /resolve/ | verdict | alpha | cos_fit | seed s | seed req | seed MB | total/seed | floor s | total/floor | heapPeak MB | budget+headers MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const layout of layouts) {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      // Unthrottled first, with generated chunks remembered (memoBytes): a warm-up run of each
      // method fills the memo, so the timed runs measure the link, not the mock's CPU.
      workerData: { layout, knobs: { latencyMs: 0, bandwidthBps: 0, memoBytes: 3e9 } },
    });
    const { hubUrl, names } = await new Promise((res) => worker.once('message', res));
    const setKnobs = (k) => { worker.postMessage(k); return new Promise((res) => worker.once('message', res)); };
    const seedRepos = [names.merge, names.parent, names.base];
    const hasRouters = withSeed && layout.startsWith('qwen');  // the dense layout has none
    const verify = async (wasm, onProgress = () => {}) => {
      const hub = new HubClient({ endpoint: hubUrl, ...(concurrency ? { concurrency: Number(concurrency) } : {}) });
      const t0 = performance.now();
      const [suspect, parent, base] = await Promise.all(seedRepos.map((r) => hub.resolveModel(r, 'main')));
      const resolved = performance.now();
      const report = await runAnalysis({
        suspect, parents: [parent], base, ...(budget ? { budget } : {}), seed: 0, wasm, hub, endpoint: hubUrl,
        ...(concurrency ? { concurrency: Number(concurrency) } : {}), onProgress,
      });
      return { t0, resolved, report };
    };
    if (hasRouters) await seedMethod(hubUrl, seedRepos);
    const warm = await createWasmFrom(DEFAULT_WASM_DIR);
    await verify(warm);
    await setKnobs({ latencyMs, bandwidthBps: linkBps });
    const seed = hasRouters ? await seedMethod(hubUrl, seedRepos) : null;
    forgetCdnUrls();  // the timed run starts as a new CLI process does: every file through /resolve/
    const wasm = await createWasmFrom(DEFAULT_WASM_DIR);  // a fresh heap per layout, so its size is this run's peak
    const marks = {};
    let headerBytes = 0;
    let last = 'headers';
    const { t0, resolved, report } = await verify(wasm, (p) => {
      if (p.phase !== last) { marks[last] = performance.now(); if (last === 'headers') headerBytes = p.bytes; last = p.phase; }
    });
    marks.resolving = resolved;
    const t = (a, b) => ((marks[b] - marks[a]) / 1000).toFixed(2);
    const s = report.summary;
    const total = (marks.computing - t0) / 1000;
    const conc = Number(concurrency ?? 16);
    // Two lower bounds, each alone: the link carries every byte; no request takes less than a hop,
    // and at most `conc` are in flight.
    const floor = Math.max(report.fetch.bytes / linkBps, Math.ceil(report.fetch.requests / conc) * latencyMs / 1000);
    const seedCols = seed
      ? `${seed.seconds.toFixed(2)} | ${seed.requests} | ${(seed.bytes / 1e6).toFixed(1)} | ${(total / seed.seconds).toFixed(2)}`
      : '— | — | — | —';
    console.log(`| ${layout} | ${t('resolving', 'headers')} | ${t('headers', 'plan')} | ` +
      `${t('plan', 'fetching')} | ${t('fetching', 'computing')} | ${total.toFixed(2)} | ` +
      `${(headerBytes / 1e6).toFixed(2)} | ${((report.fetch.bytes - headerBytes) / 1e6).toFixed(1)} | ${report.fetch.requests} | ` +
      `${report.fetch.resolve_calls} | ${s.verdict} | ${s.alphas[0].toFixed(4)} | ${s.cos_fit.toFixed(4)} | ${seedCols} | ` +
      `${floor.toFixed(2)} | ${(total / floor).toFixed(2)} | ${(wasm.HEAPU8.length / 1e6).toFixed(0)} | ` +
      `${(((budget ?? DEFAULT_BUDGET) + headerBytes) / 1e6).toFixed(0)} |`);
    worker.postMessage('close');
  }
}
