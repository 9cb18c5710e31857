// Shared by the scalar twin and the SIMD path: turns the runtime parent count into the compile-time
// K their loops are specialised on (so the Gram loops fully unroll).
#pragma once
#include <cstdint>
#include <type_traits>

#include "stats/kernel.h"

namespace mp {

// Calls run(std::integral_constant<int, K>, c, b, a) with the streams as byte pointers. A k outside
// the Moments layout accumulates nothing.
template <class Run>
void dispatch_parents(const void* C, const void* B, const void* const* A, int k, Moments& m,
                      Run run) {
  if (k < 0 || k > kMaxParents) return;
  m.k = k;
  const auto* c = static_cast<const uint8_t*>(C);
  const auto* b = static_cast<const uint8_t*>(B);
  const uint8_t* a[kMaxParents] = {};
  for (int j = 0; j < k; ++j) a[j] = static_cast<const uint8_t*>(A[j]);
  switch (k) {
    case 0: run(std::integral_constant<int, 0>{}, c, b, a); break;
    case 1: run(std::integral_constant<int, 1>{}, c, b, a); break;
    case 2: run(std::integral_constant<int, 2>{}, c, b, a); break;
    case 3: run(std::integral_constant<int, 3>{}, c, b, a); break;
    case 4: run(std::integral_constant<int, 4>{}, c, b, a); break;
  }
}

}  // namespace mp
