// Hand-built runs for the verdict tests: n tensors of one component with given estimates, as a real
// run would aggregate them (values from the generated cases, see EVALUATION.md).
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "verdict/verdict.h"

namespace verdict_test {

using namespace mp;

// A run of n tensors of `elements` each, one component (attention), all with the given estimates.
struct Run {
  MatchResult match;
  std::vector<TensorResult> tensors;
  Aggregates agg;
  int k = 1;
};

inline Run make_run(int n, uint64_t elements, const Estimates& est, int k = 1) {
  Run r;
  r.k = k;
  for (int i = 0; i < n; ++i) {
    MatchedTensor mt;
    mt.cls.component = Component::Attention;
    mt.cls.layer = i / 4;
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

inline Estimates est_of(double alpha, double cos_fit) {
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

inline Verdict run(const Run& r) { return decide(r.match, r.tensors, r.agg, r.k); }

inline bool has_flag(const Verdict& v, const std::string& f) {
  for (const auto& x : v.flags) if (x == f) return true;
  return false;
}

// Per-tensor sparsity signals: `dropped` of `changed` elements left at B; dropped |d| below kept |d|
// (hard threshold) or overlapping (random mask); kept elements carry `kept_alpha`.
inline void set_sparse(Run& r, uint64_t changed, uint64_t dropped, bool hard, double mean_drop, double mean_kept,
                double kept_alpha) {
  for (auto& t : r.tensors) {
    ParentSignals& p = t.x.p[0];
    p.d_nonzero = changed;
    p.zero_D_nonzero_d = dropped;
    p.sum_abs_d_zero_D = mean_drop * dropped;
    p.sum_abs_d_nonzero_D = mean_kept * (changed - dropped);
    p.max_abs_d_zero_D = hard ? 0.010f : 0.050f;
    p.min_abs_d_nonzero_D = hard ? 0.011f : 0.0001f;
    p.kept_dd = 1.0;
    p.kept_Dd = kept_alpha;
    p.kept_DD = kept_alpha * kept_alpha;
    // second pass: TIES leaves every element below the cut at B; a random mask leaves drops above
    // the smallest kept |d| and has (nearly) nothing above the largest dropped one
    p.above_cut = hard ? changed - dropped : 0;
    p.cut_elements = changed;
    t.x.below_cuts = hard ? dropped : changed;
    t.x.below_cuts_zero = dropped;
    p.dropped_above_kept_min = hard ? 0 : dropped;
    p.max_abs_d_nonzero_D = hard ? 0.2f : 0.049f;
    // the same-sign fit (all of it with one parent): the weight, kept alpha x kept share
    t.x.ss_dd[0][0] = 1.0;
    t.x.ss_Dd[0] = kept_alpha * double(changed - dropped) / double(changed);
  }
}

inline bool has_caveat(const Verdict& v, CaveatCode c) {
  return std::find(v.caveat_codes.begin(), v.caveat_codes.end(), c) != v.caveat_codes.end();
}

}  // namespace verdict_test

