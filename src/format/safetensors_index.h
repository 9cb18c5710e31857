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

// The largest index read, in bytes. The largest real indexes are about 25 MB (the FP8 397B
// per-expert index is 20.6 MB); 64 MiB leaves room for growth while refusing a file that would
// cost gigabytes of memory to parse (a 300 MB index took 935 MB RSS). The JS engine reads this
// constant through the binding (maxIndexBytes) to refuse before downloading.
constexpr size_t kMaxIndexBytes = 64ull << 20;

struct ShardIndex {
  bool has_total_size = false;
  uint64_t total_size = 0;
  std::vector<std::string> shards;  // unique shard file names, in order of first appearance
  std::vector<std::pair<std::string, uint32_t>> weight_map;  // tensor name -> index into shards
};

// Refused: over kMaxIndexBytes (IndexTooLarge), a UTF-8 byte-order mark (InvalidIndex: Python's
// json.load, which transformers uses, refuses one too, as the header reader does).
// `json` must stay readable for kJsonPadding bytes past json_len (no copy is made).
Result<ShardIndex> parse_index(const uint8_t* json, size_t json_len);

}  // namespace mp
