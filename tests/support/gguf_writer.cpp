#include "gguf_writer.h"

#include <cstring>

#include "format/dtype.h"
#include "format/ggml_types.h"

namespace mp_test {

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_string(std::vector<uint8_t>& out, const std::string& s) {
  put_u64(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void GgufWriter::kv(const std::string& key, uint32_t type, const std::vector<uint8_t>& value) {
  put_string(kvs_, key);
  put_u32(kvs_, type);
  kvs_.insert(kvs_.end(), value.begin(), value.end());
  ++n_kv_;
}
void GgufWriter::kv_u32(const std::string& key, uint32_t v) {
  std::vector<uint8_t> b;
  put_u32(b, v);
  kv(key, kGgufU32, b);
}
void GgufWriter::kv_u16(const std::string& key, uint16_t v) {
  kv(key, kGgufU16, {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)});
}
void GgufWriter::kv_i32(const std::string& key, int32_t v) {
  std::vector<uint8_t> b;
  put_u32(b, static_cast<uint32_t>(v));
  kv(key, kGgufI32, b);
}
void GgufWriter::kv_f32(const std::string& key, float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  std::vector<uint8_t> b;
  put_u32(b, u);
  kv(key, kGgufF32, b);
}
void GgufWriter::kv_string(const std::string& key, const std::string& v) {
  std::vector<uint8_t> b;
  put_string(b, v);
  kv(key, kGgufString, b);
}
void GgufWriter::kv_strings(const std::string& key, const std::vector<std::string>& v) {
  std::vector<uint8_t> b;
  put_u32(b, kGgufString);
  put_u64(b, v.size());
  for (const auto& s : v) put_string(b, s);
  kv(key, kGgufArray, b);
}

std::vector<uint8_t> GgufWriter::bytes() const {
  std::vector<uint8_t> out;
  put_u32(out, magic);
  put_u32(out, version);
  put_u64(out, tensor_count.value_or(tensors_.size()));
  put_u64(out, kv_count.value_or(n_kv_));
  out.insert(out.end(), kvs_.begin(), kvs_.end());
  auto pad = [this](uint64_t x) { return (x + alignment - 1) / alignment * alignment; };
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    put_string(out, t.name);
    put_u32(out, static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) put_u64(out, d);
    put_u32(out, t.type);
    put_u64(out, t.offset.value_or(offset));
    offset = pad(offset + t.data.size());
  }
  if (!tensors_.empty()) out.resize(pad(out.size()), 0);
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const auto& t = tensors_[i];
    out.insert(out.end(), t.data.begin(), t.data.end());
    if (i + 1 < tensors_.size() || pad_data_end) out.resize(pad(out.size()), 0);
  }
  return out;
}

std::vector<uint8_t> zero_tensor_bytes(uint32_t type, uint64_t elements) {
  auto d = mp::ggml_type_dtype(type);
  if (!d) return {};
  return std::vector<uint8_t>(mp::dtype_span_bytes(*d, elements), 0);
}

}  // namespace mp_test
