// The verdict's words: the sentence, the explanation and the caveats, rendered from the decided
// rule, caveat codes and evidence (verdict/rules.cpp decides; nothing here tests a threshold,
// except to phrase a number).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>

#include "verdict/thresholds.h"
#include "verdict/verdict.h"

namespace mp {
namespace {

using namespace verdict;

std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A share as a percentage, never rounded to 100% or 0% when it is not exactly that (99.975% is
// "99.975%", not "100.0%").
std::string pct(double share) {
  if (!std::isfinite(share)) return "undefined";
  for (int d = 1; d <= 6; ++d) {
    const std::string s = fmt(100.0 * share, d);
    const double r = std::stod(s);
    if ((r == 100.0 && share < 1) || (r == 0.0 && share > 0)) continue;
    return s + "%";
  }
  return share < 1 && share > 0.5 ? "<100%" : share > 0 && share < 0.5 ? ">0%" : fmt(100.0 * share, 1) + "%";
}

// A number, or "undefined" when it is not defined.
std::string fmt_or_undefined(double v, int decimals = 3) { return std::isfinite(v) ? fmt(v, decimals) : "undefined"; }



std::string num(uint64_t n) { return std::to_string(n); }

std::string parent_label(int i, int k) { return k == 1 ? "A" : "A" + std::to_string(i + 1); }

// "a, b, c"
template <class T, class F>
std::string joined(const std::vector<T>& items, const char* sep, F each) {
  std::string s;
  for (const auto& x : items) s += (s.empty() ? "" : sep) + each(x);
  return s;
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
  return joined(items, sep, [](const std::string& s) { return s; });
}

// "0.6, 0.4"
std::string list(const std::vector<double>& v) {
  return joined(v, ", ", [](double x) { return fmt_or_undefined(x); });
}

// "1.1%, 0.9%"
std::string list_pct(const std::vector<double>& v) {
  return joined(v, ", ", [](double x) { return pct(x); });
}

// The sentence's formula: "C = 0.571 A + 0.429 B", or task arithmetic's form when the weights do
// not sum into [0, 1] or there are several parents.
std::string formula(const std::vector<double>& alpha, int k) {
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

std::string control_sentence(const GroupResult& o) {
  if (!o.has_control) return "";
  return " The control fine-tune of the same base scores cos_fit " + fmt(o.control_est.cos_fit) +
         " (alpha " + fmt(o.control_est.alpha[0]) + ") on the same data.";
}

// "attention 0.571/0.2 (cos_fit 0.999), mlp ..."
std::string component_list(const Evidence& ev) {
  return joined(ev.components, ", ", [&](const ComponentFit& c) {
    std::string alphas;
    for (int i = 0; i < ev.k; ++i) alphas += (i ? "/" : "") + fmt(c.alphas[i]);
    return c.component + " " + alphas + " (cos_fit " + fmt(c.cos_fit) + ")";
  });
}

void passthrough_text(Verdict& v, bool partial) {
  const Evidence& ev = v.evidence;
  if (ev.same_parent == ev.tensors) {
    v.sentence = "Passthrough: C is a copy of A on every sampled tensor";
  } else if (partial) {
    v.sentence = "Consistent with a passthrough merge: " + num(ev.same_parent + ev.copied) + " of " +
                 num(ev.tensors) + " tensors are copied whole from a parent";
  } else {
    v.sentence = "Consistent with a passthrough merge: C's tensors are copied whole from its inputs";
  }
  v.explanation = num(ev.same_parent) + " of " + num(ev.tensors) +
                  " tensors are bit-identical to a parent at the same position, " + num(ev.copied) +
                  " to another tensor (another layer index), " + num(ev.same_base) + " to the base.";
  if (!ev.copy_examples.empty())
    v.explanation += " E.g. " + joined(ev.copy_examples, "; ") + ".";
  if (partial)
    v.explanation += " The other tensors are not explained by the parents' deltas (cos_fit " + fmt(ev.cos) + ").";
}

void sparse_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const Sparsity& sp = ev.sparsity;
  const std::string pl = parent_label(v.parent, ev.k);
  const double ka = v.lambda;
  const bool several = ev.k > 1;
  const std::string dens = several ? "densities " + list(v.densities) : "density " + fmt_or_undefined(v.density);
  const std::string wts = several ? "weights " + list(v.weights) : "weight " + list(v.weights);
  switch (v.rule) {
    case VerdictRule::Ties:
      v.sentence = "Consistent with a TIES merge: " + dens + " (each parent's top-k by |d|), " +
                   (several ? wts + " (lambda w_i / sum w, from where every parent is kept with one sign)" : "lambda " + fmt(ka));
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, and in " +
                      num(ev.tensors_hard) + " of " + num(ev.tensors_with_drops) +
                      " tensors every element whose |d| is at most each parent's own cut-off (the largest dropped |d|) is "
                      "left at B (a hard magnitude threshold per parent, TIES's top-k). cos_fit " + fmt(ev.cos) + ".";
      break;
    case VerdictRule::Breadcrumbs:
      if (several) {
        v.sentence = std::string("Consistent with a breadcrumbs") + (v.method == "breadcrumbs_ties" ? "-TIES" : "") +
                     " merge: " + dens + ", " + wts + ", top " + pct(v.gamma) + " of |d| dropped (gamma)";
        v.explanation = "Element by element C - B is the weighted sum of the parents kept there; each parent's dropped "
                        "|d| lie above and below the |d| it keeps (" + list_pct(ev.band_above) + " above its kept range, " +
                        list_pct(ev.band_inside) + " of the drops inside it): the largest and the smallest deltas are "
                        "missing. Kept elements carry the weight unscaled" +
                        (v.method == "breadcrumbs_ties" ? "; where the parents' signs disagree the losing sign is dropped (sign election)" : "") +
                        ". cos_fit " + fmt(ev.cos) + ".";
        break;
      }
      v.sentence = "Consistent with a breadcrumbs merge: density " + fmt_or_undefined(v.density) + ", top " +
                   pct(v.gamma) + " of |d| dropped (gamma), weight " + fmt(ka);
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, on both "
                      "sides of the kept |d| band in " + num(sp.tensors_band) + " of " + num(sp.tensors_with_drops) +
                      " tensors: the largest and the smallest deltas are missing. Kept elements carry alpha " + fmt(ka) +
                      " (no rescale); cos_fit " + fmt(ev.cos) + ".";
      break;
    default: {
      const bool della = v.rule == VerdictRule::Della;
      v.sentence = std::string("Consistent with a ") + (della ? "DELLA" : "DARE") + " merge: " + dens + ", " + wts +
                   " (kept elements rescaled by about 1 / density)";
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, " +
                      (della ? "more often where |d| is small (mean |d| dropped / kept = " + fmt(sp.ratio()) +
                                   "): DELLA's magnitude-ranked keep probability. "
                             : "regardless of |d| (mean |d| dropped / kept = " + fmt(sp.ratio()) + "): a random mask. ") +
                      "Kept elements carry alpha " + fmt(ka) + " = weight / density; cos_fit " + fmt(ev.cos) + ".";
      if (several && della)
        v.explanation += " Each parent's density and weight are read from the set of parents kept at each element "
                         "(C - B is the sum of the kept parents' scaled deltas there).";
      else if (several)
        v.explanation += " Each parent's density is solved from the fourth moments of D and the deltas (independent masks).";
    }
  }
  v.explanation += control_sentence(ev.overall);
}

void slerp_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const Estimates& e = ev.overall.est;
  v.sentence = "Consistent with SLERP: C = " + fmt(e.plane_p[0]) + " A + " + fmt(e.plane_q) + " B (t = " +
               fmt(v.slerp_t) + ")";
  v.explanation = "A plane fit C = p A + q B gives p = " + fmt(e.plane_p[0]) + ", q = " + fmt(e.plane_q) +
                  ": p + q = " + fmt(e.plane_p[0] + e.plane_q, 4) + " > 1, as spherical interpolation gives. "
                  "It explains " + pct(ev.slerp_drop) + " of what the linear model leaves (cos_fit " +
                  fmt(std::sqrt(ev.r2_plane), 4) + " vs " + fmt(ev.cos, 4) + " for lerp). The angle between A and B is " +
                  fmt(std::acos(std::clamp(e.cos_ab[0], -1.0, 1.0)) * 180 / std::numbers::pi, 1) + " degrees." +
                  control_sentence(ev.overall);
}

void linear_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  const int k = ev.k;
  switch (v.rule) {
    case VerdictRule::LinearPerComponent:
      v.sentence = k == 1 ? "Consistent with a linear merge with per-component weights: C = a A + (1 - a) B, a = " +
                                joined(v.groups, ", ", [](const ComponentFit& c) { return c.component + " " + fmt(c.alphas[0]); })
                          : "Consistent with task arithmetic with per-component weights: " +
                                joined(v.groups, "; ", [](const ComponentFit& c) { return c.component + " " + list(c.alphas); });
      break;
    case VerdictRule::LinearPerLayer:
      v.sentence = std::string(k == 1 ? "Consistent with a linear merge with per-layer weights: C = a A + (1 - a) B, a from "
                                      : "Consistent with task arithmetic with per-layer weights: a weight from ") +
                   fmt(ev.layer_min) + " to " + fmt(ev.layer_max) + " (by layer in the report)";
      break;
    case VerdictRule::TaskArithmetic:
      v.sentence = "Consistent with task arithmetic: " + formula(v.alphas, k);
      break;
    case VerdictRule::FineTune:
      v.sentence = "Fine-tune of " + parent_label(v.parent, k) + ": C = " + parent_label(v.parent, k) +
                   " + further training (alpha " + fmt(v.alphas[v.parent]) + "), not a merge";
      break;
    case VerdictRule::LinearOneParent:
      v.sentence = "Consistent with a linear merge: C = " + fmt(v.alphas[v.parent]) + " " + parent_label(v.parent, k) +
                   " + " + fmt(1 - v.alphas[v.parent]) + " B";
      break;
    default:
      v.sentence = "Consistent with a linear combination: " + formula(v.alphas, k);
  }
  const std::string fit = k == 1 ? "cos_fit " + fmt(ev.cos, 4) : "R^2 " + fmt(o.est.r2, 4) + " (cos_fit " + fmt(ev.cos, 4) + ")";
  v.explanation = "D = C - B is fitted by the parents' deltas with " + fit + " over " + num(o.usable) +
                  " tensors (" + num(o.elements) + " elements)" +
                  (o.outliers > 0 ? ", " + num(o.outliers) + " outlier tensor" + (o.outliers == 1 ? "" : "s") + " left out" : "") + ".";
  if (ev.per_group) {
    v.explanation += " The pooled fit is lower than every group's (worst group cos_fit " + fmt(ev.group_cos, 4) +
                     ") because the weight differs between " + (ev.comp_spread > 0.05 ? "components" : "layers") +
                     (o.outliers > 0 ? ": each group, but for the outlier tensors below, fits a linear merge on its own."
                                     : ": each group is a clean linear merge on its own.");
  }
  if (k == 1) {
    v.explanation += " Per tensor alpha " + fmt(o.alpha_median[0]) + " median, spread " + fmt(o.alpha_spread[0]) +
                     ", 95% interval " + fmt(o.alpha_ci95[0][0]) + "-" + fmt(o.alpha_ci95[0][1]) + ".";
  }
  if (!ev.components.empty()) v.explanation += " By component: " + component_list(ev) + ".";
  if (ev.robust_alpha) {
    v.explanation += " Rounding-robust alpha (elements with |d| >= 4 ulps, n = " + num(ev.robust_n) + "): " +
                     fmt(ev.alphas[0]) + ".";
  }
  if (o.bx.n > 0 && ev.bf16) {
    v.explanation += " Recomputing the merge and rounding reproduces " + pct(ev.bx_fp32) + " of C's sampled values "
                     "(f32 then round) and " + pct(ev.bx_bf16) + " (mergekit's bf16 order).";
  }
  v.explanation += control_sentence(o);
}

void null_or_between_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  const std::string fit = "cos_fit " + fmt(ev.cos) + " (alpha " + fmt_or_undefined(ev.alphas[0]) + ", per-tensor spread " +
                          fmt(o.alpha_spread[0]) + ")";
  if (v.rule == VerdictRule::NotAMerge) {
    v.sentence = "Not a merge of these parents: D = C - B is not explained by A - B";
    v.explanation = "The parents' deltas explain little of C's: " + fit + ". Independent fine-tunes of one base "
                    "score 0.1-0.6 per tensor." + control_sentence(o);
    if (std::find(v.flags.begin(), v.flags.end(), "far-from-base") != v.flags.end()) {
      v.explanation += " C is not close to B at all (||C - B|| / ||B|| = " + fmt(o.est.rel_delta_c) + ", cos(C, B) = " +
                       fmt(o.est.cos_cb) + "): B is not C's base, so C is unrelated to this family.";
    }
    return;
  }
  v.sentence = "Inconclusive: C - B is partly explained by A - B";
  v.explanation = "The fit is between independent fine-tunes and a merge: " + fit + "." + control_sentence(o);
  if (!ev.consistent) {
    v.explanation += " alpha is not consistent: " + pct(ev.outlier_share) + " of tensors are outliers";
    if (!ev.failing.empty())
      v.explanation += "; components with cos_fit below " + fmt(kNullCos, 1) + ": " +
                       joined(ev.failing, ", ");
    v.explanation += ".";
  }
  if (!ev.components.empty()) v.explanation += " By component: " + component_list(ev) + ".";
}

void sentence_and_explanation(Verdict& v) {
  const Evidence& ev = v.evidence;
  switch (v.rule) {
    case VerdictRule::TooLittleData:
      v.sentence = "Inconclusive: too little data was compared";
      v.explanation = "Only " + num(ev.overall.elements) + " elements in " + num(ev.tensors) +
                      " tensors could be compared between the suspect, the parents and the base.";
      return;
    case VerdictRule::IdenticalToBase:
      v.sentence = "Not a merge: C is identical to the base B on every sampled tensor";
      v.explanation = "All " + num(ev.tensors) + " compared tensors of C have the same bytes as B's.";
      return;
    case VerdictRule::Passthrough: passthrough_text(v, false); return;
    case VerdictRule::PartialPassthrough: passthrough_text(v, true); return;
    case VerdictRule::DegenerateDelta:
      v.sentence = "Inconclusive: alpha is undefined (" + v.undefined_reason + ")";
      v.explanation = "alpha is undefined when a parent equals the base, two parents are the same model, or C = B "
                      "on the sampled elements: " + v.undefined_reason + ".";
      return;
    case VerdictRule::Copy:
      if (std::find(v.flags.begin(), v.flags.end(), "same-model") != v.flags.end()) {
        v.sentence = "Not a merge: C, " + parent_label(v.parent, ev.k) + " and B are all the same model";
        v.explanation = "All " + num(ev.tensors) + " compared tensors are bit-identical in the three models; alpha is undefined.";
      } else {
        v.sentence = "Copy: C is " + parent_label(v.parent, ev.k) + (ev.copy_parent >= 0 ? "" : " rounded to C's dtype") +
                     ", not a merge";
        v.explanation = ev.copy_parent >= 0
                            ? "All " + num(ev.tensors) + " compared tensors of C are bit-identical to " + parent_label(v.parent, ev.k) + "'s."
                            : "Rounding " + parent_label(v.parent, ev.k) + " to C's dtype reproduces " +
                                  pct(std::max(ev.bx_fp32, ev.bx_bf16)) + " of C's sampled values.";
      }
      return;
    case VerdictRule::Ties:
    case VerdictRule::Breadcrumbs:
    case VerdictRule::Della:
    case VerdictRule::Dare: sparse_text(v); return;
    case VerdictRule::UnexplainedZeros: {
      const Sparsity& sp = ev.sparsity;
      v.sentence = "Inconclusive: C equals B on " + pct(sp.share()) + " of the changed elements, without a TIES or DARE signature";
      v.explanation = "Dropped elements have smaller |d| than kept ones (ratio " + fmt(sp.ratio()) +
                      ") but there is no hard threshold (" + num(sp.tensors_hard_threshold) + " of " +
                      num(sp.tensors_with_drops) + " tensors). cos_fit " + fmt(ev.cos) + ", alpha " + fmt_or_undefined(ev.alphas[0]) +
                      "." + control_sentence(ev.overall);
      return;
    }
    case VerdictRule::Slerp: slerp_text(v); return;
    case VerdictRule::Nuslerp:
      v.sentence = "Consistent with nuslerp of the two task vectors: t = " + fmt(v.slerp_t) + " (weights " +
                   fmt(1 - v.slerp_t) + " : " + fmt(v.slerp_t) + ")";
      v.explanation = "C - B = a1 (A1 - B) + a2 (A2 - B) with a1 + a2 = " + fmt(ev.alphas[0] + ev.alphas[1]) +
                      " > 1, and in every tensor a1 and a2 are sin((1 - t) th) / sin th and sin(t th) / sin th for one t "
                      "(th the angle between the deltas; mean deviation " + fmt(ev.nuslerp_err, 4) + "): spherical "
                      "interpolation of the task vectors, not task arithmetic.";
      return;
    case VerdictRule::ModelStock:
      v.sentence = "Consistent with model_stock: C = B + t mean(A_i - B), t from the parents' own cosines (mean t " +
                   fmt(ev.stock_t) + ")";
      v.explanation = "Each tensor's weight t = k c / (1 + (k - 1) c), c the parents' mean pairwise cosine, predicts C with "
                      "cosine " + fmt(ev.stock_cos, 4) + " at scale " + fmt(ev.stock_scale) + " (1 for model_stock); one "
                      "constant alpha per parent reaches cos_fit " + fmt(ev.cos, 4) + ".";
      return;
    case VerdictRule::Nearswap:
      v.sentence = "Consistent with nearswap: |C - B| = min(|A - B|, t), t = " + fmt(v.nearswap_t, 5);
      v.explanation = pct(ev.equal_a_share) + " of the elements where A differs from B are bit-identical to A (|d| <= t) and " +
                      pct(ev.clipped_share) + " are clipped at |C - B| = t; a linear reading (alpha " + fmt(ev.alphas[0]) +
                      ", cos_fit " + fmt(ev.cos) + ") would be meaningless.";
      return;
    case VerdictRule::LinearPerComponent:
    case VerdictRule::LinearPerLayer:
    case VerdictRule::TaskArithmetic:
    case VerdictRule::LinearOneParent:
    case VerdictRule::FineTune:
    case VerdictRule::LinearCombination: linear_text(v); return;
    case VerdictRule::ControlFitsAsWell:
      v.sentence = "Inconclusive: the control model fits as well as the suspect";
      v.explanation = "The parents explain C with cos_fit " + fmt(ev.fit_cos) + ", and the control with " + fmt(ev.ctrl_cos) +
                      ": a fit the control shares says nothing about the suspect.";
      return;
    case VerdictRule::NotAMerge:
    case VerdictRule::PartlyExplained: null_or_between_text(v); return;
  }
}

std::string caveat_text(const Verdict& v, CaveatCode c) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  const Estimates& e = o.est;
  switch (c) {
    case CaveatCode::LowCoverage:
      return "Low coverage: " + num(o.usable) + " usable tensors, " + num(o.elements) +
             " sampled elements; a larger budget would tighten the estimates.";
    case CaveatCode::UnmatchedTensors:
      return num(ev.unmatched) + " tensors could not be compared (missing in a model, or shape/dtype differ); "
             "the verdict covers the matched ones only.";
    case CaveatCode::NoControl:
      return "No control model: independent fine-tunes of one base already reach cos_fit 0.1-0.6 "
             "on real weights; another fine-tune of the same base, measured the same way, would "
             "show the null on these very tensors.";
    case CaveatCode::CopiesNeedWholeReads:
      return "Copies at other layer indices are found only on tensors read whole: a larger byte budget "
             "may show where the remaining tensors come from.";
    case CaveatCode::PartialCopy:
      return num(ev.tensors - ev.copies()) + " tensors are not whole copies of any input.";
    case CaveatCode::MixedSparsity:
      return "Some tensors look hard-thresholded, others not: a magnitude-ranked random drop (DELLA) would look like this.";
    case CaveatCode::DellaOrRounding:
      // An F32 suspect has no rounding floor (1): rounding cannot leave these zeros.
      return ev.bf16 ? "A magnitude-ranked random drop (DELLA) or rounding of a low-precision merge could produce this."
                     : "A magnitude-ranked random drop (DELLA) or another sparsifying method could produce this.";
    case CaveatCode::PerComponentAlpha:
      return "alpha differs between components (" + fmt(ev.comp_min) + " to " + fmt(ev.comp_max) +
             "): per-component weights (mergekit filters) or a partial fine-tune after merging.";
    case CaveatCode::PerLayerAlpha:
      return "alpha varies by layer from " + fmt(ev.layer_min) + " to " + fmt(ev.layer_max) +
             ": a layer-wise weight list, or noise in small layers.";
    case CaveatCode::Outliers:
      return num(o.outliers) + (o.outliers == 1 ? " tensor does" : " tensors do") +
             " not fit like the rest (alpha or cos_fit far from the others', or NaN/Inf values) and " +
             (o.outliers == 1 ? "is" : "are") + " kept out of the pooled alpha: " + joined(ev.outlier_names, ", ") +
             (o.outliers > ev.outlier_names.size() ? ", ..." : "") + ".";
    case CaveatCode::Residual:
      return "cos_fit " + fmt(ev.cos) + " leaves " + pct(1 - ev.cos * ev.cos) +
             " of ||C - B||^2 unexplained: fine-tuning after the merge, or another method.";
    case CaveatCode::RoundingFloor:
      return "Rounding to the suspect's dtype alone limits cos_fit to about " + fmt(e.rounding_floor, 4) +
             (std::fabs(e.rounding_floor - ev.cos) < 0.01 ? " (the measured cos_fit is at that floor)" : "") +
             ": tensors with deltas of a few ulps pull alpha towards 0 or 1.";
    case CaveatCode::RoundingZeros:
      return pct(ev.sparsity.share()) + " of the elements where A differs from B are left exactly at B, without a "
             "TIES or DARE signature and without bit-exact reproduction: read here as rounding of "
             "small deltas; a magnitude-ranked drop (DELLA) would look similar.";
    case CaveatCode::AlphaNear1:
      return "alpha ~ 1: C is essentially A (re-saved or cast), not a blend.";
    case CaveatCode::ControlHigh:
      return "The control also fits well (cos_fit " + fmt(ev.ctrl_cos) + "): it may itself derive from A.";
    case CaveatCode::FarFromBase:
      return "C is far from the base (||C - B|| / ||B|| = " + fmt(e.rel_delta_c) + "): B may not be its base.";
    case CaveatCode::NearControl:
      return "cos_fit " + fmt(ev.cos) + " is not clearly above the control's " + fmt(ev.ctrl_cos) + ".";
    case CaveatCode::ControlFits:
      return "The control (cos_fit " + fmt(ev.ctrl_cos) + ") is explained as well as the suspect (" + fmt(ev.fit_cos) +
             "): it may be the suspect itself, or derive from the same parents.";
    case CaveatCode::OtherOrigins:
      return "A merge followed by heavy fine-tuning, a merge with other models not given as parents, "
             "or a related fine-tune could produce this.";
  }
  return "";
}

}  // namespace

const char* caveat_code_name(CaveatCode c) {
  switch (c) {
    case CaveatCode::LowCoverage: return "low-coverage";
    case CaveatCode::UnmatchedTensors: return "unmatched-tensors";
    case CaveatCode::NoControl: return "no-control";
    case CaveatCode::CopiesNeedWholeReads: return "copies-need-whole-reads";
    case CaveatCode::PartialCopy: return "partial-copy";
    case CaveatCode::MixedSparsity: return "mixed-sparsity";
    case CaveatCode::DellaOrRounding: return "della-or-rounding";
    case CaveatCode::PerComponentAlpha: return "per-component-alpha";
    case CaveatCode::PerLayerAlpha: return "per-layer-alpha";
    case CaveatCode::Outliers: return "outliers";
    case CaveatCode::Residual: return "residual";
    case CaveatCode::RoundingFloor: return "rounding-floor";
    case CaveatCode::RoundingZeros: return "rounding-zeros";
    case CaveatCode::AlphaNear1: return "alpha-near-1";
    case CaveatCode::ControlHigh: return "control-high";
    case CaveatCode::FarFromBase: return "far-from-base";
    case CaveatCode::NearControl: return "near-control";
    case CaveatCode::OtherOrigins: return "other-origins";
    case CaveatCode::ControlFits: return "control-fits";
  }
  return "";
}

void render(Verdict& v) {
  sentence_and_explanation(v);
  v.caveats.clear();
  for (CaveatCode c : v.caveat_codes) v.caveats.push_back(caveat_text(v, c));
}

}  // namespace mp
