// The second, scalar pass over a tensor sample: sparsity pattern, rounding-robust alpha, bit-exact
// reproduction and hashes (method_signals.h). It runs on bytes already in memory, after the kernel.
#include "stats/method_signals.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "stats/blocks.h"
#include "stats/precision.h"
#include "stats/rank_keep.h"

namespace mp {

void MethodSignals::add(const MethodSignals& o) {
  for (int i = 0; i < kMaxParents; ++i) {
    ParentSignals& a = p[i];
    const ParentSignals& b = o.p[i];
    a.d_nonzero += b.d_nonzero;
    a.zero_D_nonzero_d += b.zero_D_nonzero_d;
    a.sum_abs_d_zero_D += b.sum_abs_d_zero_D;
    a.sum_abs_d_nonzero_D += b.sum_abs_d_nonzero_D;
    a.max_abs_d_zero_D = std::max(a.max_abs_d_zero_D, b.max_abs_d_zero_D);
    for (int u = 0; u < kCutBuckets; ++u) a.max_abs_d_zero_D_ulps[u] = std::max(a.max_abs_d_zero_D_ulps[u], b.max_abs_d_zero_D_ulps[u]);
    a.min_abs_d_nonzero_D = std::min(a.min_abs_d_nonzero_D, b.min_abs_d_nonzero_D);
    a.kept_Dd += b.kept_Dd;
    a.kept_dd += b.kept_dd;
    a.kept_DD += b.kept_DD;
    a.robust_n += b.robust_n;
    a.robust_Dd += b.robust_Dd;
    a.robust_dd += b.robust_dd;
    a.robust_DD += b.robust_DD;
    a.above_cut += b.above_cut;
    a.cut_elements += b.cut_elements;
    a.max_abs_d_nonzero_D = std::max(a.max_abs_d_nonzero_D, b.max_abs_d_nonzero_D);
    a.dropped_above_kept_min += b.dropped_above_kept_min;
    a.dropped_above_kept_max += b.dropped_above_kept_max;
    a.equal_a += b.equal_a;
    a.res_dropped += b.res_dropped;
    a.res_dropped_above_kept_min += b.res_dropped_above_kept_min;
    a.res_dropped_above_kept_max += b.res_dropped_above_kept_max;
    a.res_kept += b.res_kept;
    a.res_sum_dropped += b.res_sum_dropped;
    a.res_sum_kept += b.res_sum_kept;
  }
  ns.add(o.ns);
  drops += o.drops;
  drops_far += o.drops_far;
  rank_kept.add(o.rank_kept);
  sub.add(o.sub);
  ties.add(o.ties);
  below_cuts += o.below_cuts;
  below_cuts_zero += o.below_cuts_zero;
  ov_n += o.ov_n;
  op_n += o.op_n;
  sum_abs_D += o.sum_abs_D;
  for (int i = 0; i < kMaxParents; ++i) {
    ov_Dd[i] += o.ov_Dd[i];
    ss_Dd[i] += o.ss_Dd[i];
    op_Dd[i] += o.op_Dd[i];
    DDdd[i] += o.DDdd[i];
    for (int j = 0; j < kMaxParents; ++j) {
      ov_dd[i][j] += o.ov_dd[i][j];
      ss_dd[i][j] += o.ss_dd[i][j];
      op_dd[i][j] += o.op_dd[i][j];
      m4[i][j] += o.m4[i][j];
    }
  }
  for (int q = 0; q < kMaxParents * (kMaxParents - 1) / 2; ++q)
    for (int j = 0; j < kMaxParents; ++j) m3[q][j] += o.m3[q][j];
}

namespace {

uint64_t fnv1a(const uint8_t* p, uint64_t n) {
  uint64_t h = 1469598103934665603ull;
  for (uint64_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

// On a rounded suspect only drops of at least this many |d| (4 ulps of B) can set a cut: a kept
// delta of a few ulps also lands at round(B) (compute_method_signals).
double robust_floor(float b, Precision pr) { return 4.0 * ulp_at(std::fabs(static_cast<double>(b)), pr); }

// The rounding unit of C's dtype around an element: the ulp at its largest magnitude.
double element_ulp(float c, float b, float a, Precision pr) {
  return ulp_at(std::max({std::fabs(double(c)), std::fabs(double(b)), std::fabs(double(a))}), pr);
}

// nearswap's t estimate (first pass): an element a clip could have produced carries t within its
// rounding unit u, so each counts with weight 1 / u^2 (the tiny-|B| elements pin t down). Where
// A = C's value is rounded to C's coarser dtype (mergekit's out_dtype: f32 A, BF16 C), an element
// swapped to A holds round(A), and is A's, not a clip (at_base with A in B's place).
void nearswap_candidate(float c, float b, float a, Precision pr, bool coarser, NearswapSignals& ns) {
  const double D = double(c) - b, d = double(a) - b;
  if (at_base(c, a, pr, coarser) || D == 0 || d == 0 || (D > 0) != (d > 0) || std::fabs(D) >= std::fabs(d)) return;
  const double u = element_ulp(c, b, a, pr), w = 1.0 / (u * u);
  ns.w += w;
  ns.wt += w * std::fabs(D);
}

// nearswap's test of one element with A != B against t (second pass): NearswapSignals.
void nearswap_test(float c, float b, float a, double t, Precision pr, bool coarser, NearswapSignals& ns) {
  const double tol = kNearswapUlps * element_ulp(c, b, a, pr) + kNearswapRel * t;
  if (tol > 0.5 * t) return;  // rounding alone could put C at A, at B or at t: says nothing
  ++ns.informative;
  const double d = double(a) - b, ad = std::fabs(d), D = double(c) - b;
  if (ad <= t + tol && at_base(c, a, pr, coarser)) ++ns.equal;
  else if (ad >= t - tol && std::fabs(D - std::copysign(t, d)) <= tol) ++ns.clipped;
}

// The tests that need this tensor's first-pass extremes (the cut-offs): see MethodSignals.
void second_pass(const StreamView& C, const StreamView& B, const StreamView* A, int k, MethodSignals& e) {
  float cut[kMaxParents], kmin[kMaxParents], kmax[kMaxParents];
  double kept_alpha[kMaxParents];
  bool cut_known[kMaxParents];
  double floor_scale[kMaxParents] = {};  // a rounded suspect's drops count from this many robust floors
  const Precision pr = precision_of(C.dtype);
  const bool coarser = pr.mantissa_bits < precision_of(B.dtype).mantissa_bits;
  const bool rounded = coarser || pr.mantissa_bits < precision_of(Dtype::F32).mantissa_bits;
  for (int j = 0; j < k; ++j) {
    const double alpha = std::fabs(e.p[j].kept_alpha());
    kept_alpha[j] = std::isfinite(alpha) ? alpha : 0;
    // A rounded suspect's cut: only drops that a kept delta, alpha |d|, would have moved 4 ulps or
    // more (at a small weight one of 4 ulps of |d| moves C by under an ulp and lands at B: sweep3
    // 107, TIES bf16out at weight 0.22, read linear as those set the cut above kept values)
    if (rounded) {
      const int u = kept_alpha[j] > 0 && kept_alpha[j] < 1
                        ? std::min(kCutBuckets - 1, static_cast<int>(std::ceil(std::log2(1 / kept_alpha[j]))))
                        : 0;
      e.p[j].max_abs_d_zero_D = e.p[j].max_abs_d_zero_D_ulps[u];
      floor_scale[j] = double(1u << u);
    }
    // drops, none of which could set the cut (all within rounding of B, or at sign conflicts):
    // this tensor says nothing of the parent's density (a norm's deltas below its ulp read 1)
    cut_known[j] = e.p[j].max_abs_d_zero_D > 0 || e.p[j].zero_D_nonzero_d == 0;
    cut[j] = e.p[j].max_abs_d_zero_D;
    kmin[j] = e.p[j].min_abs_d_nonzero_D;
    kmax[j] = e.p[j].max_abs_d_nonzero_D;
  }
  const double ns_t = e.ns.t();
  const auto on_grid = [&B](float x) { return round_to(B.dtype, x); };  // |d| on B's grid
  for_each_block(
      C, B, A, k, [&](size_t len, const float* c, const float* b, const float* const* a) {
        for (size_t i = 0; i < len; ++i) {
          if (!std::isfinite(c[i]) || !std::isfinite(b[i])) continue;
          const double D = static_cast<double>(c[i]) - b[i];
          const bool D_zero = at_base(c[i], b[i], pr, coarser);
          double d[kMaxParents];
          bool finite = true, all_below = true, all_above = true, any_d = false;
          int pos = 0, neg = 0;
          for (int j = 0; j < k; ++j) {
            finite = finite && std::isfinite(a[j][i]);
            d[j] = finite ? static_cast<double>(a[j][i]) - b[i] : 0;
            const float ad = static_cast<float>(std::fabs(d[j]));
            if (ad > cut[j]) all_below = false; else all_above = false;
            // a cut no drop could show (every drop below the drops a rounded suspect reads): only
            // |d| above those is surely above it (TIES's overlap, sweep4 007)
            if (!cut_known[j] && rounded && !(ad >= floor_scale[j] * robust_floor(b[i], pr)))
              all_above = false;
            pos += d[j] > 0;
            neg += d[j] < 0;
            any_d = any_d || d[j] != 0;
          }
          if (!finite) continue;
          e.sum_abs_D += std::fabs(D);
          if (k == 1 && d[0] != 0 && std::isfinite(ns_t)) nearswap_test(c[i], b[i], a[0][i], ns_t, pr, coarser, e.ns);
          if (all_below && any_d) {
            ++e.below_cuts;
            e.below_cuts_zero += D_zero;
          }
          if (all_above && !D_zero && (pos == k || neg == k)) {
            ++e.ov_n;
            for (int j = 0; j < k; ++j) {
              e.ov_Dd[j] += D * d[j];
              for (int l = 0; l < k; ++l) e.ov_dd[j][l] += d[j] * d[l];
            }
          }
          const bool same_sign = pos == 0 || neg == 0;
          double(*gdd)[kMaxParents] = same_sign ? e.ss_dd : e.op_dd;
          double* gDd = same_sign ? e.ss_Dd : e.op_Dd;
          e.op_n += !same_sign;
          for (int j = 0; j < k; ++j) {
            gDd[j] += D * d[j];
            for (int l = 0; l < k; ++l) gdd[j][l] += d[j] * d[l];
          }
          for (int j = 0; j < k; ++j) {
            const double dj2 = d[j] * d[j];
            if (same_sign) {
              e.DDdd[j] += D * D * dj2;
              for (int x = 0; x < k; ++x) {
                e.m4[x][j] += d[x] * d[x] * dj2;
                for (int l = x + 1; l < k; ++l) e.m3[pair_index(x, l)][j] += d[x] * d[l] * dj2;
              }
            }
            if (d[j] == 0) continue;
            ParentSignals& p = e.p[j];
            const float ad = static_cast<float>(std::fabs(d[j]));
            if (cut_known[j]) {
              ++p.cut_elements;
              if (ad > cut[j]) ++p.above_cut;
            }
            if (kept_alpha[j] * ad >= kResolvableUlps * ulp_at(std::fabs(static_cast<double>(b[i])), pr)) {
              (D_zero ? p.res_dropped : p.res_kept) += 1;
              (D_zero ? p.res_sum_dropped : p.res_sum_kept) += ad;
              // on the parents' grid (bf16 models merged in bf16 rank q(A - B), whose ties at the
              // cut-offs we see as distinct |d|): a drop tied with the largest kept |d| is the top's
              const float q = on_grid(ad);
              if (D_zero && q > on_grid(kmin[j])) {
                ++p.res_dropped_above_kept_min;
                if (q >= on_grid(kmax[j])) ++p.res_dropped_above_kept_max;
              }
            }
            if (D_zero && ad > kmin[j]) {
              ++p.dropped_above_kept_min;
              if (ad > kmax[j]) ++p.dropped_above_kept_max;
            }
          }
        }
      });
}

}  // namespace

void compute_method_signals(const StreamView& C, const StreamView& B, const StreamView* A, int k,
                    MethodSignals& e) {
  if (k < 0 || k > kMaxParents) return;
  e.k = k;
  const Precision pr = precision_of(C.dtype);
  const bool coarser = pr.mantissa_bits < precision_of(B.dtype).mantissa_bits;
  const bool rounded = pr.mantissa_bits < precision_of(Dtype::F32).mantissa_bits;
  for_each_block(
      C, B, A, k, [&](size_t len, const float* c, const float* b, const float* const* a) {
        for (size_t i = 0; i < len; ++i) {
          if (!std::isfinite(c[i]) || !std::isfinite(b[i])) continue;  // the kernel counts these
          const double D = static_cast<double>(c[i]) - b[i];
          const bool D_zero = at_base(c[i], b[i], pr, coarser);
          if (k == 1 && std::isfinite(a[0][i])) nearswap_candidate(c[i], b[i], a[0][i], pr, coarser, e.ns);
          // "at least 4 ulps of C's dtype at |B|": below that, rounding C snaps the merge to a grid
          // point and the ratio D/d says more about rounding than about alpha.
          const double floor_at = robust_floor(b[i], pr);
          // Where the parents' deltas disagree in sign a sign election drops the losers whatever
          // their |d|; when the winners' kept deltas then round to B, a loser's |d| at C == B is no
          // mask's cut (TIES bf16out, a light parent beside a heavy one: its cut rose above kept
          // values, density 0.62 for 0.72, sweep1 117). Unrounded, C == B only where every parent
          // was trimmed, whatever the signs (the same-sign elements alone would read the cut low).
          bool pos = false, neg = false;
          for (int j = 0; j < k; ++j) {
            pos = pos || a[j][i] > b[i];
            neg = neg || a[j][i] < b[i];
          }
          const bool one_sign = !(pos && neg);
          for (int j = 0; j < k; ++j) {
            if (!std::isfinite(a[j][i])) continue;
            if (a[j][i] == b[i]) continue;  // d == 0: carries no information on this parent
            ParentSignals& p = e.p[j];
            const double d = static_cast<double>(a[j][i]) - b[i];
            const double ad = std::fabs(d);
            ++p.d_nonzero;
            p.equal_a += c[i] == a[j][i];
            if (D_zero) {
              ++p.zero_D_nonzero_d;
              p.sum_abs_d_zero_D += ad;
              // When B is off C's grid (an F32 base, a BF16 suspect) round(B + D) == round(B) for
              // any |D| up to an ulp, so a kept delta of a few ulps also lands at round(B): only
              // drops of at least 4 ulps set the cut (the largest dropped |d|), which one such
              // element would otherwise raise into the kept range. On B's grid (both BF16, the
              // merge in bf16) the same up to half an ulp: TIES bf16 k = 2, 3 read its kept small
              // deltas rounded to B as drops and lost the threshold (sweep1 004, 043).
              if (!(coarser || rounded))
                p.max_abs_d_zero_D = std::max(p.max_abs_d_zero_D, static_cast<float>(ad));
              else if (one_sign)
                for (int u = 0; u < kCutBuckets && ad >= double(1u << u) * floor_at; ++u)
                  p.max_abs_d_zero_D_ulps[u] = std::max(p.max_abs_d_zero_D_ulps[u], static_cast<float>(ad));
            } else {
              p.sum_abs_d_nonzero_D += ad;
              p.min_abs_d_nonzero_D = std::min(p.min_abs_d_nonzero_D, static_cast<float>(ad));
              p.max_abs_d_nonzero_D = std::max(p.max_abs_d_nonzero_D, static_cast<float>(ad));
              p.kept_Dd += D * d;
              p.kept_dd += d * d;
              p.kept_DD += D * D;
            }
            if (ad >= floor_at) {
              ++p.robust_n;
              p.robust_Dd += D * d;
              p.robust_dd += d * d;
              p.robust_DD += D * D;
            }
          }
        }
      });
  second_pass(C, B, A, k, e);
  if (k == 1) rank_keep_one(C, B, A[0], e.p[0].kept_alpha(), e.rank_kept);
  if (k >= 2) compute_subset_fit(C, B, A, k, e.sub);
  const uint64_t n = common_count(C, B, A, k);
  e.hash_c = fnv1a(C.data, dtype_span_bytes(C.dtype, n));
  e.hash_b = fnv1a(B.data, dtype_span_bytes(B.dtype, n));
  for (int j = 0; j < k; ++j) e.hash_a[j] = fnv1a(A[j].data, dtype_span_bytes(A[j].dtype, n));
}

void count_far_drops(const StreamView& C, const StreamView& B, const StreamView* A, int k, const double* alphas,
                     MethodSignals& e) {
  if (k < 1 || k > kMaxParents || alphas == nullptr) return;
  const Precision pr = precision_of(C.dtype);
  const bool coarser = pr.mantissa_bits < precision_of(B.dtype).mantissa_bits;
  // The coefficient C's kept elements carry (least squares where C != B, e's first pass), else
  // `alphas`: a mask's dropped elements would have moved B by that much, weight / density for DARE
  // and DELLA, while the tensor's fit (the weight) can be small enough to hide them under 2 ulps
  // (sweep1 137, della_linear bf16out, weight 0.11 at density 0.28: 37% far on the fit). A linear
  // merge's kept elements carry its alpha, so the zeros its rounding leaves stay near.
  double coef[kMaxParents];
  for (int j = 0; j < k; ++j) coef[j] = std::isfinite(e.p[j].kept_alpha()) ? e.p[j].kept_alpha() : alphas[j];
  for_each_block(C, B, A, k, [&](size_t len, const float* c, const float* b, const float* const* a) {
    for (size_t i = 0; i < len; ++i) {
      if (!std::isfinite(c[i]) || !std::isfinite(b[i]) || !at_base(c[i], b[i], pr, coarser)) continue;
      double pred = 0;
      bool moved = false, finite = true;
      for (int j = 0; j < k; ++j) {
        finite = finite && std::isfinite(a[j][i]);
        const double d = static_cast<double>(a[j][i]) - b[i];
        moved = moved || d != 0;
        pred += coef[j] * d;
      }
      if (!finite || !moved) continue;
      ++e.drops;
      e.drops_far += std::fabs(pred) >= kFarDropUlps * ulp_at(std::fabs(static_cast<double>(b[i])), pr);
    }
  });
}

void bit_exact(const StreamView& C, const StreamView& B, const StreamView* A, int k,
               const double* alphas, BitExact& out) {
  out.applicable = C.dtype == Dtype::BF16 || C.dtype == Dtype::F16 || C.dtype == Dtype::F32;
  if (!out.applicable || k < 1 || k > kMaxParents || alphas == nullptr) return;
  const Dtype cd = C.dtype;

  // fp32 order (a merge run with dtype float32, saved in C's dtype): weights as f32, products and
  // sum in f32, then mergekit's normalisation (divide by the f32 sum of weights, skipped when it
  // is exactly 1), rounded once.
  double alpha_sum = 0;
  for (int j = 0; j < k; ++j) alpha_sum += alphas[j];
  float w32[kMaxParents + 1];
  for (int j = 0; j < k; ++j) w32[j] = static_cast<float>(alphas[j]);
  w32[k] = static_cast<float>(1.0 - alpha_sum);
  float w32_sum = 0;
  for (int j = 0; j <= k; ++j) w32_sum += w32[j];

  // bf16 order (for an F16 suspect the same order in f16; for F32 it nearly equals fp32 order):
  // mergekit's linear with `dtype` = C's dtype: torch.tensor(weights, dtype) rounds
  // each weight; weights * tensors rounds each product; .sum(dim=0) accumulates in f32 (torch's
  // accumulate type for reduced-precision sums) and rounds once; with normalize it divides by
  // weights.sum() (itself a rounded value) and rounds again. For one parent the f32 sum of two
  // rounded terms rounded once equals rounding after the single addition.
  float wr[kMaxParents + 1];
  for (int j = 0; j <= k; ++j) wr[j] = round_to(cd, w32[j]);
  float wr_sum = 0;
  for (int j = 0; j <= k; ++j) wr_sum += wr[j];
  wr_sum = round_to(cd, wr_sum);

  for_each_block(C, B, A, k,
                 [&](size_t len, const float* c, const float* b, const float* const* a) {
                   for (size_t i = 0; i < len; ++i) {
                     bool finite = std::isfinite(c[i]) && std::isfinite(b[i]);
                     for (int j = 0; j < k; ++j) finite = finite && std::isfinite(a[j][i]);
                     if (!finite) continue;
                     ++out.n;

                     float s = 0;
                     for (int j = 0; j < k; ++j) s += w32[j] * a[j][i];
                     s += w32[k] * b[i];
                     if (w32_sum != 1.0f) s /= w32_sum;
                     out.match_fp32 += round_to(cd, s) == c[i];

                     // Inputs are cast to the merge dtype first (a merge in bf16 loads its models
                     // in bf16).
                     float t = 0;
                     for (int j = 0; j < k; ++j) t += round_to(cd, wr[j] * round_to(cd, a[j][i]));
                     t += round_to(cd, wr[k] * round_to(cd, b[i]));
                     t = round_to(cd, t);
                     if (wr_sum != 1.0f) t = round_to(cd, t / wr_sum);
                     out.match_bf16 += t == c[i];
                   }
                 });
}

}  // namespace mp
