// DELLA's rank test: the rows read and the ranks (rank_keep.h).
#include "stats/rank_keep.h"

#include <algorithm>
#include <cstring>

#include "stats/method_signals.h"
#include "stats/precision.h"

namespace mp {

RankedRows::RankedRows(size_t n, uint64_t row_len) {
  row = row_len >= 1 && row_len <= n ? size_t(row_len) : n;
  if (row == 0) return;
  len = std::min(row, kRankedMaxElements);
  rows = n / row;
  step = std::max<size_t>(1, (rows * len + kRankedMaxElements - 1) / kRankedMaxElements);
}

void rank_norm(const float* a, const float* b, size_t len, std::vector<float>& q) {
  // |d|'s bits above the index, one integer key: a non-negative float orders as its bit pattern
  // (NaN's above +inf), and integer keys sort about twice as fast as (float, index) pairs
  std::vector<uint64_t> r(len);
  for (size_t j = 0; j < len; ++j) {
    const float d = std::fabs(a[j] - b[j]);
    uint32_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    r[j] = uint64_t(bits & 0x7fffffffu) << 32 | uint32_t(j);
  }
  std::sort(r.begin(), r.end());
  q.assign(len, 0.0f);
  for (size_t j = 0; j < len && len > 1; ++j) q[uint32_t(r[j])] = float(double(j) / double(len - 1));
}

void rank_keep_one(const StreamView& C, const StreamView& B, const StreamView& A, double alpha, LineSums& out) {
  alpha = std::fabs(alpha);
  if (!(alpha > 0) || !std::isfinite(alpha)) return;
  const RankedRows rr(size_t(std::min({C.count, B.count, A.count})), C.row_len);
  const Precision pr = precision_of(C.dtype);
  const bool coarser = pr.mantissa_bits < precision_of(B.dtype).mantissa_bits;
  std::vector<float> c(rr.len), b(rr.len), a(rr.len), q;
  for (size_t r = 0; r < rr.rows; r += rr.step) {
    const size_t at = rr.begin(r);
    decode_f32(C, at, rr.len, c.data());
    decode_f32(B, at, rr.len, b.data());
    decode_f32(A, at, rr.len, a.data());
    rank_norm(a.data(), b.data(), rr.len, q);
    for (size_t j = 0; j < rr.len; ++j) {
      if (!std::isfinite(c[j]) || !std::isfinite(b[j]) || !std::isfinite(a[j]) || a[j] == b[j]) continue;
      if (!(alpha * std::fabs(double(a[j]) - b[j]) >= kResolvableUlps * ulp_at(std::fabs(double(b[j])), pr))) continue;
      out.add(q[j], at_base(c[j], b[j], pr, coarser) ? 0.0 : 1.0);
    }
  }
}

}  // namespace mp
