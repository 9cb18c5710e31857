// Realistic model layouts built in memory as mp::Model values (headers only, no tensor bytes), for
// matching and planning tests at real scale: a 397B MoE has ~800 GB of weights we never write.
// Offsets are those a safetensors writer would produce: tensors contiguous inside each shard,
// shards filled in name order up to a size cap, file size = 8 + N + data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace mp_test {

struct TensorSpec {
  std::string name;
  mp::Dtype dtype;
  std::vector<uint64_t> shape;
};

// Packs `specs` (in the given order) into shards "model-0000i-of-0000n.safetensors" of at most
// `shard_bytes` of data each (a larger tensor gets a shard to itself). One shard is named
// "model.safetensors". header_length is an estimate of the JSON size, padded to 8.
mp::Model pack_model(const std::vector<TensorSpec>& specs, uint64_t shard_bytes = 5ull << 30);

// Tensor-name wrappers seen in the wild for the same weights (hf-hub-protocol.md section 7).
enum class Wrapper {
  Multimodal,  // model.language_model.layers.N... + lm_head.weight (Qwen3_5MoeForConditionalGeneration)
  TextOnly,    // model.layers.N...                  + lm_head.weight (Qwen3-Next, Llama)
  MlxOrder,    // language_model.model.layers.N...   + language_model.lm_head.weight
};
std::string layer_prefix(Wrapper w);  // "model.language_model." / "model." / "language_model.model."

// Qwen3.5-397B-A17B by default (spec section 7): 60 layers, layer i full attention iff
// (i+1) % 4 == 0, else Gated DeltaNet; 512 experts of 1024, one shared expert, hidden 4096,
// head_dim 256, vocab 248,320. Smaller values make small variants of the same layout.
struct QwenMoeDims {
  int layers = 60;
  uint64_t experts = 512;
  uint64_t hidden = 4096;
  uint64_t moe_inter = 1024;
  uint64_t shared_inter = 1024;
  uint64_t vocab = 248320;
  uint64_t heads = 32, kv_heads = 2, head_dim = 256;                 // full attention
  uint64_t lin_k_heads = 16, lin_v_heads = 64, lin_head_dim = 128;    // linear attention
  uint64_t conv_kernel = 4;
};
bool qwen_full_attention(int layer);  // (layer + 1) % 4 == 0

// BF16 release: fused experts `mlp.experts.gate_up_proj` [E, 2I, H] and `down_proj` [E, H, I]
// (no .weight suffix), A_log in F32, everything else BF16. ~800 GB, ~100 shards at full size.
std::vector<TensorSpec> qwen35_moe_bf16_specs(Wrapper w = Wrapper::Multimodal, const QwenMoeDims& d = {});
mp::Model qwen35_moe_bf16(Wrapper w = Wrapper::Multimodal, const QwenMoeDims& d = {});

// FP8 release: per-expert `mlp.experts.{E}.{gate,up,down}_proj.weight` in F8_E4M3, each with an
// F32 `weight_scale_inv` of 128x128 blocks [ceil(out/128), ceil(in/128)]; attention, linear
// attention and shared-expert projections FP8 with scales too; norms, router, conv1d, dt_bias,
// A_log, embeddings and lm_head unquantised. At full size: 92,160 expert weights + as many scales.
std::vector<TensorSpec> qwen35_moe_fp8_specs(Wrapper w = Wrapper::Multimodal, const QwenMoeDims& d = {});
mp::Model qwen35_moe_fp8(Wrapper w = Wrapper::Multimodal, const QwenMoeDims& d = {});

// Llama-3-70B-like dense model: 80 layers, hidden 8192, MLP 28672, 64 heads / 8 KV heads of 128,
// vocab 128,256, BF16, `model.layers.N` names, untied lm_head. ~141 GB.
struct LlamaDims {
  int layers = 80;
  uint64_t hidden = 8192, inter = 28672, heads = 64, kv_heads = 8, head_dim = 128, vocab = 128256;
  mp::Dtype dtype = mp::Dtype::BF16;
};
std::vector<TensorSpec> llama_dense_specs(Wrapper w = Wrapper::TextOnly, const LlamaDims& d = {});
mp::Model llama_dense(Wrapper w = Wrapper::TextOnly, const LlamaDims& d = {});

// Sum of (end - begin) over all tensors of a model.
uint64_t model_data_bytes(const mp::Model& m);
uint64_t model_tensor_count(const mp::Model& m);

}  // namespace mp_test
