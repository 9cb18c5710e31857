// DARE on the real BERT-tiny sst2 fine-tune, computed in f32 and stored in BF16 (mergekit's
// out_dtype): kept deltas with |w d / rho| under half an ulp of B round back to B, so the elements
// left at B hold more small |d| than the kept ones although the mask ignores |d|. Over all
// elements mean |d| dropped / kept falls to ~0.9 and read as DELLA (sweep1 002, 019, 097); over the
// elements whose kept value cannot round back to B it stays at 1, and DELLA's rank-ranked mask
// stays below kDellaRatio.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "stats/method_signals.h"
#include "test_support.h"
#include "verdict/evidence.h"

namespace {

constexpr double kWeight = 0.3, kDensity = 0.6;

// keep(e, rank_norm): whether element e survives; the delta is rescaled by the L1 ratio (mergekit's
// rescaled_masked_tensor), C = B + w * mask * d * s in f32, then rounded to BF16.
template <class Keep>
mp::verdict::Sparsity run(Keep keep) {
  const auto base = mp_test::load_real_model("bert-tiny-fhe-v0-weights");
  const auto sst2 = mp_test::load_real_model("bert-tiny-sst2-fhe");
  mp::verdict::Sparsity s;
  uint64_t state = 12345;
  const auto uniform = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return double(state >> 11) / double(1ull << 53);
  };
  for (const auto& [name, t] : base) {
    if (!sst2.count(name) || sst2.at(name).values.size() != t.values.size()) continue;
    const size_t n = std::min<size_t>(t.values.size(), 1u << 16);
    std::vector<float> b(t.values.begin(), t.values.begin() + long(n));
    std::vector<float> a(sst2.at(name).values.begin(), sst2.at(name).values.begin() + long(n));
    std::vector<float> mag(n);
    for (size_t e = 0; e < n; ++e) mag[e] = std::fabs(a[e] - b[e]);
    std::vector<size_t> order(n);
    for (size_t e = 0; e < n; ++e) order[e] = e;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return mag[x] < mag[y]; });
    std::vector<double> rank_norm(n);
    for (size_t r = 0; r < n; ++r) rank_norm[order[r]] = n > 1 ? double(r) / double(n - 1) : 0;
    std::vector<uint8_t> mask(n);
    double l1 = 0, l1_kept = 0;
    for (size_t e = 0; e < n; ++e) {
      mask[e] = uniform() < keep(rank_norm[e]);
      l1 += mag[e];
      l1_kept += mask[e] ? mag[e] : 0;
    }
    const double scale = l1_kept > 0 ? l1 / l1_kept : 1;
    std::vector<float> c(n);
    for (size_t e = 0; e < n; ++e) c[e] = float(b[e] + (mask[e] ? kWeight * scale * (a[e] - b[e]) : 0.0));
    const auto cb = mp_test::bf16_bytes(c);
    const mp::StreamView C{cb.data(), mp::Dtype::BF16, n}, A[1] = {mp_test::f32_view(a)};
    mp::MethodSignals x;
    mp::compute_method_signals(C, mp_test::f32_view(b), A, 1, x);
    const mp::ParentSignals& p = x.p[0];
    s.d_nonzero += p.d_nonzero;
    s.dropped += p.zero_D_nonzero_d;
    s.sum_abs_dropped += p.sum_abs_d_zero_D;
    s.sum_abs_kept += p.sum_abs_d_nonzero_D;
    s.add_resolvable(p.res_dropped, p.res_kept, p.res_sum_dropped, p.res_sum_kept);
  }
  REQUIRE(s.d_nonzero > 100000);
  return s;
}

}  // namespace

TEST_CASE("rounded DARE: the drop ratio on resolvable elements ignores the rounding", "[method][real]") {
  const auto s = run([](double) { return kDensity; });
  INFO("all elements " << s.ratio() << ", resolvable " << s.resolvable_ratio());
  REQUIRE(s.ratio() < mp::verdict::kDellaRatio);  // what read as DELLA
  REQUIRE(s.resolvable_ratio() == Approx(1).margin(0.02));
  REQUIRE(s.resolvable_ratio() >= mp::verdict::kDellaRatio);
}

TEST_CASE("rounded DELLA: a |d|-ranked keep probability stays below the DARE ratio", "[method][real]") {
  constexpr double eps = 0.1;  // mergekit's della_magprune: (rho - eps) + rank_norm * 2 eps
  const auto s = run([](double rn) { return kDensity - eps + rn * 2 * eps; });
  INFO("all elements " << s.ratio() << ", resolvable " << s.resolvable_ratio());
  REQUIRE(s.resolvable_ratio() < mp::verdict::kDellaRatio);
  REQUIRE(s.resolvable_ratio() >= mp::verdict::kDareRatio);
}
