// Errors are values in the core: nothing here prints, throws or aborts. The bindings and the
// native test/CLI layers turn an Error into a message a person can act on.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <variant>

namespace mp {

enum class ErrorCode {
  Ok = 0,
  // safetensors reader checks, named as in huggingface/safetensors tensor.rs (spec section 4)
  HeaderTooSmall,
  HeaderTooLarge,
  InvalidHeaderLength,
  InvalidHeader,                 // not UTF-8
  InvalidHeaderDeserialization,  // bad JSON, unknown dtype, bad dims/offsets, non-string metadata
  InvalidOffset,
  ValidationOverflow,
  MisalignedSlice,
  TensorInvalidInfo,
  MetadataIncompleteBuffer,
  // model.safetensors.index.json
  InvalidIndex,
  IndexTooLarge,                 // over kMaxIndexBytes (safetensors_index.h)
  UnsafeShardPath,
  // GGUF reader (format/gguf.h): one code per rule, as gguf_init_from_file_impl checks them
  GgufInvalidMagic,             // not "GGUF"
  GgufUnsupportedVersion,       // not 2 or 3
  GgufHeaderTooLarge,           // over kMaxGgufHeaderBytes
  GgufTruncated,                // the header runs past the end of the file
  GgufTooManyTensors,           // over kMaxGgufTensors
  GgufTooManyKeys,              // over kMaxGgufKeys
  GgufStringTooLong,            // over kMaxGgufStringBytes
  GgufInvalidKey,               // empty or duplicate metadata key
  GgufInvalidValueType,         // unknown metadata value type
  GgufArrayTooLong,             // over kMaxGgufArrayElements
  GgufArrayTooDeep,             // arrays nested over kMaxGgufArrayDepth
  GgufInvalidAlignment,         // general.alignment not a u32 power of two
  GgufInvalidTensorName,        // empty, too long or duplicate
  GgufInvalidDims,              // over 4 dims, or an element count past 2^63
  GgufUnknownType,              // a type id ggml does not define
  GgufBlockMisaligned,          // a row that is not a whole number of blocks
  GgufInvalidOffset,            // a tensor not where the previous one ends, aligned
  GgufDataOutOfBounds,          // tensor data past the end of the file
  GgufInvalidSplit,             // split.* keys or split files that disagree
  // comparing models
  UnsupportedDtype,
  ShapeMismatch,
  NoMatchingTensors,
  MissingTensor,
  // caller mistakes (wrong order of calls, bad arguments)
  InvalidArgument,
  NeedMoreBytes,                 // not a failure: the header is longer than the bytes given
};
// The number of codes: keep it last-code + 1 (tests/cpp/error_test.cpp checks; the bindings list
// every name through it).
constexpr size_t kErrorCodeCount = static_cast<size_t>(ErrorCode::NeedMoreBytes) + 1;

// The code's name, as in the enum ("HeaderTooSmall"); "Unknown" for a value outside it.
const char* error_code_name(ErrorCode code);

// Whose fault, as the edges report it: "invalid-file" (a file breaks the safetensors, GGUF or index
// rules), "incomparable" (the models cannot be compared), "internal" (a caller mistake). The
// bindings attach it to every error, so JS need not keep its own list of codes per kind.
const char* error_kind(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Ok;
  std::string message;  // names the rule and, where there is one, the tensor or file
  bool ok() const { return code == ErrorCode::Ok; }
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// A value or an Error. Small on purpose: has_value(), value(), error().
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace mp
