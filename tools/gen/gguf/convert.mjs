// Hugging Face checkpoint -> GGUF, as llama.cpp's convert_hf_to_gguf.py and llama-quantize make
// it (read in ggml-org/llama.cpp: convert_hf_to_gguf.py LlamaModel/BertModel, gguf-py
// tensor_mapping.py and constants.py, src/llama-quant.cpp), for the families the tests use:
// - `llama` from HF names (model.layers.N.self_attn.q_proj ...): q_proj/k_proj rows permuted as
//   LlamaModel.permute does (HF's rotate-half pairs -> llama.cpp's interleaved pairs):
//   reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2), n_head_kv heads for k_proj;
// - `llama` from llama2.c/Meta names (tok_embeddings, layers.N.attention.wq ...): Meta's layout is
//   already llama.cpp's, so nothing is permuted (HF's converter is what permutes Meta weights);
// - `bert` (bert.encoder.layer.N ...), pooler and classifier as llama.cpp's cls / cls.output;
// - Mixtral (HF llama names with block_sparse_moe): `llama`, q/k permuted, experts stacked;
// - `qwen2moe` (conversion/qwen.py Qwen2MoeModel.modify_tensors): per-expert weights stacked with
//   torch.stack into ffn_{gate,up,down}_exps [E, rows, cols] (GGUF dims reversed), the router as
//   ffn_gate_inp (kept F32, as llama-quant.cpp keeps ffn_gate_inp), the shared expert as *_shexp;
// - `qwen35` (Qwen3NextModel / _LinearAttentionVReorderBase.modify_tensors): Gated DeltaNet names
//   (attn_qkv, attn_gate, ssm_*), A_log stored as -exp(A_log), RMSNorm weights other than
//   linear_attn.norm stored as 1 + w, conv1d squeezed to [C, K] (kept F32), and with fewer key
//   than value heads the V heads reordered from grouped to tiled (reorderVHeads).
// Dimensions are written reversed (GGUF ne[0] is the row). Quantization per tensor: 1-D tensors
// stay F32 (llama.cpp keeps norms and biases in F32); a matrix whose row is not a whole number
// of blocks takes llama-quant.cpp's fallback (Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0), else F16.
// Q2_K and Q3_K fall back to IQ4_NL in today's llama-quant.cpp, a type the core does not read;
// they take llama.cpp's first fallbacks instead (Q2_K -> Q4_0, Q3_K -> Q4_1, as in late 2023).

import { GGML_TYPES, quantize } from './quants.mjs';

/** llama_ftype (llama.h) of the file types written, for general.file_type. */
export const FILE_TYPES = { F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, Q2_K: 10, Q3_K_S: 11, Q4_K_S: 14, Q4_K_M: 15, Q5_K_S: 16, Q6_K: 18, BF16: 32 };
/** The file types this converter writes: a pure type, or llama.cpp's Q4_K_M mix. */
export const WRITABLE = ['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q4_K_M'];
const FALLBACK = { Q2_K: 'Q4_0', Q3_K: 'Q4_1', Q4_K: 'Q5_0', Q5_K: 'Q5_1', Q6_K: 'Q8_0' };
/** llama_ftype has no pure Q3_K, Q4_K or Q5_K: the _S mixes (that type with a few others) are nearest. */
const FTYPE_OF = { Q3_K: 'Q3_K_S', Q4_K: 'Q4_K_S', Q5_K: 'Q5_K_S' };

const LLAMA_HF = [
  [/^model\.embed_tokens\.weight$/, 'token_embd.weight'],
  [/^model\.norm\.weight$/, 'output_norm.weight'],
  [/^lm_head\.weight$/, 'output.weight'],
  [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, 'blk.$1.attn_norm.weight'],
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'blk.$1.ffn_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.q_proj\.(weight|bias)$/, 'blk.$1.attn_q.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.k_proj\.(weight|bias)$/, 'blk.$1.attn_k.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.v_proj\.(weight|bias)$/, 'blk.$1.attn_v.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.o_proj\.weight$/, 'blk.$1.attn_output.weight'],
  [/^model\.layers\.(\d+)\.mlp\.gate_proj\.weight$/, 'blk.$1.ffn_gate.weight'],
  [/^model\.layers\.(\d+)\.mlp\.up_proj\.weight$/, 'blk.$1.ffn_up.weight'],
  [/^model\.layers\.(\d+)\.mlp\.down_proj\.weight$/, 'blk.$1.ffn_down.weight'],
  // Mixtral (LlamaModel.modify_tensors stacks block_sparse_moe.experts.M.w1/w2/w3)
  [/^model\.layers\.(\d+)\.block_sparse_moe\.gate\.weight$/, 'blk.$1.ffn_gate_inp.weight'],
  [/^model\.layers\.(\d+)\.block_sparse_moe\.experts\.w1\.weight$/, 'blk.$1.ffn_gate_exps.weight'],
  [/^model\.layers\.(\d+)\.block_sparse_moe\.experts\.w3\.weight$/, 'blk.$1.ffn_up_exps.weight'],
  [/^model\.layers\.(\d+)\.block_sparse_moe\.experts\.w2\.weight$/, 'blk.$1.ffn_down_exps.weight'],
];
const LLAMA_META = [
  [/^tok_embeddings\.weight$/, 'token_embd.weight'],
  [/^norm\.weight$/, 'output_norm.weight'],
  [/^output\.weight$/, 'output.weight'],
  [/^layers\.(\d+)\.attention_norm\.weight$/, 'blk.$1.attn_norm.weight'],
  [/^layers\.(\d+)\.ffn_norm\.weight$/, 'blk.$1.ffn_norm.weight'],
  [/^layers\.(\d+)\.attention\.wq\.weight$/, 'blk.$1.attn_q.weight'],
  [/^layers\.(\d+)\.attention\.wk\.weight$/, 'blk.$1.attn_k.weight'],
  [/^layers\.(\d+)\.attention\.wv\.weight$/, 'blk.$1.attn_v.weight'],
  [/^layers\.(\d+)\.attention\.wo\.weight$/, 'blk.$1.attn_output.weight'],
  [/^layers\.(\d+)\.feed_forward\.w1\.weight$/, 'blk.$1.ffn_gate.weight'],
  [/^layers\.(\d+)\.feed_forward\.w3\.weight$/, 'blk.$1.ffn_up.weight'],
  [/^layers\.(\d+)\.feed_forward\.w2\.weight$/, 'blk.$1.ffn_down.weight'],
];
const BERT = [
  [/^(?:bert\.)?embeddings\.word_embeddings\.weight$/, 'token_embd.weight'],
  [/^(?:bert\.)?embeddings\.position_embeddings\.weight$/, 'position_embd.weight'],
  [/^(?:bert\.)?embeddings\.token_type_embeddings\.weight$/, 'token_types.weight'],
  [/^(?:bert\.)?embeddings\.LayerNorm\.(weight|bias)$/, 'token_embd_norm.$1'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.query\.(weight|bias)$/, 'blk.$1.attn_q.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.key\.(weight|bias)$/, 'blk.$1.attn_k.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.attention\.self\.value\.(weight|bias)$/, 'blk.$1.attn_v.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.attention\.output\.dense\.(weight|bias)$/, 'blk.$1.attn_output.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.attention\.output\.LayerNorm\.(weight|bias)$/, 'blk.$1.attn_output_norm.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.intermediate\.dense\.(weight|bias)$/, 'blk.$1.ffn_up.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.output\.dense\.(weight|bias)$/, 'blk.$1.ffn_down.$2'],
  [/^(?:bert\.)?encoder\.layer\.(\d+)\.output\.LayerNorm\.(weight|bias)$/, 'blk.$1.layer_output_norm.$2'],
  [/^(?:bert\.)?pooler\.dense\.(weight|bias)$/, 'cls.$1'],
  [/^classifier\.(weight|bias)$/, 'cls.output.$1'],
];

const QWEN_COMMON = [
  [/^model\.embed_tokens\.weight$/, 'token_embd.weight'],
  [/^model\.norm\.weight$/, 'output_norm.weight'],
  [/^lm_head\.weight$/, 'output.weight'],
  [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, 'blk.$1.attn_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.q_proj\.(weight|bias)$/, 'blk.$1.attn_q.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.k_proj\.(weight|bias)$/, 'blk.$1.attn_k.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.v_proj\.(weight|bias)$/, 'blk.$1.attn_v.$2'],
  [/^model\.layers\.(\d+)\.self_attn\.o_proj\.weight$/, 'blk.$1.attn_output.weight'],
];
const QWEN2MOE = [
  ...QWEN_COMMON,
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'blk.$1.ffn_norm.weight'],
  [/^model\.layers\.(\d+)\.mlp\.gate\.weight$/, 'blk.$1.ffn_gate_inp.weight'],
  [/^model\.layers\.(\d+)\.mlp\.experts\.gate_proj\.weight$/, 'blk.$1.ffn_gate_exps.weight'],
  [/^model\.layers\.(\d+)\.mlp\.experts\.up_proj\.weight$/, 'blk.$1.ffn_up_exps.weight'],
  [/^model\.layers\.(\d+)\.mlp\.experts\.down_proj\.weight$/, 'blk.$1.ffn_down_exps.weight'],
  [/^model\.layers\.(\d+)\.mlp\.shared_expert\.gate_proj\.weight$/, 'blk.$1.ffn_gate_shexp.weight'],
  [/^model\.layers\.(\d+)\.mlp\.shared_expert\.up_proj\.weight$/, 'blk.$1.ffn_up_shexp.weight'],
  [/^model\.layers\.(\d+)\.mlp\.shared_expert\.down_proj\.weight$/, 'blk.$1.ffn_down_shexp.weight'],
  [/^model\.layers\.(\d+)\.mlp\.shared_expert_gate\.weight$/, 'blk.$1.ffn_gate_inp_shexp.weight'],
];
const QWEN35 = [
  ...QWEN_COMMON,
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'blk.$1.post_attention_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.q_norm\.weight$/, 'blk.$1.attn_q_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.k_norm\.weight$/, 'blk.$1.attn_k_norm.weight'],
  [/^model\.layers\.(\d+)\.mlp\.gate_proj\.weight$/, 'blk.$1.ffn_gate.weight'],
  [/^model\.layers\.(\d+)\.mlp\.up_proj\.weight$/, 'blk.$1.ffn_up.weight'],
  [/^model\.layers\.(\d+)\.mlp\.down_proj\.weight$/, 'blk.$1.ffn_down.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.in_proj_qkv\.weight$/, 'blk.$1.attn_qkv.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.in_proj_z\.weight$/, 'blk.$1.attn_gate.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.in_proj_b\.weight$/, 'blk.$1.ssm_beta.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.in_proj_a\.weight$/, 'blk.$1.ssm_alpha.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.conv1d\.weight$/, 'blk.$1.ssm_conv1d.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.dt_bias$/, 'blk.$1.ssm_dt.bias'],
  [/^model\.layers\.(\d+)\.linear_attn\.A_log$/, 'blk.$1.ssm_a'],
  [/^model\.layers\.(\d+)\.linear_attn\.norm\.weight$/, 'blk.$1.ssm_norm.weight'],
  [/^model\.layers\.(\d+)\.linear_attn\.out_proj\.weight$/, 'blk.$1.ssm_out.weight'],
];

/** Which naming a checkpoint uses, from its tensor names. @param {Iterable<string>} names */
export function detectFamily(names) {
  const list = [...names];
  if (list.some((n) => /^model\.layers\.\d+\.linear_attn\./.test(n))) return 'qwen35';
  if (list.some((n) => /^model\.layers\.\d+\.mlp\.experts\./.test(n))) return 'qwen2moe';
  if (list.some((n) => /^model\.layers\.\d+\.self_attn\./.test(n))) return 'llama-hf';
  if (list.some((n) => /^layers\.\d+\.attention\.wq\./.test(n))) return 'llama-meta';
  if (list.some((n) => /encoder\.layer\.\d+\.attention\.self\./.test(n))) return 'bert';
  throw new Error('not a llama (HF or Meta names) or BERT checkpoint');
}

const RULES = { 'llama-hf': LLAMA_HF, 'llama-meta': LLAMA_META, bert: BERT, qwen2moe: QWEN2MOE, qwen35: QWEN35 };
/** general.architecture per family. */
const ARCH = { 'llama-hf': 'llama', 'llama-meta': 'llama', bert: 'bert', qwen2moe: 'qwen2moe', qwen35: 'qwen35' };

/**
 * Qwen2MoeModel.modify_tensors: model.layers.N.mlp.experts.M.P.weight stacked over M (torch.stack,
 * dim 0) into model.layers.N.mlp.experts.P.weight [E, rows, cols] (LlamaModel does the same for
 * Mixtral's block_sparse_moe.experts.M.w*); other tensors kept, in order.
 * @param {Map<string, {shape: number[], data: Float32Array}>} tensors
 */
export function stackExperts(tensors) {
  const out = new Map();
  const groups = new Map();
  for (const [name, t] of tensors) {
    const m = /^(model\.layers\.\d+\.(?:mlp|block_sparse_moe)\.experts\.)(\d+)\.(\w+)\.weight$/.exec(name);
    if (!m) { out.set(name, t); continue; }
    const key = `${m[1]}${m[3]}.weight`;
    if (!groups.has(key)) { groups.set(key, []); out.set(key, null); }
    groups.get(key)[Number(m[2])] = t;
  }
  for (const [key, list] of groups) {
    const data = new Float32Array(list.reduce((s, t) => s + t.data.length, 0));
    list.forEach((t, e) => data.set(t.data, e * t.data.length));
    out.set(key, { shape: [list.length, ...list[0].shape], data });
  }
  return out;
}

/**
 * _LinearAttentionVReorderBase.modify_tensors (before Qwen3NextModel's transforms): with fewer key
 * than value heads, V heads go from grouped order (head k * r + v) to tiled (position v * nk + k):
 * the V rows of in_proj_qkv and conv1d, the rows of in_proj_z, in_proj_a/b, the entries of
 * A_log/dt_bias, the columns of out_proj. @param {string} hf @param {{shape: number[], data: Float32Array}} t
 */
function reorderVHeads(hf, t, config) {
  const nk = config.linear_num_key_heads, nv = config.linear_num_value_heads;
  if (!nk || !nv || nk === nv || !/linear_attn\./.test(hf)) return t;
  const r = nv / nk, hv = config.linear_value_head_dim, kd = config.linear_key_head_dim * nk;
  const cols = t.shape.length > 1 ? t.data.length / t.shape[0] : 1;
  /** Rows from `lead` on, in blocks of `hd` rows, moved from k * r + v to v * nk + k. */
  const rows = (lead, hd) => {
    const out = t.data.slice();
    for (let k = 0; k < nk; k++) for (let v = 0; v < r; v++)
      out.set(t.data.subarray((lead + (k * r + v) * hd) * cols, (lead + (k * r + v + 1) * hd) * cols), (lead + (v * nk + k) * hd) * cols);
    return { shape: t.shape, data: out };
  };
  if (/\.in_proj_qkv\./.test(hf) || /\.conv1d\./.test(hf)) return rows(2 * kd, hv);
  if (/\.in_proj_z\./.test(hf)) return rows(0, hv);
  if (/\.in_proj_[ab]\./.test(hf) || /\.(A_log|dt_bias)$/.test(hf)) return rows(0, 1);
  if (/\.out_proj\./.test(hf)) {
    const [n, c] = t.shape, out = new Float32Array(t.data.length);
    for (let i = 0; i < n; i++) for (let k = 0; k < nk; k++) for (let v = 0; v < r; v++)
      out.set(t.data.subarray(i * c + (k * r + v) * hv, i * c + (k * r + v + 1) * hv), i * c + (v * nk + k) * hv);
    return { shape: t.shape, data: out };
  }
  return t;
}

/**
 * Qwen3NextModel.modify_tensors' value transforms (the llama.cpp file holds these, not the
 * checkpoint's values): -exp(A_log), 1 + w for RMSNorm weights but linear_attn.norm, conv1d
 * squeezed. @param {string} hf @param {{shape: number[], data: Float32Array}} t
 */
function qwen35Transform(hf, t) {
  if (/\.A_log$/.test(hf)) return { shape: t.shape, data: t.data.map((x) => Math.fround(-Math.exp(x))) };
  if (/conv1d/.test(hf)) return { shape: t.shape.filter((d) => d !== 1), data: t.data };
  if (/norm\.weight$/.test(hf) && !/linear_attn\.norm\.weight$/.test(hf)) return { shape: t.shape, data: t.data.map((x) => Math.fround(x + 1)) };
  return t;
}

/** HF name -> llama.cpp name for a family; null when llama.cpp has no such tensor. */
export function ggufName(family, name) {
  for (const [re, to] of RULES[family]) if (re.test(name)) return name.replace(re, to);
  return null;
}

/**
 * LlamaModel.permute: rows of q_proj/k_proj reordered from (head, half, i) to (head, i, half).
 * @param {Float32Array} data @param {number[]} shape [rows, cols] @param {number} heads
 */
export function permuteRows(data, shape, heads) {
  const [rows, cols] = [shape[0], shape.length > 1 ? shape[1] : 1];
  if (rows % (2 * heads)) throw new Error(`${rows} rows do not split into ${heads} heads of pairs`);
  const half = rows / heads / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) {
        const to = h * 2 * half + i * 2 + j;
        const from = h * 2 * half + j * half + i;
        out.set(data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}

/** llama-quant.cpp use_more_bits: the layers Q4_K_M gives Q6_K attn_v / ffn_down. */
const moreBits = (i, n) => i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;

/**
 * The ggml type of one tensor in a file of `fileType`.
 * @param {string} fileType @param {string} name GGUF name @param {number[]} dims GGUF order
 * @param {number} layers
 */
export function tensorType(fileType, name, dims, layers) {
  if (dims.length < 2) return 'F32';
  // llama-quant.cpp leaves the MoE router and the SSM conv kernel unquantized.
  if (/\.(ffn_gate_inp|ssm_conv1d)\.weight$/.test(name)) return 'F32';
  if (['F32', 'F16', 'BF16'].includes(fileType)) return fileType;
  let type = fileType;
  if (fileType === 'Q4_K_M') {
    const layer = /^blk\.(\d+)\./.exec(name);
    if (name === 'output.weight') type = 'Q6_K';
    else if (layer && /\.(attn_v|ffn_down)\.weight$/.test(name) && moreBits(Number(layer[1]), layers)) type = 'Q6_K';
    else type = 'Q4_K';
  }
  if (dims[0] % GGML_TYPES[type].block) type = FALLBACK[type] ?? 'F16';
  if (dims[0] % GGML_TYPES[type].block) type = 'F16';
  return type;
}

/**
 * A whole checkpoint as GGUF tensors and metadata.
 * @param {{tensors: Map<string, {shape: number[], data: Float32Array}>, config?: any, fileType: string,
 *          name?: string, vocab?: number, extra?: import('./writer.mjs').KeyValue[]}} o
 *   vocab: a tokenizer of that many tokens in the metadata (real GGUFs carry one; a large one
 *   makes the header larger than a first read)
 * @returns {{metadata: import('./writer.mjs').KeyValue[], tensors: import('./writer.mjs').TensorEntry[], family: string}}
 */
export function hfToGguf({ tensors, config = {}, fileType, name = 'test model', vocab = 0, extra = [] }) {
  if (!WRITABLE.includes(fileType)) throw new Error(`cannot write GGUF file type ${fileType}`);
  const family = detectFamily(tensors.keys());
  const arch = ARCH[family];
  if (family === 'qwen2moe' || family === 'llama-hf') tensors = stackExperts(tensors);
  const layerIds = [...tensors.keys()].map((n) => /(?:layers?)\.(\d+)\./.exec(n)).filter(Boolean).map((m) => Number(m[1]));
  const layers = layerIds.length ? Math.max(...layerIds) + 1 : 0;
  const heads = config.num_attention_heads ?? config.n_heads;
  const kvHeads = config.num_key_value_heads ?? config.n_kv_heads ?? heads;
  const out = [];
  for (const [hf, t] of tensors) {
    const gname = ggufName(family, hf);
    if (!gname) throw new Error(`no llama.cpp name for ${hf} (${family})`);
    const src = family === 'qwen35' ? qwen35Transform(hf, reorderVHeads(hf, t, config)) : t;
    let data = src.data;
    if (family === 'llama-hf' && /\.attn_q\./.test(gname)) data = permuteRows(data, t.shape, heads);
    if (family === 'llama-hf' && /\.attn_k\./.test(gname)) data = permuteRows(data, t.shape, kvHeads);
    const dims = [...src.shape].reverse();
    const type = tensorType(fileType, gname, dims, layers);
    out.push({ name: gname, dims, type, data: quantize(type, data), hf });
  }
  const hidden = config.hidden_size ?? config.dim;
  const num = (key, type, value) => (value == null ? [] : [{ key, type, value }]);
  const metadata = [
    { key: 'general.architecture', type: 'STRING', value: arch },
    { key: 'general.name', type: 'STRING', value: name },
    ...num(`${arch}.block_count`, 'UINT32', layers),
    ...num(`${arch}.context_length`, 'UINT32', config.max_position_embeddings ?? config.max_seq_len ?? 512),
    ...num(`${arch}.embedding_length`, 'UINT32', hidden),
    ...num(`${arch}.feed_forward_length`, 'UINT32', config.intermediate_size ?? config.hidden_dim),
    ...num(`${arch}.attention.head_count`, 'UINT32', heads),
    ...num(`${arch}.attention.head_count_kv`, 'UINT32', arch !== 'bert' ? kvHeads : undefined),
    ...num(`${arch}.rope.freq_base`, 'FLOAT32', arch !== 'bert' ? config.rope_theta ?? 10000 : undefined),
    ...num(`${arch}.attention.layer_norm_rms_epsilon`, 'FLOAT32', arch !== 'bert' ? config.rms_norm_eps ?? 1e-5 : undefined),
    // Qwen2MoeModel.set_gguf_parameters
    ...num(`${arch}.expert_count`, 'UINT32', config.num_experts),
    ...num(`${arch}.expert_used_count`, 'UINT32', config.num_experts_per_tok),
    ...num(`${arch}.expert_feed_forward_length`, 'UINT32', config.moe_intermediate_size),
    ...num(`${arch}.expert_shared_feed_forward_length`, 'UINT32', config.shared_expert_intermediate_size),
    // Qwen3NextModel.set_gguf_parameters
    ...num(`${arch}.ssm.conv_kernel`, 'UINT32', config.linear_conv_kernel_dim),
    ...num(`${arch}.ssm.state_size`, 'UINT32', config.linear_key_head_dim),
    ...num(`${arch}.ssm.group_count`, 'UINT32', config.linear_num_key_heads),
    ...num(`${arch}.ssm.time_step_rank`, 'UINT32', config.linear_num_value_heads),
    ...num(`${arch}.ssm.inner_size`, 'UINT32', config.linear_value_head_dim && config.linear_value_head_dim * config.linear_num_value_heads),
    ...num(`${arch}.full_attention_interval`, 'UINT32', config.full_attention_interval),
    ...num(`${arch}.attention.layer_norm_epsilon`, 'FLOAT32', arch === 'bert' ? 1e-12 : undefined),
    { key: 'general.file_type', type: 'UINT32', value: FILE_TYPES[FTYPE_OF[fileType] ?? fileType] },
    { key: 'general.quantization_version', type: 'UINT32', value: 2 },
    ...(vocab ? tokenizer(vocab) : []),
    ...extra,
  ];
  return { metadata, tensors: out, family };
}

/** A synthetic sentencepiece-style vocabulary in llama.cpp's tokenizer keys. @param {number} n */
function tokenizer(n) {
  const tokens = Array.from({ length: n }, (_, i) => (i < 3 ? ['<unk>', '<s>', '</s>'][i] : `\u2581tok${i}`));
  return [
    { key: 'tokenizer.ggml.model', type: 'STRING', value: 'llama' },
    { key: 'tokenizer.ggml.tokens', type: 'ARRAY', itemType: 'STRING', value: tokens },
    { key: 'tokenizer.ggml.scores', type: 'ARRAY', itemType: 'FLOAT32', value: tokens.map((_, i) => -i) },
    { key: 'tokenizer.ggml.token_type', type: 'ARRAY', itemType: 'INT32', value: tokens.map((_, i) => (i < 3 ? 3 : 1)) },
    { key: 'tokenizer.ggml.bos_token_id', type: 'UINT32', value: 1 },
    { key: 'tokenizer.ggml.eos_token_id', type: 'UINT32', value: 2 },
  ];
}
