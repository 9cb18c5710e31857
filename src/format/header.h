// What the rest of the core knows of a weights file, whichever format it came in: its tensors
// (name, dtype, shape in Hugging Face order, where the bytes are) and its metadata. Filled by
// parse_header (safetensors_header.h) and parse_gguf (gguf.h).
// All offsets are uint64_t: wasm32's size_t is 32 bits and shards pass 4 GiB.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "format/dtype.h"

namespace mp {

enum class FileFormat : uint8_t { Safetensors, Gguf };
const char* file_format_name(FileFormat f);  // "safetensors", "gguf"

// Why a tensor's stored values are not the checkpoint's own and cannot be read back exactly, so it
// must not be compared (the matcher lists it as not compared, with model/exclusion.h's words).
enum class Exclusion : uint8_t {
  None,
  NormPlusOne,          // llama.cpp stores 1 + w for Qwen3-Next/Qwen3.5 RMSNorm weights
  NegExpALog,           // llama.cpp stores -exp(A_log) for Gated DeltaNet's A_log
  QkvzRegrouped,        // Qwen3-Next in_proj_qkvz split into attn_qkv + attn_gate, rows regrouped
  VHeadsRetiled,        // Qwen3.5 linear-attention V heads reordered from grouped to tiled
  ExpertsUnsplittable,  // a fused expert tensor whose shape or size does not cut into experts
};

struct TensorInfo {
  std::string name;
  Dtype dtype;
  std::vector<uint64_t> shape;  // [] = scalar; row-major, the last dimension contiguous (HF order)
  uint64_t begin = 0;           // relative to the data section (file offset = data_start() + begin)
  uint64_t end = 0;
  // llama.cpp's converter reorders the rows of Llama-family q_proj/k_proj within each head
  // (convert_hf_to_gguf.py `permute`): when non-zero, rows come in groups of this many (one head)
  // stored interleaved, and readers map them back to the Hugging Face order (model/gguf_names.h).
  uint64_t permuted_head_rows = 0;
  Exclusion excluded = Exclusion::None;
  uint64_t elements() const;    // product of shape (1 for a scalar)
};

struct Header {
  FileFormat format = FileFormat::Safetensors;
  uint64_t data_offset = 0;  // absolute file offset of the data section
  uint64_t data_start() const { return data_offset; }
  std::vector<TensorInfo> tensors;  // in file order (sorted by begin)
  // safetensors: __metadata__ in JSON order. GGUF: scalar and string keys as text, in file order
  // (arrays, such as the tokenizer's, are summarised as "[N values]").
  std::vector<std::pair<std::string, std::string>> metadata;
  // The value of a metadata key, or nullptr.
  const std::string* find_metadata(const std::string& key) const;
};

}  // namespace mp
