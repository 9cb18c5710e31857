// A GGUF model given as several files must be one whole split set, as llama.cpp's gguf-split
// writes it: every file carries split.no (0-based) and one split.count, each number once, the
// file names' "-NNNNN-of-MMMMM" agreeing (part = split.no + 1), and split.tensors.count, where
// set, equal to the tensors of all parts. A missing part would otherwise leave its tensors
// unmatched and the verdict resting on part of the model without saying so.
#pragma once
#include <string>

#include "error.h"
#include "model/model.h"

namespace mp {

// `who` names the model in messages ("suspect"). OK for a model with no GGUF file or a single
// unsplit one.
Error check_gguf_split_set(const Model& model, const std::string& who);

}  // namespace mp
