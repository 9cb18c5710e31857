// The streaming statistics kernel. For aligned chunks of the suspect C, the base B and k parents
// A_i it accumulates, in double precision, the Gram matrix of the vectors
//     v_0 = D = C - B,   v_1..v_k = d_i = A_i - B,   v_{k+1} = B
// which is everything the estimators need: alpha (LSQ on the d-block), cos_fit / R^2, the plane
// fit C = p*A + q*B (regress D on d and B), raw-weight cosines and relative delta norms.
// Also counts exact equalities C == B and C == A_i, as identical stored bits (a copied weight is
// bit-identical; +0 and -0 count as different, as they do for the tensor hashes).
//
// Lanes are f32 (deltas of bf16 values are exact in f32) and are flushed into f64 sums every
// kFlushBlock elements, which keeps the f32 error bounded and the kernel at memory speed.
// The SIMD path (wasm_simd128.h) lives in kernel_simd.cpp; kernel_scalar.cpp is its twin and the
// definition of the semantics. Tests assert they agree.
#pragma once
#include <cstddef>
#include <cstdint>

#include "stats/decode.h"

namespace mp {

constexpr int kMaxParents = 4;
constexpr int kMaxVectors = kMaxParents + 2;  // D, d_1..d_k, B
constexpr size_t kFlushBlock = 1024;

struct Moments {
  int k = 1;        // number of parents
  uint64_t n = 0;   // elements accumulated
  double gram[kMaxVectors * kMaxVectors] = {};  // row-major, symmetric, over [D, d_1..d_k, B]
  uint64_t eq_cb = 0;                 // C and B hold the same bits
  uint64_t eq_ca[kMaxParents] = {};   // C and A_i hold the same bits
  // Elements left out because some stream held NaN/Inf there (or products overflowed f32). They
  // are not in n, gram or the eq counts; reporting them keeps one bad tensor from hiding.
  uint64_t nonfinite = 0;

  int dim() const { return k + 2; }
  double g(int i, int j) const { return gram[i * kMaxVectors + j]; }
  void add(const Moments& other);     // pool two accumulations (same k)
};

// Fast paths: all streams in one dtype, contiguous, no scales.
void moments_f32(const float* C, const float* B, const float* const* A, int k, size_t n, Moments& m);
void moments_bf16(const uint16_t* C, const uint16_t* B, const uint16_t* const* A, int k, size_t n,
                  Moments& m);
// Scalar twins (always compiled; the reference for tests).
void moments_f32_scalar(const float* C, const float* B, const float* const* A, int k, size_t n,
                        Moments& m);
void moments_bf16_scalar(const uint16_t* C, const uint16_t* B, const uint16_t* const* A, int k,
                         size_t n, Moments& m);
bool kernel_has_simd();  // true when the wasm SIMD path is compiled in

// Any supported dtypes, mixed, with FP8 scales: uses the bf16/f32 fast path when every stream
// allows it, else decodes blocks of kFlushBlock into scratch and runs the f32 kernel.
void accumulate(const StreamView& C, const StreamView& B, const StreamView* A, int k, Moments& m);

}  // namespace mp
