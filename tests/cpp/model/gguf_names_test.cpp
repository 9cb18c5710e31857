// llama.cpp GGUF names -> Hugging Face names, and the q/k rows marked for un-permuting.
#include <catch2/catch.hpp>

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
