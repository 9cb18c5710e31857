// The suspect's precision: ulps, "left at B" and rounding to a dtype (precision.h).
#include "stats/precision.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mp {

Precision precision_of(Dtype d) {
  switch (d) {
    case Dtype::BF16: return {7, -126};
    case Dtype::F16: return {10, -14};
    case Dtype::F8_E4M3: return {3, -6};
    case Dtype::F8_E5M2: return {2, -14};
    case Dtype::F64: return {52, -1022};
    case Dtype::F32:
    default: return {23, -126};
  }
}

// C is "left at B" where it holds B's value at C's own precision: a merge computed in f32 from an
// f32 base and stored in BF16 (mergekit out_dtype) leaves dropped elements at round(B), not B.
// `coarser`: C's dtype has fewer mantissa bits than B's (else only c == b counts).
bool at_base(float c, float b, Precision pr, bool coarser) {
  if (c == b) return true;
  if (!coarser || b == 0) return false;
  const double q = ulp_at(std::fabs(double(b)), pr);
  return double(c) == std::nearbyint(double(b) / q) * q;  // round to nearest, ties to even
}

double ulp_at(double x, Precision pr) {
  int e = 0;
  std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1): floor(log2|x|) = e - 1 (0 gives e = 0)
  const int expo = (x == 0) ? pr.emin : std::max(e - 1, pr.emin);
  return std::ldexp(1.0, expo - pr.mantissa_bits);
}

// Rounding f32 to C's dtype, round-to-nearest-even, as torch does when it casts.
float round_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) == 0x7f800000u) {
    if (u & 0x7fffffu) u |= 0x400000u;  // NaN stays NaN (quiet)
  } else {
    u += 0x7fffu + ((u >> 16) & 1u);
  }
  u &= 0xffff0000u;
  float r;
  std::memcpy(&r, &u, 4);
  return r;
}

// f32 -> IEEE binary16 -> f32 with round-to-nearest-even, overflow to inf, gradual underflow.
float round_f16(float x) {
  if (!std::isfinite(x)) return x;
  const float ax = std::fabs(x);
  if (ax >= 65520.0f) return std::copysign(INFINITY, x);  // halfway above 65504 rounds to inf
  int e = 0;
  std::frexp(ax, &e);
  // ulp for a normal half at this magnitude is 2^(e-1-10); subnormals share 2^-24.
  const int expo = std::max(e - 1, -14) - 10;
  const float q = std::ldexp(ax, -expo);  // exact: a power-of-two scaling
  const float r = std::nearbyint(q);      // default rounding mode: to nearest, ties to even
  return std::copysign(std::ldexp(r, expo), x);
}

double ulp_of(Dtype d, double x) { return ulp_at(x, precision_of(d)); }

bool left_at_base(float c, float b, Dtype c_dtype, Dtype b_dtype) {
  const Precision pr = precision_of(c_dtype);
  return at_base(c, b, pr, pr.mantissa_bits < precision_of(b_dtype).mantissa_bits);
}

// f32 rounded to dtype d (BF16, F16; any other is returned as is).
float round_to(Dtype d, float x) {
  switch (d) {
    case Dtype::BF16: return round_bf16(x);
    case Dtype::F16: return round_f16(x);
    default: return x;
  }
}

}  // namespace mp
