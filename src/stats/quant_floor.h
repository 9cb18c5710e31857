// The quantization floor: what a ggml block quantization of the suspect alone does to the fit.
// If C = quantize(alpha A + (1 - alpha) B) is a perfect merge (or a pure quantization, alpha = 1),
// the measured delta D = C - B is the true delta plus the quantization error e, whose energy
// (the block scales' step^2 / 12 per element, stats/ggml_quant.h) is `noise`. The error is
// independent of d = A - B, so
//   cos_floor = sqrt(1 - noise / ||D||^2)       the best cos_fit such a C can reach
//   alpha_se  = sqrt(noise / (n ||d||^2))       the spread quantization alone gives alpha
// (with alpha = <D, d> / ||d||^2, var = sum d_i^2 s_i^2 / ||d||^4 = mean s^2 / ||d||^2; with k
// parents the least-squares covariance mean s^2 G^-1, G the parents' deltas' Gram). A Q4_0
// merge's cos_fit of 0.17 is a perfect merge, not "no merge", when its floor says so. The uniform
// model is close for 8-bit grids (a Q8_0 copy of tinystories-656k: 0.9943 measured, 0.9942
// floor) and approximate for 4-bit ones, whose largest element per block is exact and whose far
// side clips (block_rounding_noise accounts for both: a Q4_0 0.3 merge measured 0.171, floor
// 0.166; it was 0.143 under the plain step^2 / 12).
#pragma once
#include <cstdint>

#include "stats/kernel.h"  // Moments, kMaxParents

namespace mp {

struct QuantFloor {
  bool quantized = false;  // the suspect's sampled elements are in a ggml block type
  double noise = 0;        // summed quantization noise energy over the sampled elements
  uint64_t elements = 0;   // sampled elements the noise covers
  double cos_floor = 1;    // from noise and ||D||^2 (1 when not quantized)
  double alpha_se[kMaxParents] = {};  // per parent (NaN when undefined)
  void add(const QuantFloor& o) {
    quantized = quantized || o.quantized;
    noise += o.noise;
    elements += o.elements;
  }
};

// The fit's residual energy over the quantization noise, (1 - cos_fit^2) / (1 - cos_floor^2): 1
// when C is a perfect merge (or copy) quantized, above 1 by the energy of whatever else changed C,
// in units of the noise. Better conditioned than cos_fit / cos_floor where the noise dominates
// (4-bit grids over a fine-tune's delta: cos_floor 0.15, where 1% of noise moves the floor 0.03).
// NaN when the suspect is not quantized or has no noise.
double noise_ratio(double cos_fit, const QuantFloor& q);

// Fills cos_floor and alpha_se from noise/elements and the measured Gram (||D||^2 and the parents'
// deltas' Gram) over the same tensors.
void finish_quant_floor(QuantFloor& q, const Moments& m);

}  // namespace mp
