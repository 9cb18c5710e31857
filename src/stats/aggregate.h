// From per-tensor statistics to per-component, per-layer and whole-run results.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "stats/estimators.h"
#include "stats/quant_floor.h"
#include "model/matching.h"

namespace mp {

struct TensorResult {
  uint32_t tensor = 0;        // index into MatchResult::tensors
  uint64_t elements = 0;      // sampled elements
  Moments m;                  // suspect vs parents/base
  MethodSignals x;
  BitExact bx;
  Estimates est;
  bool has_control = false;   // the same, with the control model in the suspect's place
  Moments cm;
  Estimates cest;
  bool identical_to_base = false;    // sampled bytes of C equal B's (hash and all values)
  int identical_to_parent = -1;      // parent index whose same-position bytes C equals
  std::string copied_from;           // passthrough: name of another tensor (any model, other
                                     // position) whose sampled bytes C's equal, else empty
  // Set by aggregate: alpha far from its component's or the run's, cos_fit far below the run's, or
  // non-finite moments/elements. Shown and named, but kept out of its groups' pooled Gram and alpha
  // statistics so one damaged tensor cannot move them.
  bool outlier = false;
  // Set by aggregate: the suspect's rounding alone caps this tensor's cos_fit below
  // kRoundingDominatedFloor (deltas of a few ulps, e.g. bf16 norm vectors near 1): its alpha is
  // biased towards 0 or 1 (merge-signatures.md), so it is shown but left out of the alpha
  // statistics of its groups.
  bool rounding_dominated = false;
  double alpha_ls[kMaxParents] = {};  // the plain least-squares alpha (est.alpha may be robust)
  bool robust_alpha_used = false;     // est.alpha[0] is the rounding-robust alpha (see below)
  QuantFloor qf;                      // the suspect's ggml quantization (stats/quant_floor.h)
};

constexpr double kRoundingDominatedFloor = 0.9;
// A suspect dtype whose rounding is visible (bf16, f16, fp8: the estimators' floor is below 1).
constexpr double kLossyFloor = 0.9999;
// Fewest elements with |d| >= 4 ulps for the rounding-robust alpha to stand for a tensor.
constexpr uint64_t kMinRobustElements = 256;

// For a lossy suspect dtype and one parent, replace the tensor's least-squares alpha (biased
// towards 0 or 1 by rounding snaps when deltas are a few ulps: merge-signatures.md) with the alpha
// fitted on elements whose delta spans at least 4 ulps; with too few of those the tensor is
// rounding-dominated. Call after estimate(), before bit_exact() and aggregate().
void use_robust_alpha(TensorResult& t, int k);

struct GroupResult {
  std::string component;      // component_name(), or "all"
  int layer = -1;             // -1: not a per-layer group
  uint32_t tensors = 0;       // tensors in the group
  uint32_t usable = 0;        // tensors with a meaningful alpha: not degenerate, rounding-dominated or outlier
  uint32_t rounding_dominated = 0;
  uint32_t degenerate = 0;    // tensors whose fit is undefined (d == 0, D == 0, nothing finite)
  uint64_t elements = 0;
  double alpha_mean[kMaxParents] = {};    // mean over usable tensors (each tensor one vote)
  double alpha_median[kMaxParents] = {};
  double alpha_spread[kMaxParents] = {};  // standard deviation over usable tensors
  double alpha_min[kMaxParents] = {}, alpha_max[kMaxParents] = {};
  double alpha_ci95[kMaxParents][2] = {}; // from between-tensor variability (not element SE)
  Moments pooled;             // summed moments of the usable tensors (of all when none is usable)
  Estimates est;              // estimate(pooled)
  QuantFloor qf;              // pooled over the same tensors as `pooled`
  MethodSignals x;                   // summed extras
  BitExact bx;
  uint32_t outliers = 0;     // outlier tensors (not in usable, not pooled)
  uint32_t identical_to_base = 0, identical_to_parent = 0, copied = 0;
  bool has_control = false;
  Moments control_pooled;
  Estimates control_est;
};

struct Aggregates {
  GroupResult overall;                 // all usable tensors
  std::vector<GroupResult> components; // one per component present, in Component order
  std::vector<GroupResult> layers;     // one per (layer, component) present, by layer then component
  Dtype suspect_dtype = Dtype::F32;    // the dtype most of the suspect's tensors have
};

Aggregates aggregate(const MatchResult& match, std::vector<TensorResult>& tensors, int k,
                     Dtype suspect_dtype);

}  // namespace mp
