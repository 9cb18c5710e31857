// Native benchmarks (npm run bench): the moments kernel and the header/index parsers, each beside
// its baseline in the same run, and the several-parent kept sets beside the kernel. Figures go to
// BENCHMARKS.md.
#include <cstdio>

int bench_kernel_native();  // bench/kernel_bench.cpp
int bench_parse_native();   // bench/parse_bench.cpp
int bench_subset_native();  // bench/subset_bench.cpp

int main() {
  int rc = bench_kernel_native();
  rc |= bench_parse_native();
  rc |= bench_subset_native();
  return rc;
}
