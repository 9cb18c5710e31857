// The verdict's words: the sentence, the explanation and the caveats, rendered from the decided
// rule, caveat codes and evidence (verdict/rules.cpp decides; nothing here tests a threshold,
// except to phrase a number).
// The longer texts live in text_methods.cpp, the caveats in text_caveats.cpp (see text_parts.h).
#include <algorithm>
#include <string>

#include "verdict/text_format.h"
#include "verdict/text_parts.h"
#include "verdict/verdict.h"

namespace mp {
namespace {

using namespace verdict;
using namespace verdict::words;

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
    case VerdictRule::QuantizedCopy: quantized_copy_text(v); return;
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
    case VerdictRule::SparseOtherBase:
      v.sentence = "Consistent with a sparse merge of A over a base other than B: density " + fmt(v.density) +
                   ", kept elements at weight 1";
      v.explanation = "C equals A bit for bit on " + pct(ev.kept_a_share) + " of the elements where A differs from B, and "
                      "equals B on " + pct(ev.sparsity.share()) + " of them: the kept elements carry A's value, the dropped "
                      "ones are not at B. Over its own base a TIES / DARE / breadcrumbs merge leaves the dropped elements "
                      "exactly at that base, so C's base is not B; without it the sparsifier cannot be named.";
      return;
    case VerdictRule::Slerp: slerp_text(v); return;
    case VerdictRule::Karcher:
      v.sentence = "Consistent with a karcher merge: the Riemannian mean of the " + num(ev.k) +
                   " parents themselves, equal weights (karcher ignores configured weights), no base";
      v.explanation = "Recomputing mergekit's Karcher mean of the parents tensor by tensor (from their norms and "
                      "angles) predicts C - B with cosine " + fmt(ev.karcher_cos, 5) + " at scale " +
                      fmt(ev.karcher_scale, 4) + ", at least as well as the free least-squares fit (cos_fit " +
                      fmt(ev.cos, 5) + ", alphas " + list(ev.alphas) + ").";
      return;
    case VerdictRule::Multislerp:
      v.sentence = "Consistent with multislerp of the task vectors: weights " + list(v.weights);
      v.explanation = "In every tensor the fitted coefficients times the parents' delta norms stand in one ratio "
                      "(weights " + list(v.weights) + ", mean deviation " + fmt(ev.mslerp_spread, 4) +
                      ") and |C - B| is the weighted mean of the |A_i - B| (mean deviation " + pct(ev.mslerp_norm_err) +
                      "): the weighted spherical mean of the unit task vectors, rescaled, as multislerp writes it; "
                      "task arithmetic would keep the coefficients themselves fixed (pooled cos_fit " + fmt(ev.cos, 4) + ").";
      return;
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
      v.explanation = "Of the elements where A differs from B and C's rounding can tell (" + pct(ev.nearswap_informative) +
                      " of them), " + pct(ev.nearswap_equal_share) + " are bit-identical to A (|d| <= t) and " +
                      pct(ev.clipped_share) + " are clipped at |C - B| = t within rounding; a linear reading (alpha " + fmt(ev.alphas[0]) +
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

}  // namespace

void render(Verdict& v) {
  sentence_and_explanation(v);
  v.caveats.clear();
  for (CaveatCode c : v.caveat_codes) v.caveats.push_back(caveat_text(v, c));
}

}  // namespace mp
