// Which parents' deltas C carries, element by element (k >= 2). mergekit's sparsifying methods
// (DELLA, breadcrumbs, DARE, TIES) drop each parent's delta on its own, so at one element
//     C - B = sum_{i in S} a_{S,i} d_i
// for the set S of parents kept there, with coefficients fixed within a tensor: DARE/DELLA rescale
// each task vector by its own L1 factor s_i, and TIES/DELLA divide by the weights kept at the
// element, so a_{S,i} = w_i s_i / sum_{j in S} w_j depends on S (without normalise a_{S,i} = w_i s_i).
// Pooled, C == B only where every parent was dropped: per-parent densities need S itself.
// compute_subset_fit classifies each element by the nearest of the 2^k - 1 predictions, refitting
// the coefficients per class (a few rounds, started from the modes of D / d_i, which are exact where
// one parent alone is kept), then counts per parent what was kept, where and how large.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "stats/kernel.h"
#include "stats/rank_keep.h"

namespace mp {

// Elements of one sample the fit reads (a prefix: the coefficients are fixed per tensor, and this
// bounds the scratch memory to 6 x 4 x 2^18 bytes, plus 2 x 2^18 of flags, in wasm).
constexpr uint64_t kSubsetFitMaxElements = 1u << 18;
// The top share of |d_i| the breadcrumbs test reads: below the smallest gamma the sweep draws
// (0.005; mergekit's default 0.01), so every such element lies inside gamma's top even when the
// sample (a prefix) ranks a little differently from the whole tensor.
constexpr double kSubsetTopShare = 0.002;
// Fewer classified elements than this in a sample: no fit (the modes are not reliable).
constexpr uint64_t kSubsetFitMinElements = 64;

struct SubsetSignals {
  // Sums over samples with a fit; every field pools by addition (single_by_sample by concatenation).
  uint32_t samples = 0;
  double wn = 0;       // elements classified: the weight of `single`, `l1w` and `l1w_ss`
  double wn_full = 0;  // elements with every parent kept: the weight of `full` and `ratio`
  // Over the classified elements: sum (D - its set's prediction)^2, and sum (D - the tensor's
  // least-squares fit on every d_i)^2. A sparsifying merge's sets explain what one linear fit
  // cannot (res far below res_linear); a linear merge's, whatever its rounding, only as much (every
  // parent kept, or sets chosen from noise), an unrelated model's neither.
  double res = 0, res_linear = 0;
  // Per parent: elements with d_i != 0, and those where i is in S. "_ss": only where every nonzero
  // d_j has one sign (no sign election can remove a parent there, so S is the mask itself).
  uint64_t elig[kMaxParents] = {}, kept[kMaxParents] = {};
  uint64_t elig_ss[kMaxParents] = {}, kept_ss[kMaxParents] = {};
  // sum over samples of n * coefficient: the parent alone (a_{{i},i} = w_i s_i, or s_i under
  // normalise), all parents kept (a_{all,i}), their ratio (w_i / W under normalise, 1 without),
  // and a_{{i},i} times the kept L1 share (w_i for an L1-rescaled mask without normalise).
  double single[kMaxParents] = {}, full[kMaxParents] = {}, ratio[kMaxParents] = {}, l1w[kMaxParents] = {};
  // Each sample's a_{{i},i} and its weight (elements classified): their weighted median is the
  // pooled alone-kept coefficient, which a few samples whose mode settled elsewhere do not move. On
  // a rounded suspect D / d_i piles up at exact ratios such as 1 (wherever C lands on A_i, D and d_i
  // the same count of ulps), while a parent rarely kept alone spreads over the rationals near its
  // coefficient: sweep4 019, breadcrumbs bf16mk with four parents, 3 of 12 samples read 1.00 for
  // 0.60, and the mean 0.653.
  std::vector<std::pair<double, double>> single_by_sample[kMaxParents];
  // Each sample's a_{all,i} / a_{{i},i} and its weight (elements where all are kept), for the same
  // reason: in 2 of sweep12 055's 12 samples (della bf16out, three parents) the classes settled
  // elsewhere and read 1.27 and 1.57 for 0.18, which took the pooled ratio to 0.345.
  std::vector<std::pair<double, double>> ratio_by_sample[kMaxParents];
  // l1w from the same-sign elements only: there S is the mask itself, so a sign election's drops at
  // conflicts (which the rescale never saw) do not lower the kept L1 share (della, no normalise).
  double l1w_ss[kMaxParents] = {};
  // Band test on the same-sign elements: dropped (i not in S) with |d_i| inside the kept range of
  // |d_i|, above its top, below its bottom (breadcrumbs drops both ends; TIES only the bottom).
  uint64_t dropped[kMaxParents] = {}, inside[kMaxParents] = {}, above[kMaxParents] = {}, below[kMaxParents] = {};
  // The same-sign elements among the top kSubsetTopShare of |d_i| in the sample, and how many of
  // them drop parent i: breadcrumbs drops its top gamma (all of them), a random mask 1 - density,
  // TIES none. Large deltas stay resolvable through bf16 rounding, unlike the band's small ones.
  uint64_t top[kMaxParents] = {}, top_dropped[kMaxParents] = {};
  // Same-sign elements where parent i's contribution stays 2 ulps of C's dtype off B (every element
  // of an f32 suspect): a mask blind to |d| (DARE) keeps as often there, and rounding cannot move
  // a kept one to B, so kept_res / elig_res is DARE's density where kept_ss reads low in bf16.
  uint64_t elig_res[kMaxParents] = {}, kept_res[kMaxParents] = {};
  // The same-sign kept counts with rounding's ties shared out by the keep probabilities
  // (subset::soft_kept; 0 on an f32 suspect), and l1w from them: DARE's and DELLA's densities and
  // DARE's and della_linear's weights on a rounded suspect, where the nearest set pulls every share
  // toward a half.
  double elig_soft[kMaxParents] = {}, kept_soft[kMaxParents] = {}, l1w_soft[kMaxParents] = {};
  // Breadcrumbs' kept band read from |d| alone: the lower cut L_i that best splits the resolvable
  // same-sign elements up to the kept top into dropped (below) and kept (at or above), then the
  // elements with d_i != 0 and those with |d_i| in [L_i, the largest resolvable kept |d_i|]. A
  // rounded suspect's small kept deltas cannot be told from drops one by one, and breadcrumbs
  // drops exactly the small ones, so the kept sets overstate its density (sweep2 069, bf16out:
  // 0.285 for 0.2); the cut is where the resolvable ones change sides.
  uint64_t elig_band[kMaxParents] = {}, in_band[kMaxParents] = {};
  // Sign election (TIES, dare_ties, della, breadcrumbs_ties): at an element where the parents'
  // resolvable weighted deltas disagree in sign, no set keeps both signs. conflict_n such elements,
  // conflict_kept those whose set does, conflict_expected what independent masks with this sample's
  // kept shares would give (sum over them of P(some + kept) P(some - kept)).
  uint64_t conflict_n = 0, conflict_kept = 0;
  // DELLA's keep probability, (density - eps) + 2 eps q for the rank q in [0, 1] of |d_i| in its
  // row (della_magprune ranks along the last dimension), against DARE's flat density: kept (0 or 1)
  // on q over the resolvable same-sign elements, whose kept sets neither rounding nor an election
  // blurs; the slope is 2 eps (DARE 0), whatever the density, and pools over tensors and groups.
  LineSums rank_kept[kMaxParents];
  double conflict_expected = 0;
  void add(const SubsetSignals& o);
};

// Adds this sample's classification to `out` (k >= 2; nothing when too few elements).
void compute_subset_fit(const StreamView& C, const StreamView& B, const StreamView* A, int k, SubsetSignals& out);

}  // namespace mp
