// A small cache for bytes that never change: headers and index files of a commit. A path at a
// 40-hex commit SHA is immutable, so (endpoint, repo, sha, path, range) fully names its bytes and
// entries never need invalidation. Local files (revision 'local') are never cached: they can change.
// What is stored (js/engine/run-analysis.mjs decides): a safetensors header as exactly its 8 + N bytes
// (headerCacheKey; never the tensor bytes a speculative read also brought), and the index of a
// public repo. A gated or private repo (source.restricted) gets its headers cached, nothing else:
// the weights and files behind its gate do not sit on disk outside the user's control, while the
// part a rerun needs most (one header per shard) is still cached. Folder entries are 0600 in a
// 0700 folder: only the user reads them.
//
// API:
//   const cache = await openCache({ store: 'browser' | 'none', maxEntryBytes })   (CacheStorage)
//   const cache = await openFolderCache({ dir, env })   (js/io-node/folder-cache.mjs: the CLI's;
//     dir, else env MERGEPROBE_CACHE, else ~/.cache/mergeprobe; MERGEPROBE_CACHE=off disables)
//   await cache.get(key) -> Uint8Array | null
//   await cache.put(key, bytes)
//   cacheKey(source, start, end) -> string | null     (null: the source is not cacheable)
//   headerCacheKey(source) -> string | null           the file's safetensors header, exact bytes
//   await cachedReadBytes(cache, source, start, end, opts) -> Uint8Array
//     readBytes() through the cache; `cache` may be null. Cache errors never fail a read.
//   cache.stats = { hits, misses, puts }
//
// A source is cacheable when it has a `cacheId` (HubFileSource: endpoint|repo|sha|path).

import { readBytes } from './byte-source.mjs';

/** @typedef {import('./byte-source.mjs').ByteSource} ByteSource */

/**
 * @typedef {Object} ByteCache
 * @property {(key: string) => Promise<Uint8Array | null>} get
 * @property {(key: string, bytes: Uint8Array) => Promise<void>} put
 * @property {{hits: number, misses: number, puts: number}} stats
 * @property {string} kind
 * @property {string} [dir]  the folder cache's folder (js/io-node/folder-cache.mjs)
 */

const VERSION = 'v1';
/** Larger entries are not cached (headers and indexes are far below it). */
export const MAX_ENTRY_BYTES = 64 << 20;

/**
 * @param {ByteSource & {cacheId?: string}} source
 * @param {number} start
 * @param {number} end
 * @returns {string | null}
 */
export function cacheKey(source, start, end) {
  const id = immutableId(source);
  return id && `${VERSION}|${id}|${start}-${end}`;
}

/** A source's cacheId when it names bytes at a commit SHA, else null. */
function immutableId(source) {
  const id = source.cacheId;
  return typeof id === 'string' && /\|[0-9a-f]{40}\|/.test(id) ? id : null;
}

/**
 * The key of a file's safetensors header (its first 8 + N bytes, N read from them).
 * @param {ByteSource & {cacheId?: string}} source
 * @returns {string | null}
 */
export function headerCacheKey(source) {
  const id = immutableId(source);
  return id && `${VERSION}|${id}|header`;
}

/**
 * @param {ByteCache | null | undefined} cache
 * @param {ByteSource & {cacheId?: string}} source
 * @param {number} start
 * @param {number} end
 * @param {{signal?: AbortSignal}} [opts]
 */
export async function cachedReadBytes(cache, source, start, end, opts) {
  const key = cache ? cacheKey(source, start, end) : null;
  if (!cache || !key) return readBytes(source, start, end, opts);
  const hit = await cache.get(key).catch(() => null);
  if (hit && hit.length === end - start) {
    cache.stats.hits++;
    return hit;
  }
  cache.stats.misses++;
  const bytes = await readBytes(source, start, end, opts);
  await cache.put(key, bytes).catch(() => {});
  return bytes;
}

/**
 * The page's cache: CacheStorage, keyed by synthetic URLs. The CLI's folder cache is
 * `openFolderCache` in js/io-node/folder-cache.mjs; both give the same ByteCache shape.
 * @param {{store?: 'browser' | 'none', maxEntryBytes?: number}} [o]
 * @returns {Promise<ByteCache | null>}  null when caching is off or unavailable
 */
export async function openCache(o = {}) {
  if (o.store === 'none' || typeof caches === 'undefined') return null;
  const maxEntry = o.maxEntryBytes ?? MAX_ENTRY_BYTES;
  const stats = { hits: 0, misses: 0, puts: 0 };
  const c = await caches.open(`mergeprobe-${VERSION}`);
  // CacheStorage keys are requests: a synthetic URL never fetched.
  const url = (/** @type {string} */ key) => `https://mergeprobe.invalid/cache/${encodeURIComponent(key)}`;
  return {
    kind: 'browser',
    stats,
    async get(key) {
      const r = await c.match(url(key));
      return r ? new Uint8Array(await r.arrayBuffer()) : null;
    },
    async put(key, bytes) {
      if (bytes.length > maxEntry) return;
      await c.put(url(key), new Response(/** @type {Uint8Array<ArrayBuffer>} */ (bytes), { headers: { 'Content-Type': 'application/octet-stream' } }));
      stats.puts++;
    },
  };
}
