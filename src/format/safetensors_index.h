// model.safetensors.index.json: {"metadata": {"total_size": n, ...}, "weight_map": {name: shard}}.
// Shard names are relative to the index's folder; names with "..", a leading "/" or "\", or "://"
// are refused (UnsafeShardPath), as @huggingface/hub does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "error.h"

namespace mp {

struct ShardIndex {
  bool has_total_size = false;
  uint64_t total_size = 0;
  std::vector<std::string> shards;  // unique shard file names, in order of first appearance
  std::vector<std::pair<std::string, uint32_t>> weight_map;  // tensor name -> index into shards
};

// `json` must stay readable for kJsonPadding bytes past json_len (no copy is made).
Result<ShardIndex> parse_index(const uint8_t* json, size_t json_len);

}  // namespace mp
