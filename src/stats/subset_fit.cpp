// Per-element kept-parent sets of a sparsifying merge (subset_fit.h).
#include "stats/subset_fit.h"

#include <algorithm>
#include <cmath>
#include <utility>
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
    l1w_ss[i] += o.l1w_ss[i];
    dropped[i] += o.dropped[i];
    inside[i] += o.inside[i];
    above[i] += o.above[i];
    below[i] += o.below[i];
    top[i] += o.top[i];
    top_dropped[i] += o.top_dropped[i];
    elig_res[i] += o.elig_res[i];
    kept_res[i] += o.kept_res[i];
    elig_band[i] += o.elig_band[i];
    in_band[i] += o.in_band[i];
  }
  conflict_n += o.conflict_n;
  conflict_kept += o.conflict_kept;
  conflict_expected += o.conflict_expected;
}

namespace {

constexpr int kRounds = 4;  // classify-and-refit rounds (the classes settle after two or three)
constexpr uint64_t kMinSetElements = 16;  // a set's coefficients are refitted from this many elements
// The pairs' t modes and the band's cut-offs are read from at most this many elements, an even
// stride through the sample: sorting all 2^18 cost as much as the rest of the fit (k = 3, 2^18
// elements: 219 ms against 141 ms without them), and a quantile or a mode needs far fewer.
constexpr size_t kSortedMaxElements = size_t(1) << 14;

// Every step-th element of v, so that at most kSortedMaxElements remain (in place).
template <typename T>
void thin(std::vector<T>& v) {
  if (v.size() <= kSortedMaxElements) return;
  const size_t step = (v.size() + kSortedMaxElements - 1) / kSortedMaxElements;
  size_t o = 0;
  for (size_t j = 0; j < v.size(); j += step) v[o++] = v[j];
  v.resize(o);
}

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

struct Sample {
  int k = 0;
  size_t n = 0;
  std::vector<float> c, b, a[kMaxParents];
  // C left at B at C's precision (left_at_base): a BF16 suspect of an F32 base holds round(B)
  // where every parent was dropped, so c == b would count those elements as kept.
  std::vector<uint8_t> at_b;
};

// Round 0 only fills the single-parent sets and the set of all; a set between (k >= 3) that no
// element has reached keeps its start value, the single coefficients, which is right without
// normalise (a_{S,i} = w_i s_i) but not with it (a_{S,i} = w_i s_i / W_S), so no element would
// join it and refit it. Such a set is also tried with the value normalise implies from the set of
// all: r_i = a_{all,i} / a_{{i},i} = w_i / W, a_{S,i} = a_{all,i} / sum_{j in S} r_j. Both are
// tried (round 0's set of all also holds the pairs, so r alone cannot tell whether normalise
// acts); the elements each draws then refit the set.
struct Alternatives {
  double coef[1 << kMaxParents][kMaxParents] = {};
  uint32_t sets = 0;  // bit S: coef[S] is tried too
};

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

// The nearest prediction's set (bit i: parent i kept); 0 where C == B. Parents with d_i == 0 are
// never in the set (nothing to keep).
int classify(const Sample& s, size_t e, const double coef[][kMaxParents], const Alternatives& alt) {
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
  // That reading (no normalise: every set's coefficients are the single ones), kept to compare
  // with the free fit below.
  double fixed[1 << kMaxParents][kMaxParents];
  std::copy(&coef[0][0], &coef[0][0] + (1 << kMaxParents) * kMaxParents, &fixed[0][0]);
  std::vector<uint8_t> cls(s.n, 0);
  Alternatives alt;
  for (int round = 0; round < kRounds; ++round) {
    double g[1 << kMaxParents][kMaxParents][kMaxParents] = {}, r[1 << kMaxParents][kMaxParents] = {};
    uint64_t cnt[1 << kMaxParents] = {};
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e)) continue;
      // Round 0: only elements at a parent's mode are that parent's alone; the rest start in the
      // set of all parents with d != 0, whose coefficients (normalised or not) the fit then finds.
      const int S = round > 0 ? classify(s, e, coef, alt) : first_class(s, e, coef, tol);
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
      if (cnt[S] < kMinSetElements) continue;
      int idx[kMaxParents], m = 0;
      for (int i = 0; i < k; ++i) if (S >> i & 1) idx[m++] = i;
      double a[kMaxParents][kMaxParents], x[kMaxParents];
      for (int p = 0; p < m; ++p) {
        for (int q = 0; q < m; ++q) a[p][q] = g[S][idx[p]][idx[q]];
        x[p] = r[S][idx[p]];
      }
      if (solve_small(m, a, x)) for (int p = 0; p < m; ++p) coef[S][idx[p]] = x[p];
    }
    alt = unfitted_alternatives(k, cnt, coef);
  }
  // The free fit refits each set from the elements it drew. On a rounded suspect a set can drift
  // there (the set of all, which round 0 also gave the pairs, settled at 0.40, 0.39, 0.82 where
  // DARE's 0.46, 0.84, 1.90 hold: sweep1 007, bf16; with two parents, a light one next to a heavy
  // one, 145) and then keeps the elements that would prove it wrong. Without normalise the single
  // coefficients fix every set, so that reading is classified too and the closer one (less squared
  // residual) kept; a tie keeps it.
  {
    std::vector<uint8_t> fixed_cls(s.n, 0);
    for (size_t e = 0; e < s.n; ++e) if (finite_at(s, e)) fixed_cls[e] = static_cast<uint8_t>(classify(s, e, fixed, Alternatives{}));
    double best = residual(s, coef, cls);
    const double fixed_res = residual(s, fixed, fixed_cls);
    if (fixed_res <= best) {
      std::copy(&fixed[0][0], &fixed[0][0] + (1 << kMaxParents) * kMaxParents, &coef[0][0]);
      cls.swap(fixed_cls);
      best = fixed_res;
    }
    // The normalise reading, where k >= 3 leaves the free fit room to settle elsewhere.
    double norm[1 << kMaxParents][kMaxParents] = {}, single[kMaxParents];
    for (int i = 0; i < k; ++i) single[i] = fixed[1 << i][i];
    if (k >= 3 && normalised_reading(s, single, tol, C.dtype, exact, norm)) {
      std::vector<uint8_t> norm_cls(s.n, 0);
      for (size_t e = 0; e < s.n; ++e) if (finite_at(s, e)) norm_cls[e] = static_cast<uint8_t>(classify(s, e, norm, Alternatives{}));
      if (residual(s, norm, norm_cls) < best) {
        std::copy(&norm[0][0], &norm[0][0] + (1 << kMaxParents) * kMaxParents, &coef[0][0]);
        cls.swap(norm_cls);
      }
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
  double l1_all[kMaxParents] = {}, l1_kept[kMaxParents] = {}, l1_all_ss[kMaxParents] = {}, l1_kept_ss[kMaxParents] = {};
  float kmin[kMaxParents], kmax[kMaxParents];
  std::fill(kmin, kmin + kMaxParents, INFINITY);
  std::fill(kmax, kmax + kMaxParents, 0.0f);
  uint64_t classified = 0, full_n = 0;
  const int all = (1 << k) - 1;
  // On a rounded suspect a parent's contribution below 2 ulps of C cannot be told kept from
  // dropped: the band test (kept range, dropped outside it) reads only the resolvable ones. The ulp
  // at the larger of |B| and |C|: another parent's large delta can carry C to a coarser binade (a
  // small-weight parent next to a heavy one, sweep1 145, bf16: kept 0.48 for 0.59 at |B|'s ulp).
  const auto resolvable = [&](size_t e, int i) {
    if (exact) return true;
    const double c = coef[1 << i][i] * (double(s.a[i][e]) - s.b[e]);
    return std::fabs(c) >= 2 * ulp_of(C.dtype, std::max(std::fabs(double(s.b[e])), std::fabs(double(s.c[e]))));
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
        l1_all_ss[i] += std::fabs(d);
        if (in) l1_kept_ss[i] += std::fabs(d);
        ++t.elig_ss[i];
        t.kept_ss[i] += in;
        if (resolvable(e, i)) {
          ++t.elig_res[i];
          t.kept_res[i] += in;
        }
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
  // Conflicts: every nonzero weighted delta resolvable, both signs present.
  double rho[kMaxParents];
  for (int i = 0; i < k; ++i)
    rho[i] = t.elig_res[i] ? double(t.kept_res[i]) / double(t.elig_res[i]) : 0;  // rounding-free kept shares
  for (size_t e = 0; e < s.n; ++e) {
    if (!finite_at(s, e)) continue;
    int pos = 0, neg = 0;
    bool clear = true;
    for (int i = 0; i < k && clear; ++i) {
      const double w = coef[1 << i][i] * (double(s.a[i][e]) - s.b[e]);
      if (w == 0) continue;
      clear = resolvable(e, i);
      (w > 0 ? pos : neg) |= 1 << i;
    }
    if (!clear || !pos || !neg) continue;
    ++t.conflict_n;
    t.conflict_kept += (cls[e] & pos) && (cls[e] & neg);
    double none_pos = 1, none_neg = 1;
    for (int i = 0; i < k; ++i) {
      if (pos >> i & 1) none_pos *= 1 - rho[i];
      if (neg >> i & 1) none_neg *= 1 - rho[i];
    }
    t.conflict_expected += (1 - none_pos) * (1 - none_neg);
  }
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
  for (int i = 0; i < k; ++i) {
    if (!(kmax[i] >= kmin[i])) continue;
    std::vector<std::pair<float, bool>> r;  // (|d_i|, kept) of the resolvable same-sign elements
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e) || !same_sign_at(e) || !resolvable(e, i)) continue;
      const float ad = std::fabs(s.a[i][e] - s.b[e]);
      if (ad > 0 && ad <= kmax[i]) r.emplace_back(ad, (cls[e] >> i & 1) != 0);
    }
    if (r.size() < kSubsetFitMinElements) continue;
    thin(r);
    std::sort(r.begin(), r.end());
    // errors of cut r[j]: kept below it plus dropped at or above it
    int64_t err = 0, best = 0;
    for (const auto& x : r) err += !x.second;
    best = err;
    float cut = r[0].first;
    for (size_t j = 0; j < r.size(); ++j) {
      err += r[j].second ? 1 : -1;
      if (err < best && (j + 1 == r.size() || r[j + 1].first > r[j].first)) {
        best = err;
        cut = j + 1 < r.size() ? r[j + 1].first : std::nextafter(r[j].first, INFINITY);
      }
    }
    // the top the same way (one misread top element would carry the largest kept |d| into the
    // dropped top gamma): errors of top r[j]: dropped in [cut, r[j]] plus kept above it
    r.clear();
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e) || !same_sign_at(e) || !resolvable(e, i)) continue;
      const float ad = std::fabs(s.a[i][e] - s.b[e]);
      if (ad >= cut) r.emplace_back(ad, (cls[e] >> i & 1) != 0);
    }
    if (r.empty()) continue;
    thin(r);
    std::sort(r.begin(), r.end());
    err = 0;
    for (const auto& x : r) err += x.second;
    best = err;
    float top = cut;
    for (size_t j = 0; j < r.size(); ++j) {
      err += r[j].second ? -1 : 1;
      if (err < best && (j + 1 == r.size() || r[j + 1].first > r[j].first)) {
        best = err;
        top = r[j].first;
      }
    }
    for (size_t e = 0; e < s.n; ++e) {
      const float ad = std::fabs(s.a[i][e] - s.b[e]);
      if (!finite_at(s, e) || ad == 0) continue;
      ++t.elig_band[i];
      t.in_band[i] += ad >= cut && ad <= top;
    }
  }
  for (int i = 0; i < k; ++i) {
    std::vector<float> mag;
    for (size_t e = 0; e < s.n; ++e) {
      const float ad = std::fabs(s.a[i][e] - s.b[e]);
      if (finite_at(s, e) && ad > 0 && same_sign_at(e)) mag.push_back(ad);
    }
    const size_t n_top = size_t(kSubsetTopShare * double(mag.size()));
    if (n_top == 0) continue;
    std::nth_element(mag.begin(), mag.end() - long(n_top), mag.end());
    const float cut = mag[mag.size() - n_top];
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e) || !same_sign_at(e) || !(std::fabs(s.a[i][e] - s.b[e]) >= cut)) continue;
      ++t.top[i];
      t.top_dropped[i] += !(cls[e] >> i & 1);
    }
  }
  t.samples = 1;
  t.wn = double(classified);
  t.wn_full = double(full_n);
  for (int i = 0; i < k; ++i) {
    const double single = coef[1 << i][i];
    t.single[i] = t.wn * single;
    t.l1w[i] = l1_all[i] > 0 ? t.wn * single * l1_kept[i] / l1_all[i] : 0;
    t.l1w_ss[i] = l1_all_ss[i] > 0 ? t.wn * single * l1_kept_ss[i] / l1_all_ss[i] : 0;
    t.full[i] = t.wn_full * coef[all][i];
    t.ratio[i] = single != 0 ? t.wn_full * coef[all][i] / single : 0;
  }
  out.add(t);
}

}  // namespace mp
