// The wasm SIMD moments kernel (the hot loop of a run). Semantics are those of the scalar twin in
// kernel_scalar.cpp; tests/cpp/kernel_test.cpp asserts they agree. Built without -msimd128 (native
// builds), the fast-path entry points forward to the scalar twins.
#include "kernel.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>

#include <algorithm>
#include <cmath>

namespace mp {
namespace {

// Eight elements of one stream as two f32x4 halves. The element order inside the halves does not
// matter: every statistic is a sum over elements, and all streams use the same permutation.
struct LoadBF16x8 {
  static constexpr size_t kStep = 8;
  static void load(const uint8_t* p, size_t i, v128_t& lo, v128_t& hi) {
    // One 128-bit load holds 8 bf16. bf16 is the top half of an f32, so the even elements become
    // f32 by shifting them into the high half and the odd ones by masking off the low half:
    // 2 ops for 8 widenings (cheaper than extend_low/high + shl).
    const v128_t x = wasm_v128_load(p + 2 * i);
    lo = wasm_i32x4_shl(x, 16);
    hi = wasm_v128_and(x, wasm_i32x4_splat(static_cast<int32_t>(0xffff0000u)));
  }
};
struct LoadF32x8 {
  static constexpr size_t kStep = 8;
  static void load(const uint8_t* p, size_t i, v128_t& lo, v128_t& hi) {
    lo = wasm_v128_load(p + 4 * i);
    hi = wasm_v128_load(p + 4 * i + 16);
  }
};

double hsum(v128_t v) {
  return static_cast<double>(wasm_f32x4_extract_lane(v, 0)) + wasm_f32x4_extract_lane(v, 1) +
         static_cast<double>(wasm_f32x4_extract_lane(v, 2)) + wasm_f32x4_extract_lane(v, 3);
}
uint64_t hcount(v128_t v) {
  return static_cast<uint64_t>(static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 0))) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 1)) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 2)) +
         static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 3));
}

// One flush block. Every Gram entry has one f32x4 accumulator that both halves add into. Giving
// the halves their own accumulators (to halve the add-latency chain) was measured slower: with 12
// accumulators for one parent, V8's x64 code spills to the stack every iteration (16 xmm
// registers), and the loop is bound by vector-op throughput anyway.
template <int K, class L, class S>
void block_simd(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t off, size_t len,
                Moments& m) {
  constexpr int NV = K + 2;
  constexpr int NP = NV * (NV + 1) / 2;
  const size_t vec_len = len - len % L::kStep;

  v128_t acc[NP];
  for (int p = 0; p < NP; ++p) acc[p] = wasm_f32x4_splat(0.0f);
  v128_t eq_cb = wasm_i32x4_splat(0), eq_ca[K + 1];
  for (int j = 0; j <= K; ++j) eq_ca[j] = wasm_i32x4_splat(0);

  for (size_t i = off; i < off + vec_len; i += L::kStep) {
    v128_t c0, c1, b0, b1, v0[NV], v1[NV];
    L::load(C, i, c0, c1);
    L::load(B, i, b0, b1);
    v0[0] = wasm_f32x4_sub(c0, b0);
    v1[0] = wasm_f32x4_sub(c1, b1);
    v0[NV - 1] = b0;
    v1[NV - 1] = b1;
    // Comparison masks are all-ones (-1) where equal: subtracting them counts.
    eq_cb = wasm_i32x4_sub(eq_cb, wasm_i32x4_add(wasm_f32x4_eq(c0, b0), wasm_f32x4_eq(c1, b1)));
    for (int j = 0; j < K; ++j) {
      v128_t a0, a1;
      L::load(A[j], i, a0, a1);
      v0[1 + j] = wasm_f32x4_sub(a0, b0);
      v1[1 + j] = wasm_f32x4_sub(a1, b1);
      eq_ca[j] =
          wasm_i32x4_sub(eq_ca[j], wasm_i32x4_add(wasm_f32x4_eq(c0, a0), wasm_f32x4_eq(c1, a1)));
    }
    int p = 0;
    for (int r = 0; r < NV; ++r)
      for (int s = r; s < NV; ++s, ++p) {
        acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v0[r], v0[s]));
        acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v1[r], v1[s]));
      }
  }

  Moments blk;
  blk.k = K;
  double check = 0;
  int p = 0;
  for (int r = 0; r < NV; ++r)
    for (int s = r; s < NV; ++s, ++p) {
      const double v = hsum(acc[p]);
      check += v;
      blk.gram[r * kMaxVectors + s] = v;
      blk.gram[s * kMaxVectors + r] = v;
    }
  blk.n = vec_len;
  blk.eq_cb = hcount(eq_cb);
  for (int j = 0; j < K; ++j) blk.eq_ca[j] = hcount(eq_ca[j]);

  // NaN/Inf anywhere in the block (or an f32 overflow) shows in the sums: let the scalar twin redo
  // the whole block, which leaves out and counts the bad elements.
  if (!std::isfinite(check)) {
    Moments redo;
    S::run(C, B, A, K, off, len, redo);
    m.add(redo);
    return;
  }
  m.add(blk);
  if (vec_len < len) {  // tail of fewer than 8 elements
    Moments tail;
    S::run(C, B, A, K, off + vec_len, len - vec_len, tail);
    m.add(tail);
  }
}

// Scalar twin on a sub-range (offsets are in elements of the stream's dtype).
struct ScalarBF16 {
  static void run(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, int k, size_t off,
                  size_t len, Moments& m) {
    const uint16_t* a[kMaxParents] = {};
    for (int j = 0; j < k; ++j) a[j] = reinterpret_cast<const uint16_t*>(A[j] + 2 * off);
    moments_bf16_scalar(reinterpret_cast<const uint16_t*>(C + 2 * off),
                        reinterpret_cast<const uint16_t*>(B + 2 * off), a, k, len, m);
  }
};
struct ScalarF32 {
  static void run(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, int k, size_t off,
                  size_t len, Moments& m) {
    const float* a[kMaxParents] = {};
    for (int j = 0; j < k; ++j) a[j] = reinterpret_cast<const float*>(A[j] + 4 * off);
    moments_f32_scalar(reinterpret_cast<const float*>(C + 4 * off),
                       reinterpret_cast<const float*>(B + 4 * off), a, k, len, m);
  }
};

template <int K, class L, class S>
void run_simd(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t n, Moments& m) {
  for (size_t off = 0; off < n; off += kFlushBlock)
    block_simd<K, L, S>(C, B, A, off, std::min(kFlushBlock, n - off), m);
}

template <class L, class S>
void dispatch_simd(const void* C, const void* B, const void* const* A, int k, size_t n,
                   Moments& m) {
  if (k < 0 || k > kMaxParents) return;
  m.k = k;
  const auto* c = static_cast<const uint8_t*>(C);
  const auto* b = static_cast<const uint8_t*>(B);
  const uint8_t* a[kMaxParents] = {};
  for (int j = 0; j < k; ++j) a[j] = static_cast<const uint8_t*>(A[j]);
  switch (k) {
    case 0: run_simd<0, L, S>(c, b, a, n, m); break;
    case 1: run_simd<1, L, S>(c, b, a, n, m); break;
    case 2: run_simd<2, L, S>(c, b, a, n, m); break;
    case 3: run_simd<3, L, S>(c, b, a, n, m); break;
    case 4: run_simd<4, L, S>(c, b, a, n, m); break;
  }
}

}  // namespace

void moments_f32(const float* C, const float* B, const float* const* A, int k, size_t n,
                 Moments& m) {
  const void* a[kMaxParents] = {};
  for (int j = 0; j < k && j < kMaxParents; ++j) a[j] = A[j];
  dispatch_simd<LoadF32x8, ScalarF32>(C, B, a, k, n, m);
}

void moments_bf16(const uint16_t* C, const uint16_t* B, const uint16_t* const* A, int k, size_t n,
                  Moments& m) {
  const void* a[kMaxParents] = {};
  for (int j = 0; j < k && j < kMaxParents; ++j) a[j] = A[j];
  dispatch_simd<LoadBF16x8, ScalarBF16>(C, B, a, k, n, m);
}

bool kernel_has_simd() { return true; }

}  // namespace mp

#else  // no wasm SIMD: the fast paths are the scalar twins

namespace mp {

void moments_f32(const float* C, const float* B, const float* const* A, int k, size_t n,
                 Moments& m) {
  moments_f32_scalar(C, B, A, k, n, m);
}
void moments_bf16(const uint16_t* C, const uint16_t* B, const uint16_t* const* A, int k, size_t n,
                  Moments& m) {
  moments_bf16_scalar(C, B, A, k, n, m);
}
bool kernel_has_simd() { return false; }

}  // namespace mp

#endif
