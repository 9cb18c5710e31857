#!/usr/bin/env node
// Test merges built from real weights (shared/real-models): the evaluation cases, a sharded variant
// for CLI/hub tests and the demo repos served by `npm start`. Deterministic: every random choice is
// seeded from the case id.
//
//   node tools/gen/merges.mjs --out DIR [--only REGEX]      cases + DIR/manifest.json
//   node tools/gen/merges.mjs --sharded CASE_FOLDER --to DIR  index + 2 shards, `model.` wrapper
//   node tools/gen/merges.mjs --demo DIR                      demo repos, prints their list
//
// Library: generateCases({ out, only }) -> manifest, writeSharded(src, dst, opts),
// demoRepos({ dir }) -> [{ repo, folder, description }], realModelsDir(), plus the I/O helpers.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { bf16RoundArray, readSafetensors, writeSafetensors, encodeSafetensors } from './safetensors-io.mjs';
import { add, delta, linear, mergeEach, norm, perturbation, rng, ties } from './merge-ops.mjs';
import { OTHER, catalogue } from './core-cases.mjs';
import { shuffledDelta } from './mergekit-cases.mjs';

export * from './safetensors-io.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** shared/real-models: $MP_SHARED_DIR/real-models, else ../shared beside the repository. */
export function realModelsDir() {
  const shared = process.env.MP_SHARED_DIR || path.resolve(here, '../../../shared');
  return path.join(shared, 'real-models');
}

const REAL = {
  base: 'bert-tiny-fhe-v0-weights',
  sst2: 'bert-tiny-sst2-fhe',
  emotion: 'bert-tiny-emotion-fhe',
  stories: 'stories260K',
  llama2xs: 'llama2xs-tinystories-scratch',
  ts656k: 'tinystories-656k',
};

/**
 * Synthetic models of real scale and structure: B + f x a real fine-tune's delta with rows and
 * columns shuffled (seeded by the key), aligned with neither real parent. third and fourth are
 * extra parents (a three- or four-parent merge needs more than the two real fine-tunes); baseX is
 * a wrong base (another checkpoint of the same architecture).
 */
const SYNTHETIC = {
  third: { src: 'emotion', f: 1, why: 'B + shuffled emotion delta (synthetic third parent)' },
  fourth: { src: 'sst2', f: 1, why: 'B + shuffled sst2 delta (synthetic fourth parent)' },
  baseX: { src: 'sst2', f: 2, why: 'B + 2 x shuffled sst2 delta (a wrong base)' },
};
/** The models a merge takes as inputs (each also exists rounded to bf16). */
const PARENT_KEYS = ['base', 'sst2', 'emotion', 'third', 'fourth'];

function realPath(key) {
  return path.join(realModelsDir(), REAL[key]);
}

const cache = new Map();
function load(key) {
  if (!cache.has(key)) cache.set(key, readSafetensors(path.join(realPath(key), 'model.safetensors')).tensors);
  return cache.get(key);
}


function roundModel(M) {
  const out = new Map();
  for (const [name, t] of M) out.set(name, { shape: t.shape, data: bf16RoundArray(t.data) });
  return out;
}

function writeModel(folder, tensors, dtype, config) {
  fs.mkdirSync(folder, { recursive: true });
  writeSafetensors(path.join(folder, 'model.safetensors'), tensors, dtype, { format: 'pt' });
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  return folder;
}

const bertConfig = (note) => ({
  architectures: ['BertForSequenceClassification'], model_type: 'bert', hidden_size: 128,
  num_hidden_layers: 2, intermediate_size: 512, _mergeprobe_test: note,
});



/** Synthetic helper models some cases need, written once under out/_inputs. */
function helperModel(key, out) {
  const folder = path.join(out, '_inputs', key);
  if (fs.existsSync(path.join(folder, 'model.safetensors'))) return folder;
  const B = load('base');
  if (key === 'sst2x8') {
    const S = load('sst2');
    const M = mergeEach(S, B, (x, y) => { const o = new Float32Array(x.length); for (let i = 0; i < x.length; i++) o[i] = Math.fround(y[i] + 8 * (x[i] - y[i])); return o; });
    return writeModel(folder, M, 'F32', bertConfig('B + 8 (sst2 - B): an amplified fine-tune'));
  }
  if (key === 'storiesft') {
    const St = load('stories');
    const rand = rng('storiesft');
    const M = new Map();
    for (const [name, t] of St) {
      const P = perturbation(new Float32Array(t.data.length), t.shape, 0.05 * norm(t.data), rand);
      M.set(name, { shape: t.shape, data: add(t.data, P) });
    }
    return writeModel(folder, M, 'F32', { model_type: 'llama2c', _mergeprobe_test: 'stories260K + 5% rank-4/Gaussian delta' });
  }
  if (key === 'randominit') {
    const St = load('stories');
    const rand = rng('randominit');
    const M = new Map();
    for (const [name, t] of St) {
      const data = new Float32Array(t.data.length);
      const isNorm = t.shape.length === 1;
      for (let i = 0; i < data.length; i++) data[i] = isNorm ? 1 : 0.02 * rand.gauss();
      M.set(name, { shape: t.shape, data });
    }
    return writeModel(folder, M, 'F32', { model_type: 'llama2c', _mergeprobe_test: 'random init N(0, 0.02), norms 1' });
  }
  if (SYNTHETIC[key]) {
    const { src, f, why } = SYNTHETIC[key];
    const S = load(src);
    const M = mergeEach(S, B, (x, y, name, shape) => {
      const g = shuffledDelta(delta(x, y), shape, key, name);
      return Float32Array.from(y, (v, i) => Math.fround(v + f * g[i]));
    });
    return writeModel(folder, M, 'F32', bertConfig(why));
  }
  if (PARENT_KEYS.includes(key.replace('-bf16', ''))) {
    const k = key.replace('-bf16', '');
    const src = REAL[k] ? load(k) : readSafetensors(path.join(helperModel(k, out), 'model.safetensors')).tensors;
    return writeModel(folder, roundModel(src), 'BF16', bertConfig(`${REAL[k] || k} rounded to bf16 (RNE)`));
  }
  throw new Error(`unknown helper model ${key}`);
}

/** Folder of a role's model: real (F32, shared) or a bf16/synthetic helper. */
function roleFolder(key, inputs, out) {
  if (inputs === 'bf16' && PARENT_KEYS.includes(key)) return helperModel(`${key}-bf16`, out);
  if (REAL[key]) return realPath(key);
  return helperModel(key, out);
}

const roleCache = new Map();
function roleTensors(key, inputs, out) {
  const folder = roleFolder(key, inputs, out);
  if (!roleCache.has(folder)) roleCache.set(folder, readSafetensors(path.join(folder, 'model.safetensors')).tensors);
  return roleCache.get(folder);
}

/**
 * Write every case (or those whose id matches `only`, of set `set`: 'core' | 'mergekit') under
 * `out` and out/manifest.json. Manifest entries: { id, set, family?, holdout, roles: { suspect,
 * parents: [..], base, control|null } (folders relative to `out`, or absolute for shared real
 * models), dtype, mergekit_config?, expected, notes }. expected (core): { kind, accept, method,
 * alpha?, alpha_effective?, density?, t?, weight?, alpha_kept? }; expected (mergekit set, see
 * tools/gen/README.md): { kind, accept, method, parents, weights|null, weights_visible,
 * density|null, group_weights?, group_density?, t?, group_t?, lambda?, epsilon?, gamma?, ... }.
 * `cases`: the catalogue to draw from (default core-cases.mjs's; tests/eval/sweep.mjs passes its own).
 */
export function generateCases({ out, only, set, cases = catalogue() } = {}) {
  fs.mkdirSync(out, { recursive: true });
  roleCache.clear();
  const filter = only ? new RegExp(only) : null;
  const entries = [];
  const rel = (p) => (p.startsWith(out) ? path.relative(out, p) : p);
  for (const c of cases) {
    if (filter && !filter.test(c.id)) continue;
    if (set && c.set !== set) continue;
    const baseKey = c.baseKey || 'base';
    const parentFolders = c.parents.map((p) => roleFolder(p, c.inputs, out));
    const baseFolder = roleFolder(baseKey, c.inputs, out);
    let suspect;
    if (c.realSuspect) {
      suspect = roleFolder(c.realSuspect, c.inputs, out);
    } else {
      const A = roleTensors(c.parents[0], c.inputs, out);
      const A2 = c.parents[1] ? roleTensors(c.parents[1], c.inputs, out) : null;
      const B = roleTensors(baseKey, c.inputs, out);
      const otherKey = OTHER[c.parents[0]];
      const other = otherKey ? roleTensors(otherKey, c.inputs, out) : new Map();
      const role = (key) => roleTensors(key, c.inputs, out);
      const C = c.build({ A, A2, B, other, role });
      if (c.sharded) {
        const single = writeModel(path.join(out, '_inputs', `${c.id}-single`), C, c.dtype, bertConfig(c.notes));
        suspect = writeSharded(single, path.join(out, c.id));
      } else {
        suspect = writeModel(path.join(out, c.id), C, c.dtype, bertConfig(c.notes));
      }
    }
    entries.push({
      id: c.id,
      set: c.set,
      ...(c.family ? { family: c.family } : {}),
      holdout: !!c.holdout,
      roles: {
        suspect: rel(suspect),
        parents: parentFolders.map(rel),
        base: rel(baseFolder),
        control: c.control ? rel(roleFolder(c.control, c.inputs, out)) : null,
      },
      dtype: c.dtype,
      ...(c.mergekit_config ? { mergekit_config: c.mergekit_config } : {}),
      expected: c.expected,
      notes: c.notes,
    });
  }
  // One sharded variant (index + 2 shards, `model.` wrapper) of a BF16 merge, for CLI/hub tests.
  const src = entries.find((e) => e.id === 'linear-bf16-sst2-a0.571');
  if (src) {
    const id = 'linear-bf16-sst2-a0.571-sharded';
    writeSharded(path.join(out, src.roles.suspect), path.join(out, id));
    entries.push({ ...src, id, roles: { ...src.roles, suspect: id }, notes: `${src.notes}; 2 shards + index, names with a model. wrapper` });
  }
  const manifest = { schema: 'mergeprobe.test-merges/1', generator: 'tools/gen/merges.mjs', cases: entries };
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/**
 * Rewrite a model folder as model.safetensors.index.json + 2 shards, with the leading wrapper
 * `bert.` replaced by `prefix` (default `model.`; names without `bert.` get the prefix added), so
 * name normalisation and index handling are exercised. Keeps the source dtype.
 */
export function writeSharded(srcFolder, dstFolder, { prefix = 'model.' } = {}) {
  const file = path.join(srcFolder, 'model.safetensors');
  const buf = fs.readFileSync(file);
  const dtype = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString('utf8'));
  const firstDtype = Object.entries(dtype).find(([k]) => k !== '__metadata__')[1].dtype;
  const { tensors } = readSafetensors(file);
  const names = [...tensors.keys()];
  const renamed = (n) => (n.startsWith('bert.') ? prefix + n.slice(5) : n.startsWith(prefix) ? n : prefix + n);
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  fs.mkdirSync(dstFolder, { recursive: true });
  const weightMap = {};
  let total = 0;
  shards.forEach((list, i) => {
    const shardName = `model-0000${i + 1}-of-00002.safetensors`;
    const entries = list.map((n) => [renamed(n), tensors.get(n)]);
    for (const [n, t] of entries) { weightMap[n] = shardName; total += t.data.length * (firstDtype === 'BF16' ? 2 : 4); }
    fs.writeFileSync(path.join(dstFolder, shardName), encodeSafetensors(entries, firstDtype, { format: 'pt' }));
  });
  fs.writeFileSync(path.join(dstFolder, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2) + '\n');
  const cfg = path.join(srcFolder, 'config.json');
  if (fs.existsSync(cfg)) fs.copyFileSync(cfg, path.join(dstFolder, 'config.json'));
  return dstFolder;
}

/**
 * The demo repos `npm start` serves through the mock hub: the base, the two real fine-tunes, a
 * 0.571 linear merge stored BF16 (computed in f32 from the F32 parents, rounded once) and a TIES
 * merge. Generated folders go under `dir` (reused when present). Returns
 * [{ repo, folder, description }] with absolute folder paths.
 */
export function demoRepos({ dir } = {}) {
  const out = dir || path.join(process.env.TMPDIR || '/tmp', 'mergeprobe-demo');
  fs.mkdirSync(out, { recursive: true });
  const B = load('base'), S = load('sst2');
  const lin = path.join(out, 'bert-tiny-sst2-merge-0.571-bf16');
  if (!fs.existsSync(path.join(lin, 'model.safetensors'))) {
    writeModel(lin, mergeEach(S, B, (x, y) => linear(x, y, 0.571)), 'BF16', bertConfig('demo: 0.571 sst2 + 0.429 base, bf16'));
  }
  const ti = path.join(out, 'bert-tiny-sst2-ties-0.5');
  if (!fs.existsSync(path.join(ti, 'model.safetensors'))) {
    writeModel(ti, mergeEach(S, B, (x, y) => ties(x, y, 0.5, 1)), 'F32', bertConfig('demo: TIES density 0.5 of sst2 on base'));
  }
  return [
    { repo: 'demo/bert-tiny-base', folder: realPath('base'), description: 'BERT-tiny encoder weights: the common base (real)' },
    { repo: 'demo/bert-tiny-sst2', folder: realPath('sst2'), description: 'the base fine-tuned on SST-2 (real)' },
    { repo: 'demo/bert-tiny-emotion', folder: realPath('emotion'), description: 'the base fine-tuned on emotion intents (real): a control' },
    { repo: 'demo/bert-tiny-merge-0.571', folder: lin, description: 'C = 0.571 sst2 + 0.429 base, stored BF16 (generated)' },
    { repo: 'demo/bert-tiny-ties', folder: ti, description: 'TIES density 0.5 of sst2 on the base (generated)' },
  ];
}

function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  if (arg('--sharded')) {
    const to = arg('--to');
    if (!to) { console.error('usage: merges.mjs --sharded CASE_FOLDER --to DIR'); return 2; }
    console.log(writeSharded(path.resolve(arg('--sharded')), path.resolve(to)));
    return 0;
  }
  if (arg('--demo')) {
    console.log(JSON.stringify(demoRepos({ dir: path.resolve(arg('--demo')) }), null, 2));
    return 0;
  }
  const out = arg('--out');
  if (!out) { console.error('usage: merges.mjs --out DIR [--only REGEX] | --sharded FOLDER --to DIR | --demo DIR'); return 2; }
  const m = generateCases({ out: path.resolve(out), only: arg('--only') });
  console.log(`${m.cases.length} cases written to ${path.resolve(out)} (manifest.json)`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
