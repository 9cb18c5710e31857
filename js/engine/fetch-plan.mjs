// The plan's byte ranges: checked against the heap before any is fetched, then fetched straight
// into buffers the core owns (one copy: chunk -> heap), each tensor computed as its ranges arrive.
import { formatBudget, tooLarge } from './budget.mjs';
import { EngineError, coreError, throwIfAborted } from './errors.mjs';
import { mapLimit } from './map-limit.mjs';

/** Heap compute() needs beside the fetched ranges (per-tensor results; measured in the MBs). */
const COMPUTE_SLACK = 16 * 2 ** 20;
/**
 * compute()'s allocations are small (a result per tensor, a few streams at a time), so its slack is
 * tried in pieces this size: holes the matching left in the heap can hold them, as they will hold
 * compute()'s own. One 16 MiB block would grow the heap past them (FP8 397B trio: 140 -> 130 MB).
 */
const SLACK_PIECE = 2 ** 20;

/**
 * Tries the allocations the fetch is about to make: one block per range, as rangeBuffer() will
 * make them, plus slack for compute(); then frees them (the range buffers take the same places).
 * One block per range matters: the heap cannot give one block above 2 GB, yet gives 3.8 GB in
 * parts. Returns null when all fit, else the bytes of ranges that did.
 * @param {any} mod @param {number[]} sizes
 */
function heapShortfall(mod, sizes) {
  const got = [];
  let fit = 0;
  let ok = true;
  for (const n of [...sizes, ...Array(COMPUTE_SLACK / SLACK_PIECE).fill(SLACK_PIECE)]) {
    const p = n < 2 ** 32 ? mod._malloc(n) >>> 0 : 0;  // _malloc takes a 32-bit size
    if (!p) { ok = false; break; }
    got.push(p);
    fit += n;
  }
  for (const p of got) mod._free(p);
  return ok ? null : Math.min(fit, sizes.reduce((a, b) => a + b, 0));
}

/**
 * The ranges are all held at once: make sure the heap can give them now (beside the headers
 * it holds, and in this browser, which may grant less than the module's maximum), so the run
 * is refused before any tensor byte is fetched rather than aborted half-way.
 */
export function checkPlanFits(mod, plan, budget, memoryLimit) {
  const sizes = [];
  for (let i = 0; i < plan.ranges.length; i += 4) sizes.push(plan.ranges[i + 3] - plan.ranges[i + 2]);
  const fit = heapShortfall(mod, sizes);
  if (fit !== null) {
    throw new EngineError(tooLarge(formatBudget(budget), plan.bytes + COMPUTE_SLACK, fit - COMPUTE_SLACK, memoryLimit,
      'with these models\' headers in memory, '), 'budget');
  }
}

/**
 * Fetches every range of `plan` into its core buffer. Compute while fetching: ranges in the core's
 * order (each tensor's ranges together), and each tensor computed as soon as its ranges are in;
 * the report is the same as computing after the fetch (tests/cpp/analysis_overlap_test.cpp), and
 * the compute hides behind the link.
 * @param {object} o
 * @param {any} o.analysis @param {any} o.plan @param {any[]} o.models
 * @param {string[][]} o.names each role's file names (analysis.fileNames)
 * @param {ReturnType<typeof import('./heap-io.mjs').heapIO>} o.heap
 * @param {number} o.concurrency @param {AbortSignal | undefined} o.signal
 * @param {(total: number) => void} o.onStart @param {() => void} o.onRange
 */
export async function fetchRanges({ analysis, plan, models, names, heap, concurrency, signal, onStart, onRange }) {
  const ranges = [];
  for (let i = 0; i < plan.ranges.length; i += 4) {
    const ptr = analysis.rangeBuffer(i / 4);
    if (!ptr) throw new EngineError('out of memory for the planned ranges: lower the byte budget', 'budget');
    ranges.push({ index: i / 4, role: plan.ranges[i], file: plan.ranges[i + 1], begin: plan.ranges[i + 2], end: plan.ranges[i + 3], ptr });
  }
  onStart(ranges.length);
  const order = Array.from(analysis.fetchOrder(), (i) => ranges[i]);
  await mapLimit(order, concurrency, async (r) => {
    throwIfAborted(signal);
    await heap.readToHeap(models[r.role].file(names[r.role][r.file]), r.begin, r.end, r.ptr);
    analysis.rangeFetched(r.index);
    const ready = analysis.computeReady();
    if (ready.error) throw coreError(ready, '');
    onRange();
  });
}
