// SLERP's curvature, tensor by tensor (Evidence::slerp_slope / slerp_z / slerp_explained), and its
// t per group. Between fine-tunes of one base the raw weights are 2-6 degrees apart: there slerp
// and lerp differ by p + q - 1 ~ 1e-4..1e-3 per tensor, which the pooled lerp fit (cos_fit 0.9997+)
// cannot show but each tensor's plane fit measures to a standard error of ~1e-5 (F32: exactly).
// The test asks whether those excesses follow slerp's prediction for each tensor's own angle.
#include <algorithm>
#include <cmath>

#include "verdict/evidence_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {

namespace {

// mergekit's slerp (slerp.py) interpolates the raw tensors linearly when |cos(A, B)| exceeds this.
constexpr double kMergekitSlerpDot = 0.9995;

// The excess s0 + s1 - 1 mergekit's slerp at t leaves for a tensor whose A and B have cosine c.
double slerp_excess_at(double t, double c) {
  if (std::fabs(c) > kMergekitSlerpDot) return 0;
  const double th = std::acos(std::clamp(c, -1.0, 1.0));
  return (std::sin((1 - t) * th) + std::sin(t * th)) / std::sin(th) - 1;
}

// The plane fit's t in a group (its pooled p and A-B cosine); NaN when the group has no fit.
double group_t(const GroupResult& g) {
  if (g.usable == 0 || g.est.degenerate || g.elements < kComponentMinElements) return NAN;
  return std::fabs(g.est.cos_ab[0]) > kMergekitSlerpDot ? g.est.plane_p[0] : slerp_t_from(g.est.plane_p[0], g.est.cos_ab[0]);
}

void gather_slerp_groups(Evidence& ev, const Aggregates& agg) {
  const auto add = [&](const GroupResult& g) {
    const double t = group_t(g);
    if (!std::isfinite(t)) return;
    ev.slerp_groups.push_back({g.component, {g.est.alpha[0]}, g.est.cos_fit, g.layer, {}, t});
  };
  for_each_finest_group(agg, add);
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& g : ev.slerp_groups) {
    lo = std::min(lo, g.t);
    hi = std::max(hi, g.t);
  }
  if (hi >= lo) ev.slerp_group_spread = hi - lo;
}

}  // namespace

void gather_slerp(Evidence& ev, const std::vector<TensorResult>& tensors, const Aggregates& agg) {
  if (ev.k != 1) return;
  // Weighted sums (weights 1 / s^2): the line x = slope e through the origin, and x = slope e +
  // offset, whose offset common to every tensor is not curvature but the rounding of mergekit's
  // normalising sum in a low-precision merge (linear.py divides by the weights' sum in the tensors'
  // dtype: weights 0.51 and 0.65 are 0.5117 and 0.6484 in bf16, whose sum 1.1602 rounds to
  // 1.1562, so every tensor's p + q - 1 is 0.0034, more than slerp leaves at the real fine-tunes'
  // 2-6 degrees; sweep7 010 and 052, one-parent linear bf16 merges, read slerp).
  double sw = 0, se = 0, sx = 0, see = 0, sxe = 0, sxx = 0;
  for (const auto& t : tensors) {
    // (rounding-dominated tensors, a few ulps of delta, carry rounding's bias in x, not curvature)
    if (t.identical_to_base || t.identical_to_parent >= 0 || t.est.degenerate || t.rounding_dominated || t.outlier)
      continue;
    const Moments& m = t.m;  // Gram over [D, d, B]
    const double dd = m.g(1, 1), dB = m.g(1, 2), BB = m.g(2, 2);
    const double det = dd * BB - dB * dB;
    if (!(det > 0) || m.n <= 2) continue;
    // D = a d + b B: x = p + q - 1 = b; its variance s^2 (G^-1)_bb with (G^-1)_bb = dd / det
    const double a = (m.g(0, 1) * BB - m.g(0, 2) * dB) / det, b = (m.g(0, 2) * dd - m.g(0, 1) * dB) / det;
    const double rss = std::max(0.0, m.g(0, 0) - a * m.g(0, 1) - b * m.g(0, 2));
    const double var = rss / double(m.n - 2) * dd / det;
    if (!(var > 0)) continue;  // an exact plane (C computed in higher precision than stored is not)
    const double c = t.est.cos_ab[0];
    const double tt = std::fabs(c) > kMergekitSlerpDot ? a : slerp_t_from(a, c);
    const double e = slerp_excess_at(tt, c);
    sw += 1 / var;
    se += e / var;
    sx += b / var;
    see += e * e / var;
    sxe += b * e / var;
    sxx += b * b / var;
    ++ev.slerp_tensors;
  }
  if (see > 0 && sxx > 0) {
    ev.slerp_slope = sxe / see;
    ev.slerp_z = std::sqrt(see);
    ev.slerp_explained = sxe * sxe / (see * sxx);
  }
  // centred on the weighted means: the slope then reads only how x follows each tensor's own
  // angle (bf16 arithmetic scatters a slerp's x around that line more than around the first:
  // explained 0.36 for 0.81 on the per-layer t case, so slerp is read on the first)
  const double cee = sw > 0 ? see - se * se / sw : 0, cxe = sw > 0 ? sxe - se * sx / sw : 0;
  if (cee > 0) {
    ev.lerp_offset_slope = cxe / cee;
    ev.lerp_offset_z = std::sqrt(cee);
  }
  gather_slerp_groups(ev, agg);
}

}  // namespace mp::verdict
