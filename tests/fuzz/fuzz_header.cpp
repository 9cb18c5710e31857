// libFuzzer entry point for the safetensors header reader (scripts/fuzz.sh). The input is a whole
// file; it is copied into a padded buffer, as the callers do. Besides "never crash", a header that
// parses must describe the file exactly: tensors contiguous from 0 to the last data byte.
#include <cstdint>
#include <limits>

#include "format/safetensors_header.h"
#include "fuzz_driver.h"

namespace {

using mp_fuzz::check;

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
  mp_fuzz::run_header_fuzz(data, size, mp::kJsonPadding, 32, std::numeric_limits<uint64_t>::max(),
                           [](const uint8_t* d, size_t have, uint64_t file_size, uint64_t* needed) {
                             return mp::parse_header(d, have, file_size, needed);
                           },
                           check_header);
  return 0;
}
