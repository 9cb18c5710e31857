// Tensor names across wrappers and families: one normalised key per logical tensor, and its
// component and layer. Wrappers stripped: "model.language_model.", "language_model.model.",
// "model.", "bert.", "transformer." ... so that
//   model.language_model.layers.3.self_attn.q_proj.weight == model.layers.3.self_attn.q_proj.weight
//   bert.encoder.layer.0.attention.self.query.weight   == encoder.layer.0.attention.self.query.weight
#pragma once
#include <string>
#include <string_view>

namespace mp {

enum class Component : uint8_t {
  Experts,          // routed experts, fused ([E, 2I, H]) or per expert
  SharedExpert,     // shared expert MLP and its gate
  Router,           // mlp.gate (MoE router)
  Attention,        // full attention (q/k/v/o, q_norm/k_norm count as norms)
  LinearAttention,  // Gated DeltaNet / linear_attn.*
  Mlp,              // dense MLP (Llama gate/up/down, BERT intermediate/output)
  Norm,             // layer norms, final norm
  Embedding,        // token/position embeddings
  LmHead,           // output projection
  Other,            // pooler, classifier, vision, unknown
};
constexpr int kComponentCount = 10;

const char* component_name(Component c);  // "experts", "shared_expert", "router", "attention",
                                           // "linear_attention", "mlp", "norm", "embeddings",
                                           // "lm_head", "other"

struct TensorClass {
  std::string key;     // normalised name, used to match tensors across models
  Component component = Component::Other;
  int layer = -1;      // -1: not in a numbered layer
  int expert = -1;     // per-expert tensors: expert index; fused or not an expert: -1
  bool is_scale = false;  // FP8 block scale (`*.weight_scale_inv`, `*.weight_scale`): not a weight
  std::string scale_of;   // for a scale: the key of the weight it scales
};

TensorClass classify_tensor(std::string_view name);

}  // namespace mp
