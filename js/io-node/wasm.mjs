// Node's way to the wasm module: read the binary from a build folder and hand it over as
// `wasmBinary` (Emscripten 3.1.6's loader would fetch() a file path, which Node 20 rejects:
// toolchain-notes pitfalls 2 and 3). Importing this module makes js/engine's loadWasm() use it,
// so the engine's own fallback works in Node too; the one instance stays in wasm-loader.mjs.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadWasm, setWasmFactory } from '../engine/wasm-loader.mjs';

/** The source tree's build (npm run build). */
export const DEFAULT_WASM_DIR = fileURLToPath(new URL('../../build/wasm/', import.meta.url));

/**
 * A module instance from `dir` (mergeprobe.mjs + mergeprobe.wasm), not shared with loadWasm().
 * @param {string} dir
 */
export async function createWasmFrom(dir) {
  const wasmPath = resolve(dir, 'mergeprobe.wasm');
  if (!existsSync(wasmPath)) {
    throw Object.assign(new Error(`${wasmPath} not found: run \`npm run build\` first`), { code: 'setup' });
  }
  const { default: create } = await import(pathToFileURL(join(resolve(dir), 'mergeprobe.mjs')).href);
  return create({ wasmBinary: readFileSync(wasmPath) });
}

/** From here on loadWasm() (this process's one instance) comes from `dir`. */
export function useWasmDir(dir = DEFAULT_WASM_DIR) {
  setWasmFactory(() => createWasmFrom(dir));
}

useWasmDir();
export { loadWasm };
