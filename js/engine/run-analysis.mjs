// One mergeprobe run, shared by the page's worker and the command line: read indexes and headers,
// ask the core for a plan, fetch its byte ranges straight into the wasm heap, compute, and
// assemble the report. All I/O goes through ByteSources (js/io/byte-source.mjs), so hub repos,
// dropped files and local paths are the same to this file.
import { discardWasm, loadWasm } from './wasm-loader.mjs';
import { DEFAULT_BUDGET, WASM_MAX_MEMORY, budgetProblem, formatBudget, tooLarge } from './budget.mjs';
import { buildShareUrl } from '../report/share-link.mjs';
import { MAX_PARENTS, METHOD_VERSION, REPORT_SCHEMA, roleLabel } from './defaults.mjs';

export { MAX_PARENTS };
import { cacheKey, cachedReadBytes, headerCacheKey } from '../io/cache.mjs';

export { loadWasm, DEFAULT_BUDGET };

/** The first read of a header: 97% of safetensors headers are below 100 kB (huggingface_hub). */
export const SPECULATIVE_HEADER_BYTES = 100_000;
/**
 * Shards of an index get a first read sized from the index's names (headerGuess), with slack, and
 * at least this: a whole page, so that a shard whose index entry under-counts (long shapes,
 * big __metadata__) still fits. The guess already over-counts each tensor by 10-20 bytes. A
 * Qwen3.5-397B BF16 shard header is ~1.5 kB: 16 kB first reads cost 4.9 MB for the trio's 282.
 */
const MIN_SHARD_HEADER_READ = 4096;
const SHARD_GUESS_SLACK = 1.02;  // the per-tensor guess already over-counts by 10-20 bytes
/**
 * The first read of a GGUF file: its metadata (a tokenizer of 32k-150k tokens: 0.5-3 MB) comes
 * before the tensor infos, and nothing says its length up front; 1 MiB holds most headers of
 * small vocabularies. The core answers `{needed: N}` when the header goes on past what it was given,
 * and N bytes from 0 are read (the core's cap: the binding's maxGgufHeaderBytes).
 */
export const GGUF_FIRST_READ = 1 << 20;
/**
 * An index larger than this is not read when the listing names one complete shard set beside it
 * (shardsWithoutIndex): every shard's header is read anyway, and headers hold every name the
 * index holds, so the index only repeats them. A Qwen3.5-397B FP8 index is 20.6 MB (62 MB for a
 * trio, 5 s at 100 Mbit/s); a BF16 one is 0.1 MB and still pays for itself by sizing the first
 * reads of the headers (one wave of round trips instead of two).
 */
export const SKIP_INDEX_ABOVE = 1_000_000;
const SHARD_NAME = /^(.*)-(\d{5})-of-(\d{5})\.safetensors$/;

/**
 * The shards of a sharded model from its file listing alone, or null when the index must be read:
 * the index is small or its size unknown (local folders: reading it costs no round trip), or the
 * listing's .safetensors files beside the index are not exactly `<prefix>-00001-of-N` .. `-N-of-N`
 * with the index's own prefix (a leftover or extra file would otherwise be read as a shard).
 * Without the index its staleness check (match()) has nothing to check: the headers are the truth.
 * @param {import('../io/byte-source.mjs').ModelSource & {sizes?: Map<string, number>}} m
 * @returns {string[] | null} repo paths, in shard-number order
 */
export function shardsWithoutIndex(m) {
  const index = m.weights?.index;
  const size = index ? m.sizes?.get(index) : undefined;
  if (!index || !(typeof size === 'number' && size > SKIP_INDEX_ABOVE)) return null;
  const dir = dirOf(index);
  const prefix = index.slice(dir.length).replace(/\.safetensors\.index\.json$/, '');
  if (prefix === index.slice(dir.length)) return null;
  const shards = (m.files ?? []).filter((f) => dirOf(f) === dir && f.endsWith('.safetensors'));
  if (!shards.length) return null;
  const seen = new Set();
  let total = 0;
  for (const f of shards) {
    const x = SHARD_NAME.exec(f.slice(dir.length));
    if (!x || x[1] !== prefix) return null;
    const [k, n] = [Number(x[2]), Number(x[3])];
    if (total && n !== total) return null;
    total = n;
    if (k < 1 || k > n || seen.has(k)) return null;
    seen.add(k);
  }
  return seen.size === total ? [...shards].sort() : null;
}

/** Heap compute() needs beside the fetched ranges (per-tensor results; measured in the MBs). */
const COMPUTE_SLACK = 16 * 2 ** 20;

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
function coreError(res, context) {
  return Object.assign(new EngineError(`${context}${res.error}`, res.kind ?? 'internal'), { rule: res.code });
}

/** 64 MiB -> "64 MiB", 300_000_000 -> "300 MB": the units a reader compares. */
const mebibytes = (n) => `${Math.round(n / (1 << 20))} MiB`;
const megabytes = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

/**
 * The index cap is the core's (src/format/safetensors_index.h kMaxIndexBytes, exported by the binding):
 * checked here against the size from the listing, so an oversized index is never downloaded.
 * The read itself is bounded to that size (readToHeap checks the byte count).
 */
function checkIndexSize(mod, m, role, k, size) {
  const max = mod.maxIndexBytes;
  if (typeof max === 'number' && size > max) {
    throw Object.assign(new EngineError(`${m.label} (${roleLabel(role, k)}): ${m.weights.index} is ${megabytes(size)}; mergeprobe ` +
      `reads indexes up to ${mebibytes(max)} (the largest real ones are about 25 MB)`, 'invalid-file'), { rule: 'IndexTooLarge' });
  }
}

/** A complete safetensors header: 8 length bytes, then exactly that many more, within the file. */
function isWholeHeader(bytes, fileSize) {
  if (!bytes || bytes.length < 8 || bytes.length > fileSize) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n === BigInt(bytes.length - 8);
}

/**
 * An exception from inside the wasm module -> an EngineError without Emscripten's words. An abort
 * is what an allocation that cannot be met ends in (bad_alloc with exception catching disabled);
 * after it the module is unusable, so the next run loads a fresh one (`wasmLost`).
 */
const isAbort = (e) => /^Aborted\(/.test(String(e?.message));
const isWasmException = (e) => isAbort(e) || (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError);

function wasmFailure(e, budget) {
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
  for (const n of [...sizes, COMPUTE_SLACK]) {
    const p = n < 2 ** 32 ? mod._malloc(n) >>> 0 : 0;  // _malloc takes a 32-bit size
    if (!p) { ok = false; break; }
    got.push(p);
    fit += n;
  }
  for (const p of got) mod._free(p);
  return ok ? null : Math.min(fit, sizes.reduce((a, b) => a + b, 0));
}

function throwIfAborted(signal) {
  if (signal?.aborted) throw new EngineError('cancelled', 'aborted');
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function dirOf(path) {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

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

  // Reads [start, end) of a source into fresh heap memory (+ JSON padding). Returns the pointer.
  // `cached`: an index at a commit SHA never changes, so it may come from the cache (one copy
  // from the cache instead of one from the network). Headers are cached apart (headerCacheKey).
  const readToHeap = async (source, start, end, ptr = 0, at = 0, cached = false) => {
    const len = end - start;
    if (!ptr) {
      ptr = mod._malloc(len + mod.jsonPadding) >>> 0;  // unsigned: the heap may pass 2 GB
      if (!ptr) throw new EngineError(`out of memory allocating ${len} bytes`, 'budget');
      mod.HEAPU8.fill(0, ptr + len, ptr + len + mod.jsonPadding);
    }
    if (cached && opts.cache && cacheKey(source, start, end)) {
      const before = opts.cache.stats?.misses ?? 0;
      const bytes = await cachedReadBytes(opts.cache, source, start, end, { signal });
      if (bytes.length !== len) throw new EngineError(`${source.name}: expected ${len} bytes, got ${bytes.length}`, 'internal');
      mod.HEAPU8.set(bytes, ptr + at);
      if ((opts.cache.stats?.misses ?? 0) !== before) {
        counts.requests += 1;
        counts.bytes += len;
      }
      progress();
      return ptr;
    }
    let got = 0;
    counts.requests += 1;
    await source.read(start, end, (chunk, offset) => {
      // A source that streams past `end` would write past the allocation: refuse it mid-stream.
      if (offset + chunk.length > len) throw new EngineError(`${source.name}: more than the ${len} bytes asked for`, 'internal');
      // HEAPU8 is re-read for every chunk: a malloc elsewhere may have grown (replaced) the heap.
      mod.HEAPU8.set(chunk, ptr + at + offset);
      got += chunk.length;
      counts.bytes += chunk.length;
      progress();
    }, { signal });
    if (got !== len) throw new EngineError(`${source.name}: expected ${len} bytes, got ${got}`, 'internal');
    return ptr;
  };

  const freeAll = [];
  try {
    // 1. Sharded models: the index names the shards (relative to the index's folder).
    progress();
    const fileLists = await Promise.all(models.map(async (m, role) => {
      if (m.weights?.gguf) return m.weights.gguf.map((name) => ({ name, first: GGUF_FIRST_READ, gguf: true }));
      if (!m.weights?.index) return [{ name: m.weights.single, first: SPECULATIVE_HEADER_BYTES }];
      const src = m.file(m.weights.index);
      const size = await src.size();
      // Checked even when the index is not read: an index past the cap says the repo is not sound.
      checkIndexSize(mod, m, role, k, size);
      const listed = shardsWithoutIndex(m);
      if (listed) return listed.map((name) => ({ name, first: SPECULATIVE_HEADER_BYTES }));
      // A gated or private repo's index is not cached (cache.mjs): only its headers are.
      const ptr = await readToHeap(src, 0, size, 0, 0, !src.restricted);
      // The core takes the buffer (the index's names stay in it; it frees it after match(), or
      // at once on an error): not ours to free, and no second copy of the index lives in JS.
      const res = analysis.addIndex(role, ptr, size);
      if (res.error) throw coreError(res, `${m.label} (${roleLabel(role, k)}): ${m.weights.index}: `);
      const dir = dirOf(m.weights.index);
      return res.shards.map((s, i) => ({
        name: dir + s,
        first: Math.max(MIN_SHARD_HEADER_READ, Math.ceil(res.headerGuess[i] * SHARD_GUESS_SLACK)),
      }));
    }));
    throwIfAborted(signal);

    // 2. Every file's header: one speculative read; a second only for headers above 100 kB. All
    // files are read concurrently; they are added in a fixed order so the report is stable.
    const tasks = fileLists.flatMap((files, role) => files.map((f) => ({ role, ...f })));
    total = tasks.length;
    const headers = await mapLimit(tasks, concurrency, async ({ role, name, first: guess, gguf }) => {
      const src = models[role].file(name);
      const size = await src.size();
      if (gguf) {
        // GGUF: no length prefix to read ahead by; the core asks for more when it needs it (below).
        const len = Math.min(guess, size);
        const ptr = await readToHeap(src, 0, len);
        freeAll.push(ptr);
        done += 1;
        progress();
        return { role, name, ptr, len, size, gguf: true };
      }
      // The cache holds a header as exactly its 8 + N bytes: never the tensor bytes that a
      // speculative read of a small file (or of a big one past its header) also brings.
      const hkey = opts.cache ? headerCacheKey(src) : null;
      if (hkey) {
        const hit = await opts.cache.get(hkey).catch(() => null);
        if (isWholeHeader(hit, size)) {
          opts.cache.stats.hits++;
          const ptr = mod._malloc(hit.length + mod.jsonPadding) >>> 0;  // unsigned: the heap may pass 2 GB
          if (!ptr) throw new EngineError(`out of memory reading the header of ${name}`, 'budget');
          mod.HEAPU8.set(hit, ptr);
          mod.HEAPU8.fill(0, ptr + hit.length, ptr + hit.length + mod.jsonPadding);
          freeAll.push(ptr);
          done += 1;
          progress();
          return { role, name, ptr, len: hit.length, size };
        }
        opts.cache.stats.misses++;
      }
      const first = Math.min(guess, size);
      let len = first;
      const room = size >= 8 ? Math.min(size, 8 + mod.maxHeaderBytes) : first;
      let ptr = await readToHeap(src, 0, first);
      let whole = 0;  // 8 + N once the bytes read hold the whole header
      if (first >= 8) {
        const n = Number(new DataView(mod.HEAPU8.buffer, ptr, 8).getBigUint64(0, true));
        if (8 + n <= first) whole = 8 + n;
        // Only when the length is plausible: otherwise the core reports the exact rule broken.
        if (8 + n > first && 8 + n <= room) {
          const bigger = mod._malloc(8 + n + mod.jsonPadding) >>> 0;
          if (!bigger) throw new EngineError(`out of memory reading the header of ${name}`, 'budget');
          mod.HEAPU8.copyWithin(bigger, ptr, ptr + first);
          mod.HEAPU8.fill(0, bigger + 8 + n, bigger + 8 + n + mod.jsonPadding);
          mod._free(ptr);
          ptr = bigger;
          await readToHeap(src, first, 8 + n, ptr, first);
          len = 8 + n;
          whole = len;
        }
      }
      freeAll.push(ptr);
      if (hkey && whole) {
        // A copy (slice), not a view: the heap may grow and move before the write finishes.
        await opts.cache.put(hkey, mod.HEAPU8.slice(ptr, ptr + whole)).catch(() => {});
      }
      done += 1;
      progress();
      return { role, name, ptr, len, size };
    });
    for (const h of headers) {
      let res = analysis.addFile(h.role, h.name, h.ptr, h.len, h.size);
      // A GGUF header longer than the first read: the core estimates the bytes it needs from 0
      // (at least 1.5x what it had); each answer must grow, and the core caps it, so this ends.
      while (res.needed !== undefined && !res.error) {
        const where = `${models[h.role].label} (${roleLabel(h.role, k)}): ${h.name}: `;
        const need = Number(res.needed);
        const max = mod.maxGgufHeaderBytes;
        if (!(need > h.len && need <= h.size)) {
          throw new EngineError(`${where}the GGUF header asks for ${need} bytes after ${h.len} (the file has ${h.size})`, 'invalid-file');
        }
        if (typeof max === 'number' && need > max) {
          throw Object.assign(new EngineError(`${where}the GGUF header (metadata and tensor infos) is ${megabytes(need)}; ` +
            `mergeprobe reads GGUF headers up to ${mebibytes(max)}`, 'invalid-file'), { rule: 'GgufHeaderTooLarge' });
        }
        const ptr = await readToHeap(models[h.role].file(h.name), 0, need);
        freeAll.push(ptr);
        h.ptr = ptr;
        h.len = need;
        res = analysis.addFile(h.role, h.name, h.ptr, h.len, h.size);
      }
      if (res.error) throw coreError(res, `${models[h.role].label} (${roleLabel(h.role, k)}): `);
    }
    for (const p of freeAll.splice(0)) mod._free(p);
    throwIfAborted(signal);

    // 3. Match and plan.
    phase = 'plan';
    progress();
    const matched = analysis.match();
    if (matched.error) throw coreError(matched, '');
    const plan = analysis.plan(budget, seed);
    if (plan.error) throw coreError(plan, '');
    // The ranges are all held at once: make sure the heap can give them now (beside the headers
    // it holds, and in this browser, which may grant less than the module's maximum), so the run
    // is refused before any tensor byte is fetched rather than aborted half-way.
    const sizes = [];
    for (let i = 0; i < plan.ranges.length; i += 4) sizes.push(plan.ranges[i + 3] - plan.ranges[i + 2]);
    const fit = heapShortfall(mod, sizes);
    if (fit !== null) {
      throw new EngineError(tooLarge(formatBudget(budget), plan.bytes + COMPUTE_SLACK, fit - COMPUTE_SLACK, memoryLimit,
        'with these models\' headers in memory, '), 'budget');
    }

    // 4. Fetch the planned ranges into buffers the core owns (one copy: chunk -> heap).
    phase = 'fetching';
    plannedBytes = plan.bytes;
    const names = models.map((_, role) => analysis.fileNames(role));
    const ranges = [];
    for (let i = 0; i < plan.ranges.length; i += 4) {
      const ptr = analysis.rangeBuffer(i / 4);
      if (!ptr) throw new EngineError('out of memory for the planned ranges: lower the byte budget', 'budget');
      ranges.push({ index: i / 4, role: plan.ranges[i], file: plan.ranges[i + 1], begin: plan.ranges[i + 2], end: plan.ranges[i + 3], ptr });
    }
    done = 0;
    total = ranges.length;
    progress();
    // Compute while fetching: ranges in the core's order (each tensor's ranges together), and
    // each tensor computed as soon as its ranges are in; the report is the same as computing
    // after the fetch (tests/cpp/analysis_overlap_test.cpp), the compute hides behind the link.
    const order = Array.from(analysis.fetchOrder(), (i) => ranges[i]);
    await mapLimit(order, concurrency, async (r) => {
      throwIfAborted(signal);
      await readToHeap(models[r.role].file(names[r.role][r.file]), r.begin, r.end, r.ptr);
      analysis.rangeFetched(r.index);
      const ready = analysis.computeReady();
      if (ready.error) throw coreError(ready, '');
      done += 1;
      progress();
    });

    // 5. Compute.
    phase = 'computing';
    progress();
    const computed = analysis.compute();
    if (computed.error) throw coreError(computed, '');
    const core = JSON.parse(analysis.reportJson());

    phase = 'done';
    progress();
    const describe = (m, role) => ({
      repo: m.repo ?? m.label,
      revision: m.revision,
      requested_revision: m.requestedRevision ?? null,
      label: m.label,
      files: names[role],
      format: m.weights?.gguf ? 'gguf' : 'safetensors',
      // The GGUF file the id named (its first part): share links pin it as owner/name@sha:path.gguf.
      ...(m.weights?.gguf ? { gguf_file: m.weights.gguf[0] } : {}),
    });
    const hubNow = opts.hub?.stats;
    const report = {
      schema: REPORT_SCHEMA,
      method_version: METHOD_VERSION,
      created: new Date().toISOString(),
      models: {
        suspect: describe(suspect, 0),
        parents: parents.map((p, i) => describe(p, 1 + i)),
        base: describe(base, k + 1),
        ...(control ? { control: describe(control, k + 2) } : {}),
      },
      endpoint: opts.endpoint ?? null,
      ...core,
      fetch: {
        bytes: counts.bytes,
        requests: hubNow ? hubNow.requests - hubStart.requests : counts.requests,
        resolve_calls: hubNow ? hubNow.resolveCalls - hubStart.resolveCalls : 0,
        planned_bytes: plan.bytes,
      },
    };
    report.share_url = buildShareUrl(opts.pageUrl, report);
    return report;
  } catch (e) {
    if (signal?.aborted && !isWasmException(e) && !(e instanceof EngineError && e.code === 'aborted')) throw new EngineError('cancelled', 'aborted', e);
    throw e;
  } finally {
    try {
      for (const p of freeAll) mod._free(p);
      analysis.delete();
    } catch { /* the module aborted: it is discarded, nothing left to free */ }
  }
}
