// Shared by the verdict's rule files (internal to src/verdict/rules*.cpp):
//   rules.cpp          the order of the tests; data, copies, passthrough, quantized copies, the
//                      linear fit, not-a-merge, the wrong base and the caveats every outcome shares
//   rules_methods.cpp  the method-shape rules: model_stock, nearswap, karcher, multislerp,
//                      nuslerp, slerp
//   rules_sparse.cpp   the sparse merges and their per-parent, per-group parameters
#pragma once
#include <string>

#include "verdict/verdict.h"

namespace mp::verdict {

void add_flag(Verdict& v, const std::string& f);
void add_caveat(Verdict& v, CaveatCode c, const char* flag = nullptr);
// Records the rule that decided and the verdict's kind and method.
void decided(Verdict& v, VerdictRule rule, const char* kind, const char* method = "");
// The linear reading holds: a good fit (pooled against the rounding or quantization floor, per
// group, or bit-exact), a consistent alpha, and better than the control (rules.cpp linear()).
bool linear_fit_holds(const Evidence& ev);
// One parent: the tensors' p + q - 1 measurably follow lerp's 0, not slerp's excess for their
// angles around a common offset (Evidence::lerp_offset_slope within kSlerpSlopeTolerance of 0, at
// kSlerpMinZ or more).
bool lerp_measured(const Evidence& ev);
// The method-shape rules in their order; false when none decided.
bool method_shape(Verdict& v);
// Rule 4, sparse merges (rules_sparse.cpp); false when the zeros are no sparse merge's.
bool sparse(Verdict& v);

}  // namespace mp::verdict
