// Qwen3.5 GGUF linear-attention tensors whose V heads llama.cpp reordered, compared head by head.
// _LinearAttentionVReorderBase.modify_tensors (conversion/qwen.py) moves the V heads of
// in_proj_qkv (its V rows), in_proj_z, in_proj_a, in_proj_b and conv1d (its V channels) from
// Hugging Face's grouped order (head h = k * r + v: key head k, its r = value/key heads) to tiled
// order (position v * key_heads + k), whole heads of rows at a time, when key and value head counts
// differ. Each head's rows stay contiguous, so both sides are cut into one virtual tensor per head
// (and one for the rows before the V part), named <tensor>.part.N.weight (N = 0 for the leading
// rows, 1 + h for V head h in Hugging Face order), the GGUF pieces at their tiled positions. A
// tensor that does not cut (rows other than lead + heads x rows per head, FP8) stays excluded.
#pragma once
#include <vector>

#include "model/model.h"

namespace mp {

// For a run, after apply_gguf_names: cuts the retiled GGUF tensors and, in every other model, the
// tensors of the same key.
void cut_retiled_v_heads(std::vector<Model>& models);

}  // namespace mp
