// model.safetensors.index.json: {"metadata": {"total_size": n, ...}, "weight_map": {name: shard}}.
// Shard names are relative to the index's folder; names with "..", a leading "/" or "\", or "://"
// are refused (UnsafeShardPath), as @huggingface/hub does.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace mp {

// The largest index read, in bytes. The largest real indexes are about 25 MB (the FP8 397B
// per-expert index is 20.6 MB); 64 MiB leaves room for growth while refusing a file that would
// cost gigabytes of memory to parse. The JS engine reads this constant through the binding
// (maxIndexBytes) to refuse before downloading.
constexpr size_t kMaxIndexBytes = 64ull << 20;

// The index's bytes and how they are released. A parsed index keeps them: its tensor names are
// views into them (a second copy of every name would cost ~0.6x the index in memory). The page
// hands over the buffer it fetched into (malloc'd, released with free_bytes); a caller that keeps
// the bytes alive itself passes borrowed_bytes.
using IndexBytes = std::unique_ptr<const uint8_t, void (*)(const uint8_t*)>;
void free_bytes(const uint8_t* p);      // std::free: for bytes from malloc (Module._malloc too)
void borrowed_bytes(const uint8_t* p);  // does nothing: the caller owns the bytes

struct IndexReader;

class ShardIndex {
 public:
  ShardIndex() : text_(nullptr, borrowed_bytes) {}

  bool has_total_size = false;
  uint64_t total_size = 0;
  std::vector<std::string> shards;  // unique shard file names, in order of first appearance

  // weight_map, in file order: tensor i's name and the index of its shard in `shards`.
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view name(size_t i) const;
  uint32_t shard(size_t i) const { return entries_[i].shard; }

 private:
  friend Result<ShardIndex> parse_index(IndexBytes json, size_t json_len);
  friend struct IndexReader;
  // 12 bytes a tensor. A name with escapes is unescaped into `unescaped_` (kEscaped set in len).
  struct Entry {
    uint32_t offset = 0;
    uint32_t len = 0;
    uint32_t shard = 0;
  };
  static constexpr uint32_t kEscaped = 1u << 31;
  IndexBytes text_;
  std::string unescaped_;
  std::vector<Entry> entries_;
};

// Refused: over kMaxIndexBytes (IndexTooLarge), a UTF-8 byte-order mark (InvalidIndex: Python's
// json.load, which transformers uses, refuses one too, as the header reader does), any JSON
// syntax error anywhere (InvalidIndex), an unsafe shard name (UnsafeShardPath).
// `json` must stay readable for kJsonPadding bytes past json_len. It is released on every
// outcome; on success the index holds it until the index goes.
Result<ShardIndex> parse_index(IndexBytes json, size_t json_len);

}  // namespace mp
