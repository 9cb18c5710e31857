// A small GGUF writer for the C++ tests (layout in src/format/gguf.h): valid files by default,
// and knobs to break exactly one rule at a time for the invalid-file fixtures.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mp_test {

// GGUF metadata value types (enum gguf_type).
enum GgufType : uint32_t {
  kGgufU8 = 0, kGgufI8, kGgufU16, kGgufI16, kGgufU32, kGgufI32, kGgufF32, kGgufBool,
  kGgufString, kGgufArray, kGgufU64, kGgufI64, kGgufF64,
};

struct GgufTensorSpec {
  std::string name;
  std::vector<uint64_t> ne;       // ggml order: ne[0] is the contiguous dimension
  uint32_t type = 0;              // ggml type id
  std::vector<uint8_t> data;      // the tensor's bytes
  std::optional<uint64_t> offset; // override the offset written (default: the right one)
};

class GgufWriter {
 public:
  uint32_t magic = 0x46554747;
  uint32_t version = 3;
  std::optional<uint64_t> tensor_count, kv_count;  // override the counts written
  uint64_t alignment = 32;                         // used for padding (write general.alignment yourself)
  bool pad_data_end = true;                        // pad after the last tensor, as gguf-py does

  // Keys: `value` is the encoded value (after the type), see the helpers below.
  void kv(const std::string& key, uint32_t type, const std::vector<uint8_t>& value);
  void kv_u32(const std::string& key, uint32_t v);
  void kv_u16(const std::string& key, uint16_t v);
  void kv_i32(const std::string& key, int32_t v);
  void kv_f32(const std::string& key, float v);
  void kv_string(const std::string& key, const std::string& v);
  void kv_strings(const std::string& key, const std::vector<std::string>& v);  // array of strings
  void tensor(GgufTensorSpec t) { tensors_.push_back(std::move(t)); }

  std::vector<uint8_t> bytes() const;

 private:
  std::vector<uint8_t> kvs_;
  uint64_t n_kv_ = 0;
  std::vector<GgufTensorSpec> tensors_;
};

// Encodings for GgufWriter::kv.
void put_u32(std::vector<uint8_t>& out, uint32_t v);
void put_u64(std::vector<uint8_t>& out, uint64_t v);
void put_string(std::vector<uint8_t>& out, const std::string& s);  // u64 length + bytes

// Bytes of n elements of a ggml type with every block filled the same way (tests of layout only).
std::vector<uint8_t> zero_tensor_bytes(uint32_t type, uint64_t elements);

}  // namespace mp_test
