// Second, scalar pass over a tensor sample (the bytes are already in memory): the statistics that
// tell merge methods apart and handle bf16 rounding. See shared/merge-signatures.md.
#pragma once
#include <cstdint>
#include <limits>

#include "stats/kernel.h"
#include "stats/precision.h"
#include "stats/subset_fit.h"
#include "stats/ties_sets.h"

namespace mp {

constexpr int kCutBuckets = 6;  // ParentSignals::max_abs_d_zero_D_ulps: drops of 4 to 128 ulps and more

struct ParentSignals {
  uint64_t d_nonzero = 0;          // elements with A_i != B
  uint64_t zero_D_nonzero_d = 0;   // C == B although A_i != B: sparsification (TIES/DARE)
  double sum_abs_d_zero_D = 0;     // sum |d| over those
  double sum_abs_d_nonzero_D = 0;  // sum |d| where C != B and A_i != B
  float max_abs_d_zero_D = 0;      // TIES: every dropped |d| is below every kept |d| (when C is rounded,
                                   // set by second_pass from max_abs_d_zero_D_ulps; 0: no such drop)
  // A rounded suspect's drops where the parents' deltas share a sign, by |d| >= 2^(b + 2) ulps of C
  // at |B|: a kept delta moves C by alpha |d|, so only drops of 4 / alpha ulps and more (and at
  // least 4) are no kept delta rounded to B; second_pass picks the bucket once alpha is known.
  float max_abs_d_zero_D_ulps[kCutBuckets] = {};
  float min_abs_d_nonzero_D = std::numeric_limits<float>::infinity();
  // alpha on kept elements only (D != 0, d != 0): DARE's rescaled weight
  double kept_Dd = 0, kept_dd = 0, kept_DD = 0;
  double kept_alpha() const { return kept_dd > 0 ? kept_Dd / kept_dd : std::numeric_limits<double>::quiet_NaN(); }
  // rounding-robust alpha: only elements with |d| >= 4 ulps of the suspect's dtype at |B|
  uint64_t robust_n = 0;
  double robust_Dd = 0, robust_dd = 0, robust_DD = 0;
  // Second pass, against this tensor's cut-off cut = max |d| where C == B (TIES trims each parent
  // by its own top-k, so C == B only where every parent was trimmed: cut <= the parent's own cut):
  uint64_t above_cut = 0;             // |d| > cut: the parent's kept share (TIES density)
  uint64_t cut_elements = 0;          // d != 0 in tensors whose cut is known (no drops, or one sets it)
  float max_abs_d_nonzero_D = 0;      // breadcrumbs: the kept band's top
  uint64_t dropped_above_kept_min = 0;  // C == B with |d| above the smallest kept |d|
  uint64_t dropped_above_kept_max = 0;  // ... and above the largest kept |d| (breadcrumbs' top gamma)
  uint64_t equal_a = 0;  // C == A_i (where A_i != B)
  // DARE vs DELLA (is the mask blind to |d|?) on the elements whose kept value C's rounding cannot
  // snap back to B: |alpha_kept d| >= kResolvableUlps ulps of C's dtype at |B|, alpha_kept the
  // tensor's first-pass least squares on the kept elements. A rounded suspect (bf16) leaves small
  // kept |d| at B as well, which alone pulls mean |d| dropped / kept under 1 for a blind mask.
  uint64_t res_dropped = 0, res_kept = 0;
  double res_sum_dropped = 0, res_sum_kept = 0;
  // dropped_above_kept_min / _max over those resolvable drops: a kept delta rounding leaves at B
  // is never one, so breadcrumbs' band shows through a rounded suspect (one parent, bf16)
  uint64_t res_dropped_above_kept_min = 0, res_dropped_above_kept_max = 0;
};
// How far (ulps of C's dtype at |B|) a kept element must move B to count in the resolvable drop
// ratio: C's rounding moves it by at most half an ulp, so 2 leaves it at least 1.5 ulps off B.
constexpr double kResolvableUlps = 2.0;

// nearswap (one parent): |D| = min(|d|, t), C bit-equal to A where |d| <= t. Rounding C to a
// coarse dtype moves a clipped element by up to about two ulps at max(|A|, |B|, |C|) (mergekit's
// bf16 arithmetic rounds w, w A, (1 - w) B and their sum), so t is estimated from the elements
// that carry it most precisely and each element is tested against t within its own rounding.
struct NearswapSignals {
  // First pass: precision-weighted mean of |D| over the elements a clip could have produced
  // (C != A, C != B, D of d's sign and smaller): sum |D| / u^2 and sum 1 / u^2, u the ulp above.
  double w = 0, wt = 0;
  // Second pass, against this tensor's t = wt / w, over the informative elements (d != 0 and
  // rounding tolerance under t / 2): C == A where |d| <= t + tol, |D - t sign(d)| <= tol where
  // |d| >= t - tol (tol = kNearswapUlps u + kNearswapRel t).
  uint64_t informative = 0, equal = 0, clipped = 0;
  double t() const { return w > 0 ? wt / w : std::numeric_limits<double>::quiet_NaN(); }
  void add(const NearswapSignals& o) {
    w += o.w;
    wt += o.wt;
    informative += o.informative;
    equal += o.equal;
    clipped += o.clipped;
  }
};
// The rounding tolerance of the nearswap test: ulps of C's dtype at max(|A|, |B|, |C|), and a
// relative part for the rounded weight w = t / |d| (bf16: 2^-9 relative). Measured on the
// mergekit nearswap cases (t = 0.002, 0.005; f32 and bf16): every informative element within it
// (share 1.000); every other one-parent mergekit / core case 0.30 or less.
constexpr double kNearswapUlps = 2.0;
constexpr double kNearswapRel = 0.01;

struct MethodSignals {
  int k = 1;
  ParentSignals p[kMaxParents];
  // Hard-threshold test over all parents at once: elements where every parent's |d| is at most its
  // cut; TIES leaves all of them at B (the cut is below every trimmed element), a random mask not.
  uint64_t below_cuts = 0, below_cuts_zero = 0;
  // TIES's overlap: every parent above its cut, all d of one sign, C != B. There C - B is the
  // weighted mean lambda sum w_i d_i / sum w_i, so least squares on these elements gives lambda w_i / W.
  double ov_dd[kMaxParents][kMaxParents] = {}, ov_Dd[kMaxParents] = {};
  uint64_t ov_n = 0;
  // Least squares of D on the d_i where no two parents' deltas have opposite signs (a sign
  // consensus changes nothing there) and where some do (a consensus keeps one side only).
  double ss_dd[kMaxParents][kMaxParents] = {}, ss_Dd[kMaxParents] = {};
  double op_dd[kMaxParents][kMaxParents] = {}, op_Dd[kMaxParents] = {};
  uint64_t op_n = 0;
  // DARE's per-parent density from fourth moments over the same-sign elements (independent
  // masks, E[m_i^2] = rho_i):
  // sum D^2 d_j^2 = sum_i (w_i^2 / rho_i) sum d_i^2 d_j^2 + sum_{i != l} w_i w_l sum d_i d_l d_j^2.
  double m4[kMaxParents][kMaxParents] = {};                // sum d_i^2 d_j^2
  // sum d_i d_l d_j^2 for i < l, pair index pair_index(i, l)
  double m3[kMaxParents * (kMaxParents - 1) / 2][kMaxParents] = {};
  double DDdd[kMaxParents] = {};                           // sum D^2 d_j^2
  double sum_abs_D = 0;                                    // L1 weight of a one-parent DARE/DELLA
  NearswapSignals ns;                                      // k == 1 only
  // Elements left at B although some d_i != 0, and those among them where sum c_i d_i, c_i the
  // coefficient of the kept elements, moves B by at least kFarDropUlps ulps of C's dtype: rounding
  // a linear merge (in any operation order) cannot leave those at B, a sparsifying mask can
  // (count_far_drops).
  uint64_t drops = 0, drops_far = 0;
  LineSums rank_kept;  // k == 1: DELLA's rank test (rank_keep.h), kept where C is off B
  SubsetSignals sub;  // per-element kept-parent sets (k >= 2): subset_fit.h
  // TIES's kept sets from its cuts at the first verdict's densities (ties_sets.h; filled only
  // after a TIES verdict with k >= 2, by Analysis::compute)
  TiesSets ties;
  uint64_t hash_c = 0, hash_b = 0, hash_a[kMaxParents] = {};  // FNV-1a 64 of each sample's raw bytes
  void add(const MethodSignals& other);  // pool (hashes are not pooled: they are kept per tensor)
};

// Index of the pair (i, l), i < l < kMaxParents, into MethodSignals::m3.
constexpr int pair_index(int i, int l) { return i * (2 * kMaxParents - i - 1) / 2 + (l - i - 1); }

// A linear merge's rounding moves an element by at most about an ulp of C's dtype (one rounding
// of an off-grid B, or mergekit's bf16 order: each product, then the sum); twice that is beyond it.
constexpr double kFarDropUlps = 2;

// Adds to e.drops / e.drops_far (see MethodSignals), predicting each zero with the coefficient C's
// kept elements carry (e's kept sums, from compute_method_signals on the same tensor), or with the
// tensor's fitted alphas where no element was kept.
void count_far_drops(const StreamView& C, const StreamView& B, const StreamView* A, int k, const double* alphas,
                     MethodSignals& e);

void compute_method_signals(const StreamView& C, const StreamView& B, const StreamView* A, int k, MethodSignals& e);

// Bit-exact reproduction: for fitted alphas, the share of elements where the merge recomputed from
// A_i and B, rounded to C's dtype, equals C exactly. Two operation orders:
//   fp32: round(sum_i alpha_i*A_i + (1 - sum alpha_i)*B) computed in f32, rounded once;
//   bf16: mergekit's order with dtype bf16: weights cast to bf16, each product rounded to bf16,
//         the sum rounded to bf16 (then divided by the bf16 sum of weights when it is not 1).
struct BitExact {
  bool applicable = false;  // C is BF16 or F16 (rounding is visible); F32 suspects compare exactly too
  uint64_t n = 0;
  uint64_t match_fp32 = 0;
  uint64_t match_bf16 = 0;
  void add(const BitExact& o) { applicable = applicable || o.applicable; n += o.n; match_fp32 += o.match_fp32; match_bf16 += o.match_bf16; }
};

void bit_exact(const StreamView& C, const StreamView& B, const StreamView* A, int k,
               const double* alphas, BitExact& out);

}  // namespace mp
