// The method-shape rules of verdict/rules.cpp (its rules 4 and 5 and mergekit's shapes): sparse
// merges (TIES, DARE, DELLA, breadcrumbs), model_stock, nearswap, a sparse merge over another
// base, karcher, multislerp, nuslerp and SLERP. Each returns true when it decided; skipped for
// quantized suspects (rules.cpp says why).
#include <algorithm>
#include <cmath>

#include "verdict/rules_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {
namespace {

// Breadcrumbs' band with k >= 2: for every parent, drops above its kept |d| range and few inside it.
bool band_k(const Evidence& ev) {
  if (ev.k < 2 || ev.band_above.size() != size_t(ev.k)) return false;
  for (int i = 0; i < ev.k; ++i)
    if (!(ev.band_above[i] >= kBandTopShare) || !(ev.band_inside[i] <= (ev.bf16 ? kBandInsideRounded : kSoftShare))) return false;
  return true;
}

// A sign election dropped the losing sign: some parent is kept less often overall than where all
// deltas share a sign.
bool election(const Evidence& ev) {
  for (size_t i = 0; i < ev.kept_share.size(); ++i)
    if (ev.kept_share[i] < kElectionKeptRatio * ev.kept_share_ss[i]) return true;
  return false;
}

// 4. Sparse merges. Checked before the linear fit because DARE's cos_fit ~ sqrt(density) falls
// inside the null's range; skipped when a linear merge reproduces the bits (BF16 rounding also
// leaves C == B where |a d| is below half an ulp).
bool sparse(Verdict& v) {
  const Evidence& ev = v.evidence;
  const Sparsity& sp = ev.sparsity;
  if (sp.share() < kSparseShare || ev.reproduced) return false;
  const auto share_of = [&](uint32_t n) { return sp.tensors_with_drops ? double(n) / sp.tensors_with_drops : 0; };
  // One parent, rounded suspect: the rounding-tolerant versions (a few kept elements snap to B).
  const bool soft = ev.k == 1 && ev.bf16;
  const bool band = ev.k == 1 ? share_of(soft ? sp.tensors_soft_band : sp.tensors_band) >= kBandShare : band_k(ev);
  const double soft_joint = ev.tensors_with_drops ? double(ev.tensors_soft_joint) / ev.tensors_with_drops : 0;
  const bool hard = !band && (ev.hard_share() >= kTiesThresholdShare ||
                              (soft && share_of(sp.tensors_soft_hard) >= kTiesThresholdShare) ||
                              (ev.bf16 && soft_joint >= kTiesThresholdShare));
  // A rounded suspect whose zeros lie where its own linear fit moves B by less than an ulp or two
  // (small weights in bf16, model_stock's t / k) shows rounding, not a random mask.
  const bool rounding = ev.bf16 && !(ev.far_drop_share >= kFarDropShare);
  const bool uniform = sp.ratio() >= kDareRatio && !rounding;
  if (hard || band || uniform) {
    v.parent = ev.sparse_parent;
    v.kind = "sparse-merge";
    if (hard) {
      // TIES trims each parent by its own top-k: its density is the share above its own cut; the
      // weights come from the overlap where every parent is kept with one sign.
      decided(v, VerdictRule::Ties, "sparse-merge", "ties");
      for (const auto& p : ev.parent_sparsity) v.densities.push_back(p.cut_density());
      v.weights = ev.ties_weights;
      // Weight lists over layers or filters per component: the pooled overlap mixes the groups'
      // weights and is no group's, so the groups' own are quoted.
      if (ev.k >= 2 && ev.ties_group_spread > kSparseGroupSpread) {
        v.groups = ev.ties_groups;
        add_flag(v, "per-group-weights");
      }
      if (ev.k == 1) {  // one parent: every kept element carries lambda (also under rounding)
        v.densities = {1 - sp.share()};
        v.weights = {sp.kept_alpha()};
      }
      v.lambda = 0;
      for (double w : v.weights) v.lambda += w;
      v.density = v.densities[v.parent];
    } else if (band && ev.k >= 2) {
      // Breadcrumbs of several parents: each parent's own kept share (where no sign election can
      // drop it) and weight (its coefficient where it alone is kept: no rescale, no normalise).
      decided(v, VerdictRule::Breadcrumbs, "sparse-merge", election(ev) ? "breadcrumbs_ties" : "breadcrumbs");
      v.densities = ev.kept_share_ss;
      v.weights = ev.kept_single;
      v.gamma = 0;
      for (double a : ev.band_above) v.gamma = std::max(v.gamma, a);
      v.density = v.densities[v.parent];
      v.lambda = NAN;
    } else if (band) {
      // Breadcrumbs: the kept band's elements carry the weight unscaled.
      decided(v, VerdictRule::Breadcrumbs, "sparse-merge", "breadcrumbs");
      v.densities = {1 - sp.share()};
      v.density = v.densities[0];
      v.gamma = sp.d_nonzero ? double(sp.dropped_above_kept_max) / double(sp.d_nonzero) : NAN;
      v.lambda = sp.kept_alpha();
      v.weights = {v.lambda};
    } else {
      // A random mask: DARE ignores |d|, DELLA keeps large |d| more often (and then the
      // least-squares alpha overstates the weight; the L1 norm is what its rescale keeps).
      const bool della = sp.ratio() < kDellaRatio;
      const bool consensus = ev.consensus_gap > (della ? kDellaConsensusGap : kConsensusGap);
      const char* method = della ? (consensus ? "della" : "della_linear") : (consensus ? "dare_ties" : "dare_linear");
      decided(v, della ? VerdictRule::Della : VerdictRule::Dare, "sparse-merge", method);
      v.densities = ev.dare_density;
      if (ev.k == 1) v.densities = {1 - sp.share()};
      v.weights = ev.same_sign_alphas;
      if (della && ev.k == 1 && std::isfinite(ev.l1_weight)) v.weights = {ev.l1_weight};
      if (della && ev.k >= 2 && !ev.kept_share_ss.empty()) {
        // DELLA's keep probability follows |d|'s rank, which biases the moment estimates: read
        // each parent's mask from the per-element kept sets. Under normalise (della) the weights
        // show only as the all-kept coefficients over the alone-kept ones (w_i / W); without it
        // (della_linear) as the alone-kept coefficient times the kept L1 share (undoing the rescale).
        v.densities = ev.kept_share_ss;
        bool normalised = false;
        for (double r : ev.kept_ratio) normalised = normalised || !(std::fabs(r - 1) <= 0.05);
        v.weights = normalised ? ev.kept_ratio : ev.kept_weight_l1;
      }
      v.density = v.densities[v.parent];
      v.lambda = sp.kept_alpha();
      if (!hard && sp.threshold_share() > 0.3) add_caveat(v, CaveatCode::MixedSparsity, "mixed-sparsity");
    }
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

// model_stock: each tensor's weight t / k follows from the parents' own cosines; the per-tensor
// prediction explains C clearly better than one constant alpha does.
bool model_stock(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k < 2 || !(ev.stock_cos >= kStockCos) || std::fabs(ev.stock_scale - 1) > kStockScale ||
      ev.stock_cos < ev.cos + kStockGain)
    return false;
  decided(v, VerdictRule::ModelStock, "linear-merge", "model_stock");
  v.alphas = ev.alphas;
  return true;
}

// nearswap: every changed element either equals A or is clipped at t (within its rounding).
bool nearswap(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k != 1 || ev.reproduced || ev.nearswap_equal_share + ev.clipped_share < kNearswapShare ||
      std::min(ev.nearswap_equal_share, ev.clipped_share) < kNearswapMinPart || !std::isfinite(ev.nearswap_t))
    return false;
  decided(v, VerdictRule::Nearswap, "nearswap-merge", "nearswap");
  v.nearswap_t = ev.nearswap_t;
  return true;
}

// One parent, unrounded suspect: C holds A's exact values on part of the elements and is at B
// almost nowhere, without nearswap's clip. Over its own base a sparse merge leaves the dropped
// elements at that base; here they are not at B, so C is a sparse merge of A over another base.
// Which sparsifier cannot be told without that base; the kept share is its density and the kept
// elements carry weight 1 (they equal A).
bool sparse_over_other_base(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k != 1 || ev.bf16 || ev.reproduced || ev.kept_a_share < kSparseShare || ev.sparsity.share() >= kSoftShare ||
      ev.clipped_share >= kNearswapMinPart)
    return false;
  decided(v, VerdictRule::SparseOtherBase, "sparse-merge");
  v.parent = 0;
  v.densities = {ev.kept_a_share};
  v.density = ev.kept_a_share;
  v.weights = {1};
  v.alphas = v.weights;
  v.lambda = 1;
  v.wrong_base.flagged = true;
  v.wrong_base.signal = "kept-parent-values";
  v.wrong_base.kept_share = ev.kept_a_share;
  return true;
}

// karcher: mergekit's Karcher mean of the models themselves (equal weights, whatever the config),
// recomputed per tensor, explains C at least as well as the free least-squares fit.
bool karcher(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k < 2 || !(ev.karcher_cos >= kKarcherCos) || !(std::fabs(ev.karcher_scale - 1) <= kKarcherScale) ||
      ev.karcher_cos < ev.cos)
    return false;
  decided(v, VerdictRule::Karcher, "slerp-merge", "karcher");
  v.weights.assign(ev.k, 1.0 / ev.k);
  v.alphas = ev.alphas;
  return true;
}

// multislerp: in every tensor alpha_i |d_i| is proportional to one weight vector and |D| is the
// weighted mean of the |d_i| (a unit spherical mean rescaled).
bool multislerp(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k < 2 || ev.cos < kLinearCos || !(ev.mslerp_spread <= kMslerpSpread) || !(ev.mslerp_norm_err <= kMslerpNormErr))
    return false;
  decided(v, VerdictRule::Multislerp, "slerp-merge", "multislerp");
  v.weights = ev.mslerp_weights;
  v.alphas = ev.alphas;
  return true;
}

// nuslerp: the two fitted coefficients are sin((1 - t) th) / sin th and sin(t th) / sin th for
// one t in every tensor (th the angle between the two deltas); weights w1 : w2 = (1 - t) : t.
bool nuslerp(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k != 2 || ev.cos < kLinearCos || !(ev.nuslerp_err <= kNuslerpErr)) return false;
  decided(v, VerdictRule::Nuslerp, "slerp-merge", "nuslerp");
  v.slerp_t = ev.nuslerp_t;
  v.weights = {1 - ev.nuslerp_t, ev.nuslerp_t};
  v.alphas = ev.alphas;
  return true;
}

// 5. SLERP, two ways. Wide angles: the pooled plane fit C = p A + q B explains clearly more than
// the lerp model. Small angles (fine-tunes of one base, 2-6 degrees): the lerp fit is as good as
// slerp's, but each tensor's p + q - 1 follows slerp's prediction for its own angle and t
// (Evidence::slerp_slope), with enough precision to tell it from lerp's 0 (slerp_z).
bool slerp(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k != 1 || ev.cos < kNullCos) return false;
  const bool plane = ev.cos < kSlerpMaxLerpCos && ev.slerp_excess > kSlerpExcess && ev.slerp_drop >= kSlerpResidualDrop;
  const bool curvature = linear_fit_holds(ev) && ev.slerp_z >= kSlerpMinZ &&
                         std::fabs(ev.slerp_slope - 1) <= kSlerpSlopeTolerance && ev.slerp_explained >= kSlerpExplained;
  if (!plane && !curvature) return false;
  decided(v, VerdictRule::Slerp, "slerp-merge", "slerp");
  v.slerp_t = slerp_t_from(ev.overall.est.plane_p[0], ev.overall.est.cos_ab[0]);
  // t lists over layers or filters per component: the pooled t mixes the groups' and is none of
  // theirs, so the groups' own are quoted.
  if (ev.slerp_group_spread > kSlerpGroupSpread) {
    v.groups = ev.slerp_groups;
    add_flag(v, "per-group-t");
  }
  return true;
}

}  // namespace

// The first of them that decides. The order is part of the calibration (a bf16 model_stock also
// leaves zeros at B; the slerp shapes come after the exact signatures): the mergekit set pins it.
bool method_shape(Verdict& v) {
  return model_stock(v) || sparse(v) || nearswap(v) || sparse_over_other_base(v) || karcher(v) || multislerp(v) ||
         nuslerp(v) || slerp(v);
}

}  // namespace mp::verdict
