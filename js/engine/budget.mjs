// The byte budget, defined once for the page, the CLI and the engine: its default, its units, its
// limits and the memory a run needs. Self-contained (no DOM, no node:), so any of them can import it.
//
// Memory: every byte of the budget is held in the wasm heap at once (the planned ranges are fetched
// into buffers the core owns, then computed over), beside the parsed headers and indexes. The
// module is linked with -sMAXIMUM_MEMORY=4GB (CMakeLists.txt; a test checks the two agree), the
// wasm32 ceiling, so a budget near 4 GB cannot run anywhere, and beyond it Emscripten aborts.

/** Default budget: what existing CLI links carry; == src/plan/planner.h PlanOptions::budget_bytes (tested). */
export const DEFAULT_BUDGET = 64 * 2 ** 20;
/** Below one row of the smallest tensors the planner has nothing to sample (engine.mjs checks too). */
export const MIN_BUDGET = 4096;
/** The wasm heap's maximum: -sMAXIMUM_MEMORY in CMakeLists.txt (tests/js/engine/budget.test.mjs checks). */
export const WASM_MAX_MEMORY = 4 * 2 ** 30;
/**
 * Heap a run needs besides the budget, known before its headers are read: the module's own 32 MiB
 * start, and the headers and indexes of very large models (a 397B FP8 trio reads 78 MB of headers
 * at once, its 20 MB indexes skipped, and grows the heap to 300 MB; 154 MB and 381 MB with them). After the headers the engine tries the real allocation.
 */
export const HEAP_RESERVE = 512 * 2 ** 20;
/** The largest budget the wasm heap can hold: the same for the page and the CLI. */
export const MAX_BUDGET = WASM_MAX_MEMORY - HEAP_RESERVE;

// SI units are powers of 1000, IEC units powers of 1024 (so "MB" and "MiB" differ, as on the Hub).
const UNITS = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};
export const UNITS_HINT = 'use a size such as 64MiB, 512KiB, 100MB or 1GB (units B, KB, MB, GB, KiB, MiB, GiB)';

/** A budget that cannot be used; `code` 'usage' like the CLI's other argument errors. */
export class BudgetError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BudgetError';
    this.code = 'usage';
  }
}

/**
 * "64MB" | "1.5 GiB" | "1048576" -> bytes (integer, rounded down); units are case-insensitive.
 * A number without a unit is in `plainUnit`: bytes on the command line, MB in the page's field
 * (which always took MB). Throws a BudgetError saying what to type instead, for text that is not
 * a size and for sizes outside [MIN_BUDGET, MAX_BUDGET].
 * @param {string} text
 * @param {{plainUnit?: 'B'|'MB'}} [opts]
 * @returns {number}
 */
export function parseBudget(text, { plainUnit = 'B' } = {}) {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(String(text));
  if (!m) throw new BudgetError(`${JSON.stringify(String(text))} is not a size: ${UNITS_HINT}`);
  const unit = (m[2] === '' ? plainUnit : m[2]).toLowerCase();
  if (!(unit in UNITS)) throw new BudgetError(`unknown unit "${m[2]}": ${UNITS_HINT}`);
  const bytes = Math.floor(Number(m[1]) * UNITS[unit]);
  const why = budgetProblem(bytes, `${m[1]}${m[2] || plainUnit}`);
  if (why) throw new BudgetError(why);
  return bytes;
}

/**
 * Why a budget in bytes cannot run, or null when it can. The one rule the page, the CLI and the
 * engine apply (the page to share links too).
 * @param {number} bytes
 * @param {string} [as] how the user wrote it, for the message
 * @param {number} [limit] the heap's maximum (tests pass less)
 */
export function budgetProblem(bytes, as = formatBudget(bytes), limit = WASM_MAX_MEMORY) {
  const max = limit - HEAP_RESERVE;
  if (!Number.isSafeInteger(bytes) && !(bytes > max)) return `a budget of ${as} is not a whole number of bytes`;
  if (bytes < MIN_BUDGET) return `a budget of ${as} is below the minimum of ${MIN_BUDGET} bytes (${formatBudget(MIN_BUDGET)})`;
  if (bytes > max) return tooLarge(as, bytes + HEAP_RESERVE, max, limit);
  return null;
}

/**
 * The message for a budget the heap cannot hold.
 * @param {string} as the budget as written
 * @param {number} needed heap bytes the budget would need
 * @param {number} largest the largest budget that fits, in bytes
 * @param {number} [limit] the heap's maximum
 * @param {string} [context] what else holds memory, e.g. "with these models' headers in memory, "
 */
export function tooLarge(as, needed, largest, limit = WASM_MAX_MEMORY, context = '') {
  const fit = Math.max(0, Math.floor(largest / 1e6));
  return `a budget of ${as} is too large: it needs about ${formatSize(needed)} of memory, and WebAssembly `
    + `can use at most ${formatSize(limit)}; ${context}the largest budget that fits is `
    + (fit * 1e6 >= MIN_BUDGET ? `${fit}MB` : 'none, the memory is in use');
}

/**
 * Bytes -> the shortest exact text parseBudget reads back to the same number ("64MiB", "8000MB",
 * "512KiB", "3.5GiB", "4097B"): share links fill the page's field with it, so the plan is the same.
 * @param {number} bytes
 */
export function formatBudget(bytes) {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return `${bytes}B`;
  if ((bytes * 10) % 2 ** 30 === 0) return `${bytes / 2 ** 30}GiB`;  // 3.5GiB, not 3584MiB
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}MiB`;
  if (bytes % 1e6 === 0) return `${bytes / 1e6}MB`;
  if (bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10}KiB`;
  if (bytes % 1e3 === 0) return `${bytes / 1e3}KB`;
  return `${bytes}B`;
}

/** Bytes -> "4.3 GB", rounded, for memory sizes in messages. @param {number} bytes */
export function formatSize(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${Math.ceil(bytes / 1e3)} kB`;
}
