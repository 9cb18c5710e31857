// The scalar moments kernel: the definition of the semantics (kernel.h) and the twin the SIMD path
// is tested against. Also Moments::add and accumulate(), which picks a fast path or decodes.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "stats/kernel.h"
#include "stats/kernel_dispatch.h"

namespace mp {

void Moments::add(const Moments& o) {
  n += o.n;
  for (int i = 0; i < kMaxVectors * kMaxVectors; ++i) gram[i] += o.gram[i];
  eq_cb += o.eq_cb;
  for (int i = 0; i < kMaxParents; ++i) eq_ca[i] += o.eq_ca[i];
  nonfinite += o.nonfinite;
}

namespace {

// Loads one element as f32 from a possibly unaligned byte pointer (fetched ranges have any
// alignment; memcpy compiles to a plain load).
struct LoadF32 {
  static float at(const uint8_t* p, size_t i) {
    float v;
    std::memcpy(&v, p + 4 * i, 4);
    return v;
  }
};
struct LoadBF16 {
  static float at(const uint8_t* p, size_t i) {
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    const uint32_t u = static_cast<uint32_t>(h) << 16;  // bf16 is the top half of an f32
    float v;
    std::memcpy(&v, &u, 4);
    return v;
  }
};

// "Exactly equal" means the same stored bits (kernel.h): +0 and -0 differ, as they do to a hash.
bool same_bits(float x, float y) {
  uint32_t u, v;
  std::memcpy(&u, &x, 4);
  std::memcpy(&v, &y, 4);
  return u == v;
}

// Slow, exact-as-possible path for a block whose f32 sums came out non-finite: per element in f64,
// leaving out (and counting) elements where any stream is NaN/Inf. Finite f32 inputs cannot
// overflow an f64 product, so a block that only overflowed f32 is recovered here in full.
template <int K, class L>
void block_f64(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t off, size_t len,
               Moments& m) {
  constexpr int NV = K + 2;
  for (size_t i = off; i < off + len; ++i) {
    const float c = L::at(C, i), b = L::at(B, i);
    float a[K + 1];
    bool finite = std::isfinite(c) && std::isfinite(b);
    for (int j = 0; j < K; ++j) {
      a[j] = L::at(A[j], i);
      finite = finite && std::isfinite(a[j]);
    }
    if (!finite) {
      ++m.nonfinite;
      continue;
    }
    double v[NV];
    v[0] = static_cast<double>(c) - b;
    for (int j = 0; j < K; ++j) v[1 + j] = static_cast<double>(a[j]) - b;
    v[NV - 1] = b;
    for (int r = 0; r < NV; ++r)
      for (int s = r; s < NV; ++s) {
        const double p = v[r] * v[s];
        m.gram[r * kMaxVectors + s] += p;
        if (s != r) m.gram[s * kMaxVectors + r] += p;
      }
    ++m.n;
    m.eq_cb += same_bits(c, b);
    for (int j = 0; j < K; ++j) m.eq_ca[j] += same_bits(c, a[j]);
  }
}

// One flush block (len <= kFlushBlock): f32 products summed in f32, then added to the f64 Gram.
// The block's sums are checked once: any NaN/Inf in the inputs (or an f32 overflow) makes them
// non-finite, and the block is redone by block_f64. The check costs one add per Gram entry per
// block, so clean data pays nothing measurable.
// g++ -O3 "vectorizes" this loop by packing v[] and the counters through the stack (scalar stores
// read back as one vector load), which defeats store forwarding: measured 3.6x slower natively
// than with vectorization off for this function (clang does not do this).
#if defined(__GNUC__) && !defined(__clang__)
#define MP_NO_VECTORIZE __attribute__((optimize("no-tree-vectorize")))
#else
#define MP_NO_VECTORIZE
#endif

template <int K, class L>
MP_NO_VECTORIZE void block_f32(const uint8_t* C, const uint8_t* B, const uint8_t* const* A,
                               size_t off, size_t len, Moments& m) {
  constexpr int NV = K + 2;
  constexpr int NP = NV * (NV + 1) / 2;
  float acc[NP] = {};
  uint32_t eq_cb = 0, eq_ca[K + 1] = {};
  for (size_t i = off; i < off + len; ++i) {
    const float c = L::at(C, i), b = L::at(B, i);
    float v[NV];
    v[0] = c - b;
    for (int j = 0; j < K; ++j) {
      const float a = L::at(A[j], i);
      v[1 + j] = a - b;
      eq_ca[j] += same_bits(c, a);
    }
    v[NV - 1] = b;
    eq_cb += same_bits(c, b);
    int p = 0;
    for (int r = 0; r < NV; ++r)
      for (int s = r; s < NV; ++s) acc[p++] += v[r] * v[s];
  }
  float check = 0;
  for (int p = 0; p < NP; ++p) check += acc[p];
  if (!std::isfinite(check)) {
    block_f64<K, L>(C, B, A, off, len, m);
    return;
  }
  int p = 0;
  for (int r = 0; r < NV; ++r)
    for (int s = r; s < NV; ++s, ++p) {
      m.gram[r * kMaxVectors + s] += acc[p];
      if (s != r) m.gram[s * kMaxVectors + r] += acc[p];
    }
  m.n += len;
  m.eq_cb += eq_cb;
  for (int j = 0; j < K; ++j) m.eq_ca[j] += eq_ca[j];
}

template <int K, class L>
void run_scalar(const uint8_t* C, const uint8_t* B, const uint8_t* const* A, size_t n, Moments& m) {
  for (size_t off = 0; off < n; off += kFlushBlock)
    block_f32<K, L>(C, B, A, off, std::min(kFlushBlock, n - off), m);
}

template <class L>
void dispatch_scalar(const void* C, const void* B, const void* const* A, int k, size_t n,
                     Moments& m) {
  dispatch_parents(C, B, A, k, m,
                   [&](auto K, const uint8_t* c, const uint8_t* b, const uint8_t* const* a) {
                     run_scalar<decltype(K)::value, L>(c, b, a, n, m);
                   });
}

bool no_scale_in(Dtype want, const StreamView& C, const StreamView& B, const StreamView* A, int k) {
  auto ok = [want](const StreamView& s) { return s.dtype == want && s.scale == nullptr; };
  if (!ok(C) || !ok(B)) return false;
  for (int j = 0; j < k; ++j)
    if (!ok(A[j])) return false;
  return true;
}

}  // namespace

void moments_f32_scalar(const float* C, const float* B, const float* const* A, int k, size_t n,
                        Moments& m) {
  const void* a[kMaxParents] = {};
  for (int j = 0; j < k && j < kMaxParents; ++j) a[j] = A[j];
  dispatch_scalar<LoadF32>(C, B, a, k, n, m);
}

void moments_bf16_scalar(const uint16_t* C, const uint16_t* B, const uint16_t* const* A, int k,
                         size_t n, Moments& m) {
  const void* a[kMaxParents] = {};
  for (int j = 0; j < k && j < kMaxParents; ++j) a[j] = A[j];
  dispatch_scalar<LoadBF16>(C, B, a, k, n, m);
}

void accumulate(const StreamView& C, const StreamView& B, const StreamView* A, int k, Moments& m) {
  if (k < 0 || k > kMaxParents) return;
  uint64_t count = std::min(C.count, B.count);
  for (int j = 0; j < k; ++j) count = std::min(count, A[j].count);
  // Sizes of in-memory samples fit size_t (they are in this address space).
  const size_t n = static_cast<size_t>(count);

  // Fast paths read the fetched bytes in place (the SIMD loads and the scalar memcpy loads are
  // alignment-free; the typed pointers are never dereferenced directly).
  if (no_scale_in(Dtype::BF16, C, B, A, k)) {
    const uint16_t* a[kMaxParents] = {};
    for (int j = 0; j < k; ++j) a[j] = reinterpret_cast<const uint16_t*>(A[j].data);
    moments_bf16(reinterpret_cast<const uint16_t*>(C.data),
                 reinterpret_cast<const uint16_t*>(B.data), a, k, n, m);
    return;
  }
  if (no_scale_in(Dtype::F32, C, B, A, k)) {
    const float* a[kMaxParents] = {};
    for (int j = 0; j < k; ++j) a[j] = reinterpret_cast<const float*>(A[j].data);
    moments_f32(reinterpret_cast<const float*>(C.data), reinterpret_cast<const float*>(B.data), a,
                k, n, m);
    return;
  }

  // Mixed dtypes or FP8 scales: decode one flush block of every stream into scratch (at most
  // 6 * 1024 floats = 24 KiB on the stack) and run the f32 kernel on it.
  alignas(16) float scratch[kMaxVectors][kFlushBlock];
  float* c = scratch[0];
  float* b = scratch[1];
  const float* a[kMaxParents] = {};
  for (int j = 0; j < k; ++j) a[j] = scratch[2 + j];
  for (size_t off = 0; off < n; off += kFlushBlock) {
    const size_t len = std::min(kFlushBlock, n - off);
    decode_f32(C, off, len, c);
    decode_f32(B, off, len, b);
    for (int j = 0; j < k; ++j) decode_f32(A[j], off, len, scratch[2 + j]);
    moments_f32(c, b, a, k, len, m);
  }
  m.k = k;
}

}  // namespace mp
