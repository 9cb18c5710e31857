// A model as the core sees it: its safetensors files (one, or the shards of an index) with their
// parsed headers. Filled by Analysis::add_file / add_index.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/safetensors_header.h"

namespace mp {

struct ModelFile {
  std::string name;    // path relative to the repo root, e.g. "model-00001-of-00002.safetensors"
  uint64_t size = 0;   // total file size in bytes
  Header header;
};

struct TensorRef {
  uint32_t file = 0;    // index into Model::files
  uint32_t tensor = 0;  // index into files[file].header.tensors
};

struct Model {
  std::vector<ModelFile> files;
  const TensorInfo& tensor(const TensorRef& r) const { return files[r.file].header.tensors[r.tensor]; }
  std::string_view name(const TensorRef& r) const { return files[r.file].header.name(r.tensor); }
};

}  // namespace mp
