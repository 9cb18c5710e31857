// ggml's dequantize_row_* for Q4_0 ... Q6_K, block by block. Block layouts (ggml-common.h), all
// fields little-endian and packed:
//   Q4_0 {f16 d; u8 qs[16]}                 x = (nibble - 8) * d; low nibbles are 0-15, high 16-31
//   Q4_1 {f16 d, m; u8 qs[16]}              x = nibble * d + m
//   Q5_0 {f16 d; u8 qh[4]; u8 qs[16]}       5th bit j from qh (bit j for 0-15, bit j+16 for 16-31)
//   Q5_1 {f16 d, m; u8 qh[4]; u8 qs[16]}
//   Q8_0 {f16 d; i8 qs[32]}                 x = q * d
//   Q2_K {u8 scales[16]; u8 qs[64]; f16 d, dmin}        16 sub-blocks of 16, 4-bit scale and min
//   Q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d} 16 sub-blocks, 6-bit signed scales
//   Q4_K {f16 d, dmin; u8 scales[12]; u8 qs[128]}        8 sub-blocks of 32, 6-bit scale and min
//   Q5_K {f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}
//   Q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}   16 sub-blocks, 8-bit signed scales
// The loops are ggml's, kept in its shape so a reader can check them line by line.
#include "stats/ggml_quant.h"

#include <cstring>
#include <limits>

#include "stats/half.h"

namespace mp {
namespace {

float f16_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_f32(h);
}

void q4_0(const uint8_t* b, float* y) {
  const float d = f16_at(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    const int x0 = (qs[j] & 0x0F) - 8;
    const int x1 = (qs[j] >> 4) - 8;
    y[j + 0] = x0 * d;
    y[j + 16] = x1 * d;
  }
}

void q4_1(const uint8_t* b, float* y) {
  const float d = f16_at(b), m = f16_at(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    const int x0 = qs[j] & 0x0F;
    const int x1 = qs[j] >> 4;
    y[j + 0] = x0 * d + m;
    y[j + 16] = x1 * d + m;
  }
}

void q5_0(const uint8_t* b, float* y) {
  const float d = f16_at(b);
  uint32_t qh;
  std::memcpy(&qh, b + 2, 4);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const uint8_t xh_0 = ((qh >> (j + 0)) << 4) & 0x10;
    const uint8_t xh_1 = ((qh >> (j + 12))) & 0x10;
    const int32_t x0 = ((qs[j] & 0x0F) | xh_0) - 16;
    const int32_t x1 = ((qs[j] >> 4) | xh_1) - 16;
    y[j + 0] = x0 * d;
    y[j + 16] = x1 * d;
  }
}

void q5_1(const uint8_t* b, float* y) {
  const float d = f16_at(b), m = f16_at(b + 2);
  uint32_t qh;
  std::memcpy(&qh, b + 4, 4);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    const uint8_t xh_0 = ((qh >> (j + 0)) << 4) & 0x10;
    const uint8_t xh_1 = ((qh >> (j + 12))) & 0x10;
    const int x0 = (qs[j] & 0x0F) | xh_0;
    const int x1 = (qs[j] >> 4) | xh_1;
    y[j + 0] = x0 * d + m;
    y[j + 16] = x1 * d + m;
  }
}

void q8_0(const uint8_t* b, float* y) {
  const float d = f16_at(b);
  const int8_t* qs = reinterpret_cast<const int8_t*>(b + 2);
  for (int j = 0; j < 32; ++j) y[j] = qs[j] * d;
}

void q2_k(const uint8_t* b, float* y) {
  const uint8_t* scales = b;
  const uint8_t* q = b + 16;
  const float d = f16_at(b + 80), min = f16_at(b + 82);
  int is = 0;
  for (int n = 0; n < 256; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      uint8_t sc = scales[is++];
      float dl = d * (sc & 0xF), ml = min * (sc >> 4);
      for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l] >> shift) & 3)) - ml;
      sc = scales[is++];
      dl = d * (sc & 0xF);
      ml = min * (sc >> 4);
      for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l + 16] >> shift) & 3)) - ml;
      shift += 2;
    }
    q += 32;
  }
}

// Q3_K's 16 6-bit scales, unpacked from 12 bytes as ggml does (kmask1/kmask2).
void q3_k_scales(const uint8_t* packed, int8_t* scales) {
  const uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
  uint32_t aux[4];
  std::memcpy(aux, packed, 12);
  const uint32_t tmp = aux[2];
  aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
  aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
  aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
  aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
  std::memcpy(scales, aux, 16);
}

void q3_k(const uint8_t* b, float* y) {
  const uint8_t* hm = b;
  const uint8_t* q = b + 32;
  int8_t scales[16];
  q3_k_scales(b + 96, scales);
  const float d_all = f16_at(b + 108);
  uint8_t m = 1;
  int is = 0;
  for (int n = 0; n < 256; n += 128) {
    int shift = 0;
    for (int j = 0; j < 4; ++j) {
      float dl = d_all * (scales[is++] - 32);
      for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l + 0] >> shift) & 3) - ((hm[l + 0] & m) ? 0 : 4));
      dl = d_all * (scales[is++] - 32);
      for (int l = 0; l < 16; ++l) *y++ = dl * ((int8_t)((q[l + 16] >> shift) & 3) - ((hm[l + 16] & m) ? 0 : 4));
      shift += 2;
      m <<= 1;
    }
    q += 32;
  }
}

// get_scale_min_k4: the 6-bit scale and min of sub-block j of Q4_K/Q5_K.
void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
  }
}

void q4_k(const uint8_t* b, float* y) {
  const float d = f16_at(b), min = f16_at(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* q = b + 16;
  int is = 0;
  uint8_t sc, m;
  for (int j = 0; j < 256; j += 64) {
    scale_min_k4(is + 0, scales, &sc, &m);
    const float d1 = d * sc, m1 = min * m;
    scale_min_k4(is + 1, scales, &sc, &m);
    const float d2 = d * sc, m2 = min * m;
    for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    q += 32;
    is += 2;
  }
}

void q5_k(const uint8_t* b, float* y) {
  const float d = f16_at(b), min = f16_at(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* ql = b + 48;
  int is = 0;
  uint8_t sc, m;
  uint8_t u1 = 1, u2 = 2;
  for (int j = 0; j < 256; j += 64) {
    scale_min_k4(is + 0, scales, &sc, &m);
    const float d1 = d * sc, m1 = min * m;
    scale_min_k4(is + 1, scales, &sc, &m);
    const float d2 = d * sc, m2 = min * m;
    for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    ql += 32;
    is += 2;
    u1 <<= 2;
    u2 <<= 2;
  }
}

void q6_k(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = f16_at(b + 208);
  for (int n = 0; n < 256; n += 128) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int8_t q1 = (int8_t)((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const int8_t q2 = (int8_t)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const int8_t q3 = (int8_t)((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const int8_t q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l + 0] = d * sc[is + 0] * q1;
      y[l + 32] = d * sc[is + 2] * q2;
      y[l + 64] = d * sc[is + 4] * q3;
      y[l + 96] = d * sc[is + 6] * q4;
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

using BlockFn = void (*)(const uint8_t*, float*);

BlockFn block_fn(Dtype d) {
  switch (d) {
    case Dtype::Q4_0: return q4_0;
    case Dtype::Q4_1: return q4_1;
    case Dtype::Q5_0: return q5_0;
    case Dtype::Q5_1: return q5_1;
    case Dtype::Q8_0: return q8_0;
    case Dtype::Q2_K: return q2_k;
    case Dtype::Q3_K: return q3_k;
    case Dtype::Q4_K: return q4_k;
    case Dtype::Q5_K: return q5_k;
    case Dtype::Q6_K: return q6_k;
    default: return nullptr;
  }
}

// Sum over `n` elements of step^2 / 12 (a uniform rounding error in [-step/2, step/2]).
double uniform_noise(double step, double n) { return n * step * step / 12.0; }

// Elements of a Q4_0 / Q5_0 block on the far end of the grid (the clipped side).
unsigned far_end_count(Dtype d, const uint8_t* b) {
  float y[32];
  (d == Dtype::Q4_0 ? q4_0 : q5_0)(b, y);
  const float dd = f16_at(b), top = d == Dtype::Q4_0 ? 7.0f : 15.0f;
  unsigned n = 0;
  for (float v : y) n += dd != 0 && v == top * dd;
  return n;
}

}  // namespace

double block_rounding_noise(Dtype d, const uint8_t* b) {
  switch (d) {
    // The element of largest magnitude is exact (it sets d); the rest round.
    case Dtype::Q8_0: return uniform_noise(f16_at(b), 31);
    case Dtype::Q4_0:
    case Dtype::Q5_0: {
      const double step = f16_at(b);
      const unsigned far = far_end_count(d, b);
      const double clip = d == Dtype::Q4_0 ? kQ4_0ClipError : kQ5_0ClipError;
      return uniform_noise(step, 31.0 - far) + clip * step * step * far;
    }
    // d = (max - min) / (2^bits - 1) with m = min: both extremes are exact.
    case Dtype::Q4_1:
    case Dtype::Q5_1: return uniform_noise(f16_at(b), 30);
    case Dtype::Q2_K: {
      const double dd = f16_at(b + 80);
      double sum = 0;
      for (int i = 0; i < 16; ++i) sum += uniform_noise(dd * (b[i] & 0xF), 16);
      return kQ2_KSearchFraction * sum;
    }
    case Dtype::Q3_K: {
      int8_t scales[16];
      q3_k_scales(b + 96, scales);
      const double dd = f16_at(b + 108);
      double sum = 0;
      for (int i = 0; i < 16; ++i) sum += uniform_noise(dd * (scales[i] - 32), 16);
      return kQ3_KSearchFraction * sum;
    }
    case Dtype::Q4_K:
    case Dtype::Q5_K: {
      const double dd = f16_at(b);
      double sum = 0;
      uint8_t sc, m;
      for (int j = 0; j < 8; ++j) {
        scale_min_k4(j, b + 4, &sc, &m);
        sum += uniform_noise(dd * sc, 32);
      }
      return (d == Dtype::Q4_K ? kQ4_KSearchFraction : kQ5_KSearchFraction) * sum;
    }
    case Dtype::Q6_K: {
      const double dd = f16_at(b + 208);
      double sum = 0;
      for (int i = 0; i < 16; ++i) sum += uniform_noise(dd * static_cast<int8_t>(b[192 + i]), 16);
      return kQ6_KSearchFraction * sum;
    }
    default: return 0;
  }
}

void dequantize_blocks(Dtype d, const uint8_t* blocks, size_t n_blocks, float* out) {
  const BlockFn fn = block_fn(d);
  const unsigned be = dtype_block_elements(d), bb = dtype_block_bytes(d);
  if (!fn) {
    for (size_t i = 0; i < n_blocks * be; ++i) out[i] = std::numeric_limits<float>::quiet_NaN();
    return;
  }
  for (size_t i = 0; i < n_blocks; ++i) fn(blocks + i * bb, out + i * be);
}

}  // namespace mp
