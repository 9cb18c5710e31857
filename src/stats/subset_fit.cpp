// Per-element kept-parent sets of a sparsifying merge (subset_fit.h).
#include "stats/subset_fit.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "stats/method_signals.h"

namespace mp {

void SubsetSignals::add(const SubsetSignals& o) {
  samples += o.samples;
  wn += o.wn;
  wn_full += o.wn_full;
  res += o.res;
  res_linear += o.res_linear;
  for (int i = 0; i < kMaxParents; ++i) {
    elig[i] += o.elig[i];
    kept[i] += o.kept[i];
    elig_ss[i] += o.elig_ss[i];
    kept_ss[i] += o.kept_ss[i];
    single[i] += o.single[i];
    full[i] += o.full[i];
    ratio[i] += o.ratio[i];
    l1w[i] += o.l1w[i];
    dropped[i] += o.dropped[i];
    inside[i] += o.inside[i];
    above[i] += o.above[i];
    below[i] += o.below[i];
  }
}

namespace {

constexpr int kRounds = 4;  // classify-and-refit rounds (the classes settle after two or three)

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

// The densest window of sorted values, `tol` wide relative to its start: its median.
double mode_of(std::vector<double>& r, double tol) {
  std::sort(r.begin(), r.end());
  size_t best = 0, best_lo = 0, hi = 0;
  for (size_t lo = 0; lo < r.size(); ++lo) {
    hi = std::max(hi, lo);
    while (hi < r.size() && r[hi] - r[lo] <= tol * std::fabs(r[lo])) ++hi;
    if (hi - lo > best) { best = hi - lo; best_lo = lo; }
  }
  return best ? r[best_lo + best / 2] : NAN;
}

struct Sample {
  int k = 0;
  size_t n = 0;
  std::vector<float> c, b, a[kMaxParents];
  // C left at B at C's precision (left_at_base): a BF16 suspect of an F32 base holds round(B)
  // where every parent was dropped, so c == b would count those elements as kept.
  std::vector<uint8_t> at_b;
};

// The nearest prediction's set (bit i: parent i kept); 0 where C == B. Parents with d_i == 0 are
// never in the set (nothing to keep).
int classify(const Sample& s, size_t e, const double coef[][kMaxParents]) {
  if (s.at_b[e]) return 0;
  const double D = double(s.c[e]) - s.b[e];
  int nz = 0;
  double d[kMaxParents];
  for (int i = 0; i < s.k; ++i) {
    d[i] = double(s.a[i][e]) - s.b[e];
    if (d[i] != 0) nz |= 1 << i;
  }
  int best = 0;
  double best_err = INFINITY;
  for (int S = 1; S < (1 << s.k); ++S) {
    if ((S & nz) != S) continue;
    double pred = 0;
    for (int i = 0; i < s.k; ++i) if (S >> i & 1) pred += coef[S][i] * d[i];
    const double err = std::fabs(D - pred);
    if (err < best_err) { best_err = err; best = S; }
  }
  return best;
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

}  // namespace

void compute_subset_fit(const StreamView& C, const StreamView& B, const StreamView* A, int k, SubsetSignals& out) {
  if (k < 2 || k > kMaxParents) return;
  Sample s;
  s.k = k;
  uint64_t n = std::min<uint64_t>({C.count, B.count, kSubsetFitMaxElements});
  for (int i = 0; i < k; ++i) n = std::min(n, A[i].count);
  s.n = static_cast<size_t>(n);
  s.c.resize(s.n);
  s.b.resize(s.n);
  decode_f32(C, 0, s.n, s.c.data());
  decode_f32(B, 0, s.n, s.b.data());
  for (int i = 0; i < k; ++i) {
    s.a[i].resize(s.n);
    decode_f32(A[i], 0, s.n, s.a[i].data());
  }
  s.at_b.resize(s.n);
  for (size_t e = 0; e < s.n; ++e) s.at_b[e] = left_at_base(s.c[e], s.b[e], C.dtype, B.dtype);
  const bool exact = C.dtype == Dtype::F32 || C.dtype == Dtype::F64;
  // Where one parent alone is kept D / d_i is that parent's coefficient, the same at every such
  // element (exactly in f32; within the rounding of C otherwise, so only |d_i| >= 16 ulps count).
  const double tol = exact ? 1e-5 : 0.03;
  double coef[1 << kMaxParents][kMaxParents] = {};
  for (int i = 0; i < k; ++i) {
    std::vector<double> r;
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e) || s.at_b[e]) continue;
      const double d = double(s.a[i][e]) - s.b[e];
      if (d == 0 || (!exact && std::fabs(d) < 16 * ulp_of(C.dtype, std::fabs(double(s.b[e]))))) continue;
      r.push_back((double(s.c[e]) - s.b[e]) / d);
    }
    if (r.size() < kSubsetFitMinElements) return;
    const double m = mode_of(r, tol);
    if (!std::isfinite(m)) return;
    for (int S = 1; S < (1 << k); ++S) coef[S][i] = m;  // without normalise every set shares it
  }
  std::vector<uint8_t> cls(s.n, 0);
  for (int round = 0; round < kRounds; ++round) {
    double g[1 << kMaxParents][kMaxParents][kMaxParents] = {}, r[1 << kMaxParents][kMaxParents] = {};
    uint64_t cnt[1 << kMaxParents] = {};
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e)) continue;
      // Round 0: only elements at a parent's mode are that parent's alone; the rest start in the
      // set of all parents with d != 0, whose coefficients (normalised or not) the fit then finds.
      const int S = round > 0 ? classify(s, e, coef) : first_class(s, e, coef, tol);
      cls[e] = static_cast<uint8_t>(S);
      if (!S) continue;
      ++cnt[S];
      const double D = double(s.c[e]) - s.b[e];
      for (int i = 0; i < k; ++i) {
        if (!(S >> i & 1)) continue;
        const double di = double(s.a[i][e]) - s.b[e];
        r[S][i] += D * di;
        for (int j = 0; j < k; ++j) if (S >> j & 1) g[S][i][j] += di * (double(s.a[j][e]) - s.b[e]);
      }
    }
    for (int S = 1; S < (1 << k); ++S) {
      if (cnt[S] < 16) continue;
      int idx[kMaxParents], m = 0;
      for (int i = 0; i < k; ++i) if (S >> i & 1) idx[m++] = i;
      double a[kMaxParents][kMaxParents], x[kMaxParents];
      for (int p = 0; p < m; ++p) {
        for (int q = 0; q < m; ++q) a[p][q] = g[S][idx[p]][idx[q]];
        x[p] = r[S][idx[p]];
      }
      if (solve_small(m, a, x)) for (int p = 0; p < m; ++p) coef[S][idx[p]] = x[p];
    }
  }
  // The tensor's plain least squares on every d_i, the linear reading the sets are compared with.
  double linear[kMaxParents] = {};
  {
    double g[kMaxParents][kMaxParents] = {};
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e)) continue;
      const double D = double(s.c[e]) - s.b[e];
      for (int i = 0; i < k; ++i) {
        const double di = double(s.a[i][e]) - s.b[e];
        linear[i] += D * di;
        for (int j = 0; j < k; ++j) g[i][j] += di * (double(s.a[j][e]) - s.b[e]);
      }
    }
    if (!solve_small(k, g, linear)) return;
  }
  // Counts from the last classification.
  SubsetSignals t;
  double l1_all[kMaxParents] = {}, l1_kept[kMaxParents] = {};
  float kmin[kMaxParents], kmax[kMaxParents];
  std::fill(kmin, kmin + kMaxParents, INFINITY);
  std::fill(kmax, kmax + kMaxParents, 0.0f);
  uint64_t classified = 0, full_n = 0;
  const int all = (1 << k) - 1;
  // On a rounded suspect a parent's contribution below 2 ulps of B cannot be told kept from
  // dropped: the band test (kept range, dropped outside it) reads only the resolvable ones.
  const auto resolvable = [&](size_t e, int i) {
    if (exact) return true;
    const double c = coef[1 << i][i] * (double(s.a[i][e]) - s.b[e]);
    return std::fabs(c) >= 2 * ulp_of(C.dtype, std::fabs(double(s.b[e])));
  };
  const auto same_sign_at = [&](size_t e) {
    int pos = 0, neg = 0;
    for (int i = 0; i < k; ++i) {
      const float d = s.a[i][e] - s.b[e];
      pos += d > 0;
      neg += d < 0;
    }
    return pos == 0 || neg == 0;
  };
  for (size_t e = 0; e < s.n; ++e) {
    if (!finite_at(s, e)) continue;
    const int S = cls[e];
    const bool ss = same_sign_at(e);
    bool any = false;
    for (int i = 0; i < k; ++i) {
      const double d = double(s.a[i][e]) - s.b[e];
      if (d == 0) continue;
      any = true;
      const bool in = S >> i & 1;
      ++t.elig[i];
      t.kept[i] += in;
      l1_all[i] += std::fabs(d);
      if (in) l1_kept[i] += std::fabs(d);
      if (ss) {
        ++t.elig_ss[i];
        t.kept_ss[i] += in;
        if (in && resolvable(e, i)) {
          kmin[i] = std::min(kmin[i], static_cast<float>(std::fabs(d)));
          kmax[i] = std::max(kmax[i], static_cast<float>(std::fabs(d)));
        }
      }
    }
    classified += any;
    full_n += S == all;
    if (any) {
      const double D = double(s.c[e]) - s.b[e];
      double pred = 0, lin = 0;
      for (int i = 0; i < k; ++i) {
        const double d = double(s.a[i][e]) - s.b[e];
        if (S >> i & 1) pred += coef[S][i] * d;
        lin += linear[i] * d;
      }
      t.res += (D - pred) * (D - pred);
      t.res_linear += (D - lin) * (D - lin);
    }
  }
  if (classified < kSubsetFitMinElements) return;
  for (size_t e = 0; e < s.n; ++e) {
    if (!finite_at(s, e) || !same_sign_at(e)) continue;
    for (int i = 0; i < k; ++i) {
      const float ad = std::fabs(s.a[i][e] - s.b[e]);
      if (ad == 0 || (cls[e] >> i & 1) || !resolvable(e, i)) continue;
      ++t.dropped[i];
      if (ad > kmax[i]) ++t.above[i];
      else if (ad < kmin[i]) ++t.below[i];
      else ++t.inside[i];
    }
  }
  t.samples = 1;
  t.wn = double(classified);
  t.wn_full = double(full_n);
  for (int i = 0; i < k; ++i) {
    const double single = coef[1 << i][i];
    t.single[i] = t.wn * single;
    t.l1w[i] = l1_all[i] > 0 ? t.wn * single * l1_kept[i] / l1_all[i] : 0;
    t.full[i] = t.wn_full * coef[all][i];
    t.ratio[i] = single != 0 ? t.wn_full * coef[all][i] / single : 0;
  }
  out.add(t);
}

}  // namespace mp
