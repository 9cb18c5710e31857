// Dequantization against ggml's own C: tests/fixtures/ggml-golden/dequant.txt holds, for every
// block type and a dozen inputs, the blocks ggml's reference quantizer made and the floats ggml's
// dequantize_row_* made of them (tests/support/ggml-golden/make-golden.sh). Ours must match bit
// for bit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/ggml_types.h"
#include "stats/ggml_quant.h"
#include "test_support.h"

using namespace mp;

namespace {

std::vector<uint8_t> unhex(const std::string& s) {
  std::vector<uint8_t> out(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

Dtype dtype_named(const std::string& name) {
  for (uint32_t id = 0; id < 64; ++id)
    if (const char* n = ggml_type_name(id); n && name == n) return *ggml_type_dtype(id);
  FAIL("unknown type " << name);
  return Dtype::F32;
}

}  // namespace

TEST_CASE("dequantization is bit-exact with ggml's dequantize_row_* for every block type", "[ggml_quant]") {
  std::ifstream in(mp_test::fixtures_dir() + "/ggml-golden/dequant.txt");
  REQUIRE(in.good());
  std::map<std::string, int> vectors;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string type, name, blocks_hex, values_hex;
    size_t n = 0;
    ls >> type >> name >> n >> blocks_hex >> values_hex;
    const Dtype d = dtype_named(type);
    const auto blocks = unhex(blocks_hex);
    const auto expected = unhex(values_hex);
    REQUIRE(blocks.size() == dtype_span_bytes(d, n));
    REQUIRE(expected.size() == 4 * n);
    std::vector<float> got(n);
    dequantize_blocks(d, blocks.data(), n / dtype_block_elements(d), got.data());
    size_t mismatches = 0;
    for (size_t i = 0; i < n; ++i) mismatches += std::memcmp(&got[i], expected.data() + 4 * i, 4) != 0;
    INFO(type << " " << name);
    CHECK(mismatches == 0);
    vectors[type] += 1;
  }
  // Every type the reader accepts is covered, each by the same dozen inputs.
  for (const char* t : {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"}) {
    INFO(t);
    CHECK(vectors[t] == 12);
  }
}

TEST_CASE("block rounding noise: step^2/12 per rounded element from the block scales", "[ggml_quant]") {
  // Q8_0 block with d = 0.5 (f16 0x3800): 31 rounded elements of 0.25 / 12, the largest exact.
  std::vector<uint8_t> q8(34, 0);
  q8[0] = 0x00;
  q8[1] = 0x38;
  CHECK(block_rounding_noise(Dtype::Q8_0, q8.data()) == Approx(31 * 0.25 / 12));
  // Q4_0 with d = 0.5: nibble 8 is 0, nibble 15 the clipped far end (7 d). Three elements there.
  std::vector<uint8_t> q4(18, 0x88);
  q4[0] = 0x00;
  q4[1] = 0x38;
  q4[2] = 0x8F;
  q4[3] = 0xF8;
  q4[4] = 0x8F;
  CHECK(block_rounding_noise(Dtype::Q4_0, q4.data()) == Approx(28 * 0.25 / 12 + 3 * kQ4_0ClipError * 0.25));
  // Q4_1: min and max both exact.
  std::vector<uint8_t> q41(20, 0);
  q41[1] = 0x38;
  CHECK(block_rounding_noise(Dtype::Q4_1, q41.data()) == Approx(30 * 0.25 / 12));
  // Q4_K with d = 1, all eight 6-bit scales 2 (sub-blocks 0-3 in bytes 0-3, 4-7 in the low nibbles
  // of bytes 8-11): 256 elements of 4 / 12, times the scale search's fraction.
  std::vector<uint8_t> q4k(144, 0);
  q4k[0] = 0x00;
  q4k[1] = 0x3c;
  for (int j = 0; j < 4; ++j) q4k[4 + j] = 2;
  for (int j = 8; j < 12; ++j) q4k[4 + j] = 2;
  CHECK(block_rounding_noise(Dtype::Q4_K, q4k.data()) == Approx(kQ4_KSearchFraction * 256 * 4.0 / 12));
  // Q5_K: the same scales layout as Q4_K, its own search fraction.
  std::vector<uint8_t> q5k(176, 0);
  std::copy(q4k.begin(), q4k.begin() + 16, q5k.begin());
  CHECK(block_rounding_noise(Dtype::Q5_K, q5k.data()) == Approx(kQ5_KSearchFraction * 256 * 4.0 / 12));
  // Q2_K with d = 1 (f16 at byte 80), every 4-bit scale 2: 16 sub-blocks of 16 at step 2.
  std::vector<uint8_t> q2k(84, 0);
  for (int j = 0; j < 16; ++j) q2k[j] = 0x72;  // min nibble 7 does not enter the step
  q2k[81] = 0x3c;
  CHECK(block_rounding_noise(Dtype::Q2_K, q2k.data()) == Approx(kQ2_KSearchFraction * 256 * 4.0 / 12));
  // Q3_K with d = 1 (f16 at byte 108), every 6-bit scale 34 (step 34 - 32 = 2): low nibbles 2 in
  // scales[0..7] (both halves), high two bits 2 in scales[8..11] (four per byte).
  std::vector<uint8_t> q3k(110, 0);
  for (int j = 0; j < 8; ++j) q3k[96 + j] = 0x22;
  for (int j = 8; j < 12; ++j) q3k[96 + j] = 0xAA;
  q3k[109] = 0x3c;
  CHECK(block_rounding_noise(Dtype::Q3_K, q3k.data()) == Approx(kQ3_KSearchFraction * 256 * 4.0 / 12));
  CHECK(block_rounding_noise(Dtype::F32, q8.data()) == 0);
}
