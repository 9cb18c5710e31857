// Tensor name -> (key, component, layer, expert, scale pairing).
//
// The key is the name without its wrapper prefix, so that one logical tensor has one key whatever
// class saved it:
//   model.language_model.layers.3.mlp.gate.weight   (Qwen3.5 multimodal)
//   language_model.model.layers.3.mlp.gate.weight   (MLX conversions)
//   model.layers.3.mlp.gate.weight                  (text-only checkpoints)
//   -> layers.3.mlp.gate.weight
//   bert.encoder.layer.0.attention.self.query.weight (BertForSequenceClassification)
//   encoder.layer.0.attention.self.query.weight      (BertModel)
//   -> encoder.layer.0.attention.self.query.weight
// Only the wrapper is removed; the rest of the name is kept as is. In particular llama2.c names
// (layers.N.attention.wq.weight, feed_forward.w1, tok_embeddings, output.weight) are NOT renamed to
// their Hugging Face equivalents: llama2.c stores q/k with interleaved RoPE rows while HF permutes
// them, so the two are not element-wise comparable and must not meet under one key.
//
// Component decisions (see tensor_names.h for the list):
// - Anything whose own module name holds "norm" (input_layernorm, q_norm, k_norm, LayerNorm,
//   attention_norm, ffn_norm, ln_1, ln_f, kv_a_layernorm ...) is a Norm, including the gated
//   RMSNorm inside Qwen's linear attention (`linear_attn.norm`): norm vectors sit near 1 and their
//   raw cosines mean something else than a projection's, so they are kept out of the attention
//   groups' statistics.
// - `linear_attn.*` other than its norm (in_proj_*, conv1d, out_proj, dt_bias, A_log) is
//   LinearAttention.
// - `mtp.*` (multi-token prediction head), vision towers and projectors are Other with layer -1:
//   their layer numbers are not the decoder's, and they must not dilute the per-layer groups.
// - MoE: `experts` (fused or per expert) -> Experts; `shared_expert(s)` and `shared_expert_gate`
//   -> SharedExpert; `gate` directly under mlp / block_sparse_moe / moe, and `router` -> Router.
#include "model/tensor_names.h"

#include <array>
#include <charconv>
#include <vector>

namespace mp {

const char* component_name(Component c) {
  switch (c) {
    case Component::Experts: return "experts";
    case Component::SharedExpert: return "shared_expert";
    case Component::Router: return "router";
    case Component::Attention: return "attention";
    case Component::LinearAttention: return "linear_attention";
    case Component::Mlp: return "mlp";
    case Component::Norm: return "norm";
    case Component::Embedding: return "embeddings";
    case Component::LmHead: return "lm_head";
    case Component::Other: return "other";
  }
  return "other";
}

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Wrapper prefixes, longest first so "model.language_model." wins over "model.".
constexpr std::array<std::string_view, 7> kWrappers = {
    "model.language_model.", "language_model.model.", "language_model.", "transformer.",
    "roberta.",              "bert.",                 "model.",
};

std::string_view strip_wrappers(std::string_view name) {
  // A few rounds: e.g. "model.transformer." (rare). Bounded so a pathological name cannot loop.
  for (int round = 0; round < 3; ++round) {
    bool stripped = false;
    for (std::string_view w : kWrappers) {
      if (starts_with(name, w) && name.size() > w.size()) {
        name.remove_prefix(w.size());
        stripped = true;
        break;
      }
    }
    if (!stripped) break;
  }
  return name;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (dot == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, dot - start));
    start = dot + 1;
  }
}

// A non-negative decimal index that fits an int, else -1.
int parse_index(std::string_view t) {
  if (t.empty() || t.size() > 9) return -1;
  int v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return -1;
  return v;
}

bool has_norm(std::string_view t) {
  // Lower-case search without allocating: "norm" or "Norm" anywhere, or GPT-2's ln_1/ln_2/ln_f.
  return t.find("norm") != std::string_view::npos || t.find("Norm") != std::string_view::npos ||
         starts_with(t, "ln_") || t == "ln";
}

bool is_one_of(std::string_view t, std::initializer_list<std::string_view> set) {
  for (std::string_view s : set)
    if (t == s) return true;
  return false;
}

// Component of a (wrapper-stripped) weight name, given its dot tokens and where the layer index
// token sits (-1 when there is none).
Component component_of(const std::vector<std::string_view>& tok, int layer_pos) {
  const size_t first = layer_pos >= 0 ? static_cast<size_t>(layer_pos) + 1 : 0;
  // Module tokens: everything after the layer index but the parameter leaf (weight, bias, ...).
  // The leaf matters only for Qwen's dt_bias / A_log, which have no ".weight" and are handled by
  // the linear_attn module token anyway.
  const size_t end = tok.size() > first + 1 ? tok.size() - 1 : tok.size();

  for (size_t i = first; i < end; ++i)
    if (has_norm(tok[i])) return Component::Norm;
  if (tok.size() >= 1 && is_one_of(tok.back(), {"gamma", "beta"}))  // old TF-converted LayerNorm
    for (size_t i = first; i < tok.size(); ++i)
      if (has_norm(tok[i])) return Component::Norm;

  for (size_t i = first; i < end; ++i) {
    std::string_view t = tok[i];
    if (is_one_of(t, {"shared_expert", "shared_experts", "shared_expert_gate", "shared_mlp"}))
      return Component::SharedExpert;
  }
  for (size_t i = first; i < end; ++i) {
    std::string_view t = tok[i];
    if (t == "experts") return Component::Experts;
    if (t == "router") return Component::Router;
    // mlp.gate.weight / mlp.gate.e_score_correction_bias (DeepSeek) / block_sparse_moe.gate.weight
    if (t == "gate" && i > first && is_one_of(tok[i - 1], {"mlp", "block_sparse_moe", "moe"}))
      return Component::Router;
  }
  for (size_t i = first; i < end; ++i)
    if (tok[i] == "linear_attn") return Component::LinearAttention;
  for (size_t i = first; i < end; ++i)
    if (is_one_of(tok[i], {"self_attn", "attention", "attn", "self_attention", "cross_attn",
                           "crossattention", "mixer"}))
      return Component::Attention;
  // Inside a layer only: at the top level "output.weight" is llama2.c's lm_head (below).
  if (layer_pos >= 0)
    for (size_t i = first; i < end; ++i)
      if (is_one_of(tok[i], {"mlp", "feed_forward", "ffn", "intermediate", "output", "fc1", "fc2",
                             "dense_h_to_4h", "dense_4h_to_h"}))
        return Component::Mlp;

  if (layer_pos < 0 && !tok.empty()) {
    std::string_view head = tok[0];
    if (is_one_of(head, {"embed_tokens", "wte", "wpe", "tok_embeddings", "embeddings",
                         "word_embeddings", "embed_in", "embedding"}))
      return Component::Embedding;
    if (is_one_of(head, {"lm_head", "embed_out"})) return Component::LmHead;
    // llama2.c's output projection is the top-level "output.weight".
    if (head == "output" && tok.size() == 2) return Component::LmHead;
  }
  return Component::Other;
}

bool is_side_module(std::string_view key) {
  // Not part of the decoder stack: keep their layer numbers out of the per-layer groups.
  return starts_with(key, "mtp.") || starts_with(key, "visual.") || starts_with(key, "vision_tower.") ||
         starts_with(key, "vision_model.") || starts_with(key, "multi_modal_projector.") ||
         starts_with(key, "audio_tower.");
}

}  // namespace

TensorClass classify_tensor(std::string_view name) {
  TensorClass c;
  std::string_view key = strip_wrappers(name);
  c.key = std::string(key);

  // FP8 block scales: classified like the weight they scale, and paired by that weight's key.
  std::string_view weight_key = key;
  for (std::string_view suffix : {std::string_view(".weight_scale_inv"), std::string_view(".weight_scale")}) {
    if (ends_with(key, suffix) && key.size() > suffix.size()) {
      c.is_scale = true;
      c.scale_of = std::string(key.substr(0, key.size() - suffix.size())) + ".weight";
      weight_key = c.scale_of;
      break;
    }
  }

  if (is_side_module(weight_key)) {
    c.component = Component::Other;
    return c;
  }

  std::vector<std::string_view> tok = split_dots(weight_key);
  int layer_pos = -1;
  for (size_t i = 0; i + 1 < tok.size(); ++i) {
    if (is_one_of(tok[i], {"layers", "layer", "h", "blocks"})) {
      int n = parse_index(tok[i + 1]);
      if (n >= 0) {
        c.layer = n;
        layer_pos = static_cast<int>(i + 1);
        break;
      }
    }
  }
  for (size_t i = (layer_pos >= 0 ? layer_pos : 0); i + 1 < tok.size(); ++i) {
    if (tok[i] == "experts") {
      c.expert = parse_index(tok[i + 1]);  // fused experts: the next token is a name, so -1
      break;
    }
  }
  c.component = component_of(tok, layer_pos);
  return c;
}

}  // namespace mp
