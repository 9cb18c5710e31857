// The element types mergeprobe reads: the safetensors dtype table (spec section 4) and ggml's block
// quantization types from GGUF files (ggml-common.h block_* structs), and which ones the
// statistics can read.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace mp {

enum class Dtype : uint8_t {
  BOOL, U8, I8, F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ, F8_E8M0,
  I16, U16, F16, BF16, I32, U32, F32, I64, U64, F64, C64, F4, F6_E2M3, F6_E3M2,
  // ggml block types (GGUF only; never parsed from a safetensors header). A block holds
  // dtype_block_elements consecutive elements of a row in dtype_block_bytes bytes.
  Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K,
};

// Exact spelling of the safetensors spec, else nullopt (ggml block type names are not safetensors dtypes).
std::optional<Dtype> parse_dtype(std::string_view name);
const char* dtype_name(Dtype d);
unsigned dtype_bits(Dtype d);  // 4, 6, 8, 16, 32 or 64 (C64: 64); 0 for block types
// F64, F32, F16, BF16, F8_E4M3, F8_E5M2 and the ggml block types (stats/ggml_quant.h): the
// dtypes the statistics decode. Others are refused with a reason (integers are not weights; FNUZ/E8M0/F4/F6 layouts are
// not settled, see spec).
bool dtype_supports_stats(Dtype d);
// Bytes per element for whole-byte element dtypes (1, 2, 4 or 8); 0 for sub-byte and block dtypes.
unsigned dtype_bytes(Dtype d);
// A ggml block type: elements are stored in blocks (Q4_K: 256 elements in 144 bytes).
bool dtype_is_block(Dtype d);
// Elements and bytes per block; 1 and dtype_bytes for plain dtypes (0 bytes for sub-byte ones).
unsigned dtype_block_elements(Dtype d);
unsigned dtype_block_bytes(Dtype d);
// Bytes of `n` consecutive elements of a row (n a multiple of the block size for block types); the
// one rule every offset computation uses, so plain and block dtypes are handled alike.
uint64_t dtype_span_bytes(Dtype d, uint64_t n);

}  // namespace mp
