// Name tables read from llama.cpp's gguf-py (constants.py MODEL_TENSORS / TENSOR_NAMES and
// tensor_mapping.py) and convert_hf_to_gguf.py (LlamaModel.permute, DeepseekModel).
#include "model/gguf_names.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace mp {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

enum class Family { Decoder, Bert };

// Per-layer names (after "blk.N."), the tensor's module without its .weight/.bias suffix.
// kBare: the Hugging Face parameter has no suffix (the GGUF one is dropped); kHybrid: only in
// Qwen3-Next / Qwen3.5 (Gated DeltaNet layers, gguf-py constants.py QWEN3NEXT/QWEN35 tensors).
enum : uint8_t { kBare = 1, kHybrid = 2 };
struct LayerName {
  std::string_view gguf;
  std::string_view decoder;  // under model.layers.N.
  std::string_view bert;     // under encoder.layer.N. (empty: not in BERT)
  uint8_t flags = 0;
};
constexpr std::array<LayerName, 40> kLayer = {{
    {"attn_norm", "input_layernorm", ""},
    {"ffn_norm", "post_attention_layernorm", ""},
    {"post_attention_norm", "post_attention_layernorm", ""},
    {"attn_q", "self_attn.q_proj", "attention.self.query"},
    {"attn_k", "self_attn.k_proj", "attention.self.key"},
    {"attn_v", "self_attn.v_proj", "attention.self.value"},
    {"attn_output", "self_attn.o_proj", "attention.output.dense"},
    {"attn_output_norm", "", "attention.output.LayerNorm"},
    {"layer_output_norm", "", "output.LayerNorm"},
    {"attn_q_norm", "self_attn.q_norm", ""},
    {"attn_k_norm", "self_attn.k_norm", ""},
    {"ffn_gate", "mlp.gate_proj", ""},
    {"ffn_up", "mlp.up_proj", "intermediate.dense"},
    {"ffn_down", "mlp.down_proj", "output.dense"},
    {"ffn_gate_inp", "mlp.gate", ""},
    // Stacked experts (Qwen2MoeModel.modify_tensors: torch.stack of the per-expert weights);
    // model/fused_experts.h cuts them back into experts.M.*.
    {"ffn_gate_exps", "mlp.experts.gate_proj", ""},
    {"ffn_up_exps", "mlp.experts.up_proj", ""},
    {"ffn_down_exps", "mlp.experts.down_proj", ""},
    {"ffn_gate_up_exps", "mlp.experts.gate_up_proj", ""},
    {"ffn_gate_shexp", "mlp.shared_expert.gate_proj", ""},
    {"ffn_up_shexp", "mlp.shared_expert.up_proj", ""},
    {"ffn_down_shexp", "mlp.shared_expert.down_proj", ""},
    {"ffn_gate_inp_shexp", "mlp.shared_expert_gate", ""},
    {"exp_probs_b", "mlp.gate.e_score_correction_bias", "", kBare},  // DeepSeek-V3's router bias
    // DeepSeek-V2/V3 multi-head latent attention
    {"attn_q_a", "self_attn.q_a_proj", ""},
    {"attn_q_b", "self_attn.q_b_proj", ""},
    {"attn_q_a_norm", "self_attn.q_a_layernorm", ""},
    {"attn_kv_a_mqa", "self_attn.kv_a_proj_with_mqa", ""},
    {"attn_kv_a_norm", "self_attn.kv_a_layernorm", ""},
    {"attn_kv_b", "self_attn.kv_b_proj", ""},
    // Gated DeltaNet (Qwen3-Next, Qwen3.5): tensor_mapping.py ATTN_QKV, ATTN_GATE, SSM_*. For
    // qwen3next attn_qkv and attn_gate both come from in_proj_qkvz (hf_layer_name below).
    {"attn_qkv", "linear_attn.in_proj_qkv", "", kHybrid},
    {"attn_gate", "linear_attn.in_proj_z", "", kHybrid},
    {"ssm_beta", "linear_attn.in_proj_b", "", kHybrid},
    {"ssm_alpha", "linear_attn.in_proj_a", "", kHybrid},
    {"ssm_ba", "linear_attn.in_proj_ba", "", kHybrid},
    {"ssm_conv1d", "linear_attn.conv1d", "", kHybrid},
    {"ssm_dt", "linear_attn.dt_bias", "", kHybrid | kBare},  // dt_bias renamed dt_proj.bias
    {"ssm_a", "linear_attn.A_log", "", kHybrid | kBare},
    {"ssm_norm", "linear_attn.norm", "", kHybrid},
    {"ssm_out", "linear_attn.out_proj", "", kHybrid},
}};

struct GlobalName {
  std::string_view gguf, decoder, bert;
};
constexpr std::array<GlobalName, 6> kGlobal = {{
    {"token_embd", "model.embed_tokens", "embeddings.word_embeddings"},
    {"output_norm", "model.norm", ""},
    {"output", "lm_head", ""},
    {"position_embd", "", "embeddings.position_embeddings"},
    {"token_types", "", "embeddings.token_type_embeddings"},
    {"token_embd_norm", "", "embeddings.LayerNorm"},
}};

// Qwen3-Next and Qwen3.5: Gated DeltaNet layers beside full attention (conversion/qwen.py
// Qwen3NextModel, and _LinearAttentionVReorderBase for Qwen3_5TextModel / Qwen3_5MoeTextModel).
bool hybrid(std::string_view arch) { return arch == "qwen3next" || arch == "qwen35" || arch == "qwen35moe"; }

std::optional<Family> family_of(std::string_view arch) {
  for (std::string_view a : {"llama", "mistral", "qwen2", "qwen2moe", "qwen3", "qwen3moe", "qwen3next", "qwen35",
                             "qwen35moe", "deepseek", "deepseek2"})
    if (arch == a) return Family::Decoder;
  if (arch == "bert") return Family::Bert;
  return std::nullopt;
}

// convert_hf_to_gguf.py permutes q/k rows for these (LlamaModel and DeepseekModel.permute);
// Qwen, DeepSeek-V2/V3 (MLA) and BERT keep Hugging Face's order.
bool permutes_qk(std::string_view arch) { return arch == "llama" || arch == "mistral" || arch == "deepseek"; }

// Splits "name.weight" into ("name", ".weight"); the suffix is kept as is.
std::pair<std::string_view, std::string_view> split_suffix(std::string_view n) {
  for (std::string_view s : {".weight", ".bias"})
    if (n.size() > s.size() && n.substr(n.size() - s.size()) == s) return {n.substr(0, n.size() - s.size()), s};
  return {n, {}};
}

uint64_t metadata_u64(const Model& m, const std::string& key, uint64_t fallback) {
  for (const auto& f : m.files)
    if (const std::string* v = f.header.find_metadata(key)) {
      uint64_t x = 0;
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
      if (ec == std::errc() && p == v->data() + v->size()) return x;
    }
  return fallback;
}

}  // namespace

std::optional<std::string> hf_name_of_gguf(std::string_view arch, std::string_view gguf_name) {
  const auto family = family_of(arch);
  if (!family) return std::nullopt;
  const bool bert = *family == Family::Bert;
  auto [module, suffix] = split_suffix(gguf_name);
  if (starts_with(module, "blk.")) {
    std::string_view rest = module.substr(4);
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    const std::string_view layer = rest.substr(0, dot), what = rest.substr(dot + 1);
    for (char c : layer)
      if (c < '0' || c > '9') return std::nullopt;
    for (const auto& n : kLayer) {
      if (what != n.gguf) continue;
      if ((n.flags & kHybrid) && !hybrid(arch)) return std::nullopt;
      if (suffix.empty() && !(n.flags & kBare)) return std::nullopt;
      std::string hf(bert ? n.bert : n.decoder);
      if (hf.empty()) return std::nullopt;
      // Mixtral is `llama` in GGUF (LlamaModel.modify_tensors stacks block_sparse_moe.experts.M.w1/
      // w2/w3 into feed_forward.experts.w*, tensor_mapping.py: w1 gate, w3 up, w2 down).
      if (arch == "llama") {
        for (auto [g, m] : {std::pair<std::string_view, std::string_view>{"ffn_gate_inp", "block_sparse_moe.gate"},
                            {"ffn_gate_exps", "block_sparse_moe.experts.w1"},
                            {"ffn_up_exps", "block_sparse_moe.experts.w3"},
                            {"ffn_down_exps", "block_sparse_moe.experts.w2"}})
          if (what == g) hf = m;
      }
      // Qwen3NextModel.modify_tensors cuts in_proj_qkvz into these two.
      if (arch == "qwen3next" && (what == "attn_qkv" || what == "attn_gate")) hf = "linear_attn.in_proj_qkvz";
      // DeepSeek names its shared experts in the plural (DeepseekV2 modeling).
      if (starts_with(arch, "deepseek") && starts_with(hf, "mlp.shared_expert."))
        hf.insert(std::string("mlp.shared_expert").size(), "s");
      return (bert ? "encoder.layer." : "model.layers.") + std::string(layer) + "." + hf +
             std::string(n.flags & kBare ? std::string_view() : suffix);
    }
    return std::nullopt;
  }
  if (suffix.empty()) return std::nullopt;
  for (const auto& n : kGlobal) {
    if (module != n.gguf) continue;
    const std::string_view hf = bert ? n.bert : n.decoder;
    if (hf.empty()) return std::nullopt;
    return std::string(hf) + std::string(suffix);
  }
  return std::nullopt;
}

Exclusion gguf_exclusion(std::string_view arch, std::string_view gguf_name, bool v_heads_retiled) {
  if (!hybrid(arch)) return Exclusion::None;
  auto [module, suffix] = split_suffix(gguf_name);
  const size_t dot = starts_with(module, "blk.") ? module.find('.', 4) : std::string_view::npos;
  const std::string_view what = dot == std::string_view::npos ? module : module.substr(dot + 1);
  // Qwen3NextModel.modify_tensors: `norm.weight` but not linear_attn.norm gets + 1.
  for (std::string_view n : {"attn_norm", "ffn_norm", "post_attention_norm", "attn_q_norm", "attn_k_norm", "output_norm"})
    if (what == n) return Exclusion::NormPlusOne;
  if (what == "ssm_a") return Exclusion::NegExpALog;  // Qwen3NextModel.modify_tensors: -exp(A_log)
  if (arch == "qwen3next" && (what == "attn_qkv" || what == "attn_gate")) return Exclusion::QkvzRegrouped;
  // _LinearAttentionVReorderBase.modify_tensors (Qwen3.5 only): V heads regrouped in these.
  if (arch != "qwen3next" && v_heads_retiled)
    for (std::string_view n : {"attn_qkv", "attn_gate", "ssm_beta", "ssm_alpha", "ssm_dt", "ssm_conv1d", "ssm_out"})
      if (what == n) return Exclusion::VHeadsRetiled;
  return Exclusion::None;
}

void apply_gguf_names(Model& model) {
  std::string arch;
  for (const auto& f : model.files)
    if (f.header.format == FileFormat::Gguf)
      if (const std::string* a = f.header.find_metadata("general.architecture")) arch = *a;
  if (arch.empty()) return;
  const uint64_t heads = metadata_u64(model, arch + ".attention.head_count", 0);
  const uint64_t kv_heads = metadata_u64(model, arch + ".attention.head_count_kv", heads);
  // Qwen3NextModel.set_gguf_parameters: ssm.group_count = linear_num_key_heads,
  // ssm.time_step_rank = linear_num_value_heads. Unknown counts: assume the reorder happened.
  const uint64_t k_heads = metadata_u64(model, arch + ".ssm.group_count", 0);
  const uint64_t v_heads = metadata_u64(model, arch + ".ssm.time_step_rank", 0);
  const bool v_retiled = k_heads == 0 || v_heads == 0 || k_heads != v_heads;
  for (auto& f : model.files) {
    if (f.header.format != FileFormat::Gguf) continue;
    for (size_t i = 0; i < f.header.tensors.size(); ++i) {
      const std::string gguf(f.header.name(i));
      TensorInfo& t = f.header.tensors[i];
      t.excluded = gguf_exclusion(arch, gguf, v_retiled);
      if (auto hf = hf_name_of_gguf(arch, gguf)) f.header.rename(i, *hf);
      // Qwen3NextModel.modify_tensors squeezes conv1d [C, 1, K] to [C, K]; the bytes are the same.
      if (hybrid(arch) && gguf.find(".ssm_conv1d.") != std::string::npos && t.shape.size() == 2)
        t.shape = {t.shape[0], 1, t.shape[1]};
      if (!permutes_qk(arch) || t.shape.size() != 2) continue;
      const bool q = gguf.find(".attn_q.weight") != std::string::npos;
      const bool k = gguf.find(".attn_k.weight") != std::string::npos;
      const uint64_t h = q ? heads : k ? kv_heads : 0;
      // rows = heads * head_dim; the permutation pairs the two halves of each head.
      if (h > 0 && t.shape[0] % h == 0 && (t.shape[0] / h) % 2 == 0 && t.shape[0] / h >= 2 &&
          t.shape[0] / h <= UINT32_MAX)
        t.permuted_head_rows = static_cast<uint32_t>(t.shape[0] / h);
    }
  }
}

}  // namespace mp
