// decide() on hand-built aggregates: each case sets the statistics a real run would produce for one
// merge method (values taken from the generated cases, see EVALUATION.md) and checks the verdict.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "verdict/verdict.h"

using namespace mp;

namespace {

// A run of n tensors of `elements` each, one component (attention), all with the given estimates.
struct Run {
  MatchResult match;
  std::vector<TensorResult> tensors;
  Aggregates agg;
  int k = 1;
};

Run make_run(int n, uint64_t elements, const Estimates& est, int k = 1) {
  Run r;
  r.k = k;
  for (int i = 0; i < n; ++i) {
    MatchedTensor mt;
    mt.cls.component = Component::Attention;
    mt.cls.layer = i / 4;
    mt.names = {"layers." + std::to_string(i / 4) + ".attn." + std::to_string(i % 4) + ".weight"};
    r.match.tensors.push_back(mt);
    TensorResult t;
    t.tensor = static_cast<uint32_t>(i);
    t.elements = elements;
    t.est = est;
    t.x.k = k;
    r.tensors.push_back(t);
  }
  GroupResult& o = r.agg.overall;
  o.component = "all";
  o.tensors = o.usable = static_cast<uint32_t>(n);
  o.elements = elements * n;
  o.est = est;
  o.pooled.k = k;
  o.x.k = k;
  for (int i = 0; i < k; ++i) {
    o.alpha_mean[i] = o.alpha_median[i] = est.alpha[i];
    o.alpha_ci95[i][0] = est.alpha[i] - 0.002;
    o.alpha_ci95[i][1] = est.alpha[i] + 0.002;
  }
  GroupResult c = o;
  c.component = "attention";
  r.agg.components.push_back(c);
  return r;
}

Estimates est_of(double alpha, double cos_fit) {
  Estimates e;
  e.n = 100000;
  e.alpha[0] = alpha;
  e.cos_fit = cos_fit;
  e.r2 = cos_fit * cos_fit;
  e.plane_p[0] = alpha;
  e.plane_q = 1 - alpha;
  e.cos_cb = 0.999;
  e.cos_ab[0] = 0.998;
  e.rel_delta_c = 0.03;
  e.rel_delta_a[0] = 0.05;
  e.rounding_floor = 1;
  return e;
}

Verdict run(const Run& r) { return decide(r.match, r.tensors, r.agg, r.k); }

bool has_flag(const Verdict& v, const std::string& f) {
  for (const auto& x : v.flags) if (x == f) return true;
  return false;
}

// Per-tensor sparsity extras: `dropped` of `changed` elements left at B; dropped |d| below kept |d|
// (hard threshold) or overlapping (random mask); kept elements carry `kept_alpha`.
void set_sparse(Run& r, uint64_t changed, uint64_t dropped, bool hard, double mean_drop, double mean_kept,
                double kept_alpha) {
  for (auto& t : r.tensors) {
    ParentExtras& p = t.x.p[0];
    p.d_nonzero = changed;
    p.zero_D_nonzero_d = dropped;
    p.sum_abs_d_zero_D = mean_drop * dropped;
    p.sum_abs_d_nonzero_D = mean_kept * (changed - dropped);
    p.max_abs_d_zero_D = hard ? 0.010f : 0.050f;
    p.min_abs_d_nonzero_D = hard ? 0.011f : 0.0001f;
    p.kept_dd = 1.0;
    p.kept_Dd = kept_alpha;
    p.kept_DD = kept_alpha * kept_alpha;
  }
}

}  // namespace

TEST_CASE("a clean linear merge reads as linear-merge with the formula", "[verdict]") {
  Run r = make_run(12, 16384, est_of(0.571, 0.99995));
  Verdict v = run(r);
  CHECK(v.kind == "linear-merge");
  CHECK(v.method == "linear");
  CHECK(v.sentence == "Consistent with a linear merge: C = 0.571 A + 0.429 B");
  CHECK(v.density < 0);
  CHECK(has_flag(v, "no-control"));
  CHECK_FALSE(has_flag(v, "outliers"));
}

TEST_CASE("the control model is quoted and independent fine-tunes read as not-a-merge", "[verdict]") {
  Run r = make_run(24, 16384, est_of(0.08, 0.054));
  r.agg.overall.has_control = true;
  r.agg.overall.control_est = est_of(0.05, 0.140);
  r.agg.overall.alpha_spread[0] = 0.35;
  Verdict v = run(r);
  CHECK(v.kind == "not-a-merge");
  CHECK(v.method.empty());
  CHECK(v.explanation.find("The control fine-tune of the same base scores cos_fit 0.140") != std::string::npos);
  CHECK_FALSE(has_flag(v, "no-control"));
}

TEST_CASE("a good fit no better than the control is not a merge", "[verdict]") {
  // cos_fit 0.9 would pass alone, but the control (another fine-tune) scores 0.8 on the same data.
  Run r = make_run(12, 16384, est_of(0.5, 0.90));
  r.agg.overall.has_control = true;
  r.agg.overall.control_est = est_of(0.45, 0.80);
  Verdict v = run(r);
  CHECK(v.kind == "not-a-merge");
  CHECK(has_flag(v, "near-control"));
}

TEST_CASE("the null's upper range (0.6) is not a merge, the middle ground is inconclusive", "[verdict]") {
  CHECK(run(make_run(12, 16384, est_of(0.3, 0.55))).kind == "not-a-merge");
  Verdict mid = run(make_run(12, 16384, est_of(0.4, 0.75)));
  CHECK(mid.kind == "inconclusive");
  CHECK(has_flag(mid, "mixed-evidence"));
}

TEST_CASE("inconsistent alpha across tensors blocks a linear verdict", "[verdict]") {
  Run r = make_run(12, 16384, est_of(0.5, 0.95));
  r.agg.overall.outliers = 6;  // half the tensors far from their component's alpha
  Verdict v = run(r);
  CHECK(v.kind == "inconclusive");
}

TEST_CASE("per-component alphas keep the linear verdict but say so", "[verdict]") {
  Run r = make_run(12, 16384, est_of(0.5, 0.999));
  GroupResult mlp = r.agg.components[0];
  mlp.component = "mlp";
  mlp.est.alpha[0] = 0.3;
  r.agg.components[0].est.alpha[0] = 0.7;
  r.agg.components.push_back(mlp);
  Verdict v = run(r);
  CHECK(v.kind == "linear-merge");
  CHECK(has_flag(v, "per-component-alpha"));
  CHECK(v.explanation.find("mlp 0.300") != std::string::npos);
}

TEST_CASE("TIES: drops below a hard |d| threshold", "[verdict]") {
  Run r = make_run(12, 16384, est_of(0.93, 0.966));
  set_sparse(r, 16000, 8000, true, 0.002, 0.02, 1.0);
  Verdict v = run(r);
  CHECK(v.kind == "sparse-merge");
  CHECK(v.method == "ties");
  CHECK(v.density == Approx(0.5).margin(1e-9));
  CHECK(v.sentence.find("lambda 1.000") != std::string::npos);
}

TEST_CASE("DARE: drops independent of |d|, kept elements rescaled", "[verdict]") {
  Run r = make_run(12, 16384, est_of(0.5, 0.55));
  set_sparse(r, 16000, 11200, false, 0.01, 0.0101, 0.5 / 0.3);
  Verdict v = run(r);
  CHECK(v.kind == "sparse-merge");
  CHECK(v.method == "dare");
  CHECK(v.density == Approx(0.3).margin(1e-9));
  CHECK(v.sentence.find("weight 0.500") != std::string::npos);
}

TEST_CASE("BF16 rounding zeros do not read as sparse when the linear merge reproduces the bits", "[verdict]") {
  // a = 0.1 stored BF16: C == B on a quarter of the changed elements, cos_fit 0.954.
  Estimates e = est_of(0.0992, 0.954);
  e.rounding_floor = 0.96;
  Run r = make_run(12, 16384, e);
  set_sparse(r, 16000, 4000, false, 0.001, 0.02, 0.11);
  r.agg.overall.bx.applicable = true;
  r.agg.overall.bx.n = 196608;
  r.agg.overall.bx.match_fp32 = 195000;
  r.agg.overall.bx.match_bf16 = 180000;
  r.agg.overall.x.p[0].robust_n = 50000;
  r.agg.overall.x.p[0].robust_dd = 2.0;
  r.agg.overall.x.p[0].robust_Dd = 0.2004;
  Verdict v = run(r);
  CHECK(v.kind == "linear-merge");
  CHECK(v.sentence == "Consistent with a linear merge: C = 0.100 A + 0.900 B");  // robust alpha 0.1002
  CHECK(has_flag(v, "rounding-floor"));
  CHECK(v.explanation.find("reproduces 99.2%") != std::string::npos);

  // The same zeros without bit-exact reproduction: with the good linear fit of a rounded suspect they
  // read as rounding of small deltas (linear, with a caveat) ...
  r.agg.overall.bx.match_fp32 = r.agg.overall.bx.match_bf16 = 1000;
  Verdict rz = run(r);
  CHECK(rz.kind == "linear-merge");
  CHECK(has_flag(rz, "rounding-zeros"));
  // ... but with a mediocre fit, or on an F32 suspect where rounding cannot drop elements, nothing
  // names a method.
  r.agg.overall.est.cos_fit = 0.75;
  CHECK(run(r).kind == "inconclusive");
  r.agg.overall.est.cos_fit = 0.954;
  r.agg.overall.est.rounding_floor = 1;
  r.agg.overall.bx.applicable = false;
  CHECK(run(r).kind == "inconclusive");
}

TEST_CASE("whole tensors copied read as passthrough; C equal to B is not a merge", "[verdict]") {
  Run r = make_run(8, 16384, est_of(0.6, 0.2));
  for (size_t i = 0; i < r.tensors.size(); ++i) {
    if (i < 4) r.tensors[i].identical_to_parent = 0;
    else r.tensors[i].copied_from = "parent: layers.0.attn.0.weight";
  }
  Verdict v = run(r);
  CHECK(v.kind == "passthrough");
  CHECK(v.method == "passthrough");
  CHECK(v.explanation.find("another layer index") != std::string::npos);

  for (auto& t : r.tensors) { t.identical_to_parent = -1; t.copied_from.clear(); t.identical_to_base = true; }
  CHECK(run(r).kind == "not-a-merge");
}

TEST_CASE("half the tensors copied from a parent and the rest unexplained is a partial passthrough", "[verdict]") {
  // A layer stack read under a small budget: the shifted copies are not read whole, so only the
  // same-position copies are seen, and the other half has no linear fit.
  Run r = make_run(8, 16384, est_of(0.6, 0.04));
  for (size_t i = 0; i < 4; ++i) r.tensors[i].identical_to_parent = 0;
  Verdict v = run(r);
  CHECK(v.kind == "passthrough");
  CHECK(v.sentence.find("4 of 8 tensors are copied whole") != std::string::npos);
  CHECK(has_flag(v, "partial-copy"));

  // One copied tensor in eight is not enough: the fit decides.
  for (size_t i = 1; i < 4; ++i) r.tensors[i].identical_to_parent = -1;
  CHECK(run(r).kind == "not-a-merge");
}

TEST_CASE("task arithmetic with two parents", "[verdict]") {
  Estimates e = est_of(0.6, 0.9995);
  e.k = 2;
  e.alpha[1] = 0.3;
  Run r = make_run(12, 16384, e, 2);
  r.agg.overall.alpha_median[1] = 0.3;
  Verdict v = run(r);
  CHECK(v.kind == "linear-merge");
  CHECK(v.method == "task_arithmetic");
  CHECK(v.sentence == "Consistent with task arithmetic: C = B + 0.600 (A1 - B) + 0.300 (A2 - B)");

  // Two parents given, but only the second one is in C: a linear merge of A2.
  r.agg.overall.est.alpha[0] = 0.004;
  r.agg.overall.est.alpha[1] = 0.571;
  Verdict one = run(r);
  CHECK(one.method == "linear");
  CHECK(one.sentence == "Consistent with a linear merge: C = 0.571 A2 + 0.429 B");
}

TEST_CASE("SLERP: the plane fit beats lerp and gives t", "[verdict]") {
  // Vectors at a wide angle: A = B + d with cos(A, B) ~ 0.9, C = slerp(0.5; B, A). The pooled Gram
  // matrix over [D, d, B] is what decide() refits.
  std::mt19937 gen(7);
  std::normal_distribution<double> g(0, 1);
  const int n = 20000;
  std::vector<double> B(n), A(n), C(n);
  for (int i = 0; i < n; ++i) { B[i] = g(gen); A[i] = B[i] + 0.45 * g(gen); }
  double ab = 0, aa = 0, bb = 0;
  for (int i = 0; i < n; ++i) { ab += A[i] * B[i]; aa += A[i] * A[i]; bb += B[i] * B[i]; }
  const double cab = ab / std::sqrt(aa * bb), th = std::acos(cab), t = 0.5;
  const double s0 = std::sin((1 - t) * th) / std::sin(th), s1 = std::sin(t * th) / std::sin(th);
  for (int i = 0; i < n; ++i) C[i] = s0 * B[i] + s1 * A[i];
  Moments m;
  m.k = 1;
  m.n = n;
  for (int i = 0; i < n; ++i) {
    const double v[3] = {C[i] - B[i], A[i] - B[i], B[i]};
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) m.gram[a * kMaxVectors + b] += v[a] * v[b];
  }
  Estimates e = est_of(m.g(0, 1) / m.g(1, 1), m.g(0, 1) / std::sqrt(m.g(0, 0) * m.g(1, 1)));
  e.plane_p[0] = s1;
  e.plane_q = s0;
  e.cos_ab[0] = cab;
  REQUIRE(e.cos_fit < 0.9995);  // the lerp model misses the curvature
  Run r = make_run(12, n / 12, e);
  r.agg.overall.pooled = m;
  Verdict v = run(r);
  CHECK(v.kind == "slerp-merge");
  CHECK(v.method == "slerp");
  CHECK(v.slerp_t == Approx(0.5).margin(1e-3));

  // The same with the exact lerp (s0 + s1 = 1): no curvature, linear.
  Run lin = make_run(12, 16384, est_of(0.5, 0.99999));
  CHECK(run(lin).kind == "linear-merge");
}

TEST_CASE("no data, or a parent equal to the base, is inconclusive", "[verdict]") {
  Run empty;
  CHECK(run(empty).kind == "inconclusive");
  Estimates e = est_of(0, 0);
  e.degenerate = true;
  CHECK(run(make_run(12, 16384, e)).kind == "inconclusive");
}

TEST_CASE("low coverage and unmatched tensors are caveats", "[verdict]") {
  Run r = make_run(2, 4096, est_of(0.571, 0.9999));
  r.match.unmatched.push_back({"classifier.weight", 0, "missing in base"});
  Verdict v = run(r);
  CHECK(v.kind == "linear-merge");
  CHECK(has_flag(v, "low-coverage"));
  CHECK(has_flag(v, "unmatched-tensors"));
}
