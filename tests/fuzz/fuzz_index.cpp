// libFuzzer entry point for the model.safetensors.index.json reader (scripts/fuzz.sh). The input
// is copied into a padded buffer, as the callers do. Besides "never crash", an index that parses
// must hold only safe, unique shard names and in-range shard ids.
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "format/safetensors_index.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(size + 64, 0);  // kJsonPadding (safetensors_header.h)
  if (size) std::memcpy(buf.data(), data, size);
  auto r = mp::parse_index(mp::IndexBytes(buf.data(), mp::borrowed_bytes), size);
  if (!r) return 0;
  if (r->empty() || r->shards.empty()) __builtin_trap();
  std::set<std::string> shards(r->shards.begin(), r->shards.end());
  if (shards.size() != r->shards.size()) __builtin_trap();
  for (const auto& s : r->shards)
    if (s.empty() || s.find("..") != std::string::npos || s[0] == '/' || s[0] == '\\' ||
        s.find("://") != std::string::npos || s.find('\0') != std::string::npos)
      __builtin_trap();
  std::set<std::string> names;
  for (size_t i = 0; i < r->size(); ++i) {
    if (r->shard(i) >= r->shards.size()) __builtin_trap();
    if (!names.insert(std::string(r->name(i))).second) __builtin_trap();
  }
  return 0;
}
