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
std::optional<std::string> hf_name_of_gguf(std::string_view arch, std::string_view gguf_name);

// Renames every tensor of the model's GGUF files in place (names that have no mapping are kept,
// so they show as unmatched), and marks the permuted q/k rows. The architecture and head counts
// come from whichever file holds them (split files other than the first have only split.* keys).
// Safetensors files are left alone.
void apply_gguf_names(Model& model);

}  // namespace mp
