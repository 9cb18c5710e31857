// The wrong-base refit (verdict/evidence_roles.cpp): each parent swapped with the base is refitted
// from the pooled Gram as T G T', no second pass. Checked against the kernel run on the swapped
// models themselves, and on the signal it exists for: fine-tunes of one base have nearly
// orthogonal deltas, the same models measured from a parent align.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "stats/kernel.h"
#include "verdict/verdict.h"
#include "verdict_runs.h"

using namespace verdict_test;

namespace {

// Gram of (C, B, A1, A2) over [D, d_1, d_2, B], from the scalar kernel.
Moments gram_of(const std::vector<float>& c, const std::vector<float>& b, const std::vector<float>& a1,
                const std::vector<float>& a2) {
  Moments m;
  m.k = 2;
  const float* A[2] = {a1.data(), a2.data()};
  mp::moments_f32_scalar(c.data(), b.data(), A, 2, c.size(), m);
  return m;
}

}  // namespace

TEST_CASE("role refit: the swapped Gram equals the kernel's on the swapped models, deltas align from a parent",
          "[verdict]") {
  const size_t n = 20'000;
  std::mt19937 rng(21);
  std::normal_distribution<float> w(0.0f, 0.05f), dl(0.0f, 0.003f);
  std::vector<float> b(n), a1(n), a2(n), c(n);
  for (size_t i = 0; i < n; ++i) {
    b[i] = w(rng);
    a1[i] = b[i] + dl(rng);  // two independent fine-tunes of B
    a2[i] = b[i] + dl(rng);
    c[i] = b[i] + 0.6f * (a1[i] - b[i]) + 0.3f * (a2[i] - b[i]);
  }
  Run r = make_run(12, n, est_of(0.6, 0.9999), 2);
  r.agg.overall.pooled = gram_of(c, b, a1, a2);
  const Verdict v = run(r);
  const mp::verdict::Evidence& ev = v.evidence;
  REQUIRE(ev.role_fits.size() == 2);
  CHECK(ev.given_roles.parent_cos < 0.05);  // independent deltas
  CHECK(ev.given_roles.alphas[0] == Approx(0.6).margin(1e-4));
  CHECK(ev.given_roles.alphas[1] == Approx(0.3).margin(1e-4));
  CHECK_FALSE(v.wrong_base.flagged);

  // A1 as the base, the given base and A2 as parents: the kernel on those models gives the same
  // fit, and the deltas from A1 share A1's own delta.
  const Moments direct = gram_of(c, a1, b, a2);
  Run d = make_run(12, n, est_of(0.6, 0.9999), 2);
  d.agg.overall.pooled = direct;
  const mp::verdict::RoleFit& swapped = ev.role_fits[0];
  const mp::verdict::RoleFit& measured = run(d).evidence.given_roles;
  CHECK(swapped.base == 0);
  REQUIRE(swapped.alphas.size() == 2);
  CHECK(swapped.alphas[0] == Approx(measured.alphas[0]).margin(1e-6));
  CHECK(swapped.alphas[1] == Approx(measured.alphas[1]).margin(1e-6));
  CHECK(swapped.alphas[0] == Approx(0.1).margin(1e-4));  // on B - A1: C - A1 = -0.4 d1 + 0.3 d2 = 0.1 (B - A1) + 0.3 (A2 - A1)
  CHECK(swapped.alphas[1] == Approx(0.3).margin(1e-4));
  CHECK(swapped.cos_fit == Approx(measured.cos_fit).margin(1e-9));
  CHECK(swapped.parent_cos == Approx(measured.parent_cos).margin(1e-9));
  CHECK(swapped.parent_cos > 0.45);  // B - A1 and A2 - A1 both hold -d1: cosine 1/2 for equal norms
}
