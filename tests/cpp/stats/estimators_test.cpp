// Estimators and method signals on synthetic merges whose answer is known: linear, task arithmetic, a
// SLERP-like mix (plane fit), degenerate inputs, the bf16 rounding floor, sparsification, bit-exact
// reproduction.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "stats/estimators.h"
#include "stats/method_signals.h"
#include "stats/kernel.h"
#include "test_support.h"

using mp::Dtype;
using mp::Estimates;
using mp::Moments;
using mp::StreamView;

namespace {

struct Tensors {
  std::vector<float> c, b, a[mp::kMaxParents];
  int k = 1;
};

// Trained-weight-like base and fine-tune deltas: B ~ N(0, 0.05), d_i ~ N(0, 0.003) with a shared
// component between parents (real fine-tunes of one base are correlated).
Tensors base_and_parents(int k, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.0f, 0.05f), dl(0.0f, 0.003f);
  Tensors t;
  t.k = k;
  t.b.resize(n);
  t.c.resize(n);
  for (int j = 0; j < k; ++j) t.a[j].resize(n);
  for (size_t i = 0; i < n; ++i) {
    t.b[i] = w(rng);
    const float shared = dl(rng);
    for (int j = 0; j < k; ++j) t.a[j][i] = t.b[i] + 0.5f * shared + dl(rng);
  }
  return t;
}

StreamView view_f32(const std::vector<float>& v) {
  StreamView s;
  s.data = reinterpret_cast<const uint8_t*>(v.data());
  s.dtype = Dtype::F32;
  s.count = v.size();
  return s;
}
StreamView view_bytes(const std::vector<uint8_t>& v, Dtype dt, size_t n) {
  StreamView s;
  s.data = v.data();
  s.dtype = dt;
  s.count = n;
  return s;
}

Moments moments_of(const Tensors& t) {
  StreamView A[mp::kMaxParents];
  for (int j = 0; j < t.k; ++j) A[j] = view_f32(t.a[j]);
  Moments m;
  mp::accumulate(view_f32(t.c), view_f32(t.b), A, t.k, m);
  return m;
}

void require_all_finite(const Estimates& e) {
  REQUIRE(std::isfinite(e.cos_fit));
  REQUIRE(std::isfinite(e.r2));
  REQUIRE(std::isfinite(e.residual_ratio));
  REQUIRE(std::isfinite(e.plane_q));
  REQUIRE(std::isfinite(e.cos_cb));
  REQUIRE(std::isfinite(e.rel_delta_c));
  REQUIRE(std::isfinite(e.rounding_floor));
  REQUIRE(std::isfinite(e.eq_cb_share));
  for (int i = 0; i < mp::kMaxParents; ++i) {
    REQUIRE(std::isfinite(e.alpha[i]));
    REQUIRE(std::isfinite(e.alpha_se[i]));
    REQUIRE(std::isfinite(e.plane_p[i]));
    REQUIRE(std::isfinite(e.cos_ab[i]));
    REQUIRE(std::isfinite(e.rel_delta_a[i]));
    REQUIRE(std::isfinite(e.eq_ca_share[i]));
  }
}

}  // namespace

TEST_CASE("exact linear merge in f32: alpha, cos_fit, plane and raw geometry", "[estimators]") {
  const size_t n = 200'000;
  Tensors t = base_and_parents(1, n, 1);
  const float alpha = 0.571f;
  for (size_t i = 0; i < n; ++i) t.c[i] = alpha * t.a[0][i] + (1.0f - alpha) * t.b[i];
  const Moments m = moments_of(t);
  const Estimates e = mp::estimate(m, Dtype::F32);
  REQUIRE_FALSE(e.degenerate);
  REQUIRE(e.n == n);
  REQUIRE(std::abs(e.alpha[0] - alpha) < 1e-6);
  REQUIRE(e.cos_fit > 0.99999);
  REQUIRE(e.r2 > 0.99998);
  REQUIRE(e.residual_ratio < 0.005);
  REQUIRE(e.alpha_se[0] < 1e-5);
  REQUIRE(std::abs(e.plane_p[0] - alpha) < 1e-5);
  REQUIRE(std::abs(e.plane_q - (1 - alpha)) < 1e-5);
  REQUIRE(e.rounding_floor > 0.99999);  // f32 rounding is invisible
  // ||d||/||B|| = sqrt(0.003^2 * 1.25) / 0.05 ~ 0.067; C's delta is alpha times that
  REQUIRE(e.rel_delta_a[0] == Approx(0.0671).epsilon(0.02));
  REQUIRE(e.rel_delta_c == Approx(alpha * e.rel_delta_a[0]).epsilon(1e-4));
  REQUIRE(e.cos_ab[0] > 0.997);
  REQUIRE(e.cos_cb > e.cos_ab[0]);  // C sits between A and B
  require_all_finite(e);
}

TEST_CASE("two-parent task arithmetic is recovered with R^2 ~ 1", "[estimators]") {
  const size_t n = 100'000;
  Tensors t = base_and_parents(2, n, 2);
  for (size_t i = 0; i < n; ++i)
    t.c[i] = t.b[i] + 0.4f * (t.a[0][i] - t.b[i]) + 0.7f * (t.a[1][i] - t.b[i]);
  const Estimates e = mp::estimate(moments_of(t), Dtype::F32);
  REQUIRE_FALSE(e.degenerate);
  REQUIRE(std::abs(e.alpha[0] - 0.4) < 1e-5);
  REQUIRE(std::abs(e.alpha[1] - 0.7) < 1e-5);
  REQUIRE(e.r2 > 0.99999);
  REQUIRE(e.cos_fit > 0.99999);
  REQUIRE(std::abs(e.plane_q - (1 - 0.4 - 0.7)) < 1e-4);

  // With independent noise of known size, the standard errors match the scatter of the estimate.
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.0f, 0.002f);
  for (size_t i = 0; i < n; ++i) t.c[i] += noise(rng);
  const Estimates en = mp::estimate(moments_of(t), Dtype::F32);
  // se = sigma / (||d|| * sqrt(1 - rho^2)) with rho = 0.2 between the parents' deltas
  const double d_norm = 0.003 * std::sqrt(1.25 * n);
  const double expect_se = 0.002 / (d_norm * std::sqrt(1 - 0.2 * 0.2));
  REQUIRE(en.alpha_se[0] == Approx(expect_se).epsilon(0.05));
  REQUIRE(std::abs(en.alpha[0] - 0.4) < 5 * en.alpha_se[0]);
  REQUIRE(std::abs(en.alpha[1] - 0.7) < 5 * en.alpha_se[1]);
  REQUIRE(en.cos_fit < 0.9);
  REQUIRE(en.cos_fit == Approx(std::sqrt(en.r2)));
}

TEST_CASE("plane fit: a SLERP-like mix C = p*A + q*B with p + q > 1", "[estimators]") {
  const size_t n = 100'000;
  Tensors t = base_and_parents(1, n, 3);
  const float p = 0.45f, q = 0.60f;  // p + q = 1.05: the norm bump of a spherical interpolation
  for (size_t i = 0; i < n; ++i) t.c[i] = p * t.a[0][i] + q * t.b[i];
  const Estimates e = mp::estimate(moments_of(t), Dtype::F32);
  REQUIRE(std::abs(e.plane_p[0] - p) < 1e-4);
  REQUIRE(std::abs(e.plane_q - q) < 1e-4);
  // The one-regressor fit cannot explain the B component: cos_fit well below 1.
  REQUIRE(e.cos_fit < 0.7);
}

TEST_CASE("degenerate inputs: d == 0, D == 0, all zero, empty -> degenerate and no NaN",
          "[estimators]") {
  const size_t n = 5000;
  Tensors t = base_and_parents(1, n, 4);
  SECTION("parent equals base") {
    for (size_t i = 0; i < n; ++i) {
      t.a[0][i] = t.b[i];
      t.c[i] = t.b[i] + 0.001f;
    }
    const Estimates e = mp::estimate(moments_of(t), Dtype::BF16);
    REQUIRE(e.degenerate);
    REQUIRE(e.alpha[0] == 0);
    require_all_finite(e);
  }
  SECTION("suspect equals base") {
    t.c = t.b;
    const Estimates e = mp::estimate(moments_of(t), Dtype::BF16);
    REQUIRE(e.degenerate);
    REQUIRE(e.eq_cb_share == 1.0);
    require_all_finite(e);
  }
  SECTION("everything zero") {
    for (size_t i = 0; i < n; ++i) t.a[0][i] = t.b[i] = t.c[i] = 0;
    const Estimates e = mp::estimate(moments_of(t), Dtype::F32);
    REQUIRE(e.degenerate);
    require_all_finite(e);
  }
  SECTION("two identical parents") {
    Tensors u = base_and_parents(2, n, 6);
    u.a[1] = u.a[0];
    for (size_t i = 0; i < n; ++i) u.c[i] = 0.5f * (u.a[0][i] + u.b[i]);
    const Estimates e = mp::estimate(moments_of(u), Dtype::F32);
    REQUIRE(e.degenerate);
    require_all_finite(e);
  }
  SECTION("no elements") {
    Moments m;
    const Estimates e = mp::estimate(m, Dtype::BF16);
    REQUIRE(e.degenerate);
    require_all_finite(e);
  }
}

TEST_CASE("rounding floor: a perfect bf16 linear merge reaches about the predicted cos_fit",
          "[estimators]") {
  const size_t n = 400'000;
  // Small deltas (0.5% of the weights): rounding C to bf16 is then a large part of D.
  std::mt19937 rng(8);
  std::normal_distribution<float> w(0.0f, 0.05f), dl(0.0f, 0.00025f);
  Tensors t;
  t.b.resize(n);
  t.c.resize(n);
  t.a[0].resize(n);
  for (size_t i = 0; i < n; ++i) {
    t.b[i] = w(rng);
    t.a[0][i] = t.b[i] + dl(rng);  // parents unrounded: only C's rounding is modelled
    t.c[i] = mp_test::bf16_round(0.5f * t.a[0][i] + 0.5f * t.b[i]);
  }
  const Estimates e = mp::estimate(moments_of(t), Dtype::BF16);
  INFO("cos_fit " << e.cos_fit << " floor " << e.rounding_floor);
  REQUIRE(e.rounding_floor < 0.9);                          // the floor is informative here
  REQUIRE(std::abs(e.cos_fit - e.rounding_floor) < 0.005);  // measured: 0.001
  // and the same merge in f32 has a floor of 1 and reaches it
  const Estimates f = mp::estimate(moments_of(t), Dtype::F32);
  REQUIRE(f.rounding_floor > 0.9999);
}

TEST_CASE("method signals: sparsification pattern, kept-only alpha, robust alpha, hashes", "[estimators]") {
  const size_t n = 20'000;
  Tensors t = base_and_parents(1, n, 9);
  // TIES-like: keep the 30% largest |d| scaled by 0.8, drop the rest (C == B there).
  std::vector<float> mags(n);
  for (size_t i = 0; i < n; ++i) mags[i] = std::fabs(t.a[0][i] - t.b[i]);
  std::vector<float> sorted = mags;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(n * 7 / 10), sorted.end());
  const float threshold = sorted[n * 7 / 10];
  for (size_t i = 0; i < n; ++i)
    t.c[i] = mags[i] >= threshold ? t.b[i] + 0.8f * (t.a[0][i] - t.b[i]) : t.b[i];
  StreamView A[1] = {view_f32(t.a[0])};
  mp::MethodSignals x;
  mp::compute_method_signals(view_f32(t.c), view_f32(t.b), A, 1, x);
  const mp::ParentSignals& p = x.p[0];
  REQUIRE(p.d_nonzero == n);
  REQUIRE(p.zero_D_nonzero_d == n * 7 / 10);
  REQUIRE(p.max_abs_d_zero_D < p.min_abs_d_nonzero_D);  // hard threshold: the TIES signature
  REQUIRE(p.kept_Dd / p.kept_dd == Approx(0.8).epsilon(1e-5));
  REQUIRE(p.kept_Dd / std::sqrt(p.kept_DD * p.kept_dd) > 0.99999);
  REQUIRE(p.robust_n > 0);
  REQUIRE(p.robust_n > n * 99 / 100);  // 4 ulps of f32 are far below these deltas
  // Hashes are FNV-1a 64 of the raw bytes: equal bytes, equal hash; one bit changed, another.
  REQUIRE(x.hash_a[0] != x.hash_b);
  mp::MethodSignals same;
  StreamView A2[1] = {view_f32(t.b)};
  mp::compute_method_signals(view_f32(t.c), view_f32(t.b), A2, 1, same);
  REQUIRE(same.hash_a[0] == same.hash_b);
  REQUIRE(same.p[0].d_nonzero == 0);

  // Pooling adds counts and keeps the threshold extremes.
  mp::MethodSignals pooled = x;
  pooled.add(x);
  REQUIRE(pooled.p[0].zero_D_nonzero_d == 2 * p.zero_D_nonzero_d);
  REQUIRE(pooled.p[0].max_abs_d_zero_D == p.max_abs_d_zero_D);
}

TEST_CASE("method signals: the robust alpha drops sub-ulp deltas that bf16 rounding snaps",
          "[estimators]") {
  // B around 1.0 (bf16 ulp 2^-7), half the deltas tiny (under one ulp), half large (10 ulps).
  const size_t n = 10'000;
  std::mt19937 rng(10);
  std::uniform_real_distribution<float> u(1.0f, 1.9f);
  std::vector<float> b(n), a(n), c(n);
  for (size_t i = 0; i < n; ++i) {
    b[i] = mp_test::bf16_round(u(rng));
    const float d = (i % 2 ? 10.0f : 0.6f) * 0x1p-7f * (i % 4 < 2 ? 1.0f : -1.0f);
    a[i] = mp_test::bf16_round(b[i] + d);
    c[i] = mp_test::bf16_round(0.3f * a[i] + 0.7f * b[i]);
  }
  const auto cb = mp_test::bf16_bytes(c), bb = mp_test::bf16_bytes(b), ab = mp_test::bf16_bytes(a);
  StreamView A[1] = {view_bytes(ab, Dtype::BF16, n)};
  mp::MethodSignals x;
  mp::compute_method_signals(view_bytes(cb, Dtype::BF16, n), view_bytes(bb, Dtype::BF16, n), A, 1, x);
  const mp::ParentSignals& p = x.p[0];
  REQUIRE(p.robust_n == n / 2);  // only the 10-ulp deltas
  const double robust_alpha = p.robust_Dd / p.robust_dd;
  REQUIRE(std::abs(robust_alpha - 0.3) < 0.02);
}

TEST_CASE("method signals: nearswap's clip survives mergekit's bf16 arithmetic, a linear merge does not",
          "[estimators]") {
  // mergekit nearswap.py in bf16: w = clamp(t / |B - A|, 0, 1), C = w A + (1 - w) B, every op
  // rounded. |B| spans 0.001-0.3 so the bf16 ulp runs from below t / 100 to about t.
  const size_t n = 20'000;
  const double t = 0.002;
  Tensors in = base_and_parents(1, n, 12);
  std::vector<float> b(n), a(n), ns(n), lin(n);
  const auto q = mp_test::bf16_round;
  for (size_t i = 0; i < n; ++i) {
    b[i] = q(in.b[i] * (0.001f + 0.3f * float(i % 97) / 97.0f) / (std::fabs(in.b[i]) + 1e-3f));
    a[i] = q(b[i] + 0.02f * (in.a[0][i] - in.b[i]) / (std::fabs(in.a[0][i] - in.b[i]) + 0.01f));
    const float ad = q(std::fabs(q(b[i] - a[i])));
    const float w = std::min(1.0f, std::max(0.0f, q(float(t) / std::max(ad, 1e-6f))));
    ns[i] = q(q(w * a[i]) + q(q(1 - w) * b[i]));
    lin[i] = q(q(q(0.3f) * a[i]) + q(q(0.7f) * b[i]));
  }
  const auto bb = mp_test::bf16_bytes(b), ab = mp_test::bf16_bytes(a);
  StreamView A[1] = {view_bytes(ab, Dtype::BF16, n)};
  auto signals = [&](const std::vector<float>& c) {
    const auto cb = mp_test::bf16_bytes(c);
    mp::MethodSignals x;
    mp::compute_method_signals(view_bytes(cb, Dtype::BF16, n), view_bytes(bb, Dtype::BF16, n), A, 1, x);
    return x.ns;
  };
  const mp::NearswapSignals s = signals(ns);
  REQUIRE(s.informative > n / 4);  // the rest sit where a bf16 ulp is t / 4 or more
  REQUIRE(s.informative < n);
  CHECK(s.t() == Approx(t).epsilon(0.01));
  CHECK(double(s.equal + s.clipped) / double(s.informative) > 0.99);
  CHECK(s.equal > s.informative / 20);
  CHECK(s.clipped > s.informative / 20);
  // a linear merge has candidates too (D = 0.3 d), but neither equals A below "t" nor sits at it
  const mp::NearswapSignals l = signals(lin);
  REQUIRE(l.informative > 0);
  CHECK(double(l.equal + l.clipped) / double(l.informative) < 0.5);
}

TEST_CASE("bit_exact: a bf16 merge built fp32-then-round reproduces, a wrong alpha does not",
          "[estimators]") {
  const size_t n = 50'000;
  Tensors t = base_and_parents(1, n, 11);
  for (size_t i = 0; i < n; ++i) {
    t.b[i] = mp_test::bf16_round(t.b[i]);
    t.a[0][i] = mp_test::bf16_round(t.a[0][i]);
  }
  const double alpha = 0.571;
  std::vector<float> c32(n), c16(n);
  const float w = static_cast<float>(alpha), wb = static_cast<float>(1 - alpha);
  for (size_t i = 0; i < n; ++i) c32[i] = mp_test::bf16_round(w * t.a[0][i] + wb * t.b[i]);
  // mergekit bf16 order: weights, products and the sum rounded to bf16
  const float wr = mp_test::bf16_round(w), wbr = mp_test::bf16_round(wb);
  for (size_t i = 0; i < n; ++i)
    c16[i] = mp_test::bf16_round(mp_test::bf16_round(wr * t.a[0][i]) +
                                 mp_test::bf16_round(wbr * t.b[i]));
  const auto b = mp_test::bf16_bytes(t.b), a = mp_test::bf16_bytes(t.a[0]);
  const auto cf = mp_test::bf16_bytes(c32), cg = mp_test::bf16_bytes(c16);
  StreamView A[1] = {view_bytes(a, Dtype::BF16, n)};
  const StreamView B = view_bytes(b, Dtype::BF16, n);

  mp::BitExact x;
  mp::bit_exact(view_bytes(cf, Dtype::BF16, n), B, A, 1, &alpha, x);
  REQUIRE(x.applicable);
  REQUIRE(x.n == n);
  REQUIRE(x.match_fp32 == n);
  mp::BitExact y;
  mp::bit_exact(view_bytes(cg, Dtype::BF16, n), B, A, 1, &alpha, y);
  REQUIRE(y.match_bf16 == n);
  REQUIRE(y.match_fp32 < n);  // the two orders are distinguishable (0.571 is not a bf16 value)
  mp::BitExact z;
  const double wrong = 0.45;
  mp::bit_exact(view_bytes(cf, Dtype::BF16, n), B, A, 1, &wrong, z);
  REQUIRE(z.match_fp32 < n / 2);
  // FP8 suspects: not applicable (their rounding is not modelled)
  std::vector<uint8_t> q(n, 0x38);
  mp::BitExact f;
  mp::bit_exact(view_bytes(q, Dtype::F8_E4M3, n), B, A, 1, &alpha, f);
  REQUIRE_FALSE(f.applicable);
  REQUIRE(f.n == 0);
}
