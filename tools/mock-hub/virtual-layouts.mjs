// Full-size tensor layouts of the virtual repos (virtual.mjs): names, dtypes and shapes as a real
// checkpoint of that architecture has them (spec §7), and how they are cut into shards.

/** @typedef {{name: string, dtype: string, shape: number[], scaleOf?: string, block?: number}} TensorSpec */

export const DTYPE_BYTES = { BF16: 2, F32: 4, F8_E4M3: 1 };

/**
 * Qwen3.5-MoE (Qwen3_5MoeForConditionalGeneration names, spec §7). fp8: per-expert F8_E4M3 experts
 * and projections with F32 weight_scale_inv blocks; else fused BF16 experts.
 */
export function qwen35Tensors(c, fp8) {
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
export function llamaTensors(c) {
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

export const QWEN35_397B = {
  layers: 60, hidden: 4096, vocab: 248320, experts: 512, moeInter: 1024, sharedInter: 1024,
  heads: 32, kvHeads: 2, headDim: 256, linKeyHeads: 16, linValueHeads: 64, linKeyDim: 128,
  linValueDim: 128, convKernel: 4, block: 128,
};
export const QWEN35_TINY = {
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
export function packUpTo(tensors, sizes, cap) {
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
export function cutInto(tensors, sizes, count, total) {
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
