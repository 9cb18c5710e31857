// Reading elements of one model's sample of a tensor as f32, whatever its dtype (ggml block types
// are dequantized block by block, stats/ggml_quant.h).
#pragma once
#include <cstddef>
#include <cstdint>

#include "format/dtype.h"

namespace mp {

// `count` consecutive elements (row-major) of a tensor, starting at row `first_row`.
// Bytes may be at any alignment (they come straight from a fetched range): read with memcpy.
struct StreamView {
  const uint8_t* data = nullptr;
  Dtype dtype = Dtype::F32;
  uint64_t count = 0;
  // FP8 block dequantisation (DeepSeek style): value = fp8 * scale[row / block_rows][col / block_cols].
  // `scale` points at the WHOLE scale tensor, shape [ceil(rows/block_rows), ceil(row_len/block_cols)].
  const uint8_t* scale = nullptr;
  Dtype scale_dtype = Dtype::F32;  // F32 or BF16 (both seen in the wild)
  uint64_t row_len = 1;            // elements per row (the last dimension)
  uint64_t first_row = 0;          // row index of element 0 of `data`
  uint32_t block_rows = 128, block_cols = 128;
  // GGUF: rows stored in llama.cpp's per-head order (TensorInfo::permuted_head_rows); the sample
  // covers whole heads, and rows are read back in Hugging Face order.
  uint64_t head_rows = 0;
};

// Decode elements [offset, offset + n) of the stream to f32 (F64 is narrowed: statistics run in
// f32 lanes with f64 accumulation).
void decode_f32(const StreamView& s, uint64_t offset, size_t n, float* out);

// One element as double (tests, slow paths).
double decode_one(const StreamView& s, uint64_t index);

}  // namespace mp
