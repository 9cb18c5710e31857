// The CLI's cache: one file per entry in a folder, the same ByteCache shape as the page's
// CacheStorage cache (js/io/cache.mjs), which holds what is cached and under which key.
import fs from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { MAX_ENTRY_BYTES } from '../io/cache.mjs';

/** @typedef {import('../io/cache.mjs').ByteCache} ByteCache */

/**
 * @param {{dir?: string, env?: Record<string, string | undefined>, maxEntryBytes?: number}} [o]
 *   dir: default $MERGEPROBE_CACHE, else ~/.cache/mergeprobe; MERGEPROBE_CACHE=off turns caching off
 * @returns {Promise<ByteCache | null>}
 */
export async function openFolderCache(o = {}) {
  const env = o.env ?? process.env;
  if (/^(off|0|false|none)$/i.test(env.MERGEPROBE_CACHE ?? '')) return null;
  const maxEntry = o.maxEntryBytes ?? MAX_ENTRY_BYTES;
  const stats = { hits: 0, misses: 0, puts: 0 };
  const dir = o.dir ?? (env.MERGEPROBE_CACHE || path.join(os.homedir(), '.cache', 'mergeprobe'));
  // Folders this creates are 0700 and entries 0600 (the umask can only narrow them): a cache of
  // gated headers must not be readable by other users. A folder that exists keeps its mode.
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Named by the SHA-256 of the key, written atomically (a temp file, then rename).
  const file = (/** @type {string} */ key) => path.join(dir, createHash('sha256').update(key).digest('hex') + '.bin');
  return {
    kind: 'folder',
    dir,
    stats,
    async get(key) {
      try { return new Uint8Array(await fs.readFile(file(key))); } catch { return null; }
    },
    async put(key, bytes) {
      if (bytes.length > maxEntry) return;
      const f = file(key);
      const tmp = `${f}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(tmp, bytes, { mode: 0o600 });
      await fs.rename(tmp, f);
      stats.puts++;
    },
  };
}
