// Fused MoE expert tensors cut into one virtual tensor per expert, so that a model storing its
// experts stacked meets one storing them one by one under the same per-expert keys.
//   llama.cpp (GGUF): blk.N.ffn_{gate,up,down}_exps [E, I, H] / [E, H, I], or ffn_gate_up_exps
//     [E, 2I, H] (gate rows first, then up: ModelBase's --fuse-gate-up-exps), named by
//     apply_gguf_names model.layers.N.mlp.experts.{gate_proj,up_proj,down_proj,gate_up_proj}.weight;
//   Mixtral (GGUF architecture llama): block_sparse_moe.experts.{w1,w2,w3}.weight, cut into
//     block_sparse_moe.experts.M.w1.weight, ...;
//   Hugging Face fused releases (Qwen3.5 BF16): mlp.experts.gate_up_proj [E, 2I, H] (gate first,
//     as Qwen2MoeModel.modify_tensors splits it) and mlp.experts.down_proj [E, H, I], no suffix;
// become <prefix>mlp.experts.M.{gate,up,down}_proj.weight, shape [rows, columns], whose bytes are
// rows M*R .. (M+1)*R of the fused tensor (ggml quantizes per row, so a slice of whole rows is
// whole blocks). A fused tensor that does not cut so is kept and marked
// Exclusion::ExpertsUnsplittable. FP8 fused tensors are left fused: their block scales would not
// follow the cut.
#pragma once
#include <vector>

#include "format/header.h"
#include "model/model.h"

namespace mp {

// Cuts the fused expert tensors of one file, in place, keeping file order.
void split_fused_experts(Header& header);

// For a run: GGUF files always (llama.cpp always stacks experts); safetensors files when some
// model of the run then holds per-expert tensors (a fused-only run compares its fused tensors).
void split_fused_experts(std::vector<Model>& models);

}  // namespace mp
