// GGUF reader. The checks follow ggml's gguf_init_from_file_impl (src/gguf.cpp) in its order, with
// our own caps on counts and lengths so a hostile header cannot make us allocate or loop before
// the bytes are there (ggml allows counts up to SIZE_MAX / sizeof).
#include "format/gguf.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "format/ggml_types.h"

namespace mp {
namespace {

// Value types of the metadata section (enum gguf_type).
enum GgufValueType : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
  kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12, kValueTypeCount = 13,
};

// Bytes of a fixed-size value type; 0 for string and array.
unsigned value_size(uint32_t t) {
  switch (t) {
    case kU8: case kI8: case kBool: return 1;
    case kU16: case kI16: return 2;
    case kU32: case kI32: case kF32: return 4;
    case kU64: case kI64: case kF64: return 8;
    default: return 0;
  }
}

Error fail(ErrorCode code, std::string message) { return make_error(code, std::move(message)); }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// A cursor over the bytes given. A read past them is either past the file (GgufTruncated) or past
// the prefix only (NeedMoreBytes: the caller reads more); `want` records how far we needed to go.
class Reader {
 public:
  Reader(const uint8_t* p, size_t len, uint64_t file_size) : p_(p), len_(len), file_size_(file_size) {}

  uint64_t pos() const { return pos_; }
  uint64_t want() const { return want_; }
  uint64_t file_size() const { return file_size_; }
  const uint8_t* bytes_at(uint64_t at) const { return p_ + at; }  // only below pos()

  // Room for n more bytes, or the error that says why not.
  Error need(uint64_t n, const char* what) {
    uint64_t end = 0;
    if (__builtin_add_overflow(pos_, n, &end) || end > file_size_)
      return fail(ErrorCode::GgufTruncated, std::string(what) + " at byte " + std::to_string(pos_) +
                                                " runs past the end of the " + std::to_string(file_size_) +
                                                "-byte file");
    if (end > kMaxGgufHeaderBytes)
      return fail(ErrorCode::GgufHeaderTooLarge, "the header (metadata and tensor infos) runs past " +
                                                     std::to_string(kMaxGgufHeaderBytes) + " bytes, the limit");
    if (end > len_) {
      want_ = end;
      return fail(ErrorCode::NeedMoreBytes, std::to_string(end) + " bytes needed");
    }
    return {};
  }

  template <class T>
  Error read(T* out, const char* what) {
    if (Error e = need(sizeof(T), what); !e.ok()) return e;
    std::memcpy(out, p_ + pos_, sizeof(T));  // little-endian host (x86, wasm)
    pos_ += sizeof(T);
    return {};
  }

  Error skip(uint64_t n, const char* what) {
    if (Error e = need(n, what); !e.ok()) return e;
    pos_ += n;
    return {};
  }

  // string = u64 length + bytes.
  Error read_string(std::string_view* out, const char* what) {
    uint64_t n = 0;
    if (Error e = read(&n, what); !e.ok()) return e;
    if (n > kMaxGgufStringBytes)
      return fail(ErrorCode::GgufStringTooLong, std::string(what) + " at byte " + std::to_string(pos_ - 8) +
                                                    " is " + std::to_string(n) + " bytes long, over the " +
                                                    std::to_string(kMaxGgufStringBytes) + "-byte limit");
    if (Error e = need(n, what); !e.ok()) return e;
    *out = std::string_view(reinterpret_cast<const char*>(p_ + pos_), static_cast<size_t>(n));
    pos_ += n;
    return {};
  }

 private:
  const uint8_t* p_;
  size_t len_;
  uint64_t file_size_;
  uint64_t pos_ = 0;
  uint64_t want_ = 0;
};

// Where the parse stood when the bytes ran out, to guess how many the whole header takes.
struct Progress {
  uint64_t kv_total = 0, kv_done = 0;
  uint64_t tensors_total = 0, tensors_done = 0;
  uint64_t tensors_start = 0;                             // byte where the tensor infos began
  uint64_t array_start = 0, array_total = 0, array_done = 0;  // the outermost array being read
};

std::string scalar_text(uint32_t t, const uint8_t* v) {
  auto get = [v](auto x) {
    std::memcpy(&x, v, sizeof x);
    return x;
  };
  char buf[40];
  switch (t) {
    case kU8: return std::to_string(get(uint8_t{}));
    case kI8: return std::to_string(get(int8_t{}));
    case kU16: return std::to_string(get(uint16_t{}));
    case kI16: return std::to_string(get(int16_t{}));
    case kU32: return std::to_string(get(uint32_t{}));
    case kI32: return std::to_string(get(int32_t{}));
    case kU64: return std::to_string(get(uint64_t{}));
    case kI64: return std::to_string(get(int64_t{}));
    case kBool: return get(uint8_t{}) ? "true" : "false";
    case kF32: std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(get(float{}))); return buf;
    case kF64: std::snprintf(buf, sizeof buf, "%.17g", get(double{})); return buf;
  }
  return {};
}

// One value of type t. Scalars and strings are rendered into *text (when text is not null);
// arrays are walked element by element (every string length must be read to find the next one).
Error read_value(Reader& r, uint32_t t, unsigned depth, std::string_view key, std::string* text, Progress* pr) {
  if (t >= kValueTypeCount)
    return fail(ErrorCode::GgufInvalidValueType, "key " + quoted(key) + " has value type " + std::to_string(t) +
                                                     ", which GGUF does not define (0-12)");
  if (t == kString) {
    std::string_view s;
    if (Error e = r.read_string(&s, "a string value"); !e.ok()) return e;
    if (text) *text = std::string(s);
    return {};
  }
  if (t != kArray) {
    const uint64_t at = r.pos();
    if (Error e = r.skip(value_size(t), "a value"); !e.ok()) return e;
    if (text) *text = scalar_text(t, r.bytes_at(at));
    return {};
  }
  if (depth >= kMaxGgufArrayDepth)
    return fail(ErrorCode::GgufArrayTooDeep, "key " + quoted(key) + " nests arrays deeper than " +
                                                 std::to_string(kMaxGgufArrayDepth) + " levels");
  uint32_t et = 0;
  uint64_t n = 0;
  if (Error e = r.read(&et, "an array's element type"); !e.ok()) return e;
  if (Error e = r.read(&n, "an array's length"); !e.ok()) return e;
  if (et >= kValueTypeCount)
    return fail(ErrorCode::GgufInvalidValueType, "key " + quoted(key) + " is an array of value type " +
                                                     std::to_string(et) + ", which GGUF does not define (0-12)");
  if (n > kMaxGgufArrayElements)
    return fail(ErrorCode::GgufArrayTooLong, "key " + quoted(key) + " is an array of " + std::to_string(n) +
                                                 " values, over the " + std::to_string(kMaxGgufArrayElements) +
                                                 " limit");
  if (text) *text = "[" + std::to_string(n) + " values]";
  if (const unsigned size = value_size(et); size > 0) return r.skip(n * size, "an array");
  const bool outermost = depth == 0;
  if (outermost) {
    pr->array_start = r.pos();
    pr->array_total = n;
    pr->array_done = 0;
  }
  for (uint64_t i = 0; i < n; ++i) {
    if (Error e = read_value(r, et, depth + 1, key, nullptr, pr); !e.ok()) return e;
    if (outermost) pr->array_done = i + 1;
  }
  if (outermost) pr->array_total = 0;
  return {};
}

// How many bytes from offset 0 the whole header probably takes, when the read stopped at r.want():
// what is left of the array being read at its mean element size so far, the keys left at 64 bytes
// each, the tensor infos left at their mean size so far (or 96 bytes: a 30-character name, 2 dims).
uint64_t estimate_header_bytes(const Reader& r, const Progress& pr, size_t given, uint64_t file_size) {
  double est = static_cast<double>(r.want());
  if (pr.array_total > pr.array_done && pr.array_done > 0)
    est += static_cast<double>(r.pos() - pr.array_start) / pr.array_done * (pr.array_total - pr.array_done);
  if (pr.kv_total > pr.kv_done) est += 64.0 * (pr.kv_total - pr.kv_done);
  const double per_tensor = pr.tensors_done > 0 ? static_cast<double>(r.pos() - pr.tensors_start) / pr.tensors_done : 96.0;
  est += per_tensor * (pr.tensors_total - pr.tensors_done);
  est *= 1.125;  // a margin, so a close guess is not one more round trip
  // At least half as much again as was given, so repeated low guesses still converge quickly.
  est = std::max(est, static_cast<double>(given) * 1.5);
  uint64_t out = est >= static_cast<double>(UINT64_MAX) ? UINT64_MAX : static_cast<uint64_t>(est);
  out = std::max(out, r.want());
  out = std::min(out, std::min(file_size, kMaxGgufHeaderBytes));
  return std::max<uint64_t>(out, r.want());
}

uint64_t pad_to(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

Error parse(Reader& r, Header* h, Progress* pr) {
  uint32_t magic = 0, version = 0;
  uint64_t n_tensors = 0, n_kv = 0;
  if (Error e = r.read(&magic, "the magic"); !e.ok()) return e;
  if (magic != kGgufMagic) return fail(ErrorCode::GgufInvalidMagic, "the file does not start with \"GGUF\"");
  if (Error e = r.read(&version, "the version"); !e.ok()) return e;
  if (version < kGgufMinVersion || version > kGgufMaxVersion) {
    std::string why = version == 1 ? " (GGUF v1 is no longer read, as in ggml)"
                      : (version & 0xffff) == 0 ? " (a big-endian file?)"
                                                : "";
    return fail(ErrorCode::GgufUnsupportedVersion, "GGUF version " + std::to_string(version) + why +
                                                       "; versions 2 and 3 are read");
  }
  if (Error e = r.read(&n_tensors, "the tensor count"); !e.ok()) return e;
  if (Error e = r.read(&n_kv, "the metadata count"); !e.ok()) return e;
  if (n_tensors > kMaxGgufTensors)
    return fail(ErrorCode::GgufTooManyTensors, std::to_string(n_tensors) + " tensors, over the " +
                                                   std::to_string(kMaxGgufTensors) + " limit");
  if (n_kv > kMaxGgufKeys)
    return fail(ErrorCode::GgufTooManyKeys, std::to_string(n_kv) + " metadata keys, over the " +
                                                std::to_string(kMaxGgufKeys) + " limit");
  pr->kv_total = n_kv;
  pr->tensors_total = n_tensors;

  uint64_t alignment = kGgufDefaultAlignment;
  std::unordered_set<std::string> keys;
  keys.reserve(static_cast<size_t>(n_kv));
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string_view key;
    uint32_t type = 0;
    if (Error e = r.read_string(&key, "a metadata key"); !e.ok()) return e;
    if (key.empty()) return fail(ErrorCode::GgufInvalidKey, "metadata key " + std::to_string(i) + " is empty");
    if (!keys.insert(std::string(key)).second)
      return fail(ErrorCode::GgufInvalidKey, "duplicate metadata key " + quoted(key));
    if (Error e = r.read(&type, "a value type"); !e.ok()) return e;
    const uint64_t value_at = r.pos();
    std::string text;
    if (Error e = read_value(r, type, 0, key, &text, pr); !e.ok()) return e;
    if (key == "general.alignment") {
      // ggml: must be a u32, non-zero and a power of two.
      uint32_t a = 0;
      if (type == kU32) std::memcpy(&a, r.bytes_at(value_at), 4);
      if (type != kU32 || a == 0 || (a & (a - 1)) != 0)
        return fail(ErrorCode::GgufInvalidAlignment,
                    "general.alignment must be a u32 power of two, not " +
                        (type == kU32 ? std::to_string(a) : "a value of type " + std::to_string(type)));
      alignment = a;
    }
    h->metadata.emplace_back(std::string(key), std::move(text));
    pr->kv_done = i + 1;
  }

  pr->tensors_start = r.pos();
  std::unordered_set<std::string> names;
  names.reserve(static_cast<size_t>(n_tensors));
  h->tensors.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    std::string_view name;
    if (Error e = r.read_string(&name, "a tensor name"); !e.ok()) return e;
    if (name.empty())
      return fail(ErrorCode::GgufInvalidTensorName, "tensor " + std::to_string(i) + " has an empty name");
    if (name.size() > kMaxGgufNameBytes)
      return fail(ErrorCode::GgufInvalidTensorName, "tensor name " + quoted(name) + " is " +
                                                        std::to_string(name.size()) + " bytes, over ggml's " +
                                                        std::to_string(kMaxGgufNameBytes));
    if (!names.insert(std::string(name)).second)
      return fail(ErrorCode::GgufInvalidTensorName, "duplicate tensor name " + quoted(name));
    const std::string who = "tensor " + quoted(name);
    uint32_t n_dims = 0;
    if (Error e = r.read(&n_dims, "a tensor's dimension count"); !e.ok()) return e;
    if (n_dims > kMaxGgufDims)
      return fail(ErrorCode::GgufInvalidDims, who + " has " + std::to_string(n_dims) + " dimensions, over ggml's " +
                                                  std::to_string(kMaxGgufDims));
    uint64_t ne[kMaxGgufDims] = {1, 1, 1, 1};
    for (uint32_t d = 0; d < n_dims; ++d)
      if (Error e = r.read(&ne[d], "a tensor dimension"); !e.ok()) return e;
    // ggml keeps ne as int64: each must be non-negative and their product below 2^63.
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d)
      if (ne[d] > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(elements, ne[d], &elements) ||
          elements > static_cast<uint64_t>(INT64_MAX))
        return fail(ErrorCode::GgufInvalidDims, who + ": the element count overflows 2^63");
    uint32_t type = 0;
    uint64_t offset = 0;
    if (Error e = r.read(&type, "a tensor type"); !e.ok()) return e;
    if (Error e = r.read(&offset, "a tensor offset"); !e.ok()) return e;
    const char* type_name = ggml_type_name(type);
    if (!type_name)
      return fail(ErrorCode::GgufUnknownType, who + " has ggml type " + std::to_string(type) +
                                                  ", which ggml does not define");
    const auto dtype = ggml_type_dtype(type);
    if (!dtype)
      return fail(ErrorCode::UnsupportedDtype, who + " is " + type_name +
                                                   ", a ggml type mergeprobe cannot read (it reads F32, F16, BF16, "
                                                   "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K-Q6_K)");
    const unsigned block = dtype_block_elements(*dtype);
    if (ne[0] % block != 0)
      return fail(ErrorCode::GgufBlockMisaligned, who + " (" + type_name + ") has rows of " + std::to_string(ne[0]) +
                                                      " elements, not a multiple of its " + std::to_string(block) +
                                                      "-element blocks");
    TensorInfo t;
    t.dtype = *dtype;
    for (uint32_t d = n_dims; d-- > 0;) t.shape.push_back(ne[d]);  // Hugging Face order
    t.begin = offset;
    // Bytes: rows * blocks per row * block bytes; elements < 2^63 and block bytes <= 210 per >= 32
    // elements, so this cannot overflow.
    t.end = offset;  // checked against the expected offset below, before end is used
    const uint64_t bytes = dtype_span_bytes(*dtype, elements);
    if (__builtin_add_overflow(offset, bytes, &t.end))
      return fail(ErrorCode::GgufInvalidOffset, who + ": offset + size overflows 64 bits");
    h->add_tensor(name, std::move(t));
    pr->tensors_done = i + 1;
  }

  // The data section starts at the next multiple of the alignment (ggml pads only when there are
  // tensors, and so do we).
  const uint64_t header_end = r.pos();
  h->data_offset = n_tensors > 0 ? pad_to(header_end, alignment) : header_end;
  // ggml: each tensor's offset is exactly where the previous one ends, padded to the alignment.
  uint64_t expected = 0;
  for (const auto& t : h->tensors) {
    if (t.begin != expected)
      return fail(ErrorCode::GgufInvalidOffset, "tensor " + quoted(h->name(t)) + " has offset " + std::to_string(t.begin) +
                                                    ", expected " + std::to_string(expected) +
                                                    " (tensors follow each other, each padded to " +
                                                    std::to_string(alignment) + " bytes)");
    expected = pad_to(t.end, alignment);
  }
  if (!h->tensors.empty()) {
    const uint64_t data_end = h->tensors.back().end;
    if (h->data_offset > r.file_size() || data_end > r.file_size() - h->data_offset)
      return fail(ErrorCode::GgufDataOutOfBounds,
                  "tensor data ends at byte " + std::to_string(h->data_offset + data_end) + " of a " +
                      std::to_string(r.file_size()) + "-byte file (truncated?)");
  }
  return {};
}

// split.* keys (llama.cpp gguf-split): split.no is 0-based and below split.count.
Error check_split_keys(const Header& h) {
  const std::string* no = h.find_metadata("split.no");
  const std::string* count = h.find_metadata("split.count");
  if (!no && !count) return {};
  if (!no || !count)
    return fail(ErrorCode::GgufInvalidSplit, std::string("split.") + (no ? "count" : "no") +
                                                 " is missing while split." + (no ? "no" : "count") + " is set");
  auto number = [](const std::string& s, uint64_t* v) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    *v = std::stoull(s);
    return true;
  };
  uint64_t n = 0, c = 0;
  if (!number(*no, &n) || !number(*count, &c) || c == 0 || n >= c)
    return fail(ErrorCode::GgufInvalidSplit, "split.no " + *no + " of split.count " + *count +
                                                 ": expected 0 <= split.no < split.count");
  return {};
}

}  // namespace

bool is_gguf(const uint8_t* prefix, size_t len) {
  if (!prefix || len < 4) return false;
  uint32_t m;
  std::memcpy(&m, prefix, 4);
  return m == kGgufMagic;
}

}  // namespace mp

namespace mp {

Result<Header> parse_gguf(const uint8_t* prefix, size_t prefix_len, uint64_t file_size, uint64_t* needed) {
  if (prefix_len > file_size)
    return fail(ErrorCode::InvalidArgument, "prefix_len " + std::to_string(prefix_len) + " exceeds file_size " +
                                                std::to_string(file_size));
  if (!prefix && prefix_len > 0) return fail(ErrorCode::InvalidArgument, "no bytes given");
  Reader r(prefix, prefix_len, file_size);
  Header h;
  h.format = FileFormat::Gguf;
  Progress pr;
  Error e = parse(r, &h, &pr);
  if (e.code == ErrorCode::NeedMoreBytes) {
    if (needed) *needed = estimate_header_bytes(r, pr, prefix_len, file_size);
    return e;
  }
  if (!e.ok()) return e;
  if (Error s = check_split_keys(h); !s.ok()) return s;
  return h;
}

std::optional<GgufSplitName> parse_gguf_split_name(std::string_view name) {
  // "<prefix>-NNNNN-of-MMMMM.gguf", five digits each, as gguf-split's llama_split_path writes.
  constexpr std::string_view kSuffix = ".gguf";
  if (name.size() < 20 || name.substr(name.size() - kSuffix.size()) != kSuffix) return std::nullopt;
  const std::string_view core = name.substr(name.size() - kSuffix.size() - 15, 15);  // -NNNNN-of-MMMMM
  auto digits = [](std::string_view s, uint32_t* v) {
    *v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      *v = *v * 10 + static_cast<uint32_t>(c - '0');
    }
    return true;
  };
  GgufSplitName out;
  if (core[0] != '-' || core.substr(6, 4) != "-of-" || !digits(core.substr(1, 5), &out.no) ||
      !digits(core.substr(10, 5), &out.count) || out.no == 0 || out.count == 0 || out.no > out.count)
    return std::nullopt;
  return out;
}

}  // namespace mp
