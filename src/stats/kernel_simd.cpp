// The wasm SIMD moments kernel (the hot loop of a run). Semantics are those of the scalar twin in
// kernel_scalar.cpp; tests/cpp/stats/kernel_test.cpp asserts they agree. Built without -msimd128 (native
// builds), the fast-path entry points forward to the scalar twins.
#include "stats/kernel.h"
#include "stats/kernel_dispatch.h"

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
  static v128_t same8(const uint8_t* p, const uint8_t* q, size_t i) {
    return wasm_i16x8_eq(wasm_v128_load(p + 2 * i), wasm_v128_load(q + 2 * i));
  }
};
struct LoadF32x8 {
  static constexpr size_t kStep = 8;
  static void load(const uint8_t* p, size_t i, v128_t& lo, v128_t& hi) {
    lo = wasm_v128_load(p + 4 * i);
    hi = wasm_v128_load(p + 4 * i + 16);
  }
  // Eight "same bits" flags as an i16x8 mask (all-ones where the two streams hold equal bits).
  static v128_t same8(const uint8_t* p, const uint8_t* q, size_t i) {
    return wasm_i16x8_narrow_i32x4(
        wasm_i32x4_eq(wasm_v128_load(p + 4 * i), wasm_v128_load(q + 4 * i)),
        wasm_i32x4_eq(wasm_v128_load(p + 4 * i + 16), wasm_v128_load(q + 4 * i + 16)));
  }
};

// The equality counts of one flush block (vec_len elements, a multiple of 8), in a loop of their
// own: folded into the moments loop, the extra counter and masks push V8's x64 code past its 15
// usable xmm registers, and the spilled accumulators then chain through the stack (measured in
// BENCHMARKS.md). Equality is of the stored bits, compared on the raw lanes, so this loop needs no
// conversion. Flags are narrowed to bytes: one i8x16 counter holds two streams (lanes 0-7 and
// 8-15), and a block adds at most kFlushBlock / 8 = 128 to a lane, which fits a byte.
template <int K, class L>
struct SameCounter {
  static constexpr int NM = K + 1;         // C == B, then C == A_j
  static constexpr int NC = (NM + 1) / 2;  // counters, two streams each
  static_assert(kFlushBlock / 8 <= 255, "byte counters would overflow");
  v128_t total[NC];  // u32x4: lanes 0-1 count the first stream of the pair, lanes 2-3 the second

  SameCounter() {
    for (int t = 0; t < NC; ++t) total[t] = wasm_i32x4_splat(0);
  }
  // Counts one block into byte counters cnt[NC]; add() keeps them (a block redone by the scalar
  // twin is dropped).
  static void count_block(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t off,
                          size_t vec_len, v128_t* cnt) {
    for (int t = 0; t < NC; ++t) cnt[t] = wasm_i8x16_splat(0);
    auto step = [&](size_t i) {
      v128_t mask[2 * NC];
      mask[0] = L::same8(C, B, i);
      for (int j = 0; j < K; ++j) mask[1 + j] = L::same8(C, A[j], i);
      if (NM % 2) mask[NM] = wasm_i16x8_splat(0);
      for (int t = 0; t < NC; ++t)
        cnt[t] = wasm_i8x16_sub(cnt[t], wasm_i8x16_narrow_i16x8(mask[2 * t], mask[2 * t + 1]));
    };
    const size_t end = off + vec_len;
    size_t i = off;
    for (; i + 16 <= end; i += 16) {  // two steps per iteration: half the loop overhead
      step(i);
      step(i + 8);
    }
    if (i < end) step(i);
  }
  void add(const v128_t* cnt) {
    for (int t = 0; t < NC; ++t)  // widen the bytes: 8 -> 16 -> 32 bits, pairwise
      total[t] = wasm_i32x4_add(
          total[t], wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(cnt[t])));
  }
  void store(Moments& m) const {
    uint64_t counts[2 * NC] = {};
    for (int t = 0; t < NC; ++t) {
      alignas(16) uint32_t lanes[4];
      wasm_v128_store(lanes, total[t]);
      counts[2 * t] = static_cast<uint64_t>(lanes[0]) + lanes[1];
      counts[2 * t + 1] = static_cast<uint64_t>(lanes[2]) + lanes[3];
    }
    m.eq_cb = counts[0];
    for (int j = 0; j < K; ++j) m.eq_ca[j] = counts[1 + j];
  }
};

// The moments over n elements. Each flush block sums f32 products in f32 lanes; the block sums are
// then added, still as vectors, to f64x2 totals, and only the call's totals are reduced to
// scalars: flushing every block into a scalar Moments cost about a fifth of the time.
// Every Gram entry has one f32x4 accumulator that both halves add into. Giving the halves their
// own accumulators (to halve the add-latency chain) was measured slower: with 12 accumulators for
// one parent, V8's x64 code spills to the stack every iteration (16 xmm registers), and the loop
// is bound by vector-op throughput anyway.
template <int K, class L, class S>
void run_simd(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t n, Moments& m) {
  constexpr int NV = K + 2;
  constexpr int NP = NV * (NV + 1) / 2;
  v128_t total[NP];  // f64x2
  for (int p = 0; p < NP; ++p) total[p] = wasm_f64x2_splat(0.0);
  SameCounter<K, L> same;
  uint64_t n_simd = 0;
  Moments scalar;  // tails and blocks redone by the scalar twin
  scalar.k = K;

  for (size_t off = 0; off < n; off += kFlushBlock) {
    const size_t len = std::min(kFlushBlock, n - off);
    const size_t vec_len = len - len % L::kStep;
    v128_t acc[NP];
    for (int p = 0; p < NP; ++p) acc[p] = wasm_f32x4_splat(0.0f);
    for (size_t i = off; i < off + vec_len; i += L::kStep) {
      v128_t c0, c1, b0, b1, v0[NV], v1[NV];
      L::load(C, i, c0, c1);
      L::load(B, i, b0, b1);
      v0[0] = wasm_f32x4_sub(c0, b0);
      v1[0] = wasm_f32x4_sub(c1, b1);
      v0[NV - 1] = b0;
      v1[NV - 1] = b1;
      for (int j = 0; j < K; ++j) {
        v128_t a0, a1;
        L::load(A[j], i, a0, a1);
        v0[1 + j] = wasm_f32x4_sub(a0, b0);
        v1[1 + j] = wasm_f32x4_sub(a1, b1);
      }
      int p = 0;
      for (int r = 0; r < NV; ++r)
        for (int s = r; s < NV; ++s, ++p) {
          acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v0[r], v0[s]));
          acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v1[r], v1[s]));
        }
    }
    // NaN/Inf anywhere in the block (or an f32 overflow) shows in the sums (x - x is NaN for
    // them): let the scalar twin redo the whole block, which leaves out and counts the bad
    // elements.
    v128_t check = acc[0];
    for (int p = 1; p < NP; ++p) check = wasm_f32x4_add(check, acc[p]);
    if (!wasm_i32x4_all_true(wasm_f32x4_eq(wasm_f32x4_sub(check, check), wasm_f32x4_splat(0.0f)))) {
      S::run(C, B, A, K, off, len, scalar);
      continue;
    }
    for (int p = 0; p < NP; ++p)
      total[p] = wasm_f64x2_add(
          total[p], wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(acc[p]),
                                   wasm_f64x2_promote_low_f32x4(
                                       wasm_i32x4_shuffle(acc[p], acc[p], 2, 3, 2, 3))));
    v128_t cnt[SameCounter<K, L>::NC];
    SameCounter<K, L>::count_block(C, B, A, off, vec_len, cnt);
    same.add(cnt);
    n_simd += vec_len;
    if (vec_len < len) S::run(C, B, A, K, off + vec_len, len - vec_len, scalar);  // < 8 left
  }

  Moments vec;
  vec.k = K;
  vec.n = n_simd;
  int p = 0;
  for (int r = 0; r < NV; ++r)
    for (int s = r; s < NV; ++s, ++p) {
      const double v = wasm_f64x2_extract_lane(total[p], 0) + wasm_f64x2_extract_lane(total[p], 1);
      vec.gram[r * kMaxVectors + s] = v;
      vec.gram[s * kMaxVectors + r] = v;
    }
  same.store(vec);
  m.add(vec);
  m.add(scalar);
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

template <class L, class S>
void dispatch_simd(const void* C, const void* B, const void* const* A, int k, size_t n,
                   Moments& m) {
  dispatch_parents(C, B, A, k, m,
                   [&](auto K, const uint8_t* c, const uint8_t* b, const uint8_t* const* a) {
                     run_simd<decltype(K)::value, L, S>(c, b, a, n, m);
                   });
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
