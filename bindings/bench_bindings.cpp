// Benchmark hooks (bench/bench_wasm.mjs), linked with bindings.cpp into build/wasm/mergeprobe-bench
// only: the page's module (build/wasm/mergeprobe.mjs) exports none of them
// (tests/js/architecture.test.mjs checks).
#include <emscripten/bind.h>
#include <malloc.h>

#include "heap_ptr.h"
#include "stats/kernel.h"

namespace {

using mp::bindings::ptr;

// The bf16 kernel over data already in the heap (SIMD or its scalar twin).
double benchMomentsBf16(double c, double b, double a, double n, bool simd) {
  mp::Moments m;
  m.k = 1;
  const uint16_t* pa = reinterpret_cast<const uint16_t*>(ptr(a));
  if (simd)
    mp::moments_bf16(reinterpret_cast<const uint16_t*>(ptr(c)), reinterpret_cast<const uint16_t*>(ptr(b)), &pa, 1,
                     static_cast<size_t>(n), m);
  else
    mp::moments_bf16_scalar(reinterpret_cast<const uint16_t*>(ptr(c)), reinterpret_cast<const uint16_t*>(ptr(b)), &pa,
                            1, static_cast<size_t>(n), m);
  return m.g(0, 1);
}

bool kernelHasSimd() { return mp::kernel_has_simd(); }

// The allocator's own figures (bench/heap_phases.mjs): bytes in use now, and the most it ever took
// from the heap (dlmalloc's max_footprint), which the wasm memory's ~20% growth steps round up.
emscripten::val heapStats() {
  const struct mallinfo mi = mallinfo();
  emscripten::val out = emscripten::val::object();
  out.set("inUse", static_cast<double>(mi.uordblks));
  out.set("maxFootprint", static_cast<double>(mi.usmblks));
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(mergeprobe_bench) {
  emscripten::function("benchMomentsBf16", &benchMomentsBf16);
  emscripten::function("kernelHasSimd", &kernelHasSimd);
  emscripten::function("heapStats", &heapStats);
}
