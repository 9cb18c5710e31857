// Shared by the safetensors header and index readers: simdjson On-Demand only checks what it is
// asked for, so values we skip are walked to their end to have their syntax checked too.
#pragma once
#include "simdjson.h"

namespace mp {

constexpr int kMaxJsonDepth = 128;  // serde_json's recursion limit; also bounds our recursion

// Reads a value to its end so that its syntax is checked (numbers, strings, atoms, nesting).
simdjson::error_code consume_value(simdjson::ondemand::value value, int depth);

}  // namespace mp
