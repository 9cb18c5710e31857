// One mergeprobe run, shared by the page's worker and the command line: read indexes and headers
// (file-list.mjs, add-headers.mjs), ask the core for a plan, fetch its byte ranges straight into
// the wasm heap while computing (fetch-plan.mjs), and assemble the report (report.mjs). All I/O
// goes through ByteSources (js/io/byte-source.mjs), so hub repos, dropped files and local paths
// are the same to this file.
import { loadWasm } from './wasm-loader.mjs';
import { DEFAULT_BUDGET, WASM_MAX_MEMORY, budgetProblem } from './budget.mjs';
import { MAX_PARENTS } from './defaults.mjs';
import { EngineError, coreError, isWasmException, throwIfAborted, wasmFailure } from './errors.mjs';
import { heapIO } from './heap-io.mjs';
import { listFiles } from './file-list.mjs';
import { readAndAddHeaders } from './add-headers.mjs';
import { checkPlanFits, fetchRanges } from './fetch-plan.mjs';
import { assembleReport } from './report.mjs';

export { MAX_PARENTS, loadWasm, DEFAULT_BUDGET, EngineError };
export { GGUF_FIRST_READ, SKIP_INDEX_ABOVE, SPECULATIVE_HEADER_BYTES, shardsWithoutIndex } from './file-list.mjs';

/**
 * @param {object} opts
 * @param {import('../io/byte-source.mjs').ModelSource} opts.suspect
 * @param {import('../io/byte-source.mjs').ModelSource[]} opts.parents
 * @param {import('../io/byte-source.mjs').ModelSource} opts.base
 * @param {import('../io/byte-source.mjs').ModelSource} [opts.control]
 * @param {number} [opts.budget] tensor bytes to fetch, all models together
 * @param {number} [opts.seed]
 * @param {AbortSignal} [opts.signal]
 * @param {(p: {phase: string, bytes: number, requests: number, budget: number, done: number, total: number}) => void} [opts.onProgress]
 * @param {{stats: {resolveCalls: number, requests: number, bytes: number}}} [opts.hub] for fetch counts
 * @param {string} [opts.endpoint] hub endpoint, for the share link
 * @param {string} [opts.pageUrl] page URL the share link points to
 * @param {number} [opts.concurrency]
 * @param {import('../io/cache.mjs').ByteCache | null} [opts.cache] header/index cache (js/io/cache.mjs)
 * @param {import('./wasm-loader.mjs').WasmModule} [opts.wasm] an instantiated module (tests, the worker); else loadWasm()
 * @param {number} [opts.memoryLimit] the wasm heap's maximum (budget.mjs WASM_MAX_MEMORY; tests pass less)
 */
export async function runAnalysis(opts) {
  try {
    return await run(opts);
  } catch (e) {
    // Anywhere the core allocates (parsing headers, planning, the Analysis itself) it may abort.
    throw wasmFailure(e, opts.budget ?? DEFAULT_BUDGET) ?? e;
  }
}

/** runAnalysis without the mapping of wasm aborts. @param {Parameters<typeof runAnalysis>[0]} opts */
async function run(opts) {
  const { suspect, parents = [], base, control = null, signal, onProgress = () => {} } = opts;
  const budget = opts.budget ?? DEFAULT_BUDGET;
  const seed = opts.seed ?? 0;
  const concurrency = opts.concurrency ?? 16;
  if (!suspect || !base) throw new EngineError('a suspect and a base model are needed', 'usage');
  if (parents.length < 1 || parents.length > MAX_PARENTS)
    throw new EngineError(`give between 1 and ${MAX_PARENTS} parent models`, 'usage');
  const memoryLimit = opts.memoryLimit ?? WASM_MAX_MEMORY;
  // Before any request: a budget the heap can never hold is refused with the largest that fits.
  const why = budgetProblem(budget, undefined, memoryLimit);
  if (why) throw new EngineError(why, /too large/.test(why) ? 'budget' : 'usage');
  if (!Number.isSafeInteger(seed) || seed < 0) throw new EngineError('the seed must be a non-negative integer', 'usage');

  const mod = opts.wasm ?? (await loadWasm());
  const models = [suspect, ...parents, base, ...(control ? [control] : [])];
  const k = parents.length;
  const analysis = new mod.Analysis(k, !!control);
  const counts = { bytes: 0, requests: 0 };
  const hubStart = opts.hub ? { ...opts.hub.stats } : null;
  let phase = 'headers';
  let done = 0;
  let total = 0;
  /** What the plan will read, once there is a plan: progress is measured against it, not the budget. */
  let plannedBytes = 0;
  const progress = () => onProgress({ phase, bytes: counts.bytes, requests: counts.requests, budget, done, total,
    ...(plannedBytes ? { plannedBytes } : {}) });
  const heap = heapIO({ mod, cache: opts.cache, signal, counts, progress });
  const step = () => { done += 1; progress(); };

  try {
    // 1. Which files to read: sharded models' indexes name their shards.
    progress();
    const fileLists = await listFiles({ mod, analysis, models, k, heap });
    throwIfAborted(signal);

    // 2. Every file's header, added to the core in a fixed order as it arrives.
    const tasks = fileLists.flatMap((files, role) => files.map((f) => ({ role, ...f })));
    total = tasks.length;
    await readAndAddHeaders({ tasks, concurrency, mod, analysis, models, k, heap, onRead: step });
    throwIfAborted(signal);

    // 3. Match and plan.
    phase = 'plan';
    progress();
    const matched = analysis.match();
    if (matched.error) throw coreError(matched, '');
    const plan = analysis.plan(budget, seed);
    if (plan.error) throw coreError(plan, '');
    checkPlanFits(mod, plan, budget, memoryLimit);

    // 4. Fetch the planned ranges into buffers the core owns, computing as they arrive.
    phase = 'fetching';
    plannedBytes = plan.bytes;
    const names = models.map((_, role) => analysis.fileNames(role));
    await fetchRanges({
      analysis, plan, models, names, heap, concurrency, signal,
      onStart: (n) => { done = 0; total = n; progress(); },
      onRange: step,
    });

    // 5. Compute what is left, and aggregate.
    phase = 'computing';
    progress();
    const computed = analysis.compute();
    if (computed.error) throw coreError(computed, '');
    const core = JSON.parse(analysis.reportJson());

    phase = 'done';
    progress();
    return assembleReport({
      roles: { suspect, parents, base, control }, names, core, counts, hubStart, hubNow: opts.hub?.stats,
      plannedBytes: plan.bytes, endpoint: opts.endpoint, pageUrl: opts.pageUrl,
    });
  } catch (e) {
    if (signal?.aborted && !isWasmException(e) && !(e instanceof EngineError && e.code === 'aborted')) throw new EngineError('cancelled', 'aborted', e);
    throw e;
  } finally {
    try {
      heap.releaseAll();
      analysis.delete();
    } catch { /* the module aborted: it is discarded, nothing left to free */ }
  }
}
