// Rule 4 of verdict/rules.cpp, sparse merges (TIES, DARE, DELLA, breadcrumbs): which one, and its
// parameters per parent, read from the pooled evidence and, where mergekit's per-layer or
// per-component lists make them differ, per group with the same reading.
#include <algorithm>
#include <cmath>

#include "verdict/rules_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {
namespace {

// Breadcrumbs' band with k >= 2: every parent's largest |d| dropped (gamma's top: read on large
// deltas, which rounding leaves resolvable), or, for every parent, drops above its kept |d| range
// and few inside it.
bool band_k(const Evidence& ev) {
  if (ev.k < 2) return false;
  bool top = ev.top_dropped.size() == size_t(ev.k);
  for (double x : ev.top_dropped) top = top && x >= kBandTopDropped;
  if (top) return true;
  if (ev.band_above.size() != size_t(ev.k)) return false;
  for (int i = 0; i < ev.k; ++i)
    if (!(ev.band_above[i] >= kBandTopShare) || !(ev.band_inside[i] <= (ev.bf16 ? kBandInsideRounded : kSoftShare))) return false;
  return true;
}

// A sign election dropped the losing sign: no kept set holds both signs where the parents disagree
// (conflict_ratio), or, where too few such elements tell, some parent is kept less often overall
// than where all deltas share a sign.
bool election(const Evidence& ev) {
  if (std::isfinite(ev.conflict_ratio)) return ev.conflict_ratio <= kConflictRatio;
  for (size_t i = 0; i < ev.kept_share.size(); ++i)
    if (ev.kept_share[i] < kElectionKeptRatio * ev.reads.kept_share_ss[i]) return true;
  return false;
}

// Where a decided method's weights and densities show (decided once on the pool, then read the
// same way from every group).
enum class Reading {
  Ties,         // TIES: each parent's share above its own cut; the overlap's lambda w_i / W
  Breadcrumbs,  // the kept share where no election acts; the coefficient where a parent alone is kept
  Dare,         // the resolvable kept shares; k >= 2 the kept L1 weights (else the same-sign
                // least squares, E[mask / rho] = 1)
  DellaRatio,   // della (normalise): kept sets; all-kept over alone-kept coefficients (w_i / W)
  DellaL1,      // della_linear: kept sets; the alone-kept coefficient times the kept L1 share
};

// DELLA's epsilon: the parents' rank readings averaged (NaN unless every parent has one).
double pooled_epsilon(const Evidence& ev) {
  if (!defined(ev.reads.rank_epsilon, ev.k)) return NAN;
  double sum = 0;
  for (double x : ev.reads.rank_epsilon) sum += x;
  return sum / ev.k;
}

// The first parent's keep line on |d|'s rank is DELLA's: slope 2 epsilon of kDellaEpsilon or more,
// density -+ epsilon inside [0, 1] within kDellaLineSlack.
bool della_line_holds(const SparseReads& r) {
  if (!defined(r.rank_epsilon, 1) || !defined(r.rank_density, 1)) return false;
  const double eps = r.rank_epsilon[0], d = r.rank_density[0];
  return eps >= kDellaEpsilon && d - eps >= -kDellaLineSlack && d + eps <= 1 + kDellaLineSlack;
}

struct Params {
  std::vector<double> weights, densities;
};

// `elected`: a sign election acts, so the kept L1 shares are read where one sign holds (there an
// election drops no kept delta, which the rescale never saw: sweep1 046, della without normalise,
// 0.97 for 0.82 from every element; without one, every element: sweep2 138, 0.911 for 0.89 from
// the same-sign ones alone).
Params params_of(Reading m, const SparseReads& r, int k, bool elected) {
  if (k == 1) {
    // One parent: the share left at B is its mask; the kept elements carry lambda unscaled
    // (TIES, breadcrumbs), weight / density (DARE: least squares is unbiased), or the L1 ratio
    // (DELLA, whose keep probability follows |d| and biases least squares). DARE's blind mask keeps
    // as often where rounding cannot hide a kept delta, so its density is read there.
    const double w = m == Reading::Ties || m == Reading::Breadcrumbs ? r.kept_alpha[0]
                     : m == Reading::DellaL1 && std::isfinite(r.l1_weight) ? r.l1_weight
                                                                           : r.same_sign_alphas[0];
    // DELLA's density: its keep probability's line on |d|'s rank at the middle rank (a bf16
    // suspect's small kept deltas land at B, so the share left at B reads it low: sweep1 071, 0.369
    // for 0.39, the line 0.392).
    const double density = m == Reading::Dare                                  ? r.resolvable_kept[0]
                           : m == Reading::DellaL1 && defined(r.rank_density, 1) ? r.rank_density[0]
                                                                                 : r.kept_fraction[0];
    return {{w}, {density}};
  }
  switch (m) {
    // (the kept sets its cuts give, once a first reading has set them: every element whose set is
    // known, where the overlap of all parents kept held too few on sweep4 007, four bf16 parents)
    case Reading::Ties: return {r.ties_sets_read(k) ? r.ties_set_weights : r.ties_weights, r.cut_density};
    // breadcrumbs keeps a band of |d|: its share, where the resolvable elements place the band
    // (the kept sets count a rounded suspect's small drops as kept half the time)
    case Reading::Breadcrumbs: return {r.kept_single, defined(r.kept_share_band, k) ? r.kept_share_band : r.kept_share_ss};
    // DARE's blind mask, where the kept sets show it (else the fourth moments, which parents of one
    // |d| distribution confound: 0.28 for 0.64 on sweep1 041, f32).
    // DARE's rescale is the task vector's L1 norm over its kept L1 norm, tensor by tensor: the
    // alone-kept coefficient (w s_i) times the kept L1 share gives w exactly where least squares
    // leans on a few tensors' ratio estimates (sweep2 053, dare_ties f32 k = 3: 0.286 for 0.32).
    // On a rounded suspect both from the kept shares with rounding's ties shared out by the keep
    // rates (subset::soft_kept): the nearest sets read four bf16 parents' 0.76 / 0.21 as 0.738 /
    // 0.239 and the weights 0.033 off (sweep6 023, dare_ties bf16out).
    case Reading::Dare: {
      if (defined(r.kept_weight_l1_soft, k) && defined(r.kept_share_soft, k)) return {r.kept_weight_l1_soft, r.kept_share_soft};
      const auto& l1 = elected ? r.kept_weight_l1_ss : r.kept_weight_l1;
      return {defined(l1, k) ? l1 : r.same_sign_alphas, r.kept_share_res.size() == size_t(k) ? r.kept_share_res : r.dare_density};
    }
    // DELLA's densities: its keep probability's line on |d|'s rank, at the middle rank (the kept
    // sets' shares lean on the ranks they can read: the resolvable ones high, the same-sign ones
    // low in bf16, sweep1 050: 0.79 and 0.68 for 0.76); on a rounded suspect that line's nearest
    // sets pull it toward a half too (sweep11 032, della bf16out with four parents: 0.738 for
    // 0.79), so there the shared-out share at the middle rank (0.008 off).
    case Reading::DellaRatio:
      return {r.kept_ratio, defined(r.kept_share_soft, k) ? r.kept_share_soft : defined(r.rank_density, k) ? r.rank_density : r.kept_share_ss};
    // (weights on a rounded suspect as DARE's: sweep6 032, della_linear bf16mk with four parents,
    // 0.025 off from the nearest sets, 0.005 with the shared-out ones)
    case Reading::DellaL1:
      return {defined(r.kept_weight_l1_soft, k) ? r.kept_weight_l1_soft : elected ? r.kept_weight_l1_ss : r.kept_weight_l1,
              defined(r.kept_share_soft, k) ? r.kept_share_soft : defined(r.rank_density, k) ? r.rank_density : r.kept_share_ss};
  }
  return {};
}

// The largest range of one parent's value over the groups (0 with fewer than two).
double spread(const std::vector<ComponentFit>& groups, int k, bool densities) {
  double out = 0;
  for (int i = 0; i < k; ++i) {
    double lo = INFINITY, hi = -INFINITY;
    for (const auto& g : groups) {
      const double x = (densities ? g.densities : g.alphas)[i];
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (hi >= lo) out = std::max(out, hi - lo);
  }
  return out;
}

// Weight and density lists over layers or filters per component: the pooled reading mixes the
// groups' values and is no group's, so where they differ the groups' own are quoted (each group
// with both, and the pooled values stay the sentence's summary).
void quote_groups(Verdict& v, Reading m, bool elected) {
  const Evidence& ev = v.evidence;
  std::vector<ComponentFit> groups;
  for (const auto& g : ev.sparse_groups) {
    Params p = params_of(m, g.reads, ev.k, elected);
    if (!defined(p.weights, ev.k) || !defined(p.densities, ev.k)) continue;
    groups.push_back({g.component, std::move(p.weights), g.cos_fit, g.layer, std::move(p.densities)});
  }
  v.group_weight_spread = spread(groups, ev.k, false);
  v.group_density_spread = spread(groups, ev.k, true);
  const bool w = v.group_weight_spread > kSparseGroupSpread, d = v.group_density_spread > kSparseDensityGroupSpread;
  if (w) add_flag(v, "per-group-weights");
  if (d) add_flag(v, "per-group-densities");
  if (w || d) v.groups = std::move(groups);
}

}  // namespace

// 4. Sparse merges. Checked before the linear fit because DARE's cos_fit ~ sqrt(density) falls
// inside the null's range; skipped when a linear merge reproduces the bits (BF16 rounding also
// leaves C == B where |a d| is below half an ulp).
bool sparse(Verdict& v) {
  const Evidence& ev = v.evidence;
  const Sparsity& sp = ev.sparsity;
  // With several parents C == B only where every one was dropped; the kept sets show the drops.
  bool sets = ev.k >= 2 && ev.subset_residual <= kSubsetResidual;
  if (sets) {
    double least = 1;
    for (double x : ev.kept_share) if (x < least) least = x;
    sets = least <= 1 - kSparseShare;
  }
  if (!(sp.share() >= kSparseShare || sets) || ev.reproduced) return false;
  const auto share_of = [&](uint32_t n) { return sp.tensors_with_drops ? double(n) / sp.tensors_with_drops : 0; };
  // One parent, rounded suspect: the rounding-tolerant versions (a few kept elements snap to B).
  const bool soft = ev.k == 1 && ev.bf16;
  // (rounded: the band of every drop, or of the resolvable ones, which rounding cannot fake: its
  // kept small deltas at B broke the first in 2 of 3 tensors, sweep1 076, breadcrumbs_ties bf16mk)
  const bool band = ev.k == 1 ? share_of(soft ? std::max(sp.tensors_soft_band, sp.tensors_res_band) : sp.tensors_band) >= kBandShare
                              : band_k(ev);
  // The joint test with kSoftJointShare of the below-all-cuts elements off B: any rounded dtype,
  // not only where rounding shows in the fit (sweep7 022, ties bf16mk with three parents and
  // lambda 1.42: a delta that large keeps the rounding floor above kLossyFloor, yet 4-8% of every
  // tensor's below-cuts elements are kept deltas, each one broke the hard test in 2 of 3 tensors).
  const double soft_joint = ev.tensors_with_drops ? double(ev.tensors_soft_joint) / ev.tensors_with_drops : 0;
  const bool hard = !band && (ev.hard_share() >= kTiesThresholdShare ||
                              (soft && share_of(sp.tensors_soft_hard) >= kTiesThresholdShare) ||
                              (ev.rounded_dtype && soft_joint >= kTiesThresholdShare));
  // A rounded suspect whose zeros lie where its own linear fit moves B by less than an ulp or two
  // (small weights in bf16, model_stock's t / k) shows rounding, not a random mask.
  const bool rounding = ev.bf16 && !(ev.far_drop_share >= kFarDropShare);
  // Or, with several parents, the kept sets drop each parent's |d| anywhere in its kept range (a
  // random mask; rounding cannot fake it, and leaves few zeros to measure when densities are high).
  bool random_sets = sets && ev.band_inside.size() == size_t(ev.k);
  for (double x : ev.band_inside) random_sets = random_sets && x >= kBandInsideRounded;
  // Or, one parent, C off B follows |d|'s rank on DELLA's line (kDellaLineSlack).
  const bool della_line = ev.k == 1 && !rounding && della_line_holds(ev.reads);
  const bool uniform = (sp.resolvable_ratio() >= kDareRatio && !rounding) || random_sets || della_line;
  if (hard || band || uniform) {
    v.parent = ev.sparse_parent;
    v.kind = "sparse-merge";
    Reading m = Reading::Dare;
    bool elected = false;  // the random masks' sign election (their L1 weights read where one sign holds)
    if (hard) {
      // TIES trims each parent by its own top-k: its density is the share above its own cut; the
      // weights come from the overlap where every parent is kept with one sign.
      decided(v, VerdictRule::Ties, "sparse-merge", "ties");
      m = Reading::Ties;
    } else if (band) {
      // Breadcrumbs: each parent's own kept share (where no sign election can drop it) and weight
      // (its coefficient where it alone is kept: no rescale, no normalise).
      decided(v, VerdictRule::Breadcrumbs, "sparse-merge", ev.k >= 2 && election(ev) ? "breadcrumbs_ties" : "breadcrumbs");
      m = Reading::Breadcrumbs;
      if (ev.k >= 2) {
        v.gamma = 0;
        for (double a : ev.band_above) v.gamma = std::max(v.gamma, a);
      } else {
        v.gamma = sp.d_nonzero ? double(sp.dropped_above_kept_max) / double(sp.d_nonzero) : NAN;
      }
    } else {
      // A random mask: DARE ignores |d|, DELLA keeps large |d| more often (and then the
      // least-squares alpha overstates the weight; the L1 norm is what its rescale keeps). Read on
      // the elements a kept value cannot round back to B: a rounded suspect's small kept deltas
      // land at B and would make a blind mask look |d|-ranked.
      // Each parent's keep probability against |d|'s rank itself (DELLA's epsilon, 0 for DARE):
      // from the kept sets with k >= 2, from C off B with one parent.
      const double eps = pooled_epsilon(ev);
      const bool della = std::isfinite(eps) ? eps >= kDellaEpsilon : sp.resolvable_ratio() < kDellaRatio;
      if (della) v.epsilon = eps;
      const bool consensus = std::isfinite(ev.conflict_ratio) ? ev.conflict_ratio <= kConflictRatio
                                                              : ev.consensus_gap > (della ? kDellaConsensusGap : kConsensusGap);
      const char* method = della ? (consensus ? "della" : "della_linear") : (consensus ? "dare_ties" : "dare_linear");
      decided(v, della ? VerdictRule::Della : VerdictRule::Dare, "sparse-merge", method);
      elected = consensus;
      if (della && ev.k == 1) m = Reading::DellaL1;
      if (della && ev.k >= 2 && !ev.reads.kept_share_ss.empty()) {
        // DELLA's keep probability follows |d|'s rank, which biases the moment estimates: read
        // each parent's mask from the per-element kept sets. Under normalise (della) the weights
        // show only as the all-kept coefficients over the alone-kept ones (w_i / W); without it
        // (della_linear) as the alone-kept coefficient times the kept L1 share (undoing the rescale).
        bool normalised = false;
        for (double r : ev.reads.kept_ratio) normalised = normalised || !(std::fabs(r - 1) <= 0.05);
        m = normalised ? Reading::DellaRatio : Reading::DellaL1;
      }
      if (!hard && sp.threshold_share() > 0.3) add_caveat(v, CaveatCode::MixedSparsity, "mixed-sparsity");
    }
    Params p = params_of(m, ev.reads, ev.k, elected);
    v.weights = std::move(p.weights);
    v.densities = std::move(p.densities);
    v.density = v.densities[v.parent];
    // TIES: the weights are lambda w_i / W, so lambda is their sum; the others: the kept elements' alpha
    // (breadcrumbs' weight, DARE's weight / density).
    if (m == Reading::Ties) {
      v.lambda = 0;
      for (double w : v.weights) v.lambda += w;
    } else {
      v.lambda = m == Reading::Breadcrumbs && ev.k >= 2 ? NAN : sp.kept_alpha();
    }
    quote_groups(v, m, elected);
    v.alphas = v.weights;
    return true;
  }
  // Zeros correlated with |d| but no hard threshold. On a rounded suspect with a good linear fit
  // this is what small deltas look like after rounding (|a d| below half an ulp of B, more often
  // at small a): let the linear test decide, with a caveat. Otherwise DELLA-like, or rounding we
  // could not reproduce: not enough to name a method.
  if (ev.bf16 && ev.rounded_cos >= kLinearCos) return false;
  decided(v, VerdictRule::UnexplainedZeros, "inconclusive");
  v.density = 1 - sp.share();
  v.alphas = ev.alphas;
  add_caveat(v, CaveatCode::DellaOrRounding, "mixed-evidence");
  return true;
}

}  // namespace mp::verdict
