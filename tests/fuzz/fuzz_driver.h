// The driver the header fuzzers share (fuzz_header.cpp, fuzz_gguf.cpp): the input parsed as a whole
// file, then its first half + 4 bytes parsed as the prefix of a larger file (the speculative first
// read). Besides "never crash": a header that parses passes `check_header`, a whole file never asks
// for more bytes, and a prefix either suffices, fails on a rule, or asks for more than it was given
// and at most `max_needed`.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

#include "error.h"

namespace mp_fuzz {

inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

// `parse(data, have, file_size, &needed)` returns a result with value() / error(); the input is
// copied into a buffer with `padding` zero bytes after it, as the callers do. The larger file's size
// adds the last byte shifted by `size_shift`, so sizes past 4 GiB are reached.
template <typename Parse, typename CheckHeader>
void run_header_fuzz(const uint8_t* data, size_t size, size_t padding, unsigned size_shift, uint64_t max_needed,
                     Parse parse, CheckHeader check_header) {
  std::vector<uint8_t> buf(size + padding, 0);
  if (size) std::memcpy(buf.data(), data, size);
  uint64_t needed = 0;
  auto r = parse(buf.data(), size, size, &needed);
  if (r) check_header(r.value(), size);
  else if (r.error().code == mp::ErrorCode::NeedMoreBytes) __builtin_trap();  // all bytes were given

  if (size >= 8) {
    const uint64_t file_size = size + (static_cast<uint64_t>(data[size - 1]) << size_shift);
    const size_t prefix = size / 2 + 4;
    needed = 0;
    auto p = parse(buf.data(), prefix, file_size, &needed);
    if (p) check_header(p.value(), file_size);
    else if (p.error().code == mp::ErrorCode::NeedMoreBytes)
      check(needed > prefix && needed <= file_size && needed <= max_needed);
  }
}

}  // namespace mp_fuzz
