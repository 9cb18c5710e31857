// Sparse merges with per-group parameters (issue 12): mergekit's per-layer density and weight
// lists give each (layer, component) group its own values, which the pooled reading mixes; the
// verdict quotes each group's, read the way the decided method's pooled values are.
#include <catch2/catch.hpp>

#include <string>

#include "verdict/verdict.h"
#include "verdict_runs.h"

using namespace verdict_test;

namespace {

// TIES's per-tensor signals with `kept` of 16000 changed elements above the parent's cut.
void set_kept(TensorResult& t, int parent, uint64_t kept) {
  ParentSignals& p = t.x.p[parent];
  p.d_nonzero = 16000;
  p.zero_D_nonzero_d = 16000 - kept;
  p.sum_abs_d_zero_D = 0.002 * double(16000 - kept);
  p.sum_abs_d_nonzero_D = 0.02 * double(kept);
  p.above_cut = kept;
  p.cut_elements = 16000;  // the cut is known (drops set it)
}

}  // namespace

TEST_CASE("TIES, one parent: densities per layer are quoted per group, the pooled one is no layer's", "[verdict]") {
  // mk-pg-ties-f32-k1-density-layers' shape: density 0.3, 0.5, 0.7 over layers 0-2 (make_run puts
  // four tensors in each layer), pooled 0.5.
  Run r = make_run(12, 16384, est_of(0.93, 0.966));
  set_sparse(r, 16000, 8000, true, 0.002, 0.02, 1.0);
  const double density[3] = {0.3, 0.5, 0.7};
  for (auto& t : r.tensors) {
    const int layer = r.match.tensors[t.tensor].cls.layer;
    set_kept(t, 0, uint64_t(16000 * density[layer]));
    t.x.below_cuts = t.x.below_cuts_zero = t.x.p[0].zero_D_nonzero_d;
  }
  Verdict v = run(r);
  CHECK(v.method == "ties");
  CHECK(v.density == Approx(0.5));
  CHECK(has_flag(v, "per-group-densities"));
  CHECK(!has_flag(v, "per-group-weights"));
  REQUIRE(v.groups.size() == 3);
  for (int L = 0; L < 3; ++L) {
    CHECK(v.groups[L].layer == L);
    CHECK(v.groups[L].component == "attention");
    REQUIRE(v.groups[L].densities.size() == 1);
    CHECK(v.groups[L].densities[0] == Approx(density[L]));
    REQUIRE(v.groups[L].alphas.size() == 1);
    CHECK(v.groups[L].alphas[0] == Approx(1.0));  // the kept elements' lambda, the same in every layer
  }
  CHECK(v.group_density_spread == Approx(0.4));
  CHECK(v.sentence.find("density by group: layer 0 attention 0.3") != std::string::npos);
}

TEST_CASE("TIES, two parents: one parent's density per layer, weights one per parent, no groups when uniform", "[verdict]") {
  Estimates e = est_of(0.737, 0.844);
  e.alpha[1] = 0.641;
  const auto make = [&](bool per_layer) {
    Run r = make_run(8, 16384, e, 2);
    for (auto& t : r.tensors) {
      const int layer = r.match.tensors[t.tensor].cls.layer;  // 0 or 1
      set_kept(t, 0, per_layer && layer == 1 ? 11200 : 4800);  // density 0.3, or 0.3 then 0.7
      set_kept(t, 1, 8000);
      for (int i = 0; i < 2; ++i) {
        t.x.p[i].max_abs_d_zero_D = 0.01f;
        t.x.p[i].min_abs_d_nonzero_D = 0.0001f;
        t.x.p[i].dropped_above_kept_min = t.x.p[i].zero_D_nonzero_d;
        t.x.p[i].kept_dd = 1;
        t.x.p[i].kept_Dd = 0.7;
      }
      t.x.below_cuts = t.x.below_cuts_zero = 4000;
      // overlap: D = 0.6 d1 + 0.4 d2 exactly, in every layer
      t.x.ov_n = 2000;
      t.x.ov_dd[0][0] = 1.0; t.x.ov_dd[1][1] = 1.0; t.x.ov_dd[0][1] = t.x.ov_dd[1][0] = 0.2;
      t.x.ov_Dd[0] = 0.6 * 1.0 + 0.4 * 0.2;
      t.x.ov_Dd[1] = 0.6 * 0.2 + 0.4 * 1.0;
    }
    return run(r);
  };
  Verdict v = make(true);
  CHECK(v.method == "ties");
  CHECK(has_flag(v, "per-group-densities"));
  CHECK(!has_flag(v, "per-group-weights"));
  REQUIRE(v.groups.size() == 2);
  CHECK(v.groups[0].densities[0] == Approx(0.3));
  CHECK(v.groups[1].densities[0] == Approx(0.7));
  CHECK(v.groups[1].densities[1] == Approx(0.5));
  CHECK(v.groups[1].alphas[0] == Approx(0.6));
  CHECK(v.groups[1].alphas[1] == Approx(0.4));
  // the same merge with one density per parent: the pooled values are every group's
  Verdict u = make(false);
  CHECK(u.method == "ties");
  CHECK(u.groups.empty());
  CHECK(u.group_density_spread == Approx(0).margin(1e-12));
  CHECK(!has_flag(u, "per-group-densities"));
}

TEST_CASE("kept sets: the alone-kept coefficient pools as the samples' weighted median", "[verdict]") {
  // sweep4 019 (breadcrumbs bf16mk, four parents): 3 of 12 samples' modes settled on the pile of
  // D / d_0 at exactly 1 (C on A_0's bf16 value) instead of w_0 = 0.6, and their mean read 0.653.
  Run r = make_run(12, 16384, est_of(0.6, 0.9), 2);
  for (auto& t : r.tensors) {
    mp::SubsetSignals& u = t.x.sub;
    u.samples = 1;
    u.wn = 16000;
    const double single0 = t.tensor % 4 == 3 ? 1.0 : 0.6;
    u.single[0] = u.wn * single0;
    u.single[1] = u.wn * 0.45;
    u.single_by_sample[0] = {{single0, u.wn}};
    u.single_by_sample[1] = {{0.45, u.wn}};
  }
  const Verdict v = run(r);
  REQUIRE(v.evidence.reads.kept_single.size() == 2);
  CHECK(v.evidence.reads.kept_single[0] == Approx(0.6));  // the mean of the sums would be 0.7
  CHECK(v.evidence.reads.kept_single[1] == Approx(0.45));
}
