// ggml's tensor type ids (enum ggml_type in ggml.h) as they appear in GGUF tensor infos, and which
// of them mergeprobe reads as a Dtype. Ids 4, 5 and 31-33, 36-38 were removed from ggml and are
// not valid in a file.
#pragma once
#include <cstdint>
#include <optional>

#include "format/dtype.h"

namespace mp {

// ggml's name for a type id ("Q4_K", "IQ2_XXS"), or nullptr for an id ggml does not define.
const char* ggml_type_name(uint32_t id);
// The Dtype mergeprobe reads a type as, or nullopt for a defined type it does not read (IQ*, TQ*,
// MXFP4, Q8_1, Q8_K, ...: refused naming the type) and for undefined ids.
std::optional<Dtype> ggml_type_dtype(uint32_t id);
// The ggml id of a Dtype, or nullopt when ggml has none (FP8, U8, BOOL, ...). For writers (tests).
std::optional<uint32_t> ggml_type_id(Dtype d);

}  // namespace mp
