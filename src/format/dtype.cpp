// The safetensors dtype table (spec section 4, `Dtype::bitsize` in safetensors tensor.rs).
#include "format/dtype.h"

#include <array>

namespace mp {
namespace {

struct DtypeRow {
  Dtype dtype;
  const char* name;  // exact spelling in safetensors headers
  unsigned bits;
  bool stats;        // decoded by the statistics (see dtype.h)
};

// One row per enumerator, in enum order, so dtype_row() can index it directly.
constexpr std::array<DtypeRow, 22> kTable = {{
    {Dtype::BOOL, "BOOL", 8, false},
    {Dtype::U8, "U8", 8, false},
    {Dtype::I8, "I8", 8, false},
    {Dtype::F8_E4M3, "F8_E4M3", 8, true},
    {Dtype::F8_E5M2, "F8_E5M2", 8, true},
    {Dtype::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8, false},
    {Dtype::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8, false},
    {Dtype::F8_E8M0, "F8_E8M0", 8, false},
    {Dtype::I16, "I16", 16, false},
    {Dtype::U16, "U16", 16, false},
    {Dtype::F16, "F16", 16, true},
    {Dtype::BF16, "BF16", 16, true},
    {Dtype::I32, "I32", 32, false},
    {Dtype::U32, "U32", 32, false},
    {Dtype::F32, "F32", 32, true},
    {Dtype::I64, "I64", 64, false},
    {Dtype::U64, "U64", 64, false},
    {Dtype::F64, "F64", 64, true},
    {Dtype::C64, "C64", 64, false},
    {Dtype::F4, "F4", 4, false},
    {Dtype::F6_E2M3, "F6_E2M3", 6, false},
    {Dtype::F6_E3M2, "F6_E3M2", 6, false},
}};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].dtype) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow the Dtype enum order");

const DtypeRow* dtype_row(Dtype d) {
  auto i = static_cast<size_t>(d);
  return i < kTable.size() ? &kTable[i] : nullptr;
}

}  // namespace

std::optional<Dtype> parse_dtype(std::string_view name) {
  for (const auto& row : kTable)
    if (name == row.name) return row.dtype;
  return std::nullopt;
}

const char* dtype_name(Dtype d) {
  const DtypeRow* row = dtype_row(d);
  return row ? row->name : "?";
}

unsigned dtype_bits(Dtype d) {
  const DtypeRow* row = dtype_row(d);
  return row ? row->bits : 0;
}

bool dtype_supports_stats(Dtype d) {
  const DtypeRow* row = dtype_row(d);
  return row && row->stats;
}

unsigned dtype_bytes(Dtype d) {
  unsigned bits = dtype_bits(d);
  return bits % 8 == 0 ? bits / 8 : 0;
}

}  // namespace mp
