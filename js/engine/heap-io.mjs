// Reading bytes of a ByteSource straight into the wasm heap (one copy: chunk -> heap), and the
// heap buffers JS holds until the core takes them or they are freed.
import { cacheKey, cachedReadBytes, headerCacheKey } from '../io/cache.mjs';
import { EngineError } from './errors.mjs';

/** A complete safetensors header: 8 length bytes, then exactly that many more, within the file. */
function isWholeHeader(bytes, fileSize) {
  if (!bytes || bytes.length < 8 || bytes.length > fileSize) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n === BigInt(bytes.length - 8);
}

/**
 * @param {object} o
 * @param {any} o.mod the wasm module
 * @param {import('../io/cache.mjs').ByteCache | null | undefined} o.cache header/index cache
 * @param {AbortSignal | undefined} o.signal
 * @param {{bytes: number, requests: number}} o.counts what the reads cost, added to
 * @param {() => void} o.progress called as bytes arrive
 */
export function heapIO({ mod, cache, signal, counts, progress }) {
  // Reads [start, end) of a source into the heap at ptr + at. Returns ptr.
  // `cached`: an index at a commit SHA never changes, so it may come from the cache (one copy
  // from the cache instead of one from the network). Headers are cached apart (headerCacheKey).
  const readToHeap = async (source, start, end, ptr, at = 0, cached = false) => {
    const len = end - start;
    if (cached && cache && cacheKey(source, start, end)) {
      const before = cache.stats?.misses ?? 0;
      const bytes = await cachedReadBytes(cache, source, start, end, { signal });
      if (bytes.length !== len) throw new EngineError(`${source.name}: expected ${len} bytes, got ${bytes.length}`, 'internal');
      mod.HEAPU8.set(bytes, ptr + at);
      if ((cache.stats?.misses ?? 0) !== before) {
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

  // Buffers not yet handed to the core (or freed): the run frees what is left on an error.
  const heldPtrs = new Set();
  const release = (ptr) => { if (ptr && heldPtrs.delete(ptr)) mod._free(ptr); };
  /** The core took the buffer: no longer ours to free. */
  const handOver = (ptr) => { heldPtrs.delete(ptr); };
  const releaseAll = () => {
    for (const p of heldPtrs) mod._free(p);
    heldPtrs.clear();
  };
  // Heap for `len` bytes and the JSON padding after them (zeroed), held until released.
  const alloc = (len, what) => {
    const ptr = mod._malloc(len + mod.jsonPadding) >>> 0;  // unsigned: the heap may pass 2 GB
    if (!ptr) throw new EngineError(`out of memory reading ${what}`, 'budget');
    mod.HEAPU8.fill(0, ptr + len, ptr + len + mod.jsonPadding);
    heldPtrs.add(ptr);
    return ptr;
  };

  /**
   * One file's header into a held heap buffer: a first read of `guess` bytes, and a second only
   * when the header's length says it goes on past them. GGUF files get their first read only:
   * nothing says their header's length up front (the core asks for more: add-headers.mjs).
   * @param {import('../io/byte-source.mjs').ByteSource} src
   * @returns {Promise<{ptr: number, len: number, size: number}>}
   */
  const readHeader = async (src, name, guess, gguf) => {
    const size = await src.size();
    if (gguf) {
      const len = Math.min(guess, size);
      return { ptr: await readToHeap(src, 0, len, alloc(len, `the header of ${name}`)), len, size };
    }
    // The cache holds a header as exactly its 8 + N bytes: never the tensor bytes that a
    // speculative read of a small file (or of a big one past its header) also brings.
    const hkey = cache ? headerCacheKey(src) : null;
    if (hkey) {
      const hit = await cache.get(hkey).catch(() => null);
      if (isWholeHeader(hit, size)) {
        cache.stats.hits++;
        const ptr = alloc(hit.length, `the header of ${name}`);
        mod.HEAPU8.set(hit, ptr);
        return { ptr, len: hit.length, size };
      }
      cache.stats.misses++;
    }
    const first = Math.min(guess, size);
    let len = first;
    const room = size >= 8 ? Math.min(size, 8 + mod.maxHeaderBytes) : first;
    let ptr = await readToHeap(src, 0, first, alloc(first, `the header of ${name}`));
    let whole = 0;  // 8 + N once the bytes read hold the whole header
    if (first >= 8) {
      const n = Number(new DataView(mod.HEAPU8.buffer, ptr, 8).getBigUint64(0, true));
      if (8 + n <= first) whole = 8 + n;
      // Only when the length is plausible: otherwise the core reports the exact rule broken.
      if (8 + n > first && 8 + n <= room) {
        const bigger = alloc(8 + n, `the header of ${name}`);
        mod.HEAPU8.copyWithin(bigger, ptr, ptr + first);
        release(ptr);
        ptr = bigger;
        await readToHeap(src, first, 8 + n, ptr, first);
        len = 8 + n;
        whole = len;
      }
    }
    if (hkey && whole) {
      // A copy (slice), not a view: the heap may grow and move before the write finishes.
      await cache.put(hkey, mod.HEAPU8.slice(ptr, ptr + whole)).catch(() => {});
    }
    return { ptr, len, size };
  };

  return { readToHeap, readHeader, alloc, release, handOver, releaseAll };
}
