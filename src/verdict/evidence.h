// What the verdict rests on: every number the rules test and the text quotes, measured once from
// the aggregates (verdict/evidence*.cpp, see evidence_parts.h). The rules (rules.cpp) read it and
// decide; the text (text*.cpp) reads it and writes sentences; neither computes a statistic of its own.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/aggregate.h"
#include "verdict/thresholds.h"

namespace mp::verdict {

// A per-parent reading every one of whose k values is defined.
inline bool defined(const std::vector<double>& x, int k) {
  return x.size() == size_t(k) && std::all_of(x.begin(), x.end(), [](double d) { return std::isfinite(d); });
}

// Sparsity evidence for one parent, over tensors that are not whole copies of the base.
struct Sparsity {
  uint64_t d_nonzero = 0, dropped = 0;
  double sum_abs_dropped = 0, sum_abs_kept = 0;
  double kept_Dd = 0, kept_dd = 0, kept_DD = 0;
  uint32_t tensors_with_drops = 0, tensors_hard_threshold = 0;
  uint64_t above_cut = 0;                 // |d| above its tensor's largest dropped |d|
  uint64_t cut_elements = 0;              // d != 0 where that cut is known (cut_density's denominator)
  uint32_t tensors_band = 0;              // dropped |d| only outside the kept range, on both sides
  // Rounding-tolerant one-parent versions: at most kSoftShare of the dropped elements break it
  // (a rounded suspect snaps a few kept elements to B).
  uint32_t tensors_soft_hard = 0, tensors_soft_band = 0;
  uint32_t tensors_res_band = 0;  // the band on the resolvable drops alone (rounded suspects)
  uint64_t dropped_above_kept_max = 0;    // the band's top (breadcrumbs' gamma share)
  double cut_density() const { return cut_elements ? double(above_cut) / double(cut_elements) : 0; }
  double band_share() const { return tensors_with_drops ? double(tensors_band) / tensors_with_drops : 0; }
  double share() const { return d_nonzero ? double(dropped) / double(d_nonzero) : 0; }
  double ratio() const {  // mean |d| dropped / mean |d| kept
    uint64_t kept = d_nonzero - dropped;
    if (!dropped || !kept || sum_abs_kept <= 0) return 0;
    return (sum_abs_dropped / double(dropped)) / (sum_abs_kept / double(kept));
  }
  // the kept elements' alpha; undefined (NaN, null in the report) where nothing was kept
  double kept_alpha() const { return kept_dd > 0 ? kept_Dd / kept_dd : NAN; }
  // ratio() over the elements whose kept value rounding cannot return to B (ParentSignals::res_*),
  // taken per tensor and averaged with weights n_dropped n_kept / (n_dropped + n_kept) (a pooled
  // ratio mixes tensors of other densities and |d| scales: per-layer densities alone move it);
  // ratio() itself where too few of them are dropped or kept.
  uint64_t res_dropped = 0, res_kept = 0;
  double res_ratio_sum = 0, res_ratio_w = 0;
  void add_resolvable(uint64_t dropped_n, uint64_t kept_n, double sum_dropped, double sum_kept) {
    res_dropped += dropped_n;
    res_kept += kept_n;
    if (!dropped_n || !kept_n || !(sum_kept > 0)) return;
    const double w = double(dropped_n) * double(kept_n) / double(dropped_n + kept_n);
    res_ratio_sum += w * (sum_dropped / double(dropped_n)) / (sum_kept / double(kept_n));
    res_ratio_w += w;
  }
  double resolvable_ratio() const {
    if (res_dropped < kMinElements || res_kept < kMinElements || !(res_ratio_w > 0)) return ratio();
    return res_ratio_sum / res_ratio_w;
  }
  double threshold_share() const {
    return tensors_with_drops ? double(tensors_hard_threshold) / tensors_with_drops : 0;
  }
};

// The fit under another role assignment of the given models (the wrong-base test): the model given
// as parent `base` taken as the base, the given base in its parent slot.
struct RoleFit {
  int base = -1;                 // the parent (0-based) taken as the base; -1: the given roles
  double cos_fit = NAN;          // C - base' fitted by the parents' deltas under these roles
  std::vector<double> alphas;    // per parent slot (slot `base` holds the given base)
  double parent_cos = NAN;       // the largest pairwise cosine between these roles' parent deltas
};

// A component group that enters the consistency checks (enough elements, a defined alpha).
struct ComponentFit {
  std::string component;
  std::vector<double> alphas;  // per parent
  double cos_fit = 0;
  int layer = -1;              // a (layer, component) group's layer; -1: the whole component
  std::vector<double> densities;  // sparse merges: each parent's kept share in the group (else empty)
  double t = NAN;              // SLERP's t in this group (slerp groups only)
};

// A sparse merge's per-parent readings from one pool of elements (the run, or one group): each
// method's parameters show in some of them (rules_sparse.cpp sparse_params). NaN: undefined.
struct SparseReads {
  std::vector<double> kept_fraction;     // 1 - the share of d_i != 0 left at B (one parent's density)
  // The same on the elements whose kept value rounding cannot return to B (ParentSignals::res_*):
  // a mask blind to |d| (DARE) keeps as often there, and a rounded suspect's small kept deltas no
  // longer count as dropped. kept_fraction where fewer than kMinElements are dropped or kept.
  std::vector<double> resolvable_kept;
  std::vector<double> cut_density;       // share of d_i != 0 above the parent's own cut (TIES top-k)
  std::vector<double> kept_alpha;        // least squares of D on d_i where C != B
  std::vector<double> ties_weights;      // lambda w_i / W from the overlap (TIES)
  // TIES's weights from every element whose kept set its cuts give (stats/ties_sets.h: lambda w_i / W
  // under normalise, lambda w_i without), empty before a TIES verdict has set the cuts or with too
  // few elements; which of the two models fits those sets better.
  std::vector<double> ties_set_weights;
  bool ties_set_normalised = false;
  // TIES's weights are read from those sets (else from the overlap)
  bool ties_sets_read(int k) const { return defined(ties_set_weights, k); }
  std::vector<double> same_sign_alphas;  // LS where no deltas disagree in sign (consensus-free)
  std::vector<double> dare_density;      // from fourth moments
  // From the per-element kept sets (k >= 2, stats/subset_fit.h; empty without a fit):
  std::vector<double> kept_share_ss;     // i in S where the d_j share one sign (no election there)
  std::vector<double> kept_share_res;    // the same where i's contribution is resolvable (DARE's mask)
  std::vector<double> kept_share_band;   // share of d_i != 0 in the kept |d_i| band (breadcrumbs)
  std::vector<double> kept_weight_l1;    // a_{{i},i} times the kept L1 share: w_i of an L1-rescaled mask
  std::vector<double> kept_weight_l1_ss; // the same from the same-sign elements (under a sign election)
  // kept_share_ss (at the middle rank of |d|) and kept_weight_l1_ss with rounding's ties shared out
  // by the keep probabilities (SubsetSignals::kept_soft; rounded suspects): DARE's and DELLA's
  // densities, DARE's and della_linear's weights
  std::vector<double> kept_share_soft, kept_weight_l1_soft;
  std::vector<double> kept_ratio;        // a_{all,i} / a_{{i},i}: w_i / W under normalise, 1 without (samples' weighted median)
  std::vector<double> kept_single;       // a_{{i},i}: w_i without rescale (samples' weighted median)
  // Half the slope of kept on |d_i|'s rank in its row (SubsetSignals::rank_kept with k >= 2,
  // MethodSignals::rank_kept with one parent): DELLA's epsilon, 0 for DARE's flat mask; NaN with
  // fewer than kMinElements elements read.
  std::vector<double> rank_epsilon;
  std::vector<double> rank_density;      // the same line at the middle rank: DELLA's density
  double l1_weight = NAN;                // sum |D| / sum |d| (one parent)
};

// The sparse readings of one (layer, component) group, or of a component without layers.
struct SparseGroup {
  std::string component;
  int layer = -1;
  double cos_fit = 0;
  SparseReads reads;
};

struct Evidence {
  int k = 1;
  GroupResult overall;                   // agg.overall: elements, usable, alpha statistics, control
  uint32_t tensors = 0;                  // compared tensors
  uint64_t unmatched = 0;                // tensors that could not be compared

  // Whole-tensor copies.
  uint32_t same_parent = 0, same_base = 0, copied = 0;
  uint32_t copies() const { return same_parent + same_base + copied; }
  uint32_t equal_base = 0;      // tensors equal to the base, whether or not also to a parent
  int copy_parent = -1;         // the parent every tensor equals at its position, else -1
  // Why alpha is undefined ("" when defined): a parent equal to the base, two parents equal.
  std::string undefined_reason;
  std::vector<std::string> copy_examples;   // "name = copied_from", at most 2
  std::vector<std::string> outlier_names;   // at most 3

  // The pooled fit. For a quantized suspect (ggml block types) `cos`, `fit_cos` and the groups'
  // cos_fit are the fit as far as the quantization allows, cos_fit / cos_floor (at most 1), so one
  // set of thresholds reads every dtype; `raw_cos` keeps the measured cos_fit.
  double cos = 0, ctrl_cos = 0;
  double raw_cos = 0;
  bool quantized = false;        // the suspect's sampled tensors are (partly) in ggml block types
  double cos_floor = 1;          // the best cos_fit a perfect merge reaches after that quantization
  double noise_ratio = NAN;      // residual energy over the quantization noise (1: noise alone)
  // `cos` over the noise model's accuracy (kNoiseOverestimate / kNoiseUnderestimate): where the
  // noise swamps the delta (4-bit grids over a fine-tune) a small error in the noise moves
  // cos_fit / cos_floor a lot, so a merge must hold at cos_lo and "no merge" at cos_hi. Both equal
  // `cos` when not quantized.
  double cos_lo = 0, cos_hi = 0;
  // A rounded suspect (BF16/F16/FP8, not quantized): cos_fit over the rounding floor (the best
  // cos_fit a perfect merge reaches after rounding, with the noise kRoundingNoiseOverestimate
  // smaller), at most 1; `cos` otherwise. The fit tests (linear, failing groups, not a merge) read
  // it, so a small-weight merge whose delta is mostly rounding is judged against what rounding
  // leaves; the method-shape tests keep `cos`.
  double rounded_cos = 0;
  bool bf16 = false;                   // rounding is visible (BF16/F16/FP8 suspect)
  // The suspect is stored with fewer mantissa bits than F32 (BF16, F16, FP8; not a ggml block
  // type): `bf16` can be false where the delta dwarfs the rounding noise, yet each small kept delta
  // still rounds back to B and blurs the kept sets' edges.
  bool rounded_dtype = false;
  double bx_fp32 = 0, bx_bf16 = 0;     // bit-exact reproduction shares
  bool reproduced = false;             // a linear merge reproduces C's bits
  std::vector<double> alphas;          // quoted alpha per parent (rounding-robust for rounded suspects)
  bool robust_alpha = false;           // alphas[0] is the rounding-robust alpha
  uint64_t robust_n = 0;

  // Sparsity: the parent with the largest share of elements left at B.
  int sparse_parent = 0;
  Sparsity sparsity;
  std::vector<Sparsity> parent_sparsity;  // every parent's, in parent order
  // Joint hard threshold (TIES with any k): share of tensors with drops where every element with
  // each parent's |d| at most that parent's cut is left at B.
  uint32_t tensors_with_drops = 0, tensors_hard = 0;
  uint32_t tensors_soft_joint = 0;  // the same with kSoftJointShare of those elements off B (rounding)
  double hard_share() const { return tensors_with_drops ? double(tensors_hard) / tensors_with_drops : 0; }
  SparseReads reads;                      // over every tensor that is not a copy of the base
  // The same readings per (layer, component) group, and per component for tensors without a
  // layer (groups below kComponentMinElements left out): mergekit's per-layer and per-component
  // weight and density lists move them, and the rules quote them when they differ.
  std::vector<SparseGroup> sparse_groups;
  std::vector<double> opposite_alphas;    // LS where some deltas disagree in sign (NaN when too few elements)
  // A sign consensus shows as the opposite-sign fit differing from the same-sign one (TIES-style
  // methods keep one sign only there): kConsensusGap / kDellaConsensusGap in rules.cpp.
  // Per-element kept sets (k >= 2, stats/subset_fit.h), per parent (NaN: no fit).
  // (reads.kept_share_ss and the kept weights are in `reads`.)
  std::vector<double> kept_share;      // i in S over the elements with d_i != 0 (the mask, no election)
  double subset_residual = NAN;        // sum (D - set's prediction)^2 / sum (D - linear fit)^2 (NaN: no fit)
  std::vector<double> band_inside;     // dropped |d_i| inside the kept range / dropped (same-sign)
  std::vector<double> band_above;      // dropped above the kept top / same-sign elements
  std::vector<double> band_below;      // dropped below the kept bottom / same-sign elements
  std::vector<double> top_dropped;     // dropped among the top kSubsetTopShare of |d_i| (same-sign)
  // Of the elements left at B although some d_i != 0, the share where the tensor's own linear fit
  // moves B by kFarDropUlps ulps or more (NaN: no such element): rounding leaves only the others
  // at B, a mask also these (1 on an unrounded suspect).
  double far_drop_share = NAN;
  double consensus_gap = NAN;  // max over parents of |opposite - same| (NaN: k = 1 or too few)
  // Kept sets holding both signs where the resolvable weighted deltas disagree, over what
  // independent masks would keep (SubsetSignals::conflict_*): 1 without a sign election, 0 with one
  // (NaN: no fit or fewer than kMinConflicts expected).
  double conflict_ratio = NAN;
  // One parent: share of the changed elements (A != B) where C is bit-equal to A.
  double equal_a_share = 0;
  // nearswap (one parent, stats/method_signals.h NearswapSignals): the share of the changed
  // elements whose rounding can tell (informative), and of those the shares bit-equal to A with
  // |d| <= t and at |D| = t within rounding with |d| >= t; t is the median over tensors.
  double nearswap_informative = 0, nearswap_equal_share = 0, clipped_share = 0, nearswap_t = NAN;
  // model_stock (k >= 2): D against t_T / k sum_i d_i per tensor, t_T = k c / (1 + (k - 1) c)
  // from the parents' mean pairwise cosine c: the fit's cosine and scale (1 for model_stock)
  double stock_cos = NAN, stock_scale = NAN, stock_t = NAN;  // stock_t: the mean t over tensors
  double stock_spread = NAN;  // the tensors' scales' squared distance from t / k over their spread
  // nuslerp (k == 2): per tensor, t from alpha_2 / alpha_1 = sin(t th) / sin((1 - t) th), th the
  // angle between d_1 and d_2; then alpha_1 must equal sin((1 - t) th) / sin th. The mean
  // |predicted - fitted| alpha_1 (element-weighted) and the mean t.
  double nuslerp_err = NAN, nuslerp_t = NAN;
  // multislerp (k >= 2, with a base): D = (sum w_i |d_i|) (sum w_i u_i) / |sum w_i u_i|, u_i = d_i / |d_i|,
  // so per tensor alpha_i |d_i| is proportional to w_i and |D| = sum w_i |d_i|. The element-weighted
  // mean of each tensor's w_i = alpha_i |d_i| / sum_j alpha_j |d_j|, their mean deviation from it,
  // and the mean | |D| / sum w_i |d_i| - 1 |.
  std::vector<double> mslerp_weights;
  double mslerp_spread = NAN, mslerp_norm_err = NAN;
  // karcher (k >= 2): mergekit's Karcher mean of the models themselves (equal weights, no base),
  // computed per tensor from the raw Gram of the A_i and scaled by their mean norm; the cosine and
  // scale of D against that prediction minus B (1 and 1 for karcher).
  double karcher_cos = NAN, karcher_scale = NAN;

  // Wrong base (evidence_roles.cpp). Fine-tunes of one base have nearly orthogonal deltas; a base
  // that is not theirs adds its own difference to every delta, so the deltas align. given_roles:
  // the fit as given; role_fits: each parent swapped with the base (k >= 2).
  RoleFit given_roles;
  std::vector<RoleFit> role_fits;
  // One parent, unrounded suspect: share of the elements where A differs from B at which C is
  // bit-equal to A while C equals B almost nowhere (sparsity.share()): a sparse merge keeps A's
  // values and leaves the rest at ITS base, so that base is not B.
  double kept_a_share = 0;

  // Consistency over components and layers.
  std::vector<ComponentFit> components;  // in Component order
  std::vector<ComponentFit> layer_fits;  // the checked (layer, component) groups, as in agg.layers
  double comp_min = 1e300, comp_max = -1e300;  // alpha[0] range over components (empty: min > max)
  double comp_spread = 0;
  double comp_cos_min = 1e300;           // 1e300: no component
  double outlier_share = 0, failing_share = 0;
  std::vector<std::string> failing;      // components with cos_fit below kNullCos
  double layer_min = 1e300, layer_max = -1e300;  // within the component where layers differ most
  double layer_cos_min = 1e300;
  double group_cos = 0;                  // the worst group's cos_fit (per-component or per-layer)
  bool comp_groups_fit = false;          // every component fits linearly (cos_fit >= kLinearCos)
  bool layer_groups_fit = false;         // every (layer, component) group does
  bool per_group = false;                // every group fits, the pool does not: per-group weights
  double fit_cos = 0;                    // the fit the verdict rests on: group_cos when per_group, else cos
  bool consistent = false;               // few outlier tensors, few failing components

  // SLERP's plane fit (k == 1 and cos >= kNullCos only; else zeros).
  double r2_plane = 0, slerp_excess = 0, slerp_drop = 0;
  // SLERP's curvature per tensor (k == 1, evidence_methods.cpp gather_slerp). Each tensor's plane
  // fit C = p A + q B gives x = p + q - 1 with its standard error s; mergekit's slerp at that
  // tensor's angle th (raw A vs B) and t solved from p = sin(t th) / sin th predicts
  // e = (sin((1 - t) th) + sin(t th)) / sin th - 1 (0 where mergekit falls back to lerp, |cos| >
  // 0.9995). Weighted by 1 / s^2, through the origin: the slope of x on e (1 for slerp, 0 for
  // lerp), slerp_z = sqrt(sum (e / s)^2) (how many standard errors part the two models: the slope's
  // own standard error is 1 / z) and the share of sum (x / s)^2 the e-model explains.
  double slerp_slope = NAN, slerp_z = 0, slerp_explained = NAN;
  // The same with an offset common to all tensors (a low-precision merge's rounded normalising
  // sum moves every x alike): the slope and sqrt(sum ((e - mean e) / s)^2). Near 0 with z large,
  // the tensors' x ignore their angles: lerp (verdict::lerp_measured).
  double lerp_offset_slope = NAN, lerp_offset_z = 0;
  uint32_t slerp_tensors = 0;             // tensors in that regression
  // t per (layer, component) group, and per component for tensors without a layer, each from its
  // group's plane fit, and the range of t over them (mergekit's t lists and filters move it).
  std::vector<ComponentFit> slerp_groups;
  double slerp_group_spread = 0;
};

Evidence gather(const MatchResult& match, const std::vector<TensorResult>& tensors, const Aggregates& agg, int k);

// SLERP's t from s1 = sin(theta t)/sin(theta) (the weight of A), theta the angle between A and B.
double slerp_t_from(double s1, double cos_ab);

}  // namespace mp::verdict
