// The calibrated verdict. Order of the tests, and why:
//   1. no data / degenerate               -> inconclusive (nothing to decide on)
//   2. whole tensors copied               -> passthrough (hashes are exact evidence, checked first)
//   3. linear reproduction of the bits    -> linear-merge (a BF16 linear merge also leaves C == B
//                                            where |a d| < half an ulp: must not read as sparse)
//   4. many exact zeros of D where d != 0 -> sparse-merge (TIES: hard |d| threshold; DARE: drops
//                                            independent of |d|)
//   5. plane fit clearly beats lerp       -> slerp-merge
//   6. cos_fit high, alpha consistent     -> linear-merge (task arithmetic when k > 1)
//   7. cos_fit in the null's range        -> not-a-merge; between the two -> inconclusive
// Thresholds are constants below; EVALUATION.md shows the cases they were calibrated on and the
// margins. The null is real: independent fine-tunes of one base reach cos_fit 0.1-0.6.
#include "verdict/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <vector>

namespace mp {
namespace {

// --- thresholds (see EVALUATION.md) ---------------------------------------------------------
// Linear merge: pooled cos_fit at or above this. Real merges measured 0.935-1.000 (BF16 at
// a = 0.1 under a 300 kB budget and a merge followed by 30% fine-tuning are the lowest); the null
// of independent fine-tunes of the same base is 0.05-0.12 pooled on shared/real-models and up to
// 0.68 on single bias vectors.
constexpr double kLinearCos = 0.85;
// Below this cos_fit the delta is mostly not explained by the parents: not a merge.
constexpr double kNullCos = 0.6;
// With a control model: the suspect must beat the control's cos_fit by this much to be a merge.
constexpr double kControlMargin = 0.25;
// Share of tensors whose alpha is an outlier of its component above which alpha is not consistent.
constexpr double kMaxOutlierShare = 0.2;
// Components (with enough elements) whose pooled cos_fit is below kNullCos: mixed evidence when
// they hold more than this share of the sampled elements.
constexpr double kMaxFailingShare = 0.3;
// Bit-exact reproduction share that counts as "the linear merge reproduces C".
constexpr double kBitExact = 0.9;
// Sparse: share of elements with C == B although A != B.
constexpr double kSparseShare = 0.2;
// TIES: share of tensors with drops where every dropped |d| <= every kept |d|.
constexpr double kTiesThresholdShare = 0.8;
// DARE: mean |d| of dropped elements over mean |d| of kept ones (1 when the mask ignores |d|).
constexpr double kDareRatio = 0.7;
// SLERP: adding B as a regressor must remove at least this share of the lerp residual energy,
// with p + q - 1 above kSlerpExcess (slerp always has s0 + s1 >= 1).
constexpr double kSlerpResidualDrop = 0.5;
// SLERP: minimum p + q - 1 (the lerp/linear cases measure |p + q - 1| <= 0.002 but explain nothing
// more with it; the 25-degree SLERP measures 0.025).
constexpr double kSlerpExcess = 1e-4;
// SLERP: a lerp fit this good leaves nothing for the curvature term to explain (mergekit itself
// falls back to lerp above cos(A, B) = 0.9995).
constexpr double kSlerpMaxLerpCos = 0.9995;
// Passthrough: share of tensors that are whole copies (of a parent, the base or another position).
constexpr double kPassthroughShare = 0.8;
// Partial passthrough: share of tensors copied from a parent when nothing else explains C.
// Fine-tunes never leave whole weight matrices bit-identical to an unrelated parent.
constexpr double kPartialPassthroughShare = 0.3;
// Coverage below which a caveat is added / the run is inconclusive.
constexpr uint64_t kLowElements = 50000;
// Fewer sampled elements than this: inconclusive whatever the statistics say.
constexpr uint64_t kMinElements = 1000;
// Fewer usable tensors than this: a low-coverage caveat (alpha consistency cannot be judged).
constexpr uint32_t kLowTensors = 4;
// A component enters the consistency checks with at least this many sampled elements.
constexpr uint64_t kComponentMinElements = 1000;

std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string pct(double share) { return fmt(100.0 * share, 1) + "%"; }

std::string parent_label(int i, int k) { return k == 1 ? "A" : "A" + std::to_string(i + 1); }

bool is_bf16ish(Dtype d) { return d == Dtype::BF16 || d == Dtype::F16; }

// Least squares of D on [d_1..d_k, B] from the pooled Gram matrix (order D, d_1..d_k, B): the
// plane fit's share of ||D||^2 explained. Solved by Gaussian elimination on at most 5 unknowns.
double plane_r2(const Moments& m) {
  const int k = m.k, n = k + 1;  // regressors d_1..d_k, B
  if (m.g(0, 0) <= 0) return 0;
  double a[kMaxParents + 1][kMaxParents + 2] = {};
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) a[i][j] = m.g(1 + i, 1 + j);
    a[i][n] = m.g(1 + i, 0);
  }
  double x[kMaxParents + 1] = {};
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (std::fabs(a[piv][c]) < 1e-300) return 0;
    for (int j = 0; j <= n; ++j) std::swap(a[c][j], a[piv][j]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      double f = a[r][c] / a[c][c];
      for (int j = c; j <= n; ++j) a[r][j] -= f * a[c][j];
    }
  }
  double explained = 0;
  for (int i = 0; i < n; ++i) {
    x[i] = a[i][n] / a[i][i];
    explained += x[i] * m.g(1 + i, 0);
  }
  return std::clamp(explained / m.g(0, 0), 0.0, 1.0);
}

// SLERP's t from s1 = sin(theta t)/sin(theta) (the weight of A), theta the angle between A and B.
double slerp_t_from(double s1, double cos_ab) {
  double theta = std::acos(std::clamp(cos_ab, -1.0, 1.0));
  if (theta < 1e-6) return s1;
  double lo = 0, hi = 1;
  for (int it = 0; it < 60; ++it) {
    double mid = 0.5 * (lo + hi);
    if (std::sin(theta * mid) / std::sin(theta) < s1) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// Sparsity evidence for one parent, over tensors that are not whole copies of the base.
struct Sparsity {
  uint64_t d_nonzero = 0, dropped = 0;
  double sum_abs_dropped = 0, sum_abs_kept = 0;
  double kept_Dd = 0, kept_dd = 0, kept_DD = 0;
  uint32_t tensors_with_drops = 0, tensors_hard_threshold = 0;
  double share() const { return d_nonzero ? double(dropped) / double(d_nonzero) : 0; }
  double ratio() const {  // mean |d| dropped / mean |d| kept
    uint64_t kept = d_nonzero - dropped;
    if (!dropped || !kept || sum_abs_kept <= 0) return 0;
    return (sum_abs_dropped / double(dropped)) / (sum_abs_kept / double(kept));
  }
  double kept_alpha() const { return kept_dd > 0 ? kept_Dd / kept_dd : 0; }
  double threshold_share() const {
    return tensors_with_drops ? double(tensors_hard_threshold) / tensors_with_drops : 0;
  }
};

Sparsity sparsity_of(const std::vector<TensorResult>& tensors, int parent) {
  Sparsity s;
  for (const auto& t : tensors) {
    if (t.identical_to_base) continue;  // a whole tensor left at the base is a copy, not a drop
    const ParentExtras& p = t.x.p[parent];
    s.d_nonzero += p.d_nonzero;
    s.dropped += p.zero_D_nonzero_d;
    s.sum_abs_dropped += p.sum_abs_d_zero_D;
    s.sum_abs_kept += p.sum_abs_d_nonzero_D;
    s.kept_Dd += p.kept_Dd;
    s.kept_dd += p.kept_dd;
    s.kept_DD += p.kept_DD;
    uint64_t kept = p.d_nonzero - std::min(p.d_nonzero, p.zero_D_nonzero_d);
    if (p.zero_D_nonzero_d > 0 && kept > 0) {
      ++s.tensors_with_drops;
      if (p.max_abs_d_zero_D <= p.min_abs_d_nonzero_D) ++s.tensors_hard_threshold;
    }
  }
  return s;
}

const char* name_of(const MatchResult& match, const TensorResult& t) {
  if (t.tensor < match.tensors.size() && !match.tensors[t.tensor].names.empty())
    return match.tensors[t.tensor].names[0].c_str();
  return "?";
}

// The sentence's formula: "C = 0.571 A + 0.429 B", or task arithmetic's form when the weights do
// not sum into [0, 1] or there are several parents.
std::string formula(const double* alpha, int k) {
  std::string s = "C = ";
  if (k == 1 && alpha[0] >= 0 && alpha[0] <= 1) {
    return s + fmt(alpha[0]) + " A + " + fmt(1 - alpha[0]) + " B";
  }
  s += "B";
  for (int i = 0; i < k; ++i) {
    s += alpha[i] < 0 ? " - " : " + ";
    s += fmt(std::fabs(alpha[i])) + " (" + parent_label(i, k) + " - B)";
  }
  return s;
}

void add_flag(Verdict& v, const std::string& f) {
  if (std::find(v.flags.begin(), v.flags.end(), f) == v.flags.end()) v.flags.push_back(f);
}

// Caveats shared by every outcome: coverage, unmatched tensors, control.
void common_caveats(Verdict& v, const MatchResult& match, const Aggregates& agg) {
  const GroupResult& o = agg.overall;
  if (o.elements < kLowElements || o.usable < kLowTensors) {
    v.caveats.push_back("Low coverage: " + std::to_string(o.usable) + " usable tensors, " +
                        std::to_string(o.elements) + " sampled elements; a larger budget would tighten the estimates.");
    add_flag(v, "low-coverage");
  }
  if (!match.unmatched.empty()) {
    v.caveats.push_back(std::to_string(match.unmatched.size()) +
                        " tensors could not be compared (missing in a model, or shape/dtype differ); "
                        "the verdict covers the matched ones only.");
    add_flag(v, "unmatched-tensors");
  }
  if (!o.has_control) {
    v.caveats.push_back("No control model: independent fine-tunes of one base already reach cos_fit 0.1-0.6 "
                        "on real weights; another fine-tune of the same base, measured the same way, would "
                        "show the null on these very tensors.");
    add_flag(v, "no-control");
  }
}

std::string control_sentence(const GroupResult& o) {
  if (!o.has_control) return "";
  return " The control fine-tune of the same base scores cos_fit " + fmt(o.control_est.cos_fit) +
         " (alpha " + fmt(o.control_est.alpha[0]) + ") on the same data.";
}

}  // namespace

Verdict decide(const MatchResult& match, const std::vector<TensorResult>& tensors,
               const Aggregates& agg, int k) {
  Verdict v;
  const GroupResult& o = agg.overall;
  const Estimates& e = o.est;
  k = std::clamp(k, 1, kMaxParents);

  // 1. Nothing to decide on.
  if (tensors.empty() || o.elements < kMinElements) {
    v.kind = "inconclusive";
    v.sentence = "Inconclusive: too little data was compared";
    v.explanation = "Only " + std::to_string(o.elements) + " elements in " + std::to_string(tensors.size()) +
                    " tensors could be compared between the suspect, the parents and the base.";
    add_flag(v, "low-coverage");
    common_caveats(v, match, agg);
    return v;
  }

  // 2. Whole tensors copied: passthrough (or C is simply one of the inputs).
  uint32_t same_parent = 0, same_base = 0, copied = 0;
  for (const auto& t : tensors) {
    if (t.identical_to_parent >= 0) ++same_parent;
    else if (t.identical_to_base) ++same_base;
    else if (!t.copied_from.empty()) ++copied;
  }
  const double n_t = double(tensors.size());
  const uint32_t copies = same_parent + same_base + copied;
  if (same_base == tensors.size()) {
    v.kind = "not-a-merge";
    v.sentence = "Not a merge: C is identical to the base B on every sampled tensor";
    v.explanation = "All " + std::to_string(tensors.size()) + " compared tensors of C have the same bytes as B's.";
    common_caveats(v, match, agg);
    return v;
  }
  // Passthrough: whole tensors copied. `partial`: only some are copies and the rest is not explained
  // by a merge either (checked at the end): copies at other layer indices are only found on
  // tensors read whole, so under a small budget a layer stack shows as partial copying.
  auto passthrough = [&](bool partial) {
    v.kind = "passthrough";
    v.method = "passthrough";
    if (same_parent == tensors.size()) {
      v.sentence = "Passthrough: C is a copy of A on every sampled tensor";
    } else if (partial) {
      v.sentence = "Consistent with a passthrough merge: " + std::to_string(same_parent + copied) + " of " +
                   std::to_string(tensors.size()) + " tensors are copied whole from a parent";
    } else {
      v.sentence = "Consistent with a passthrough merge: C's tensors are copied whole from its inputs";
    }
    v.explanation = std::to_string(same_parent) + " of " + std::to_string(tensors.size()) +
                    " tensors are bit-identical to a parent at the same position, " + std::to_string(copied) +
                    " to another tensor (another layer index), " + std::to_string(same_base) +
                    " to the base.";
    std::string examples;
    int shown = 0;
    for (const auto& t : tensors) {
      if (t.copied_from.empty() || shown >= 2) continue;
      examples += std::string(shown ? "; " : "") + name_of(match, t) + " = " + t.copied_from;
      ++shown;
    }
    if (!examples.empty()) v.explanation += " E.g. " + examples + ".";
    if (partial) {
      v.explanation += " The other tensors are not explained by the parents' deltas (cos_fit " + fmt(e.cos_fit) + ").";
      v.caveats.push_back("Copies at other layer indices are found only on tensors read whole: a larger byte budget "
                          "may show where the remaining tensors come from.");
    }
    if (copies < tensors.size()) {
      v.caveats.push_back(std::to_string(tensors.size() - copies) + " tensors are not whole copies of any input.");
      add_flag(v, "partial-copy");
    }
    common_caveats(v, match, agg);
    return v;
  };
  if (copies >= kPassthroughShare * n_t && same_parent + copied > 0) return passthrough(false);
  if (copies >= 0.2 * n_t) add_flag(v, "copied-tensors");

  if (e.degenerate) {
    v.kind = "inconclusive";
    v.sentence = "Inconclusive: the parent's delta from the base (or C's) is zero";
    v.explanation = "alpha is undefined when A = B or C = B on the sampled elements.";
    common_caveats(v, match, agg);
    return v;
  }

  const double cos = e.cos_fit;
  const double ctrl_cos = o.has_control ? o.control_est.cos_fit : 0;
  // Rounding is visible (BF16/F16 suspect): the estimators' floor says so; bx.applicable alone is
  // also set for F32 suspects.
  const bool bf16 = e.rounding_floor < 0.9999;
  const double bx_fp32 = o.bx.n ? double(o.bx.match_fp32) / double(o.bx.n) : 0;
  const double bx_bf16 = o.bx.n ? double(o.bx.match_bf16) / double(o.bx.n) : 0;
  const double bx_best = std::max(bx_fp32, bx_bf16);
  const bool reproduced = o.bx.n > 0 && bx_best >= kBitExact;

  // Rounding-robust alpha (elements with |d| >= 4 ulps), the estimate quoted for rounded suspects.
  double alpha[kMaxParents];
  for (int i = 0; i < k; ++i) alpha[i] = e.alpha[i];
  std::string alpha_note;
  if (k == 1 && bf16 && o.x.p[0].robust_n >= kMinElements && o.x.p[0].robust_dd > 0) {
    double ra = o.x.p[0].robust_Dd / o.x.p[0].robust_dd;
    alpha_note = " Rounding-robust alpha (elements with |d| >= 4 ulps, n = " + std::to_string(o.x.p[0].robust_n) +
                 "): " + fmt(ra) + ".";
    alpha[0] = ra;
  }

  // 4. Sparse merges. Checked before the linear fit because DARE's cos_fit ~ sqrt(density) falls
  // inside the null's range; skipped when a linear merge reproduces the bits (BF16 rounding also
  // leaves C == B where |a d| is below half an ulp).
  int sp_parent = 0;
  Sparsity sp = sparsity_of(tensors, 0);
  for (int i = 1; i < k; ++i) {
    Sparsity s = sparsity_of(tensors, i);
    if (s.share() > sp.share()) { sp = s; sp_parent = i; }
  }
  if (sp.share() >= kSparseShare && !reproduced) {
    const bool hard = sp.threshold_share() >= kTiesThresholdShare;
    const bool uniform = sp.ratio() >= kDareRatio;
    const double density = 1 - sp.share();
    const double ka = sp.kept_alpha();
    const std::string pl = parent_label(sp_parent, k);
    if (hard || uniform) {
      v.kind = "sparse-merge";
      v.method = hard ? "ties" : "dare";
      v.density = density;
      if (hard) {
        v.sentence = "Consistent with a TIES merge: top " + pct(density) + " of |" + pl + " - B| kept, lambda " + fmt(ka);
        v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, and in " +
                        std::to_string(sp.tensors_hard_threshold) + " of " + std::to_string(sp.tensors_with_drops) +
                        " tensors every dropped |d| is below every kept |d| (a hard magnitude threshold, TIES's top-k). "
                        "Kept elements carry alpha " + fmt(ka) + " (the lambda); cos_fit " + fmt(cos) + ".";
      } else {
        const double w = ka * density;
        v.sentence = "Consistent with a DARE merge: density " + fmt(density) + ", weight " + fmt(w) +
                     " (kept elements rescaled by " + fmt(ka) + ")";
        v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, "
                        "regardless of |d| (mean |d| dropped / kept = " + fmt(sp.ratio()) + "): a random mask. "
                        "Kept elements carry alpha " + fmt(ka) + " = weight / density; cos_fit " + fmt(cos) +
                        " against sqrt(density) = " + fmt(std::sqrt(density)) + " expected for a Bernoulli mask.";
      }
      v.explanation += control_sentence(o);
      if (!hard && sp.threshold_share() > 0.3) {
        v.caveats.push_back("Some tensors look hard-thresholded, others not: a magnitude-ranked random drop (DELLA) would look like this.");
        add_flag(v, "mixed-sparsity");
      }
      common_caveats(v, match, agg);
      return v;
    }
    // Zeros correlated with |d| but no hard threshold. On a rounded suspect with a good linear fit
    // this is what small deltas look like after rounding (|a d| below half an ulp of B, more often
    // at small a): let the linear test decide, with a caveat. Otherwise DELLA-like, or rounding we
    // could not reproduce: not enough to name a method.
  }
  const bool rounding_zeros = sp.share() >= kSparseShare && !reproduced && bf16 && cos >= kLinearCos;
  if (sp.share() >= kSparseShare && !reproduced && !rounding_zeros) {
    const double density = 1 - sp.share();
    v.kind = "inconclusive";
    v.method = "";
    v.density = density;
    v.sentence = "Inconclusive: C equals B on " + pct(sp.share()) + " of the changed elements, without a TIES or DARE signature";
    v.explanation = "Dropped elements have smaller |d| than kept ones (ratio " + fmt(sp.ratio()) +
                    ") but there is no hard threshold (" + std::to_string(sp.tensors_hard_threshold) + " of " +
                    std::to_string(sp.tensors_with_drops) + " tensors). cos_fit " + fmt(cos) + ", alpha " + fmt(alpha[0]) + "." +
                    control_sentence(o);
    v.caveats.push_back("A magnitude-ranked random drop (DELLA) or rounding of a low-precision merge could produce this.");
    add_flag(v, "mixed-evidence");
    common_caveats(v, match, agg);
    return v;
  }

  // Consistency of alpha over components and tensors.
  double comp_min = 1e300, comp_max = -1e300;
  uint64_t failing_elements = 0, comp_elements = 0;
  std::string comp_list, failing_list;
  for (const auto& c : agg.components) {
    if (c.usable == 0 || c.elements < kComponentMinElements || c.est.degenerate) continue;
    comp_elements += c.elements;
    comp_min = std::min(comp_min, c.est.alpha[0]);
    comp_max = std::max(comp_max, c.est.alpha[0]);
    std::string alphas;
    for (int i = 0; i < k; ++i) alphas += (i ? "/" : "") + fmt(c.est.alpha[i]);
    comp_list += std::string(comp_list.empty() ? "" : ", ") + c.component + " " + alphas +
                 " (cos_fit " + fmt(c.est.cos_fit) + ")";
    if (c.est.cos_fit < kNullCos) {
      failing_elements += c.elements;
      failing_list += std::string(failing_list.empty() ? "" : ", ") + c.component;
    }
  }
  const double comp_spread = comp_max >= comp_min ? comp_max - comp_min : 0;
  const double outlier_share = o.usable ? double(o.outliers) / double(o.usable) : 0;
  const double failing_share = comp_elements ? double(failing_elements) / double(comp_elements) : 0;
  double layer_min = 1e300, layer_max = -1e300;
  // The worst cos_fit over component groups and over (layer, component) groups. mergekit gives
  // components (filters) or layers (weight lists) their own alpha: then the pooled fit is lower
  // than every group's, and the groups are the evidence.
  double comp_cos_min = 1e300, layer_cos_min = 1e300;
  for (const auto& c : agg.components) {
    if (c.usable == 0 || c.elements < kComponentMinElements || c.est.degenerate) continue;
    comp_cos_min = std::min(comp_cos_min, c.est.cos_fit);
  }
  // Layer alphas are compared within a component, so per-component weights do not read as a
  // layer gradient: layer_min/max are those of the component where they differ most.
  for (const auto& c : agg.components) {
    double lo = 1e300, hi = -1e300;
    for (const auto& l : agg.layers) {
      if (l.component != c.component || l.usable == 0 || l.est.degenerate || l.elements < kComponentMinElements) continue;
      lo = std::min(lo, l.est.alpha[0]);
      hi = std::max(hi, l.est.alpha[0]);
      layer_cos_min = std::min(layer_cos_min, l.est.cos_fit);
    }
    if (hi >= lo && (layer_max < layer_min || hi - lo > layer_max - layer_min)) { layer_min = lo; layer_max = hi; }
  }
  const double group_cos = std::max(comp_cos_min < 1e300 ? comp_cos_min : 0, layer_cos_min < 1e300 ? layer_cos_min : 0);
  const bool per_group = k == 1 && group_cos >= kLinearCos && cos < kLinearCos;

  // 5. SLERP: the plane fit C = p A + q B explains clearly more than the lerp model.
  if (k == 1 && cos >= kNullCos) {
    const double r2_lerp = cos * cos;
    const double r2_plane = plane_r2(o.pooled);
    const double excess = e.plane_p[0] + e.plane_q - 1;
    const double drop = r2_lerp < 1 ? (r2_plane - r2_lerp) / (1 - r2_lerp) : 0;
    if (cos < kSlerpMaxLerpCos && excess > kSlerpExcess && drop >= kSlerpResidualDrop) {
      v.kind = "slerp-merge";
      v.method = "slerp";
      v.slerp_t = slerp_t_from(e.plane_p[0], e.cos_ab[0]);
      v.sentence = "Consistent with SLERP: C = " + fmt(e.plane_p[0]) + " A + " + fmt(e.plane_q) + " B (t = " +
                   fmt(v.slerp_t) + ")";
      v.explanation = "A plane fit C = p A + q B gives p = " + fmt(e.plane_p[0]) + ", q = " + fmt(e.plane_q) +
                      ": p + q = " + fmt(e.plane_p[0] + e.plane_q, 4) + " > 1, as spherical interpolation gives. "
                      "It explains " + pct(drop) + " of what the linear model leaves (cos_fit " + fmt(std::sqrt(r2_plane), 4) +
                      " vs " + fmt(cos, 4) + " for lerp). The angle between A and B is " +
                      fmt(std::acos(std::clamp(e.cos_ab[0], -1.0, 1.0)) * 180 / std::numbers::pi, 1) + " degrees." + control_sentence(o);
      common_caveats(v, match, agg);
      return v;
    }
  }

  // 6. Linear merge / task arithmetic.
  const bool consistent = outlier_share <= kMaxOutlierShare && failing_share <= kMaxFailingShare;
  const double fit_cos = per_group ? group_cos : cos;
  const bool beats_control = !o.has_control || fit_cos - ctrl_cos >= kControlMargin;
  if ((cos >= kLinearCos || reproduced || per_group) && consistent && beats_control) {
    v.kind = "linear-merge";
    int active = 0;
    for (int i = 0; i < k; ++i) if (std::fabs(alpha[i]) >= 0.02) ++active;
    v.method = active >= 2 ? "task_arithmetic" : "linear";
    int only = 0;
    for (int i = 0; i < k; ++i) if (std::fabs(alpha[i]) > std::fabs(alpha[only])) only = i;
    const bool comp_groups_fit = comp_cos_min < 1e300 && comp_cos_min >= kLinearCos;
    const bool layer_groups_fit = layer_cos_min < 1e300 && layer_cos_min >= kLinearCos;
    bool per_layer_sentence = false;  // the component spread is then a consequence of the layer weights
    if (k == 1 && comp_spread > 0.05 && comp_groups_fit) {
      std::string parts;
      for (const auto& c : agg.components) {
        if (c.usable == 0 || c.elements < kComponentMinElements || c.est.degenerate) continue;
        parts += std::string(parts.empty() ? "" : ", ") + c.component + " " + fmt(c.est.alpha[0]);
      }
      v.sentence = "Consistent with a linear merge with per-component weights: C = a A + (1 - a) B, a = " + parts;
    } else if (k == 1 && layer_max - layer_min > 0.1 && layer_groups_fit) {
      per_layer_sentence = true;
      v.sentence = "Consistent with a linear merge with per-layer weights: C = a A + (1 - a) B, a from " +
                   fmt(layer_min) + " to " + fmt(layer_max);
    } else if (active >= 2) {
      v.sentence = "Consistent with task arithmetic: " + formula(alpha, k);
    } else if (alpha[only] >= 0 && alpha[only] <= 1) {
      // One parent carries the merge (the others' weights are ~0): name it.
      v.sentence = "Consistent with a linear merge: C = " + fmt(alpha[only]) + " " + parent_label(only, k) + " + " +
                   fmt(1 - alpha[only]) + " B";
    } else {
      v.sentence = "Consistent with a linear combination: " + formula(alpha, k);
    }
    std::string fit = k == 1 ? "cos_fit " + fmt(cos, 4) : "R^2 " + fmt(e.r2, 4) + " (cos_fit " + fmt(cos, 4) + ")";
    v.explanation = "D = C - B is fitted by the parents' deltas with " + fit + " over " + std::to_string(o.usable) +
                    " tensors (" + std::to_string(o.elements) + " elements).";
    if (per_group) {
      v.explanation += " The pooled fit is lower than every group's (worst group cos_fit " + fmt(group_cos, 4) +
                       ") because the weight differs between " + (comp_spread > 0.05 ? "components" : "layers") +
                       ": each group is a clean linear merge on its own.";
      add_flag(v, "per-group-fit");
    }
    if (k == 1) {
      v.explanation += " Per tensor alpha " + fmt(o.alpha_median[0]) + " median, spread " + fmt(o.alpha_spread[0]) +
                       ", 95% interval " + fmt(o.alpha_ci95[0][0]) + "-" + fmt(o.alpha_ci95[0][1]) + ".";
    }
    if (!comp_list.empty()) v.explanation += " By component: " + comp_list + ".";
    v.explanation += alpha_note;
    if (o.bx.n > 0 && bf16) {
      v.explanation += " Recomputing the merge and rounding reproduces " + pct(bx_fp32) + " of C's sampled values "
                       "(f32 then round) and " + pct(bx_bf16) + " (mergekit's bf16 order).";
    }
    v.explanation += control_sentence(o);
    if (comp_spread > 0.05 && !per_layer_sentence) {
      v.caveats.push_back("alpha differs between components (" + fmt(comp_min) + " to " + fmt(comp_max) +
                          "): per-component weights (mergekit filters) or a partial fine-tune after merging.");
      add_flag(v, "per-component-alpha");
    }
    if (layer_max > layer_min && layer_max - layer_min > 0.1) {
      v.caveats.push_back("alpha varies by layer from " + fmt(layer_min) + " to " + fmt(layer_max) +
                          ": a layer-wise weight list, or noise in small layers.");
      add_flag(v, "per-layer-alpha");
    }
    if (o.outliers > 0) {
      std::string names;
      int shown = 0;
      for (const auto& t : tensors)
        if (t.outlier && shown < 3) { names += std::string(shown ? ", " : "") + name_of(match, t); ++shown; }
      v.caveats.push_back(std::to_string(o.outliers) + (o.outliers == 1 ? " tensor has" : " tensors have") +
                          " alpha far from its component's: " + names + ".");
      add_flag(v, "outliers");
    }
    if (fit_cos < 0.99 && !reproduced && !(comp_groups_fit && comp_cos_min >= 0.99) &&
        !(layer_groups_fit && layer_cos_min >= 0.99)) {
      v.caveats.push_back("cos_fit " + fmt(cos) + " leaves " + pct(1 - cos * cos) +
                          " of ||C - B||^2 unexplained: fine-tuning after the merge, or another method.");
      add_flag(v, "residual");
    }
    if (bf16 && e.rounding_floor < 0.9999) {
      v.caveats.push_back("Rounding to the suspect's dtype alone limits cos_fit to about " + fmt(e.rounding_floor, 4) +
                          (std::fabs(e.rounding_floor - cos) < 0.01 ? " (the measured cos_fit is at that floor)" : "") +
                          ": tensors with deltas of a few ulps pull alpha towards 0 or 1.");
      add_flag(v, "rounding-floor");
    }
    if (rounding_zeros) {
      v.caveats.push_back(pct(sp.share()) + " of the elements where A differs from B are left exactly at B, without a "
                          "TIES or DARE signature and without bit-exact reproduction: read here as rounding of "
                          "small deltas; a magnitude-ranked drop (DELLA) would look similar.");
      add_flag(v, "rounding-zeros");
    }
    if (k == 1 && alpha[0] > 0.98 && alpha[0] < 1.02) {
      v.caveats.push_back("alpha ~ 1: C is essentially A (re-saved or cast), not a blend.");
      add_flag(v, "alpha-near-1");
    }
    if (o.has_control && ctrl_cos > kNullCos) {
      v.caveats.push_back("The control also fits well (cos_fit " + fmt(ctrl_cos) + "): it may itself derive from A.");
      add_flag(v, "control-high");
    }
    if (e.rel_delta_c > 0.5) {
      v.caveats.push_back("C is far from the base (||C - B|| / ||B|| = " + fmt(e.rel_delta_c) + "): B may not be its base.");
      add_flag(v, "far-from-base");
    }
    common_caveats(v, match, agg);
    return v;
  }

  // 7. Not a merge, or in between.
  if (same_parent + copied >= kPartialPassthroughShare * n_t) return passthrough(true);
  const bool null_like = cos < kNullCos || (o.has_control && cos - ctrl_cos < kControlMargin);
  std::string fit = "cos_fit " + fmt(cos) + " (alpha " + fmt(alpha[0]) + ", per-tensor spread " + fmt(o.alpha_spread[0]) + ")";
  if (null_like) {
    v.kind = "not-a-merge";
    v.sentence = "Not a merge of these parents: D = C - B is not explained by A - B";
    v.explanation = "The parents' deltas explain little of C's: " + fit + ". Independent fine-tunes of one base "
                    "score 0.1-0.6 per tensor." + control_sentence(o);
    if (e.rel_delta_c > 0.5 || e.cos_cb < 0.9) {
      v.explanation += " C is not close to B at all (||C - B|| / ||B|| = " + fmt(e.rel_delta_c) + ", cos(C, B) = " +
                       fmt(e.cos_cb) + "): B is not C's base, so C is unrelated to this family.";
      add_flag(v, "far-from-base");
    }
    if (o.has_control && cos >= kNullCos) {
      v.caveats.push_back("cos_fit " + fmt(cos) + " is not clearly above the control's " + fmt(ctrl_cos) + ".");
      add_flag(v, "near-control");
    }
  } else {
    v.kind = "inconclusive";
    v.sentence = "Inconclusive: C - B is partly explained by A - B";
    v.explanation = "The fit is between independent fine-tunes and a merge: " + fit + "." + control_sentence(o);
    if (!consistent) {
      v.explanation += " alpha is not consistent: " + pct(outlier_share) + " of tensors are outliers";
      if (!failing_list.empty()) v.explanation += "; components with cos_fit below " + fmt(kNullCos, 1) + ": " + failing_list;
      v.explanation += ".";
    }
    if (!comp_list.empty()) v.explanation += " By component: " + comp_list + ".";
    v.caveats.push_back("A merge followed by heavy fine-tuning, a merge with other models not given as parents, "
                        "or a related fine-tune could produce this.");
    add_flag(v, "mixed-evidence");
  }
  common_caveats(v, match, agg);
  return v;
}

}  // namespace mp
