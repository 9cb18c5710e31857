// Byte sources for local files (Node only: the CLI and tests). A model on disk is a .safetensors
// file, an index file, a .gguf file (a part of a split GGUF brings its sibling parts), or a folder
// holding model.safetensors or model.safetensors.index.json (also one level or two down, e.g.
// transformer/...index.json) plus its shards, or else one GGUF model.

import { constants } from 'node:fs';
import { open, stat, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { checkRange, abortError } from '../io/byte-source.mjs';
import { GGUF_FILE, ggufModels, selectGguf } from '../io/hub/gguf-files.mjs';

/** @typedef {import('../io/byte-source.mjs').ByteSource} ByteSource */
/** @typedef {import('../io/byte-source.mjs').ModelSource} ModelSource */

const CHUNK = 1 << 20;

/**
 * A local file read with positional reads, streamed to the sink in 1 MiB chunks.
 * @implements {ByteSource}
 */
export class PathSource {
  /**
   * @param {string} path @param {string} [name]
   * @param {string} [missing]  the message when the file is not there (e.g. a shard the index lists)
   */
  constructor(path, name, missing) {
    this.path = path;
    this.name = name ?? basename(path);
    this.missing = missing ?? `${path}: no such file`;
    /** @type {number | null} */
    this._size = null;
  }

  async size() {
    if (this._size === null) {
      let info;
      try { info = await stat(this.path); } catch (e) {
        if (/** @type {any} */ (e)?.code === 'ENOENT') throw localError(this.missing, 'EntryNotFound');
        throw e;
      }
      // A FIFO, socket or device would block a read forever (or never end): only plain files.
      if (!info.isFile()) throw notRegular(this.path, info);
      this._size = info.size;
    }
    return this._size;
  }

  /**
   * @param {number} start
   * @param {number} end
   * @param {import('../io/byte-source.mjs').Sink} sink
   * @param {{signal?: AbortSignal}} [opts]
   */
  async read(start, end, sink, opts = {}) {
    checkRange(start, end);
    const size = await this.size();
    if (end > size) throw new RangeError(`${this.name}: range [${start}, ${end}) is past the end (${size} bytes)`);
    // O_NONBLOCK: should the path have become a FIFO since size(), open does not wait for a
    // writer, and the fstat below refuses it (on a regular file the flag changes nothing).
    const fh = await open(this.path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const info = await fh.stat();
      if (!info.isFile()) throw notRegular(this.path, info);
      for (let pos = start; pos < end;) {
        if (opts.signal?.aborted) throw abortError(opts.signal);
        // A fresh buffer per chunk: the sink may keep a view of it until it copies.
        const buf = new Uint8Array(Math.min(CHUNK, end - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new Error(`${this.name}: file shrank while reading (at ${pos})`);
        sink(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead), pos - start);
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }
}

/** Files under dir (relative, '/'-separated), to a small depth. @param {string} dir */
async function listFiles(dir, depth = 3) {
  /** @type {string[]} */
  const out = [];
  const walk = async (/** @type {string} */ d, /** @type {number} */ left) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) { if (left > 0) await walk(p, left - 1); } else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir, depth);
  return out.sort();
}

/**
 * @param {string} message
 * @param {string} code
 */
function localError(message, code) {
  const e = new Error(message);
  /** @type {any} */ (e).code = code;
  return e;
}

/** @param {string} path @param {import('node:fs').Stats} info */
function notRegular(path, info) {
  const what = info.isFIFO() ? 'a named pipe (FIFO)' : info.isSocket() ? 'a socket'
    : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isDirectory() ? 'a folder' : 'not a regular file';
  return localError(`${path} is ${what}, not a regular file: refusing to read it`, 'EntryNotFound');
}

/** The parts of a local GGUF model; a wrong or incomplete choice is the person's to fix (usage). */
function localGguf(files, want, path) {
  try { return selectGguf(files, want, path); } catch (e) {
    throw localError(/** @type {Error} */ (e).message, 'EntryNotFound');
  }
}

/**
 * Opens a local model as a ModelSource (revision 'local').
 * @param {string} path  a .safetensors or .gguf file, a *.safetensors.index.json, or a folder
 * @returns {Promise<ModelSource>}
 */
export async function openLocalModel(path) {
  const abs = resolve(path);
  let info;
  try { info = await stat(abs); } catch {
    throw localError(`${path}: no such file or folder`, 'EntryNotFound');
  }
  if (!info.isFile() && !info.isDirectory()) throw notRegular(path, info);
  let root, weights, files;
  if (info.isFile()) {
    root = dirname(abs);
    const name = basename(abs);
    if (name.endsWith('.safetensors.index.json')) {
      weights = { index: name };
      files = await listFiles(root);
    } else if (name.endsWith('.safetensors')) {
      weights = { single: name };
      files = [name];
    } else if (GGUF_FILE.test(name)) {
      files = await listFiles(root, 0);
      weights = { gguf: localGguf(files, { file: name }, path) };
    } else {
      throw localError(`${path}: not a .safetensors or .gguf file or an index`, 'EntryNotFound');
    }
  } else {
    root = abs;
    files = await listFiles(root);
    const indexes = files.filter((f) => f.endsWith('model.safetensors.index.json') || f.endsWith('.safetensors.index.json'));
    const singles = files.filter((f) => f.endsWith('.safetensors'));
    if (files.includes('model.safetensors.index.json')) weights = { index: 'model.safetensors.index.json' };
    else if (files.includes('model.safetensors')) weights = { single: 'model.safetensors' };
    else if (indexes.length === 1) weights = { index: indexes[0] };
    else if (indexes.length === 0 && singles.length === 1) weights = { single: singles[0] };
    else if (indexes.length === 0 && singles.length === 0 && ggufModels(files).length === 1) {
      weights = { gguf: localGguf(files, { file: ggufModels(files)[0].files[0] }, path) };
    } else if (indexes.length === 0 && singles.length === 0 && ggufModels(files).length > 1) {
      throw localError(`${path}: ${ggufModels(files).length} GGUF models in the folder (${ggufModels(files).map((m) => m.files[0]).join(', ')}): point at one of them`, 'EntryNotFound');
    }
    else if (indexes.length > 1) {
      throw localError(`${path}: several safetensors indexes (${indexes.join(', ')}): point at one of them`, 'EntryNotFound');
    } else {
      throw localError(`${path}: no model.safetensors or model.safetensors.index.json in the folder`, 'EntryNotFound');
    }
  }
  /** @type {Map<string, PathSource>} */
  const opened = new Map();
  return {
    // the path as typed: what the person will recognise in "copy of ...", and distinct for two
    // files that share a basename (a/model.gguf, b/model.gguf)
    label: path,
    repo: root,
    revision: 'local',
    requestedRevision: 'local',
    weights,
    files,
    file(name) {
      // Index entries name shards relative to the index; never let one escape the model folder.
      const p = resolve(root, name);
      if (p !== root && !p.startsWith(root + sep)) throw localError(`${name}: path leaves the model folder`, 'EntryNotFound');
      let src = opened.get(name);
      if (!src) {
        const index = 'index' in weights ? weights.index : null;
        const missing = index && name !== index
          ? `shard ${name} listed in ${index} is missing from folder ${root}`
          : `${name} is missing from folder ${root}`;
        src = new PathSource(p, name, missing);
        opened.set(name, src);
      }
      return src;
    },
  };
}
