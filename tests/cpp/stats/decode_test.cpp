// Exact decoded values for hand-picked bit patterns of every decodable dtype, unaligned reads and
// the FP8 block-scale layout.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "stats/decode.h"

using mp::Dtype;
using mp::StreamView;

namespace {

StreamView view(const std::vector<uint8_t>& bytes, Dtype dt, uint64_t count) {
  StreamView s;
  s.data = bytes.data();
  s.dtype = dt;
  s.count = count;
  return s;
}

std::vector<uint8_t> u16_bytes(const std::vector<uint16_t>& v) {
  std::vector<uint8_t> out(v.size() * 2);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

// Decodes every pattern both ways (block and one-by-one) and checks against the expected values
// (NaN expected where the expected value is NaN).
void check_all(const std::vector<uint8_t>& bytes, Dtype dt, const std::vector<double>& expect) {
  StreamView s = view(bytes, dt, expect.size());
  std::vector<float> out(expect.size());
  mp::decode_f32(s, 0, expect.size(), out.data());
  for (size_t i = 0; i < expect.size(); ++i) {
    INFO("element " << i << " expected " << expect[i]);
    if (std::isnan(expect[i])) {
      CHECK(std::isnan(out[i]));
      CHECK(std::isnan(mp::decode_one(s, i)));
    } else {
      CHECK(out[i] == static_cast<float>(expect[i]));
      CHECK(mp::decode_one(s, i) == static_cast<float>(expect[i]));
      CHECK(std::signbit(out[i]) == std::signbit(expect[i]));
    }
  }
}

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("F16 normals, subnormals, zeros, inf and nan decode exactly", "[decode]") {
  check_all(
      u16_bytes({0x3c00, 0xc000, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8001, 0x0000, 0x8000, 0x7c00,
                 0xfc00, 0x7e00, 0x3555}),
      Dtype::F16,
      {1.0, -2.0, 65504.0, std::ldexp(1.0, -14), std::ldexp(1.0, -24), 1023 * std::ldexp(1.0, -24),
       -std::ldexp(1.0, -24), 0.0, -0.0, kInf, -kInf, kNaN, 0.333251953125});
}

TEST_CASE("BF16 is the top half of an f32", "[decode]") {
  check_all(
      u16_bytes({0x3f80, 0xbf80, 0x4049, 0x0001, 0x7f7f, 0x7f80, 0xff80, 0x7fc0, 0x8000, 0x3f19}),
      Dtype::BF16,
      {1.0, -1.0, 3.140625, std::ldexp(1.0, -133), 3.3895313892515355e38, kInf, -kInf, kNaN, -0.0,
       0.59765625});
}

TEST_CASE("F8_E4M3 (float8_e4m3fn): max 448, subnormals, NaN only at S.1111.111, no inf",
          "[decode]") {
  // 0x7e = 0.1111.110 = 1.75 * 2^8 = 448; 0x78 = 0.1111.000 = 256 (a finite value, not inf)
  check_all({0x38, 0xb8, 0x7e, 0xfe, 0x78, 0x7f, 0xff, 0x01, 0x07, 0x08, 0x00, 0x80, 0x3c, 0x33},
            Dtype::F8_E4M3,
            {1.0, -1.0, 448.0, -448.0, 256.0, kNaN, kNaN, std::ldexp(1.0, -9),
             7 * std::ldexp(1.0, -9), std::ldexp(1.0, -6), 0.0, -0.0, 1.5, 0.6875});
}

TEST_CASE("F8_E5M2: IEEE-like with inf, NaN and subnormals", "[decode]") {
  check_all({0x3c, 0xbc, 0x7b, 0x7c, 0xfc, 0x7d, 0x7f, 0x01, 0x03, 0x04, 0x00, 0x80, 0x3e},
            Dtype::F8_E5M2,
            {1.0, -1.0, 57344.0, kInf, -kInf, kNaN, kNaN, std::ldexp(1.0, -16),
             3 * std::ldexp(1.0, -16), std::ldexp(1.0, -14), 0.0, -0.0, 1.5});
}

TEST_CASE("F32 and F64 read from unaligned bytes, F64 narrows to f32 but decode_one keeps f64",
          "[decode]") {
  const double d[3] = {0.1, -1e300, 3.5};
  std::vector<uint8_t> bytes(1 + sizeof d);
  std::memcpy(bytes.data() + 1, d, sizeof d);  // offset by one byte: misaligned on purpose
  StreamView s;
  s.data = bytes.data() + 1;
  s.dtype = Dtype::F64;
  s.count = 3;
  float out[3];
  mp::decode_f32(s, 0, 3, out);
  CHECK(out[0] == 0.1f);
  CHECK(std::isinf(out[1]));  // out of f32 range: the kernel counts it as non-finite
  CHECK(out[2] == 3.5f);
  CHECK(mp::decode_one(s, 0) == 0.1);
  CHECK(mp::decode_one(s, 1) == -1e300);

  const float f[4] = {1.25f, -0.0f, 1e-45f, 7.0f};
  std::vector<uint8_t> fb(3 + sizeof f);
  std::memcpy(fb.data() + 3, f, sizeof f);
  StreamView sf;
  sf.data = fb.data() + 3;
  sf.dtype = Dtype::F32;
  sf.count = 4;
  float o[2];
  mp::decode_f32(sf, 2, 2, o);  // offset into the stream
  CHECK(o[0] == 1e-45f);
  CHECK(o[1] == 7.0f);
  CHECK(std::signbit(mp::decode_one(sf, 1)));
}

TEST_CASE("FP8 block scales: index (first_row + i/row_len)/block_rows, (i % row_len)/block_cols",
          "[decode]") {
  // A [5 x 6] weight with 2x4 blocks: scale tensor [ceil(5/2)=3, ceil(6/4)=2]. Every element is
  // 1.0 (0x38 in E4M3), so the decoded value is its block's scale.
  const float scales[3][2] = {{1, 2}, {3, 4}, {5, 6}};
  std::vector<uint8_t> scale_bytes(sizeof scales);
  std::memcpy(scale_bytes.data(), scales, sizeof scales);
  // The sample starts at row 1 (rows 1..4 fetched): 4 rows * 6 = 24 elements.
  std::vector<uint8_t> data(24, 0x38);
  data[7] = 0xb8;  // row 2, col 1 -> -1
  StreamView s;
  s.data = data.data();
  s.dtype = Dtype::F8_E4M3;
  s.count = 24;
  s.scale = scale_bytes.data();
  s.scale_dtype = Dtype::F32;
  s.row_len = 6;
  s.first_row = 1;
  s.block_rows = 2;
  s.block_cols = 4;
  std::vector<float> out(24);
  mp::decode_f32(s, 0, 24, out.data());
  for (int i = 0; i < 24; ++i) {
    const int row = 1 + i / 6, col = i % 6;
    const float sign = i == 7 ? -1.0f : 1.0f;
    INFO("row " << row << " col " << col);
    CHECK(out[i] == sign * scales[row / 2][col / 4]);
    CHECK(mp::decode_one(s, i) == sign * scales[row / 2][col / 4]);
  }
  // A partial decode starting mid-row picks up the same scales.
  float part[5];
  mp::decode_f32(s, 9, 5, part);  // elements 9..13: row 2 cols 3..5, row 3 cols 0..1
  CHECK(part[0] == 3.0f);
  CHECK(part[1] == 4.0f);
  CHECK(part[2] == 4.0f);
  CHECK(part[3] == 3.0f);
  CHECK(part[4] == 3.0f);

  // BF16 scales (0x4000 = 2.0, 0x3f00 = 0.5) with E5M2 data (0x3c = 1.0).
  const uint16_t bscales[2] = {0x4000, 0x3f00};
  std::vector<uint8_t> bs(5);  // unaligned scale tensor
  std::memcpy(bs.data() + 1, bscales, 4);
  std::vector<uint8_t> d2(4, 0x3c);
  StreamView t;
  t.data = d2.data();
  t.dtype = Dtype::F8_E5M2;
  t.count = 4;
  t.scale = bs.data() + 1;
  t.scale_dtype = Dtype::BF16;
  t.row_len = 2;
  t.block_rows = 1;
  t.block_cols = 2;
  float o2[4];
  mp::decode_f32(t, 0, 4, o2);
  CHECK(o2[0] == 2.0f);
  CHECK(o2[1] == 2.0f);
  CHECK(o2[2] == 0.5f);
  CHECK(o2[3] == 0.5f);
}
