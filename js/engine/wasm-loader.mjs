// The one loader of the mergeprobe wasm module (build/wasm/mergeprobe.{mjs,wasm}, copied to
// dist/wasm/): one instance per page or process, made again after it aborted. In the browser and
// workers the module locates its .wasm next to itself (the default factory). Node reads the binary
// itself and registers its factory with setWasmFactory (js/io-node/wasm.mjs): Emscripten 3.1.6's
// loader would call fetch() on a file path, which Node 20 rejects (toolchain-notes pitfalls 2, 3).

/**
 * The instantiated Emscripten module (build/wasm/mergeprobe.mjs, generated, imported by URL and so
 * not type-checked itself): only what js/engine uses. Analysis is the embind class of
 * bindings/bindings.cpp; its methods return plain objects (typed where they are read).
 * @typedef {Object} WasmModule
 * @property {new (parents: number, hasControl: boolean) => any} Analysis
 * @property {Uint8Array} HEAPU8  the heap; replaced (re-read it) whenever it grows
 * @property {(bytes: number) => number} _malloc  0 when the heap cannot grow
 * @property {(ptr: number) => void} _free
 * @property {number} [maxIndexBytes]  the core's cap on an index file (bindings.cpp constant)
 * @property {number} jsonPadding  bytes simdjson reads past JSON: every buffer handed to the core has them, zeroed
 * @property {number} maxHeaderBytes  the core's header length limit (kMaxHeaderLength)
 * @property {number} [maxGgufHeaderBytes]  the core's cap on a GGUF header read (metadata + tensor infos)
 */

/** @type {() => Promise<WasmModule>} */
let factory = loadForWeb;
/** @type {Promise<WasmModule> | null} */
let cached = null;

/** Where the module comes from (Node: a build folder); drops any instance made by the last one. */
export function setWasmFactory(/** @type {() => Promise<WasmModule>} */ f) {
  factory = f;
  cached = null;
}

/** @returns {Promise<WasmModule>} the instantiated module (Analysis class, HEAPU8, _malloc, _free) */
export function loadWasm() {
  if (!cached) {
    const p = factory().catch((e) => { throw loadFailure(e); });
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
  // dist/js/engine/ -> dist/wasm/ (scripts/build-site.mjs lays dist/ out so)
  const { default: create } = await import(new URL('../../wasm/mergeprobe.mjs', import.meta.url).href);
  return create();
}
