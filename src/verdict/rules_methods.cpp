// The method-shape rules of verdict/rules.cpp (its rules 4 and 5 and mergekit's shapes):
// model_stock, nearswap, a sparse merge over another base, karcher, multislerp, nuslerp and SLERP
// (the sparse merges themselves: rules_sparse.cpp). Each returns true when it decided; skipped for
// quantized suspects (rules.cpp says why).
#include <algorithm>
#include <cmath>

#include "verdict/rules_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {
namespace {

// model_stock: each tensor's weight t / k follows from the parents' own cosines; the per-tensor
// prediction explains C clearly better than one constant alpha does, or (a rounded suspect, whose
// noise caps every cosine) at least as well, with each tensor's own scale at its t / k.
bool model_stock(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k < 2 || !(std::fabs(ev.stock_scale - 1) <= kStockScale)) return false;
  const bool explains = ev.stock_cos >= kStockCos && ev.stock_cos >= ev.cos + kStockGain;
  const bool follows = ev.stock_spread <= kStockSpread && ev.stock_cos >= std::max(ev.cos, ev.fit_cos);
  if (!(explains || follows)) return false;
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
// (Evidence::slerp_slope), with enough precision to tell it from lerp's 0 (slerp_z). Neither where
// the tensors' p + q - 1 measurably ignore their angles around a common offset (lerp_measured: a
// bf16 linear merge's rounded weight sum moves them all alike, and the plane fit takes that up
// too: sweep7 010 and 052 read slerp).
bool slerp(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (ev.k != 1 || ev.cos < kNullCos) return false;
  const bool plane = ev.cos < kSlerpMaxLerpCos && ev.slerp_excess > kSlerpExcess && ev.slerp_drop >= kSlerpResidualDrop;
  const bool curvature = linear_fit_holds(ev) && ev.slerp_z >= kSlerpMinZ &&
                         std::fabs(ev.slerp_slope - 1) <= kSlerpSlopeTolerance && ev.slerp_explained >= kSlerpExplained;
  if ((!plane && !curvature) || lerp_measured(ev)) return false;
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
