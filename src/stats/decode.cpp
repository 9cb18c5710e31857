// Element decoding for every dtype the statistics read. Bytes come straight from fetched ranges,
// so they can sit at any alignment: every load is a memcpy (compilers turn it into a plain load).
#include "stats/decode.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "stats/ggml_quant.h"
#include "stats/half.h"

namespace mp {
namespace {

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// bf16 is the top half of an f32: widening is exact.
float bf16_to_f32(uint16_t h) { return bits_to_f32(static_cast<uint32_t>(h) << 16); }

// torch.float8_e4m3fn: 1 sign, 4 exponent (bias 7), 3 mantissa bits. No infinities; S.1111.111 is
// NaN, so the largest finite value is 1.75 * 2^8 = 448. Subnormals: man * 2^-9.
float e4m3_to_f32(uint8_t b) {
  const bool neg = b & 0x80u;
  const int exp = (b >> 3) & 0xf;
  const int man = b & 0x7;
  float mag;
  if (exp == 15 && man == 7) return std::numeric_limits<float>::quiet_NaN();
  if (exp == 0)
    mag = std::ldexp(static_cast<float>(man), -9);
  else
    mag = std::ldexp(1.0f + man / 8.0f, exp - 7);
  return neg ? -mag : mag;
}

// torch.float8_e5m2: 1 sign, 5 exponent (bias 15), 2 mantissa bits; IEEE-like, exponent 31 holds
// inf (mantissa 0) and NaN. Subnormals: man * 2^-16.
float e5m2_to_f32(uint8_t b) {
  const bool neg = b & 0x80u;
  const int exp = (b >> 2) & 0x1f;
  const int man = b & 0x3;
  float mag;
  if (exp == 31) {
    if (man != 0) return std::numeric_limits<float>::quiet_NaN();
    mag = std::numeric_limits<float>::infinity();
  } else if (exp == 0) {
    mag = std::ldexp(static_cast<float>(man), -16);
  } else {
    mag = std::ldexp(1.0f + man / 4.0f, exp - 15);
  }
  return neg ? -mag : mag;
}

// 256-entry tables: an FP8 byte decodes with one lookup.
struct Fp8Tables {
  std::array<float, 256> e4m3, e5m2;
  Fp8Tables() {
    for (int i = 0; i < 256; ++i) {
      e4m3[i] = e4m3_to_f32(static_cast<uint8_t>(i));
      e5m2[i] = e5m2_to_f32(static_cast<uint8_t>(i));
    }
  }
};
const Fp8Tables& fp8_tables() {
  static const Fp8Tables tables;
  return tables;
}

// Decode without scales: n elements starting at byte pointer p.
void decode_plain(Dtype dtype, const uint8_t* p, size_t n, float* out) {
  switch (dtype) {
    case Dtype::F32: std::memcpy(out, p, n * sizeof(float)); return;
    case Dtype::F64:
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(load<double>(p + 8 * i));
      return;
    case Dtype::BF16:
      for (size_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load<uint16_t>(p + 2 * i));
      return;
    case Dtype::F16:
      for (size_t i = 0; i < n; ++i) out[i] = f16_to_f32(load<uint16_t>(p + 2 * i));
      return;
    case Dtype::F8_E4M3: {
      const auto& t = fp8_tables().e4m3;
      for (size_t i = 0; i < n; ++i) out[i] = t[p[i]];
      return;
    }
    case Dtype::F8_E5M2: {
      const auto& t = fp8_tables().e5m2;
      for (size_t i = 0; i < n; ++i) out[i] = t[p[i]];
      return;
    }
    default:
      // Not decodable: callers check dtype_supports_stats first. NaN makes misuse visible in the
      // statistics (the kernel counts non-finite elements) instead of reading garbage.
      for (size_t i = 0; i < n; ++i) out[i] = std::numeric_limits<float>::quiet_NaN();
      return;
  }
}

float scale_at(const StreamView& s, uint64_t block_row, uint64_t block_col) {
  const uint64_t block_cols_total = (s.row_len + s.block_cols - 1) / s.block_cols;
  const uint64_t idx = block_row * block_cols_total + block_col;
  if (s.scale_dtype == Dtype::BF16) return bf16_to_f32(load<uint16_t>(s.scale + 2 * idx));
  return load<float>(s.scale + 4 * idx);
}


// The stored row holding Hugging Face row `row` (absolute) of a tensor whose rows llama.cpp
// permuted within heads of h rows (convert_hf_to_gguf.py `permute`: HF row i of a head, i = half *
// h/2 + j, is stored at 2j + half). Identity when h is 0.
uint64_t stored_row(uint64_t row, uint64_t h) {
  if (h < 2) return row;
  const uint64_t head = row / h, i = row % h, half = h / 2;
  return head * h + 2 * (i % half) + i / half;
}

// Row by row, for block dtypes and permuted rows: each run of elements within one stored row is
// decoded from that row's bytes (a block type's blocks are dequantized whole, then cut).
void decode_rows(const StreamView& s, uint64_t offset, size_t n, float* out) {
  const uint64_t row_len = s.row_len ? s.row_len : 1;
  const uint64_t row_bytes = dtype_span_bytes(s.dtype, row_len);
  const bool block = dtype_is_block(s.dtype);
  const unsigned be = dtype_block_elements(s.dtype), bb = dtype_block_bytes(s.dtype);
  float tmp[kMaxBlockElements];
  size_t i = 0;
  while (i < n) {
    const uint64_t pos = offset + i;
    const uint64_t row = pos / row_len, col = pos % row_len;
    const uint64_t src = stored_row(s.first_row + row, s.head_rows) - s.first_row;
    const uint8_t* p = s.data + src * row_bytes;
    if (!block) {
      const size_t run = static_cast<size_t>(std::min<uint64_t>(row_len - col, n - i));
      decode_plain(s.dtype, p + col * dtype_bytes(s.dtype), run, out + i);
      i += run;
      continue;
    }
    const uint64_t blk = col / be, within = col % be;
    const size_t run = static_cast<size_t>(std::min<uint64_t>(be - within, n - i));
    if (within == 0 && run == be) {
      dequantize_blocks(s.dtype, p + blk * bb, 1, out + i);
    } else {
      dequantize_blocks(s.dtype, p + blk * bb, 1, tmp);
      std::memcpy(out + i, tmp + within, run * sizeof(float));
    }
    i += run;
  }
}

}  // namespace

void decode_f32(const StreamView& s, uint64_t offset, size_t n, float* out) {
  if (dtype_is_block(s.dtype) || s.head_rows > 1) {
    decode_rows(s, offset, n, out);
    return;
  }
  const unsigned eb = dtype_bytes(s.dtype);
  const uint8_t* p = s.data + offset * eb;
  decode_plain(s.dtype, p, n, out);
  if (!s.scale || n == 0) return;
  // Block dequantisation: walk runs of elements that share one scale (up to the end of a row or of
  // a column block), so the scale is read once per run, not per element.
  const uint64_t row_len = s.row_len ? s.row_len : 1;
  const uint32_t brows = s.block_rows ? s.block_rows : 1;
  const uint32_t bcols = s.block_cols ? s.block_cols : 1;
  size_t i = 0;
  while (i < n) {
    const uint64_t pos = offset + i;
    const uint64_t row = s.first_row + pos / row_len;
    const uint64_t col = pos % row_len;
    const uint64_t run_end_col = std::min<uint64_t>(row_len, (col / bcols + 1) * bcols);
    const size_t run = static_cast<size_t>(std::min<uint64_t>(run_end_col - col, n - i));
    const float sc = scale_at(s, row / brows, col / bcols);
    for (size_t j = 0; j < run; ++j) out[i + j] *= sc;
    i += run;
  }
}

double decode_one(const StreamView& s, uint64_t index) {
  if (s.dtype == Dtype::F64 && !s.scale) return load<double>(s.data + 8 * index);
  float v;
  decode_f32(s, index, 1, &v);
  return v;
}

}  // namespace mp
