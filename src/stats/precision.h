// The suspect's precision, shared by the method signals and the kept sets: the ulp of a value,
// whether C holds B's value at its own precision, and rounding f32 to a dtype as torch casts.
#pragma once
#include "format/dtype.h"

namespace mp {

// Explicit mantissa bits and the smallest normal exponent of the suspect's dtype: the ulp of a
// value x is 2^(max(floor(log2|x|), emin) - mantissa_bits).
struct Precision {
  int mantissa_bits;
  int emin;
};
Precision precision_of(Dtype d);
// 2^(max(floor(log2|x|), emin) - mantissa_bits); emin's for 0.
double ulp_at(double x, Precision pr);
// c == b, or with `coarser` (C has fewer mantissa bits than B) c == round(b) to C's precision.
bool at_base(float c, float b, Precision pr, bool coarser);
float round_bf16(float x);
float round_f16(float x);
float round_to(Dtype d, float x);

// One unit in the last place of `x` in dtype `d` (its smallest normal exponent for 0 and below).
double ulp_of(Dtype d, double x);

// C holds B's value at C's own precision: c == b, or, when C's dtype has fewer mantissa bits than
// B's, c == round(b) to C's dtype (a merge computed in f32 from an f32 base and stored in BF16,
// mergekit's out_dtype, leaves its dropped elements at round(B), not at B).
bool left_at_base(float c, float b, Dtype c_dtype, Dtype b_dtype);

}  // namespace mp
