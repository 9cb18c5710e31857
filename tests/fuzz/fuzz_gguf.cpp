// libFuzzer entry point for the GGUF reader (scripts/fuzz.sh). Besides "never crash", a header that
// parses must describe the file consistently: tensors in order, aligned, within the file, shapes
// a whole number of blocks; and a short prefix either parses the same or asks for more bytes.
#include <cstdint>
#include <vector>

#include "format/gguf.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_header(const mp::Header& h, uint64_t file_size) {
  uint64_t at = 0;
  for (const auto& t : h.tensors) {
    check(t.begin >= at && t.end >= t.begin);
    check(h.data_start() + t.end <= file_size);
    const uint64_t row = t.shape.empty() ? 1 : t.shape.back();
    check(row % mp::dtype_block_elements(t.dtype) == 0);
    check(t.end - t.begin == mp::dtype_span_bytes(t.dtype, t.elements()));
    at = t.end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(data, data + size);
  uint64_t needed = 0;
  auto r = mp::parse_gguf(buf.data(), size, size, &needed);
  if (r) check_header(r.value(), size);
  else if (r.error().code == mp::ErrorCode::NeedMoreBytes) __builtin_trap();  // all bytes were given

  // A prefix of a file said to be larger: parses, fails on a rule, or asks for more than given.
  if (size >= 8) {
    const uint64_t file_size = size + (static_cast<uint64_t>(data[size - 1]) << 24);
    const size_t prefix = size / 2 + 4;
    needed = 0;
    auto p = mp::parse_gguf(buf.data(), prefix, file_size, &needed);
    if (p) check_header(p.value(), file_size);
    else if (p.error().code == mp::ErrorCode::NeedMoreBytes)
      check(needed > prefix && needed <= file_size && needed <= mp::kMaxGgufHeaderBytes);
  }
  return 0;
}
