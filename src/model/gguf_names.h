// llama.cpp's GGUF tensor names -> Hugging Face names, per architecture (general.architecture),
// as llama.cpp's convert_hf_to_gguf.py and gguf-py tensor_mapping.py name them:
//   blk.N.attn_q.weight -> model.layers.N.self_attn.q_proj.weight, token_embd.weight ->
//   model.embed_tokens.weight, output.weight -> lm_head.weight, ...
// so a GGUF model meets its safetensors parents under the matcher's keys. Llama-family
// converters (llama/mistral, deepseek) reorder the rows of q_proj/k_proj within each head
// (LlamaModel.permute); those tensors get TensorInfo::permuted_head_rows so readers undo it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "model/model.h"

namespace mp {

// The Hugging Face name of a GGUF tensor for `arch`, or nullopt when the name or arch is unknown.
// Stacked experts (ffn_*_exps) get the fused name (mlp.experts.gate_proj.weight, ...), which
// model/fused_experts.h then cuts into per-expert tensors.
std::optional<std::string> hf_name_of_gguf(std::string_view arch, std::string_view gguf_name);

// Whether the converter transformed this tensor's values beyond recovery (Qwen3-Next/Qwen3.5:
// RMSNorm 1 + w, -exp(A_log), in_proj_qkvz regrouped, V heads retiled when `v_heads_retiled`,
// i.e. linear-attention key and value head counts differ).
Exclusion gguf_exclusion(std::string_view arch, std::string_view gguf_name, bool v_heads_retiled);

// Renames every tensor of the model's GGUF files in place (names that have no mapping are kept,
// so they show as unmatched), marks the permuted q/k rows and the excluded tensors, and restores
// the shape the converter squeezed (Qwen3-Next conv1d). The architecture and head counts
// come from whichever file holds them (split files other than the first have only split.* keys).
// Safetensors files are left alone.
void apply_gguf_names(Model& model);

}  // namespace mp
