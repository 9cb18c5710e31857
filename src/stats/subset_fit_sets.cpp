// The pieces of the per-element kept sets (subset_fit_parts.h).
#include "stats/subset_fit_parts.h"

#include <algorithm>
#include <cmath>

#include "stats/method_signals.h"
#include "stats/subset_fit.h"

namespace mp::subset {

// Solves the n x n system a x = b in place (n <= kMaxParents); false when singular.
bool solve_small(int n, double a[kMaxParents][kMaxParents], double* b) {
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r) if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (!(std::fabs(a[piv][c]) > 1e-300)) return false;
    std::swap(a[c], a[piv]);
    std::swap(b[c], b[piv]);
    for (int r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (int j = c; j < n; ++j) a[r][j] -= f * a[c][j];
      b[r] -= f * b[c];
    }
  }
  for (int i = 0; i < n; ++i) b[i] /= a[i][i];
  return true;
}

// The densest window of sorted values, `tol` wide relative to its start: its median; NaN when
// fewer than kMinSetElements values agree (a 128-element bias with one element where a parent
// alone is kept gave modes of -1004 and -275, which weighed the pooled coefficients down: sweep4
// 024, dare_linear f32 k = 4, 0.287 for 0.33).
double mode_of(std::vector<double>& r, double tol) {
  std::sort(r.begin(), r.end());
  size_t best = 0, best_lo = 0, hi = 0;
  for (size_t lo = 0; lo < r.size(); ++lo) {
    hi = std::max(hi, lo);
    while (hi < r.size() && r[hi] - r[lo] <= tol * std::fabs(r[lo])) ++hi;
    if (hi - lo > best) { best = hi - lo; best_lo = lo; }
  }
  return best >= kMinSetElements ? r[best_lo + best / 2] : NAN;
}

double rounded_mode(std::vector<double>& r, double tol) {
  std::sort(r.begin(), r.end());
  const double width = 1.0 / kModeMinUlps;
  size_t best = 0, best_lo = 0, hi = 0;
  for (size_t lo = 0; lo < r.size(); ++lo) {
    hi = std::max(hi, lo);
    if (std::fabs(r[lo]) < width) continue;
    const double w = std::max(width, tol * std::fabs(r[lo]));
    while (hi < r.size() && r[hi] - r[lo] <= w) ++hi;
    if (hi - lo > best) { best = hi - lo; best_lo = lo; }
  }
  if (best < kMinSetElements) return NAN;
  std::vector<double> in(r.begin() + long(best_lo), r.begin() + long(best_lo + best));
  const double m = mode_of(in, tol);
  return std::isfinite(m) ? m : r[best_lo + best / 2];
}



Alternatives unfitted_alternatives(int k, const uint64_t* cnt, const double coef[][kMaxParents]) {
  Alternatives alt;
  const int all = (1 << k) - 1;
  if (k < 3 || cnt[all] < kMinSetElements) return alt;
  double r[kMaxParents];
  for (int i = 0; i < k; ++i) {
    const double single = coef[1 << i][i];
    if (!(single != 0) || !std::isfinite(coef[all][i] / single)) return alt;
    r[i] = coef[all][i] / single;
  }
  for (int S = 1; S < all; ++S) {
    if (!(S & (S - 1)) || cnt[S] >= kMinSetElements) continue;  // a single parent, or fitted
    double W = 0;
    for (int j = 0; j < k; ++j) if (S >> j & 1) W += r[j];
    if (!(W != 0)) continue;
    for (int i = 0; i < k; ++i) if (S >> i & 1) alt.coef[S][i] = coef[all][i] / W;
    alt.sets |= 1u << S;
  }
  return alt;
}

int deltas_at(const Sample& s, size_t e, double* d) {
  int nz = 0;
  for (int i = 0; i < s.k; ++i) {
    d[i] = double(s.a[i][e]) - s.b[e];
    if (d[i] != 0) nz |= 1 << i;
  }
  return nz;
}

// The nearest prediction's set (bit i: parent i kept); 0 where C == B. Parents with d_i == 0 are
// never in the set (nothing to keep).
int classify(const Sample& s, size_t e, const double coef[][kMaxParents], const Alternatives& alt) {
  if (s.at_b[e]) return 0;
  const double D = double(s.c[e]) - s.b[e];
  double d[kMaxParents];
  const int nz = deltas_at(s, e, d);
  int best = 0;
  double best_err = INFINITY;
  for (int S = 1; S < (1 << s.k); ++S) {
    if ((S & nz) != S) continue;
    for (int v = 0; v < (alt.sets >> S & 1 ? 2 : 1); ++v) {
      const double* c = v ? alt.coef[S] : coef[S];
      double pred = 0;
      for (int i = 0; i < s.k; ++i) if (S >> i & 1) pred += c[i] * d[i];
      const double err = std::fabs(D - pred);
      if (err < best_err) { best_err = err; best = S; }
    }
  }
  return best;
}

double membership_margin(const Sample& s, size_t e, const double coef[][kMaxParents], int i) {
  const double D = double(s.c[e]) - s.b[e];
  double d[kMaxParents];
  const int nz = deltas_at(s, e, d);
  double with = INFINITY, without = std::fabs(D);
  for (int S = 1; S < (1 << s.k); ++S) {
    if ((S & nz) != S) continue;
    double pred = 0;
    for (int j = 0; j < s.k; ++j) if (S >> j & 1) pred += coef[S][j] * d[j];
    double& best = S >> i & 1 ? with : without;
    best = std::min(best, std::fabs(D - pred));
  }
  return without - with;
}

// Round 0's class: the parent whose mode D / d_i matches within `tol`, else every parent with
// d != 0 (0 where C == B).
int first_class(const Sample& s, size_t e, const double coef[][kMaxParents], double tol) {
  if (s.at_b[e]) return 0;
  const double D = double(s.c[e]) - s.b[e];
  int nz = 0;
  for (int i = 0; i < s.k; ++i) {
    const double d = double(s.a[i][e]) - s.b[e];
    if (d == 0) continue;
    nz |= 1 << i;
    const double a = coef[1 << i][i];
    if (std::fabs(D / d - a) <= tol * std::fabs(a)) return 1 << i;
  }
  return nz;
}

bool finite_at(const Sample& s, size_t e) {
  bool ok = std::isfinite(s.c[e]) && std::isfinite(s.b[e]);
  for (int i = 0; i < s.k; ++i) ok = ok && std::isfinite(s.a[i][e]);
  return ok;
}

// sum over the finite elements of (D - the prediction of its set)^2 (0 for the empty set).
double residual(const Sample& s, const double coef[][kMaxParents], const std::vector<uint8_t>& cls) {
  double out = 0;
  for (size_t e = 0; e < s.n; ++e) {
    if (!finite_at(s, e)) continue;
    double pred = 0;
    for (int i = 0; i < s.k; ++i)
      if (cls[e] >> i & 1) pred += coef[cls[e]][i] * (double(s.a[i][e]) - s.b[e]);
    const double r = double(s.c[e]) - s.b[e] - pred;
    out += r * r;
  }
  return out;
}

double fixed_residual(const Sample& s, const double c[kMaxParents]) {
  double coef[1 << kMaxParents][kMaxParents] = {};
  for (int S = 1; S < (1 << s.k); ++S)
    for (int i = 0; i < s.k; ++i) coef[S][i] = c[i];
  std::vector<uint8_t> cls(s.n, 0);
  for (size_t e = 0; e < s.n; ++e) if (finite_at(s, e)) cls[e] = static_cast<uint8_t>(classify(s, e, coef, Alternatives{}));
  return residual(s, coef, cls);
}

// The normalise reading (TIES, DELLA, breadcrumbs with normalise; k >= 3): a_{S,i} = c_i r_i /
// sum_{j in S} r_j from the single coefficients c_i and the relative weights r (sum 1). The free
// fit need not find it: round 0 gives the set of all the pairs' elements too, and the pairs'
// starting values come from that mixture (sweep1 006, f32: a light parent next to two heavy ones
// read kept 0.32 for 0.58). Each pair's elements give t = r_i / (r_i + r_j) exactly (f32; within
// rounding otherwise): D - c_j d_j = t (c_i d_i - c_j d_j), so t is the mode of that ratio over
// the elements that no single parent explains, and log r follows from the pairs by least squares.
// false when a pair has too few elements or a ratio is not positive.
bool normalised_reading(const Sample& s, const double c[kMaxParents], double tol, Dtype dtype, bool exact,
                        double coef[][kMaxParents]) {
  const int k = s.k;
  double g[kMaxParents][kMaxParents] = {}, rhs[kMaxParents] = {};
  std::vector<double> t;
  for (int i = 0; i < k; ++i)
    for (int j = i + 1; j < k; ++j) {
      t.clear();
      for (size_t e = 0; e < s.n; ++e) {
        if (!finite_at(s, e) || s.at_b[e]) continue;
        const double D = double(s.c[e]) - s.b[e];
        const double di = c[i] * (double(s.a[i][e]) - s.b[e]), dj = c[j] * (double(s.a[j][e]) - s.b[e]);
        if (di == 0 || dj == 0) continue;
        // rounded: only where the two predictions lie 16 ulps of C apart (as for the modes above),
        // and not where one parent alone explains D within 2 ulps (a parent kept alone, whose t
        // of 0 or 1 would outnumber the pair's: sweep2 078, della bf16mk, read t = 1.00)
        const double ulp = exact ? 0 : ulp_of(dtype, std::max(std::fabs(double(s.b[e])), std::fabs(double(s.c[e]))));
        if (!(std::fabs(di - dj) >= 16 * ulp)) continue;
        if (std::fabs(D - di) <= tol * std::fabs(di) + 2 * ulp || std::fabs(D - dj) <= tol * std::fabs(dj) + 2 * ulp) continue;
        t.push_back((D - dj) / (di - dj));
      }
      if (t.size() < kSubsetFitMinElements) return false;
      thin(t);
      const double m = mode_of(t, tol);
      if (!(m > 0 && m < 1)) return false;
      // log r_i - log r_j = log(t / (1 - t)); parent 0's log r is pinned by an extra row below
      const double q = std::log(m / (1 - m));
      g[i][i] += 1; g[j][j] += 1; g[i][j] -= 1; g[j][i] -= 1;
      rhs[i] += q; rhs[j] -= q;
    }
  g[0][0] += 1;  // log r_0 = 0
  if (!solve_small(k, g, rhs)) return false;
  double r[kMaxParents], sum = 0;
  for (int i = 0; i < k; ++i) sum += r[i] = std::exp(rhs[i]);
  for (int S = 1; S < (1 << k); ++S) {
    double W = 0;
    for (int j = 0; j < k; ++j) if (S >> j & 1) W += r[j] / sum;
    for (int i = 0; i < k; ++i) coef[S][i] = S >> i & 1 ? c[i] * (r[i] / sum) / W : 0;
  }
  return true;
}

size_t best_split(const std::vector<std::pair<float, bool>>& r, bool below_kept) {
  // position 0: every element above the split, so the errors are those predicted wrongly there;
  // moving an element below it swaps its prediction
  int64_t err = 0;
  for (const auto& x : r) err += x.second == below_kept;
  int64_t best = err;
  size_t at = 0;
  for (size_t j = 0; j < r.size(); ++j) {
    err += r[j].second == below_kept ? -1 : 1;
    if (err < best && (j + 1 == r.size() || r[j + 1].first > r[j].first)) {
      best = err;
      at = j + 1;
    }
  }
  return at;
}

}  // namespace mp::subset
