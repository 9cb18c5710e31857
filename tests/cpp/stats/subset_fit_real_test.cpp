// Per-element kept sets (stats/subset_fit.h) on sparse merges of the real BERT-tiny fine-tunes
// (sst2, emotion, and a third parent of the same scale: B + sst2's delta shuffled), with masks
// drawn here so the truth is known: DARE's densities through BF16 rounding (where a freely
// refitted set drifts), the sign election read from the sets that keep both signs
// (SubsetSignals::conflict_*), and normalise's weight ratios with a light parent beside two heavy ones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "stats/subset_fit.h"
#include "test_support.h"

using mp::StreamView;

namespace {

constexpr int kMaxK = 4;

struct Merge {
  int k = 2;
  double weight[kMaxK] = {}, density[kMaxK] = {};
  bool election = false;  // dare_ties: drop the parents whose weighted delta loses the sign vote
  bool normalize = false;  // divide by the weights kept at the element (della, ties)
  double lambda = 1;       // scales the mixed delta
  double gamma = 0;        // > 0: breadcrumbs' masks (each tensor's top gamma and bottom of |d| dropped, no rescale)
  bool bf16 = false;      // C stored in BF16 (mergekit out_dtype)
};

// DARE (random masks, rescale 1 / density, no normalise) over every real tensor of at least 4096
// elements; the kept-set signals pooled as the verdict pools them.
mp::SubsetSignals run(const Merge& m) {
  const auto base = mp_test::load_real_model("bert-tiny-fhe-v0-weights");
  const auto sst2 = mp_test::load_real_model("bert-tiny-sst2-fhe");
  const auto emotion = mp_test::load_real_model("bert-tiny-emotion-fhe");
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> u(0, 1);
  mp::SubsetSignals out;
  for (const auto& [name, b] : base) {
    const size_t n = b.values.size();
    if (n < 4096 || !sst2.count(name) || !emotion.count(name) || sst2.at(name).values.size() != n ||
        emotion.at(name).values.size() != n)
      continue;
    std::vector<float> a[kMaxK] = {sst2.at(name).values, emotion.at(name).values, b.values, b.values};
    std::vector<size_t> perm(n);
    for (size_t e = 0; e < n; ++e) perm[e] = e;
    std::shuffle(perm.begin(), perm.end(), rng);
    for (size_t e = 0; e < n; ++e) a[2][e] = b.values[e] + (a[0][perm[e]] - b.values[perm[e]]);
    if (m.k == 4) {  // a fourth of the same scale: B + emotion's delta shuffled
      std::shuffle(perm.begin(), perm.end(), rng);
      for (size_t e = 0; e < n; ++e) a[3][e] = b.values[e] + (a[1][perm[e]] - b.values[perm[e]]);
    }
    // breadcrumbs: kept where |d|'s rank lies in [n - rho n - gamma n, n - gamma n) (mergekit's
    // magnitude_outliers over the whole tensor)
    std::vector<uint8_t> band[kMaxK];
    if (m.gamma > 0)
      for (int i = 0; i < m.k; ++i) {
        std::vector<size_t> order(n);
        for (size_t e = 0; e < n; ++e) order[e] = e;
        const std::vector<float>& bv = b.values;  // (clang 14 cannot capture a structured binding)
        const std::vector<float>& av = a[i];
        std::sort(order.begin(), order.end(), [&bv, &av](size_t x, size_t y) {
          return std::fabs(av[x] - bv[x]) < std::fabs(av[y] - bv[y]);
        });
        const size_t top = size_t(m.gamma * double(n)), bot = n - size_t(m.density[i] * double(n)) - top;
        band[i].assign(n, 0);
        for (size_t r = bot; r < n - top; ++r) band[i][order[r]] = 1;
      }
    std::vector<float> c(n);
    for (size_t e = 0; e < n; ++e) {
      double wd[kMaxK], vote = 0;
      for (int i = 0; i < m.k; ++i) {
        const bool kept = m.gamma > 0 ? band[i][e] != 0 : u(rng) < m.density[i];
        wd[i] = kept ? m.weight[i] * (double(a[i][e]) - b.values[e]) / (m.gamma > 0 ? 1 : m.density[i]) : 0;
        vote += wd[i];
      }
      double sum = 0, divisor = 0;
      for (int i = 0; i < m.k; ++i)
        if (wd[i] != 0 && (!m.election || (wd[i] > 0) == (vote >= 0))) sum += wd[i], divisor += m.weight[i];
      if (m.normalize && divisor != 0) sum /= divisor;
      sum *= m.lambda;
      c[e] = float(b.values[e] + sum);
    }
    const std::vector<uint8_t> c16 = mp_test::bf16_bytes(c);
    StreamView C = mp_test::f32_view(c);
    if (m.bf16) {
      C.data = c16.data();
      C.dtype = mp::Dtype::BF16;
    }
    const StreamView A[kMaxK] = {mp_test::f32_view(a[0]), mp_test::f32_view(a[1]), mp_test::f32_view(a[2]),
                                 mp_test::f32_view(a[3])};
    mp::compute_subset_fit(C, mp_test::f32_view(b.values), A, m.k, out);
  }
  REQUIRE(out.samples > 10);
  return out;
}

double resolvable_share(const mp::SubsetSignals& s, int i) { return double(s.kept_res[i]) / double(s.elig_res[i]); }

// A K-parent merge with these weights and densities (DARE's masks unless the test sets more).
template <int K>
Merge parents(const double (&w)[K], const double (&rho)[K]) {
  Merge m;
  m.k = K;
  std::copy(w, w + K, m.weight);
  std::copy(rho, rho + K, m.density);
  return m;
}

// Breadcrumbs' masks with this gamma, C stored in BF16 (mergekit's out_dtype).
Merge breadcrumbs_bf16(Merge m, double gamma) {
  m.gamma = gamma;
  m.bf16 = true;
  return m;
}

}  // namespace

TEST_CASE("subset fit, real weights: DARE of three parents keeps its densities through BF16", "[subset][real]") {
  // sweep1 007's parameters (dare_linear bf16out): the free refit of the set of all drifted to
  // 0.40, 0.39, 0.82 for 0.46, 0.84, 1.90, and parent 1's kept share read 0.70 for 0.78.
  const double w[3] = {0.36, 0.29, 0.62}, rho[3] = {0.78, 0.34, 0.32};
  Merge m = parents(w, rho);
  for (const bool bf16 : {false, true}) {
    INFO((bf16 ? "bf16" : "f32"));
    m.bf16 = bf16;
    const mp::SubsetSignals s = run(m);
    for (int i = 0; i < 3; ++i) {
      INFO("parent " << i);
      CHECK(resolvable_share(s, i) == Approx(rho[i]).margin(0.03));
      CHECK(s.single[i] / s.wn == Approx(w[i] / rho[i]).epsilon(0.02));
    }
    // no normalise: the set of all carries the single coefficients
    for (int i = 0; i < 3; ++i) CHECK(s.ratio[i] / s.wn_full == Approx(1).margin(0.02));
  }
}

TEST_CASE("subset fit, real weights: a sign election keeps no set of both signs", "[subset][real]") {
  // sweep1 145's parameters (a light parent next to a heavy one: the free refit of the pair drifted
  // in bf16 and the light parent's kept share read 0.48 for 0.59); the old consensus gap read
  // dare_linear for dare_ties at 0.034-0.035 on other such pairs (030, 062).
  Merge m;
  m.weight[0] = 0.29, m.weight[1] = 0.86, m.density[0] = 0.59, m.density[1] = 0.28;
  for (const bool bf16 : {false, true}) {
    for (const bool election : {false, true}) {
      INFO((bf16 ? "bf16 " : "f32 ") << (election ? "dare_ties" : "dare_linear"));
      m.bf16 = bf16;
      m.election = election;
      const mp::SubsetSignals s = run(m);
      REQUIRE(s.conflict_expected >= 50);
      const double ratio = double(s.conflict_kept) / s.conflict_expected;
      if (election) CHECK(ratio < 0.1);
      else CHECK(ratio == Approx(1).margin(0.1));
      for (int i = 0; i < 2; ++i) CHECK(resolvable_share(s, i) == Approx(m.density[i]).margin(0.03));
      // the weight under a rescaled mask without normalise, a_{{i},i} times the kept L1 share, read
      // where one sign holds: an election's drops at conflicts would lower the share elsewhere
      for (int i = 0; i < 2; ++i) CHECK(s.l1w_ss[i] / s.wn == Approx(m.weight[i]).margin(0.02));
      if (election) CHECK(s.l1w[0] / s.wn < m.weight[0] - 0.03);  // the light parent loses votes
    }
  }
}

TEST_CASE("subset fit, real weights: normalise over three parents, a light one among them", "[subset][real]") {
  // sweep1 006's parameters (della f32, normalise, sign election): the free refit started the pairs
  // from the set of all's mixture and settled elsewhere, reading the light parent kept 0.32 for
  // 0.58 and the weight ratios 0.49, 0.26, 0.52 for 0.48, 0.09, 0.43. sweep2 078's (lambda 1.25,
  // bf16): the pairs' t read 1.00 where a parent kept alone, off its mode by rounding, outnumbered
  // them, and the ratios read 0.19, 0.42, 0.61 for 0.21, 0.21, 0.59.
  struct Case {
    double w[3], rho[3], lambda;
  };
  for (const Case& c : {Case{{0.65, 0.12, 0.59}, {0.66, 0.58, 0.72}, 1}, Case{{0.29, 0.29, 0.83}, {0.23, 0.61, 0.31}, 1.25}}) {
    Merge m = parents(c.w, c.rho);
    m.election = m.normalize = true;
    m.lambda = c.lambda;
    const double W = c.w[0] + c.w[1] + c.w[2];
    for (const bool bf16 : {false, true}) {
      INFO((bf16 ? "bf16" : "f32") << ", weights " << c.w[0] << " " << c.w[1] << " " << c.w[2]);
      m.bf16 = bf16;
      const mp::SubsetSignals s = run(m);
      for (int i = 0; i < 3; ++i) {
        INFO("parent " << i);
        CHECK(double(s.kept_ss[i]) / double(s.elig_ss[i]) == Approx(c.rho[i]).margin(0.03));
        CHECK(s.single[i] / s.wn == Approx(c.lambda / c.rho[i]).epsilon(0.02));  // normalise: w_i cancels alone
        CHECK(s.ratio[i] / s.wn_full == Approx(c.w[i] / W).margin(0.02));
      }
    }
  }
}

TEST_CASE("subset fit, real weights: breadcrumbs' kept band read from |d| through BF16", "[subset][real]") {
  // sweep2 069's parameters (breadcrumbs_ties bf16out, three parents): the kept sets counted the
  // small drops, which rounding hides, as kept: 0.285, 0.777, 0.591 for 0.2, 0.8, 0.55.
  const double w[3] = {0.27, 0.44, 0.82}, rho[3] = {0.2, 0.8, 0.55};
  Merge m = parents(w, rho);
  m.election = true;
  m.gamma = 0.01;
  for (const bool bf16 : {false, true}) {
    INFO((bf16 ? "bf16" : "f32"));
    m.bf16 = bf16;
    const mp::SubsetSignals s = run(m);
    for (int i = 0; i < 3; ++i) {
      INFO("parent " << i << ": kept sets " << double(s.kept_ss[i]) / double(s.elig_ss[i]));
      REQUIRE(s.elig_band[i] > 0);
      CHECK(double(s.in_band[i]) / double(s.elig_band[i]) == Approx(rho[i]).margin(0.02));
    }
  }
}

TEST_CASE("subset fit, real weights: breadcrumbs' dropped top through BF16, a light parent among four", "[subset][real]") {
  // sweep4 002's weights and densities (breadcrumbs bf16out, four parents): where the nearest set
  // with the light parent and the nearest without it lie within rounding, its large delta stood in
  // for another parent's and 13% of its top read kept (the top test needs 0.9 of it dropped); only
  // the elements C's rounding leaves decidable are read.
  const double w[4] = {0.64, 0.26, 0.13, 0.46}, rho[4] = {0.51, 0.54, 0.41, 0.59};
  const mp::SubsetSignals s = run(breadcrumbs_bf16(parents(w, rho), 0.01));
  for (int i = 0; i < 4; ++i) {
    INFO("parent " << i);
    INFO("top " << s.top[i] << ", dropped " << s.top_dropped[i]);
    REQUIRE(s.top[i] >= 30);  // the prefix of each tensor, its top 0.2%, one sign: few
    CHECK(double(s.top_dropped[i]) / double(s.top[i]) >= 0.95);
  }
}

TEST_CASE("subset fit, real weights: a light parent's coefficient through BF16, among four", "[subset][real]") {
  // sweep6 017's parameters (breadcrumbs bf16out, four parents): the fourth's ratios D / d_i where
  // it alone is kept spread +-28% around 0.11 by C's rounding, wider than the relative window, which
  // found 0.77-1.48 in every sample instead (the verdict quoted weight 1.056 and density 0.143).
  const double w[4] = {0.13, 0.55, 0.86, 0.11}, rho[4] = {0.74, 0.69, 0.71, 0.64};
  const mp::SubsetSignals s = run(breadcrumbs_bf16(parents(w, rho), 0.047));
  for (int i = 0; i < 4; ++i) {
    INFO("parent " << i);
    // the samples' weighted median, as the verdict pools them
    std::vector<std::pair<double, double>> v = s.single_by_sample[i];
    std::sort(v.begin(), v.end());
    double total = 0, acc = 0, median = NAN;
    for (const auto& x : v) total += x.second;
    for (const auto& x : v)
      if ((acc += x.second) >= total / 2) { median = x.first; break; }
    CHECK(median == Approx(w[i]).margin(0.01));
  }
}

TEST_CASE("subset fit, real weights: DARE-TIES of four parents, kept shares and weights through BF16", "[subset][real]") {
  // sweep6 023's weights and densities (dare_ties bf16out, four parents): the nearest set, where
  // several land within C's rounding, pulled every kept share toward a half (0.738, 0.705, 0.543,
  // 0.239 for 0.76, 0.72, 0.54, 0.21) and the weights with them (0.423 for 0.39). The shares with
  // the ties shared out by the keep rates (kept_soft) read the masks' own.
  const double w[4] = {0.33, 0.77, 0.26, 0.39}, rho[4] = {0.76, 0.72, 0.54, 0.21};
  Merge m = parents(w, rho);
  m.election = true;
  m.bf16 = true;
  const mp::SubsetSignals s = run(m);
  for (int i = 0; i < 4; ++i) {
    INFO("parent " << i << ": nearest sets " << resolvable_share(s, i) << ", weight " << s.l1w_ss[i] / s.wn);
    REQUIRE(s.elig_soft[i] > 0);
    CHECK(s.kept_soft[i] / s.elig_soft[i] == Approx(rho[i]).margin(0.01));
    // rescale 1 / rho here: the alone-kept coefficient w / rho times the kept L1 share (rho) is w
    CHECK(s.l1w_soft[i] / s.wn == Approx(w[i]).margin(0.01));
  }
}
