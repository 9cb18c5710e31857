// Native benchmark of the per-element kept sets (stats/subset_fit.h), the costliest part of a
// several-parent verdict: one sample of kSubsetFitMaxElements elements, a DARE merge of k = 2, 3, 4
// parents, beside the moments kernel on the same streams (the ratio is what the figures in
// BENCHMARKS.md quote), and the same merge stored in BF16 (a rounded suspect's fit also shares out
// the elements rounding leaves undecided, subset::soft_kept). Best of 5 on thread CPU time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <vector>

#include "stats/kernel.h"
#include "stats/precision.h"
#include "stats/subset_fit.h"
#include "stats/ties_sets.h"

namespace {

constexpr int kRuns = 5;

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

template <typename F>
double best_of(F f) {
  double best = INFINITY;
  for (int r = 0; r < kRuns; ++r) {
    const double t0 = thread_seconds();
    f();
    best = std::min(best, thread_seconds() - t0);
  }
  return best;
}

}  // namespace

int bench_subset_native() {
  const size_t n = mp::kSubsetFitMaxElements;
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0, 1);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> b(n), c(n);
  std::vector<float> a[mp::kMaxParents];
  for (auto& x : b) x = 0.05f * g(rng);
  for (auto& v : a) {
    v.resize(n);
    for (size_t e = 0; e < n; ++e) v[e] = b[e] + 0.001f * g(rng);
  }
  const auto view = [](const std::vector<float>& v) {
    mp::StreamView s{reinterpret_cast<const uint8_t*>(v.data()), mp::Dtype::F32, v.size()};
    s.row_len = 1024;  // rows as a model's (DELLA's rank test reads |d|'s rank within each row)
    return s;
  };
  std::printf("subset fit (%zu elements, dare_linear, f32): ms, and its time over the moments kernel's\n", n);
  for (int k = 2; k <= mp::kMaxParents; ++k) {
    for (size_t e = 0; e < n; ++e) {
      double s = 0;
      for (int i = 0; i < k; ++i) {
        const double rho = 0.4 + 0.1 * i;
        if (u(rng) < rho) s += 0.3 * (a[i][e] - b[e]) / rho;
      }
      c[e] = b[e] + float(s);
    }
    mp::StreamView A[mp::kMaxParents];
    for (int i = 0; i < k; ++i) A[i] = view(a[i]);
    const mp::StreamView C = view(c), B = view(b);
    const double kernel = best_of([&] {
      mp::Moments m;
      m.k = k;
      mp::accumulate(C, B, A, k, m);
    });
    const double fit = best_of([&] {
      mp::SubsetSignals s;
      mp::compute_subset_fit(C, B, A, k, s);
    });
    // the same merge stored in BF16 (round to nearest even, as mergekit's out_dtype)
    std::vector<uint16_t> c16(n);
    for (size_t e = 0; e < n; ++e) {
      const float r = mp::round_bf16(c[e]);
      uint32_t u;
      std::memcpy(&u, &r, 4);
      c16[e] = uint16_t(u >> 16);
    }
    mp::StreamView C16{reinterpret_cast<const uint8_t*>(c16.data()), mp::Dtype::BF16, n};
    C16.row_len = 1024;
    const double fit16 = best_of([&] {
      mp::SubsetSignals s;
      mp::compute_subset_fit(C16, B, A, k, s);
    });
    // a TIES verdict's second pass over the same sample (its kept sets at given densities)
    std::vector<std::vector<mp::StreamView>> ordered{{C}};
    for (int i = 0; i < k; ++i) ordered[0].push_back(A[i]);
    ordered[0].push_back(B);
    const double density[mp::kMaxParents] = {0.4, 0.5, 0.6, 0.7};
    const double sets = best_of([&] {
      mp::TiesSets s;
      mp::ties_set_moments(ordered, k, density, s);
    });
    std::printf("  k = %d: kernel %.2f ms, subset fit %.1f ms, ratio %.0f; BF16 suspect: subset fit %.1f ms; TIES kept sets %.1f ms\n", k,
                1e3 * kernel, 1e3 * fit, fit / kernel, 1e3 * fit16, 1e3 * sets);
  }
  return 0;
}
