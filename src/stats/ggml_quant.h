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

// The noise energy a quantization to this block's grid adds, from its scales alone, summed over the
// block's elements: step^2 / 12 per rounded element (a uniform error in [-step/2, step/2]), where
// step is each (sub-)block's scale (Q4_K: d * sc of each 32-element sub-block), with what ggml's
// reference quantizers make exact or worse taken out: the element that sets d (and m) is exact,
// Q4_0 / Q5_0 clip their far side, the K-quants' scale search beats the uniform error. What the
// quantization floor rests on (stats/quant_floor.h); 0 for dtypes that are not block types.
//
// Q4_0 / Q5_0 store d = max / -2^(bits-1): the block's largest element lands on the grid's end
// exactly and the far side's last grid value (2^(bits-1) - 1) * d takes every element beyond it.
// The mean squared error of the elements on that last value, in d^2, measured with the ggml
// reference quantizer over every 2-D tensor of three models (shared/real-models
// bert-tiny-sst2-fhe, tinystories-656k, and N(0, 0.02)): Q4_0 0.202-0.206, Q5_0 0.221-0.222, between
// the flat-density 0.25 and the 0.125 of a density falling to zero at the block's maximum.
constexpr double kQ4_0ClipError = 0.204, kQ5_0ClipError = 0.221;
// The K-quants pick each sub-block's scale (and min) by a search minimising the rounding error
// (ggml's make_qkx2_quants / make_q3_quants / make_qx_quants): the grid sits where the values are
// and the error is below step^2 / 12. The fraction (actual squared error over the uniform model
// from the stored scales) measured on the same three models with the generator's ggml-exact
// quantizers (node tools/gen/gguf/noise-fractions.mjs): Q2_K 0.792-0.800, Q3_K 0.922-0.930,
// Q4_K 0.771-0.779, Q5_K 0.856-0.861, Q6_K 0.826-0.839 (bert-tiny-sst2, tinystories-656k,
// N(0, 0.02)). Q2_K's four levels clip at both ends, which its min-and-scale search trades against
// rounding; Q3_K's signed grid has no min, hence the least gain.
constexpr double kQ2_KSearchFraction = 0.796, kQ3_KSearchFraction = 0.926, kQ4_KSearchFraction = 0.775,
                 kQ5_KSearchFraction = 0.858, kQ6_KSearchFraction = 0.832;
double block_rounding_noise(Dtype d, const uint8_t* block);

}  // namespace mp
