// The safetensors dtype table (spec section 4) and which dtypes the statistics can read.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace mp {

enum class Dtype : uint8_t {
  BOOL, U8, I8, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ, F8_E8M0,
  I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64, C64, F4, F6_E2M3, F6_E3M2,
};

std::optional<Dtype> parse_dtype(std::string_view name);  // exact spelling of the spec, else nullopt
const char* dtype_name(Dtype d);
unsigned dtype_bits(Dtype d);  // 4, 6, 8, 16, 32 or 64 (C64: 64)
// F64, F32, F16, BF16, F8_E4M3, F8_E5M2: the dtypes the statistics decode. Others are refused with
// a reason (integers are not weights; FNUZ/E8M0/F4/F6 layouts are not settled, see spec).
bool dtype_supports_stats(Dtype d);
// Bytes per element for the dtypes above (1, 2, 4 or 8); 0 for sub-byte dtypes.
unsigned dtype_bytes(Dtype d);

}  // namespace mp
