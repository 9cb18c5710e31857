// What the rest of the core knows of a weights file, whichever format it came in: its tensors
// (name, dtype, shape in Hugging Face order, where the bytes are) and its metadata. Filled by
// parse_header (safetensors_header.h) and parse_gguf (gguf.h).
// All offsets are uint64_t: wasm32's size_t is 32 bits and shards pass 4 GiB.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
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

// A tensor's dims, Hugging Face order. Up to kInline dims are held inside (norms, biases and the
// 2-D projections that make up nearly every tensor); more (3-D fused experts and convolutions,
// 5-D vision convolutions) go to the heap. A parsed header holds every tensor of a model (557k in
// a 397B FP8 trio), where a heap vector per shape cost 36 bytes each in wasm32 and this costs 24.
class Shape {
 public:
  static constexpr uint32_t kInline = 2;
  Shape() = default;
  Shape(std::initializer_list<uint64_t> dims);
  Shape(const std::vector<uint64_t>& dims);  // NOLINT: implicit, so shapes read as vectors do
  Shape(const Shape& o);
  Shape(Shape&& o) noexcept;
  Shape& operator=(const Shape& o);
  Shape& operator=(Shape&& o) noexcept;
  ~Shape();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uint64_t* data() const { return size_ > kInline ? heap_ : inline_; }
  uint64_t* data() { return size_ > kInline ? heap_ : inline_; }
  const uint64_t* begin() const { return data(); }
  const uint64_t* end() const { return data() + size_; }
  uint64_t operator[](size_t i) const { return data()[i]; }
  uint64_t& operator[](size_t i) { return data()[i]; }
  uint64_t back() const { return data()[size_ - 1]; }
  void push_back(uint64_t d);
  std::vector<uint64_t> vec() const { return {begin(), end()}; }
  std::string str() const;  // "[2,3]", as messages and the report write shapes
  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  void assign(const uint64_t* dims, size_t n);
  union {
    uint64_t inline_[kInline] = {};
    uint64_t* heap_;  // when size_ > kInline, with room for cap_ dims
  };
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

struct TensorInfo {
  // The name lies in its Header's `names` (read it with Header::name): one buffer per header
  // rather than a string per tensor.
  uint32_t name_at = 0;
  uint32_t name_size = 0;
  Dtype dtype;
  // llama.cpp's converter reorders the rows of Llama-family q_proj/k_proj within each head
  // (convert_hf_to_gguf.py `permute`): when non-zero, rows come in groups of this many (one head)
  // stored interleaved, and readers map them back to the Hugging Face order (model/gguf_names.h).
  uint32_t permuted_head_rows = 0;
  Exclusion excluded = Exclusion::None;  // in the padding after dtype and permuted_head_rows
  Shape shape;                  // [] = scalar; row-major, the last dimension contiguous (HF order)
  uint64_t begin = 0;           // relative to the data section (file offset = data_start() + begin)
  uint64_t end = 0;
  uint64_t elements() const;    // product of shape (1 for a scalar)
};

struct Header {
  FileFormat format = FileFormat::Safetensors;
  uint64_t data_offset = 0;  // absolute file offset of the data section
  uint64_t data_start() const { return data_offset; }
  std::vector<TensorInfo> tensors;  // in file order (sorted by begin)
  // Every tensor's name, back to back (TensorInfo::name_at/name_size). A vector, not a string: its
  // bytes stay in place when the header moves, so views of names survive moving models around.
  std::vector<char> names;
  std::string_view name(const TensorInfo& t) const { return {names.data() + t.name_at, t.name_size}; }
  std::string_view name(size_t i) const { return name(tensors[i]); }
  // Appends `t` under `name` (what parsers and tests use to build a header).
  void add_tensor(std::string_view name, TensorInfo t);
  // Gives tensor i another name. The old bytes stay unused: only GGUF files are renamed (each of
  // their tensors once, to its Hugging Face name), and a GGUF header holds thousands of tensors,
  // not the hundreds of thousands of a sharded safetensors trio.
  void rename(size_t i, std::string_view name);
  // safetensors: __metadata__ in JSON order. GGUF: scalar and string keys as text, in file order
  // (arrays, such as the tokenizer's, are summarised as "[N values]").
  std::vector<std::pair<std::string, std::string>> metadata;
  // The value of a metadata key, or nullptr.
  const std::string* find_metadata(const std::string& key) const;
};

}  // namespace mp
