// Per-element kept-parent sets of a sparsifying merge (subset_fit.h).
#include "stats/subset_fit.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "stats/method_signals.h"
#include "stats/subset_fit_parts.h"

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
    single_by_sample[i].insert(single_by_sample[i].end(), o.single_by_sample[i].begin(), o.single_by_sample[i].end());
    ratio_by_sample[i].insert(ratio_by_sample[i].end(), o.ratio_by_sample[i].begin(), o.ratio_by_sample[i].end());
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
    elig_soft[i] += o.elig_soft[i];
    kept_soft[i] += o.kept_soft[i];
    l1w_soft[i] += o.l1w_soft[i];
    elig_band[i] += o.elig_band[i];
    in_band[i] += o.in_band[i];
    rank_kept[i].add(o.rank_kept[i]);
  }
  conflict_n += o.conflict_n;
  conflict_kept += o.conflict_kept;
  conflict_expected += o.conflict_expected;
}

namespace {

constexpr int kRounds = 4;  // classify-and-refit rounds (the classes settle after two or three)

}  // namespace

using namespace subset;

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
  // element (exactly in f32; within the rounding of C otherwise, so only |d_i| of kModeMinUlps ulps
  // or more count).
  const double tol = exact ? 1e-5 : 0.03;
  double coef[1 << kMaxParents][kMaxParents] = {};
  double start[kMaxParents], rounded_start[kMaxParents];
  for (int i = 0; i < k; ++i) {
    std::vector<double> r;
    for (size_t e = 0; e < s.n; ++e) {
      if (!finite_at(s, e) || s.at_b[e]) continue;
      const double d = double(s.a[i][e]) - s.b[e];
      if (d == 0 || (!exact && std::fabs(d) < kModeMinUlps * ulp_of(C.dtype, std::fabs(double(s.b[e]))))) continue;
      r.push_back((double(s.c[e]) - s.b[e]) / d);
    }
    if (r.size() < kSubsetFitMinElements) return;
    rounded_start[i] = exact ? NAN : rounded_mode(r, tol);  // sorts r, which mode_of does anyway
    start[i] = mode_of(r, tol);
    if (!std::isfinite(start[i])) return;
  }
  // A light parent's pile of ratios is wider than mode_of's relative window on a rounded suspect
  // (rounded_mode); where the two modes disagree, the one whose sets explain C better is kept.
  double start_res = NAN;  // classified only once some parent's modes disagree
  for (int i = 0; i < k; ++i) {
    if (!(std::fabs(rounded_start[i] - start[i]) > 1.0 / kModeMinUlps)) continue;
    double other[kMaxParents];
    std::copy(start, start + k, other);
    other[i] = rounded_start[i];
    if (std::isnan(start_res)) start_res = fixed_residual(s, start);
    const double other_res = fixed_residual(s, other);
    if (other_res < start_res) {
      start[i] = rounded_start[i];
      start_res = other_res;
    }
  }
  for (int i = 0; i < k; ++i)
    for (int S = 1; S < (1 << k); ++S) coef[S][i] = start[i];  // without normalise every set shares it
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
  // Every nonzero d_j of one sign (no sign election can drop a parent there), read by each count
  // below, so decided once per element.
  std::vector<uint8_t> one_sign(s.n);
  for (size_t e = 0; e < s.n; ++e) {
    int pos = 0, neg = 0;
    for (int i = 0; i < k; ++i) {
      const float d = s.a[i][e] - s.b[e];
      pos += d > 0;
      neg += d < 0;
    }
    one_sign[e] = pos == 0 || neg == 0;
  }
  const auto same_sign_at = [&one_sign](size_t e) { return one_sign[e] != 0; };
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
    // (|d_i|, kept) of the resolvable same-sign elements with |d_i| in [lo, hi], sorted
    std::vector<std::pair<float, bool>> r;
    const auto collect = [&](float lo, float hi) {
      r.clear();
      for (size_t e = 0; e < s.n; ++e) {
        if (!finite_at(s, e) || !same_sign_at(e) || !resolvable(e, i)) continue;
        const float ad = std::fabs(s.a[i][e] - s.b[e]);
        if (ad > 0 && ad >= lo && ad <= hi) r.emplace_back(ad, (cls[e] >> i & 1) != 0);
      }
      thin(r);
      std::sort(r.begin(), r.end());
    };
    // the bottom: dropped below it, kept from it up to the largest kept |d|
    collect(0, kmax[i]);
    if (r.size() < kSubsetFitMinElements) continue;
    size_t at = best_split(r, false);
    const float cut = at < r.size() ? r[at].first : std::nextafter(r.back().first, INFINITY);
    // the top the same way (one misread top element would carry the largest kept |d| into the
    // dropped top gamma): kept up to it, dropped above
    collect(cut, INFINITY);
    if (r.empty()) continue;
    at = best_split(r, true);
    const float top = at > 0 ? r[at - 1].first : cut;
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
      // On a rounded suspect, only where the nearest set with parent i and the nearest without it
      // lie 2 ulps apart: with four parents a light one's large delta can stand in for another
      // parent's (sweep4 002, breadcrumbs bf16out, weight 0.13 beside 0.26-0.64: 13% of its top
      // read kept), and rounding then picks between the two sets.
      if (!exact && std::fabs(membership_margin(s, e, coef, i)) <
                        2 * ulp_of(C.dtype, std::max(std::fabs(double(s.b[e])), std::fabs(double(s.c[e])))))
        continue;
      ++t.top[i];
      t.top_dropped[i] += !(cls[e] >> i & 1);
    }
  }
  // DELLA's rank (rank_keep.h), on the resolvable same-sign elements of the rows it reads.
  {
    const RankedRows rr(s.n, C.row_len);
    std::vector<float> q;
    for (int i = 0; i < k; ++i)
      for (size_t r = 0; r < rr.rows; r += rr.step) {
        const size_t at = rr.begin(r);
        rank_norm(s.a[i].data() + at, s.b.data() + at, rr.len, q);
        for (size_t j = 0; j < rr.len; ++j) {
          const size_t e = at + j;
          if (!finite_at(s, e) || s.a[i][e] == s.b[e] || !same_sign_at(e) || !resolvable(e, i)) continue;
          t.rank_kept[i].add(q[j], (cls[e] >> i & 1) != 0);
        }
      }
  }
  // DELLA's keep probability rises with |d|'s rank: this sample's keep line's slope, 2 epsilon
  double slope[kMaxParents] = {};
  for (int i = 0; i < k; ++i) {
    const LineSums& q = t.rank_kept[i];
    slope[i] = q.n >= kSubsetFitMinElements && std::isfinite(q.slope()) ? q.slope() : 0;
  }
  // (an f32 suspect's sets are exact, and its kept shares are read over every element, not only
  // the same-sign ones: with four parents an eighth, whose L1 share strays 0.005 from the mask's)
  const SoftKept soft = exact ? SoftKept{} : soft_kept(s, coef, C.dtype, one_sign, slope);
  t.samples = 1;
  t.wn = double(classified);
  t.wn_full = double(full_n);
  for (int i = 0; i < k; ++i) {
    const double single = coef[1 << i][i];
    t.single[i] = t.wn * single;
    t.single_by_sample[i].emplace_back(single, t.wn);
    t.l1w[i] = l1_all[i] > 0 ? t.wn * single * l1_kept[i] / l1_all[i] : 0;
    t.l1w_ss[i] = l1_all_ss[i] > 0 ? t.wn * single * l1_kept_ss[i] / l1_all_ss[i] : 0;
    t.elig_soft[i] = soft.elig[i];
    t.kept_soft[i] = soft.kept[i];
    t.l1w_soft[i] = soft.l1_all[i] > 0 ? t.wn * single * soft.l1_kept[i] / soft.l1_all[i] : 0;
    t.full[i] = t.wn_full * coef[all][i];
    t.ratio[i] = single != 0 ? t.wn_full * coef[all][i] / single : 0;
    if (single != 0 && full_n > 0) t.ratio_by_sample[i].emplace_back(coef[all][i] / single, t.wn_full);
  }
  out.add(t);
}

}  // namespace mp
