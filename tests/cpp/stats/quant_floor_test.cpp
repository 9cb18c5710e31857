// The quantization floor's statistics (stats/quant_floor.h) from a Gram: cos_floor, alpha_se per
// parent (the least-squares covariance mean s^2 G^-1), noise_ratio.
#include <catch2/catch.hpp>

#include <cmath>

#include "stats/quant_floor.h"

using namespace mp;

namespace {

Moments gram(int k, std::initializer_list<double> dd, double DD) {
  Moments m;
  m.k = k;
  m.gram[0] = DD;
  int i = 0;
  for (double v : dd) {
    m.gram[(1 + i / k) * kMaxVectors + 1 + i % k] = v;
    ++i;
  }
  return m;
}

}  // namespace

TEST_CASE("quantization floor: cos_floor, alpha_se per parent, noise_ratio", "[quant_floor]") {
  QuantFloor q;
  q.quantized = true;
  q.noise = 8;
  q.elements = 2;  // mean noise 4 per element
  // One parent: sqrt(noise / (n ||d||^2)); ||D||^2 = 32 leaves a floor of sqrt(1 - 8 / 32).
  QuantFloor one = q;
  finish_quant_floor(one, gram(1, {4}, 32));
  CHECK(one.cos_floor == Approx(std::sqrt(0.75)));
  CHECK(one.alpha_se[0] == Approx(1.0));
  CHECK(std::isnan(one.alpha_se[1]));
  CHECK(noise_ratio(one.cos_floor, one) == Approx(1.0));
  CHECK(noise_ratio(0.5, one) == Approx(0.75 / 0.25));
  // Two independent parents: each its own; correlated ones share the noise (G^-1 diagonal 2/3).
  QuantFloor two = q;
  finish_quant_floor(two, gram(2, {16, 0, 0, 1}, 32));
  CHECK(two.alpha_se[0] == Approx(0.5));
  CHECK(two.alpha_se[1] == Approx(2.0));
  finish_quant_floor(two, gram(2, {2, 1, 1, 2}, 32));
  CHECK(two.alpha_se[0] == Approx(std::sqrt(4 * 2.0 / 3)));
  CHECK(two.alpha_se[1] == Approx(std::sqrt(4 * 2.0 / 3)));
  // The same parent twice: undefined, not 0.
  finish_quant_floor(two, gram(2, {1, 1, 1, 1}, 32));
  CHECK(std::isnan(two.alpha_se[0]));
  // Not quantized: nothing to say.
  QuantFloor none;
  finish_quant_floor(none, gram(1, {4}, 32));
  CHECK(none.cos_floor == 1);
  CHECK(std::isnan(noise_ratio(0.5, none)));
}
