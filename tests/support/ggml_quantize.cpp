#include "ggml_quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "stats/half.h"

namespace mp_test {

std::vector<uint8_t> quantize_q8_0(const float* x, uint64_t n) {
  std::vector<uint8_t> out(n / 32 * 34);
  for (uint64_t i = 0; i < n / 32; ++i) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[i * 32 + j]));
    const float d = amax / ((1 << 7) - 1);
    const float id = d ? 1.0f / d : 0.0f;
    uint8_t* b = out.data() + i * 34;
    const uint16_t h = mp::f32_to_f16(d);
    std::memcpy(b, &h, 2);
    for (int j = 0; j < 32; ++j) b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::roundf(x[i * 32 + j] * id)));
  }
  return out;
}

std::vector<uint8_t> quantize_q4_0(const float* x, uint64_t n) {
  std::vector<uint8_t> out(n / 32 * 18);
  for (uint64_t i = 0; i < n / 32; ++i) {
    const float* v = x + i * 32;
    float amax = 0.0f, max = 0.0f;  // absolute max, and the value that has it (its sign kept)
    for (int j = 0; j < 32; ++j)
      if (amax < std::fabs(v[j])) {
        amax = std::fabs(v[j]);
        max = v[j];
      }
    const float d = max / -8;
    const float id = d ? 1.0f / d : 0.0f;
    uint8_t* b = out.data() + i * 18;
    const uint16_t h = mp::f32_to_f16(d);
    std::memcpy(b, &h, 2);
    for (int j = 0; j < 16; ++j) {
      const float x0 = v[j] * id, x1 = v[16 + j] * id;
      const uint8_t xi0 = static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>(x0 + 8.5f)));
      const uint8_t xi1 = static_cast<uint8_t>(std::min<int8_t>(15, static_cast<int8_t>(x1 + 8.5f)));
      b[2 + j] = xi0 | (xi1 << 4);
    }
  }
  return out;
}

namespace {

// ggml's nearest_int: 1.5 * 2^23 added in f32, the mantissa read (round half to even).
int nearest_int(float v) {
  const float f = v + 12582912.f;
  int32_t i;
  std::memcpy(&i, &f, 4);
  return (i & 0x007fffff) - 0x00400000;
}

// make_qkx2_quants: a sub-block's scale and (negated) min by a weighted search over nstep + 1
// candidate scales; L gets the levels. `min` moves as the search improves, as in ggml.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L, float* the_min,
                       float rmin, float rdelta, int nstep) {
  float min = x[0], max = x[0], sum_w = weights[0], sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.f;
  }
  float iscale = nmax / (max - min), scale = 1 / iscale, best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearest_int(iscale * (x[i] - min));
    L[i] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
    float diff = scale * L[i] + min - x[i];
    diff = diff * diff;
    best_error += weights[i] * diff;
  }
  uint8_t aux[32];
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = std::max(0, std::min(nmax, nearest_int(iscale * (x[i] - min))));
      aux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      sum_l += w * l;
      sum_l2 += w * l * l;
      sum_xl += w * l * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * aux[i] + this_min - x[i];
        diff = diff * diff;
        cur += weights[i] * diff;
      }
      if (cur < best_error) {
        for (int i = 0; i < n; ++i) L[i] = aux[i];
        best_error = cur;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
  }
}

}  // namespace

std::vector<uint8_t> quantize_q4_k(const float* x, uint64_t n) {
  std::vector<uint8_t> out(n / 256 * 144, 0);
  for (uint64_t i = 0; i < n / 256; ++i) {
    const float* v = x + i * 256;
    uint8_t* b = out.data() + i * 144;
    uint8_t L[256], *sc = b + 4;
    float weights[32], mins[8], scales[8], max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
      float sum_x2 = 0;
      for (int l = 0; l < 32; ++l) sum_x2 += v[32 * j + l] * v[32 * j + l];
      const float av_x = std::sqrt(sum_x2 / 32);
      for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(v[32 * j + l]);
      scales[j] = make_qkx2_quants(32, 15, v + 32 * j, weights, L + 32 * j, &mins[j], -1.f, 0.1f, 20);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; ++j) {
      const uint8_t ls = static_cast<uint8_t>(std::min(63, nearest_int(inv_scale * scales[j])));
      const uint8_t lm = static_cast<uint8_t>(std::min(63, nearest_int(inv_min * mins[j])));
      if (j < 4) {
        sc[j] = ls;
        sc[j + 4] = lm;
      } else {
        sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
        sc[j - 4] |= ((ls >> 4) << 6);
        sc[j - 0] |= ((lm >> 4) << 6);
      }
    }
    const uint16_t hd = mp::f32_to_f16(max_scale / 63.f), hm = mp::f32_to_f16(max_min / 63.f);
    std::memcpy(b, &hd, 2);
    std::memcpy(b + 2, &hm, 2);
    const float d_all = mp::f16_to_f32(hd), dmin_all = mp::f16_to_f32(hm);
    for (int j = 0; j < 8; ++j) {
      uint8_t s, m;
      scale_min_k4(j, sc, &s, &m);
      const float d = d_all * s;
      if (!d) continue;
      const float dm = dmin_all * m;
      for (int ii = 0; ii < 32; ++ii) {
        const int l = nearest_int((v[32 * j + ii] + dm) / d);
        L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(15, l)));
      }
    }
    uint8_t* q = b + 16;
    for (int j = 0; j < 256; j += 64) {
      for (int l = 0; l < 32; ++l) q[l] = L[j + l] | (L[j + l + 32] << 4);
      q += 32;
    }
  }
  return out;
}

}  // namespace mp_test
