#include "ggml_quantize.h"

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

}  // namespace mp_test
