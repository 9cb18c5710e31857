// Estimators from pooled moments (estimators.h). Everything here reads the Gram matrix over
// [D, d_1..d_k, B] (kernel.h); no pass over the data. Every output stays finite: degenerate
// inputs set `degenerate` and leave the affected fields at 0.
#include "stats/estimators.h"

#include <algorithm>
#include <cmath>

namespace mp {
namespace {

constexpr int kMaxSolve = kMaxParents + 1;  // the plane fit has k + 1 unknowns

// Solves the symmetric positive (semi)definite system M x = r (size m) by Gaussian elimination
// with partial pivoting, and, when inv_diag is given, the diagonal of M^-1. Returns false when M
// is singular to working precision: a pivot below 1e-12 of the largest diagonal entry, i.e. a
// regressor that is (nearly) a combination of the others or zero.
bool solve(int m, const double M[kMaxSolve][kMaxSolve], const double* r, double* x,
           double* inv_diag) {
  double a[kMaxSolve][2 * kMaxSolve + 1];
  double max_diag = 0;
  for (int i = 0; i < m; ++i) max_diag = std::max(max_diag, std::fabs(M[i][i]));
  if (!(max_diag > 0) || !std::isfinite(max_diag)) return false;
  // Augmented [M | r | I]: one elimination gives the solution and the inverse.
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) a[i][j] = M[i][j];
    a[i][m] = r[i];
    for (int j = 0; j < m; ++j) a[i][m + 1 + j] = (i == j) ? 1.0 : 0.0;
  }
  const int cols = 2 * m + 1;
  for (int c = 0; c < m; ++c) {
    int piv = c;
    for (int i = c + 1; i < m; ++i)
      if (std::fabs(a[i][c]) > std::fabs(a[piv][c])) piv = i;
    if (!(std::fabs(a[piv][c]) > 1e-12 * max_diag)) return false;
    if (piv != c)
      for (int j = 0; j < cols; ++j) std::swap(a[piv][j], a[c][j]);
    for (int i = 0; i < m; ++i) {
      if (i == c) continue;
      const double f = a[i][c] / a[c][c];
      if (f == 0) continue;
      for (int j = c; j < cols; ++j) a[i][j] -= f * a[c][j];
    }
  }
  for (int i = 0; i < m; ++i) {
    x[i] = a[i][m] / a[i][i];
    if (inv_diag) inv_diag[i] = a[i][m + 1 + i] / a[i][i];
    if (!std::isfinite(x[i])) return false;
  }
  return true;
}

double safe_div(double a, double b) { return (b != 0 && std::isfinite(a / b)) ? a / b : 0.0; }
double safe_sqrt(double x) { return x > 0 ? std::sqrt(x) : 0.0; }
double clamp_cos(double x) { return std::max(-1.0, std::min(1.0, x)); }

// Explicit mantissa bits of the suspect's dtype (the rounding-noise scale); F64 suspects are
// treated as unrounded.
int mantissa_bits(Dtype d) {
  switch (d) {
    case Dtype::BF16: return 7;
    case Dtype::F16: return 10;
    case Dtype::F32: return 23;
    case Dtype::F8_E4M3: return 3;
    case Dtype::F8_E5M2: return 2;
    default: return -1;
  }
}

}  // namespace

Estimates estimate(const Moments& m, Dtype suspect_dtype) {
  Estimates e;
  const int k = std::max(0, std::min(m.k, kMaxParents));
  e.k = k;
  e.n = m.n;
  const int iB = k + 1;
  const double DD = m.g(0, 0), BB = m.g(iB, iB), DB = m.g(0, iB);

  // Raw-weight geometry: C = D + B and A_i = d_i + B, so their inner products follow from the Gram.
  const double CC = DD + 2 * DB + BB;
  e.cos_cb = clamp_cos(safe_div(DB + BB, safe_sqrt(CC) * safe_sqrt(BB)));
  e.rel_delta_c = safe_sqrt(safe_div(DD, BB));
  for (int i = 0; i < k; ++i) {
    const double dd = m.g(1 + i, 1 + i), dB = m.g(1 + i, iB);
    const double AA = dd + 2 * dB + BB;
    e.cos_ab[i] = clamp_cos(safe_div(dB + BB, safe_sqrt(AA) * safe_sqrt(BB)));
    e.rel_delta_a[i] = safe_sqrt(safe_div(dd, BB));
  }
  if (m.n > 0) {
    e.eq_cb_share = static_cast<double>(m.eq_cb) / static_cast<double>(m.n);
    for (int i = 0; i < k; ++i)
      e.eq_ca_share[i] = static_cast<double>(m.eq_ca[i]) / static_cast<double>(m.n);
  }

  // Rounding floor. If C = round(a*A + (1-a)*B) is a perfect linear merge stored in a dtype with p
  // explicit mantissa bits, the measured D is the true delta plus rounding noise e. With RNE the
  // error of an element x is uniform in +-ulp(x)/2, so E[e^2] = ulp(x)^2 / 12, where
  // ulp(x) = 2^(floor(log2|x|) - p), hence
  //   ulp(x)^2 = x^2 * 2^-2p * g(x),  g(x) = (2^floor(log2|x|) / |x|)^2 in (1/4, 1].
  // Weights spread over many binades, so take log2|x| uniform within a binade: with x = 2^e * t,
  // t in [1, 2) with density 1/(t ln 2), E[g] = (1/ln 2) * int_1^2 t^-3 dt = 3 / (8 ln 2) ~ 0.541.
  // Summed over elements, the noise energy is E = ||C||^2 * 0.541 * 2^-2p / 12. The noise is
  // independent of d, so the best cos(D, d) such a merge can reach is
  //   cos = <D_true, d> / (||D_true|| ||d||) * ||D_true|| / ||D|| = sqrt(1 - E / ||D||^2)
  // with ||D||^2 = ||D_true||^2 + E as measured. bf16: 2^-14 * 0.541 / 12 ~ 2.8e-6 of ||C||^2, so a
  // delta of 1% of the weights (||D||^2 = 1e-4 ||C||^2) already caps cos_fit near 0.986.
  const int p = mantissa_bits(suspect_dtype);
  if (p >= 0 && DD > 0) {
    const double noise = CC * (3.0 / (8.0 * std::log(2.0))) * std::ldexp(1.0, -2 * p) / 12.0;
    e.rounding_floor = std::max(0.0, std::min(1.0, safe_sqrt(1.0 - noise / DD)));
  } else {
    e.rounding_floor = (p >= 0 && CC > 0) ? 0.0 : 1.0;  // C == B exactly: no delta left to fit
  }

  // Least squares of D on d_1..d_k: the normal equations G_dd alpha = G_dD.
  double G[kMaxSolve][kMaxSolve] = {};
  double r[kMaxSolve] = {};
  double max_dd = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) G[i][j] = m.g(1 + i, 1 + j);
    r[i] = m.g(0, 1 + i);
    max_dd = std::max(max_dd, G[i][i]);
  }
  double alpha[kMaxSolve] = {}, inv_diag[kMaxSolve] = {};
  // ||D|| ~ 0 (C == B) or some ||d_i|| ~ 0 (a parent equal to the base): no direction to fit.
  // "~ 0" is relative to ||B||^2 when there is a base, so an all-zero tensor is degenerate too.
  const double tiny = 1e-30 * std::max(BB, 1e-300);
  bool ok = k > 0 && m.n > 0 && DD > tiny && std::isfinite(DD);
  for (int i = 0; ok && i < k; ++i) ok = G[i][i] > tiny && G[i][i] > 1e-20 * max_dd;
  ok = ok && solve(k, G, r, alpha, inv_diag);
  if (!ok) {
    e.degenerate = true;
    return e;
  }
  double fit = 0;  // alpha . G_dD = ||projection of D||^2 at the LSQ solution
  for (int i = 0; i < k; ++i) {
    e.alpha[i] = alpha[i];
    fit += alpha[i] * r[i];
  }
  const double rss = std::max(0.0, DD - fit);
  e.r2 = std::max(0.0, std::min(1.0, 1.0 - rss / DD));
  e.residual_ratio = safe_sqrt(rss / DD);
  e.cos_fit =
      k == 1 ? clamp_cos(safe_div(r[0], std::sqrt(DD) * std::sqrt(G[0][0]))) : safe_sqrt(e.r2);
  if (m.n > static_cast<uint64_t>(k)) {
    const double sigma2 = rss / static_cast<double>(m.n - static_cast<uint64_t>(k));
    for (int i = 0; i < k; ++i) e.alpha_se[i] = safe_sqrt(sigma2 * inv_diag[i]);
  }

  // Plane fit: regress D on [d_1..d_k, B] -> D = sum a_i d_i + b B, i.e.
  // C = B + sum a_i (A_i - B) + b B = sum a_i A_i + (1 + b - sum a_i) B: p_i = a_i, q = 1 + b - sum
  // a_i. When B is (nearly) in the span of the d_i, the plane is not identified: fall back to b =
  // 0.
  double P[kMaxSolve][kMaxSolve] = {};
  double pr[kMaxSolve] = {};
  for (int i = 0; i <= k; ++i) {
    for (int j = 0; j <= k; ++j) P[i][j] = m.g(1 + i, 1 + j);
    pr[i] = m.g(0, 1 + i);
  }
  double coef[kMaxSolve] = {};
  double sum_a = 0;
  if (solve(k + 1, P, pr, coef, nullptr)) {
    for (int i = 0; i < k; ++i) {
      e.plane_p[i] = coef[i];
      sum_a += coef[i];
    }
    e.plane_q = 1.0 + coef[k] - sum_a;
  } else {
    for (int i = 0; i < k; ++i) {
      e.plane_p[i] = alpha[i];
      sum_a += alpha[i];
    }
    e.plane_q = 1.0 - sum_a;
  }
  return e;
}

}  // namespace mp
