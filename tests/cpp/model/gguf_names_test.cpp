// llama.cpp GGUF names -> Hugging Face names, and the q/k rows marked for un-permuting.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "model/exclusion.h"
#include "model/gguf_names.h"
#include "model/tensor_names.h"

using namespace mp;

TEST_CASE("llama.cpp names map to Hugging Face names per architecture", "[gguf_names]") {
  auto hf = [](const char* arch, const char* n) { return hf_name_of_gguf(arch, n).value_or("-"); };
  CHECK(hf("llama", "blk.3.attn_q.weight") == "model.layers.3.self_attn.q_proj.weight");
  CHECK(hf("llama", "blk.3.attn_k.weight") == "model.layers.3.self_attn.k_proj.weight");
  CHECK(hf("llama", "blk.3.attn_v.weight") == "model.layers.3.self_attn.v_proj.weight");
  CHECK(hf("llama", "blk.3.attn_output.weight") == "model.layers.3.self_attn.o_proj.weight");
  CHECK(hf("llama", "blk.0.ffn_gate.weight") == "model.layers.0.mlp.gate_proj.weight");
  CHECK(hf("llama", "blk.0.ffn_up.weight") == "model.layers.0.mlp.up_proj.weight");
  CHECK(hf("llama", "blk.0.ffn_down.weight") == "model.layers.0.mlp.down_proj.weight");
  CHECK(hf("llama", "blk.0.attn_norm.weight") == "model.layers.0.input_layernorm.weight");
  CHECK(hf("llama", "blk.0.ffn_norm.weight") == "model.layers.0.post_attention_layernorm.weight");
  CHECK(hf("llama", "token_embd.weight") == "model.embed_tokens.weight");
  CHECK(hf("llama", "output.weight") == "lm_head.weight");
  CHECK(hf("llama", "output_norm.weight") == "model.norm.weight");
  CHECK(hf("qwen2", "blk.1.attn_q.bias") == "model.layers.1.self_attn.q_proj.bias");
  CHECK(hf("qwen3", "blk.1.attn_q_norm.weight") == "model.layers.1.self_attn.q_norm.weight");
  CHECK(hf("qwen3moe", "blk.2.ffn_gate_inp.weight") == "model.layers.2.mlp.gate.weight");
  CHECK(hf("qwen3moe", "blk.2.ffn_down_exps.weight") == "model.layers.2.mlp.experts.down_proj.weight");
  CHECK(hf("qwen2moe", "blk.2.ffn_up_shexp.weight") == "model.layers.2.mlp.shared_expert.up_proj.weight");
  CHECK(hf("qwen2moe", "blk.2.ffn_gate_inp_shexp.weight") == "model.layers.2.mlp.shared_expert_gate.weight");
  CHECK(hf("deepseek2", "blk.4.attn_kv_a_mqa.weight") == "model.layers.4.self_attn.kv_a_proj_with_mqa.weight");
  CHECK(hf("deepseek2", "blk.4.exp_probs_b.bias") == "model.layers.4.mlp.gate.e_score_correction_bias");
  CHECK(hf("bert", "blk.1.attn_q.weight") == "encoder.layer.1.attention.self.query.weight");
  CHECK(hf("bert", "blk.1.ffn_down.bias") == "encoder.layer.1.output.dense.bias");
  CHECK(hf("bert", "token_embd_norm.weight") == "embeddings.LayerNorm.weight");
  CHECK(hf("bert", "blk.1.layer_output_norm.weight") == "encoder.layer.1.output.LayerNorm.weight");
  CHECK(hf("llama", "blk.x.attn_q.weight") == "-");
  CHECK(hf("llama", "blk.1.unknown.weight") == "-");
  CHECK(hf("gpt2", "blk.1.attn_q.weight") == "-");
  // The mapped names classify like the checkpoints' own.
  CHECK(classify_tensor(hf("llama", "blk.3.attn_q.weight")).component == Component::Attention);
  CHECK(classify_tensor(hf("llama", "blk.3.attn_q.weight")).layer == 3);
}

TEST_CASE("apply_gguf_names renames and marks llama's q/k rows, not qwen's", "[gguf_names]") {
  auto model_of = [](const char* arch) {
    Model m;
    ModelFile f;
    f.header.format = FileFormat::Gguf;
    f.header.metadata = {{"general.architecture", arch},
                         {std::string(arch) + ".attention.head_count", "8"},
                         {std::string(arch) + ".attention.head_count_kv", "4"}};
    for (const char* n : {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "foo.weight"}) {
      TensorInfo t;
      t.dtype = Dtype::F32;
      t.shape = {std::string(n).find("attn_q") != std::string::npos ? 128u : 64u, 128};
      f.header.add_tensor(n, t);
    }
    m.files.push_back(f);
    return m;
  };
  Model llama = model_of("llama");
  apply_gguf_names(llama);
  const auto& t = llama.files[0].header.tensors;
  CHECK(llama.files[0].header.name(0) == "model.layers.0.self_attn.q_proj.weight");
  CHECK(t[0].permuted_head_rows == 16);  // 128 rows / 8 heads
  CHECK(t[1].permuted_head_rows == 16);  // 64 rows / 4 kv heads
  CHECK(t[2].permuted_head_rows == 0);
  CHECK(llama.files[0].header.name(3) == "foo.weight");      // unmapped names are kept
  Model qwen = model_of("qwen2");
  apply_gguf_names(qwen);
  CHECK(qwen.files[0].header.tensors[0].permuted_head_rows == 0);
}

TEST_CASE("Qwen3-Next / Qwen3.5 linear-attention, shared-expert and Mixtral names", "[gguf_names]") {
  // {architecture, llama.cpp name, Hugging Face name or "-" for none}
  const std::vector<std::array<const char*, 3>> cases = {{
      {"qwen35moe", "blk.0.attn_qkv.weight", "model.layers.0.linear_attn.in_proj_qkv.weight"},
      {"qwen35moe", "blk.0.attn_gate.weight", "model.layers.0.linear_attn.in_proj_z.weight"},
      {"qwen35", "blk.0.ssm_beta.weight", "model.layers.0.linear_attn.in_proj_b.weight"},
      {"qwen35", "blk.0.ssm_alpha.weight", "model.layers.0.linear_attn.in_proj_a.weight"},
      {"qwen3next", "blk.0.ssm_ba.weight", "model.layers.0.linear_attn.in_proj_ba.weight"},
      {"qwen35", "blk.0.ssm_conv1d.weight", "model.layers.0.linear_attn.conv1d.weight"},
      {"qwen35", "blk.0.ssm_dt.bias", "model.layers.0.linear_attn.dt_bias"},  // no suffix in HF
      {"qwen35", "blk.0.ssm_a", "model.layers.0.linear_attn.A_log"},
      {"qwen35", "blk.0.ssm_norm.weight", "model.layers.0.linear_attn.norm.weight"},
      {"qwen35", "blk.0.ssm_out.weight", "model.layers.0.linear_attn.out_proj.weight"},
      {"qwen3next", "blk.0.attn_qkv.weight", "model.layers.0.linear_attn.in_proj_qkvz.weight"},
      {"qwen3next", "blk.0.attn_gate.weight", "model.layers.0.linear_attn.in_proj_qkvz.weight"},
      {"qwen35moe", "blk.3.ffn_gate_up_exps.weight", "model.layers.3.mlp.experts.gate_up_proj.weight"},
      {"deepseek2", "blk.3.ffn_up_shexp.weight", "model.layers.3.mlp.shared_experts.up_proj.weight"},
      {"qwen3moe", "blk.3.ffn_up_shexp.weight", "model.layers.3.mlp.shared_expert.up_proj.weight"},
      {"llama", "blk.0.ssm_out.weight", "-"},
      {"qwen3moe", "blk.0.attn_qkv.weight", "-"},
      {"qwen35", "blk.0.attn_q", "-"},
      {"llama", "blk.2.ffn_gate_inp.weight", "model.layers.2.block_sparse_moe.gate.weight"},
      {"llama", "blk.2.ffn_gate_exps.weight", "model.layers.2.block_sparse_moe.experts.w1.weight"},
      {"llama", "blk.2.ffn_up_exps.weight", "model.layers.2.block_sparse_moe.experts.w3.weight"},
      {"llama", "blk.2.ffn_down_exps.weight", "model.layers.2.block_sparse_moe.experts.w2.weight"},
      {"qwen2moe", "blk.2.ffn_gate_inp.weight", "model.layers.2.mlp.gate.weight"},
  }};
  for (const auto& [arch, gguf, want] : cases) CHECK(hf_name_of_gguf(arch, gguf).value_or("-") == want);
  // Gated DeltaNet names belong to the hybrid families only; a suffix-less name to no other.
  CHECK(classify_tensor(hf_name_of_gguf("qwen35", "blk.0.ssm_a").value_or("")).component == Component::LinearAttention);
  CHECK(classify_tensor(hf_name_of_gguf("llama", "blk.2.ffn_gate_inp.weight").value_or("")).component == Component::Router);
}

TEST_CASE("converter transforms exclude Qwen3-Next / Qwen3.5 tensors, with a reason", "[gguf_names]") {
  CHECK(gguf_exclusion("qwen35", "blk.1.attn_norm.weight", false) == Exclusion::NormPlusOne);
  CHECK(gguf_exclusion("qwen3next", "blk.1.post_attention_norm.weight", false) == Exclusion::NormPlusOne);
  CHECK(gguf_exclusion("qwen35moe", "blk.1.attn_q_norm.weight", false) == Exclusion::NormPlusOne);
  CHECK(gguf_exclusion("qwen35moe", "output_norm.weight", false) == Exclusion::NormPlusOne);
  CHECK(gguf_exclusion("qwen35", "blk.1.ssm_norm.weight", true) == Exclusion::None);  // linear_attn.norm: no + 1
  CHECK(gguf_exclusion("qwen35", "blk.1.ssm_a", false) == Exclusion::NegExpALog);
  CHECK(gguf_exclusion("qwen3next", "blk.1.attn_qkv.weight", false) == Exclusion::QkvzRegrouped);
  CHECK(gguf_exclusion("qwen3next", "blk.1.ssm_out.weight", true) == Exclusion::None);  // no V reorder there
  CHECK(gguf_exclusion("qwen35", "blk.1.attn_qkv.weight", false) == Exclusion::None);
  CHECK(gguf_exclusion("qwen35", "blk.1.attn_qkv.weight", true) == Exclusion::VHeadsRetiled);
  CHECK(gguf_exclusion("qwen35", "blk.1.ssm_out.weight", true) == Exclusion::VHeadsRetiled);
  CHECK(gguf_exclusion("qwen35", "blk.1.ssm_dt.bias", true) == Exclusion::VHeadsRetiled);
  CHECK(gguf_exclusion("qwen35", "blk.1.attn_q.weight", true) == Exclusion::None);
  CHECK(gguf_exclusion("qwen3moe", "blk.1.attn_norm.weight", true) == Exclusion::None);  // plain RMSNorm
  CHECK(gguf_exclusion("llama", "output_norm.weight", true) == Exclusion::None);
  for (Exclusion e : {Exclusion::NormPlusOne, Exclusion::NegExpALog, Exclusion::QkvzRegrouped, Exclusion::VHeadsRetiled,
                      Exclusion::ExpertsUnsplittable})
    CHECK(std::string(exclusion_reason(e)).empty() == false);
  CHECK(exclusion_reason(Exclusion::None) == nullptr);
}

TEST_CASE("apply_gguf_names on a Qwen3.5 file: exclusions from the head counts, conv1d unsqueezed", "[gguf_names]") {
  auto model_of = [](const char* k_heads, const char* v_heads) {
    Model m;
    ModelFile f;
    f.header.format = FileFormat::Gguf;
    f.header.metadata = {{"general.architecture", "qwen35"},
                         {"qwen35.ssm.group_count", k_heads},
                         {"qwen35.ssm.time_step_rank", v_heads}};
    for (const char* n : {"blk.0.ssm_conv1d.weight", "blk.0.ssm_out.weight", "blk.0.ssm_a", "blk.0.attn_norm.weight"}) {
      TensorInfo t;
      t.dtype = Dtype::F32;
      t.shape = {96, 4};
      f.header.add_tensor(n, t);
    }
    m.files.push_back(f);
    return m;
  };
  Model same = model_of("4", "4");
  apply_gguf_names(same);
  const auto& t = same.files[0].header.tensors;
  CHECK(same.files[0].header.name(0) == "model.layers.0.linear_attn.conv1d.weight");
  CHECK(t[0].shape == std::vector<uint64_t>{96, 1, 4});
  CHECK(t[0].excluded == Exclusion::None);
  CHECK(t[1].excluded == Exclusion::None);
  CHECK(same.files[0].header.name(2) == "model.layers.0.linear_attn.A_log");
  CHECK(t[2].excluded == Exclusion::NegExpALog);
  CHECK(t[3].excluded == Exclusion::NormPlusOne);
  Model retiled = model_of("2", "4");
  apply_gguf_names(retiled);
  CHECK(retiled.files[0].header.tensors[0].excluded == Exclusion::VHeadsRetiled);
  CHECK(retiled.files[0].header.tensors[1].excluded == Exclusion::VHeadsRetiled);
}
