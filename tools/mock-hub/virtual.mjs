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

/* ---------- numbers ---------- */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f64 -> bf16 bits (via f32, round to nearest even). @param {number} x */
export function bf16Bits(x) {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff)) return (b >>> 16) | 0x40; // NaN stays NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}
/** f32 bits of a number. @param {number} x */
function f32Bits(x) {
  f32[0] = x;
  return u32[0];
}

/** @param {number} bits */
export function bf16Value(bits) {
  u32[0] = bits << 16;
  return f32[0];
}
/** @param {number} x */
export const roundBf16 = (x) => bf16Value(bf16Bits(x));

/** e4m3fn code -> value (NaN for 0x7f/0xff). @type {Float64Array} */
export const E4M3 = new Float64Array(256);
for (let b = 0; b < 256; b++) {
  const e = (b >> 3) & 15, m = b & 7;
  let v = e === 15 && m === 7 ? NaN : e === 0 ? (m / 8) * 2 ** -6 : (1 + m / 8) * 2 ** (e - 7);
  E4M3[b] = b & 0x80 ? -v : v;
}
const E4M3_POS = Array.from({ length: 127 }, (_, i) => E4M3[i]); // codes 0..126, increasing

/** value -> e4m3fn code, saturating at ±448, ties to even code. @param {number} x */
export function e4m3Code(x) {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.min(Math.abs(x), 448);
  let lo = 0, hi = 126;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (E4M3_POS[mid] <= a) lo = mid; else hi = mid;
  }
  const dl = a - E4M3_POS[lo], dh = E4M3_POS[hi] - a;
  const code = dl < dh ? lo : dh < dl ? hi : (lo & 1 ? hi : lo);
  return neg && code !== 0 ? code | 0x80 : code;
}

/** @param {number} x */
function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A standard normal for element i (i up to 2^53) of the stream `seed`. */
export function gauss(seed, i) {
  const lo = i >>> 0, hi = Math.floor(i / 4294967296);
  const h1 = mix32(mix32(lo ^ seed) + Math.imul(hi + 1, 0x27d4eb2d));
  const h2 = mix32(h1 ^ 0x68e31da4 ^ seed);
  const u1 = (h1 + 1) / 4294967297;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * (h2 / 4294967296));
}

/** FNV-1a of a string, the per-tensor seed. @param {string} s */
export function seedOf(s) {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
const DELTA = 0x5bd1e995;
const SIGMA = 0.02;

/* ---------- layouts ---------- */

/** @typedef {{name: string, dtype: string, shape: number[], scaleOf?: string, block?: number}} TensorSpec */

const DTYPE_BYTES = { BF16: 2, F32: 4, F8_E4M3: 1 };

/**
 * Qwen3.5-MoE (Qwen3_5MoeForConditionalGeneration names, spec §7). fp8: per-expert F8_E4M3 experts
 * and projections with F32 weight_scale_inv blocks; else fused BF16 experts.
 */
function qwen35Tensors(c, fp8) {
  /** @type {TensorSpec[]} */
  const t = [];
  const P = 'model.language_model.';
  const lin = (name, out, inp) => {
    if (!fp8) { t.push({ name, dtype: 'BF16', shape: [out, inp] }); return; }
    t.push({ name, dtype: 'F8_E4M3', shape: [out, inp], block: c.block });
    t.push({ name: name + '_scale_inv', dtype: 'F32', shape: [Math.ceil(out / c.block), Math.ceil(inp / c.block)], scaleOf: name, block: c.block });
  };
  const bf = (name, shape) => t.push({ name, dtype: 'BF16', shape });
  const H = c.hidden;
  bf(P + 'embed_tokens.weight', [c.vocab, H]);
  for (let L = 0; L < c.layers; L++) {
    const p = `${P}layers.${L}.`;
    bf(p + 'input_layernorm.weight', [H]);
    bf(p + 'post_attention_layernorm.weight', [H]);
    if ((L + 1) % 4 === 0) {
      const qd = c.heads * c.headDim, kv = c.kvHeads * c.headDim;
      lin(p + 'self_attn.q_proj.weight', 2 * qd, H); // 2x: output gate (sglang-jax#1251)
      lin(p + 'self_attn.k_proj.weight', kv, H);
      lin(p + 'self_attn.v_proj.weight', kv, H);
      lin(p + 'self_attn.o_proj.weight', H, qd);
      bf(p + 'self_attn.q_norm.weight', [c.headDim]);
      bf(p + 'self_attn.k_norm.weight', [c.headDim]);
    } else {
      const kd = c.linKeyHeads * c.linKeyDim, vd = c.linValueHeads * c.linValueDim;
      lin(p + 'linear_attn.in_proj_qkv.weight', 2 * kd + vd, H);
      lin(p + 'linear_attn.in_proj_z.weight', vd, H);
      bf(p + 'linear_attn.in_proj_b.weight', [c.linValueHeads, H]);
      bf(p + 'linear_attn.in_proj_a.weight', [c.linValueHeads, H]);
      bf(p + 'linear_attn.conv1d.weight', [2 * kd + vd, 1, c.convKernel]);
      bf(p + 'linear_attn.norm.weight', [c.linValueDim]);
      lin(p + 'linear_attn.out_proj.weight', H, vd);
      bf(p + 'linear_attn.dt_bias', [c.linValueHeads]);
      bf(p + 'linear_attn.A_log', [c.linValueHeads]);
    }
    bf(p + 'mlp.gate.weight', [c.experts, H]);
    if (fp8) {
      for (let e = 0; e < c.experts; e++) {
        lin(`${p}mlp.experts.${e}.gate_proj.weight`, c.moeInter, H);
        lin(`${p}mlp.experts.${e}.up_proj.weight`, c.moeInter, H);
        lin(`${p}mlp.experts.${e}.down_proj.weight`, H, c.moeInter);
      }
    } else {
      bf(p + 'mlp.experts.gate_up_proj', [c.experts, 2 * c.moeInter, H]);
      bf(p + 'mlp.experts.down_proj', [c.experts, H, c.moeInter]);
    }
    lin(p + 'mlp.shared_expert.gate_proj.weight', c.sharedInter, H);
    lin(p + 'mlp.shared_expert.up_proj.weight', c.sharedInter, H);
    lin(p + 'mlp.shared_expert.down_proj.weight', H, c.sharedInter);
    bf(p + 'mlp.shared_expert_gate.weight', [1, H]);
  }
  bf(P + 'norm.weight', [H]);
  bf('lm_head.weight', [c.vocab, H]);
  return t;
}

/** Llama-3-70B-like dense model (HF names). */
function llamaTensors(c) {
  /** @type {TensorSpec[]} */
  const t = [];
  const bf = (name, shape) => t.push({ name, dtype: 'BF16', shape });
  const H = c.hidden, kv = c.kvHeads * c.headDim;
  bf('model.embed_tokens.weight', [c.vocab, H]);
  for (let L = 0; L < c.layers; L++) {
    const p = `model.layers.${L}.`;
    bf(p + 'input_layernorm.weight', [H]);
    bf(p + 'self_attn.q_proj.weight', [c.heads * c.headDim, H]);
    bf(p + 'self_attn.k_proj.weight', [kv, H]);
    bf(p + 'self_attn.v_proj.weight', [kv, H]);
    bf(p + 'self_attn.o_proj.weight', [H, c.heads * c.headDim]);
    bf(p + 'post_attention_layernorm.weight', [H]);
    bf(p + 'mlp.gate_proj.weight', [c.inter, H]);
    bf(p + 'mlp.up_proj.weight', [c.inter, H]);
    bf(p + 'mlp.down_proj.weight', [H, c.inter]);
  }
  bf('model.norm.weight', [H]);
  bf('lm_head.weight', [c.vocab, H]);
  return t;
}

const QWEN35_397B = {
  layers: 60, hidden: 4096, vocab: 248320, experts: 512, moeInter: 1024, sharedInter: 1024,
  heads: 32, kvHeads: 2, headDim: 256, linKeyHeads: 16, linValueHeads: 64, linKeyDim: 128,
  linValueDim: 128, convKernel: 4, block: 128,
};
const QWEN35_TINY = {
  layers: 4, hidden: 64, vocab: 512, experts: 8, moeInter: 32, sharedInter: 32, heads: 4,
  kvHeads: 2, headDim: 16, linKeyHeads: 2, linValueHeads: 4, linKeyDim: 16, linValueDim: 16,
  convKernel: 4, block: 16,
};

/**
 * Layout name -> how to build it. `shardBytes` is the packing target: a shard is closed when the
 * next tensor would push it past the target (huggingface_hub's split rule). `shardCount` instead
 * cuts the tensors into exactly that many shards of about equal bytes: Qwen3.5-397B-A17B has 94
 * shards (spec §9), which no byte target reaches for the fused BF16 experts (8.6 GB + 4.3 GB per
 * layer: targets give 120, 91 or 61 shards).
 */
export const LAYOUTS = {
  'qwen3.5-397b-bf16': () => ({ tensors: qwen35Tensors(QWEN35_397B, false), shardCount: 94 }),
  'qwen3.5-fp8': () => ({ tensors: qwen35Tensors(QWEN35_397B, true), shardBytes: 5e9 }),
  'llama-70b': () => ({
    tensors: llamaTensors({ layers: 80, hidden: 8192, inter: 28672, vocab: 128256, heads: 64, kvHeads: 8, headDim: 128 }),
    shardBytes: 4.9e9,
  }),
  'tiny-qwen3.5-bf16': () => ({ tensors: qwen35Tensors(QWEN35_TINY, false), shardBytes: 300_000 }),
  'tiny-qwen3.5-fp8': () => ({ tensors: qwen35Tensors(QWEN35_TINY, true), shardBytes: 150_000 }),
  'tiny-llama': () => ({
    tensors: llamaTensors({ layers: 2, hidden: 64, inter: 128, vocab: 256, heads: 4, kvHeads: 2, headDim: 16 }),
    shardBytes: 100_000,
  }),
};

/** Component of a tensor name, for per-component alphas. @param {string} name */
export function componentOf(name) {
  if (/embed_tokens/.test(name)) return 'embed';
  if (/^lm_head/.test(name)) return 'lm_head';
  if (/layernorm|\.norm\.weight$|_norm\.weight$/.test(name)) return 'norm';
  if (/self_attn|linear_attn/.test(name)) return 'attn';
  if (/mlp\.experts/.test(name)) return 'experts';
  if (/shared_expert/.test(name)) return 'shared_expert';
  if (/mlp\.gate\.weight/.test(name)) return 'router';
  if (/mlp\./.test(name)) return 'mlp';
  return 'other';
}

/**
 * @typedef {Object} ShardTensor
 * @property {string} name
 * @property {string} dtype
 * @property {number[]} shape
 * @property {number} start  absolute file offset of the first data byte
 * @property {number} bytes
 * @property {number} seed
 * @property {string} component
 * @property {number} [block]
 * @property {number} [scaleSeed]  F8 weights and their scales: the weight's seed
 * @property {boolean} [isScale]
 */

/**
 * @typedef {Object} Shard
 * @property {string} path
 * @property {Uint8Array} head  8-byte length + padded JSON header
 * @property {number} size
 * @property {ShardTensor[]} tensors  sorted by start
 */

/**
 * huggingface_hub's split rule: a shard is closed when the next tensor would push it past `cap`.
 * @param {TensorSpec[]} tensors @param {number[]} sizes @param {number} cap
 */
function packUpTo(tensors, sizes, cap) {
  /** @type {TensorSpec[][]} */
  const groups = [[]];
  let acc = 0;
  tensors.forEach((t, i) => {
    if (acc > 0 && acc + sizes[i] > cap) { groups.push([]); acc = 0; }
    groups[groups.length - 1].push(t);
    acc += sizes[i];
  });
  return groups;
}

/**
 * Exactly `count` shards, in tensor order: close a shard once the running total passes the next
 * of `count` equal byte marks; a tensor larger than one mark skips marks, so the largest shards
 * holding several tensors are then halved (by bytes) until there are `count`.
 * @param {TensorSpec[]} tensors @param {number[]} sizes @param {number} count @param {number} total
 */
function cutInto(tensors, sizes, count, total) {
  /** @type {Array<{t: TensorSpec[], b: number[]}>} */
  const groups = [{ t: [], b: [] }];
  let cum = 0;
  tensors.forEach((t, i) => {
    const g = groups[groups.length - 1];
    g.t.push(t); g.b.push(sizes[i]);
    cum += sizes[i];
    if (i < tensors.length - 1 && cum >= (total * groups.length) / count) groups.push({ t: [], b: [] });
  });
  const bytesOf = (/** @type {{b: number[]}} */ g) => g.b.reduce((a, x) => a + x, 0);
  while (groups.length < count) {
    let k = -1;
    groups.forEach((g, j) => { if (g.t.length > 1 && (k < 0 || bytesOf(g) > bytesOf(groups[k]))) k = j; });
    if (k < 0) throw new Error(`cannot cut ${tensors.length} tensors into ${count} shards`);
    const g = groups[k];
    let cut = 1;
    for (let acc = g.b[0]; cut < g.t.length - 1 && acc < bytesOf(g) / 2; cut++) acc += g.b[cut];
    groups.splice(k, 1, { t: g.t.slice(0, cut), b: g.b.slice(0, cut) }, { t: g.t.slice(cut), b: g.b.slice(cut) });
  }
  return groups.map((g) => g.t);
}

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
