// Matching tensors across the models of one run by normalised key (tensor_names.h), checking
// shapes and dtypes, pairing FP8 weights with their block scales.
// Roles: models[0] = suspect C, models[1..k] = parents A_i, models[k+1] = base B, and optionally
// models[k+2] = control (another fine-tune of B, measured exactly like the suspect).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.h"
#include "model/tensor_names.h"

namespace mp {

// Names are not copied here (a 397B FP8 trio has 92k matched tensors): each model's original name
// is models[m].name(refs[m]), and `name` is the suspect's, a view into its header.
struct MatchedTensor {
  TensorClass cls;                          // of the suspect's tensor
  Shape shape;                              // common shape
  std::vector<TensorRef> refs;              // one per model, in role order
  std::vector<std::optional<TensorRef>> scales;  // FP8 block scale per model, when it has one
  std::string_view name;                    // the suspect's original name (valid while the models are)
};

struct Unmatched {
  std::string name;    // original name in the model that has it
  int model = 0;       // role index
  std::string reason;  // "missing in base", "shape [2,3] vs [3,2] in parent 1", "dtype I64 ..."
};

struct MatchResult {
  std::vector<MatchedTensor> tensors;  // sorted by (layer, component, key): deterministic
  std::vector<Unmatched> unmatched;
};

// Errors only when nothing at all can be compared (NoMatchingTensors, with the reason).
// `parents` (k) only names the roles in reasons ("missing in base", "... in parent 2", "control");
// -1 means models.size() - 2, i.e. no control model.
Result<MatchResult> match_tensors(const std::vector<Model>& models, int parents = -1);

}  // namespace mp
