// Each reason names the llama.cpp converter function (conversion/qwen.py, convert_hf_to_gguf.py in
// older trees) whose transform makes the stored values differ from the checkpoint's.
#include "model/exclusion.h"

namespace mp {

const char* exclusion_reason(Exclusion e) {
  switch (e) {
    case Exclusion::None: return nullptr;
    case Exclusion::NormPlusOne:
      return "llama.cpp stores 1 + weight for this RMSNorm (Qwen3NextModel.modify_tensors), rounded in "
             "the checkpoint's dtype, so the original cannot be recovered exactly";
    case Exclusion::NegExpALog:
      return "llama.cpp stores -exp(A_log) (Qwen3NextModel.modify_tensors), not A_log itself";
    case Exclusion::QkvzRegrouped:
      return "llama.cpp splits linear_attn.in_proj_qkvz into attn_qkv and attn_gate and regroups its "
             "rows per head (Qwen3NextModel.modify_tensors)";
    case Exclusion::VHeadsRetiled:
      return "llama.cpp reorders the linear-attention V heads from grouped to tiled order when key and value head "
             "counts differ (_LinearAttentionVReorderBase.modify_tensors), and this tensor's (out_proj's columns, "
             "dt_bias's entries) cannot be cut back into heads of whole rows";
    case Exclusion::ExpertsUnsplittable:
      return "a fused expert tensor whose shape or byte size does not cut into whole per-expert "
             "tensors ([experts, rows, columns], columns a whole number of blocks)";
  }
  return nullptr;
}

}  // namespace mp
