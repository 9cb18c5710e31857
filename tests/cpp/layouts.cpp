#include "layouts.h"

#include <cstdio>

namespace mp_test {

using mp::Dtype;

namespace {

uint64_t spec_bytes(const TensorSpec& s) {
  uint64_t n = 1;
  for (uint64_t d : s.shape) n *= d;
  return n * mp::dtype_bytes(s.dtype);
}

uint64_t ceil128(uint64_t x) { return (x + 127) / 128; }

std::string shard_name(size_t i, size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
  return buf;
}

std::string lm_head_name(Wrapper w) { return w == Wrapper::MlxOrder ? "language_model.lm_head.weight" : "lm_head.weight"; }

// An FP8 linear weight [out, in] and its 128x128 block scale.
void fp8_linear(std::vector<TensorSpec>& v, const std::string& stem, uint64_t out, uint64_t in) {
  v.push_back({stem + ".weight", Dtype::F8_E4M3, {out, in}});
  v.push_back({stem + ".weight_scale_inv", Dtype::F32, {ceil128(out), ceil128(in)}});
}

// The non-expert part of a Qwen3.5 layer; `fp8` quantises the projections as the FP8 release does.
void qwen_layer_common(std::vector<TensorSpec>& v, const std::string& p, int L, const QwenMoeDims& d, bool fp8) {
  auto linear = [&](const std::string& stem, uint64_t out, uint64_t in) {
    if (fp8)
      fp8_linear(v, stem, out, in);
    else
      v.push_back({stem + ".weight", Dtype::BF16, {out, in}});
  };
  v.push_back({p + "input_layernorm.weight", Dtype::BF16, {d.hidden}});
  v.push_back({p + "post_attention_layernorm.weight", Dtype::BF16, {d.hidden}});
  if (qwen_full_attention(L)) {
    // q_proj has 2x heads*head_dim outputs: the query and its output gate.
    linear(p + "self_attn.q_proj", 2 * d.heads * d.head_dim, d.hidden);
    linear(p + "self_attn.k_proj", d.kv_heads * d.head_dim, d.hidden);
    linear(p + "self_attn.v_proj", d.kv_heads * d.head_dim, d.hidden);
    linear(p + "self_attn.o_proj", d.hidden, d.heads * d.head_dim);
    v.push_back({p + "self_attn.q_norm.weight", Dtype::BF16, {d.head_dim}});
    v.push_back({p + "self_attn.k_norm.weight", Dtype::BF16, {d.head_dim}});
  } else {
    const uint64_t key_dim = d.lin_k_heads * d.lin_head_dim;
    const uint64_t value_dim = d.lin_v_heads * d.lin_head_dim;
    const uint64_t conv_dim = 2 * key_dim + value_dim;
    linear(p + "linear_attn.in_proj_qkv", conv_dim, d.hidden);
    linear(p + "linear_attn.in_proj_z", value_dim, d.hidden);
    v.push_back({p + "linear_attn.in_proj_b.weight", Dtype::BF16, {d.lin_v_heads, d.hidden}});
    v.push_back({p + "linear_attn.in_proj_a.weight", Dtype::BF16, {d.lin_v_heads, d.hidden}});
    v.push_back({p + "linear_attn.conv1d.weight", Dtype::BF16, {conv_dim, 1, d.conv_kernel}});
    v.push_back({p + "linear_attn.norm.weight", Dtype::BF16, {d.lin_head_dim}});
    linear(p + "linear_attn.out_proj", d.hidden, value_dim);
    v.push_back({p + "linear_attn.dt_bias", Dtype::BF16, {d.lin_v_heads}});
    v.push_back({p + "linear_attn.A_log", Dtype::F32, {d.lin_v_heads}});
  }
  v.push_back({p + "mlp.gate.weight", Dtype::BF16, {d.experts, d.hidden}});
  linear(p + "mlp.shared_expert.gate_proj", d.shared_inter, d.hidden);
  linear(p + "mlp.shared_expert.up_proj", d.shared_inter, d.hidden);
  linear(p + "mlp.shared_expert.down_proj", d.hidden, d.shared_inter);
  v.push_back({p + "mlp.shared_expert_gate.weight", Dtype::BF16, {1, d.hidden}});
}

std::vector<TensorSpec> qwen_specs(Wrapper w, const QwenMoeDims& d, bool fp8) {
  std::vector<TensorSpec> v;
  const std::string top = layer_prefix(w);
  v.push_back({top + "embed_tokens.weight", Dtype::BF16, {d.vocab, d.hidden}});
  for (int L = 0; L < d.layers; ++L) {
    const std::string p = top + "layers." + std::to_string(L) + ".";
    qwen_layer_common(v, p, L, d, fp8);
    if (fp8) {
      for (uint64_t e = 0; e < d.experts; ++e) {
        const std::string ep = p + "mlp.experts." + std::to_string(e) + ".";
        fp8_linear(v, ep + "gate_proj", d.moe_inter, d.hidden);
        fp8_linear(v, ep + "up_proj", d.moe_inter, d.hidden);
        fp8_linear(v, ep + "down_proj", d.hidden, d.moe_inter);
      }
    } else {
      v.push_back({p + "mlp.experts.gate_up_proj", Dtype::BF16, {d.experts, 2 * d.moe_inter, d.hidden}});
      v.push_back({p + "mlp.experts.down_proj", Dtype::BF16, {d.experts, d.hidden, d.moe_inter}});
    }
  }
  v.push_back({top + "norm.weight", Dtype::BF16, {d.hidden}});
  v.push_back({lm_head_name(w), Dtype::BF16, {d.vocab, d.hidden}});
  return v;
}

}  // namespace

std::string layer_prefix(Wrapper w) {
  switch (w) {
    case Wrapper::Multimodal: return "model.language_model.";
    case Wrapper::TextOnly: return "model.";
    case Wrapper::MlxOrder: return "language_model.model.";
  }
  return "model.";
}

bool qwen_full_attention(int layer) { return (layer + 1) % 4 == 0; }

mp::Model pack_model(const std::vector<TensorSpec>& specs, uint64_t shard_bytes) {
  // Split into shards first (names need the count), then lay each shard out.
  std::vector<std::vector<const TensorSpec*>> shards;
  uint64_t fill = 0;
  for (const TensorSpec& s : specs) {
    const uint64_t b = spec_bytes(s);
    if (shards.empty() || (fill > 0 && fill + b > shard_bytes)) {
      shards.emplace_back();
      fill = 0;
    }
    shards.back().push_back(&s);
    fill += b;
  }
  mp::Model model;
  for (size_t i = 0; i < shards.size(); ++i) {
    mp::ModelFile f;
    f.name = shards.size() == 1 ? "model.safetensors" : shard_name(i, shards.size());
    uint64_t json = 2;  // {}
    uint64_t offset = 0;
    for (const TensorSpec* s : shards[i]) {
      mp::TensorInfo t;
      t.dtype = s->dtype;
      t.shape = s->shape;
      t.begin = offset;
      offset += spec_bytes(*s);
      t.end = offset;
      f.header.add_tensor(s->name, std::move(t));
      json += s->name.size() + 64 + 12 * s->shape.size();  // "name":{"dtype":..,"shape":[..],"data_offsets":[..]},
    }
    f.header.data_offset = 8 + (json + 7) / 8 * 8;
    f.size = f.header.data_offset + offset;
    model.files.push_back(std::move(f));
  }
  return model;
}

std::vector<TensorSpec> qwen35_moe_bf16_specs(Wrapper w, const QwenMoeDims& d) { return qwen_specs(w, d, false); }
mp::Model qwen35_moe_bf16(Wrapper w, const QwenMoeDims& d) { return pack_model(qwen35_moe_bf16_specs(w, d), 8ull << 30); }

std::vector<TensorSpec> qwen35_moe_fp8_specs(Wrapper w, const QwenMoeDims& d) { return qwen_specs(w, d, true); }
mp::Model qwen35_moe_fp8(Wrapper w, const QwenMoeDims& d) { return pack_model(qwen35_moe_fp8_specs(w, d), 5ull << 30); }

std::vector<TensorSpec> llama_dense_specs(Wrapper w, const LlamaDims& d) {
  std::vector<TensorSpec> v;
  const std::string top = layer_prefix(w);
  v.push_back({top + "embed_tokens.weight", d.dtype, {d.vocab, d.hidden}});
  for (int L = 0; L < d.layers; ++L) {
    const std::string p = top + "layers." + std::to_string(L) + ".";
    v.push_back({p + "input_layernorm.weight", d.dtype, {d.hidden}});
    v.push_back({p + "self_attn.q_proj.weight", d.dtype, {d.heads * d.head_dim, d.hidden}});
    v.push_back({p + "self_attn.k_proj.weight", d.dtype, {d.kv_heads * d.head_dim, d.hidden}});
    v.push_back({p + "self_attn.v_proj.weight", d.dtype, {d.kv_heads * d.head_dim, d.hidden}});
    v.push_back({p + "self_attn.o_proj.weight", d.dtype, {d.hidden, d.heads * d.head_dim}});
    v.push_back({p + "post_attention_layernorm.weight", d.dtype, {d.hidden}});
    v.push_back({p + "mlp.gate_proj.weight", d.dtype, {d.inter, d.hidden}});
    v.push_back({p + "mlp.up_proj.weight", d.dtype, {d.inter, d.hidden}});
    v.push_back({p + "mlp.down_proj.weight", d.dtype, {d.hidden, d.inter}});
  }
  v.push_back({top + "norm.weight", d.dtype, {d.hidden}});
  v.push_back({lm_head_name(w), d.dtype, {d.vocab, d.hidden}});
  return v;
}
mp::Model llama_dense(Wrapper w, const LlamaDims& d) { return pack_model(llama_dense_specs(w, d), 5ull << 30); }

uint64_t model_data_bytes(const mp::Model& m) {
  uint64_t n = 0;
  for (const auto& f : m.files)
    for (const auto& t : f.header.tensors) n += t.end - t.begin;
  return n;
}

uint64_t model_tensor_count(const mp::Model& m) {
  uint64_t n = 0;
  for (const auto& f : m.files) n += f.header.tensors.size();
  return n;
}

}  // namespace mp_test
