// ggml's reference quantizers (quantize_row_q8_0_ref, _q4_0_ref, _q4_K_ref in ggml-quants.c),
// for building quantized GGUF test files from real weights. Compiled with -ffp-contract=off like
// the dequantizer, so blocks come out as ggml's would.
#pragma once
#include <cstdint>
#include <vector>

namespace mp_test {

// n a multiple of 32. Returns the blocks' bytes.
std::vector<uint8_t> quantize_q8_0(const float* x, uint64_t n);
std::vector<uint8_t> quantize_q4_0(const float* x, uint64_t n);
// n a multiple of 256 (a super-block of eight 32-element sub-blocks).
std::vector<uint8_t> quantize_q4_k(const float* x, uint64_t n);

}  // namespace mp_test
