// The verdict: a calibrated decision from the aggregates, with the evidence it rests on, the likely
// merge method and its parameters, and what would weaken it. See shared/merge-signatures.md and
// EVALUATION.md for the thresholds and how they were calibrated.
#pragma once
#include <string>
#include <vector>

#include "stats/aggregate.h"

namespace mp {

struct Verdict {
  // "linear-merge" | "sparse-merge" | "slerp-merge" | "passthrough" | "not-a-merge" | "inconclusive"
  std::string kind;
  // "linear" | "task_arithmetic" | "slerp" | "ties" | "dare" | "passthrough" | "" (none)
  std::string method;
  std::string sentence;     // one line for the verdict card, e.g.
                            // "Consistent with a linear merge: C = 0.571 A + 0.429 B"
  std::string explanation;  // the evidence in a few sentences, numbers included
  std::vector<std::string> caveats;  // what would weaken the conclusion
  std::vector<std::string> flags;    // machine-readable: "outliers", "low-coverage", ...
  double density = -1;      // sparse merges: estimated kept fraction; else -1
  double slerp_t = -1;      // slerp: estimated t; else -1
};

Verdict decide(const MatchResult& match, const std::vector<TensorResult>& tensors,
               const Aggregates& agg, int k);

}  // namespace mp
