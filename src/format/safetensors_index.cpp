// model.safetensors.index.json reader:
//   {"metadata": {"total_size": <bytes>, ...anything}, "weight_map": {"<tensor>": "<shard file>"}}
// Indexes reach tens of MB (20.6 MB, ~185k tensors, for the FP8 397B per-expert one; capped at
// kMaxIndexBytes). A DOM or simdjson On-Demand parse first indexes every structural character
// (4 bytes each) and keeps a string buffer of 5/3 the input: 6.7x the index in wasm memory, which
// wasm never returns. So the index is read by one forward walk over its bytes instead: tensor
// names stay where they are (views into the kept buffer, 12 bytes a tensor), shard names are
// stored once, and every value, ignored ones included, is checked to the JSON grammar (RFC 8259,
// as simdjson checks it) so malformed JSON anywhere is refused.
#include "format/safetensors_index.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "format/json_walk.h"  // kMaxJsonDepth
#include "simdjson.h"          // validate_utf8 (no allocation)

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

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A string token: the bytes between its quotes, and whether it holds escapes.
struct Str {
  std::string_view raw;
  bool escaped = false;
};

// The forward walk. `p_` only moves forward; every read is checked against `end_`.
class Walker {
 public:
  Walker(const char* text, size_t len) : begin_(text), p_(text), end_(text + len) {}

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ >= end_; }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  bool eat(char c) {
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  const char* begin() const { return begin_; }

  // A syntax error at the current byte, naming where in the index it is.
  Error syntax(std::string_view where, const char* what) const {
    std::string msg = "invalid JSON";
    if (!where.empty()) msg += " in " + std::string(where);
    msg += " at byte " + std::to_string(offset()) + " (";
    msg += at_end() ? "unexpected end of the index" : what;
    return invalid(msg + ")");
  }

  // At '"': walks the string to its closing quote, checking escapes (surrogates pair up, as
  // simdjson requires) and that no control character is unescaped.
  bool string(Str* out) {
    if (!eat('"')) return false;
    const char* start = p_;
    bool escaped = false;
    for (;;) {
      // The common case: plain bytes up to the closing quote.
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
      if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
      if (*p_ == '"') break;
      escaped = true;
      ++p_;  // the backslash
      if (p_ >= end_) return false;
      const char c = *p_++;
      if (c == 'u') {
        uint32_t cp = 0;
        if (!hex4(&cp)) return false;
        if (cp >= 0xD800 && cp < 0xDC00) {
          uint32_t lo = 0;
          if (!eat('\\') || !eat('u') || !hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;  // a low surrogate with no high one before it
        }
      } else if (!std::strchr("\"\\/bfnrt", c) || c == '\0') {
        return false;
      }
    }
    out->raw = std::string_view(start, static_cast<size_t>(p_ - start));
    out->escaped = escaped;
    ++p_;  // the closing quote
    return true;
  }

  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; false if malformed.
  bool number(std::string_view* tok) {
    const char* start = p_;
    eat('-');
    if (eat('0')) {
    } else if (digits() == 0) {
      return false;
    }
    if (eat('.') && digits() == 0) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++p_;
      if (!eat('+')) eat('-');
      if (digits() == 0) return false;
    }
    *tok = std::string_view(start, static_cast<size_t>(p_ - start));
    return true;
  }

  // Any JSON value, checked and skipped. `depth` counts the containers around it.
  bool skip_value(int depth) {
    if (depth > kMaxJsonDepth) return false;
    const char c = peek();
    if (c == '"') {
      Str s;
      return string(&s);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++p_;
      ws();
      if (eat(close)) return true;
      for (;;) {
        if (c == '{') {
          Str key;
          if (!string(&key)) return false;
          ws();
          if (!eat(':')) return false;
          ws();
        }
        if (!skip_value(depth + 1)) return false;
        ws();
        if (eat(close)) return true;
        if (!eat(',')) return false;
        ws();
      }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::string_view tok;
      return number(&tok) && finite(tok);
    }
    return atom("true") || atom("false") || atom("null");
  }

  // A number simdjson would refuse for being out of a double's range (1e400) is refused too.
  static bool finite(std::string_view tok) {
    if (tok.find_first_of(".eE") == std::string_view::npos && tok.size() < 300) return true;
    std::string copy(tok);
    return std::isfinite(std::strtod(copy.c_str(), nullptr));
  }

 private:
  bool hex4(uint32_t* cp) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = hex_digit(p_[i]);
      if (d < 0) return false;
      v = v * 16 + static_cast<uint32_t>(d);
    }
    p_ += 4;
    *cp = v;
    return true;
  }
  size_t digits() {
    const char* s = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return static_cast<size_t>(p_ - s);
  }
  bool atom(const char* word) {
    const size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
};

// The text of a string token with its escapes resolved (the walk has checked them).
std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    const char c = raw[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto hex = [&](size_t at) {
          uint32_t v = 0;
          for (size_t k = 0; k < 4; ++k) v = v * 16 + static_cast<uint32_t>(hex_digit(raw[at + k]));
          return v;
        };
        uint32_t cp = hex(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00) {
          const uint32_t lo = hex(i + 3);  // "\uDC00": the walk checked it is there
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
        append_utf8(&out, cp);
        break;
      }
      default: out.push_back(c);  // " \ /
    }
  }
  return out;
}

// A string token's text, unescaped into `scratch` only when it holds escapes.
std::string_view text_of(const Str& s, std::string* scratch) {
  if (!s.escaped) return s.raw;
  *scratch = unescape(s.raw);
  return *scratch;
}

// A set of tensor names for the duplicate check. An index near the cap has half a million
// names, so the set does not fit in cache and each probe is a miss: open addressing over 8-byte
// slots (32 bits of hash, the entry's id) makes that one miss per name, and names (read back
// from the index) are only compared when the hashes match.
class NameSet {
 public:
  // Sized for `expected` names up front: growing holds the old table and the new one at once.
  explicit NameSet(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }
  // False when `name` is already in the set; else remembers it as entry `id`.
  template <typename NameOf>
  bool insert(std::string_view name, uint32_t id, const NameOf& name_of) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const uint64_t h = std::hash<std::string_view>{}(name);
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{tag, id, static_cast<uint32_t>(h)};
        ++count_;
        return true;
      }
      if (s.tag == tag && s.low == static_cast<uint32_t>(h) && name_of(s.id) == name) return false;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint32_t tag = 0;
    uint32_t id = kEmpty;
    uint32_t low = 0;  // the hash's low half, to re-place the slot when the table grows
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.low & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace

// The walk over the root, metadata and weight_map (a friend of ShardIndex: it fills the entries).
struct IndexReader {
  Walker w;
  ShardIndex* out;
  std::string scratch;

  Error expect_colon(std::string_view where) {
    w.ws();
    if (!w.eat(':')) return w.syntax(where, "expected ':'");
    w.ws();
    return Error{};
  }

  // After a member: ',' and the next one (true), or the object's '}' (false).
  Result<bool> next_member(std::string_view where) {
    w.ws();
    if (w.eat('}')) return false;
    if (!w.eat(',')) return w.syntax(where, "expected ',' or '}'");
    w.ws();
    if (w.peek() != '"') return w.syntax(where, "expected a quoted name");
    return true;
  }

  Error metadata() {
    if (w.peek() != '{') {
      if (!w.skip_value(1)) return w.syntax("metadata", "not a JSON value");
      return invalid("metadata must be an object");
    }
    w.eat('{');
    w.ws();
    if (w.eat('}')) return Error{};
    if (w.peek() != '"') return w.syntax("metadata", "expected a quoted name");
    for (;;) {
      Str key;
      if (!w.string(&key)) return w.syntax("metadata", "malformed string");
      if (Error e = expect_colon("metadata"); !e.ok()) return e;
      if (text_of(key, &scratch) != "total_size") {
        if (!w.skip_value(2)) return w.syntax("metadata", "malformed value");
      } else {
        if (out->has_total_size) return invalid("duplicate metadata.total_size");
        const size_t at = w.offset();
        const char c = w.peek();
        std::string_view tok;
        const bool is_number = (c == '-' || (c >= '0' && c <= '9')) && w.number(&tok);
        if (!is_number) {
          // Not a number: a valid other value is the wrong type, anything else bad JSON.
          if (!w.skip_value(2)) return w.syntax("metadata", "malformed value");
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
      if (!w.skip_value(1)) return w.syntax("weight_map", "not a JSON value");
      return invalid("weight_map must be an object {tensor: shard file}");
    }
    w.eat('{');
    w.ws();
    if (w.eat('}')) return invalid("weight_map is empty");
    if (w.peek() != '"') return w.syntax("weight_map", "expected a quoted tensor name");
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
      Str key;
      if (!w.string(&key)) return w.syntax("weight_map", "malformed tensor name");
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
      Str value;
      if (w.peek() != '"') {
        if (!w.skip_value(2)) return w.syntax(where(), "malformed value");
        return invalid(where() + " is not a string");
      }
      if (!w.string(&value)) return w.syntax(where(), "malformed string");
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
  IndexReader r{Walker(text, json_len), &out, {}};
  Walker& w = r.w;
  w.ws();
  if (w.peek() != '{') {
    if (w.at_end() || !w.skip_value(0)) return w.syntax("", "not a JSON value");
    return invalid("the index is not a JSON object");
  }
  w.eat('{');
  w.ws();
  bool has_metadata = false, has_weight_map = false;
  if (!w.eat('}')) {
    if (w.peek() != '"') return w.syntax("", "expected a quoted name");
    for (;;) {
      Str key;
      if (!w.string(&key)) return w.syntax("", "malformed string");
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
        return w.syntax(named(name), "malformed value");
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
