// classify_tensor on real names from every family we support, and key equality across wrappers.
#include <catch2/catch.hpp>

#include "model/tensor_names.h"

using mp::Component;
using mp::classify_tensor;

namespace {

struct Row {
  const char* name;
  const char* key;
  Component component;
  int layer;
  int expert;
};

// Names copied from real headers / the spec (hf-hub-protocol.md section 7) and shared/real-models.
const Row kRows[] = {
    // Qwen3.5 multimodal wrapper: full attention layer 3
    {"model.language_model.layers.3.self_attn.q_proj.weight", "layers.3.self_attn.q_proj.weight", Component::Attention, 3, -1},
    {"model.language_model.layers.3.self_attn.o_proj.weight", "layers.3.self_attn.o_proj.weight", Component::Attention, 3, -1},
    {"model.language_model.layers.3.self_attn.q_norm.weight", "layers.3.self_attn.q_norm.weight", Component::Norm, 3, -1},
    {"model.language_model.layers.3.self_attn.k_norm.weight", "layers.3.self_attn.k_norm.weight", Component::Norm, 3, -1},
    {"model.language_model.layers.3.input_layernorm.weight", "layers.3.input_layernorm.weight", Component::Norm, 3, -1},
    {"model.language_model.layers.3.post_attention_layernorm.weight", "layers.3.post_attention_layernorm.weight", Component::Norm, 3, -1},
    // linear attention (Gated DeltaNet), incl. the suffix-less parameters
    {"model.language_model.layers.0.linear_attn.in_proj_qkv.weight", "layers.0.linear_attn.in_proj_qkv.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.in_proj_z.weight", "layers.0.linear_attn.in_proj_z.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.in_proj_b.weight", "layers.0.linear_attn.in_proj_b.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.in_proj_a.weight", "layers.0.linear_attn.in_proj_a.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.conv1d.weight", "layers.0.linear_attn.conv1d.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.out_proj.weight", "layers.0.linear_attn.out_proj.weight", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.dt_bias", "layers.0.linear_attn.dt_bias", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.A_log", "layers.0.linear_attn.A_log", Component::LinearAttention, 0, -1},
    {"model.language_model.layers.0.linear_attn.norm.weight", "layers.0.linear_attn.norm.weight", Component::Norm, 0, -1},
    // Qwen3-Next text-only linear attention
    {"model.layers.12.linear_attn.in_proj_qkvz.weight", "layers.12.linear_attn.in_proj_qkvz.weight", Component::LinearAttention, 12, -1},
    {"model.layers.12.linear_attn.in_proj_ba.weight", "layers.12.linear_attn.in_proj_ba.weight", Component::LinearAttention, 12, -1},
    // MoE: fused experts (BF16), per-expert (FP8 / text-only), router, shared expert
    {"model.language_model.layers.59.mlp.experts.gate_up_proj", "layers.59.mlp.experts.gate_up_proj", Component::Experts, 59, -1},
    {"model.language_model.layers.59.mlp.experts.down_proj", "layers.59.mlp.experts.down_proj", Component::Experts, 59, -1},
    {"model.layers.7.mlp.experts.511.down_proj.weight", "layers.7.mlp.experts.511.down_proj.weight", Component::Experts, 7, 511},
    {"model.layers.7.mlp.experts.0.gate_proj.weight", "layers.7.mlp.experts.0.gate_proj.weight", Component::Experts, 7, 0},
    {"model.language_model.layers.7.mlp.gate.weight", "layers.7.mlp.gate.weight", Component::Router, 7, -1},
    {"model.language_model.layers.7.mlp.shared_expert.gate_proj.weight", "layers.7.mlp.shared_expert.gate_proj.weight", Component::SharedExpert, 7, -1},
    {"model.language_model.layers.7.mlp.shared_expert.down_proj.weight", "layers.7.mlp.shared_expert.down_proj.weight", Component::SharedExpert, 7, -1},
    {"model.language_model.layers.7.mlp.shared_expert_gate.weight", "layers.7.mlp.shared_expert_gate.weight", Component::SharedExpert, 7, -1},
    // top level
    {"model.language_model.embed_tokens.weight", "embed_tokens.weight", Component::Embedding, -1, -1},
    {"model.language_model.norm.weight", "norm.weight", Component::Norm, -1, -1},
    {"lm_head.weight", "lm_head.weight", Component::LmHead, -1, -1},
    {"language_model.lm_head.weight", "lm_head.weight", Component::LmHead, -1, -1},
    // side modules: not decoder layers
    {"mtp.layers.0.mlp.experts.3.gate_proj.weight", "mtp.layers.0.mlp.experts.3.gate_proj.weight", Component::Other, -1, -1},
    {"mtp.fc.weight", "mtp.fc.weight", Component::Other, -1, -1},
    {"model.visual.blocks.0.attn.qkv.weight", "visual.blocks.0.attn.qkv.weight", Component::Other, -1, -1},
    // Llama / Mistral dense (tinystories-656k in shared/real-models)
    {"model.layers.1.self_attn.k_proj.weight", "layers.1.self_attn.k_proj.weight", Component::Attention, 1, -1},
    {"model.layers.1.mlp.gate_proj.weight", "layers.1.mlp.gate_proj.weight", Component::Mlp, 1, -1},
    {"model.layers.1.mlp.up_proj.weight", "layers.1.mlp.up_proj.weight", Component::Mlp, 1, -1},
    {"model.layers.1.mlp.down_proj.weight", "layers.1.mlp.down_proj.weight", Component::Mlp, 1, -1},
    {"model.embed_tokens.weight", "embed_tokens.weight", Component::Embedding, -1, -1},
    {"model.norm.weight", "norm.weight", Component::Norm, -1, -1},
    // Mixtral
    {"model.layers.2.block_sparse_moe.gate.weight", "layers.2.block_sparse_moe.gate.weight", Component::Router, 2, -1},
    {"model.layers.2.block_sparse_moe.experts.5.w1.weight", "layers.2.block_sparse_moe.experts.5.w1.weight", Component::Experts, 2, 5},
    // DeepSeek-V3 (FP8 with block scales)
    {"model.layers.3.self_attn.kv_a_proj_with_mqa.weight", "layers.3.self_attn.kv_a_proj_with_mqa.weight", Component::Attention, 3, -1},
    {"model.layers.3.self_attn.kv_a_layernorm.weight", "layers.3.self_attn.kv_a_layernorm.weight", Component::Norm, 3, -1},
    {"model.layers.3.self_attn.q_b_proj.weight", "layers.3.self_attn.q_b_proj.weight", Component::Attention, 3, -1},
    {"model.layers.3.mlp.gate.e_score_correction_bias", "layers.3.mlp.gate.e_score_correction_bias", Component::Router, 3, -1},
    {"model.layers.3.mlp.shared_experts.up_proj.weight", "layers.3.mlp.shared_experts.up_proj.weight", Component::SharedExpert, 3, -1},
    {"model.layers.3.mlp.experts.255.up_proj.weight", "layers.3.mlp.experts.255.up_proj.weight", Component::Experts, 3, 255},
    {"model.layers.0.mlp.gate_proj.weight", "layers.0.mlp.gate_proj.weight", Component::Mlp, 0, -1},
    // BERT (shared/real-models/bert-tiny-*: BertForSequenceClassification)
    {"bert.encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.weight", Component::Attention, 0, -1},
    {"bert.encoder.layer.1.attention.self.value.bias", "encoder.layer.1.attention.self.value.bias", Component::Attention, 1, -1},
    {"bert.encoder.layer.1.attention.output.dense.weight", "encoder.layer.1.attention.output.dense.weight", Component::Attention, 1, -1},
    {"bert.encoder.layer.1.attention.output.LayerNorm.weight", "encoder.layer.1.attention.output.LayerNorm.weight", Component::Norm, 1, -1},
    {"bert.encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.intermediate.dense.weight", Component::Mlp, 0, -1},
    {"bert.encoder.layer.0.output.dense.bias", "encoder.layer.0.output.dense.bias", Component::Mlp, 0, -1},
    {"bert.encoder.layer.0.output.LayerNorm.bias", "encoder.layer.0.output.LayerNorm.bias", Component::Norm, 0, -1},
    {"bert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight", Component::Embedding, -1, -1},
    {"bert.embeddings.position_embeddings.weight", "embeddings.position_embeddings.weight", Component::Embedding, -1, -1},
    {"bert.embeddings.LayerNorm.weight", "embeddings.LayerNorm.weight", Component::Norm, -1, -1},
    {"bert.pooler.dense.weight", "pooler.dense.weight", Component::Other, -1, -1},
    {"classifier.weight", "classifier.weight", Component::Other, -1, -1},
    {"roberta.encoder.layer.11.attention.self.key.weight", "encoder.layer.11.attention.self.key.weight", Component::Attention, 11, -1},
    // llama2.c export (shared/real-models/stories260K): kept under its own names
    {"layers.4.attention.wq.weight", "layers.4.attention.wq.weight", Component::Attention, 4, -1},
    {"layers.4.attention.wo.weight", "layers.4.attention.wo.weight", Component::Attention, 4, -1},
    {"layers.4.attention_norm.weight", "layers.4.attention_norm.weight", Component::Norm, 4, -1},
    {"layers.4.feed_forward.w1.weight", "layers.4.feed_forward.w1.weight", Component::Mlp, 4, -1},
    {"layers.4.feed_forward.w2.weight", "layers.4.feed_forward.w2.weight", Component::Mlp, 4, -1},
    {"layers.4.ffn_norm.weight", "layers.4.ffn_norm.weight", Component::Norm, 4, -1},
    {"tok_embeddings.weight", "tok_embeddings.weight", Component::Embedding, -1, -1},
    {"norm.weight", "norm.weight", Component::Norm, -1, -1},
    {"output.weight", "output.weight", Component::LmHead, -1, -1},
    // GPT-2
    {"transformer.h.5.attn.c_attn.weight", "h.5.attn.c_attn.weight", Component::Attention, 5, -1},
    {"transformer.h.5.mlp.c_fc.weight", "h.5.mlp.c_fc.weight", Component::Mlp, 5, -1},
    {"transformer.h.5.ln_2.weight", "h.5.ln_2.weight", Component::Norm, 5, -1},
    {"transformer.wte.weight", "wte.weight", Component::Embedding, -1, -1},
    {"transformer.ln_f.weight", "ln_f.weight", Component::Norm, -1, -1},
};

}  // namespace

TEST_CASE("classify_tensor: real names of every family", "[names]") {
  for (const Row& r : kRows) {
    INFO(r.name);
    const mp::TensorClass c = classify_tensor(r.name);
    CHECK(c.key == r.key);
    CHECK(mp::component_name(c.component) == std::string(mp::component_name(r.component)));
    CHECK(c.layer == r.layer);
    CHECK(c.expert == r.expert);
    CHECK_FALSE(c.is_scale);
    CHECK(c.scale_of.empty());
  }
}

TEST_CASE("classify_tensor: one key per logical tensor across wrappers", "[names]") {
  const char* tails[] = {
      "layers.3.self_attn.q_proj.weight", "layers.0.linear_attn.A_log", "layers.9.mlp.experts.gate_up_proj",
      "layers.9.mlp.experts.17.up_proj.weight", "embed_tokens.weight", "norm.weight",
  };
  for (const char* tail : tails) {
    INFO(tail);
    const std::string multimodal = classify_tensor(std::string("model.language_model.") + tail).key;
    CHECK(multimodal == tail);
    CHECK(classify_tensor(std::string("model.") + tail).key == multimodal);
    CHECK(classify_tensor(std::string("language_model.model.") + tail).key == multimodal);
    CHECK(classify_tensor(std::string("language_model.") + tail).key == multimodal);
  }
  // BertForSequenceClassification vs BertModel vs RobertaModel.
  const std::string bert = classify_tensor("bert.encoder.layer.0.attention.self.query.weight").key;
  CHECK(bert == classify_tensor("encoder.layer.0.attention.self.query.weight").key);
  CHECK(bert == classify_tensor("roberta.encoder.layer.0.attention.self.query.weight").key);
  // GPT-2 with and without the transformer. wrapper.
  CHECK(classify_tensor("transformer.h.0.attn.c_proj.weight").key == classify_tensor("h.0.attn.c_proj.weight").key);
  // lm_head keeps its name: it is outside the wrapper in HF checkpoints.
  CHECK(classify_tensor("lm_head.weight").key == classify_tensor("language_model.lm_head.weight").key);
  // Different tensors keep different keys.
  CHECK(classify_tensor("model.layers.1.mlp.gate.weight").key != classify_tensor("model.layers.1.mlp.gate_proj.weight").key);
  CHECK(classify_tensor("model.layers.1.self_attn.q_proj.weight").key != classify_tensor("model.layers.10.self_attn.q_proj.weight").key);
}

TEST_CASE("classify_tensor: FP8 block scales point at their weight", "[names]") {
  const mp::TensorClass s = classify_tensor("model.language_model.layers.5.mlp.experts.42.down_proj.weight_scale_inv");
  CHECK(s.is_scale);
  CHECK(s.key == "layers.5.mlp.experts.42.down_proj.weight_scale_inv");
  CHECK(s.scale_of == "layers.5.mlp.experts.42.down_proj.weight");
  CHECK(s.scale_of == classify_tensor("model.layers.5.mlp.experts.42.down_proj.weight").key);
  CHECK(s.component == Component::Experts);
  CHECK(s.layer == 5);
  CHECK(s.expert == 42);

  const mp::TensorClass a = classify_tensor("model.layers.3.self_attn.kv_a_proj_with_mqa.weight_scale_inv");
  CHECK(a.is_scale);
  CHECK(a.scale_of == "layers.3.self_attn.kv_a_proj_with_mqa.weight");
  CHECK(a.component == Component::Attention);

  // ModelOpt-style per-tensor scale name.
  const mp::TensorClass m = classify_tensor("model.layers.3.mlp.down_proj.weight_scale");
  CHECK(m.is_scale);
  CHECK(m.scale_of == "layers.3.mlp.down_proj.weight");
  CHECK(m.component == Component::Mlp);

  // Activation scales are not block scales of a weight.
  CHECK_FALSE(classify_tensor("model.layers.3.mlp.down_proj.input_scale").is_scale);
}

TEST_CASE("classify_tensor: odd names do not crash and stay Other", "[names]") {
  for (const char* n : {"", ".", "..", "model.", "layers", "layers.", "layers.x.attn", "layers.99999999999.mlp.up_proj.weight",
                        "weight_scale_inv", ".weight_scale_inv", "model.language_model."}) {
    INFO(n);
    const mp::TensorClass c = classify_tensor(n);
    CHECK(c.layer == -1);
    CHECK(c.expert == -1);
  }
  CHECK(classify_tensor("model.").key == "model.");  // nothing left to strip to
  CHECK(std::string(mp::component_name(Component::LinearAttention)) == "linear_attention");
  CHECK(std::string(mp::component_name(Component::Embedding)) == "embeddings");
}
