// IEEE binary16 <-> binary32, exactly as ggml's GGML_FP16_TO_FP32 / GGML_FP32_TO_FP16 (the
// scalar fallbacks in ggml-impl.h): widening is exact, narrowing rounds to nearest even.
#pragma once
#include <cstdint>
#include <cstring>

namespace mp {

inline float bits_to_f32(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// 1 sign, 5 exponent (bias 15), 10 mantissa bits.
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  if (exp == 0) {
    // zero or subnormal: man * 2^-24, exact in f32
    const float mag = static_cast<float>(man) * 0x1p-24f;
    return sign ? -mag : mag;
  }
  if (exp == 31) return bits_to_f32(sign | 0x7f800000u | (man << 13));  // inf, or nan keeping payload
  return bits_to_f32(sign | ((exp + 112u) << 23) | (man << 13));         // rebias 15 -> 127
}

// Round to nearest even, overflow to inf, NaN kept quiet (ggml_compute_fp32_to_fp16's bit trick).
inline uint16_t f32_to_f16(float f) {
  const float scale_to_inf = 0x1.0p+112f;
  const float scale_to_zero = 0x1.0p-110f;
  uint32_t w;
  std::memcpy(&w, &f, 4);
  float abs_f;
  const uint32_t abs_w = w & 0x7fffffffu;
  std::memcpy(&abs_f, &abs_w, 4);
  float base = (abs_f * scale_to_inf) * scale_to_zero;
  const uint32_t shl1_w = w + w;
  const uint32_t sign = w & 0x80000000u;
  uint32_t bias = shl1_w & 0xff000000u;
  if (bias < 0x71000000u) bias = 0x71000000u;
  base = bits_to_f32((bias >> 1) + 0x07800000u) + base;
  uint32_t bits;
  std::memcpy(&bits, &base, 4);
  const uint32_t exp_bits = (bits >> 13) & 0x00007c00u;
  const uint32_t mantissa_bits = bits & 0x00000fffu;
  const uint32_t nonsign = exp_bits + mantissa_bits;
  return static_cast<uint16_t>((sign >> 16) | (shl1_w > 0xff000000u ? 0x7e00u : nonsign));
}

}  // namespace mp
