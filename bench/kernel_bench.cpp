// Native benchmark of the moments kernel: GB/s of input (all streams counted) for one parent,
// bf16 and f32, best of 5, on thread CPU time. Natively the fast paths are the scalar twins (the
// SIMD path is wasm only); wasm figures are measured through the bindings from JS (toolchain-notes
// pitfall 10).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "stats/kernel.h"

namespace {

constexpr size_t kStreamBytes = 64u << 20;  // 64 MB per stream: far beyond the caches
constexpr int kRuns = 5;

// Weight-like values: base in [-0.5, 0.5), parent = base + small delta, suspect = linear merge.
void fill(size_t n, std::vector<float>& c, std::vector<float>& b, std::vector<float>& a) {
  c.resize(n);
  b.resize(n);
  a.resize(n);
  uint32_t s = 1;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    const float base = static_cast<float>(static_cast<int32_t>(s >> 8)) / 16777216.0f - 0.5f;
    const float d = (static_cast<float>(s & 0xffu) - 128.0f) / 8192.0f;
    b[i] = base;
    a[i] = base + d;
    c[i] = base + 0.571f * d;
  }
}

uint16_t bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// Thread CPU time, not wall time: the figure should not depend on what else the machine runs
// (the parser benchmark reports CPU time too).
double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class Fn>
double best_gbps(size_t input_bytes, Fn run, double* alpha) {
  double best = 0;
  for (int r = 0; r < kRuns; ++r) {
    mp::Moments m;
    const double t0 = thread_seconds();
    run(m);
    const double s = thread_seconds() - t0;
    best = std::max(best, static_cast<double>(input_bytes) / s / 1e9);
    *alpha = m.g(0, 1) / m.g(1, 1);  // keeps the work observable
  }
  return best;
}

}  // namespace

int bench_kernel_native() {
  const char* path = mp::kernel_has_simd() ? "simd" : "scalar";
  {
    const size_t n = kStreamBytes / 2;
    std::vector<float> c, b, a;
    fill(n, c, b, a);
    std::vector<uint16_t> c16(n), b16(n), a16(n);
    for (size_t i = 0; i < n; ++i) {
      c16[i] = bf16_bits(c[i]);
      b16[i] = bf16_bits(b[i]);
      a16[i] = bf16_bits(a[i]);
    }
    const uint16_t* ap[1] = {a16.data()};
    double alpha = 0;
    const double gbps = best_gbps(
        3 * n * 2, [&](mp::Moments& m) { mp::moments_bf16(c16.data(), b16.data(), ap, 1, n, m); },
        &alpha);
    std::printf("kernel bf16, 1 parent, 3 x 64 MB, native %s: %.2f GB/s CPU (alpha %.4f)\n", path,
                gbps, alpha);
  }
  {
    const size_t n = kStreamBytes / 4;
    std::vector<float> c, b, a;
    fill(n, c, b, a);
    const float* ap[1] = {a.data()};
    double alpha = 0;
    const double gbps = best_gbps(
        3 * n * 4, [&](mp::Moments& m) { mp::moments_f32(c.data(), b.data(), ap, 1, n, m); },
        &alpha);
    std::printf("kernel f32,  1 parent, 3 x 64 MB, native %s: %.2f GB/s CPU (alpha %.4f)\n", path,
                gbps, alpha);
  }
  return 0;
}
