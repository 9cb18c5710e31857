// The calibrated decision, as data (the words are verdict/text.cpp). Order of the tests, and why:
//   1. no data / degenerate               -> inconclusive (nothing to decide on)
//   2. whole tensors copied               -> passthrough (hashes are exact evidence, checked first)
//   3. linear reproduction of the bits    -> linear-merge (a BF16 linear merge also leaves C == B
//                                            where |a d| < half an ulp: must not read as sparse)
//   4. many exact zeros of D where d != 0 -> sparse-merge (TIES: hard |d| threshold; DARE: drops
//                                            independent of |d|)
//   5. plane fit clearly beats lerp       -> slerp-merge
//   6. cos_fit high, alpha consistent     -> linear-merge (task arithmetic when k > 1)
//   7. cos_fit in the null's range        -> not-a-merge; between the two -> inconclusive
// A quantized suspect (ggml block types) is judged on its fit as far as the quantization allows
// (Evidence::cos = cos_fit / cos_floor, with its range over the noise model's accuracy): a parent
// quantized is a quantized-copy, and the method-shape rules (4, 5 and the mergekit shapes) are
// skipped, since the noise of a block grid hides exact zeros, clipping and curvature alike; a linear
// reading that leaves more than that noise says the method cannot be told (method-hidden).
// Thresholds are in verdict/thresholds.h. Each rule returns true when it decided. The method-shape
// rules (4, 5 and the mergekit shapes) are in verdict/rules_methods.cpp.
#include <algorithm>
#include <cmath>

#include "verdict/rules_parts.h"
#include "verdict/thresholds.h"
#include "verdict/verdict.h"

namespace mp {
namespace verdict {

void add_flag(Verdict& v, const std::string& f) {
  if (std::find(v.flags.begin(), v.flags.end(), f) == v.flags.end()) v.flags.push_back(f);
}

void add_caveat(Verdict& v, CaveatCode c, const char* flag) {
  v.caveat_codes.push_back(c);
  if (flag) add_flag(v, flag);
}

void decided(Verdict& v, VerdictRule rule, const char* kind, const char* method) {
  v.rule = rule;
  v.kind = kind;
  v.method = method;
}

}  // namespace verdict

namespace {

using namespace verdict;

// Caveats shared by every outcome: coverage, unmatched tensors, control.
void common_caveats(Verdict& v) {
  const Evidence& ev = v.evidence;
  // (no usable tensor is the consequence, not a coverage problem, where C is a copy, C equals B or
  // the fit is undefined: the verdict already says why)
  const bool explained = v.rule == VerdictRule::Copy || v.rule == VerdictRule::IdenticalToBase ||
                         v.rule == VerdictRule::DegenerateDelta;
  if (ev.overall.elements < kLowElements || (ev.overall.usable < kLowTensors && !explained))
    add_caveat(v, CaveatCode::LowCoverage, "low-coverage");
  if (ev.unmatched > 0) add_caveat(v, CaveatCode::UnmatchedTensors, "unmatched-tensors");
  if (!ev.overall.has_control) add_caveat(v, CaveatCode::NoControl, "no-control");
  if (ev.quantized && v.rule != VerdictRule::TooLittleData && v.rule != VerdictRule::DegenerateDelta)
    add_caveat(v, CaveatCode::QuantizationFloor, "quantization-floor");
}

// 1. Nothing to decide on.
bool too_little_data(Verdict& v) {
  if (v.evidence.tensors > 0 && v.evidence.overall.elements >= kMinElements) return false;
  decided(v, VerdictRule::TooLittleData, "inconclusive");
  add_flag(v, "low-coverage");
  // e.g. an all-NaN suspect: nothing finite to fit, so alpha is undefined, not 0
  if (v.evidence.overall.elements < kMinElements) v.undefined_reason = "too few finite elements were compared";
  return true;
}

bool identical_to_base(Verdict& v) {
  if (v.evidence.same_base != v.evidence.tensors) return false;
  decided(v, VerdictRule::IdenticalToBase, "not-a-merge");
  v.undefined_reason = "C equals the base";
  return true;
}

// Every tensor equals one parent at its position (or C is that parent rounded to a lower
// precision, reproduced bit for bit): a copy, not a merge. With the base also equal to it, the
// three models are one.
bool copy(Verdict& v) {
  const Evidence& ev = v.evidence;
  int parent = ev.copy_parent;
  // (a passthrough also reproduces bit for bit where it copied A, and leaves other tensors at B)
  if (parent < 0 && ev.reproduced && ev.same_base == 0 && ev.copied == 0) {
    for (int i = 0; i < ev.k; ++i) {
      bool one_hot = std::fabs(ev.alphas[i] - 1) < 0.005;
      for (int j = 0; j < ev.k; ++j) if (j != i) one_hot = one_hot && std::fabs(ev.alphas[j]) < 0.005;
      if (one_hot) parent = i;
    }
  }
  if (parent < 0) return false;
  decided(v, VerdictRule::Copy, "copy");
  v.parent = parent;
  if (ev.equal_base == ev.tensors) {
    add_flag(v, "same-model");
    v.undefined_reason = "C, the parent and the base are the same model";
  } else {
    v.alphas.assign(ev.k, 0);
    v.alphas[parent] = 1;
  }
  return true;
}

// Passthrough: whole tensors copied. `partial`: only some are copies and the rest is not explained
// by a merge either (checked last): copies at other layer indices are only found on tensors read
// whole, so under a small budget a layer stack shows as partial copying.
void passthrough(Verdict& v, bool partial) {
  const Evidence& ev = v.evidence;
  decided(v, partial ? VerdictRule::PartialPassthrough : VerdictRule::Passthrough, "passthrough", "passthrough");
  if (partial) add_caveat(v, CaveatCode::CopiesNeedWholeReads);
  if (ev.copies() < ev.tensors) add_caveat(v, CaveatCode::PartialCopy, "partial-copy");
}

// 2. Whole tensors copied: passthrough. Otherwise a noticeable share of copies is flagged.
bool whole_copies(Verdict& v) {
  const Evidence& ev = v.evidence;
  const double n = double(ev.tensors);
  const uint32_t copies = ev.copies();
  if (copies >= kPassthroughShare * n && ev.same_parent + ev.copied > 0) {
    passthrough(v, false);
    return true;
  }
  if (copies >= 0.2 * n) add_flag(v, "copied-tensors");
  return false;
}

// C is one parent quantized: that parent's alpha ~ 1, the others' ~ 0, and nothing left beyond the
// noise the block scales predict (a fine-tune of it, quantized, leaves more: rule 6 names it).
bool quantized_copy(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (!ev.quantized || !(ev.noise_ratio <= 1 + kNoiseUnderestimate)) return false;
  int parent = -1;
  for (int i = 0; i < ev.k; ++i) {
    bool one_hot = std::fabs(ev.alphas[i] - 1) < kFineTuneAlpha;
    for (int j = 0; j < ev.k; ++j) if (j != i) one_hot = one_hot && std::fabs(ev.alphas[j]) < kFineTuneAlpha;
    if (one_hot) parent = i;
  }
  if (parent < 0) return false;
  decided(v, VerdictRule::QuantizedCopy, "quantized-copy");
  v.parent = parent;
  v.alphas = ev.alphas;
  return true;
}

bool degenerate(Verdict& v) {
  if (!v.evidence.overall.est.degenerate) return false;
  decided(v, VerdictRule::DegenerateDelta, "inconclusive");
  v.undefined_reason = v.evidence.undefined_reason;
  return true;
}

// Zeros read as rounding of small deltas by a linear merge (the case sparse() leaves to it).
bool rounding_zeros(const Evidence& ev) {
  return ev.sparsity.share() >= kSparseShare && !ev.reproduced && ev.bf16 && ev.rounded_cos >= kLinearCos;
}

// Several parents: their deltas from B align, which deltas of fine-tunes of one base do not. The
// assignment with a parent as the base that makes them as independent as fine-tunes' is named.
void wrong_base(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (v.wrong_base.flagged) {
    add_caveat(v, CaveatCode::WrongBase, "wrong-base");
    return;
  }
  // (copies and undefined fits have no parents' deltas to compare: two equal parents align fully)
  switch (v.rule) {
    case VerdictRule::TooLittleData: case VerdictRule::IdenticalToBase: case VerdictRule::DegenerateDelta:
    case VerdictRule::Copy: case VerdictRule::Passthrough: return;
    default: break;
  }
  if (ev.k < 2 || !(ev.given_roles.parent_cos > kWrongBaseParentCos)) return;
  WrongBase& w = v.wrong_base;
  w.flagged = true;
  w.signal = "aligned-deltas";
  w.given_parent_cos = ev.given_roles.parent_cos;
  for (const RoleFit& r : ev.role_fits)
    if (r.parent_cos <= kWrongBaseParentCos && (w.base < 0 || r.parent_cos < w.fit.parent_cos)) {
      w.base = r.base;
      w.fit = r;
    }
  add_caveat(v, CaveatCode::WrongBase, "wrong-base");
}

// The linear sentence's form: per-component or per-layer weights, task arithmetic, one parent.
void linear_form(Verdict& v, int active) {
  const Evidence& ev = v.evidence;
  const int k = ev.k;
  int only = 0;
  for (int i = 0; i < k; ++i) if (std::fabs(ev.alphas[i]) > std::fabs(ev.alphas[only])) only = i;
  // The (layer, component) groups split each component: where the weights change over the layers
  // within a component and those groups fit better than whole components, the component weights
  // are averages over layers that no tensor was merged with (mk-pg-linear-bf16mk-k2-layers:
  // components fit at 0.87, layers at 1.00). Weights that differ by component only fit as well
  // per component, and are quoted so (mk-pg-ta-f32-k2-components).
  const bool layered = ev.layer_max - ev.layer_min > 0.1 && ev.layer_groups_fit;
  if (layered && (!ev.comp_groups_fit || ev.layer_cos_min > ev.comp_cos_min)) {
    v.rule = VerdictRule::LinearPerLayer;
    v.groups = ev.layer_fits;  // quoted per (layer, component): the pooled weights are no layer's
  } else if (ev.comp_spread > 0.05 && ev.comp_groups_fit) {
    v.rule = VerdictRule::LinearPerComponent;
    v.groups = ev.components;
  } else if (layered) {
    v.rule = VerdictRule::LinearPerLayer;
    v.groups = ev.layer_fits;
  } else if (active >= 2) {
    v.rule = VerdictRule::TaskArithmetic;
  } else if (active == 1 && std::fabs(ev.alphas[only] - 1) < kFineTuneAlpha && !ev.reproduced) {
    // C = A + a residual no other parent explains: further training of A, not a merge.
    v.rule = VerdictRule::FineTune;
    v.kind = "fine-tune";
    v.method = "";
    v.parent = only;
  } else if (ev.alphas[only] >= 0 && ev.alphas[only] <= 1) {
    v.rule = VerdictRule::LinearOneParent;  // the others' weights are ~0: name the one
    v.parent = only;
  } else {
    v.rule = VerdictRule::LinearCombination;
  }
}

}  // namespace

bool verdict::lerp_measured(const Evidence& ev) {
  return ev.lerp_offset_z >= kSlerpMinZ && std::fabs(ev.lerp_offset_slope) <= kSlerpSlopeTolerance;
}

bool verdict::linear_fit_holds(const Evidence& ev) {
  const bool beats_control = !ev.overall.has_control || ev.fit_cos - ev.ctrl_cos >= kControlMargin;
  // A quantized suspect's fit must hold where the noise model errs against it (cos_lo); a rounded
  // one is judged against its rounding floor.
  const double cos = ev.quantized ? ev.cos_lo : ev.rounded_cos;
  return (cos >= kLinearCos || ev.reproduced || ev.per_group) && ev.consistent && beats_control;
}

namespace {

// What weakens a linear verdict, in the order the caveats are listed.
void linear_caveats(Verdict& v) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  if (ev.per_group) add_flag(v, "per-group-fit");
  // Under per-layer weights the component spread is a consequence of the layer weights.
  if (ev.comp_spread > 0.05 && v.rule != VerdictRule::LinearPerLayer)
    add_caveat(v, CaveatCode::PerComponentAlpha, "per-component-alpha");
  if (ev.layer_max > ev.layer_min && ev.layer_max - ev.layer_min > 0.1)
    add_caveat(v, CaveatCode::PerLayerAlpha, "per-layer-alpha");
  if (o.outliers > 0) add_caveat(v, CaveatCode::Outliers, "outliers");
  // Quantized, and the fit leaves more than the noise a perfect quantized merge leaves (at most
  // 1.023x on the gguf set): something besides a linear merge shaped C, and the method-shape rules
  // cannot look (they are skipped for quantized suspects). A TIES merge (density 0.5, one parent)
  // quantized to Q8_0 reads linear at 0.933 with 7.9x the noise; at Q4_K, 1.08x.
  const bool hidden = ev.quantized && ev.noise_ratio > 1 + kNoiseUnderestimate && v.rule != VerdictRule::FineTune;
  if (hidden) add_caveat(v, CaveatCode::MethodHidden, "method-hidden");
  if (!hidden && ev.fit_cos < 0.99 && !ev.reproduced && !(ev.comp_groups_fit && ev.comp_cos_min >= 0.99) &&
      !(ev.layer_groups_fit && ev.layer_cos_min >= 0.99))
    add_caveat(v, CaveatCode::Residual, "residual");
  if (ev.bf16) add_caveat(v, CaveatCode::RoundingFloor, "rounding-floor");
  if (rounding_zeros(ev)) add_caveat(v, CaveatCode::RoundingZeros, "rounding-zeros");
  // (a fine-tune has alpha ~1 by definition: "C is essentially A, re-saved" would contradict it)
  if (ev.k == 1 && ev.alphas[0] > 0.98 && ev.alphas[0] < 1.02 && v.rule != VerdictRule::FineTune)
    add_caveat(v, CaveatCode::AlphaNear1, "alpha-near-1");
  // Rounded suspect, equal weights: karcher's prediction (no free parameter) is within the rounding
  // floor's residual of the free fit. Between two models karcher is their spherical midpoint, whose
  // curvature (0.04% of ||D||^2 on the real deltas, mk-karcher-f32-k2) is below bf16's rounding
  // noise: the two readings cannot be told apart, so both are named.
  if (ev.bf16 && ev.k >= 2 && ev.karcher_cos >= kKarcherCos && std::fabs(ev.karcher_scale - 1) <= kKarcherScale &&
      ev.cos - ev.karcher_cos <= 1 - o.est.rounding_floor)
    add_caveat(v, CaveatCode::KarcherEquivalent, "karcher-equivalent");
  // One parent, and the tensors' p + q - 1 do not read as lerp (too little curvature to measure, or
  // rounding bias larger than it): slerp at t = alpha would read the same.
  if (ev.k == 1 && ev.slerp_tensors > 0 && v.rule != VerdictRule::FineTune && v.rule != VerdictRule::LinearCombination &&
      !ev.quantized && !lerp_measured(ev))
    add_caveat(v, CaveatCode::SlerpEquivalent, "slerp-equivalent");
  if (o.has_control && ev.ctrl_cos > kNullCos) add_caveat(v, CaveatCode::ControlHigh, "control-high");
  if (o.est.rel_delta_c > 0.5) add_caveat(v, CaveatCode::FarFromBase, "far-from-base");
}

// 6. Linear merge / task arithmetic: a good fit (pooled, per group, or bit-exact), a consistent
// alpha, and better than the control.
bool linear(Verdict& v) {
  const Evidence& ev = v.evidence;
  if (!linear_fit_holds(ev)) return false;
  int active = 0;
  for (int i = 0; i < ev.k; ++i) if (std::fabs(ev.alphas[i]) >= 0.02) ++active;
  decided(v, VerdictRule::LinearOneParent, "linear-merge", active >= 2 ? "task_arithmetic" : "linear");
  v.alphas = ev.alphas;
  linear_form(v, active);
  linear_caveats(v);
  return true;
}

// 7. Not a merge, or in between (after a last look at partial copying).
void not_a_merge_or_between(Verdict& v) {
  const Evidence& ev = v.evidence;
  const GroupResult& o = ev.overall;
  if (ev.same_parent + ev.copied >= kPartialPassthroughShare * double(ev.tensors)) {
    passthrough(v, true);
    return;
  }
  v.alphas = ev.alphas;
  if (o.has_control && (ev.fit_cos >= kLinearCos || ev.reproduced) && ev.fit_cos - ev.ctrl_cos < kControlMargin) {
    // The parents explain the control as well as the suspect: the fit cannot tell them apart.
    decided(v, VerdictRule::ControlFitsAsWell, "inconclusive");
    add_caveat(v, CaveatCode::ControlFits, "control-fits");
    return;
  }
  // A quantized suspect is "no merge" only where the noise model errs in its favour too (cos_hi).
  const double cos = ev.quantized ? ev.cos_hi : ev.rounded_cos;
  const bool null_like = cos < kNullCos || (o.has_control && cos - ev.ctrl_cos < kControlMargin);
  if (null_like) {
    decided(v, VerdictRule::NotAMerge, "not-a-merge");
    if (o.est.rel_delta_c > 0.5 || o.est.cos_cb < 0.9) add_flag(v, "far-from-base");  // B is not C's base
    if (o.has_control && cos >= kNullCos) add_caveat(v, CaveatCode::NearControl, "near-control");
  } else {
    decided(v, VerdictRule::PartlyExplained, "inconclusive");
    add_caveat(v, CaveatCode::OtherOrigins, "mixed-evidence");
  }
}


bool first_rule(Verdict& v) {
  if (too_little_data(v) || copy(v) || identical_to_base(v) || whole_copies(v) || degenerate(v)) return true;
  if (v.evidence.quantized) return quantized_copy(v) || linear(v);
  return method_shape(v) || linear(v);
}

}  // namespace

Verdict decide_rules(const MatchResult& match, const std::vector<TensorResult>& tensors,
                     const Aggregates& agg, int k) {
  Verdict v;
  v.evidence = verdict::gather(match, tensors, agg, k);
  if (!first_rule(v)) not_a_merge_or_between(v);
  wrong_base(v);
  common_caveats(v);
  return v;
}

Verdict decide(const MatchResult& match, const std::vector<TensorResult>& tensors,
               const Aggregates& agg, int k) {
  Verdict v = decide_rules(match, tensors, agg, k);
  render(v);
  return v;
}

}  // namespace mp
