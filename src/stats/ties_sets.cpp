// TIES's kept sets from its own cuts, and the weights they give (ties_sets.h).
#include "stats/ties_sets.h"

#include <algorithm>
#include <cmath>

#include "stats/blocks.h"
#include "stats/subset_fit_parts.h"

namespace mp {

void TiesSets::add(const TiesSets& o) {
  for (int S = 0; S < kTiesSets; ++S) {
    n[S] += o.n[S];
    DD[S] += o.DD[S];
    for (int i = 0; i < kMaxParents; ++i) {
      Dd[S][i] += o.Dd[S][i];
      for (int j = 0; j < kMaxParents; ++j) dd[S][i][j] += o.dd[S][i][j];
    }
  }
}

namespace {

// A tensor's cuts are read from at most this many |d| per parent, an even stride through its
// samples: the quantile's sampling error is then at most 1 / sqrt(2^16) / 2, well inside the margin.
constexpr uint64_t kCutMaxElements = uint64_t(1) << 16;

// Per parent: |d| above `kept` is surely above its cut, |d| below `dropped` surely below it.
struct Cuts {
  float kept[kMaxParents], dropped[kMaxParents];
};

// The element at rank r (0 = the largest) of v, which it reorders.
float at_rank(std::vector<float>& v, size_t r) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(r), v.end(), std::greater<float>());
  return v[r];
}

bool cuts_of(const std::vector<std::vector<StreamView>>& streams, int k, const double* density, Cuts& out) {
  const int base = k + 1;
  uint64_t total = 0;
  for (const auto& sv : streams) total += common_count(sv[0], sv[base], &sv[1], k);
  if (total == 0) return false;
  const uint64_t step = (total + kCutMaxElements - 1) / kCutMaxElements;
  std::vector<float> abs_d[kMaxParents];
  uint64_t at = 0;
  for (const auto& sv : streams)
    for_each_block(sv[0], sv[base], &sv[1], k, [&](size_t len, const float*, const float* b, const float* const* a) {
      for (size_t i = 0; i < len; ++i, ++at) {
        if (at % step) continue;
        for (int j = 0; j < k; ++j) {
          const float d = std::fabs(a[j][i] - b[i]);
          abs_d[j].push_back(std::isfinite(d) ? d : 0.f);
        }
      }
    });
  const double n = double(abs_d[0].size());
  const double margin = kTiesCutMargin + 1 / std::sqrt(n);
  for (int j = 0; j < k; ++j) {
    const double hi = density[j] - margin, lo = density[j] + margin;
    out.kept[j] = hi > 0 ? at_rank(abs_d[j], static_cast<size_t>(std::floor(hi * n))) : INFINITY;
    out.dropped[j] = lo < 1 ? at_rank(abs_d[j], std::min(abs_d[j].size() - 1, static_cast<size_t>(std::ceil(lo * n)))) : 0.f;
  }
  return true;
}

// Least squares over the sets: sum_S D^2 - 2 c_S . Dd_S + c_S' dd_S c_S.
double set_residual(const TiesSets& s, int S, const double* c, int k) {
  double q = s.DD[S];
  for (int i = 0; i < k; ++i) {
    if (!(S >> i & 1)) continue;
    q -= 2 * c[i] * s.Dd[S][i];
    for (int j = 0; j < k; ++j) if (S >> j & 1) q += c[i] * c[j] * s.dd[S][i][j];
  }
  return q;
}

// Under normalise, set S's coefficients from the visible weights u (lambda w_i / W): c_i = u_i T / U,
// T the sum of u, U its sum over S; ok is false where U vanishes.
struct SetCoef {
  double c[kMaxParents] = {}, T = 0, U = 0;
  bool ok = false;
};
SetCoef normalised_coef(const double* u, int S, int k) {
  SetCoef r;
  for (int i = 0; i < k; ++i) {
    r.T += u[i];
    if (S >> i & 1) r.U += u[i];
  }
  r.ok = std::fabs(r.U) > 1e-12 * std::fabs(r.T);
  if (r.ok)
    for (int i = 0; i < k; ++i) r.c[i] = S >> i & 1 ? u[i] * r.T / r.U : 0;
  return r;
}

double normalised_residual(const TiesSets& s, const double* u, int k) {
  double total = 0;
  for (int S = 1; S < (1 << k); ++S) {
    if (!s.n[S]) continue;
    const SetCoef sc = normalised_coef(u, S, k);
    if (!sc.ok) return INFINITY;
    total += set_residual(s, S, sc.c, k);
  }
  return total;
}

// Levenberg-Marquardt on the visible weights from `u` (in place); the residual reached.
double fit_normalised(const TiesSets& s, int k, double* u) {
  double f = normalised_residual(s, u, k), mu = 1e-3;
  for (int it = 0; it < 200 && std::isfinite(f); ++it) {
    double H[kMaxParents][kMaxParents] = {}, g[kMaxParents] = {};
    for (int S = 1; S < (1 << k); ++S) {
      if (!s.n[S]) continue;
      // (u has a finite residual, so every U is nonzero)
      const SetCoef sc = normalised_coef(u, S, k);
      const double T = sc.T, U = sc.U, *c = sc.c;
      double J[kMaxParents][kMaxParents] = {}, e[kMaxParents] = {};
      for (int i = 0; i < k; ++i) {
        if (!(S >> i & 1)) continue;
        for (int m = 0; m < k; ++m) J[i][m] = (i == m ? T / U : 0) + u[i] / U - (S >> m & 1 ? u[i] * T / (U * U) : 0);
        e[i] = s.Dd[S][i];
        for (int j = 0; j < k; ++j) if (S >> j & 1) e[i] -= s.dd[S][i][j] * c[j];
      }
      // H += J' dd J, g += J' e
      for (int m = 0; m < k; ++m) {
        for (int i = 0; i < k; ++i) g[m] += J[i][m] * e[i];
        for (int l = 0; l < k; ++l) {
          double h = 0;
          for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) h += J[i][m] * s.dd[S][i][j] * J[j][l];
          H[m][l] += h;
        }
      }
    }
    bool moved = false;
    while (mu < 1e12) {
      double a[kMaxParents][kMaxParents], step[kMaxParents], next[kMaxParents];
      for (int m = 0; m < k; ++m) {
        for (int l = 0; l < k; ++l) a[m][l] = H[m][l];
        a[m][m] += mu * H[m][m];
        step[m] = g[m];
      }
      if (!subset::solve_small(k, a, step)) return INFINITY;
      double size = 0, scale = 0;
      for (int m = 0; m < k; ++m) {
        next[m] = u[m] + step[m];
        size = std::max(size, std::fabs(step[m]));
        scale = std::max(scale, std::fabs(u[m]));
      }
      const double fn = normalised_residual(s, next, k);
      if (fn <= f) {
        std::copy(next, next + k, u);
        const bool settled = size <= 1e-12 * scale || f - fn <= 1e-15 * f;
        f = fn;
        mu = std::max(mu / 10, 1e-12);
        moved = !settled;
        break;
      }
      mu *= 10;
    }
    if (!moved) break;
  }
  return f;
}

}  // namespace

void ties_set_moments(const std::vector<std::vector<StreamView>>& streams, int k, const double* density, TiesSets& out) {
  if (k < 2 || k > kMaxParents) return;
  for (int j = 0; j < k; ++j)
    if (!(density[j] > 0 && density[j] <= 1)) return;
  Cuts cut;
  if (!cuts_of(streams, k, density, cut)) return;
  const int base = k + 1;
  for (const auto& sv : streams)
    for_each_block(sv[0], sv[base], &sv[1], k, [&](size_t len, const float* c, const float* b, const float* const* a) {
      for (size_t i = 0; i < len; ++i) {
        if (!std::isfinite(c[i]) || !std::isfinite(b[i])) continue;
        double d[kMaxParents];
        int S = 0;
        bool pos = false, neg = false, known = true;
        for (int j = 0; j < k && known; ++j) {
          d[j] = double(a[j][i]) - b[i];
          const float ad = static_cast<float>(std::fabs(d[j]));
          pos = pos || d[j] > 0;
          neg = neg || d[j] < 0;
          if (!std::isfinite(d[j])) known = false;
          else if (d[j] != 0 && ad > cut.kept[j]) S |= 1 << j;
          else if (d[j] != 0 && !(ad < cut.dropped[j])) known = false;  // too near the cut to tell
        }
        if (!known || S == 0 || (pos && neg)) continue;
        const double D = double(c[i]) - b[i];
        ++out.n[S];
        out.DD[S] += D * D;
        for (int j = 0; j < k; ++j) {
          if (!(S >> j & 1)) continue;
          out.Dd[S][j] += D * d[j];
          for (int l = 0; l < k; ++l) if (S >> l & 1) out.dd[S][j][l] += d[j] * d[l];
        }
      }
    });
}

TiesSetFit fit_ties_sets(const TiesSets& s, int k, uint64_t min_elements) {
  TiesSetFit f;
  if (k < 2 || k > kMaxParents) return f;
  uint64_t per[kMaxParents] = {};
  for (int S = 1; S < (1 << k); ++S)
    for (int i = 0; i < k; ++i) if (S >> i & 1) per[i] += s.n[S];
  for (int i = 0; i < k; ++i)
    if (per[i] < min_elements) return f;
  // Without normalise every set shares the coefficients lambda w_i: one least squares.
  double g[kMaxParents][kMaxParents] = {}, v[kMaxParents] = {};
  for (int S = 1; S < (1 << k); ++S)
    for (int i = 0; i < k; ++i) {
      if (!(S >> i & 1)) continue;
      v[i] += s.Dd[S][i];
      for (int j = 0; j < k; ++j) g[i][j] += s.dd[S][i][j];
    }
  if (!subset::solve_small(k, g, v)) return f;
  double linear = 0;
  for (int S = 1; S < (1 << k); ++S) {
    if (!s.n[S]) continue;
    double c[kMaxParents];
    for (int i = 0; i < k; ++i) c[i] = S >> i & 1 ? v[i] : 0;
    linear += set_residual(s, S, c, k);
  }
  // Under normalise, from two starts (that fit's coefficients, and an even split of its mean), so
  // that one poor start cannot make the other model look better.
  double u[kMaxParents], even[kMaxParents], mean = 0;
  for (int i = 0; i < k; ++i) mean += v[i] / k;
  for (int i = 0; i < k; ++i) {
    u[i] = v[i] > 0 ? v[i] : 0.01 * std::fabs(mean);
    even[i] = mean;
  }
  double normalised = fit_normalised(s, k, u);
  if (const double r = fit_normalised(s, k, even); r < normalised) {
    normalised = r;
    std::copy(even, even + k, u);
  }
  f.normalised = normalised < linear;
  const double* w = f.normalised ? u : v;
  f.weights.assign(w, w + k);
  f.residual = f.normalised ? normalised : linear;
  f.other_residual = f.normalised ? linear : normalised;
  return f;
}

}  // namespace mp
