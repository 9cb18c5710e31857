// model.safetensors.index.json reader:
//   {"metadata": {"total_size": <bytes>, ...anything}, "weight_map": {"<tensor>": "<shard file>"}}
// Indexes reach tens of MB (20.6 MB, ~200k tensors, for the FP8 397B per-expert one; capped at
// kMaxIndexBytes), so the JSON is read in place with simdjson
// On-Demand and shard names are deduplicated through views into the parser's string buffer:
// each shard name is copied once, each tensor name once. Every value, ignored ones included, is
// walked to its end so malformed JSON anywhere is refused.
#include "format/safetensors_index.h"

#include <cmath>
#include <functional>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "format/safetensors_header.h"  // kJsonPadding
#include "format/json_walk.h"
#include "simdjson.h"

namespace mp {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;


std::string named(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "'";
}

Error invalid(const std::string& detail) { return make_error(ErrorCode::InvalidIndex, "InvalidIndex: " + detail); }

Error json_error(error_code e, const std::string& where) {
  return invalid("invalid JSON" + (where.empty() ? std::string() : " in " + where) + " (" +
                 simdjson::error_message(e) + ")");
}


// Why a shard name is unsafe, or nullptr. Names are relative to the index's folder; anything
// that could climb out of it, name another host or hide a NUL is refused.
const char* unsafe_reason(std::string_view shard) {
  if (shard.empty()) return "is empty";
  if (shard.find('\0') != std::string_view::npos) return "contains a NUL byte";
  if (shard.front() == '/' || shard.front() == '\\') return "starts with a path separator";
  if (shard.find("..") != std::string_view::npos) return "contains '..'";
  if (shard.find("://") != std::string_view::npos) return "contains '://'";
  return nullptr;
}

Error parse_metadata(od::value value, ShardIndex* out) {
  od::object obj;
  if (auto e = value.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return invalid("metadata must be an object");
    return json_error(e, "metadata");
  }
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, "metadata");
    std::string_view key;
    if (auto e = field.unescaped_key(false).get(key)) return json_error(e, "metadata");
    if (key != "total_size") {
      if (auto e = consume_value(field.value(), 2)) return json_error(e, "metadata");
      continue;
    }
    if (out->has_total_size) return invalid("duplicate metadata.total_size");
    od::value v = field.value();
    std::string_view raw = v.raw_json_token();
    uint64_t n = 0;
    error_code e = v.get_uint64().get(n);
    if (e == simdjson::INCORRECT_TYPE) {
      // Some writers emit the size as a float ("1.6e10", "16060522496.0"); an integral,
      // non-negative value below 2^64 is still a byte count.
      double d = 0;
      if (v.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d < 18446744073709551616.0 &&
          std::floor(d) == d) {
        n = static_cast<uint64_t>(d);
        e = simdjson::SUCCESS;
      }
    }
    if (e) {
      if (raw.size() > 40) raw = raw.substr(0, 40);
      return invalid("metadata.total_size must be a non-negative integer, got " + std::string(raw));
    }
    out->has_total_size = true;
    out->total_size = n;
  }
  return Error{};
}

// A set of names for the duplicate check. An index near the cap has half a million names, so the set
// does not fit in cache and each probe is a miss: open addressing over stored hashes makes that
// one miss per name (std::unordered_set takes a bucket, a node and the key), and names are only
// compared when their hashes match.
class NameSet {
 public:
  explicit NameSet(size_t expected) {
    size_t cap = 64;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }
  // False when `name` is already in the set. The view must outlive the set.
  bool insert(std::string_view name) {
    if ((names_.size() + 1) * 2 > slots_.size()) grow();
    const uint64_t h = std::hash<std::string_view>{}(name);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{h, static_cast<uint32_t>(names_.size())};
        names_.push_back(name);
        return true;
      }
      if (s.hash == h && names_[s.id] == name) return false;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t id = kEmpty;
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<std::string_view> names_;
};

// An entry of a real weight_map takes 60-120 bytes of JSON: sizing the set from the input length
// saves most of its growth.
constexpr size_t kMinBytesPerEntry = 64;

Error parse_weight_map(od::value value, size_t json_len, ShardIndex* out) {
  od::object obj;
  if (auto e = value.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return invalid("weight_map must be an object {tensor: shard file}");
    return json_error(e, "weight_map");
  }
  // Views into the parser's string buffer: valid until the parser goes, which is after us.
  std::unordered_map<std::string_view, uint32_t> shard_ids;
  NameSet names(json_len / kMinBytesPerEntry);
  // Consecutive tensors mostly live in the same shard: remember the last one to skip the lookup.
  std::string_view last_shard;
  uint32_t last_id = 0;
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, "weight_map");
    std::string_view name;
    if (auto e = field.unescaped_key(false).get(name)) return json_error(e, "weight_map");
    std::string_view shard;
    if (auto e = field.value().get_string().get(shard)) {
      if (e == simdjson::INCORRECT_TYPE)
        return invalid("weight_map entry of tensor " + named(name) + " is not a string");
      return json_error(e, "weight_map entry of tensor " + named(name));
    }
    if (!names.insert(name))
      return invalid("duplicate tensor name " + named(name) + " in weight_map");
    if (out->weight_map.empty() || shard != last_shard) {
      auto [it, added] = shard_ids.try_emplace(shard, static_cast<uint32_t>(out->shards.size()));
      if (added) {
        if (const char* why = unsafe_reason(shard))
          return make_error(ErrorCode::UnsafeShardPath, "UnsafeShardPath: shard " + named(shard) +
                                                            " of tensor " + named(name) + " " + why);
        out->shards.emplace_back(shard);
      }
      last_shard = shard;
      last_id = it->second;
    }
    out->weight_map.emplace_back(std::string(name), last_id);
  }
  if (out->weight_map.empty()) return invalid("weight_map is empty");
  return Error{};
}

}  // namespace

Result<ShardIndex> parse_index(const uint8_t* json, size_t json_len) {
  if (json == nullptr) return make_error(ErrorCode::InvalidArgument, "InvalidArgument: no index bytes");
  if (json_len > kMaxIndexBytes)
    return make_error(ErrorCode::IndexTooLarge, "IndexTooLarge: the index is " + std::to_string(json_len) +
                                                    " bytes; indexes are read up to " +
                                                    std::to_string(kMaxIndexBytes) + " bytes (" +
                                                    std::to_string(kMaxIndexBytes >> 20) + " MiB)");
  // simdjson skips a byte-order mark; Python's json.load (transformers) and serde_json refuse it.
  if (json_len >= 3 && json[0] == 0xEF && json[1] == 0xBB && json[2] == 0xBF)
    return invalid("the index starts with a UTF-8 byte-order mark, which is not JSON");
  const char* text = reinterpret_cast<const char*>(json);
  if (!simdjson::validate_utf8(text, json_len)) return invalid("the index is not valid UTF-8");

  od::parser parser;
  simdjson::padded_string_view view(text, json_len, json_len + kJsonPadding);
  od::document doc;
  if (auto e = parser.iterate(view).get(doc)) return json_error(e, "");
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) return invalid("the index is not a JSON object");
    return json_error(e, "");
  }
  ShardIndex out;
  bool has_metadata = false, has_weight_map = false;
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, "");
    std::string_view key;
    if (auto e = field.unescaped_key(false).get(key)) return json_error(e, "");
    if (key == "metadata") {
      if (has_metadata) return invalid("duplicate metadata");
      has_metadata = true;
      if (Error err = parse_metadata(field.value(), &out); !err.ok()) return err;
    } else if (key == "weight_map") {
      if (has_weight_map) return invalid("duplicate weight_map");
      has_weight_map = true;
      if (Error err = parse_weight_map(field.value(), json_len, &out); !err.ok()) return err;
    } else if (auto e = consume_value(field.value(), 1)) {
      return json_error(e, named(key));
    }
  }
  if (!doc.at_end()) return invalid("trailing content after the index's JSON object");
  if (!has_weight_map) return invalid("no weight_map");
  return out;
}

}  // namespace mp
