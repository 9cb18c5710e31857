// The report's `verdict` object (docs/report-schema.json), from the structured verdict.
#pragma once
#include "report/json_writer.h"
#include "verdict/verdict.h"

namespace mp {

// Writes the "verdict" field: what the sentence says, as data (undefined numbers null).
void verdict_json(JsonWriter& w, const Verdict& v);

}  // namespace mp
