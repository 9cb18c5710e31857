// Kernel ablation (npm run bench): the shipped moments kernel beside stripped copies of its loop, in
// one wasm module and one run, to show where the time goes. Not part of the product; built by
// scripts/bench.sh with em++ directly. The copies are for one bf16 parent only.
//   shipped:    mp::moments_bf16 (6 Gram products + equality counts in their own loop)
//   gram6:      the same moments loop without the equality counts
//   prototype3: only D·D, D·d, d·d (what a 22-24 GB/s prototype computed)
//   folded:     equality counts folded into the moments loop (the earlier design)
#include <emscripten.h>
#include <wasm_simd128.h>

#include <cstdint>
#include <cstdlib>

#include "stats/kernel.h"

namespace {

constexpr size_t kBlock = mp::kFlushBlock;

inline void load8(const uint16_t* p, v128_t& lo, v128_t& hi) {
  const v128_t x = wasm_v128_load(p);
  lo = wasm_i32x4_shl(x, 16);
  hi = wasm_v128_and(x, wasm_i32x4_splat(static_cast<int32_t>(0xffff0000u)));
}

double lanes(v128_t v) {
  return static_cast<double>(wasm_f32x4_extract_lane(v, 0)) + wasm_f32x4_extract_lane(v, 1) +
         static_cast<double>(wasm_f32x4_extract_lane(v, 2)) + wasm_f32x4_extract_lane(v, 3);
}

// NV = 3 vectors [D, d, B] (6 products) or 2 vectors [D, d] (3 products); FOLD adds equality
// counts to the moments loop.
template <int NV, bool FOLD>
__attribute__((noinline)) double run(const uint16_t* C, const uint16_t* B, const uint16_t* A,
                                     size_t n) {
  constexpr int NP = NV * (NV + 1) / 2;
  double out = 0;
  for (size_t off = 0; off + kBlock <= n; off += kBlock) {
    v128_t acc[NP];
    for (auto& a : acc) a = wasm_f32x4_splat(0);
    v128_t eq = wasm_i8x16_splat(0);
    for (size_t i = off; i < off + kBlock; i += 8) {
      v128_t c0, c1, b0, b1, a0, a1;
      load8(C + i, c0, c1);
      load8(B + i, b0, b1);
      load8(A + i, a0, a1);
      if (FOLD)
        eq = wasm_i8x16_sub(eq, wasm_i8x16_narrow_i16x8(
                                    wasm_i16x8_eq(wasm_v128_load(C + i), wasm_v128_load(B + i)),
                                    wasm_i16x8_eq(wasm_v128_load(C + i), wasm_v128_load(A + i))));
      const v128_t v0[3] = {wasm_f32x4_sub(c0, b0), wasm_f32x4_sub(a0, b0), b0};
      const v128_t v1[3] = {wasm_f32x4_sub(c1, b1), wasm_f32x4_sub(a1, b1), b1};
      int p = 0;
      for (int r = 0; r < NV; ++r)
        for (int s = r; s < NV; ++s, ++p) {
          acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v0[r], v0[s]));
          acc[p] = wasm_f32x4_add(acc[p], wasm_f32x4_mul(v1[r], v1[s]));
        }
    }
    for (const auto& a : acc) out += lanes(a);
    out += wasm_u8x16_extract_lane(eq, 0);
  }
  return out;
}

}  // namespace

extern "C" {
EMSCRIPTEN_KEEPALIVE void* ablation_alloc(size_t bytes) { return aligned_alloc(16, bytes); }

// variant: 0 shipped, 1 gram6, 2 prototype3, 3 folded. Returns a value that depends on the sums.
EMSCRIPTEN_KEEPALIVE double ablation_run(int variant, const uint16_t* C, const uint16_t* B,
                                         const uint16_t* A, size_t n) {
  switch (variant) {
    case 0: {
      mp::Moments m;
      const uint16_t* a[1] = {A};
      mp::moments_bf16(C, B, a, 1, n, m);
      return m.g(0, 1) + static_cast<double>(m.eq_cb);
    }
    case 1: return run<3, false>(C, B, A, n);
    case 2: return run<2, false>(C, B, A, n);
    case 3: return run<3, true>(C, B, A, n);
  }
  return 0;
}
}
