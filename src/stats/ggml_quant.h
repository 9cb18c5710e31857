// Dequantization of ggml's block types, bit-exact with ggml's dequantize_row_* (src/ggml-quants.c):
// the same f16 scales, the same integer unpacking and the same float operations in the same order
// (this file is compiled with -ffp-contract=off, so `q*d + m` is two roundings, as in ggml's
// reference build). tests/cpp/stats/ggml_quant_test.cpp checks against vectors from ggml's own C.
#pragma once
#include <cstddef>
#include <cstdint>

#include "format/dtype.h"

namespace mp {

constexpr unsigned kMaxBlockElements = 256;  // QK_K: the largest block (the K-quants' super-block)

// Dequantize `n_blocks` consecutive blocks of block type `d` (dtype_is_block) into
// n_blocks * dtype_block_elements(d) floats. Other dtypes write NaN (a caller mistake made visible).
void dequantize_blocks(Dtype d, const uint8_t* blocks, size_t n_blocks, float* out);

// The noise energy a quantization to this block's grid adds, from its scales alone: step^2 / 12 per
// element (a uniform rounding error in [-step/2, step/2]) summed over the block's elements, where
// step is each (sub-)block's scale (Q4_K: d * sc of each 32-element sub-block). What the
// quantization floor rests on; 0 for dtypes that are not block types.
double block_rounding_noise(Dtype d, const uint8_t* block);

}  // namespace mp
