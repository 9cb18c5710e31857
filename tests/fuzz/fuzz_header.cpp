// libFuzzer entry point for the safetensors header reader (scripts/fuzz.sh). The input is a whole
// file; it is copied into a padded buffer, as the callers do. Besides "never crash", a header that
// parses must describe the file exactly: tensors contiguous from 0 to the last data byte.
#include <cstdint>
#include <cstring>
#include <vector>

#include "format/safetensors_header.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_header(const mp::Header& h, uint64_t file_size) {
  uint64_t at = 0;
  for (const auto& t : h.tensors) {
    check(t.begin == at && t.end >= t.begin);
    check(mp::dtype_bits(t.dtype) != 0);
    at = t.end;
  }
  check(h.data_start() + at == file_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf(size + mp::kJsonPadding, 0);
  if (size) std::memcpy(buf.data(), data, size);

  // The whole file in memory.
  uint64_t needed = 0;
  auto r = mp::parse_header(buf.data(), size, size, &needed);
  if (r) check_header(r.value(), size);
  else if (r.error().code == mp::ErrorCode::NeedMoreBytes) __builtin_trap();  // all bytes were given

  // Only a prefix in memory, the file said to be larger (the speculative first read): either the
  // prefix suffices, or NeedMoreBytes asks for more than was given.
  if (size >= 8) {
    const uint64_t file_size = size + (static_cast<uint64_t>(data[size - 1]) << 32);
    const size_t prefix = size / 2 + 4;
    needed = 0;
    auto p = mp::parse_header(buf.data(), prefix, file_size, &needed);
    if (p) check_header(p.value(), file_size);
    else if (p.error().code == mp::ErrorCode::NeedMoreBytes) check(needed > prefix && needed <= file_size);
  }
  return 0;
}
