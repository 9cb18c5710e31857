// TIES's second reading (verdict.h decide_with_ties_sets): the first verdict's densities set each
// tensor's cuts, the cuts give each element's kept set, and the sets give the weights.
#include <string>

#include "model/tensor_names.h"
#include "stats/ties_sets.h"
#include "verdict/verdict.h"

namespace mp {
namespace {

// Per tensor, the density each parent's cut is read at: the tensor's group's where the verdict
// quotes groups (mergekit's per-layer or per-component lists), else the run's; empty for tensors
// left at the base (copies, not trimmed), and an empty list unless the verdict is TIES of k >= 2.
std::vector<std::vector<double>> cut_densities(const Verdict& v, const MatchResult& match,
                                               const std::vector<TensorResult>& tensors) {
  std::vector<std::vector<double>> out;
  const int k = v.evidence.k;
  if (v.rule != VerdictRule::Ties || k < 2) return out;
  out.resize(tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (tensors[t].identical_to_base) continue;
    const TensorClass& cls = match.tensors[tensors[t].tensor].cls;
    out[t] = v.densities;
    for (const auto& g : v.groups)
      if (g.layer == cls.layer && g.component == component_name(cls.component) && g.densities.size() == size_t(k))
        out[t] = g.densities;
  }
  return out;
}

}  // namespace

Result<Verdict> decide_with_ties_sets(const MatchResult& match, std::vector<TensorResult>& tensors,
                                      const Aggregates& agg, int k, const TensorStreams& streams) {
  Verdict v = decide_rules(match, tensors, agg, k);
  const auto density = cut_densities(v, match, tensors);
  if (density.empty()) {
    render(v);
    return v;
  }
  for (size_t t = 0; t < tensors.size(); ++t) {
    if (density[t].empty()) continue;
    std::vector<std::vector<StreamView>> s;
    if (Error e = streams(t, s); !e.ok()) return e;
    tensors[t].x.ties = TiesSets{};
    ties_set_moments(s, k, density[t].data(), tensors[t].x.ties);
  }
  return decide(match, tensors, agg, k);
}

}  // namespace mp
