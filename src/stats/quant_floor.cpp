#include "stats/quant_floor.h"

#include <algorithm>
#include <cmath>

namespace mp {

void finish_quant_floor(QuantFloor& q, double DD, double dd) {
  if (!q.quantized) return;
  q.cos_floor = DD > 0 ? std::sqrt(std::max(0.0, 1 - q.noise / DD)) : 0.0;
  q.alpha_se = (dd > 0 && q.elements > 0) ? std::sqrt(q.noise / (static_cast<double>(q.elements) * dd)) : NAN;
}

double noise_ratio(double cos_fit, const QuantFloor& q) {
  const double noise_share = 1 - q.cos_floor * q.cos_floor;
  if (!q.quantized || !(noise_share > 0)) return NAN;
  return (1 - cos_fit * cos_fit) / noise_share;
}

}  // namespace mp
