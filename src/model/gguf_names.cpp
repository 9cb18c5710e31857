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
struct LayerName {
  std::string_view gguf;
  std::string_view decoder;  // under model.layers.N.
  std::string_view bert;     // under encoder.layer.N. (empty: not in BERT)
};
constexpr std::array<LayerName, 29> kLayer = {{
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
    {"ffn_gate_exps", "mlp.experts.gate_proj", ""},  // fused [E, I, H]: HF per-expert tensors differ
    {"ffn_up_exps", "mlp.experts.up_proj", ""},
    {"ffn_down_exps", "mlp.experts.down_proj", ""},
    {"ffn_gate_shexp", "mlp.shared_expert.gate_proj", ""},
    {"ffn_up_shexp", "mlp.shared_expert.up_proj", ""},
    {"ffn_down_shexp", "mlp.shared_expert.down_proj", ""},
    {"ffn_gate_inp_shexp", "mlp.shared_expert_gate", ""},
    {"exp_probs_b", "mlp.gate.e_score_correction", ""},  // DeepSeek-V3's router bias (.bias)
    // DeepSeek-V2/V3 multi-head latent attention
    {"attn_q_a", "self_attn.q_a_proj", ""},
    {"attn_q_b", "self_attn.q_b_proj", ""},
    {"attn_q_a_norm", "self_attn.q_a_layernorm", ""},
    {"attn_kv_a_mqa", "self_attn.kv_a_proj_with_mqa", ""},
    {"attn_kv_a_norm", "self_attn.kv_a_layernorm", ""},
    {"attn_kv_b", "self_attn.kv_b_proj", ""},
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
  if (suffix.empty()) return std::nullopt;
  if (starts_with(module, "blk.")) {
    std::string_view rest = module.substr(4);
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    const std::string_view layer = rest.substr(0, dot), what = rest.substr(dot + 1);
    for (char c : layer)
      if (c < '0' || c > '9') return std::nullopt;
    for (const auto& n : kLayer) {
      if (what != n.gguf) continue;
      const std::string_view hf = bert ? n.bert : n.decoder;
      if (hf.empty()) return std::nullopt;
      // exp_probs_b is stored as .bias in GGUF and as e_score_correction_bias in HF.
      if (what == "exp_probs_b") return "model.layers." + std::string(layer) + "." + std::string(hf) + "_bias";
      return (bert ? "encoder.layer." : "model.layers.") + std::string(layer) + "." + std::string(hf) +
             std::string(suffix);
    }
    return std::nullopt;
  }
  for (const auto& n : kGlobal) {
    if (module != n.gguf) continue;
    const std::string_view hf = bert ? n.bert : n.decoder;
    if (hf.empty()) return std::nullopt;
    return std::string(hf) + std::string(suffix);
  }
  return std::nullopt;
}

void apply_gguf_names(Model& model) {
  std::string arch;
  for (const auto& f : model.files)
    if (f.header.format == FileFormat::Gguf)
      if (const std::string* a = f.header.find_metadata("general.architecture")) arch = *a;
  if (arch.empty()) return;
  const uint64_t heads = metadata_u64(model, arch + ".attention.head_count", 0);
  const uint64_t kv_heads = metadata_u64(model, arch + ".attention.head_count_kv", heads);
  for (auto& f : model.files) {
    if (f.header.format != FileFormat::Gguf) continue;
    for (size_t i = 0; i < f.header.tensors.size(); ++i) {
      const std::string gguf(f.header.name(i));
      if (auto hf = hf_name_of_gguf(arch, gguf)) f.header.rename(i, *hf);
      TensorInfo& t = f.header.tensors[i];
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
