// Repos as the mock hub sees them: commits of files, branches/tags/PR refs pointing at commits, and
// access settings. Commit SHAs and blob hashes are derived deterministically from the content
// description, so runs are reproducible.
//
// A file: { size, lfs, sha256 (64-hex, the LFS/xet oid), gitSha (40-hex), read(start, end) -> bytes }.
// `read` may generate bytes on the fly (virtual repos), so a file of 10 GB costs no memory.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Files above this size are LFS on the real hub (and *.safetensors always). */
export const LFS_THRESHOLD = 10 * 1024 * 1024;

/** @param {string} s */
export const sha1 = (s) => createHash('sha1').update(s).digest('hex');
/** @param {string | Uint8Array} s */
export const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/**
 * @typedef {Object} MockFile
 * @property {number} size
 * @property {boolean} lfs
 * @property {string} sha256
 * @property {string} gitSha
 * @property {(start: number, end: number) => Uint8Array} read
 */

/** @param {string} path @param {number} size */
export function isLfs(path, size) {
  return /\.(safetensors|bin|pt|gguf|onnx)$/.test(path) || size > LFS_THRESHOLD;
}

/**
 * A file held in memory.
 * @param {string} path
 * @param {Uint8Array | string} content
 * @returns {MockFile}
 */
export function bufferFile(path, content) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return {
    size: bytes.length,
    lfs: isLfs(path, bytes.length),
    sha256: sha256(bytes),
    gitSha: sha1(`blob ${bytes.length}\0` + Buffer.from(bytes).toString('latin1')),
    read: (a, b) => bytes.subarray(a, b),
  };
}

/**
 * Every file of a folder, recursively, as {relativePath: MockFile}.
 * @param {string} dir
 * @returns {Record<string, MockFile>}
 */
export function folderFiles(dir) {
  /** @type {Record<string, MockFile>} */
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split(sep).join('/')] = bufferFile(name, readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/**
 * @typedef {Object} RepoSpec
 * @property {string} id  owner/name
 * @property {Array<Record<string, MockFile>>} commits  oldest first
 * @property {Record<string, number>} [branches]  name -> commit index (default {main: last})
 * @property {Record<string, number>} [tags]
 * @property {Record<string, number>} [prs]  PR number -> commit index (refs/pr/N)
 * @property {false | 'auto' | 'manual'} [gated]
 * @property {boolean} [private]
 * @property {boolean} [disabled]
 * @property {string[]} [access]  users allowed (gated: approved; private: members)
 * @property {string | string[]} [baseModel]  cardData.base_model
 * @property {'merge' | 'finetune' | 'adapter' | 'quantized'} [baseModelRelation]  cardData.base_model_relation
 * @property {Record<string, number>} [parameters]  safetensors.parameters by dtype
 * @property {import('./model-tree.mjs').TreeMeta} [meta]  model-tree facts: card, config, tags, downloads
 */

/** A repo with its commit graph; mutable so tests can move a branch. */
export class MockRepo {
  /** @param {RepoSpec} spec */
  constructor(spec) {
    if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(spec.id)) throw new Error(`bad repo id ${spec.id}`);
    this.id = spec.id;
    this.gated = spec.gated ?? false;
    this.private = !!spec.private;
    this.disabled = !!spec.disabled;
    this.access = new Set(spec.access ?? []);
    this.baseModel = spec.baseModel;
    this.baseModelRelation = spec.baseModelRelation;
    this.parameters = spec.parameters;
    this.meta = spec.meta ?? null;
    /** @type {Array<{sha: string, files: Record<string, MockFile>, date: string}>} */
    this.commits = [];
    /** @type {Map<string, string>} ref name ('main', 'v1.0', 'refs/pr/1') -> sha */
    this.refs = new Map();
    for (const files of spec.commits) this._addCommit(files);
    const last = this.commits.length - 1;
    for (const [b, i] of Object.entries(spec.branches ?? { main: last })) this.refs.set(b, this.commits[i].sha);
    if (!this.refs.has('main')) this.refs.set('main', this.commits[last].sha);
    for (const [t, i] of Object.entries(spec.tags ?? {})) this.refs.set(t, this.commits[i].sha);
    for (const [n, i] of Object.entries(spec.prs ?? {})) this.refs.set(`refs/pr/${n}`, this.commits[i].sha);
  }

  /** @param {Record<string, MockFile>} files */
  _addCommit(files) {
    const parent = this.commits.at(-1)?.sha ?? '';
    const desc = Object.keys(files).sort().map((p) => `${p}:${files[p].sha256}`).join('\n');
    const sha = sha1(`${this.id}\0${parent}\0${desc}`);
    const date = new Date(Date.UTC(2026, 0, 1) + this.commits.length * 86400_000).toISOString();
    const c = { sha, files, date };
    this.commits.push(c);
    return c;
  }

  /**
   * Adds a commit and moves a branch to it (like a push).
   * @param {Record<string, MockFile>} files  the full file set of the new commit
   * @param {string} [branch]
   */
  push(files, branch = 'main') {
    const c = this._addCommit(files);
    this.refs.set(branch, c.sha);
    return c.sha;
  }

  /** @param {string} rev a ref name or a 40-hex SHA @returns {{sha: string, files: Record<string, MockFile>, date: string} | null} */
  commit(rev) {
    const sha = this.refs.get(rev) ?? (/^[0-9a-f]{40}$/.test(rev) ? rev : null);
    return this.commits.find((c) => c.sha === sha) ?? null;
  }
}
