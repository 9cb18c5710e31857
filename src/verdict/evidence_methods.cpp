// The per-tensor shapes of the methods that are not one constant alpha per parent: nearswap's clip,
// model_stock's cosine weight, nuslerp's and multislerp's spherical weights, karcher's mean.
#include <algorithm>
#include <cmath>

#include "stats/method_signals.h"
#include "verdict/evidence_parts.h"
#include "verdict/thresholds.h"

namespace mp::verdict {

void gather_nearswap(Evidence& ev, const std::vector<TensorResult>& tensors) {
  if (ev.k != 1) return;
  uint64_t n = 0, eq = 0;
  NearswapSignals ns;
  std::vector<double> ts;
  for (const auto& t : tensors) {
    if (t.identical_to_base || t.identical_to_parent >= 0) continue;
    n += t.x.p[0].d_nonzero;
    eq += t.x.p[0].equal_a;
    ns.add(t.x.ns);
    if (t.x.ns.clipped > 0) ts.push_back(t.x.ns.t());
  }
  if (n) ev.equal_a_share = double(eq) / double(n);
  if (!ns.informative) return;
  ev.nearswap_informative = double(ns.informative) / double(n);
  ev.nearswap_equal_share = double(ns.equal) / double(ns.informative);
  ev.clipped_share = double(ns.clipped) / double(ns.informative);
  if (!ts.empty()) {
    std::nth_element(ts.begin(), ts.begin() + ts.size() / 2, ts.end());
    ev.nearswap_t = ts[ts.size() / 2];
  }
}

void gather_model_stock(Evidence& ev, const std::vector<TensorResult>& tensors) {
  const int k = ev.k;
  if (k < 2) return;
  double dp = 0, pp = 0, dd = 0, tsum = 0;
  int nt = 0;
  // per tensor: the least-squares scale of D on sum d_i, t / k, and the weight ||sum d_i||^2
  std::vector<double> fit_a, stock_a, wt;
  for (const auto& t : tensors) {
    // (a tensor whose deltas are a few ulps, a bf16 norm near 1, holds rounding noise, not t: it
    // is left out as it is from the pooled linear fit)
    if (t.identical_to_base || t.est.degenerate || t.rounding_dominated || t.outlier) continue;
    const Moments& m = t.m;
    double c = 0;
    int pairs = 0;
    bool ok = true;
    for (int i = 0; i < k; ++i)
      for (int j = i + 1; j < k; ++j) {
        const double den = std::sqrt(m.g(1 + i, 1 + i) * m.g(1 + j, 1 + j));
        if (!(den > 0)) ok = false; else c += m.g(1 + i, 1 + j) / den;
        ++pairs;
      }
    if (!ok || !pairs) continue;
    c /= pairs;
    const double tt = k * c / (1 + (k - 1) * c);
    const double s = tt / k;
    double dsum = 0, psum = 0;
    for (int i = 0; i < k; ++i) {
      dsum += m.g(0, 1 + i);
      for (int j = 0; j < k; ++j) psum += m.g(1 + i, 1 + j);
    }
    if (psum > 0) {
      fit_a.push_back(dsum / psum);
      stock_a.push_back(s);
      wt.push_back(psum);
    }
    dp += s * dsum;
    pp += s * s * psum;
    dd += m.g(0, 0);
    tsum += tt;
    ++nt;
  }
  if (pp > 0 && dd > 0) {
    ev.stock_cos = dp / std::sqrt(pp * dd);
    ev.stock_scale = dp / pp;
    ev.stock_t = tsum / nt;
  }
  // How the tensors' own scales follow t / k: their squared distance from it over their spread
  // around one constant (weighted by ||sum d_i||^2, each scale's precision). Rounding noise lowers
  // every cosine alike (bf16 model_stock: mergekit rounds the weights themselves, the deltas are
  // small beside their ulps), but a tensor of 16k elements still fixes its own scale.
  if (fit_a.size() >= 3) {
    double W = 0, mean = 0;
    for (size_t i = 0; i < fit_a.size(); ++i) W += wt[i], mean += wt[i] * fit_a[i];
    mean /= W;
    double to_stock = 0, to_const = 0;
    for (size_t i = 0; i < fit_a.size(); ++i) {
      to_stock += wt[i] * (fit_a[i] - stock_a[i]) * (fit_a[i] - stock_a[i]);
      to_const += wt[i] * (fit_a[i] - mean) * (fit_a[i] - mean);
    }
    if (to_const > 0) ev.stock_spread = to_stock / to_const;
  }
}

void gather_nuslerp(Evidence& ev, const std::vector<TensorResult>& tensors) {
  if (ev.k != 2) return;
  double err = 0, tsum = 0, wsum = 0;
  for (const auto& t : tensors) {
    if (t.identical_to_base || t.est.degenerate || t.rounding_dominated) continue;
    const Moments& m = t.m;
    const double den = std::sqrt(m.g(1, 1) * m.g(2, 2));
    const double a1 = t.est.alpha[0], a2 = t.est.alpha[1];
    if (!(den > 0) || !(a1 > 0) || !(a2 > 0)) return;  // nuslerp's coefficients are positive
    const double th = std::acos(std::clamp(m.g(1, 2) / den, -1.0, 1.0));
    if (th < 1e-3) return;
    double lo = 0, hi = 1;
    for (int it = 0; it < 60; ++it) {  // sin(t th) / sin((1 - t) th) rises with t
      const double mid = 0.5 * (lo + hi);
      if (std::sin(mid * th) < (a2 / a1) * std::sin((1 - mid) * th)) lo = mid; else hi = mid;
    }
    const double tt = 0.5 * (lo + hi);
    const double w = double(t.elements);
    err += w * std::fabs(std::sin((1 - tt) * th) / std::sin(th) - a1);
    tsum += w * tt;
    wsum += w;
  }
  if (wsum > 0) {
    ev.nuslerp_err = err / wsum;
    ev.nuslerp_t = tsum / wsum;
  }
}

void gather_multislerp(Evidence& ev, const std::vector<TensorResult>& tensors) {
  const int k = ev.k;
  if (k < 2) return;
  struct Row { double n, w[kMaxParents], norm_err; };
  std::vector<Row> rows;
  double wsum[kMaxParents] = {}, nsum = 0;
  for (const auto& t : tensors) {
    if (t.identical_to_base || t.est.degenerate || t.rounding_dominated || t.outlier) continue;
    const Moments& m = t.m;
    Row r{double(t.elements), {}, 0};
    double beta_sum = 0, nd[kMaxParents];
    for (int i = 0; i < k; ++i) {
      nd[i] = std::sqrt(m.g(1 + i, 1 + i));
      r.w[i] = t.est.alpha[i] * nd[i];
      beta_sum += r.w[i];
    }
    if (!(beta_sum > 0) || !(m.g(0, 0) > 0)) continue;
    double pred = 0;
    for (int i = 0; i < k; ++i) {
      r.w[i] /= beta_sum;
      pred += r.w[i] * nd[i];
    }
    r.norm_err = std::fabs(std::sqrt(m.g(0, 0)) / pred - 1);
    for (int i = 0; i < k; ++i) wsum[i] += r.n * r.w[i];
    nsum += r.n;
    rows.push_back(r);
  }
  if (!(nsum > 0)) return;
  double spread = 0, nerr = 0;
  for (int i = 0; i < k; ++i) ev.mslerp_weights.push_back(wsum[i] / nsum);
  for (const Row& r : rows) {
    for (int i = 0; i < k; ++i) spread += r.n * std::fabs(r.w[i] - ev.mslerp_weights[i]) / k;
    nerr += r.n * r.norm_err;
  }
  ev.mslerp_spread = spread / nsum;
  ev.mslerp_norm_err = nerr / nsum;
}

// mergekit's karcher_merge_tensors on the span of the unit models u_i = A_i / |A_i| (the mean stays
// in it), from their Gram: u = sum c_i u_i. Equal weights, max_iter 10, tol 1e-5 as mergekit.
// Returns false when a model is zero.
bool karcher_coefficients(const double G[kMaxParents][kMaxParents], int k, double* gamma) {
  double nrm[kMaxParents], cs[kMaxParents][kMaxParents];
  for (int i = 0; i < k; ++i) {
    nrm[i] = std::sqrt(G[i][i]);
    if (!(nrm[i] > 0)) return false;
  }
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < k; ++j) cs[i][j] = G[i][j] / (nrm[i] * nrm[j]);
  const double a = 1.0 / k, tol = 1e-5;
  const auto norm_of = [&](const double* c) {
    double q = 0;
    for (int i = 0; i < k; ++i) for (int j = 0; j < k; ++j) q += c[i] * c[j] * cs[i][j];
    return std::sqrt(std::max(q, 0.0));
  };
  double c[kMaxParents];
  for (int i = 0; i < k; ++i) c[i] = a;
  double nu = norm_of(c);
  for (int i = 0; i < k; ++i) c[i] /= nu;
  for (int it = 0; it < 10; ++it) {
    double T[kMaxParents] = {};
    for (int j = 0; j < k; ++j) {
      double dot = 0;  // <u, u_j>
      for (int i = 0; i < k; ++i) dot += c[i] * cs[i][j];
      dot = std::clamp(dot, -1.0, 1.0);
      const double th = std::acos(dot);
      if (th < tol) continue;
      const double f = a * th / std::sin(th);
      T[j] += f;                                   // + f u_j
      for (int i = 0; i < k; ++i) T[i] -= f * dot * c[i];  // - f dot u
    }
    const double nt = norm_of(T);
    if (nt < tol) break;
    for (int i = 0; i < k; ++i) c[i] = std::cos(nt) * c[i] + std::sin(nt) * T[i] / nt;
    nu = norm_of(c);
    if (nu > tol) for (int i = 0; i < k; ++i) c[i] /= nu;
  }
  double s = 0;
  for (int i = 0; i < k; ++i) s += a * nrm[i];
  for (int i = 0; i < k; ++i) gamma[i] = s * c[i] / nrm[i];
  return true;
}

void gather_karcher(Evidence& ev, const std::vector<TensorResult>& tensors) {
  const int k = ev.k;
  if (k < 2) return;
  const int b = 1 + k;  // B's index in the Gram
  double dp = 0, pp = 0, dd = 0;
  for (const auto& t : tensors) {
    if (t.identical_to_base || t.est.degenerate || t.outlier) continue;
    const Moments& m = t.m;
    double G[kMaxParents][kMaxParents];
    for (int i = 0; i < k; ++i)
      for (int j = 0; j < k; ++j) G[i][j] = m.g(1 + i, 1 + j) + m.g(1 + i, b) + m.g(1 + j, b) + m.g(b, b);
    double gm[kMaxParents];
    if (!karcher_coefficients(G, k, gm)) continue;
    // D_pred = sum g_i d_i + (sum g_i - 1) B, as coefficients on [d_1..d_k, B]
    double x[kMaxParents + 1];
    double gs = 0;
    for (int i = 0; i < k; ++i) { x[i] = gm[i]; gs += gm[i]; }
    x[k] = gs - 1;
    for (int i = 0; i <= k; ++i) {
      dp += x[i] * m.g(0, 1 + i);
      for (int j = 0; j <= k; ++j) pp += x[i] * x[j] * m.g(1 + i, 1 + j);
    }
    dd += m.g(0, 0);
  }
  if (pp > 0 && dd > 0) {
    ev.karcher_cos = dp / std::sqrt(pp * dd);
    ev.karcher_scale = dp / pp;
  }
}

}  // namespace mp::verdict
