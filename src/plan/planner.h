// The sampling planner: from the matched tensors, a byte budget and a seed, choose for each tensor
// a contiguous range of rows (a row = the last dimension; a fused expert tensor [E, 2I, H] has
// E*2I rows of H elements), so that every layer and every component is covered, and turn the
// choice into byte ranges per model and file, coalescing near ranges.
// Determinism: the same inputs and seed give the same plan natively and in wasm on every machine
// (own splitmix64 PRNG, integer arithmetic only, no std:: distributions).
#pragma once
#include <cstdint>
#include <vector>

#include "model/matching.h"

namespace mp {

struct PlanOptions {
  uint64_t budget_bytes = 64ull << 20;  // tensor bytes fetched in total, all models together
  uint64_t seed = 0;
  uint64_t coalesce_gap = 64 << 10;     // ranges in one file closer than this are merged
};

struct Sample {
  uint32_t tensor = 0;     // index into MatchResult::tensors
  uint64_t row_begin = 0;  // [row_begin, row_end) rows of the tensor
  uint64_t row_end = 0;
  bool whole = false;      // the whole tensor is read
};

struct ByteRange {
  uint32_t model = 0;  // role index
  uint32_t file = 0;   // index into Model::files
  uint64_t begin = 0;  // absolute file offsets, [begin, end)
  uint64_t end = 0;
};

struct Plan {
  std::vector<Sample> samples;    // sorted by tensor index
  std::vector<ByteRange> ranges;  // sorted by (model, file, begin); disjoint
  uint64_t bytes = 0;             // sum of range lengths (what will be fetched)
  uint64_t elements = 0;          // elements per model covered by samples
  uint64_t tensors_covered = 0;
};

Result<Plan> make_plan(const std::vector<Model>& models, const MatchResult& match,
                       const PlanOptions& options);

// The byte range of `model` that holds [abs_begin, abs_end) of `file`, or -1 if the plan has none.
long find_range(const Plan& plan, uint32_t model, uint32_t file, uint64_t abs_begin, uint64_t abs_end);

}  // namespace mp
