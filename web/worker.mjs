// The module worker that runs one analysis off the main thread, so the page never freezes.
// Protocol (typed in web/worker-protocol.mjs; one run at a time; the page terminates the worker to cancel):
//   page -> worker  { id, type: 'run', spec }
//   worker -> page  { id, type: 'progress', progress: { phase, bytes, requests, budget, done, total } }
//                   { id, type: 'wait', wait: { host, ms, until, hinted } }   a 429: waiting for the window
//                   { id, type: 'stall', stall: { host, ms } | null }          no byte from the hub for ms
//                   { id, type: 'result', report }
//                   { id, type: 'error', error: { message, code, status, repo, path, role } }
//   page -> worker  { id, type: 'retry-now' }   end the current 429 wait and try again
// spec: { endpoint, token, budget, seed, suspect, parents: [..], base, control? } where each model is
//   { kind: 'hub', id: 'owner/name[@rev]' } or { kind: 'local', label, entries: [{ file, path }] }.
import { loadWasm, runAnalysis } from '../js/engine/run-analysis.mjs';
import { HubClient } from '../js/io/hub/client.mjs';
import { openCache } from '../js/io/cache.mjs';
import { localModelSource } from '../js/io/blob-model.mjs';
import { parseModelId } from '../js/io/hub/model-id.mjs';
import { resolveModels } from '../js/engine/resolve-models.mjs';
/** @typedef {import('./worker-protocol.mjs').WorkerRequest} WorkerRequest */
/** @typedef {import('./worker-protocol.mjs').ReplyBody} ReplyBody */
/** @typedef {import('./worker-protocol.mjs').RunSpec} RunSpec */
/** @typedef {import('./worker-protocol.mjs').SerialisedError} SerialisedError */

let wasmPromise = null;
/** The running run's hub client, for 'retry-now'. @type {{id: number, hub: HubClient} | null} */
let current = null;
/** A silence this long is shown on the page (shorter pauses are normal). */
const STALL_SHOW_MS = 5_000;

self.addEventListener('message', async (/** @type {MessageEvent<WorkerRequest>} */ ev) => {
  const { id, type, spec } = ev.data ?? /** @type {Partial<WorkerRequest>} */ ({});
  if (type === 'retry-now') { if (current?.id === id) current.hub.retryNow(); return; }
  if (type !== 'run') return;
  const post = (/** @type {ReplyBody} */ msg) => self.postMessage({ id, ...msg });
  // Signed CDN URLs are remembered by hub-retry.mjs for this worker's life: a rerun reuses them.
  const hub = new HubClient({
    endpoint: spec.endpoint, token: spec.token || undefined,
    onWait: (w) => post({ type: 'wait', wait: { host: w.host, ms: w.ms, until: w.until, hinted: w.hinted } }),
  });
  current = { id, hub };
  let stalled = false;
  const ticker = setInterval(() => {
    const ms = hub.stalledMs();
    if (ms >= STALL_SHOW_MS) { stalled = true; post({ type: 'stall', stall: { host: new URL(hub.endpoint).host, ms } }); }
    else if (stalled) { stalled = false; post({ type: 'stall', stall: null }); }
  }, 1000);
  try {
    const report = await run(spec, hub, (progress) => post({ type: 'progress', progress }));
    post({ type: 'result', report });
  } catch (err) {
    if (err?.wasmLost) wasmPromise = null;  // the module aborted: the next run loads a new one
    post({ type: 'error', error: serialiseError(err) });
  } finally {
    clearInterval(ticker);
    if (current?.id === id) current = null;
  }
});

// Headers and indexes at a commit SHA never change: keep them in CacheStorage so a rerun or a
// reopened share link reads only tensor bytes. No cache (e.g. an insecure origin): plain reads.
let cachePromise = null;

/** @param {RunSpec} spec @param {HubClient} hub @param {(p: import('./worker-protocol.mjs').ProgressReply['progress']) => void} onProgress */
async function run(spec, hub, onProgress) {
  cachePromise ??= openCache({ store: 'browser' }).catch(() => null);
  wasmPromise ??= loadWasm();
  wasmPromise.catch(() => { wasmPromise = null; });  // retried next run; awaited below
  const budget = spec.budget;
  const total = 1 + spec.parents.length + (spec.base ? 1 : 0) + (spec.control ? 1 : 0);
  const report = (done) => onProgress({ phase: 'resolving', bytes: hub.stats?.bytes ?? 0, requests: hub.stats?.requests ?? 0, budget, done, total });
  report(0);
  const models = await resolveModels(spec, {
    isLocal: (input) => input.kind === 'local',
    open: (input) => (input.kind === 'local' ? localModelSource(input.entries, input.label) : resolveHub(hub, input.id)),
    onResolved: (done) => report(done),
  });
  const wasm = await wasmPromise;
  const cache = await cachePromise;
  if (spec.discover) {
    // Roles left empty are found (js/discover/lineage.mjs), then verified as usual.
    const { verifyFromSuspect } = await import('../js/discover/lineage.mjs');
    return verifyFromSuspect({
      hub, suspect: models.suspect, named: spec.candidates ?? [], onProgress, runAnalysis,
      pinned: { parents: models.parents, base: models.base },
      analysis: {
        control: models.control ?? undefined, budget, seed: spec.seed, wasm, cache,
        endpoint: spec.endpoint, pageUrl: spec.pageUrl, onProgress,
      },
    });
  }
  return runAnalysis({
    ...models, control: models.control ?? undefined,
    budget, seed: spec.seed, wasm, hub, cache, endpoint: spec.endpoint, pageUrl: spec.pageUrl,
    onProgress,
  });
}

async function resolveHub(hub, id) {
  const { repo, revision, file, quant } = parseModelId(id);
  return hub.resolveModel(repo, revision, { select: { file, quant } });
}

/** @param {any} err @returns {SerialisedError} */
function serialiseError(err) {
  const e = err ?? {};
  return {
    message: String(e.message ?? e),
    code: e.code ?? (e.name === 'AbortError' ? 'Aborted'
      // the wasm module or its loader missing from the site (not built, or a partial copy)
      : /dynamically imported module|mergeprobe\.wasm|WebAssembly/.test(String(e.message)) ? 'setup' : undefined),
    status: typeof e.status === 'number' ? e.status : undefined,
    repo: e.repo ?? undefined,
    path: e.path ?? undefined,
    role: e.role ?? undefined,
    name: e.name ?? undefined,
  };
}
