// model.safetensors.index.json reader:
//   {"metadata": {"total_size": <bytes>, ...anything}, "weight_map": {"<tensor>": "<shard file>"}}
// Indexes reach tens of MB (20.6 MB, ~185k tensors, for the FP8 397B per-expert one; capped at
// kMaxIndexBytes). A DOM or simdjson On-Demand parse first indexes every structural character
// (4 bytes each) and keeps a string buffer of 5/3 the input: 6.7x the index in wasm memory, which
// wasm never returns. So the index is read by one forward walk over its bytes (json_cursor.h): tensor
// names stay where they are (views into the kept buffer, 12 bytes a tensor), shard names are
// stored once, and every value, ignored ones included, is checked to the JSON grammar (RFC 8259,
// as simdjson checks it) so malformed JSON anywhere is refused.
#include "format/safetensors_index.h"

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "format/json_cursor.h"
#include "format/name_set.h"
#include "simdjson.h"  // validate_utf8 (no allocation)

namespace mp {

void free_bytes(const uint8_t* p) { std::free(const_cast<uint8_t*>(p)); }
void borrowed_bytes(const uint8_t*) {}

std::string_view ShardIndex::name(size_t i) const {
  const Entry& e = entries_[i];
  if (e.len & kEscaped) return std::string_view(unescaped_).substr(e.offset, e.len & ~kEscaped);
  return std::string_view(reinterpret_cast<const char*>(text_.get()) + e.offset, e.len);
}

namespace {

std::string named(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "'";
}

Error invalid(const std::string& detail) { return make_error(ErrorCode::InvalidIndex, "InvalidIndex: " + detail); }

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

}  // namespace

// The walk over the root, metadata and weight_map (a friend of ShardIndex: it fills the entries).
struct IndexReader {
  JsonCursor w;
  ShardIndex* out;
  std::string scratch;

  Error syntax(std::string_view where, const char* what) const { return invalid(w.syntax_message(where, what)); }

  Error expect_colon(std::string_view where) {
    w.ws();
    if (!w.eat(':')) return syntax(where, "expected ':'");
    w.ws();
    return Error{};
  }

  // After a member: ',' and the next one (true), or the object's '}' (false).
  Result<bool> next_member(std::string_view where) {
    w.ws();
    if (w.eat('}')) return false;
    if (!w.eat(',')) return syntax(where, "expected ',' or '}'");
    w.ws();
    if (w.peek() != '"') return syntax(where, "expected a quoted name");
    return true;
  }

  Error metadata() {
    if (w.peek() != '{') {
      if (!w.skip_value(1)) return syntax("metadata", "not a JSON value");
      return invalid("metadata must be an object");
    }
    w.eat('{');
    w.ws();
    if (w.eat('}')) return Error{};
    if (w.peek() != '"') return syntax("metadata", "expected a quoted name");
    for (;;) {
      JsonString key;
      if (!w.string(&key)) return syntax("metadata", "malformed string");
      if (Error e = expect_colon("metadata"); !e.ok()) return e;
      if (text_of(key, &scratch) != "total_size") {
        if (!w.skip_value(2)) return syntax("metadata", "malformed value");
      } else {
        if (out->has_total_size) return invalid("duplicate metadata.total_size");
        const size_t at = w.offset();
        const char c = w.peek();
        std::string_view tok;
        const bool is_number = (c == '-' || (c >= '0' && c <= '9')) && w.number(&tok);
        if (!is_number) {
          // Not a number: a valid other value is the wrong type, anything else bad JSON.
          if (!w.skip_value(2)) return syntax("metadata", "malformed value");
          std::string_view raw(w.begin() + at, w.offset() - at);
          if (raw.size() > 40) raw = raw.substr(0, 40);
          return invalid("metadata.total_size must be a non-negative integer, got " + std::string(raw));
        }
        uint64_t n = 0;
        if (!size_of(tok, &n)) {
          std::string_view raw = tok.size() > 40 ? tok.substr(0, 40) : tok;
          return invalid("metadata.total_size must be a non-negative integer, got " + std::string(raw));
        }
        out->has_total_size = true;
        out->total_size = n;
      }
      auto more = next_member("metadata");
      if (!more) return more.error();
      if (!more.value()) return Error{};
    }
  }

  // A byte count: an integer below 2^64, or (some writers emit "1.6e10", "16060522496.0") an
  // integral, non-negative float below 2^64.
  static bool size_of(std::string_view tok, uint64_t* n) {
    if (tok.find_first_of("-.eE") == std::string_view::npos) {
      uint64_t v = 0;
      bool fits = true;
      for (char c : tok) {
        const uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) fits = false;
        v = v * 10 + d;
      }
      if (fits) {
        *n = v;
        return true;
      }
    }
    std::string copy(tok);
    const double d = std::strtod(copy.c_str(), nullptr);
    if (!(d >= 0 && d < 18446744073709551616.0 && std::floor(d) == d)) return false;
    *n = static_cast<uint64_t>(d);
    return true;
  }

  Error weight_map(size_t json_len) {
    if (w.peek() != '{') {
      if (!w.skip_value(1)) return syntax("weight_map", "not a JSON value");
      return invalid("weight_map must be an object {tensor: shard file}");
    }
    w.eat('{');
    w.ws();
    if (w.eat('}')) return invalid("weight_map is empty");
    if (w.peek() != '"') return syntax("weight_map", "expected a quoted tensor name");
    // An entry of a real weight_map takes 60-120 bytes of JSON: reserving from the input length
    // saves most of the vector's growth (and its transient double size).
    out->entries_.reserve(json_len / 96);
    std::unordered_map<std::string, uint32_t> shard_ids;
    NameSet names(json_len / 96);
    auto name_of = [&](uint32_t id) { return out->name(id); };
    // Consecutive tensors mostly live in the same shard: the last one skips the lookup.
    std::string last_shard;
    uint32_t last_id = 0;
    std::string shard_scratch;
    for (;;) {
      JsonString key;
      if (!w.string(&key)) return syntax("weight_map", "malformed tensor name");
      ShardIndex::Entry e;
      if (key.escaped) {
        const std::string text = unescape(key.raw);
        e.offset = static_cast<uint32_t>(out->unescaped_.size());
        e.len = static_cast<uint32_t>(text.size()) | ShardIndex::kEscaped;
        out->unescaped_ += text;
      } else {
        e.offset = static_cast<uint32_t>(key.raw.data() - w.begin());
        e.len = static_cast<uint32_t>(key.raw.size());
      }
      const uint32_t id = static_cast<uint32_t>(out->entries_.size());
      out->entries_.push_back(e);
      const std::string_view name = out->name(id);
      // Built only for a message: a string per entry would cost more than the walk.
      auto where = [&] { return "weight_map entry of tensor " + named(name); };
      if (Error err = expect_colon("weight_map"); !err.ok()) return err;
      JsonString value;
      if (w.peek() != '"') {
        if (!w.skip_value(2)) return syntax(where(), "malformed value");
        return invalid(where() + " is not a string");
      }
      if (!w.string(&value)) return syntax(where(), "malformed string");
      if (!names.insert(name, id, name_of)) return invalid("duplicate tensor name " + named(name) + " in weight_map");
      const std::string_view shard = text_of(value, &shard_scratch);
      if (id == 0 || shard != last_shard) {
        auto [it, added] = shard_ids.try_emplace(std::string(shard), static_cast<uint32_t>(out->shards.size()));
        if (added) {
          if (const char* why = unsafe_reason(shard))
            return make_error(ErrorCode::UnsafeShardPath, "UnsafeShardPath: shard " + named(shard) + " of tensor " +
                                                              named(name) + " " + why);
          out->shards.emplace_back(shard);
        }
        last_shard.assign(shard);
        last_id = it->second;
      }
      out->entries_.back().shard = last_id;
      auto more = next_member("weight_map");
      if (!more) return more.error();
      if (!more.value()) return Error{};
    }
  }
};

Result<ShardIndex> parse_index(IndexBytes json, size_t json_len) {
  if (json == nullptr) return make_error(ErrorCode::InvalidArgument, "InvalidArgument: no index bytes");
  if (json_len > kMaxIndexBytes)
    return make_error(ErrorCode::IndexTooLarge, "IndexTooLarge: the index is " + std::to_string(json_len) +
                                                    " bytes; indexes are read up to " +
                                                    std::to_string(kMaxIndexBytes) + " bytes (" +
                                                    std::to_string(kMaxIndexBytes >> 20) + " MiB)");
  const uint8_t* bytes = json.get();
  // Python's json.load (transformers) and serde_json refuse a byte-order mark.
  if (json_len >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
    return invalid("the index starts with a UTF-8 byte-order mark, which is not JSON");
  const char* text = reinterpret_cast<const char*>(bytes);
  if (!simdjson::validate_utf8(text, json_len)) return invalid("the index is not valid UTF-8");

  ShardIndex out;
  out.text_ = std::move(json);
  IndexReader r{JsonCursor(text, json_len), &out, {}};
  JsonCursor& w = r.w;
  w.ws();
  if (w.peek() != '{') {
    if (w.at_end() || !w.skip_value(0)) return r.syntax("", "not a JSON value");
    return invalid("the index is not a JSON object");
  }
  w.eat('{');
  w.ws();
  bool has_metadata = false, has_weight_map = false;
  if (!w.eat('}')) {
    if (w.peek() != '"') return r.syntax("", "expected a quoted name");
    for (;;) {
      JsonString key;
      if (!w.string(&key)) return r.syntax("", "malformed string");
      const std::string name(text_of(key, &r.scratch));
      if (Error e = r.expect_colon(""); !e.ok()) return e;
      if (name == "metadata") {
        if (has_metadata) return invalid("duplicate metadata");
        has_metadata = true;
        if (Error e = r.metadata(); !e.ok()) return e;
      } else if (name == "weight_map") {
        if (has_weight_map) return invalid("duplicate weight_map");
        has_weight_map = true;
        if (Error e = r.weight_map(json_len); !e.ok()) return e;
      } else if (!w.skip_value(1)) {
        return r.syntax(named(name), "malformed value");
      }
      auto more = r.next_member("");
      if (!more) return more.error();
      if (!more.value()) break;
    }
  }
  w.ws();
  if (!w.at_end()) return invalid("trailing content after the index's JSON object");
  if (!has_weight_map) return invalid("no weight_map");
  return out;
}

}  // namespace mp
