// Sparsity evidence: which elements are left at B, per parent and jointly, and what the kept ones
// carry (TIES weights, DARE densities, the per-element kept sets of stats/subset_fit.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "model/tensor_names.h"
#include "stats/method_signals.h"
#include "verdict/evidence_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {
namespace {

// TIES's overlap fit: where every parent is kept with one sign C - B = lambda sum w_i d_i / W, so
// least squares on those elements gives lambda w_i / W (NaN: too few elements or singular).
std::vector<double> overlap_weights(const MethodSignals& x, int k) {
  std::vector<double> out(k, NAN);
  double a[kMaxParents + 1][kMaxParents + 2] = {}, w[kMaxParents + 1] = {};
  if (x.ov_n < kMinElements) return out;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) a[i][j] = x.ov_dd[i][j];
    a[i][k] = x.ov_Dd[i];
  }
  if (solve(k, a, w)) out.assign(w, w + k);
  return out;
}

Sparsity sparsity_of(const std::vector<TensorResult>& tensors, int parent) {
  Sparsity s;
  for (const auto& t : tensors) {
    if (t.identical_to_base) continue;  // a whole tensor left at the base is a copy, not a drop
    const ParentSignals& p = t.x.p[parent];
    s.d_nonzero += p.d_nonzero;
    s.dropped += p.zero_D_nonzero_d;
    s.sum_abs_dropped += p.sum_abs_d_zero_D;
    s.sum_abs_kept += p.sum_abs_d_nonzero_D;
    s.kept_Dd += p.kept_Dd;
    s.kept_dd += p.kept_dd;
    s.kept_DD += p.kept_DD;
    s.above_cut += p.above_cut;
    s.cut_elements += p.cut_elements;
    s.dropped_above_kept_max += p.dropped_above_kept_max;
    s.add_resolvable(p.res_dropped, p.res_kept, p.res_sum_dropped, p.res_sum_kept);
    uint64_t kept = p.d_nonzero - std::min(p.d_nonzero, p.zero_D_nonzero_d);
    if (p.zero_D_nonzero_d > 0 && kept > 0) {
      ++s.tensors_with_drops;
      if (p.max_abs_d_zero_D <= p.min_abs_d_nonzero_D) ++s.tensors_hard_threshold;
      // breadcrumbs: drops above the smallest kept |d| all lie above the largest, and there are
      // drops on both sides
      if (p.dropped_above_kept_max > 0 && p.dropped_above_kept_min == p.dropped_above_kept_max &&
          p.zero_D_nonzero_d > p.dropped_above_kept_max)
        ++s.tensors_band;
      const double slack = kSoftShare * double(p.zero_D_nonzero_d);
      if (double(p.dropped_above_kept_min) <= slack) ++s.tensors_soft_hard;
      if (p.dropped_above_kept_max > 0 && double(p.dropped_above_kept_min - p.dropped_above_kept_max) <= slack &&
          p.zero_D_nonzero_d > p.dropped_above_kept_max)
        ++s.tensors_soft_band;
      // the same on the drops rounding cannot fake: a kept delta left at B is not one of them
      if (p.res_dropped_above_kept_max > 0 &&
          double(p.res_dropped_above_kept_min - p.res_dropped_above_kept_max) <= kSoftShare * double(p.res_dropped) &&
          p.zero_D_nonzero_d > p.dropped_above_kept_max)
        ++s.tensors_res_band;
    }
  }
  return s;
}

// Least squares of D on the d_i from the Gram sums (NaN when singular).
std::vector<double> fit(const double (*dd)[kMaxParents], const double* Dd, int k) {
  std::vector<double> out(k, NAN);
  double g[kMaxParents + 1][kMaxParents + 2] = {}, r[kMaxParents + 1] = {};
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) g[i][j] = dd[i][j];
    g[i][k] = Dd[i];
  }
  if (solve(k, g, r)) out.assign(r, r + k);
  return out;
}

// The value at half the total weight of (value, weight) pairs; NaN when there are none.
double weighted_median(std::vector<std::pair<double, double>> v) {
  std::sort(v.begin(), v.end());
  double total = 0;
  for (const auto& x : v) total += x.second;
  double acc = 0;
  for (const auto& x : v)
    if ((acc += x.second) >= total / 2) return x.first;
  return NAN;
}

// Every per-parent reading of one pool of signals (tensors that are not copies of the base).
SparseReads read_sparse(const MethodSignals& x, int k) {
  SparseReads r;
  for (int i = 0; i < k; ++i) {  // Sparsity's share(), cut_density() and kept_alpha() of the pool
    const ParentSignals& p = x.p[i];
    const double n = double(p.d_nonzero);
    r.kept_fraction.push_back(n > 0 ? 1 - double(p.zero_D_nonzero_d) / n : NAN);
    r.resolvable_kept.push_back(p.res_kept >= kMinElements && p.res_dropped >= kMinElements
                                    ? double(p.res_kept) / double(p.res_kept + p.res_dropped)
                                    : r.kept_fraction.back());
    r.cut_density.push_back(p.cut_elements > 0 ? double(p.above_cut) / double(p.cut_elements) : NAN);
    r.kept_alpha.push_back(p.kept_alpha());
  }
  r.ties_weights = overlap_weights(x, k);
  if (k >= 2) {
    const TiesSetFit f = fit_ties_sets(x.ties, k, kMinElements);
    r.ties_set_weights = f.weights;
    r.ties_set_normalised = f.normalised;
  }
  r.same_sign_alphas = fit(x.ss_dd, x.ss_Dd, k);
  // DARE: u_i = 1 / rho_i from sum_i u_i w_i^2 m4[i][j] = DDdd[j] - cross terms, w = the LS alphas.
  r.dare_density.assign(k, NAN);
  const double* al = r.same_sign_alphas.data();
  double a[kMaxParents + 1][kMaxParents + 2] = {}, w[kMaxParents + 1] = {};
  for (int j = 0; j < k; ++j) {
    double rhs = x.DDdd[j];
    for (int i = 0; i < k; ++i)
      for (int l = i + 1; l < k; ++l) rhs -= 2 * al[i] * al[l] * x.m3[pair_index(i, l)][j];
    for (int i = 0; i < k; ++i) a[j][i] = al[i] * al[i] * x.m4[i][j];
    a[j][k] = rhs;
  }
  if (std::isfinite(al[0]) && solve(k, a, w))
    for (int i = 0; i < k; ++i) if (w[i] >= 1) r.dare_density[i] = 1 / w[i];
  double sum_abs_d = x.p[0].sum_abs_d_zero_D + x.p[0].sum_abs_d_nonzero_D;
  if (k == 1 && sum_abs_d > 0) r.l1_weight = x.sum_abs_D / sum_abs_d;
  if (k == 1 && x.rank_kept.n >= kMinElements) {  // DELLA's rank test with one parent (kept: C off B)
    r.rank_epsilon = {x.rank_kept.slope() / 2};
    r.rank_density = {x.rank_kept.at(0.5)};
  }
  const SubsetSignals& u = x.sub;
  if (k >= 2 && u.samples > 0) {
    const auto share = [](double a, double b) { return b > 0 ? a / b : NAN; };
    for (int i = 0; i < k; ++i) {
      r.kept_share_ss.push_back(share(double(u.kept_ss[i]), double(u.elig_ss[i])));
      r.kept_share_band.push_back(u.elig_band[i] >= kMinElements ? share(double(u.in_band[i]), double(u.elig_band[i])) : NAN);
      r.kept_share_res.push_back(u.elig_res[i] >= kMinElements ? share(double(u.kept_res[i]), double(u.elig_res[i]))
                                                               : r.kept_share_ss.back());
      r.kept_weight_l1.push_back(share(u.l1w[i], u.wn));
      r.kept_weight_l1_ss.push_back(share(u.l1w_ss[i], u.wn));
      // (none on an f32 suspect, whose nearest sets are exact)
      const bool soft = u.elig_soft[i] >= kMinElements;
      r.kept_share_soft.push_back(soft ? share(u.kept_soft[i], u.elig_soft[i]) : NAN);
      r.kept_weight_l1_soft.push_back(soft ? share(u.l1w_soft[i], u.wn) : NAN);
      r.kept_single.push_back(weighted_median(u.single_by_sample[i]));
      r.kept_ratio.push_back(weighted_median(u.ratio_by_sample[i]));
      const LineSums& q = u.rank_kept[i];
      r.rank_epsilon.push_back(q.n >= kMinElements ? q.slope() / 2 : NAN);
      r.rank_density.push_back(q.n >= kMinElements ? q.at(0.5) : NAN);
    }
  }
  return r;
}

}  // namespace

void gather_sparsity(Evidence& ev, const std::vector<TensorResult>& tensors) {
  for (int i = 0; i < ev.k; ++i) ev.parent_sparsity.push_back(sparsity_of(tensors, i));
  ev.sparsity = ev.parent_sparsity[0];
  for (int i = 1; i < ev.k; ++i) {
    const Sparsity& s = ev.parent_sparsity[i];
    if (s.share() > ev.sparsity.share()) { ev.sparsity = s; ev.sparse_parent = i; }
  }
  // Pooled second-pass sums over the tensors that are not copies of the base.
  MethodSignals x;
  for (const auto& t : tensors) {
    if (t.identical_to_base) continue;
    x.add(t.x);
    bool drops = false, some_above = false;
    for (int i = 0; i < ev.k; ++i) {
      drops = drops || t.x.p[i].zero_D_nonzero_d > 0;
      some_above = some_above || t.x.p[i].above_cut > 0;
    }
    if (!drops || !some_above) continue;
    ++ev.tensors_with_drops;
    if (t.x.below_cuts_zero == t.x.below_cuts) ++ev.tensors_hard;
    if (double(t.x.below_cuts - t.x.below_cuts_zero) <= kSoftJointShare * double(t.x.below_cuts)) ++ev.tensors_soft_joint;
  }
  const int k = ev.k;
  if (x.drops > 0) ev.far_drop_share = double(x.drops_far) / double(x.drops);
  ev.reads = read_sparse(x, k);
  ev.opposite_alphas.assign(k, NAN);
  if (k > 1 && x.op_n >= kMinElements) ev.opposite_alphas = fit(x.op_dd, x.op_Dd, k);
  for (int i = 0; i < k; ++i) {
    const double g = std::fabs(ev.opposite_alphas[i] - ev.reads.same_sign_alphas[i]);
    if (std::isfinite(g) && !(g <= ev.consensus_gap)) ev.consensus_gap = g;
  }
  const SubsetSignals& u = x.sub;
  if (k >= 2 && u.samples > 0) {
    const auto share = [](double a, double b) { return b > 0 ? a / b : NAN; };
    for (int i = 0; i < k; ++i) {
      ev.kept_share.push_back(share(double(u.kept[i]), double(u.elig[i])));
      ev.band_inside.push_back(share(double(u.inside[i]), double(u.dropped[i])));
      ev.band_above.push_back(share(double(u.above[i]), double(u.elig_ss[i])));
      ev.band_below.push_back(share(double(u.below[i]), double(u.elig_ss[i])));
      ev.top_dropped.push_back(share(double(u.top_dropped[i]), double(u.top[i])));
    }
    if (u.res_linear > 0) ev.subset_residual = u.res / u.res_linear;
    if (u.conflict_expected >= kMinConflicts) ev.conflict_ratio = double(u.conflict_kept) / u.conflict_expected;
  }
}

void gather_sparse_groups(Evidence& ev, const MatchResult& match, const std::vector<TensorResult>& tensors,
                          const Aggregates& agg) {
  // The groups of aggregate(): (layer, component), or the component for tensors without a layer
  // (embeddings, lm_head, the final norm); pooled over the tensors that are not copies of the base.
  struct Pool { MethodSignals x; uint64_t elements = 0; };
  std::map<std::pair<int, int>, Pool> pools;
  for (const auto& t : tensors) {
    if (t.identical_to_base) continue;
    const TensorClass& cls = match.tensors[t.tensor].cls;
    Pool& p = pools[{static_cast<int>(cls.component), cls.layer}];
    p.x.add(t.x);
    p.elements += t.elements;
  }
  for (const auto& [key, p] : pools) {
    if (p.elements < kComponentMinElements) continue;
    SparseGroup g;
    g.component = component_name(static_cast<Component>(key.first));
    g.layer = key.second;
    g.reads = read_sparse(p.x, ev.k);
    for (const auto& a : g.layer >= 0 ? agg.layers : agg.components)
      if (a.component == g.component && a.layer == g.layer) g.cos_fit = a.est.cos_fit;
    ev.sparse_groups.push_back(std::move(g));
  }
}

}  // namespace mp::verdict
