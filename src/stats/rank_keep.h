// DELLA's keep probability against |d|'s rank in its row. mergekit's della_magprune ranks |d| along
// the last dimension and keeps with probability (density - eps) + 2 eps q, q the rank normalised to
// 0..1; DARE's mask ignores |d|. Least squares of kept (0 or 1) on q, over elements where C shows
// whether the parent was kept, has slope 2 eps (DARE 0) whatever the density, and its value at
// q = 1/2 is the density. Shared by the one-parent signals (stats/method_signals.cpp, kept where C
// is off B) and the per-element kept sets (stats/subset_fit.cpp, kept where the set holds i).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stats/decode.h"

namespace mp {

// At most this many elements of a sample are ranked per parent: whole rows, an even stride (a
// slope needs far fewer than the 2^18 elements a sample may hold, and ranking is a sort).
constexpr size_t kRankedMaxElements = size_t(1) << 14;

// Least squares of y on x within samples, pooled: each sample is centred on its own means (one
// sample's elements through add(x, y), Welford's update), so that densities differing between
// tensors (mergekit's per-layer lists, whose layers rank differently among the readable elements)
// do not tilt the slope; add(other) pools samples.
struct LineSums {
  double n = 0, x = 0, y = 0, sxx = 0, sxy = 0;
  void add(double xv, double yv) {
    const double mx0 = n > 0 ? x / n : 0;
    n += 1;
    x += xv;
    y += yv;
    sxx += (xv - mx0) * (xv - x / n);
    sxy += (xv - mx0) * (yv - y / n);
  }
  void add(const LineSums& o) {
    n += o.n; x += o.x; y += o.y; sxx += o.sxx; sxy += o.sxy;
  }
  double slope() const { return sxx > 0 ? sxy / sxx : NAN; }
  double at(double xv) const { return n > 0 ? y / n + slope() * (xv - x / n) : NAN; }
};

// The rows a sample of n elements with rows of row_len offers the rank test: [begin, begin + len)
// ranges, whole rows (a row longer than kRankedMaxElements: its first kRankedMaxElements, ranked
// as the row up to sampling; a sample shorter than its row: the sample), every step-th.
struct RankedRows {
  size_t row = 0, len = 0, rows = 0, step = 1;
  RankedRows(size_t n, uint64_t row_len);
  size_t begin(size_t r) const { return r * row; }
};

// q[j] = the rank of |a[j] - b[j]| among the len elements, normalised as della_magprune's
// (rank - min) / (max - min), 0 to 1 (ties in index order).
void rank_norm(const float* a, const float* b, size_t len, std::vector<float>& q);

// One parent: the rows' elements with d != 0 where the kept coefficient `alpha` moves B by
// kResolvableUlps ulps of C's dtype or more (rounding cannot return a kept delta to B there),
// kept where C is off B. Decodes only the rows it reads.
void rank_keep_one(const StreamView& C, const StreamView& B, const StreamView& A, double alpha, LineSums& out);

}  // namespace mp
