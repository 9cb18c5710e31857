// libFuzzer entry point for the GGUF reader (scripts/fuzz.sh). Besides "never crash", a header that
// parses must describe the file consistently: tensors in order, aligned, within the file, shapes
// a whole number of blocks; and a short prefix either parses the same or asks for more bytes.
#include <cstdint>

#include "format/gguf.h"
#include "fuzz_driver.h"

namespace {

using mp_fuzz::check;

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
  // The GGUF reader needs no padding; a prefix never asks for more than the header cap.
  mp_fuzz::run_header_fuzz(data, size, 0, 24, mp::kMaxGgufHeaderBytes,
                           [](const uint8_t* d, size_t have, uint64_t file_size, uint64_t* needed) {
                             return mp::parse_gguf(d, have, file_size, needed);
                           },
                           check_header);
  return 0;
}
