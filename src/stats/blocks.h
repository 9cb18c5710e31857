// Walking a tensor sample's streams (C, B, the parents) together in decoded blocks: the scalar
// passes over a sample that runs after the kernel (method_signals.cpp, ties_sets.cpp). Internal to
// src/stats.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "stats/decode.h"
#include "stats/kernel.h"

namespace mp {

// The elements every stream holds.
inline uint64_t common_count(const StreamView& C, const StreamView& B, const StreamView* A, int k) {
  uint64_t n = std::min(C.count, B.count);
  for (int j = 0; j < k; ++j) n = std::min(n, A[j].count);
  return n;
}

// Walks the sample in blocks of kFlushBlock decoded elements (24 KiB of scratch on the stack) and
// calls fn(len, c, b, a[]) per block.
template <class Fn>
void for_each_block(const StreamView& C, const StreamView& B, const StreamView* A, int k, Fn fn) {
  alignas(16) float scratch[kMaxVectors][kFlushBlock];
  const float* a[kMaxParents] = {};
  for (int j = 0; j < k; ++j) a[j] = scratch[2 + j];
  const uint64_t n = common_count(C, B, A, k);
  for (uint64_t off = 0; off < n; off += kFlushBlock) {
    const size_t len = static_cast<size_t>(std::min<uint64_t>(kFlushBlock, n - off));
    decode_f32(C, off, len, scratch[0]);
    decode_f32(B, off, len, scratch[1]);
    for (int j = 0; j < k; ++j) decode_f32(A[j], off, len, scratch[2 + j]);
    fn(len, scratch[0], scratch[1], a);
  }
}

}  // namespace mp
