// The engine's errors: EngineError (its `code` tells the CLI's exit code and the page's message),
// core error values turned into it, and exceptions from inside the wasm module turned into it
// without Emscripten's words.
import { discardWasm } from './wasm-loader.mjs';
import { formatBudget } from './budget.mjs';

/** An error from the engine; `code` tells the CLI's exit code and the page's message. */
export class EngineError extends Error {
  /** @param {string} message @param {'usage'|'invalid-file'|'incomparable'|'budget'|'aborted'|'internal'} code
   *  `rule` (set on file errors): the core's ErrorCode name, e.g. 'IndexTooLarge'. */
  constructor(message, code, cause) {
    super(message, cause ? { cause } : undefined);
    this.name = 'EngineError';
    this.code = code;
  }
}

/**
 * A core error value -> an EngineError. The core says which kind it is (src/error.cpp
 * error_kind: 'invalid-file' | 'incomparable' | 'internal'), so no list of its codes lives here;
 * `rule` keeps the core's own name (e.g. IndexTooLarge) for messages.
 */
export function coreError(res, context) {
  return Object.assign(new EngineError(`${context}${res.error}`, res.kind ?? 'internal'), { rule: res.code });
}

/**
 * An exception from inside the wasm module -> an EngineError without Emscripten's words. An abort
 * is what an allocation that cannot be met ends in (bad_alloc with exception catching disabled);
 * after it the module is unusable, so the next run loads a fresh one (`wasmLost`).
 */
const isAbort = (e) => /^Aborted\(/.test(String(e?.message));
export const isWasmException = (e) => isAbort(e) || (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError);

/** The EngineError for a wasm exception (the module is discarded), or null for any other error. */
export function wasmFailure(e, budget) {
  if (!isWasmException(e)) return null;
  const aborted = isAbort(e);
  discardWasm();
  /** @type {EngineError & {wasmLost?: boolean}} */
  const err = aborted
    ? new EngineError(`the analysis ran out of memory with a budget of ${formatBudget(budget)}: `
        + `try a smaller budget, e.g. ${formatBudget(Math.max(4096, Math.floor(budget / 2 / 1e6) * 1e6))}`, 'budget', e)
    : new EngineError(`the analysis module failed (${String(e.message).split('.')[0]})`, 'internal', e);
  err.wasmLost = true;
  return err;
}

export function throwIfAborted(signal) {
  if (signal?.aborted) throw new EngineError('cancelled', 'aborted');
}

/** 64 MiB -> "64 MiB", 300_000_000 -> "300 MB": the units a reader compares. */
export const mebibytes = (n) => `${Math.round(n / (1 << 20))} MiB`;
export const megabytes = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
