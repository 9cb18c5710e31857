// The verdict's evidence, measured once: copies, the pooled fit and its rounding, sparsity, the
// consistency of alpha over components and layers, SLERP's plane fit.
// Sparsity is evidence_sparsity.cpp, the method shapes evidence_methods.cpp (evidence_parts.h).
#include "verdict/evidence.h"

#include <algorithm>
#include <cmath>

#include "stats/method_signals.h"
#include "stats/precision.h"
#include "stats/quant_floor.h"
#include "verdict/evidence_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {

// Solves a x = b (n <= kMaxParents + 1) by Gaussian elimination with partial pivoting; false when
// singular.
bool solve(int n, double a[kMaxParents + 1][kMaxParents + 2], double* x) {
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (std::fabs(a[piv][c]) < 1e-300) return false;
    for (int j = 0; j <= n; ++j) std::swap(a[c][j], a[piv][j]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      double f = a[r][c] / a[c][c];
      for (int j = c; j <= n; ++j) a[r][j] -= f * a[c][j];
    }
  }
  for (int i = 0; i < n; ++i) x[i] = a[i][n] / a[i][i];
  return true;
}

namespace {

// Least squares of D on [d_1..d_k, B] from the pooled Gram matrix (order D, d_1..d_k, B): the
// plane fit's share of ||D||^2 explained.
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

std::string name_of(const MatchResult& match, const TensorResult& t) {
  if (t.tensor < match.tensors.size() && !match.tensors[t.tensor].name.empty())
    return std::string(match.tensors[t.tensor].name);
  return "?";
}

bool enters_checks(const GroupResult& g) {
  return g.usable > 0 && g.elements >= kComponentMinElements && !g.est.degenerate;
}

void gather_copies(Evidence& ev, const MatchResult& match, const std::vector<TensorResult>& tensors) {
  int parent = tensors.empty() ? -1 : tensors[0].identical_to_parent;
  for (const auto& t : tensors) {
    if (t.identical_to_parent != parent) parent = -1;
    ev.equal_base += t.identical_to_base;
    if (t.identical_to_parent >= 0) ++ev.same_parent;
    else if (t.identical_to_base) ++ev.same_base;
    else if (!t.copied_from.empty()) ++ev.copied;
    if (!t.copied_from.empty() && ev.copy_examples.size() < 2)
      ev.copy_examples.push_back(name_of(match, t) + " = " + t.copied_from);
    if (t.outlier && ev.outlier_names.size() < 3) ev.outlier_names.push_back(name_of(match, t));
  }
  ev.copy_parent = parent;
}

// alpha is undefined when nothing finite was compared, a parent's delta is zero or two parents'
// deltas are the same.
std::string undefined_reason_of(const Moments& m, int k) {
  // An all-NaN suspect leaves nothing finite to fit: its empty Gram would read as "parent = base".
  if (m.n == 0 && m.nonfinite > 0) return "no sampled element is finite (not NaN or Inf) in every model";
  for (int i = 0; i < k; ++i)
    if (m.g(1 + i, 1 + i) <= 0) return k == 1 ? "the parent equals the base" : "A" + std::to_string(i + 1) + " equals the base";
  for (int i = 0; i < k; ++i)
    for (int j = i + 1; j < k; ++j) {
      const double det = m.g(1 + i, 1 + i) * m.g(1 + j, 1 + j) - m.g(1 + i, 1 + j) * m.g(1 + i, 1 + j);
      if (det <= 1e-12 * m.g(1 + i, 1 + i) * m.g(1 + j, 1 + j))
        return "A" + std::to_string(i + 1) + " and A" + std::to_string(j + 1) + " are the same model";
    }
  return "the parents' deltas are degenerate";
}

// The fit as far as the suspect's quantization allows (1 for a perfect quantized merge).
double floor_fit(const GroupResult& g) {
  if (!g.qf.quantized || !(g.qf.cos_floor > 0)) return g.est.cos_fit;
  return std::min(1.0, g.est.cos_fit / g.qf.cos_floor);
}

// The fit as far as C's rounding allows (Evidence::rounded_cos); floor_fit when not rounded.
double rounded_fit(const GroupResult& g) {
  const double f = g.est.rounding_floor;
  if (g.qf.quantized || !(f < kLossyFloor)) return floor_fit(g);
  // floor^2 = 1 - noise / ||D||^2: the noise a share x smaller raises floor^2 by x (1 - floor^2)
  const double den = std::sqrt(f * f + kRoundingNoiseOverestimate * (1 - f * f));
  return std::min(1.0, g.est.cos_fit / den);
}

void gather_fit(Evidence& ev, const GroupResult& o) {
  const Estimates& e = o.est;
  ev.raw_cos = e.cos_fit;
  ev.cos = floor_fit(o);
  ev.rounded_cos = rounded_fit(o);
  ev.cos_lo = ev.cos_hi = ev.cos;
  if (o.qf.quantized) {
    ev.quantized = true;
    ev.cos_floor = o.qf.cos_floor;
    ev.noise_ratio = noise_ratio(e.cos_fit, o.qf);
    // floor^2 = 1 - noise / ||D||^2: noise off by a share x moves it by x (1 - floor^2).
    const double f2 = o.qf.cos_floor * o.qf.cos_floor;
    const double lo2 = f2 + kNoiseOverestimate * (1 - f2), hi2 = f2 - kNoiseUnderestimate * (1 - f2);
    ev.cos_lo = std::min(1.0, e.cos_fit / std::sqrt(lo2));
    ev.cos_hi = hi2 > 0 ? std::min(1.0, e.cos_fit / std::sqrt(hi2)) : 1.0;
  }
  ev.ctrl_cos = o.has_control ? o.control_est.cos_fit : 0;
  // Rounding is visible (BF16/F16 suspect): the estimators' floor says so; bx.applicable alone is
  // also set for F32 suspects.
  ev.bf16 = e.rounding_floor < kLossyFloor;
  ev.bx_fp32 = o.bx.n ? double(o.bx.match_fp32) / double(o.bx.n) : 0;
  ev.bx_bf16 = o.bx.n ? double(o.bx.match_bf16) / double(o.bx.n) : 0;
  // The bit-exact test recomputes float merges, not ggml's quantizers: for a quantized suspect it
  // covers only the F32 vectors a GGUF keeps unquantized, and says nothing of the rest.
  ev.reproduced = !o.qf.quantized && o.bx.n > 0 && std::max(ev.bx_fp32, ev.bx_bf16) >= kBitExact;
  // Rounding-robust alpha (elements with |d| >= 4 ulps), the estimate quoted for rounded suspects.
  ev.alphas.assign(e.alpha, e.alpha + ev.k);
  if (ev.k == 1 && ev.bf16 && o.x.p[0].robust_n >= kMinElements && o.x.p[0].robust_dd > 0) {
    ev.alphas[0] = o.x.p[0].robust_Dd / o.x.p[0].robust_dd;
    ev.robust_alpha = true;
    ev.robust_n = o.x.p[0].robust_n;
  }
}

void gather_consistency(Evidence& ev, const Aggregates& agg) {
  const GroupResult& o = agg.overall;
  uint64_t failing_elements = 0, comp_elements = 0;
  double lo[kMaxParents], hi[kMaxParents];
  std::fill(lo, lo + kMaxParents, 1e300);
  std::fill(hi, hi + kMaxParents, -1e300);
  // Components too small for the checks still must not pass unchecked under a group verdict.
  bool unchecked = false;
  for (const auto& c : agg.components) {
    if (!enters_checks(c)) {
      unchecked = unchecked || (c.usable > 0 && !c.est.degenerate);
      continue;
    }
    comp_elements += c.elements;
    ev.comp_min = std::min(ev.comp_min, c.est.alpha[0]);
    ev.comp_max = std::max(ev.comp_max, c.est.alpha[0]);
    for (int i = 0; i < ev.k; ++i) {
      lo[i] = std::min(lo[i], c.est.alpha[i]);
      hi[i] = std::max(hi[i], c.est.alpha[i]);
    }
    ev.comp_cos_min = std::min(ev.comp_cos_min, rounded_fit(c));
    ev.components.push_back({c.component, std::vector<double>(c.est.alpha, c.est.alpha + ev.k), c.est.cos_fit, -1, {}});
    if (rounded_fit(c) < kNullCos) {
      failing_elements += c.elements;
      ev.failing.push_back(c.component);
    }
  }
  ev.comp_spread = 0;
  for (int i = 0; i < ev.k; ++i) if (hi[i] >= lo[i]) ev.comp_spread = std::max(ev.comp_spread, hi[i] - lo[i]);
  // Outliers are not in usable (they are kept out of the pooled fit): share of the tensors with an alpha.
  ev.outlier_share = o.usable + o.outliers ? double(o.outliers) / double(o.usable + o.outliers) : 0;
  ev.failing_share = comp_elements ? double(failing_elements) / double(comp_elements) : 0;
  // Layer alphas are compared within a component, so per-component weights do not read as a
  // layer gradient: layer_min/max are those of the component where they differ most.
  // Tensors without a layer (embeddings, lm_head, final norm) are checked by their component's
  // group when the layer grouping vouches for the rest: every tensor is in a checked group.
  double unlayered_cos = 1e300;
  for (const auto& c : agg.components) {
    double lo1[kMaxParents], hi1[kMaxParents];
    std::fill(lo1, lo1 + kMaxParents, 1e300);
    std::fill(hi1, hi1 + kMaxParents, -1e300);
    bool any_layer = false;
    for (const auto& l : agg.layers) {
      if (l.component != c.component) continue;
      any_layer = true;
      if (l.usable == 0 || l.est.degenerate || l.elements < kComponentMinElements) continue;
      for (int i = 0; i < ev.k; ++i) {
        lo1[i] = std::min(lo1[i], l.est.alpha[i]);
        hi1[i] = std::max(hi1[i], l.est.alpha[i]);
      }
      ev.layer_cos_min = std::min(ev.layer_cos_min, rounded_fit(l));
      ev.layer_fits.push_back({l.component, std::vector<double>(l.est.alpha, l.est.alpha + ev.k), l.est.cos_fit, l.layer, {}});
    }
    if (!any_layer && c.usable > 0 && !c.est.degenerate) unlayered_cos = std::min(unlayered_cos, rounded_fit(c));
    for (int i = 0; i < ev.k; ++i)
      if (hi1[i] >= lo1[i] && (ev.layer_max < ev.layer_min || hi1[i] - lo1[i] > ev.layer_max - ev.layer_min)) {
        ev.layer_min = lo1[i];
        ev.layer_max = hi1[i];
      }
  }
  if (ev.layer_cos_min < 1e300) ev.layer_cos_min = std::min(ev.layer_cos_min, unlayered_cos);
  // The worst cos_fit over component groups and over (layer, component) groups. mergekit gives
  // components (filters) or layers (weight lists) their own alpha: then the pooled fit is lower
  // than every group's, and the groups are the evidence.
  ev.group_cos = std::max(ev.comp_cos_min < 1e300 ? ev.comp_cos_min : 0, ev.layer_cos_min < 1e300 ? ev.layer_cos_min : 0);
  ev.comp_groups_fit = !unchecked && ev.comp_cos_min < 1e300 && ev.comp_cos_min >= kLinearCos;
  ev.layer_groups_fit = !unchecked && ev.layer_cos_min < 1e300 && ev.layer_cos_min >= kLinearCos;
  ev.per_group = (ev.comp_groups_fit || ev.layer_groups_fit) && ev.group_cos >= kLinearCos && ev.rounded_cos < kLinearCos;
  ev.fit_cos = ev.per_group ? ev.group_cos : ev.cos;
  ev.consistent = ev.outlier_share <= kMaxOutlierShare && ev.failing_share <= kMaxFailingShare;
}

void gather_plane(Evidence& ev, const GroupResult& o) {
  if (ev.k != 1 || ev.raw_cos < kNullCos) return;
  const double r2_lerp = ev.raw_cos * ev.raw_cos;
  ev.r2_plane = plane_r2(o.pooled);
  ev.slerp_excess = o.est.plane_p[0] + o.est.plane_q - 1;
  ev.slerp_drop = r2_lerp < 1 ? (ev.r2_plane - r2_lerp) / (1 - r2_lerp) : 0;
}

}  // namespace

Evidence gather(const MatchResult& match, const std::vector<TensorResult>& tensors, const Aggregates& agg, int k) {
  Evidence ev;
  ev.k = std::clamp(k, 1, kMaxParents);
  ev.overall = agg.overall;
  ev.tensors = static_cast<uint32_t>(tensors.size());
  ev.unmatched = match.unmatched.size();
  gather_copies(ev, match, tensors);
  if (agg.overall.est.degenerate) ev.undefined_reason = undefined_reason_of(agg.overall.pooled, ev.k);
  gather_fit(ev, agg.overall);
  // (a floor below kLossyFloor is a rounded dtype's; runs built without the dtype rely on that)
  ev.rounded_dtype = ev.bf16 || precision_of(agg.suspect_dtype).mantissa_bits < precision_of(Dtype::F32).mantissa_bits;
  gather_sparsity(ev, tensors);
  gather_sparse_groups(ev, match, tensors, agg);
  gather_consistency(ev, agg);
  gather_plane(ev, agg.overall);
  gather_slerp(ev, tensors, agg);
  gather_nearswap(ev, tensors);
  gather_model_stock(ev, tensors);
  gather_nuslerp(ev, tensors);
  gather_multislerp(ev, tensors);
  gather_karcher(ev, tensors);
  gather_roles(ev, agg.overall);
  return ev;
}

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

}  // namespace mp::verdict
