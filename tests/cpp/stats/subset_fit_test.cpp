// Per-element kept sets (stats/subset_fit.h) on synthetic two-parent sparse merges whose masks are
// known: the kept shares, the coefficients with and without normalise, the breadcrumbs band.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "stats/subset_fit.h"
#include "test_support.h"

using mp::StreamView;

namespace {

struct Trio {
  std::vector<float> b, a1, a2, c;
};

// B ~ N(0, 0.05), two independent deltas ~ N(0, 0.003).
Trio trio(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.0f, 0.05f), dl(0.0f, 0.003f);
  Trio t;
  t.b.resize(n);
  t.a1.resize(n);
  t.a2.resize(n);
  t.c.resize(n);
  for (size_t i = 0; i < n; ++i) {
    t.b[i] = w(rng);
    t.a1[i] = t.b[i] + dl(rng);
    t.a2[i] = t.b[i] + dl(rng);
  }
  return t;
}

mp::SubsetSignals fit(const Trio& t) {
  StreamView A[2] = {mp_test::f32_view(t.a1), mp_test::f32_view(t.a2)};
  mp::SubsetSignals s;
  mp::compute_subset_fit(mp_test::f32_view(t.c), mp_test::f32_view(t.b), A, 2, s);
  return s;
}

}  // namespace

TEST_CASE("subset fit: random masks, no normalise: kept shares and coefficients", "[subset]") {
  const size_t n = 50'000;
  Trio t = trio(n, 3);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  // DARE-like: parent 1 kept with p 0.5, scaled 1.2; parent 2 with p 0.3, scaled 1.33.
  for (size_t i = 0; i < n; ++i) {
    const bool k1 = u(rng) < 0.5, k2 = u(rng) < 0.3;
    const float D = (k1 ? 1.2f * (t.a1[i] - t.b[i]) : 0.0f) + (k2 ? 1.33f * (t.a2[i] - t.b[i]) : 0.0f);
    t.c[i] = t.b[i] + D;
  }
  const mp::SubsetSignals s = fit(t);
  REQUIRE(s.samples == 1);
  REQUIRE(double(s.kept[0]) / double(s.elig[0]) == Approx(0.5).margin(0.01));
  REQUIRE(double(s.kept[1]) / double(s.elig[1]) == Approx(0.3).margin(0.01));
  REQUIRE(s.single[0] / s.wn == Approx(1.2).epsilon(1e-3));
  REQUIRE(s.single[1] / s.wn == Approx(1.33).epsilon(1e-3));
  REQUIRE(s.ratio[0] / s.wn_full == Approx(1.0).epsilon(1e-3));  // no normalise: one coefficient per parent
  // a random mask drops inside the kept |d| range
  REQUIRE(double(s.inside[0]) / double(s.dropped[0]) > 0.9);
  // and drops its largest |d| as often as any other (1 - density), not all of them as breadcrumbs
  REQUIRE(double(s.top_dropped[0]) / double(s.top[0]) == Approx(0.5).margin(0.25));
  // the sets explain what one least-squares fit on both deltas cannot
  REQUIRE(s.res < 1e-6 * s.res_linear);
}

TEST_CASE("subset fit: normalised by the kept weights (TIES/DELLA form): w_i / W from the ratios", "[subset]") {
  const size_t n = 50'000;
  Trio t = trio(n, 5);
  std::mt19937 rng(13);
  std::uniform_real_distribution<double> u(0, 1);
  const double w1 = 0.6, w2 = 0.4, s1 = 1.8, s2 = 2.2;
  for (size_t i = 0; i < n; ++i) {
    const bool k1 = u(rng) < 0.5, k2 = u(rng) < 0.4;
    const double d1 = t.a1[i] - t.b[i], d2 = t.a2[i] - t.b[i];
    double num = 0, den = 0;
    if (k1) { num += w1 * s1 * d1; den += w1; }
    if (k2) { num += w2 * s2 * d2; den += w2; }
    t.c[i] = static_cast<float>(t.b[i] + (den > 0 ? num / den : 0));
  }
  const mp::SubsetSignals s = fit(t);
  REQUIRE(s.single[0] / s.wn == Approx(s1).epsilon(1e-3));
  REQUIRE(s.ratio[0] / s.wn_full == Approx(w1).epsilon(2e-3));
  REQUIRE(s.ratio[1] / s.wn_full == Approx(w2).epsilon(2e-3));
  REQUIRE(double(s.kept[1]) / double(s.elig[1]) == Approx(0.4).margin(0.01));
}

TEST_CASE("subset fit: breadcrumbs drops both ends of each parent's |d|", "[subset]") {
  const size_t n = 20'000;
  Trio t = trio(n, 7);
  // keep |d_i| between its 40th and 99th percentile, weights 0.6 and 0.4, no rescale
  const auto cut = [&](const std::vector<float>& a, double q) {
    std::vector<float> m(n);
    for (size_t i = 0; i < n; ++i) m[i] = std::fabs(a[i] - t.b[i]);
    std::nth_element(m.begin(), m.begin() + long(q * n), m.end());
    return m[size_t(q * n)];
  };
  const float lo1 = cut(t.a1, 0.4), hi1 = cut(t.a1, 0.99), lo2 = cut(t.a2, 0.4), hi2 = cut(t.a2, 0.99);
  for (size_t i = 0; i < n; ++i) {
    const float d1 = t.a1[i] - t.b[i], d2 = t.a2[i] - t.b[i];
    const bool k1 = std::fabs(d1) >= lo1 && std::fabs(d1) < hi1, k2 = std::fabs(d2) >= lo2 && std::fabs(d2) < hi2;
    t.c[i] = t.b[i] + ((k1 ? 0.6f * d1 : 0.0f) + (k2 ? 0.4f * d2 : 0.0f));
  }
  const mp::SubsetSignals s = fit(t);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(s.inside[i] == 0);
    REQUIRE(double(s.above[i]) / double(s.elig_ss[i]) == Approx(0.01).margin(0.003));
    REQUIRE(s.below[i] > 0);
    // the top 0.2% of |d_i| lie inside the dropped top 1%: all dropped
    REQUIRE(s.top[i] > 0);
    REQUIRE(s.top_dropped[i] == s.top[i]);
  }
  REQUIRE(s.single[0] / s.wn == Approx(0.6).epsilon(1e-3));
  REQUIRE(s.single[1] / s.wn == Approx(0.4).epsilon(1e-3));
}

TEST_CASE("subset fit: nothing for one parent or too few elements", "[subset]") {
  Trio t = trio(32, 9);
  t.c = t.a1;
  StreamView A[2] = {mp_test::f32_view(t.a1), mp_test::f32_view(t.a2)};
  mp::SubsetSignals s;
  mp::compute_subset_fit(mp_test::f32_view(t.c), mp_test::f32_view(t.b), A, 1, s);
  REQUIRE(s.samples == 0);
  mp::compute_subset_fit(mp_test::f32_view(t.c), mp_test::f32_view(t.b), A, 2, s);
  REQUIRE(s.samples == 0);  // 32 elements: below kSubsetFitMinElements
}
