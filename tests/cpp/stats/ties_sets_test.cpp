// TIES's kept sets from its own cuts (stats/ties_sets.h): three real-scale parents (the BERT-tiny
// fine-tunes' deltas and a shuffle of one), trimmed to their top-k by |d| per tensor and mixed with
// and without normalise, in f32 and stored in BF16. The fit must give each model's weights and
// tell the two models apart.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "stats/ties_sets.h"
#include "test_support.h"

using mp::StreamView;

namespace {

constexpr int kParents = 3;
constexpr double kW[kParents] = {0.5, 0.3, 0.15}, kRho[kParents] = {0.6, 0.35, 0.2}, kLambda = 1.1;

// The top int(rho n) elements by |d| (mergekit's magnitude sparsify).
std::vector<uint8_t> top(const std::vector<float>& d, double rho) {
  std::vector<size_t> order(d.size());
  std::iota(order.begin(), order.end(), size_t(0));
  const size_t keep = size_t(rho * double(d.size()));
  std::nth_element(order.begin(), order.begin() + std::ptrdiff_t(keep), order.end(),
                   [&](size_t x, size_t y) { return std::fabs(d[x]) > std::fabs(d[y]); });
  std::vector<uint8_t> m(d.size(), 0);
  for (size_t e = 0; e < keep; ++e) m[order[e]] = 1;
  return m;
}

// The moments of every real weight matrix of the run, merged with (normalise) or without it.
mp::TiesSets moments(bool normalise, bool bf16) {
  const auto base = mp_test::load_real_model("bert-tiny-fhe-v0-weights");
  const auto sst2 = mp_test::load_real_model("bert-tiny-sst2-fhe");
  const auto emotion = mp_test::load_real_model("bert-tiny-emotion-fhe");
  std::mt19937 rng(7);
  mp::TiesSets out;
  int tensors = 0;
  for (const auto& [name, t] : base) {
    if (t.shape.size() != 2 || !sst2.count(name) || !emotion.count(name)) continue;
    const std::vector<float>& b = t.values;
    const size_t n = std::min<size_t>(b.size(), size_t(1) << 16);
    std::vector<float> a[kParents], d[kParents];
    for (int i = 0; i < kParents; ++i) {
      a[i].resize(n);
      d[i].resize(n);
    }
    std::vector<size_t> perm(n);
    std::iota(perm.begin(), perm.end(), size_t(0));
    std::shuffle(perm.begin(), perm.end(), rng);
    for (size_t e = 0; e < n; ++e) {
      a[0][e] = sst2.at(name).values[e];
      a[1][e] = emotion.at(name).values[e];
      a[2][e] = b[e] + (sst2.at(name).values[perm[e]] - b[perm[e]]);
    }
    std::vector<uint8_t> kept[kParents];
    for (int i = 0; i < kParents; ++i) {
      for (size_t e = 0; e < n; ++e) d[i][e] = a[i][e] - b[e];
      kept[i] = top(d[i], kRho[i]);
    }
    std::vector<float> c(n), bb(b.begin(), b.begin() + std::ptrdiff_t(n));
    for (size_t e = 0; e < n; ++e) {
      double elect = 0;
      for (int i = 0; i < kParents; ++i) elect += kept[i][e] ? kW[i] * d[i][e] : 0;
      double mixed = 0, div = 0;
      for (int i = 0; i < kParents; ++i)
        if (kept[i][e] && d[i][e] != 0 && (d[i][e] > 0) == (elect > 0)) {
          mixed += kW[i] * d[i][e];
          div += kW[i];
        }
      c[e] = float(bb[e] + kLambda * (normalise && div > 0 ? mixed / div : mixed));
    }
    const std::vector<uint8_t> c16 = mp_test::bf16_bytes(c);
    std::vector<StreamView> s{mp_test::f32_view(c)};
    if (bf16) {
      s[0].data = c16.data();
      s[0].dtype = mp::Dtype::BF16;
    }
    for (int i = 0; i < kParents; ++i) s.push_back(mp_test::f32_view(a[i]));
    s.push_back(mp_test::f32_view(bb));
    mp::ties_set_moments({s}, kParents, kRho, out);
    ++tensors;
  }
  REQUIRE(tensors >= 8);
  return out;
}

}  // namespace

TEST_CASE("TIES's kept sets from its cuts give the weights of either model, in f32 and BF16", "[stats][real]") {
  const double W = kW[0] + kW[1] + kW[2];
  for (bool bf16 : {false, true})
    for (bool normalise : {true, false}) {
      INFO((bf16 ? "bf16" : "f32") << (normalise ? " normalise" : " no normalise"));
      const mp::TiesSets s = moments(normalise, bf16);
      const mp::TiesSetFit f = mp::fit_ties_sets(s, kParents, 1000);
      REQUIRE(f.weights.size() == size_t(kParents));
      CHECK(f.normalised == normalise);
      CHECK(f.residual < f.other_residual);
      for (int i = 0; i < kParents; ++i)
        CHECK(f.weights[i] == Approx(kLambda * kW[i] / (normalise ? W : 1)).margin(bf16 ? 0.003 : 1e-4));
    }
}

TEST_CASE("TIES's kept sets: undefined without enough elements keeping each parent, or without densities", "[stats]") {
  // two parents, a parent never kept: no weight for it
  std::vector<float> b(4096), a1(4096), a2(4096), c(4096);
  for (size_t e = 0; e < b.size(); ++e) {
    b[e] = 0.01f * float(e % 97);
    a1[e] = b[e] + 0.001f * float(1 + e % 13);
    a2[e] = b[e];
    c[e] = a1[e];
  }
  std::vector<StreamView> s{mp_test::f32_view(c), mp_test::f32_view(a1), mp_test::f32_view(a2), mp_test::f32_view(b)};
  mp::TiesSets sets;
  const double rho[2] = {0.5, 0.5};
  mp::ties_set_moments({s}, 2, rho, sets);
  CHECK(mp::fit_ties_sets(sets, 2, 1000).weights.empty());
  mp::TiesSets none;
  const double undefined[2] = {0.5, NAN};
  mp::ties_set_moments({s}, 2, undefined, none);
  for (int S = 0; S < mp::kTiesSets; ++S) CHECK(none.n[S] == 0);
}
