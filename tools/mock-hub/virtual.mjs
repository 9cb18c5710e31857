// Virtual repos: real full-size tensor layouts (headers and index exactly as a real checkpoint of
// that architecture would have) whose tensor bytes are computed on the fly for any byte range, so a
// trio {base, parent, merge} of an 800 GB model is served without storage.
//
// Values, per tensor t and element i (counter-based, so any range can be generated independently):
//   g(seed, i)  = a standard normal from a 32-bit hash of (seed, i) (Box-Muller)
//   base        = round(0.02 * g(seed_t, i))            (1-D tensors: round(1 + 0.02 g))
//   parent      = round(base + 0.1 * 0.02 * g(seed_t ^ DELTA, i))
//   merge       = round(alpha_c * parent + (1 - alpha_c) * base)   alpha_c = alpha of t's component
// round = bf16 round-to-nearest-even of the f32 value for BF16 tensors; for F8_E4M3 weights it is
// quantisation to e4m3fn with the block's scale s (value = code * s), where s (stored F32 in the
// matching `weight_scale_inv`, 128x128 blocks) is the same in all three models: a simplification of
// a real FP8 merge, which would re-derive scales.

import { sha256 } from './repo.mjs';
import { bf16Bits, f32Bits, bf16Value, roundBf16, E4M3, e4m3Code, mix32, gauss, seedOf } from './virtual-numbers.mjs';
import { DTYPE_BYTES, LAYOUTS, componentOf, packUpTo, cutInto } from './virtual-layouts.mjs';

// The numbers and layouts other modules read from here.
export { bf16Bits, bf16Value, roundBf16, E4M3, e4m3Code, gauss, seedOf, LAYOUTS, componentOf };

const DELTA = 0x5bd1e995;
const SIGMA = 0.02;

/** @type {Map<string, {shards: Shard[], index: Uint8Array, params: Record<string, number>, totalSize: number}>} */
const built = new Map();

/**
 * Builds (once per layout and shard folder) the shards' headers and the index.
 * @param {string} layout
 * @param {string} [shardDir]  shards in this subfolder (index paths relative to the index folder)
 */
export function buildLayout(layout, shardDir = '') {
  const key = `${layout}|${shardDir}`;
  const hit = built.get(key);
  if (hit) return hit;
  const make = LAYOUTS[/** @type {keyof typeof LAYOUTS} */ (layout)];
  if (!make) throw new Error(`unknown layout ${layout}; known: ${Object.keys(LAYOUTS).join(', ')}`);
  const made = /** @type {{tensors: TensorSpec[], shardBytes?: number, shardCount?: number}} */ (make());
  const { tensors } = made;
  /** @type {Record<string, number>} */
  const params = {};
  let totalSize = 0;
  const sizes = tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    params[t.dtype] = (params[t.dtype] ?? 0) + n;
    const bytes = n * DTYPE_BYTES[/** @type {keyof typeof DTYPE_BYTES} */ (t.dtype)];
    totalSize += bytes;
    return bytes;
  });
  const groups = made.shardCount ? cutInto(tensors, sizes, made.shardCount, totalSize) : packUpTo(tensors, sizes, made.shardBytes ?? Infinity);
  const n = groups.length;
  const dir = shardDir ? shardDir.replace(/\/+$/, '') + '/' : '';
  /** @type {Record<string, string>} */
  const weightMap = {};
  const shards = groups.map((g, k) => {
    const path = `${dir}model-${String(k + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
    // The writer's order: descending dtype size, then name (spec §4).
    const sorted = [...g].sort((a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    /** @type {Record<string, any>} */
    const header = { __metadata__: { format: 'pt' } };
    let off = 0;
    const specs = [];
    for (const t of sorted) {
      const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
      header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + bytes] };
      specs.push({ t, off, bytes });
      off += bytes;
      weightMap[t.name] = path;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // space padding to a multiple of 8
    const head = new Uint8Array(8 + json.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
    head.set(new TextEncoder().encode(json), 8);
    const base = head.length;
    /** @type {ShardTensor[]} */
    const st = specs.map(({ t, off: o, bytes }) => ({
      name: t.name, dtype: t.dtype, shape: t.shape, start: base + o, bytes,
      seed: seedOf(t.scaleOf ?? t.name), component: componentOf(t.name), block: t.block,
      isScale: !!t.scaleOf,
    }));
    return { path, head, size: base + off, tensors: st };
  });
  const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  const total = Object.values(params).reduce((a, b) => a + b, 0);
  // transformers writes the index with indent=2 and sorted keys.
  const indexJson = JSON.stringify({ metadata: { total_parameters: total, total_size: totalSize }, weight_map: sortedMap }, null, 2) + '\n';
  const out = { shards, index: new TextEncoder().encode(indexJson), params, totalSize };
  built.set(key, out);
  return out;
}

/* ---------- values ---------- */

/**
 * @typedef {{kind: 'base' | 'parent' | 'merge', alpha: (component: string) => number, delta?: number}} Role  delta: a decoy's own delta seed
 */

/** Block scale of a F8 weight (the same for base, parent and merge). */
function blockScale(seed, blockIndex) {
  const u = mix32(seed ^ mix32(blockIndex + 0x3c6ef372)) / 4294967296;
  return (SIGMA * 4 / 448) * (1 + 0.25 * u);
}

/**
 * Element i of tensor t for a role, as a BF16 value (2-byte path) or a F8 code (1-byte path).
 * Exported so tests can check bytes against the formula.
 * @param {ShardTensor} t
 * @param {number} i
 * @param {Role} role
 * @returns {number} the stored value (BF16: the bf16-rounded value; F8: the e4m3 code; F32 scale: value)
 */
export function elementValue(t, i, role) {
  if (t.isScale) {
    return Math.fround(blockScale(t.seed, i));
  }
  const one = t.shape.length === 1 ? 1 : 0;
  const rawBase = one + SIGMA * gauss(t.seed, i);
  const delta = 0.1 * SIGMA * gauss((t.seed ^ (role.delta ?? DELTA)) >>> 0, i);
  if (t.dtype === 'F8_E4M3') {
    const cols = t.shape[t.shape.length - 1];
    const bs = /** @type {number} */ (t.block);
    const r = Math.floor(i / cols), c = i - r * cols;
    const s = Math.fround(blockScale(t.seed, Math.floor(r / bs) * Math.ceil(cols / bs) + Math.floor(c / bs)));
    const bq = e4m3Code(rawBase / s);
    if (role.kind === 'base') return bq;
    const b = E4M3[bq] * s;
    const pq = e4m3Code((b + delta) / s);
    if (role.kind === 'parent') return pq;
    const a = role.alpha(t.component);
    return e4m3Code((a * E4M3[pq] * s + (1 - a) * b) / s);
  }
  const b = roundBf16(rawBase);
  if (role.kind === 'base') return b;
  const p = roundBf16(b + delta);
  if (role.kind === 'parent') return p;
  const a = role.alpha(t.component);
  return roundBf16(a * p + (1 - a) * b);
}

/**
 * Bytes [a, b) of a shard for a role.
 * @param {Shard} shard
 * @param {Role} role
 * @param {number} a
 * @param {number} b
 */
export function readShard(shard, role, a, b) {
  const out = new Uint8Array(b - a);
  if (a < shard.head.length) out.set(shard.head.subarray(a, Math.min(b, shard.head.length)), 0);
  // First tensor ending after a.
  let lo = 0, hi = shard.tensors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = shard.tensors[mid];
    if (t.start + t.bytes <= a) lo = mid + 1; else hi = mid;
  }
  for (let k = lo; k < shard.tensors.length; k++) {
    const t = shard.tensors[k];
    if (t.start >= b) break;
    const es = DTYPE_BYTES[/** @type {keyof typeof DTYPE_BYTES} */ (t.dtype)];
    const from = Math.max(a, t.start), to = Math.min(b, t.start + t.bytes);
    if (t.dtype === 'BF16' && !t.isScale) {
      bf16Range(t, role, from - t.start, to - t.start, out, t.start - a);
      continue;
    }
    for (let e = Math.floor((from - t.start) / es); t.start + e * es < to; e++) {
      const v = elementValue(t, e, role);
      // Little-endian bytes of the element, written where they fall inside [a, b).
      const bits = es === 1 ? v : es === 2 ? bf16Bits(v) : f32Bits(v);
      const at = t.start + e * es - a;
      for (let j = 0; j < es; j++) {
        const pos = at + j;
        if (pos >= from - a && pos < to - a) out[pos] = (bits >>> (8 * j)) & 255;
      }
    }
  }
  return out;
}

/**
 * The BF16 fast path of readShard (same values as elementValue): tensor bytes [x, y) into
 * out[shift + x ...], computing alpha once and writing bytes without per-element calls.
 * @param {ShardTensor} t @param {Role} role @param {number} x @param {number} y
 * @param {Uint8Array} out @param {number} shift
 */
function bf16Range(t, role, x, y, out, shift) {
  const one = t.shape.length === 1 ? 1 : 0;
  const kind = role.kind === 'base' ? 0 : role.kind === 'parent' ? 1 : 2;
  const alpha = kind === 2 ? role.alpha(t.component) : 0;
  const seedD = (t.seed ^ (role.delta ?? DELTA)) >>> 0;
  // Math.floor, not `x >> 1`: byte offsets pass 2^31 in 8 GB shards, and 32-bit shifts wrap.
  for (let e = Math.floor(x / 2); 2 * e < y; e++) {
    let v = roundBf16(one + SIGMA * gauss(t.seed, e));
    if (kind > 0) {
      const p = roundBf16(v + 0.1 * SIGMA * gauss(seedD, e));
      v = kind === 1 ? p : alpha * p + (1 - alpha) * v;
    }
    const bits = bf16Bits(v);
    const lo = 2 * e, hi = lo + 1;
    if (lo >= x) out[shift + lo] = bits & 255;
    if (hi < y) out[shift + hi] = bits >>> 8;
  }
}

/**
 * A trio of virtual repos {base, parent, merge} sharing one layout. Returns RepoSpec-like objects
 * for MockRepo (see repo.mjs), plus the layout for tests.
 * @param {Object} o
 * @param {string} o.layout  a key of LAYOUTS
 * @param {number | Record<string, number>} [o.alpha]  the merge's alpha, or per component
 *   (keys from componentOf; `default` for the rest)
 * @param {{base?: string, parent?: string, merge?: string}} [o.names]  repo ids
 * @param {string} [o.shardDir]  put shards in a subfolder
 * @param {number} [o.decoys]  also this many other fine-tunes of the base (own delta seeds), as
 *   `decoys`: relatives of the trio that are not the merge's parent (discovery tests)
 */
export function virtualTrio(o) {
  const names = {
    base: o.names?.base ?? `virtual/${o.layout}-base`,
    parent: o.names?.parent ?? `virtual/${o.layout}-parent`,
    merge: o.names?.merge ?? `virtual/${o.layout}-merge`,
  };
  const alphaSpec = o.alpha ?? 0.571;
  /** @param {string} c */
  const alpha = (c) => typeof alphaSpec === 'number' ? alphaSpec : alphaSpec[c] ?? alphaSpec.default ?? 0.5;
  const L = buildLayout(o.layout, o.shardDir);
  const enc = new TextEncoder();
  const indexPath = 'model.safetensors.index.json';
  const indexFile = {
    size: L.index.length,
    lfs: L.index.length > 10 * 1024 * 1024,
    sha256: sha256(L.index),
    gitSha: sha256(L.index).slice(0, 40),
    read: (/** @type {number} */ a, /** @type {number} */ b) => L.index.subarray(a, b),
  };
  /** @param {'base'|'parent'|'merge'} kind @param {number} [decoy] */
  const repo = (kind, decoy = 0) => {
    /** @type {Role} */
    const role = { kind, alpha, ...(decoy ? { delta: (DELTA ^ mix32(decoy)) >>> 0 } : {}) };
    const id = decoy ? `${names.parent}-decoy-${decoy}` : names[kind];
    /** @type {Record<string, import('./repo.mjs').MockFile>} */
    const files = { [indexPath]: indexFile };
    const config = enc.encode(JSON.stringify({ architectures: [o.layout], mock: true, role: kind }, null, 2));
    files['config.json'] = {
      size: config.length, lfs: false, sha256: sha256(config), gitSha: sha256(config).slice(24),
      read: (a, b) => config.subarray(a, b),
    };
    for (const s of L.shards) {
      const oid = sha256(`${o.layout}\0${kind}${decoy ? `-decoy-${decoy}` : ''}\0${kind === 'merge' ? JSON.stringify(alphaSpec) : ''}\0${s.path}`);
      files[s.path] = { size: s.size, lfs: true, sha256: oid, gitSha: oid.slice(0, 40), read: (a, b) => readShard(s, role, a, b) };
    }
    return {
      id,
      commits: [files],
      baseModel: kind === 'base' ? undefined : kind === 'parent' ? names.base : [names.base, names.parent],
      parameters: L.params,
    };
  };
  const decoys = Array.from({ length: o.decoys ?? 0 }, (_, k) => repo('parent', k + 1));
  return { base: repo('base'), parent: repo('parent'), merge: repo('merge'), decoys, layout: L, names, alpha };
}
