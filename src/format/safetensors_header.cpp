// safetensors header reader. Checks follow the reference reader (huggingface/safetensors
// `read_metadata` then `Metadata::validate`, spec section 4) in its order, so a file is refused
// with the same code the Rust reader would give:
//   1 HeaderTooSmall  2 HeaderTooLarge  3 InvalidHeaderLength  4 InvalidHeader (UTF-8)
//   5 InvalidHeaderDeserialization (JSON, schema, dtype, duplicates)
//   6-7 per tensor in data_offsets order: InvalidOffset, ValidationOverflow, MisalignedSlice,
//       TensorInvalidInfo   8 MetadataIncompleteBuffer
// The JSON is parsed in place with simdjson On-Demand from the caller's padded buffer (no copy).
// On-Demand skips what it is not asked for, so every value, ignored ones included, is walked to
// the end: malformed JSON anywhere in the header is refused, as serde_json refuses it.
#include "format/safetensors_header.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>
#include <unordered_set>

#include "format/json_walk.h"
#include "simdjson.h"

namespace mp {

static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING,
              "callers pad with kJsonPadding; simdjson reads that far past the JSON");

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

constexpr uint64_t kLengthPrefix = 8;  // bytes 0-7: N as u64 little-endian
// The Rust reader takes shapes of any length. Real tensors have under 10 dims; a 100 MB header of
// "[1,1,1,..." would make one 400 MB vector (a wasm heap can not give that back), so we stop here.
constexpr size_t kMaxDims = 1024;

uint64_t read_u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Names go into messages; a hostile header can make them huge, so cut them.
std::string named(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  if (s.size() > kMax) {
    out.append(s.substr(0, kMax));
    out += "...";
  } else {
    out.append(s);
  }
  return out + "'";
}

Error fail(ErrorCode code, const std::string& detail) {
  return make_error(code, std::string(error_code_name(code)) + ": " + detail);
}

Error deser(const std::string& detail) { return fail(ErrorCode::InvalidHeaderDeserialization, detail); }

Error json_error(error_code e, const std::string& where) {
  return deser("invalid JSON" + (where.empty() ? std::string() : " in " + where) + " (" +
               simdjson::error_message(e) + ")");
}


// The token as written, for messages ("-1", "2.5"), cut short.
std::string token_text(std::string_view raw) {
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                          raw.back() == '\t'))
    raw.remove_suffix(1);
  if (raw.size() > 40) return std::string(raw.substr(0, 40)) + "...";
  return std::string(raw);
}

// A usize of the Rust reader: a JSON integer in [0, 2^64). Floats, negatives, strings and
// integers past 64 bits are refused (serde refuses them for usize too).
// `who` and `what` name the value in messages; they are only built into a string on failure.
Error read_usize(od::value v, std::string_view who, const char* what, uint64_t* out) {
  std::string_view raw = v.raw_json_token();  // a view: costs nothing unless we fail
  error_code e = v.get_uint64().get(*out);
  if (!e) return Error{};
  const std::string where = "tensor " + named(who) + ": " + what;
  if (e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE ||
      e == simdjson::BIGINT_ERROR || e == simdjson::NUMBER_ERROR)
    return deser(where + " must be a non-negative integer below 2^64, got " + token_text(raw));
  return json_error(e, where);
}

Error parse_tensor_info(std::string_view name, od::value value, TensorInfo* t) {
  // Built per failure, not per tensor: a 397B model has 184k tensors and no failure.
  auto who = [name] { return "tensor " + named(name); };
  od::object obj;
  if (auto e = value.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return deser(who() + " is not an object {dtype, shape, data_offsets}");
    return json_error(e, who());
  }
  bool has_dtype = false, has_shape = false, has_offsets = false;
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, who());
    std::string_view key;
    if (auto e = field.unescaped_key(false).get(key)) return json_error(e, who());
    od::value v = field.value();
    if (key == "dtype") {
      if (has_dtype) return deser(who() + ": duplicate field `dtype`");
      has_dtype = true;
      std::string_view s;
      if (auto e = v.get_string().get(s)) {
        if (e == simdjson::INCORRECT_TYPE) return deser(who() + ": dtype must be a string");
        return json_error(e, who());
      }
      auto d = parse_dtype(s);
      if (!d) return deser(who() + ": unknown dtype " + named(s));
      t->dtype = *d;
    } else if (key == "shape") {
      if (has_shape) return deser(who() + ": duplicate field `shape`");
      has_shape = true;
      od::array arr;
      if (auto e = v.get_array().get(arr)) {
        if (e == simdjson::INCORRECT_TYPE) return deser(who() + ": shape must be an array of integers");
        return json_error(e, who());
      }
      for (auto element : arr) {
        od::value ev;
        if (auto e = std::move(element).get(ev)) return json_error(e, who());
        if (t->shape.size() == kMaxDims)
          return deser(who() + ": shape has more than " + std::to_string(kMaxDims) + " dims");
        uint64_t dim = 0;
        if (Error err = read_usize(ev, name, "shape dim", &dim); !err.ok()) return err;
        t->shape.push_back(dim);
      }
    } else if (key == "data_offsets") {
      if (has_offsets) return deser(who() + ": duplicate field `data_offsets`");
      has_offsets = true;
      od::array arr;
      if (auto e = v.get_array().get(arr)) {
        if (e == simdjson::INCORRECT_TYPE) return deser(who() + ": data_offsets must be an array [begin, end]");
        return json_error(e, who());
      }
      size_t count = 0;
      for (auto element : arr) {
        od::value ev;
        if (auto e = std::move(element).get(ev)) return json_error(e, who());
        if (count >= 2) return deser(who() + ": data_offsets must hold exactly two integers, got more");
        uint64_t x = 0;
        if (Error err = read_usize(ev, name, "data_offsets entry", &x); !err.ok()) return err;
        (count == 0 ? t->begin : t->end) = x;
        ++count;
      }
      if (count != 2)
        return deser(who() + ": data_offsets must hold exactly two integers, got " + std::to_string(count));
    } else {
      // serde ignores unknown fields of TensorInfo; their JSON must still be valid.
      if (auto e = consume_value(v, 2)) return json_error(e, who());
    }
  }
  if (!has_dtype) return deser(who() + ": missing field `dtype`");
  if (!has_shape) return deser(who() + ": missing field `shape`");
  if (!has_offsets) return deser(who() + ": missing field `data_offsets`");
  return Error{};
}

Error parse_metadata(od::value value, Header* h) {
  // serde reads `__metadata__` as Option<HashMap<String, String>>: null means none.
  bool is_null = false;
  if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) return Error{};
  od::object obj;
  if (auto e = value.get_object().get(obj)) {
    if (e == simdjson::INCORRECT_TYPE) return deser("__metadata__ must be an object of strings");
    return json_error(e, "__metadata__");
  }
  std::unordered_set<std::string_view> seen;  // views into the parser's string buffer
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, "__metadata__");
    std::string_view key;
    if (auto e = field.unescaped_key(false).get(key)) return json_error(e, "__metadata__");
    if (!seen.insert(key).second) return deser("duplicate __metadata__ key " + named(key));
    std::string_view s;
    if (auto e = field.value().get_string().get(s)) {
      if (e == simdjson::INCORRECT_TYPE)
        return deser("__metadata__ value of " + named(key) + " is not a string (only strings are allowed)");
      return json_error(e, "__metadata__");
    }
    h->metadata.emplace_back(std::string(key), std::string(s));
  }
  return Error{};
}

// Check 5: the JSON itself and its schema.
Error deserialize(const uint8_t* json, uint64_t n, Header* h) {
  // simdjson skips a UTF-8 byte-order mark; serde_json does not (a BOM is not JSON whitespace).
  if (n >= 3 && json[0] == 0xEF && json[1] == 0xBB && json[2] == 0xBF)
    return deser("the header starts with a byte-order mark, which is not JSON");
  od::parser parser;
  simdjson::padded_string_view view(reinterpret_cast<const char*>(json), static_cast<size_t>(n),
                                    static_cast<size_t>(n) + kJsonPadding);
  od::document doc;
  if (auto e = parser.iterate(view).get(doc)) return json_error(e, "");
  od::object root;
  if (auto e = doc.get_object().get(root)) {
    if (e == simdjson::INCORRECT_TYPE) return deser("the header is not a JSON object");
    return json_error(e, "");
  }
  bool has_metadata = false;
  for (auto field_result : root) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return json_error(e, "");
    std::string_view key;
    if (auto e = field.unescaped_key(false).get(key)) return json_error(e, "");
    if (key == "__metadata__") {
      if (has_metadata) return deser("duplicate __metadata__");
      has_metadata = true;
      if (Error err = parse_metadata(field.value(), h); !err.ok()) return err;
      continue;
    }
    TensorInfo t;
    if (Error err = parse_tensor_info(key, field.value(), &t); !err.ok()) return err;
    h->add_tensor(key, std::move(t));
  }
  if (!doc.at_end()) return deser("trailing content after the header's JSON object");
  // Headers are kept for the whole run (557k tensors for a 397B FP8 trio): no growth slack.
  h->tensors.shrink_to_fit();
  h->names.shrink_to_fit();

  // The Rust reader keeps the last of duplicate names (HashMap); we refuse them: two entries for
  // one name mean the file says two things and the one we would read is a guess.
  std::unordered_set<std::string_view> names;
  names.reserve(h->tensors.size());
  for (const auto& t : h->tensors)
    if (!names.insert(h->name(t)).second) return deser("duplicate tensor name " + named(h->name(t)));
  return Error{};
}

// Checks 6 and 7 (per tensor, in data_offsets order), then 8.
Error validate(Header* h, uint64_t file_size) {
  auto& ts = h->tensors;
  // The reference sorts by the (begin, end) pair; stable keeps file order among equal pairs.
  std::stable_sort(ts.begin(), ts.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t start = 0;
  for (const auto& t : ts) {
    auto who = [&] { return "tensor " + named(h->name(t)); };
    if (t.begin != start)
      return fail(ErrorCode::InvalidOffset, who() + " starts at " + std::to_string(t.begin) + ", expected " +
                                                std::to_string(start) + " (gap or overlap)");
    if (t.end < t.begin)
      return fail(ErrorCode::InvalidOffset, who() + " ends at " + std::to_string(t.end) +
                                                " before it starts at " + std::to_string(t.begin));
    start = t.end;
    // Left to right with checked products, as the reference's try_fold(checked_mul).
    uint64_t elements = 1;
    for (uint64_t dim : t.shape)
      if (__builtin_mul_overflow(elements, dim, &elements))
        return fail(ErrorCode::ValidationOverflow, who() + ": the product of the shape overflows 64 bits");
    uint64_t bits = 0;
    if (__builtin_mul_overflow(elements, static_cast<uint64_t>(dtype_bits(t.dtype)), &bits))
      return fail(ErrorCode::ValidationOverflow,
                  who() + ": " + std::to_string(elements) + " elements of " + dtype_name(t.dtype) +
                      " overflow 64 bits");
    if (bits % 8 != 0)
      return fail(ErrorCode::MisalignedSlice, who() + ": " + std::to_string(elements) + " elements of " +
                                                  dtype_name(t.dtype) + " are " + std::to_string(bits) +
                                                  " bits, not a whole number of bytes");
    uint64_t bytes = bits / 8;
    if (t.end - t.begin != bytes)
      return fail(ErrorCode::TensorInvalidInfo,
                  who() + ": data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + ") hold " +
                      std::to_string(t.end - t.begin) + " bytes, but " + dtype_name(t.dtype) + " shape needs " +
                      std::to_string(bytes));
  }
  // data_start() <= file_size (check 3) and start is below 2^64, but their sum may not be.
  uint64_t data_bytes = file_size - h->data_start();
  if (start != data_bytes)
    return fail(ErrorCode::MetadataIncompleteBuffer,
                "tensors end at data byte " + std::to_string(start) + " but the file holds " +
                    std::to_string(data_bytes) + " data bytes (" +
                    (start < data_bytes ? "trailing bytes" : "truncated file") + ")");
  return Error{};
}

}  // namespace

Result<uint64_t> read_header_length(const uint8_t* prefix, size_t prefix_len, uint64_t file_size) {
  if (file_size < kLengthPrefix)  // check 1
    return fail(ErrorCode::HeaderTooSmall, "the file has " + std::to_string(file_size) +
                                               " bytes, fewer than the 8-byte header length");
  if (prefix_len < kLengthPrefix || prefix == nullptr)
    return fail(ErrorCode::NeedMoreBytes, "the first 8 bytes of the file are needed");
  uint64_t n = read_u64_le(prefix);
  if (n > kMaxHeaderLength)  // check 2
    return fail(ErrorCode::HeaderTooLarge, "header length " + std::to_string(n) + " exceeds the " +
                                               std::to_string(kMaxHeaderLength) + "-byte limit");
  // check 3: n <= 1e8 here, so 8 + n cannot overflow.
  if (kLengthPrefix + n > file_size)
    return fail(ErrorCode::InvalidHeaderLength, "header length " + std::to_string(n) + " runs past the end of a " +
                                                    std::to_string(file_size) + "-byte file");
  return n;
}

Result<Header> parse_header(const uint8_t* file_prefix, size_t prefix_len, uint64_t file_size,
                            uint64_t* needed) {
  if (prefix_len > file_size)
    return fail(ErrorCode::InvalidArgument, "prefix_len " + std::to_string(prefix_len) +
                                                " exceeds file_size " + std::to_string(file_size));
  Result<uint64_t> n = read_header_length(file_prefix, prefix_len, file_size);
  if (!n) {
    if (n.error().code == ErrorCode::NeedMoreBytes && needed) *needed = kLengthPrefix;
    return n.error();
  }
  const uint64_t stop = kLengthPrefix + n.value();
  if (static_cast<uint64_t>(prefix_len) < stop) {
    if (needed) *needed = stop;
    return fail(ErrorCode::NeedMoreBytes, std::to_string(stop) + " bytes needed");
  }
  const uint8_t* json = file_prefix + kLengthPrefix;
  const size_t json_len = static_cast<size_t>(n.value());
  // check 4
  if (!simdjson::validate_utf8(reinterpret_cast<const char*>(json), json_len))
    return fail(ErrorCode::InvalidHeader, "the header is not valid UTF-8");

  Header h;
  h.format = FileFormat::Safetensors;
  h.data_offset = kLengthPrefix + n.value();
  if (Error err = deserialize(json, n.value(), &h); !err.ok()) return err;  // check 5
  if (Error err = validate(&h, file_size); !err.ok()) return err;          // checks 6-8
  return h;
}

}  // namespace mp
