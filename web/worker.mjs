// The module worker that runs one analysis off the main thread, so the page never freezes.
// Protocol (one run at a time; the page terminates the worker to cancel):
//   page -> worker  { id, type: 'run', spec }
//   worker -> page  { id, type: 'progress', progress: { phase, bytes, requests, budget, done, total } }
//                   { id, type: 'result', report }
//                   { id, type: 'error', error: { message, code, status, repo, path, role } }
// spec: { endpoint, token, budget, seed, suspect, parents: [..], base, control? } where each model is
//   { kind: 'hub', id: 'owner/name[@rev]' } or { kind: 'local', label, entries: [{ file, path }] }.
import { loadWasm, runAnalysis } from './lib/engine.mjs';
import { HubClient } from './lib/hub.mjs';
import { openCache } from './lib/cache.mjs';
import { localModelSource } from './lib/ui-local-model.mjs';

let wasmPromise = null;

self.addEventListener('message', async (ev) => {
  const { id, type, spec } = ev.data ?? {};
  if (type !== 'run') return;
  const post = (msg) => self.postMessage({ id, ...msg });
  try {
    const report = await run(spec, (progress) => post({ type: 'progress', progress }));
    post({ type: 'result', report });
  } catch (err) {
    post({ type: 'error', error: serialiseError(err) });
  }
});

// Headers and indexes at a commit SHA never change: keep them in CacheStorage so a rerun or a
// reopened share link reads only tensor bytes. No cache (e.g. an insecure origin): plain reads.
let cachePromise = null;

async function run(spec, onProgress) {
  cachePromise ??= openCache({ store: 'browser' }).catch(() => null);
  wasmPromise ??= loadWasm();
  wasmPromise.catch(() => { wasmPromise = null; });  // retried next run; awaited below
  const hub = new HubClient({ endpoint: spec.endpoint, token: spec.token || undefined });
  const roles = [['suspect', spec.suspect], ...spec.parents.map((p, i) => [spec.parents.length > 1 ? `parent ${i + 1}` : 'parent', p]),
    ...(spec.base ? [['base', spec.base]] : [])];
  if (spec.control) roles.push(['control', spec.control]);
  const budget = spec.budget;

  let done = 0;
  const report = () => onProgress({ phase: 'resolving', bytes: hub.stats?.bytes ?? 0, requests: hub.stats?.requests ?? 0, budget, done, total: roles.length });
  report();
  const withRole = (role, fn) => {
    try { return fn(); } catch (err) { err.role ??= role; throw err; }
  };
  // Local files first: a wrong drop is reported before any network request.
  const local = roles.map(([role, input]) => (input.kind === 'local' ? withRole(role, () => localModelSource(input.entries, input.label)) : null));
  // Hub models resolve together (a few API calls each); the first failure names its role.
  const sources = await Promise.all(roles.map(async ([role, input], i) => {
    if (local[i]) { done++; report(); return local[i]; }
    try {
      const src = await resolveHub(hub, input.id);
      done++;
      report();
      return src;
    } catch (err) {
      err.role ??= role;
      throw err;
    }
  }));
  const wasm = await wasmPromise;
  const cache = await cachePromise;
  const k = spec.parents.length;
  if (spec.discover) {
    // Roles left empty are found (web/lib/discover/lineage.mjs), then verified as usual.
    const { verifyFromSuspect } = await import('./lib/discover/lineage.mjs');
    return verifyFromSuspect({
      hub, suspect: sources[0], named: spec.candidates ?? [], onProgress, runAnalysis,
      pinned: { parents: sources.slice(1, 1 + k), base: spec.base ? sources[1 + k] : null },
      analysis: {
        control: spec.control ? sources.at(-1) : undefined, budget, seed: spec.seed, wasm, cache,
        endpoint: spec.endpoint, pageUrl: spec.pageUrl, onProgress,
      },
    });
  }
  return runAnalysis({
    suspect: sources[0], parents: sources.slice(1, 1 + k), base: sources[1 + k],
    control: spec.control ? sources[2 + k] : undefined,
    budget, seed: spec.seed, wasm, hub, cache, endpoint: spec.endpoint, pageUrl: spec.pageUrl,
    onProgress,
  });
}

async function resolveHub(hub, id) {
  const { repo, revision } = hub.parseModelId(id);
  return hub.resolveModel(repo, revision);
}

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
