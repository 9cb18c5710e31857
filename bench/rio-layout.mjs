// A Rio-scale (Qwen3.5-397B-A17B FP8, per-expert) layout for parse benchmarks: 60 layers x 512
// experts x 3 projections, each with a 128x128-block F32 weight_scale_inv, spread over N shards.
// Only headers are built (the data sizes are real, the bytes are never materialised).

const H = 4096, I = 1024, E = 512, L = 60, V = 248320;

function layerTensors(l) {
  const p = `model.language_model.layers.${l}`;
  const t = [];
  const w = (name, dtype, shape) => t.push({ name: `${p}.${name}`, dtype, shape });
  const fp8 = (name, out, inp) => {
    w(`${name}.weight`, 'F8_E4M3', [out, inp]);
    w(`${name}.weight_scale_inv`, 'F32', [Math.ceil(out / 128), Math.ceil(inp / 128)]);
  };
  w('input_layernorm.weight', 'BF16', [H]);
  w('post_attention_layernorm.weight', 'BF16', [H]);
  if ((l + 1) % 4 === 0) {
    fp8('self_attn.q_proj', 2 * 32 * 256, H);
    fp8('self_attn.k_proj', 2 * 256, H);
    fp8('self_attn.v_proj', 2 * 256, H);
    fp8('self_attn.o_proj', H, 32 * 256);
    w('self_attn.q_norm.weight', 'BF16', [256]);
    w('self_attn.k_norm.weight', 'BF16', [256]);
  } else {
    fp8('linear_attn.in_proj_qkv', 12288, H);
    fp8('linear_attn.in_proj_z', 8192, H);
    w('linear_attn.in_proj_b.weight', 'BF16', [64, H]);
    w('linear_attn.in_proj_a.weight', 'BF16', [64, H]);
    w('linear_attn.conv1d.weight', 'BF16', [12288, 1, 4]);
    w('linear_attn.norm.weight', 'F32', [128]);
    w('linear_attn.dt_bias', 'BF16', [64]);
    w('linear_attn.A_log', 'F32', [64]);
    fp8('linear_attn.out_proj', H, 8192);
  }
  w('mlp.gate.weight', 'BF16', [E, H]);
  w('mlp.shared_expert_gate.weight', 'BF16', [1, H]);
  for (const proj of ['gate_proj', 'up_proj']) fp8(`mlp.shared_expert.${proj}`, I, H);
  fp8('mlp.shared_expert.down_proj', H, I);
  for (let e = 0; e < E; ++e) {
    fp8(`mlp.experts.${e}.gate_proj`, I, H);
    fp8(`mlp.experts.${e}.up_proj`, I, H);
    fp8(`mlp.experts.${e}.down_proj`, H, I);
  }
  return t;
}

const BYTES = { F8_E4M3: 1, BF16: 2, F32: 4 };

/** @returns {{index: string, shards: {name: string, header: Uint8Array, fileSize: number}[]}} */
export function rioScaleShards(nShards) {
  const all = [{ name: 'model.language_model.embed_tokens.weight', dtype: 'BF16', shape: [V, H] }];
  for (let l = 0; l < L; ++l) all.push(...layerTensors(l));
  all.push({ name: 'model.language_model.norm.weight', dtype: 'BF16', shape: [H] });
  all.push({ name: 'lm_head.weight', dtype: 'BF16', shape: [V, H] });
  const per = Math.ceil(all.length / nShards);
  const enc = new TextEncoder();
  const weightMap = {};
  const shards = [];
  let totalSize = 0;
  for (let s = 0; s < nShards; ++s) {
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(nShards).padStart(5, '0')}.safetensors`;
    const header = { __metadata__: { format: 'pt' } };
    let off = 0;
    for (const t of all.slice(s * per, (s + 1) * per)) {
      const size = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
      header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + size] };
      off += size;
      weightMap[t.name] = name;
    }
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8);
    const body = enc.encode(json);
    const bytes = new Uint8Array(8 + body.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(body.length), true);
    bytes.set(body, 8);
    shards.push({ name, header: bytes, fileSize: 8 + body.length + off });
    totalSize += off;
  }
  const index = JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2);
  return { index, shards };
}
