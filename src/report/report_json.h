// The core's part of the JSON report (schema mergeprobe.report/1): plan, summary, components,
// layers, tensors, unmatched. The JS layer adds models, fetch counts and share_url.
#pragma once
#include <string>
#include <vector>

#include "stats/aggregate.h"
#include "plan/planner.h"
#include "verdict/verdict.h"

namespace mp {

std::string report_json(const std::vector<Model>& models, const MatchResult& match,
                        const Plan& plan, const PlanOptions& options,
                        const std::vector<TensorResult>& tensors, const Aggregates& agg,
                        const Verdict& verdict, int k, bool has_control);

}  // namespace mp
