// The words for a tensor excluded from comparison (format/header.h Exclusion): what the converter
// did to its values and where, so the report says why a tensor was not compared.
#pragma once
#include "format/header.h"

namespace mp {

// nullptr for Exclusion::None.
const char* exclusion_reason(Exclusion e);

}  // namespace mp
