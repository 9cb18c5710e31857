// A rounded suspect's kept shares with rounding's ties shared out by the masks' own keep rates
// (subset_fit_parts.h, soft_kept).
#include <algorithm>
#include <cmath>
#include <vector>

#include "stats/precision.h"
#include "stats/subset_fit_parts.h"

namespace mp::subset {

namespace {

// Rounding C moves it up to half an ulp from B + sum_S a_S,i d_i; beyond that a set's likelihood
// falls off over a quarter ulp plus a share of its prediction (the set coefficients are refitted
// estimates: 0.5% of a 100-ulp prediction is half an ulp).
constexpr double kBoxUlps = 0.5, kEdgeUlps = 0.25, kEdgeShare = 0.005;
// A set this much less likely than the best counts for nothing: the element is decided where one
// set alone is left, whatever the keep rates (four rates of 0.01 put 1e8 between two priors).
constexpr double kNegligible = 1e-12;
constexpr int kEmRounds = 40;  // the keep rates settle within 1e-7 in 14-31 rounds (bench, k = 4-2)
constexpr double kEmSettled = 1e-7;

struct Ambiguous {
  int nz;                                    // parents with d_i != 0
  float abs_d[kMaxParents];                  // |d_i|
  float like[1 << kMaxParents];              // each subset S of nz: its likelihood (0 otherwise)
  float q[kMaxParents];                      // |d_i|'s rank among the sample's |d_i|, 0..1
};

}  // namespace

SoftKept soft_kept(const Sample& s, const double coef[][kMaxParents], Dtype dtype, const std::vector<uint8_t>& one_sign,
                   const double* slope) {
  SoftKept out;
  const int k = s.k;
  // Each parent's |d_i| over the sample (an even stride; zeros too, as della_magprune ranks a row's
  // every element), sorted: an element's rank q there stands for its rank in its row. Where the
  // keep probability rises with q (DELLA), the nonzero deltas' mean rank is (1 + z) / 2 for a share
  // z of zeros, so their mean keep share overstates the rate at the middle rank by slope z / 2.
  std::vector<float> mag[kMaxParents];
  double shift[kMaxParents] = {};
  for (int i = 0; i < k; ++i) {
    if (!(slope[i] != 0)) continue;
    const size_t step = std::max<size_t>(1, s.n / kSortedMaxElements);
    for (size_t e = 0; e < s.n; e += step) if (finite_at(s, e)) mag[i].push_back(std::fabs(s.a[i][e] - s.b[e]));
    std::sort(mag[i].begin(), mag[i].end());
    if (mag[i].size() < 2) continue;
    const double z = double(std::upper_bound(mag[i].begin(), mag[i].end(), 0.0f) - mag[i].begin()) / double(mag[i].size());
    shift[i] = slope[i] * z / 2;
  }
  // the kept counts as the rate at the middle rank times the elements (the posterior counts where
  // the slope is 0)
  const auto at_middle = [&] {
    for (int i = 0; i < k; ++i) if (out.elig[i] > 0) out.kept[i] = std::max(0.0, out.kept[i] - shift[i] * out.elig[i]);
  };
  // Decided elements add their set's counts once; the ambiguous ones (an even stride of them, at
  // most kSortedMaxElements) are kept for the rounds below, each standing for `scale` elements.
  const auto add_hard = [&](const double* d, int nz, int S) {
    for (int i = 0; i < k; ++i) {
      if (!(nz >> i & 1)) continue;
      out.elig[i] += 1;
      out.l1_all[i] += std::fabs(d[i]);
      if (S >> i & 1) {
        out.kept[i] += 1;
        out.l1_kept[i] += std::fabs(d[i]);
      }
    }
  };
  // Each subset of nz's likelihood into like (0 beyond kNegligible of the best); the number of
  // sets left, and the best.
  const auto likelihoods = [&](size_t e, const double* d, int nz, float* like, int& best_set) {
    const double D = double(s.c[e]) - s.b[e];
    const double u = ulp_of(dtype, std::max(std::fabs(double(s.b[e])), std::fabs(double(s.c[e]))));
    const double far = -2 * std::log(kNegligible);  // (over / edge)^2 beyond which l < kNegligible
    int alive = 0;
    for (int S = 0; S < (1 << k); ++S) {
      like[S] = 0;
      if ((S & nz) != S) continue;
      double pred = 0;
      for (int i = 0; i < k; ++i) if (S >> i & 1) pred += coef[S][i] * d[i];
      const double over = std::max(0.0, std::fabs(D - pred) - kBoxUlps * u);
      const double edge = kEdgeUlps * u + kEdgeShare * std::fabs(pred);
      const double t = (over / edge) * (over / edge);
      if (t >= far) continue;
      like[S] = static_cast<float>(std::exp(-0.5 * t));
    }
    float best = 0;
    best_set = 0;
    for (int S = 0; S < (1 << k); ++S) if (like[S] > best) { best = like[S]; best_set = S; }
    for (int S = 0; S < (1 << k); ++S) {
      if (like[S] < float(kNegligible) * best) like[S] = 0;
      alive += like[S] > 0;
    }
    return alive;
  };
  std::vector<uint32_t> amb_at;  // the ambiguous elements
  for (size_t e = 0; e < s.n; ++e) {
    if (!finite_at(s, e) || !one_sign[e]) continue;
    double d[kMaxParents];
    const int nz = deltas_at(s, e, d);
    if (!nz) continue;
    float like[1 << kMaxParents];
    int best_set = 0;
    if (likelihoods(e, d, nz, like, best_set) <= 1) add_hard(d, nz, best_set);
    else amb_at.push_back(static_cast<uint32_t>(e));
  }
  if (amb_at.empty()) {
    at_middle();
    return out;
  }
  const uint64_t n_amb = amb_at.size();
  thin(amb_at);
  std::vector<Ambiguous> amb;
  for (const uint32_t e : amb_at) {
    Ambiguous a{};
    double d[kMaxParents];
    a.nz = deltas_at(s, e, d);
    int best_set = 0;
    likelihoods(e, d, a.nz, a.like, best_set);
    for (int i = 0; i < k; ++i) a.abs_d[i] = static_cast<float>(std::fabs(d[i]));
    amb.push_back(a);
  }
  for (auto& a : amb)
    for (int i = 0; i < k; ++i) {
      if (mag[i].size() < 2) continue;
      const auto lo = std::lower_bound(mag[i].begin(), mag[i].end(), a.abs_d[i]);
      const auto hi = std::upper_bound(lo, mag[i].end(), a.abs_d[i]);
      a.q[i] = static_cast<float>(0.5 * double((lo - mag[i].begin()) + (hi - mag[i].begin())) / double(mag[i].size()));
    }
  const double scale = double(n_amb) / double(amb.size());
  // Keep rates at the middle rank: each parent's mask keeps independently (no sign election on
  // same-sign elements), with probability p_i = rho_i + slope_i (q_i - 1/2), so a set's prior is
  // prod_i p_i or (1 - p_i). Started from the decided elements' shares.
  double rho[kMaxParents];
  for (int i = 0; i < k; ++i) rho[i] = out.elig[i] > 0 ? std::clamp(out.kept[i] / out.elig[i], 0.01, 0.99) : 0.5;
  double amb_elig[kMaxParents] = {}, amb_l1[kMaxParents] = {};
  for (const auto& a : amb)
    for (int i = 0; i < k; ++i)
      if (a.nz >> i & 1) {
        amb_elig[i] += scale;
        amb_l1[i] += scale * a.abs_d[i];
      }
  double kept[kMaxParents] = {}, l1_kept[kMaxParents] = {};
  for (int round = 0; round < kEmRounds; ++round) {
    std::fill(kept, kept + k, 0.0);
    std::fill(l1_kept, l1_kept + k, 0.0);
    for (const auto& a : amb) {
      // the set's prior: DELLA keeps with probability (rho - eps) + 2 eps q, slope = 2 eps (0: DARE)
      float pr[1 << kMaxParents], odds[kMaxParents];
      pr[0] = 1;
      for (int i = 0; i < k; ++i) {
        if (!(a.nz >> i & 1)) continue;
        const float p = static_cast<float>(std::clamp(rho[i] + slope[i] * (double(a.q[i]) - 0.5), 1e-4, 1 - 1e-4));
        pr[0] *= 1 - p;
        odds[i] = p / (1 - p);
      }
      for (int S = 1; S < (1 << k); ++S) {
        const int j = __builtin_ctz(unsigned(S));
        pr[S] = (S & a.nz) == S ? pr[S & (S - 1)] * odds[j] : 0.0f;
      }
      float z = 0, in[kMaxParents] = {};  // the posterior mass, and the part keeping parent i
      for (int S = 0; S < (1 << k); ++S) {
        const float p = a.like[S] * pr[S];
        z += p;
        for (int i = 0; i < k; ++i) in[i] += S >> i & 1 ? p : 0.0f;
      }
      if (!(z > 0)) continue;
      const double w = scale / z;
      for (int i = 0; i < k; ++i) {
        kept[i] += w * in[i];
        l1_kept[i] += w * in[i] * a.abs_d[i];
      }
    }
    double moved = 0;
    for (int i = 0; i < k; ++i) {
      const double n = out.elig[i] + amb_elig[i];
      const double next = n > 0 ? std::clamp((out.kept[i] + kept[i]) / n - shift[i], 1e-6, 1 - 1e-6) : 0.5;
      moved = std::max(moved, std::fabs(next - rho[i]));
      rho[i] = next;
    }
    if (moved < kEmSettled) break;
  }
  for (int i = 0; i < k; ++i) {
    out.elig[i] += amb_elig[i];
    out.kept[i] += kept[i];
    out.l1_all[i] += amb_l1[i];
    out.l1_kept[i] += l1_kept[i];
  }
  at_middle();
  return out;
}

}  // namespace mp::subset
