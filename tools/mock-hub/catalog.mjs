// The standard set of mock repos used by the tests and by cli.mjs: the real small checkpoints of
// shared/real-models mapped to repo ids, access variants (gated, private, disabled), a sharded repo
// cut from a real file, a repo with history (tag, PR ref), a repo without safetensors, and virtual
// trios {base, parent, merge}, and GGUF repos made from the real weights (gguf-repos.mjs).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bufferFile, folderFiles } from './repo.mjs';
import { virtualTrio } from './virtual.mjs';
import { ggufRepos } from './gguf-repos.mjs';

export const REAL_MODELS = process.env.MERGEPROBE_REAL_MODELS ?? '/work/shared/real-models';

/** folder under REAL_MODELS -> repo id */
export const REAL_REPOS = {
  'bert-tiny-fhe-v0-weights': 'real/bert-tiny-base',
  'bert-tiny-sst2-fhe': 'real/bert-tiny-sst2',
  'bert-tiny-emotion-fhe': 'real/bert-tiny-emotion',
  'stories260K': 'real/stories260K',
  'llama2xs-tinystories-scratch': 'real/llama2xs-scratch',
  'tinystories-656k': 'real/tinystories-656k',
};

/**
 * Parses a safetensors file held in memory: {headerLength, header, dataStart}.
 * Layout: u64 LE N, N bytes of JSON, then the data buffer.
 * @param {Uint8Array} bytes
 */
export function parseSafetensors(bytes) {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { headerLength: n, header, dataStart: 8 + n };
}

/**
 * Writes a safetensors file from {name: {dtype, shape, data: Uint8Array}} (writer order: as given).
 * @param {Record<string, {dtype: string, shape: number[], data: Uint8Array}>} tensors
 * @param {Record<string, string>} [metadata]
 */
export function writeSafetensors(tensors, metadata = { format: 'pt' }) {
  /** @type {Record<string, any>} */
  const header = { __metadata__: metadata };
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.length] };
    off += t.data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let p = 8 + json.length;
  for (const t of Object.values(tensors)) { out.set(t.data, p); p += t.data.length; }
  return out;
}

/**
 * Cuts a real single-file checkpoint into n shards + index (names model-0000i-of-0000n).
 * @param {Uint8Array} bytes
 * @param {number} n
 * @param {string} [dir]  shard subfolder
 */
export function shardSafetensors(bytes, n, dir = '') {
  const { header, dataStart } = parseSafetensors(bytes);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const per = Math.ceil(names.length / n);
  /** @type {Record<string, Uint8Array>} */
  const files = {};
  /** @type {Record<string, string>} */
  const weightMap = {};
  let total = 0;
  for (let k = 0; k < n; k++) {
    const path = `${dir}model-${String(k + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
    /** @type {Record<string, any>} */
    const tensors = {};
    for (const name of names.slice(k * per, (k + 1) * per)) {
      const t = header[name];
      tensors[name] = { dtype: t.dtype, shape: t.shape, data: bytes.subarray(dataStart + t.data_offsets[0], dataStart + t.data_offsets[1]) };
      weightMap[name] = path;
      total += t.data_offsets[1] - t.data_offsets[0];
    }
    files[path] = writeSafetensors(tensors);
  }
  const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  files['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ metadata: { total_size: total }, weight_map: sorted }, null, 2) + '\n');
  return files;
}

/**
 * The standard repos.
 * @param {{big?: boolean, fp8Big?: boolean, gguf?: boolean}} [o]  big: add the full-size virtual trios
 *   (Qwen3.5-397B BF16, Llama-70B); fp8Big: also the 397B FP8 one (3 s to build its 20 MB index);
 *   gguf: the GGUF repos (gguf-repos.mjs; quantizing them takes about 3 s, so only on request)
 */
export function standardRepos(o = {}) {
  /** @type {any[]} */
  const repos = [];
  const have = existsSync(REAL_MODELS);
  if (have) {
    for (const [folder, id] of Object.entries(REAL_REPOS)) {
      const dir = join(REAL_MODELS, folder);
      if (!existsSync(dir)) continue;
      const files = folderFiles(dir);
      if (folder === 'stories260K') {
        // History: v1.0 and refs/pr/1 at the first commit, main at a second one whose config changed.
        const second = { ...files, 'config.json': bufferFile('config.json', '{"dim": 64, "note": "second commit"}\n') };
        repos.push({ id, commits: [files, second], tags: { 'v1.0': 0 }, prs: { 1: 0 } });
      } else {
        repos.push({ id, commits: [files] });
      }
    }
    const sst2 = folderFiles(join(REAL_MODELS, 'bert-tiny-sst2-fhe'));
    const emo = folderFiles(join(REAL_MODELS, 'bert-tiny-emotion-fhe'));
    repos.push({ id: 'gated/bert-tiny-sst2', commits: [sst2], gated: 'manual', access: ['alice'], baseModel: 'real/bert-tiny-base' });
    repos.push({ id: 'private/bert-tiny-emotion', commits: [emo], private: true, access: ['alice'] });
    repos.push({ id: 'disabled/bert-tiny-emotion', commits: [emo], disabled: true });
    const t656 = folderFiles(join(REAL_MODELS, 'tinystories-656k'));
    const whole = t656['model.safetensors'].read(0, t656['model.safetensors'].size);
    const shards = Object.fromEntries(Object.entries(shardSafetensors(whole, 3)).map(([p, b]) => [p, bufferFile(p, b)]));
    repos.push({ id: 'real/tinystories-656k-sharded', commits: [{ 'config.json': t656['config.json'], ...shards }] });
    const nested = Object.fromEntries(Object.entries(shardSafetensors(whole, 2, 'weights/')).map(([p, b]) => [p, bufferFile(p, b)]));
    repos.push({ id: 'real/tinystories-656k-subfolder', commits: [nested] });
    if (o.gguf) repos.push(...ggufRepos(REAL_MODELS));
  }
  repos.push({ id: 'other/no-safetensors', commits: [{ 'README.md': bufferFile('README.md', '# no weights here\n'), 'pytorch_model.bin': bufferFile('pytorch_model.bin', new Uint8Array(1000)) }] });
  const trios = [
    virtualTrio({ layout: 'tiny-qwen3.5-bf16', alpha: 0.571, names: { base: 'virtual/tiny-qwen-base', parent: 'virtual/tiny-qwen-parent', merge: 'virtual/tiny-qwen-merge' } }),
    virtualTrio({ layout: 'tiny-qwen3.5-fp8', alpha: { experts: 0.3, attn: 0.7, default: 0.5 }, names: { base: 'virtual/tiny-qwen-fp8-base', parent: 'virtual/tiny-qwen-fp8-parent', merge: 'virtual/tiny-qwen-fp8-merge' } }),
    virtualTrio({ layout: 'tiny-llama', alpha: 0.25, shardDir: 'shards', names: { base: 'virtual/tiny-llama-base', parent: 'virtual/tiny-llama-parent', merge: 'virtual/tiny-llama-merge' } }),
  ];
  if (o.big || o.fp8Big) {
    trios.push(virtualTrio({ layout: 'qwen3.5-397b-bf16', alpha: 0.571, names: { base: 'Qwen/Qwen3.5-397B-A17B', parent: 'mock/Qwen3.5-397B-A17B-finetune', merge: 'mock/Qwen3.5-397B-A17B-merge' } }));
    trios.push(virtualTrio({ layout: 'llama-70b', alpha: 0.5, names: { base: 'mock/Llama-70B-base', parent: 'mock/Llama-70B-instruct', merge: 'mock/Llama-70B-merge' } }));
  }
  if (o.fp8Big) {
    trios.push(virtualTrio({ layout: 'qwen3.5-fp8', alpha: 0.571, names: { base: 'Qwen/Qwen3.5-397B-A17B-FP8', parent: 'mock/Qwen3.5-397B-A17B-FP8-finetune', merge: 'mock/Qwen3.5-397B-A17B-FP8-merge' } }));
  }
  for (const t of trios) repos.push(t.base, t.parent, t.merge);
  return { repos, trios, haveRealModels: have };
}
