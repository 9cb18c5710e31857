// TIES's kept sets read from its own cuts, once its densities are known (sweep4 007: four bf16
// parents, two of them light, whose cuts no drop of C showed, so the overlap where every parent is
// kept held too few elements to read the weights from).
//
// mergekit trims each parent's delta to its top `density` share by |d|, tensor by tensor, then
// mixes what is kept at each element: C - B = lambda sum_S w_i d_i / sum_S w_i over the kept set S
// (normalise), or lambda sum_S w_i d_i. Given each parent's density, its cut in a tensor is a
// quantile of its own |d| there, which no rounding of C touches. Where every parent's |d| lies
// surely above or surely below its cut and the deltas share one sign (no sign election), S is
// known; the per-set moments below then let either model's weights be fitted (fit_ties_sets) over
// every such element, not only where all parents are kept.
#pragma once
#include <cstdint>
#include <vector>

#include "stats/decode.h"
#include "stats/kernel.h"

namespace mp {

constexpr int kTiesSets = 1 << kMaxParents;  // kept sets as bit masks over the parents
// A parent counts as surely kept (dropped) where its |d| ranks above density - margin (below
// density + margin) of the tensor's |d|: a density read 0.03 off moved the weights by at most
// 0.002 on sweep4 007 (they moved by 0.01 at a margin of 0.02). The quantile of a sampled tensor
// adds its sampling error, 1 / sqrt(n) or less.
constexpr double kTiesCutMargin = 0.03;

struct TiesSets {
  // per kept set S (index 0, nothing kept, stays empty): elements, sum D^2, sum D d_i, sum d_i d_j
  uint64_t n[kTiesSets] = {};
  double DD[kTiesSets] = {};
  double Dd[kTiesSets][kMaxParents] = {};
  double dd[kTiesSets][kMaxParents][kMaxParents] = {};
  void add(const TiesSets& o);
};

// One tensor's samples, each `streams[s]` in the analysis's role order (0 = C, 1..k the parents,
// k + 1 = B), with each parent's density: adds the kept sets' moments to `out`.
void ties_set_moments(const std::vector<std::vector<StreamView>>& streams, int k, const double* density, TiesSets& out);

struct TiesSetFit {
  // Per parent the coefficient the weights show: lambda w_i / sum w (normalise) or lambda w_i;
  // empty when undefined (too few elements keep some parent, or the fit is singular).
  std::vector<double> weights;
  bool normalised = false;
  // Residual sums of squares of the model chosen and of the other one.
  double residual = 0, other_residual = 0;
};

// Both models fitted by least squares over every set's elements; the one with the smaller residual
// is kept. `min_elements`: the fewest elements keeping each parent for its weight to be read.
TiesSetFit fit_ties_sets(const TiesSets& s, int k, uint64_t min_elements);

}  // namespace mp
