#include "format/header.h"

namespace mp {

const char* file_format_name(FileFormat f) { return f == FileFormat::Gguf ? "gguf" : "safetensors"; }

uint64_t TensorInfo::elements() const {
  uint64_t n = 1;
  for (uint64_t dim : shape)
    if (__builtin_mul_overflow(n, dim, &n)) return UINT64_MAX;  // only for unvalidated infos
  return n;
}

const std::string* Header::find_metadata(const std::string& key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace mp
