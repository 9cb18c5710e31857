// count_far_drops (stats/method_signals.h) on a real BERT-tiny delta: a bf16 linear merge with a
// small weight leaves many elements at B, all where its own coefficient moves B by less than two
// ulps; a random mask (DARE) leaves them wherever it drops, also at a small weight, whose kept
// elements carry weight / density.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "stats/method_signals.h"
#include "test_support.h"

using mp::Dtype;
using mp::StreamView;

namespace {

struct Pair {
  std::vector<float> b, a;  // the base and the sst2 fine-tune, rounded to bf16 (mergekit's inputs)
};
const Pair& pair() {
  static const Pair p = [] {
    const std::string name = "bert.encoder.layer.1.attention.self.query.weight";
    const auto base = mp_test::load_real_model("bert-tiny-fhe-v0-weights");
    const auto sst2 = mp_test::load_real_model("bert-tiny-sst2-fhe");
    Pair x;
    if (!base.count(name) || !sst2.count(name)) return x;
    for (float v : base.at(name).values) x.b.push_back(mp_test::bf16_round(v));
    for (float v : sst2.at(name).values) x.a.push_back(mp_test::bf16_round(v));
    return x;
  }();
  REQUIRE(p.b.size() == 128u * 128u);
  return p;
}

StreamView view(const std::vector<uint8_t>& bytes, Dtype d) {
  return {bytes.data(), d, bytes.size() / (d == Dtype::BF16 ? 2 : 4)};
}

// C (bf16) = round(B + x(e) d) for a per-element factor; the share of C's zeros that are far.
double far_share(const Pair& p, double alpha, double (*factor)(size_t, std::mt19937&)) {
  std::mt19937 rng(7);
  std::vector<float> c(p.b.size());
  for (size_t e = 0; e < c.size(); ++e) c[e] = float(p.b[e] + factor(e, rng) * (double(p.a[e]) - p.b[e]));
  const auto cb = mp_test::bf16_bytes(c), bb = mp_test::bf16_bytes(p.b), ab = mp_test::bf16_bytes(p.a);
  const StreamView A = view(ab, Dtype::BF16);
  mp::MethodSignals x;
  mp::compute_method_signals(view(cb, Dtype::BF16), view(bb, Dtype::BF16), &A, 1, x);  // the kept coefficient
  mp::count_far_drops(view(cb, Dtype::BF16), view(bb, Dtype::BF16), &A, 1, &alpha, x);
  REQUIRE(x.drops > 1000);
  return double(x.drops_far) / double(x.drops);
}

}  // namespace

TEST_CASE("far drops: rounding of a small linear weight against a random mask", "[method][real]") {
  const Pair& p = pair();
  // w = 0.05: most of C rounds back to B, each time where 0.05 |d| is below an ulp or two
  CHECK(far_share(p, 0.05, [](size_t, std::mt19937&) { return 0.05; }) < 0.01);
  // DARE at density 0.5, weight 0.5 (kept elements scaled by 1 / 0.5): the fitted alpha is 0.5
  CHECK(far_share(p, 0.5, [](size_t, std::mt19937& r) { return std::bernoulli_distribution(0.5)(r) ? 1.0 : 0.0; }) > 0.5);
  // DARE with a small weight, 0.11 at density 0.28 (sweep1 137's, there della_linear): the fit's
  // alpha is 0.11, under which many drops move B by less than 2 ulps; the kept elements carry 0.39
  CHECK(far_share(p, 0.11, [](size_t, std::mt19937& r) { return std::bernoulli_distribution(0.28)(r) ? 0.11 / 0.28 : 0.0; }) > 0.5);
}
