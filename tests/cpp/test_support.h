// Helpers shared by the Catch2 tests: file paths, reading files, writing safetensors in memory.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stats/decode.h"

namespace mp_test {

// F32 values as the stream view the kernels read (the vector outlives the view).
inline mp::StreamView f32_view(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), mp::Dtype::F32, v.size()};
}

std::string shared_dir();       // ../shared (MP_SHARED_DIR, or the env var of that name)
std::string real_models_dir();  // shared_dir() + "/real-models"
std::string fixtures_dir();     // tests/fixtures
bool file_exists(const std::string& path);
std::vector<uint8_t> read_file(const std::string& path);  // empty on failure
// Bytes followed by 64 zero bytes of padding (simdjson reads ahead); size() excludes the padding.
struct Padded {
  std::vector<uint8_t> storage;
  size_t size = 0;
  const uint8_t* data() const { return storage.data(); }
};
Padded padded(const std::vector<uint8_t>& bytes);
Padded padded(const std::string& text);
// The same bytes in a malloc'd, padded buffer, as the page hands an index to the core (which
// keeps it and frees it): for mp::parse_index and Analysis::add_index.
std::unique_ptr<const uint8_t, void (*)(const uint8_t*)> malloc_padded(const std::vector<uint8_t>& bytes);
std::unique_ptr<const uint8_t, void (*)(const uint8_t*)> malloc_padded(const std::string& text);

// A tensor to write: name, dtype string as in safetensors, shape, raw little-endian bytes.
struct RawTensor {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;
};
// A valid safetensors file (header padded with spaces to a multiple of 8, tensors in the given
// order, contiguous). `metadata` goes into __metadata__ when not empty.
std::vector<uint8_t> write_safetensors(const std::vector<RawTensor>& tensors,
                                       const std::vector<std::pair<std::string, std::string>>& metadata = {});

// A golden fixture folder: `expected` from its expected.json ({"file": "ok" | "<ErrorCode name>"})
// and every other file name in the folder, so tests can assert each file is listed (a new
// fixture cannot go untested). `ok` is false when expected.json is missing or malformed.
struct GoldenFolder {
  bool ok = false;
  std::map<std::string, std::string> expected;
  std::vector<std::string> files;
};
GoldenFolder read_golden_folder(const std::string& dir);

// The F32 tensors of a shared/real-models folder's model.safetensors, parsed with the project's
// header parser, by name. Empty when the file is missing or does not parse.
struct RealTensor {
  std::vector<uint64_t> shape;
  std::vector<float> values;
};
using RealModel = std::map<std::string, RealTensor>;
RealModel load_real_model(const std::string& folder);

// Conversions for building tensors.
std::vector<uint8_t> f32_bytes(const std::vector<float>& v);
std::vector<uint8_t> bf16_bytes(const std::vector<float>& v);  // round to nearest even
float bf16_round(float x);                                      // f32 -> bf16 -> f32, RNE
std::vector<float> f32_values(const uint8_t* p, size_t n);      // read little-endian f32

}  // namespace mp_test
