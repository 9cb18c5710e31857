// GGUF layout (ggml docs/gguf.md; the reference reader is gguf_init_from_file_impl in ggml's
// src/gguf.cpp), all little-endian:
//   u32 magic "GGUF", u32 version (2 or 3), u64 tensor_count, u64 kv_count,
//   kv_count x { string key, u32 value_type, value },
//   tensor_count x { string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset },
//   zero padding to general.alignment (u32, default 32, a power of two), then the data section;
//   each tensor's offset is relative to it, and tensors follow each other in info order, each
//   padded to the alignment.
// string = u64 length + UTF-8 bytes (no NUL); value = per value_type, an array = u32 element type +
// u64 count + elements (arrays of arrays allowed by the spec).
// ne[0] is the contiguous dimension: the shape is stored reversed from Hugging Face's, and
// TensorInfo::shape holds it in Hugging Face order (ne[n_dims-1], ..., ne[0]).
// Every count and length is checked against a named cap before anything is allocated, and every
// read against both the bytes given and the file size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "error.h"
#include "format/header.h"

namespace mp {

constexpr uint32_t kGgufMagic = 0x46554747;           // "GGUF" read as a little-endian u32
constexpr uint32_t kGgufMinVersion = 2;               // v1 (32-bit counts) is refused, as ggml does
constexpr uint32_t kGgufMaxVersion = 3;               // v3 = v2 + big-endian support (we read LE)
constexpr uint32_t kGgufDefaultAlignment = 32;        // GGUF_DEFAULT_ALIGNMENT
// Metadata + tensor infos. Real headers are a few MB (a 256k-token vocabulary with scores and
// merges is ~10 MB); the whole header is held in memory, so it is capped.
constexpr uint64_t kMaxGgufHeaderBytes = 64ull << 20;
constexpr uint64_t kMaxGgufTensors = 1u << 20;        // per file
constexpr uint64_t kMaxGgufKeys = 1u << 20;           // metadata key-value pairs per file
constexpr uint64_t kMaxGgufStringBytes = 16u << 20;   // any one string (chat templates are ~10 kB)
constexpr uint64_t kMaxGgufArrayElements = 1u << 24;  // any one array (vocabularies: ~256k)
constexpr unsigned kMaxGgufArrayDepth = 4;            // arrays of arrays, nested at most this deep
constexpr uint64_t kMaxGgufNameBytes = 63;            // GGML_MAX_NAME - 1 (names are NUL-terminated in ggml)
constexpr uint32_t kMaxGgufDims = 4;                  // GGML_MAX_DIMS

// True when the bytes start with the GGUF magic (at least 4 bytes given).
bool is_gguf(const uint8_t* prefix, size_t len);

// Parse and validate a GGUF header from the first `prefix_len` bytes of a file of `file_size`
// bytes. NeedMoreBytes with *needed set (bytes from offset 0, more than prefix_len, at most
// file_size) when the header runs past the bytes given: read that many and call again (`needed`
// is an estimate from the counts read so far, so it may take a further round). Split files are
// each parsed on their own; their split.* keys are checked here and across files by the model.
Result<Header> parse_gguf(const uint8_t* prefix, size_t prefix_len, uint64_t file_size,
                          uint64_t* needed = nullptr);

// The split numbering of llama.cpp's gguf-split in a file name: "name-00002-of-00005.gguf" ->
// {2, 5} (1-based), or nullopt when the name has none.
struct GgufSplitName {
  uint32_t no = 0, count = 0;
};
std::optional<GgufSplitName> parse_gguf_split_name(std::string_view file_name);

}  // namespace mp
