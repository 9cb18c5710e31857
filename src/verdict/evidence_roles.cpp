// The wrong-base test's numbers: the pooled fit refitted under the other role assignments of the
// given models, from the same sampled moments, and the alignment of the parents' deltas.
//
// Every vector the fit uses is a combination of [D, d_1..d_k, B] (C = D + B, A_i = d_i + B), so
// another assignment's Gram is T G T' of the pooled one: no second pass over the weights. With the
// base swapped for parent j: D' = C - A_j = D - d_j, the given base in slot j: B - A_j = -d_j, and
// the other parents A_i - A_j = d_i - d_j. The affine hull of {base, parents} is the same under
// every assignment, so a linear fit's residual does not change (only ||D'|| does): what tells the
// assignments apart is how the parents' deltas align, which is what a wrong base changes.
#include <algorithm>
#include <cmath>

#include "stats/estimators.h"
#include "verdict/evidence_parts.h"

namespace mp::verdict {
namespace {

// Largest pairwise cosine between the parents' deltas in a Gram over [D, d_1..d_k, B].
double parent_cos_of(const Moments& m) {
  double best = NAN;
  for (int i = 0; i < m.k; ++i)
    for (int j = i + 1; j < m.k; ++j) {
      const double den = std::sqrt(m.g(1 + i, 1 + i) * m.g(1 + j, 1 + j));
      if (!(den > 0)) continue;
      const double c = m.g(1 + i, 1 + j) / den;
      if (!(c <= best)) best = c;
    }
  return best;
}

RoleFit fit_of(const Moments& m, int base) {
  RoleFit r;
  r.base = base;
  const Estimates e = estimate(m, Dtype::F32);  // the dtype only sets the rounding floor, unused here
  if (!e.degenerate) {
    r.cos_fit = e.cos_fit;
    r.alphas.assign(e.alpha, e.alpha + m.k);
  }
  r.parent_cos = parent_cos_of(m);
  return r;
}

// The Gram of the assignment with parent j as the base.
Moments swapped(const Moments& m, int j) {
  const int k = m.k, n = k + 2;
  double T[kMaxVectors][kMaxVectors] = {};  // rows: new vectors over the old basis
  T[0][0] = 1;
  T[0][1 + j] = -1;                          // D - d_j
  for (int i = 0; i < k; ++i) {
    if (i == j) T[1 + i][1 + j] = -1;        // B - A_j
    else { T[1 + i][1 + i] = 1; T[1 + i][1 + j] = -1; }  // A_i - A_j
  }
  T[k + 1][k + 1] = 1;                       // A_j = B + d_j
  T[k + 1][1 + j] = 1;
  Moments out = m;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      double s = 0;
      for (int p = 0; p < n; ++p)
        for (int q = 0; q < n; ++q) s += T[a][p] * m.g(p, q) * T[b][q];
      out.gram[a * kMaxVectors + b] = s;
    }
  return out;
}

}  // namespace

void gather_roles(Evidence& ev, const GroupResult& o) {
  const Moments& m = o.pooled;
  ev.given_roles = fit_of(m, -1);
  if (ev.k >= 2)
    for (int j = 0; j < ev.k; ++j) ev.role_fits.push_back(fit_of(swapped(m, j), j));
  if (ev.k == 1 && !ev.bf16) ev.kept_a_share = ev.equal_a_share;
}

}  // namespace mp::verdict
