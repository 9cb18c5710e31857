// One sentence per caveat code, rendered from the evidence, and the codes' stable JSON names.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "verdict/text_format.h"
#include "verdict/text_parts.h"
#include "verdict/thresholds.h"
#include "verdict/verdict.h"

namespace mp::verdict::words {

std::string caveat_text(const Verdict& v, CaveatCode c) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  const Estimates& e = o.est;
  switch (c) {
    case CaveatCode::LowCoverage: {
      // Say why tensors were left out: a larger budget helps only when few elements were read.
      std::string why;
      const auto part = [&](uint32_t n, const char* what) {
        if (n) why += (why.empty() ? "" : ", ") + num(n) + " " + what;
      };
      part(o.degenerate, "with an undefined fit (A or C equals B there)");
      part(o.rounding_dominated, "dominated by rounding");
      part(o.outliers, "outliers");
      std::string s = "Low coverage: " + num(o.usable) + " of " + num(o.tensors) + " tensors usable" +
                      (why.empty() ? "" : " (" + why + ")") + ", " + num(o.elements) + " sampled elements";
      if (o.elements < kLowElements) return s + "; a larger budget would tighten the estimates.";
      return s + ": alpha's consistency across tensors cannot be judged.";
    }
    case CaveatCode::UnmatchedTensors:
      return num(ev.unmatched) + " tensors could not be compared (missing in a model, shape/dtype differ, or values "
             "a converter transformed: see the list); the verdict covers the matched ones only.";
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
      if (ev.quantized)
        return fit_words(ev) + " leaves " + pct(1 - ev.cos * ev.cos) + " of what lies above the quantization noise "
               "unexplained: fine-tuning after the merge, or another method.";
      return "cos_fit " + fmt(ev.cos) + " leaves " + pct(1 - ev.cos * ev.cos) +
             " of ||C - B||^2 unexplained: fine-tuning after the merge, another method, or a base other than B (with one "
             "parent these leave the same second moments).";
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
      return fit_words(ev) + " is not clearly above the control's " + fmt(ev.ctrl_cos) + ".";
    case CaveatCode::ControlFits:
      return "The control (cos_fit " + fmt(ev.ctrl_cos) + ") is explained as well as the suspect (" + fmt(ev.fit_cos) +
             "): it may be the suspect itself, or derive from the same parents.";
    case CaveatCode::QuantizationFloor:
      return "The suspect is quantized: its cos_fit (" + fmt(ev.raw_cos) + ") is judged against the " + fmt(ev.cos_floor) +
             " a perfect merge or copy reaches after that quantization (from the block scales; the residual is " +
             fmt_or_undefined(ev.noise_ratio, 2) + "x that noise, alpha +- " +
             (ev.k == 1 ? fmt_or_undefined(o.qf.alpha_se[0], 4) : list(std::vector<double>(o.qf.alpha_se, o.qf.alpha_se + ev.k))) +
             " from quantization alone). Changes smaller than the noise, such as light fine-tuning after the merge, do not show.";
    case CaveatCode::WrongBase: {
      const WrongBase& w = v.wrong_base;
      if (w.signal == "kept-parent-values")
        return "B is not C's base: C holds A's exact values on " + pct(w.kept_share) + " of the elements where A differs "
               "from B and is at B on " + pct(ev.sparsity.share()) + "; a sparse merge leaves its dropped elements at its "
               "own base, which agrees with C where C differs from A.";
      std::string s = "B may not be the parents' base: their deltas from B align (largest pairwise cosine " +
                      fmt(w.given_parent_cos) + "; fine-tunes of one base measure 0.05-0.14)";
      if (w.base < 0)
        return s + ", and no parent taken as the base makes them independent: their common base is none of the given "
                   "models, or the parents derive from one another.";
      // "C = A1 + 0.700 (B - A1) + 0.500 (A2 - A1)": slot `base` holds the given B
      const std::string nb = parent_label(w.base, ev.k);
      std::string f = "C = " + nb;
      for (int i = 0; i < ev.k && size_t(i) < w.fit.alphas.size(); ++i) {
        const double a = w.fit.alphas[i];
        f += (a < 0 ? " - " : " + ") + fmt_or_undefined(std::fabs(a)) + " (" + (i == w.base ? "B" : parent_label(i, ev.k)) + " - " + nb + ")";
      }
      return s + ". With " + nb + " as the base they are as independent as fine-tunes' (cosine " + fmt(w.fit.parent_cos) +
             "): " + f + ", cos_fit " + fmt_or_undefined(w.fit.cos_fit, 4) + ". Or " + nb + " is a model the other parents derive from.";
    }
    case CaveatCode::KarcherEquivalent:
      return "karcher (the parents' equal-weight spherical mean, rescaled) predicts C as well within the rounding (cosine " +
             fmt(ev.karcher_cos, 5) + " against the fit's " + fmt(ev.cos, 5) + ", rounding floor " + fmt(e.rounding_floor, 4) +
             "): at equal weights its curvature is below the suspect's rounding, so a karcher merge and this linear one "
             "cannot be told apart from these weights.";
    case CaveatCode::SlerpEquivalent:
      return "Tensor by tensor, p + q - 1 of the plane fit C = p A + q B does not tell slerp from lerp here (slope " +
             fmt_or_undefined(ev.slerp_slope) + " on what mergekit's slerp would leave, 1 for slerp and 0 for lerp, with " +
             fmt(ev.slerp_z, 1) + " standard errors between the two; rounding also moves p + q - 1): at this angle between "
             "A and B (" + fmt(std::acos(std::clamp(e.cos_ab[0], -1.0, 1.0)) * 180 / std::numbers::pi, 1) +
             " degrees) C may as well be a SLERP with t ~ alpha.";
    case CaveatCode::MethodHidden:
      return "The fit leaves " + fmt_or_undefined(ev.noise_ratio, 2) + "x the quantization noise, more than a linear merge "
             "of these parents leaves once quantized: the method cannot be told at this quantization. The block grid "
             "hides what would name it (a sparse merge's exact zeros, a curved merge's shape), so a TIES or DARE "
             "merge, a SLERP, or fine-tuning after a linear merge would all read like this, and the weights are only "
             "the best linear fit's (a sparse merge's kept elements carry more).";
    case CaveatCode::OtherOrigins:
      return "A merge followed by heavy fine-tuning, a merge with other models not given as parents, "
             "or a related fine-tune could produce this.";
  }
  return "";
}

}  // namespace mp::verdict::words

namespace mp {

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
    case CaveatCode::QuantizationFloor: return "quantization-floor";
    case CaveatCode::WrongBase: return "wrong-base";
    case CaveatCode::KarcherEquivalent: return "karcher-equivalent";
    case CaveatCode::SlerpEquivalent: return "slerp-equivalent";
    case CaveatCode::MethodHidden: return "method-hidden";
  }
  return "";
}

}  // namespace mp
