// The pieces of stats/subset_fit.cpp's per-element kept sets: the sample, the readings of a set's
// coefficients (modes, the normalise reading), the classification and the band's split, so that
// compute_subset_fit reads as the order of its steps. Internal to src/stats.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "format/dtype.h"
#include "stats/kernel.h"

namespace mp::subset {

// On a rounded suspect the ratios D / d_i start from |d_i| of this many ulps of C or more.
constexpr int kModeMinUlps = 16;
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

// A sample's prefix of every stream, decoded to f32.
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

// Solves the n x n system a x = b in place (n <= kMaxParents); false when singular.
bool solve_small(int n, double a[kMaxParents][kMaxParents], double* b);
double mode_of(std::vector<double>& r, double tol);
// On a rounded suspect each D / d_i (|d_i| >= kModeMinUlps ulps of C) lies within half an ulp over
// kModeMinUlps ulps of its coefficient, an absolute spread: a light parent's pile (0.11: +-28%) is
// far wider than mode_of's relative window, which then settles on a denser stretch of the other
// parents' ratios higher up (sweep6 017, breadcrumbs bf16out, 0.11 beside 0.13-0.86: 0.77-1.48 in
// every sample). So the pile is found with windows at least 1 / kModeMinUlps wide, none starting
// nearer 0 than that (where the ratios of 1-ulp D pile up), and read at `tol` among its ratios.
// Only a candidate: the other parents' ratios are densest near 0, where windows this wide find
// them before a sparse parent's pile (sweep6 011, dare_linear bf16mk: 1.48 read -0.06), so the
// fit keeps whichever start explains C better (fixed_residual). NaN when no window holds enough.
double rounded_mode(std::vector<double>& r, double tol);
Alternatives unfitted_alternatives(int k, const uint64_t* cnt, const double coef[][kMaxParents]);
int classify(const Sample& s, size_t e, const double coef[][kMaxParents], const Alternatives& alt);
// How much nearer to C the nearest set keeping parent i comes than the nearest without it (the
// empty set predicts B): negative where i is best dropped, near 0 where rounding cannot tell.
double membership_margin(const Sample& s, size_t e, const double coef[][kMaxParents], int i);
int first_class(const Sample& s, size_t e, const double coef[][kMaxParents], double tol);
// Element e's deltas d_i into d; the bits of the parents with d_i != 0.
int deltas_at(const Sample& s, size_t e, double* d);

// Per parent, over the same-sign elements (no sign election): those with d_i != 0, their |d_i|,
// and the (expected) kept ones and their |d_i|.
struct SoftKept {
  double elig[kMaxParents] = {}, kept[kMaxParents] = {}, l1_all[kMaxParents] = {}, l1_kept[kMaxParents] = {};
};
// A rounded suspect's kept shares (f32 suspects' nearest sets are exact). Several sets can land
// within C's rounding of an element, and the nearest, chosen whatever the masks' keep rates, pulls
// every parent's kept share toward a half: four parents in bf16, densities 0.76, 0.72, 0.54, 0.21
// read 0.738, 0.705, 0.543, 0.239 (sweep6 023, dare_ties bf16out), and DARE's weight (its
// alone-kept coefficient times the kept L1 share) with them. Here each set's likelihood is a box of
// C's rounding with soft edges, its prior the product of the parents' keep probabilities
// (independent masks: on same-sign elements no election removes a parent), and the rates are their
// posterior shares, iterated to a fixed point (expectation-maximisation); a set the element rules
// out counts nothing. A parent's keep probability is its rate plus slope[i] (q - 1/2) for the rank
// q of |d_i| (DELLA's 2 epsilon, from the nearest sets' keep line; 0 for DARE): the undecided
// elements are mostly small |d|, which DELLA keeps less often, and a flat prior read bf16 DELLA's
// densities up to 0.047 high. The kept counts returned are the rate at the middle rank times the
// elements (DELLA's density; the posterior counts where the slope is 0).
SoftKept soft_kept(const Sample& s, const double coef[][kMaxParents], Dtype dtype, const std::vector<uint8_t>& one_sign,
                   const double* slope);
bool finite_at(const Sample& s, size_t e);
double residual(const Sample& s, const double coef[][kMaxParents], const std::vector<uint8_t>& cls);
// The residual of the reading without normalise (every set shares the coefficients c), classified.
double fixed_residual(const Sample& s, const double c[kMaxParents]);
bool normalised_reading(const Sample& s, const double c[kMaxParents], double tol, Dtype dtype, bool exact,
                        double coef[][kMaxParents]);

// (|d_i|, kept) pairs sorted by |d_i|: the split with the fewest errors when the elements below it
// are predicted `below_kept` and the rest the opposite, as a position 0..size (between distinct
// |d| only): breadcrumbs' band bottom (below dropped) and top (below kept).
size_t best_split(const std::vector<std::pair<float, bool>>& r, bool below_kept);

}  // namespace mp::subset
