// The safetensors dtype table (spec section 4, `Dtype::bitsize` in safetensors tensor.rs) and
// ggml's block types (sizes from the block_* structs of ggml-common.h, e.g. block_q4_K =
// {f16 d, f16 dmin, u8 scales[12], u8 qs[128]} = 144 bytes for QK_K = 256 elements).
#include "format/dtype.h"

#include <array>

namespace mp {
namespace {

struct DtypeRow {
  Dtype dtype;
  const char* name;  // exact spelling in safetensors headers
  unsigned bits;      // per element; 0 for block types
  bool stats;         // decoded by the statistics (see dtype.h)
  bool safetensors;   // a safetensors dtype name (parse_dtype accepts it)
  unsigned block_elements = 1, block_bytes = 0;  // block types only
};

// One row per enumerator, in enum order, so dtype_row() can index it directly.
constexpr std::array<DtypeRow, 32> kTable = {{
    {Dtype::BOOL, "BOOL", 8, false, true},
    {Dtype::U8, "U8", 8, false, true},
    {Dtype::I8, "I8", 8, false, true},
    {Dtype::F8_E4M3, "F8_E4M3", 8, true, true},
    {Dtype::F8_E5M2, "F8_E5M2", 8, true, true},
    {Dtype::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8, false, true},
    {Dtype::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8, false, true},
    {Dtype::F8_E8M0, "F8_E8M0", 8, false, true},
    {Dtype::I16, "I16", 16, false, true},
    {Dtype::U16, "U16", 16, false, true},
    {Dtype::F16, "F16", 16, true, true},
    {Dtype::BF16, "BF16", 16, true, true},
    {Dtype::I32, "I32", 32, false, true},
    {Dtype::U32, "U32", 32, false, true},
    {Dtype::F32, "F32", 32, true, true},
    {Dtype::I64, "I64", 64, false, true},
    {Dtype::U64, "U64", 64, false, true},
    {Dtype::F64, "F64", 64, true, true},
    {Dtype::C64, "C64", 64, false, true},
    {Dtype::F4, "F4", 4, false, true},
    {Dtype::F6_E2M3, "F6_E2M3", 6, false, true},
    {Dtype::F6_E3M2, "F6_E3M2", 6, false, true},
    {Dtype::Q4_0, "Q4_0", 0, true, false, 32, 18},    // f16 d, u8 qs[16]
    {Dtype::Q4_1, "Q4_1", 0, true, false, 32, 20},    // f16 d, f16 m, u8 qs[16]
    {Dtype::Q5_0, "Q5_0", 0, true, false, 32, 22},    // f16 d, u8 qh[4], u8 qs[16]
    {Dtype::Q5_1, "Q5_1", 0, true, false, 32, 24},    // f16 d, f16 m, u8 qh[4], u8 qs[16]
    {Dtype::Q8_0, "Q8_0", 0, true, false, 32, 34},    // f16 d, i8 qs[32]
    {Dtype::Q2_K, "Q2_K", 0, true, false, 256, 84},   // u8 scales[16], u8 qs[64], f16 d, f16 dmin
    {Dtype::Q3_K, "Q3_K", 0, true, false, 256, 110},  // u8 hmask[32], u8 qs[64], u8 scales[12], f16 d
    {Dtype::Q4_K, "Q4_K", 0, true, false, 256, 144},  // f16 d, f16 dmin, u8 scales[12], u8 qs[128]
    {Dtype::Q5_K, "Q5_K", 0, true, false, 256, 176},  // f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
    {Dtype::Q6_K, "Q6_K", 0, true, false, 256, 210},  // u8 ql[128], u8 qh[64], i8 scales[16], f16 d
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
    if (row.safetensors && name == row.name) return row.dtype;
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

bool dtype_is_block(Dtype d) {
  const DtypeRow* row = dtype_row(d);
  return row && row->block_elements > 1;
}

unsigned dtype_block_elements(Dtype d) {
  const DtypeRow* row = dtype_row(d);
  return row ? row->block_elements : 1;
}

unsigned dtype_block_bytes(Dtype d) { return dtype_is_block(d) ? dtype_row(d)->block_bytes : dtype_bytes(d); }

uint64_t dtype_span_bytes(Dtype d, uint64_t n) {
  return n / dtype_block_elements(d) * dtype_block_bytes(d);
}

}  // namespace mp
