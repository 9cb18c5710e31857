#include "stats/quant_floor.h"

#include <algorithm>
#include <cmath>

namespace mp {

namespace {

// The diagonal of G^-1 for the k x k Gram of the parents' deltas (Gauss-Jordan, partial pivoting);
// false when G is singular.
bool inverse_diagonal(const Moments& m, double* diag) {
  const int k = m.k;
  double a[kMaxParents][2 * kMaxParents] = {};
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) a[i][j] = m.g(1 + i, 1 + j);
    a[i][k + i] = 1;
  }
  for (int c = 0; c < k; ++c) {
    int piv = c;
    for (int r = c + 1; r < k; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (!(std::fabs(a[piv][c]) > 1e-300)) return false;
    std::swap(a[c], a[piv]);
    for (int r = 0; r < k; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int j = c; j < 2 * k; ++j) a[r][j] -= f * a[c][j];
    }
  }
  for (int i = 0; i < k; ++i) diag[i] = a[i][k + i] / a[i][i];
  return true;
}

}  // namespace

void finish_quant_floor(QuantFloor& q, const Moments& m) {
  if (!q.quantized) return;
  const double DD = m.g(0, 0);
  q.cos_floor = DD > 0 ? std::sqrt(std::max(0.0, 1 - q.noise / DD)) : 0.0;
  double diag[kMaxParents];
  const bool ok = m.k >= 1 && m.k <= kMaxParents && q.elements > 0 && inverse_diagonal(m, diag);
  for (int i = 0; i < kMaxParents; ++i)
    q.alpha_se[i] = ok && i < m.k && diag[i] > 0 ? std::sqrt(q.noise / static_cast<double>(q.elements) * diag[i]) : NAN;
}

double noise_ratio(double cos_fit, const QuantFloor& q) {
  const double noise_share = 1 - q.cos_floor * q.cos_floor;
  if (!q.quantized || !(noise_share > 0)) return NAN;
  return (1 - cos_fit * cos_fit) / noise_share;
}

}  // namespace mp
