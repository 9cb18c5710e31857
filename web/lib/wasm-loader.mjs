// Loads the mergeprobe wasm module (build/wasm/mergeprobe.{mjs,wasm}, copied to dist/wasm/).
// In the browser and workers the module locates its .wasm next to itself. In Node we read the
// binary ourselves and pass `wasmBinary`: Emscripten 3.1.6's loader would call fetch() on a file
// path, which Node 20 rejects (toolchain-notes pitfalls 2 and 3).

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined'
  && typeof WorkerGlobalScope === 'undefined';

let cached = null;

/** @returns {Promise<any>} the instantiated module (Analysis class, HEAPU8, _malloc, _free) */
export function loadWasm() {
  if (!cached) {
    const p = (isNode ? loadForNode() : loadForWeb()).catch((e) => { throw loadFailure(e); });
    p.catch(() => { if (cached === p) cached = null; });  // a failed load is tried again next time
    cached = p;
  }
  return cached;
}

/**
 * A failed instantiation -> an Error a person can act on. Emscripten rejects with its own abort
 * text ("Aborted(RangeError: WebAssembly.Memory(): could not allocate memory). Build with -s
 * ASSERTIONS=1 for more info."), which must never reach the page or the terminal.
 * @param {any} e
 */
export function loadFailure(e) {
  const text = String(e?.message ?? e);
  if (!/^Aborted\(|ASSERTIONS/.test(text)) return e;
  const inner = /^Aborted\(([\s\S]*)\)[^)]*$/.exec(text)?.[1] ?? '';
  if (/Memory|memory|allocat/.test(inner)) {
    return Object.assign(new Error('WebAssembly could not get the analysis module its starting memory (32 MB)', { cause: e }), { code: 'memory' });
  }
  return Object.assign(new Error('the analysis module (mergeprobe.wasm) could not be loaded', { cause: e }), { code: 'setup' });
}

/** After the module aborted (it cannot be called again): the next loadWasm() instantiates a new one. */
export function discardWasm() {
  cached = null;
}

async function loadForWeb() {
  const { default: create } = await import(new URL('../wasm/mergeprobe.mjs', import.meta.url).href);
  return create();
}

async function loadForNode() {
  const { existsSync, readFileSync } = await import('node:fs');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  // dist/lib/ -> dist/wasm/ ; web/lib/ (running from the source tree) -> build/wasm/
  const candidates = ['../wasm/', '../../build/wasm/'].map((rel) => new URL(rel, import.meta.url));
  const dir = candidates.find((u) => existsSync(fileURLToPath(new URL('mergeprobe.wasm', u))));
  if (!dir) throw Object.assign(new Error('mergeprobe.wasm not found: run `npm run build` first'), { code: 'setup' });
  const { default: create } = await import(pathToFileURL(fileURLToPath(new URL('mergeprobe.mjs', dir))).href);
  return create({ wasmBinary: readFileSync(fileURLToPath(new URL('mergeprobe.wasm', dir))) });
}
