// Which files of each model hold headers to read, and how many bytes to read first of each: a
// single file, GGUF parts, or the shards an index names (sized from the index), or the shards the
// listing names when the index is not worth reading.
import { roleLabel } from './defaults.mjs';
import { EngineError, coreError, mebibytes, megabytes } from './errors.mjs';

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

export function dirOf(path) {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i + 1);
}

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

/**
 * Per model (in role order), the files whose headers to read: {name, first: bytes of the first
 * read, gguf?}. A sharded model's index is read into the heap and handed to the core (addIndex),
 * unless shardsWithoutIndex says the listing names the shards.
 * @param {{mod: any, analysis: any, models: any[], k: number, heap: ReturnType<typeof import('./heap-io.mjs').heapIO>}} o
 * @returns {Promise<{name: string, first: number, gguf?: boolean}[][]>}
 */
export function listFiles({ mod, analysis, models, k, heap }) {
  return Promise.all(models.map(async (m, role) => {
    if (m.weights?.gguf) return m.weights.gguf.map((name) => ({ name, first: GGUF_FIRST_READ, gguf: true }));
    if (!m.weights?.index) return [{ name: m.weights.single, first: SPECULATIVE_HEADER_BYTES }];
    const src = m.file(m.weights.index);
    const size = await src.size();
    // Checked even when the index is not read: an index past the cap says the repo is not sound.
    checkIndexSize(mod, m, role, k, size);
    const listed = shardsWithoutIndex(m);
    if (listed) return listed.map((name) => ({ name, first: SPECULATIVE_HEADER_BYTES }));
    // A gated or private repo's index is not cached (cache.mjs): only its headers are.
    const ptr = await heap.readToHeap(src, 0, size, heap.alloc(size, m.weights.index), 0, !src.restricted);
    // The core takes the buffer (the index's names stay in it; it frees it after match(), or
    // at once on an error): not ours to free, and no second copy of the index lives in JS.
    heap.handOver(ptr);
    const res = analysis.addIndex(role, ptr, size);
    if (res.error) throw coreError(res, `${m.label} (${roleLabel(role, k)}): ${m.weights.index}: `);
    const dir = dirOf(m.weights.index);
    return res.shards.map((s, i) => ({
      name: dir + s,
      first: Math.max(MIN_SHARD_HEADER_READ, Math.ceil(res.headerGuess[i] * SHARD_GUESS_SLACK)),
    }));
  }));
}
