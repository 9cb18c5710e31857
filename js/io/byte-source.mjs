// The one I/O interface the engine reads through, plus the Blob/File implementation used for files
// dropped on the page. Hub files (hub/file-source.mjs) and local paths (io-node/local-model.mjs) implement the same
// shape, so the engine never knows where bytes come from.
//
// The sink receives each chunk as it arrives, so the engine can copy it straight into the wasm heap
// (one copy, no concatenation). `offset` is relative to `start`. A read either delivers exactly
// end - start bytes, in order and without gaps, or rejects: it never returns short data.

/**
 * @typedef {(chunk: Uint8Array, offset: number) => void} Sink
 */

/**
 * @typedef {Object} ReadOptions
 * @property {AbortSignal} [signal]
 */

/**
 * @typedef {Object} ByteSource
 * @property {string} name  file path inside the repo (or the local file name)
 * @property {(opts?: ReadOptions) => Promise<number>} size  total bytes (may need a request the first time)
 * @property {(start: number, end: number, sink: Sink, opts?: ReadOptions) => Promise<void>} read
 *   streams bytes [start, end) to sink.
 * @property {boolean} [restricted]  a gated or private repo's file: cache.mjs keeps only its header
 */

/**
 * @typedef {Object} ModelSource
 * @property {string} label  'owner/name', a local path as given (CLI), or 'local:folder' (page)
 * @property {string} repo
 * @property {string} revision  40-hex commit SHA, or 'local'
 * @property {string} requestedRevision  what the user asked for ('main', a tag, ...)
 * @property {{index: string, single?: undefined, gguf?: undefined} | {single: string, index?: undefined, gguf?: undefined}
 *   | {gguf: string[], index?: undefined, single?: undefined}} weights  gguf: one GGUF file, or the parts of a split one in order
 * @property {string[]} files  every file of the model (repo-relative paths)
 * @property {(name: string) => ByteSource} file
 * @property {string[]} [baseModels]  a Hub model's cardData.base_model, as a list (client.mjs)
 * @property {string} [baseRelation]  a Hub model's cardData.base_model_relation, or ''
 */

/**
 * Reads [start, end) of a source into one new buffer. For small reads (headers, index files).
 * @param {ByteSource} source
 * @param {number} start
 * @param {number} end
 * @param {ReadOptions} [opts]
 * @returns {Promise<Uint8Array>}
 */
export async function readBytes(source, start, end, opts) {
  checkRange(start, end);
  const out = new Uint8Array(end - start);
  let filled = 0;
  await source.read(start, end, (chunk, offset) => {
    out.set(chunk, offset);
    filled = Math.max(filled, offset + chunk.length);
  }, opts);
  // A source that resolves without delivering every byte is a bug we must not pass on silently.
  if (filled !== out.length) {
    throw new Error(`${source.name}: read ${filled} of ${out.length} bytes at ${start}`);
  }
  return out;
}

/**
 * Validates a [start, end) pair; shared by every source.
 * @param {number} start
 * @param {number} end
 */
export function checkRange(start, end) {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range [${start}, ${end})`);
  }
}

/** An Error for an aborted read, shaped like the DOMException fetch throws. */
export function abortError(signal) {
  const reason = signal && signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('the operation was aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * A dropped File or any Blob. Blob.slice() is lazy, and stream() reads only the slice.
 * @implements {ByteSource}
 */
export class BlobSource {
  /**
   * @param {Blob} blob
   * @param {string} [name]
   */
  constructor(blob, name) {
    this.blob = blob;
    this.name = name ?? /** @type {any} */ (blob).name ?? 'blob';
  }

  async size() {
    return this.blob.size;
  }

  /**
   * @param {number} start
   * @param {number} end
   * @param {Sink} sink
   * @param {ReadOptions} [opts]
   */
  async read(start, end, sink, opts = {}) {
    checkRange(start, end);
    if (end > this.blob.size) {
      throw new RangeError(`${this.name}: range [${start}, ${end}) is past the end (${this.blob.size} bytes)`);
    }
    const signal = opts.signal;
    if (signal?.aborted) throw abortError(signal);
    const reader = this.blob.slice(start, end).stream().getReader();
    const onAbort = () => reader.cancel().catch(() => {});
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let offset = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (signal?.aborted) throw abortError(signal);
        if (done) break;
        sink(value, offset);
        offset += value.length;
      }
      if (offset !== end - start) throw new Error(`${this.name}: short read (${offset} of ${end - start})`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
