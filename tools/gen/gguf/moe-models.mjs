// Tiny MoE and Qwen3.5-style checkpoints (Hugging Face names) made from the real weights of
// tinystories-656k (a real Llama: hidden 128, 8 heads, 4 KV heads, MLP 384), for the GGUF tests
// of llama.cpp's stacked experts and Gated DeltaNet names:
// - `qwen2moe` (Qwen2MoeForCausalLM names): the real attention and norms; 4 experts per layer,
//   each a different 256-row window of the real MLP (gate/up rows, down columns: upcycled experts)
//   plus a 10% rank-4 perturbation of its own (experts diverge in training); a router from real
//   q_proj rows; a shared expert from the MLP's last 256 rows, its gate a real k_proj row;
// - `qwen35` (Qwen3_5ForCausalLM text names): layer 0 linear attention (Gated DeltaNet: 2 key and
//   4 value heads of 32, conv kernel 4), layer 1 full attention with Qwen3.5's doubled q_proj
//   (query + gate) and q/k norms; every matrix real rows of tinystories (in_proj_qkv = q, k, v and
//   gate rows; conv1d and the per-head vectors from real values). Fewer key than value heads, as in
//   the released Qwen3.5 models, so llama.cpp reorders the V heads (_LinearAttentionVReorderBase).
import { norm, perturbation, rng } from '../merge-ops.mjs';

const fr = Math.fround;

/** Rows [r0, r0 + n) of a [rows, cols] tensor. */
function rows(t, r0, n) {
  const c = t.shape[1];
  return { shape: [n, c], data: t.data.slice(r0 * c, (r0 + n) * c) };
}
/** Columns [c0, c0 + n) of a [rows, cols] tensor. */
function cols(t, c0, n) {
  const [r, c] = t.shape;
  const data = new Float32Array(r * n);
  for (let i = 0; i < r; i++) data.set(t.data.subarray(i * c + c0, i * c + c0 + n), i * n);
  return { shape: [r, n], data };
}
/** Row-wise concatenation of [*, cols] tensors. */
function stackRows(...ts) {
  const c = ts[0].shape[1];
  const data = new Float32Array(ts.reduce((s, t) => s + t.data.length, 0));
  let at = 0;
  for (const t of ts) { data.set(t.data, at); at += t.data.length; }
  return { shape: [data.length / c, c], data };
}
/** t + a rank-4 Gaussian perturbation of `frac` of its norm. */
function perturbed(t, frac, rand) {
  const P = perturbation(new Float32Array(t.data.length), t.shape, frac * norm(t.data), rand);
  return { shape: t.shape, data: t.data.map((x, i) => fr(x + P[i])) };
}
/** A 1-D tensor of real values: `n` entries of `src` from `at`, through `f`. */
function vector(src, at, n, f = (x) => x) {
  return { shape: [n], data: Float32Array.from(src.data.subarray(at, at + n), f) };
}

/** Embeddings, final norm and head; tinystories ties its embeddings (only lm_head is stored), these untie them. */
function globals(llama, out) {
  const head = llama.tensors.get('lm_head.weight');
  out.set('model.embed_tokens.weight', llama.tensors.get('model.embed_tokens.weight') ?? head);
  out.set('model.norm.weight', llama.tensors.get('model.norm.weight'));
  out.set('lm_head.weight', head);
}

export const MOE = { experts: 4, used: 2, inter: 256, sharedInter: 256 };

/** @param {{tensors: Map<string, any>, config: any}} llama real tinystories-656k */
export function tinyMoe(llama) {
  const get = (n) => llama.tensors.get(n);
  const out = new Map();
  const layers = llama.config.num_hidden_layers;
  const { experts, inter, sharedInter } = MOE;
  globals(llama, out);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    for (const n of ['input_layernorm', 'post_attention_layernorm']) out.set(`${p}${n}.weight`, get(`${p}${n}.weight`));
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) out.set(`${p}self_attn.${n}.weight`, get(`${p}self_attn.${n}.weight`));
    const gate = get(`${p}mlp.gate_proj.weight`), up = get(`${p}mlp.up_proj.weight`), down = get(`${p}mlp.down_proj.weight`);
    out.set(`${p}mlp.gate.weight`, rows(get(`${p}self_attn.q_proj.weight`), 4 * l, experts));
    for (let e = 0; e < experts; e++) {
      const rand = rng(`gguf-moe-expert-${l}-${e}`);
      const w = e * 32;  // windows of 256 of the 384 MLP rows, 32 apart
      out.set(`${p}mlp.experts.${e}.gate_proj.weight`, perturbed(rows(gate, w, inter), 0.1, rand));
      out.set(`${p}mlp.experts.${e}.up_proj.weight`, perturbed(rows(up, w, inter), 0.1, rand));
      out.set(`${p}mlp.experts.${e}.down_proj.weight`, perturbed(cols(down, w, inter), 0.1, rand));
    }
    const s0 = gate.shape[0] - sharedInter;
    out.set(`${p}mlp.shared_expert.gate_proj.weight`, rows(gate, s0, sharedInter));
    out.set(`${p}mlp.shared_expert.up_proj.weight`, rows(up, s0, sharedInter));
    out.set(`${p}mlp.shared_expert.down_proj.weight`, cols(down, s0, sharedInter));
    out.set(`${p}mlp.shared_expert_gate.weight`, rows(get(`${p}self_attn.k_proj.weight`), 0, 1));
  }
  const c = llama.config;
  const config = {
    architectures: ['Qwen2MoeForCausalLM'], model_type: 'qwen2_moe', hidden_size: c.hidden_size, num_hidden_layers: layers,
    num_attention_heads: c.num_attention_heads, num_key_value_heads: c.num_key_value_heads, vocab_size: c.vocab_size,
    intermediate_size: c.intermediate_size, moe_intermediate_size: inter, shared_expert_intermediate_size: sharedInter,
    num_experts: experts, num_experts_per_tok: MOE.used, rms_norm_eps: c.rms_norm_eps, rope_theta: c.rope_theta,
    max_position_embeddings: c.max_position_embeddings, torch_dtype: 'float32',
  };
  return { tensors: out, config };
}

export const LINEAR = { keyHeads: 2, valueHeads: 4, keyDim: 32, valueDim: 32, convKernel: 4 };

/** @param {{tensors: Map<string, any>, config: any}} llama real tinystories-656k */
export function tinyQwen35(llama) {
  const get = (n) => llama.tensors.get(n);
  const out = new Map();
  const c = llama.config;
  const { keyHeads, valueHeads, keyDim, valueDim, convKernel } = LINEAR;
  const kd = keyHeads * keyDim, vd = valueHeads * valueDim;
  globals(llama, out);
  for (let l = 0; l < 2; l++) {
    const p = `model.layers.${l}.`;
    const q = get(`${p}self_attn.q_proj.weight`), k = get(`${p}self_attn.k_proj.weight`), v = get(`${p}self_attn.v_proj.weight`);
    const o = get(`${p}self_attn.o_proj.weight`), gate = get(`${p}mlp.gate_proj.weight`), up = get(`${p}mlp.up_proj.weight`);
    const down = get(`${p}mlp.down_proj.weight`), ln = get(`${p}input_layernorm.weight`);
    for (const n of ['input_layernorm', 'post_attention_layernorm']) out.set(`${p}${n}.weight`, get(`${p}${n}.weight`));
    for (const n of ['gate_proj', 'up_proj', 'down_proj']) out.set(`${p}mlp.${n}.weight`, get(`${p}mlp.${n}.weight`));
    if (l === 0) {
      const a = `${p}linear_attn.`;
      // [q (kd), k (kd), v (vd)] rows = 2 * 64 + 128: real q, k and v rows, then gate rows.
      const qkvRows = 2 * kd + vd - q.shape[0] - k.shape[0] - v.shape[0];
      out.set(`${a}in_proj_qkv.weight`, qkvRows > 0 ? stackRows(q, k, v, rows(gate, 0, qkvRows)) : stackRows(q, k, v));
      out.set(`${a}in_proj_z.weight`, rows(up, 0, vd));
      out.set(`${a}in_proj_b.weight`, rows(o, 0, valueHeads));
      out.set(`${a}in_proj_a.weight`, rows(o, valueHeads, valueHeads));
      const ch = 2 * kd + vd;
      out.set(`${a}conv1d.weight`, { shape: [ch, 1, convKernel], data: down.data.slice(0, ch * convKernel) });
      out.set(`${a}norm.weight`, vector(ln, 0, valueDim));
      out.set(`${a}out_proj.weight`, cols(o, 0, vd));
      out.set(`${a}dt_bias`, vector(ln, valueDim, valueHeads));
      out.set(`${a}A_log`, vector(ln, 2 * valueDim, valueHeads, (x) => fr(Math.log(1 + 15 * Math.abs(x)))));
    } else {
      // Qwen3.5's q_proj holds the query and its output gate: 2 * heads * head_dim rows.
      out.set(`${p}self_attn.q_proj.weight`, stackRows(q, rows(gate, 0, q.shape[0])));
      out.set(`${p}self_attn.k_proj.weight`, k);
      out.set(`${p}self_attn.v_proj.weight`, v);
      out.set(`${p}self_attn.o_proj.weight`, o);
      const hd = c.hidden_size / c.num_attention_heads;
      out.set(`${p}self_attn.q_norm.weight`, vector(ln, 0, hd));
      out.set(`${p}self_attn.k_norm.weight`, vector(ln, hd, hd));
    }
  }
  const config = {
    architectures: ['Qwen3_5ForCausalLM'], model_type: 'qwen3_5_text', hidden_size: c.hidden_size, num_hidden_layers: 2,
    num_attention_heads: c.num_attention_heads, num_key_value_heads: c.num_key_value_heads, head_dim: c.hidden_size / c.num_attention_heads,
    vocab_size: c.vocab_size, intermediate_size: c.intermediate_size, layer_types: ['linear_attention', 'full_attention'],
    full_attention_interval: 2, linear_num_key_heads: keyHeads, linear_num_value_heads: valueHeads, linear_key_head_dim: keyDim,
    linear_value_head_dim: valueDim, linear_conv_kernel_dim: convKernel, rms_norm_eps: c.rms_norm_eps, rope_theta: c.rope_theta,
    partial_rotary_factor: 0.25, max_position_embeddings: c.max_position_embeddings, torch_dtype: 'float32',
  };
  return { tensors: out, config };
}

/**
 * The MoE under Mixtral's names (MixtralForCausalLM: block_sparse_moe.gate, experts.M.w1 gate,
 * w3 up, w2 down), without the shared expert Mixtral does not have.
 * @param {{tensors: Map<string, any>, config: any}} m tinyMoe's model
 */
export function asMixtral(m) {
  const out = new Map();
  const w = { gate_proj: 'w1', up_proj: 'w3', down_proj: 'w2' };
  for (const [name, t] of m.tensors) {
    if (/shared_expert/.test(name)) continue;
    out.set(name.replace(/\.mlp\.gate\.weight$/, '.block_sparse_moe.gate.weight')
      .replace(/\.mlp\.experts\.(\d+)\.(\w+)\.weight$/, (_, e, p) => `.block_sparse_moe.experts.${e}.${w[p]}.weight`), t);
  }
  const { shared_expert_intermediate_size: _, num_experts, moe_intermediate_size, ...rest } = m.config;
  return { tensors: out, config: { ...rest, architectures: ['MixtralForCausalLM'], model_type: 'mixtral', num_local_experts: num_experts, intermediate_size: moe_intermediate_size } };
}

/**
 * The same MoE as a fused Hugging Face release stores it (Qwen3.5 BF16, transformers'
 * fused experts): mlp.experts.gate_up_proj [E, 2I, H] (each expert's gate rows, then its up
 * rows) and mlp.experts.down_proj [E, H, I], without a .weight suffix.
 * @param {{tensors: Map<string, any>, config: any}} m per-expert MoE
 */
export function fuseExperts(m) {
  const out = new Map();
  const experts = m.config.num_experts;
  for (const [name, t] of m.tensors) {
    const e = /^(model\.layers\.\d+\.mlp\.experts\.)(\d+)\.(gate|up|down)_proj\.weight$/.exec(name);
    if (!e) { out.set(name, t); continue; }
    if (e[2] !== '0' || e[3] === 'up') continue;
    const get = (x, p) => m.tensors.get(`${e[1]}${x}.${p}_proj.weight`);
    const parts = [];
    for (let x = 0; x < experts; x++) parts.push(...(e[3] === 'gate' ? [get(x, 'gate'), get(x, 'up')] : [get(x, 'down')]));
    const data = new Float32Array(parts.reduce((s, p) => s + p.data.length, 0));
    let at = 0;
    for (const p of parts) { data.set(p.data, at); at += p.data.length; }
    const [r, c] = t.shape;
    out.set(`${e[1]}${e[3] === 'gate' ? 'gate_up_proj' : 'down_proj'}`, { shape: [experts, e[3] === 'gate' ? 2 * r : r, c], data });
  }
  return { tensors: out, config: m.config };
}
