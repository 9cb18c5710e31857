// The evidence's measurements, split by what they hold (internal to verdict/evidence*.cpp):
//   evidence.cpp           gather(): copies, the pooled fit and its rounding, consistency over
//                          components and layers, SLERP's plane fit
//   evidence_sparsity.cpp  elements left at B: thresholds, bands, TIES weights, DARE densities,
//                          the per-element kept sets
//   evidence_methods.cpp   the per-tensor shapes of nearswap, model_stock, nuslerp, multislerp, karcher
//   evidence_slerp.cpp     SLERP's curvature tensor by tensor, its t per group
//   evidence_roles.cpp     the wrong-base test: the fit under other role assignments of the models
#pragma once
#include <vector>

#include "stats/aggregate.h"
#include "verdict/evidence.h"
#include "verdict/thresholds.h"

namespace mp::verdict {

// Solves a x = b (n <= kMaxParents + 1, b in column n) by Gaussian elimination with partial
// pivoting; false when singular.
bool solve(int n, double a[kMaxParents + 1][kMaxParents + 2], double* x);

// Calls f on every finest group: each component's layer groups, or the component itself when its
// tensors have no layer (embeddings, lm_head, the final norm), so every tensor is in one group.
template <class F>
void for_each_finest_group(const Aggregates& agg, F&& f) {
  for (const auto& c : agg.components) {
    bool layered = false;
    for (const auto& l : agg.layers) {
      if (l.component != c.component) continue;
      layered = true;
      f(l);
    }
    if (!layered) f(c);
  }
}

void gather_sparsity(Evidence& ev, const std::vector<TensorResult>& tensors);
// The sparse readings per group (Evidence::sparse_groups), from the groups' pooled signals.
void gather_sparse_groups(Evidence& ev, const MatchResult& match, const std::vector<TensorResult>& tensors,
                          const Aggregates& agg);
void gather_nearswap(Evidence& ev, const std::vector<TensorResult>& tensors);
void gather_model_stock(Evidence& ev, const std::vector<TensorResult>& tensors);
void gather_nuslerp(Evidence& ev, const std::vector<TensorResult>& tensors);
void gather_multislerp(Evidence& ev, const std::vector<TensorResult>& tensors);
void gather_karcher(Evidence& ev, const std::vector<TensorResult>& tensors);
void gather_slerp(Evidence& ev, const std::vector<TensorResult>& tensors, const Aggregates& agg);
// After gather_fit and gather_nearswap (reads bf16 and equal_a_share).
void gather_roles(Evidence& ev, const GroupResult& o);

}  // namespace mp::verdict
