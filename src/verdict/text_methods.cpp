// The longer per-family texts: passthrough, sparse merges, SLERP, the linear family and the null.
// Rendered from the decided rule and evidence; no threshold is tested here.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "verdict/text_format.h"
#include "verdict/text_parts.h"
#include "verdict/thresholds.h"
#include "verdict/verdict.h"

namespace mp::verdict::words {
namespace {

// "attention 0.571/0.2 (cos_fit 0.999), mlp ..."
std::string component_list(const Evidence& ev) {
  return joined(ev.components, ", ", [&](const ComponentFit& c) {
    std::string alphas;
    for (int i = 0; i < ev.k; ++i) alphas += (i ? "/" : "") + fmt(c.alphas[i]);
    return c.component + " " + alphas + " (cos_fit " + fmt(c.cos_fit) + ")";
  });
}

// "layer 0 attention", or the component alone for a group without a layer
std::string group_label(const ComponentFit& g) {
  return g.layer >= 0 ? "layer " + num(uint64_t(g.layer)) + " " + g.component : g.component;
}

}  // namespace

std::string control_sentence(const GroupResult& o) {
  if (!o.has_control) return "";
  return " The control fine-tune of the same base scores cos_fit " + fmt(o.control_est.cos_fit) +
         " (alpha " + fmt(o.control_est.alpha[0]) + ") on the same data.";
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
  // Weights or densities that differ between groups (mergekit's per-layer and per-component
  // lists) are given per group; the pooled ones otherwise.
  const auto flagged = [&](const char* f) { return std::find(v.flags.begin(), v.flags.end(), f) != v.flags.end(); };
  const auto by_group = [&](const std::string& what, bool densities) {
    return what + " by group: " + joined(v.groups, "; ", [&](const ComponentFit& g) {
             return group_label(g) + " " + (several ? list(densities ? g.densities : g.alphas) : fmt((densities ? g.densities : g.alphas)[0]));
           });
  };
  const bool group_d = flagged("per-group-densities"), group_w = flagged("per-group-weights");
  const std::string dens = group_d ? by_group(several ? "densities" : "density", true)
                           : several ? "densities " + list(v.densities) : "density " + fmt_or_undefined(v.density);
  const std::string wts = group_w ? by_group(several ? "weights" : "weight", false)
                          : several ? "weights " + list(v.weights) : "weight " + list(v.weights);
  switch (v.rule) {
    case VerdictRule::Ties: {
      // (undefined where neither reading has enough elements: the kept sets the cuts give, nor the
      // overlap where every parent is surely kept)
      const bool defined = std::all_of(v.weights.begin(), v.weights.end(), [](double w) { return std::isfinite(w); });
      const SparseReads& r = ev.reads;
      const char* from = !defined ? " (too few elements whose kept parents their cuts tell, with one sign)"
                         : !r.ties_sets_read(ev.k) ? " (lambda w_i / sum w, from where every parent is kept with one sign)"
                         : r.ties_set_normalised ? " (lambda w_i / sum w, from each element's kept set under the parents' cuts)"
                                                 : " (lambda w_i, without normalise, from each element's kept set under the parents' cuts)";
      v.sentence = "Consistent with a TIES merge: " + dens + " (each parent's top-k by |d|), " +
                   (several || group_w ? wts + (several ? from : "") : "lambda " + fmt(ka));
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, and in " +
                      num(ev.tensors_hard) + " of " + num(ev.tensors_with_drops) +
                      " tensors every element whose |d| is at most each parent's own cut-off (the largest dropped |d|) is "
                      "left at B (a hard magnitude threshold per parent, TIES's top-k). cos_fit " + fmt(ev.cos) + ".";
      break;
    }
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
      v.sentence = "Consistent with a breadcrumbs merge: " + dens + ", top " + pct(v.gamma) + " of |d| dropped (gamma), " +
                   (group_w ? wts : "weight " + fmt(ka));
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B, on both "
                      "sides of the kept |d| band in " + num(sp.tensors_band) + " of " + num(sp.tensors_with_drops) +
                      " tensors: the largest and the smallest deltas are missing. Kept elements carry alpha " + fmt(ka) +
                      " (no rescale); cos_fit " + fmt(ev.cos) + ".";
      break;
    default: {
      const bool della = v.rule == VerdictRule::Della;
      const bool sets = several && !ev.reads.kept_share_ss.empty();  // the per-element kept sets
      const auto& eps = ev.reads.rank_epsilon;  // each parent's keep share against its |d|'s rank
      const bool ranked = !eps.empty() && std::all_of(eps.begin(), eps.end(), [](double x) { return std::isfinite(x); });
      v.sentence = std::string("Consistent with a ") + (della ? "DELLA" : "DARE") + " merge: " + dens + ", " + wts +
                   (della && std::isfinite(v.epsilon) ? ", epsilon " + fmt(v.epsilon) : "") +
                   " (kept elements rescaled by about 1 / density)";
      v.explanation = pct(sp.share()) + " of the elements where " + pl + " differs from B are left exactly at B";
      if (sets) {
        v.explanation += ", and element by element C - B is the sum of the kept parents' rescaled deltas. ";
        if (ranked)
          v.explanation += std::string(della ? "Each parent is kept more often where its |d| ranks high in its row: DELLA's "
                                               "keep probability, density - epsilon at the smallest |d| to density + "
                                               "epsilon at the largest (epsilon per parent "
                                             : "Each parent is kept as often at every rank of its |d| in its row: a random "
                                               "mask (the keep share's rise over the ranks, halved, per parent ") +
                           list(eps) + (della ? "; 0 for DARE). " : "; DELLA's epsilon). ");
        v.explanation += "Densities and weights are read from the set of parents kept at each element; cos_fit " + fmt(ev.cos) + ".";
      } else {
        // one parent: kept where C is off B, against |d|'s rank in its row where C shows it
        const std::string rank = ranked ? "; the keep share's rise over |d|'s rank in its row, halved, " + fmt(eps[0]) +
                                              (della ? ": epsilon" : ", DELLA's epsilon")
                                        : "";
        v.explanation += std::string(", ") +
                         (della ? "more often where |d| is small (mean |d| dropped / kept = " + fmt(sp.ratio()) + rank +
                                      "): DELLA's magnitude-ranked keep probability. "
                                : "regardless of |d| (mean |d| dropped / kept = " + fmt(sp.ratio()) + rank + "): a random mask. ") +
                         "Kept elements carry alpha " + fmt(ka) + " = weight / density; cos_fit " + fmt(ev.cos) + "." +
                         (several ? " Each parent's density is solved from the fourth moments of D and the deltas "
                                    "(independent masks)." : "");
      }
    }
  }
  v.explanation += control_sentence(ev.overall);
}

void slerp_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const Estimates& e = ev.overall.est;
  v.sentence = v.groups.empty()
                   ? "Consistent with SLERP: C = " + fmt(e.plane_p[0]) + " A + " + fmt(e.plane_q) + " B (t = " + fmt(v.slerp_t) + ")"
                   : "Consistent with SLERP with t per group: " +
                         joined(v.groups, "; ", [](const ComponentFit& g) { return group_label(g) + " " + fmt(g.t); });
  v.explanation = "A plane fit C = p A + q B gives p = " + fmt(e.plane_p[0]) + ", q = " + fmt(e.plane_q) +
                  ": p + q = " + fmt(e.plane_p[0] + e.plane_q, 4) + (e.plane_p[0] + e.plane_q > 1 ? " > 1" : "") +
                  ", as spherical interpolation gives. "
                  "It explains " + pct(ev.slerp_drop) + " of what the linear model leaves (cos_fit " +
                  fmt(std::sqrt(ev.r2_plane), 4) + " vs " + fmt(ev.cos, 4) + " for lerp). The angle between A and B is " +
                  fmt(std::acos(std::clamp(e.cos_ab[0], -1.0, 1.0)) * 180 / std::numbers::pi, 1) + " degrees.";
  if (ev.slerp_tensors > 0)
    v.explanation += " Tensor by tensor, p + q - 1 follows what slerp at each tensor's own angle and t predicts: "
                     "slope " + fmt_or_undefined(ev.slerp_slope) + " (1 for slerp, 0 for lerp) over " +
                     num(ev.slerp_tensors) + " tensors, explaining " + pct(ev.slerp_explained) + " of it, with " +
                     fmt(ev.slerp_z, 0) + " standard errors between the two predictions.";
  if (!v.groups.empty())
    v.explanation += " t differs between groups by up to " + fmt(ev.slerp_group_spread) + " (pooled t " + fmt(v.slerp_t) +
                     " mixes them); each group's t is solved from its own plane fit.";
  v.explanation += control_sentence(ev.overall);
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
  const std::string fit = k == 1 ? fit_words(ev, 4) : "R^2 " + fmt(o.est.r2, 4) + " (" + fit_words(ev, 4) + ")";
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

std::string fit_words(const Evidence& ev, int decimals) {
  return "cos_fit " + fmt(ev.raw_cos, decimals) +
         (ev.quantized ? " against a quantization floor of " + fmt(ev.cos_floor, decimals) : "");
}

void quantized_copy_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const std::string a = parent_label(v.parent, ev.k);
  v.sentence = "Quantized copy of " + a + ": C is " + a + " quantized, not a merge";
  v.explanation = "alpha " + fmt(ev.alphas[v.parent]) + " on " + a + " (quantization alone spreads it by " +
                  fmt_or_undefined(ev.overall.qf.alpha_se[v.parent], 4) + "), and D = C - B is fitted with " + fit_words(ev, 4) +
                  ", the best a pure quantization of " + a + " reaches: what is left is " + fmt(ev.noise_ratio, 2) +
                  "x the noise the block scales predict." + control_sentence(ev.overall);
}

void null_or_between_text(Verdict& v) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  const std::string fit = fit_words(ev) + " (alpha " + fmt_or_undefined(ev.alphas[0]) + ", per-tensor spread " +
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

}  // namespace mp::verdict::words
