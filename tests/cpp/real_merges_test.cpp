// Real fine-tuning deltas (shared/real-models, BERT-tiny base v0 and its SST-2 and emotion
// fine-tunes): merges built in memory with known alpha are recovered, and the real control (two
// independent fine-tunes of one base) is not mistaken for a merge.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "stats/estimators.h"
#include "stats/method_signals.h"
#include "stats/kernel.h"
#include "format/safetensors_header.h"
#include "test_support.h"

using mp::Dtype;
using mp::StreamView;

namespace {

using Model = mp_test::RealModel;

Model load_model(const std::string& folder) {
  Model m = mp_test::load_real_model(folder);
  REQUIRE(!m.empty());
  return m;
}

// The base and the two fine-tunes, loaded once for all test cases.
struct Trio {
  Model base, sst2, emotion;
  std::vector<std::string> shared;  // tensors present in all three with one shape
};
const Trio& trio() {
  static const Trio t = [] {
    Trio x;
    x.base = load_model("bert-tiny-fhe-v0-weights");
    x.sst2 = load_model("bert-tiny-sst2-fhe");
    x.emotion = load_model("bert-tiny-emotion-fhe");
    for (const auto& [name, b] : x.base) {
      auto s = x.sst2.find(name);
      auto e = x.emotion.find(name);
      if (s != x.sst2.end() && e != x.emotion.end() && s->second.shape == b.shape &&
          e->second.shape == b.shape)
        x.shared.push_back(name);
    }
    return x;
  }();
  return t;
}

StreamView f32_view(const std::vector<float>& v) {
  StreamView s;
  s.data = reinterpret_cast<const uint8_t*>(v.data());
  s.dtype = Dtype::F32;
  s.count = v.size();
  return s;
}
StreamView bf16_view(const std::vector<uint8_t>& bytes) {
  StreamView s;
  s.data = bytes.data();
  s.dtype = Dtype::BF16;
  s.count = bytes.size() / 2;
  return s;
}

mp::Estimates fit(const StreamView& C, const StreamView& B, const StreamView& A) {
  mp::Moments m;
  mp::accumulate(C, B, &A, 1, m);
  REQUIRE(m.nonfinite == 0);
  return mp::estimate(m, C.dtype);
}

std::vector<float> linear_merge(const std::vector<float>& a, const std::vector<float>& b,
                                double alpha) {
  const float w = static_cast<float>(alpha), wb = static_cast<float>(1 - alpha);
  std::vector<float> c(a.size());
  for (size_t i = 0; i < a.size(); ++i) c[i] = w * a[i] + wb * b[i];
  return c;
}

}  // namespace

TEST_CASE("real models load: 24 shared encoder tensors", "[real]") {
  const Trio& t = trio();
  REQUIRE(t.base.size() == 24);
  REQUIRE(t.shared.size() == 24);
}

TEST_CASE("known linear merges of real fine-tunes are recovered, in F32 and rounded to BF16",
          "[real]") {
  const Trio& t = trio();
  for (double alpha : {0.1, 0.3, 0.571, 0.9})
    for (const std::string& name : t.shared) {
      const auto& b = t.base.at(name).values;
      const auto& a = t.sst2.at(name).values;
      const std::vector<float> c = linear_merge(a, b, alpha);
      INFO(name << " alpha " << alpha);
      const mp::Estimates e32 = fit(f32_view(c), f32_view(b), f32_view(a));
      REQUIRE_FALSE(e32.degenerate);
      REQUIRE(std::abs(e32.alpha[0] - alpha) < 1e-4);
      REQUIRE(e32.cos_fit > 0.999);

      const auto c16 = mp_test::bf16_bytes(c);
      const mp::Estimates e16 = fit(bf16_view(c16), f32_view(b), f32_view(a));
      // Whole matrices pin alpha to 0.01. On 128-element bias vectors, C's delta at alpha 0.1 is
      // below one bf16 ulp, so rounding alone moves alpha by ~0.01: hold those to their SE.
      if (c.size() >= 10'000) REQUIRE(std::abs(e16.alpha[0] - alpha) < 0.01);
      REQUIRE(std::abs(e16.alpha[0] - alpha) < std::max(0.01, 4 * e16.alpha_se[0]));
      // bf16 rounding caps cos_fit and the floor predicts the cap. It is an expectation: on the
      // 128-element bias vectors chance moves cos_fit by a few hundredths, so check matrices only.
      if (c.size() >= 10'000) {
        REQUIRE(e16.cos_fit <= e16.rounding_floor + 0.01);
        REQUIRE(e16.cos_fit >= e16.rounding_floor - 0.03);
      }
    }
}

TEST_CASE("the real control (emotion vs sst2 over v0) is far from a merge on every weight matrix",
          "[real]") {
  const Trio& t = trio();
  int matrices = 0;
  for (const std::string& name : t.shared) {
    const auto& shape = t.base.at(name).shape;
    const mp::Estimates e = fit(f32_view(t.emotion.at(name).values),
                                f32_view(t.base.at(name).values), f32_view(t.sst2.at(name).values));
    INFO(name << " cos_fit " << e.cos_fit << " alpha " << e.alpha[0]);
    REQUIRE_FALSE(e.degenerate);
    if (shape.size() == 2) {
      ++matrices;
      // Measured in f64 with NumPy: -0.033 .. 0.181 on the weight matrices (the README's
      // "0.11-0.18" holds for layer 0 only). Correlated through the shared base, nowhere near 1.
      REQUIRE(std::abs(e.cos_fit) < 0.7);
    }
    // Pinned to the NumPy f64 values, so the whole path (parser, kernel, estimator) is checked.
    if (name == "bert.encoder.layer.0.attention.output.dense.weight")
      REQUIRE(e.cos_fit == Approx(0.1587).margin(5e-4));
    if (name == "bert.encoder.layer.0.attention.output.dense.bias")
      REQUIRE(e.cos_fit == Approx(0.6184).margin(5e-4));
    if (name == "bert.encoder.layer.1.attention.self.value.weight")
      REQUIRE(e.cos_fit == Approx(-0.0334).margin(5e-4));
    REQUIRE(e.cos_fit < 0.9);  // bias vectors reach ~0.6
  }
  REQUIRE(matrices == 12);
}

TEST_CASE(
    "bit-exact: a BF16 fp32-then-round merge reproduces at its fitted alpha, the control does not",
    "[real]") {
  const Trio& t = trio();
  const double alpha = 0.571;
  uint64_t n = 0, merge_match = 0, control_match = 0, control16_match = 0;
  for (const std::string& name : t.shared) {
    const auto& b = t.base.at(name).values;
    const auto& a = t.sst2.at(name).values;
    const auto c16 = mp_test::bf16_bytes(linear_merge(a, b, alpha));
    const StreamView A = f32_view(a), B = f32_view(b);

    const mp::Estimates e = fit(bf16_view(c16), B, A);
    mp::BitExact x;
    mp::bit_exact(bf16_view(c16), B, &A, 1, e.alpha, x);
    REQUIRE(x.applicable);
    n += x.n;
    merge_match += x.match_fp32;

    const StreamView control = f32_view(t.emotion.at(name).values);
    const mp::Estimates ec = fit(control, B, A);
    mp::BitExact y;
    mp::bit_exact(control, B, &A, 1, ec.alpha, y);
    control_match += y.match_fp32;

    const auto control16 = mp_test::bf16_bytes(t.emotion.at(name).values);
    const mp::Estimates ec16 = fit(bf16_view(control16), B, A);
    mp::BitExact z;
    mp::bit_exact(bf16_view(control16), B, &A, 1, ec16.alpha, z);
    control16_match += z.match_fp32;
  }
  const double merge_share = double(merge_match) / double(n);
  const double control_share = double(control_match) / double(n);
  const double control16_share = double(control16_match) / double(n);
  INFO("merge " << merge_share << " control " << control_share << " control as bf16 "
                << control16_share);
  REQUIRE(n == 395'520);
  REQUIRE(merge_share > 0.98);  // measured 0.993 (the fitted alpha is not exactly 0.571)
  REQUIRE(control_share < 0.001);
  REQUIRE(control16_share < 0.1);  // measured 0.02: only where both deltas are far below an ulp
}
