#include "stats/quant_floor.h"

#include <algorithm>
#include <cmath>

namespace mp {

void finish_quant_floor(QuantFloor& q, double DD, double dd) {
  if (!q.quantized) return;
  q.cos_floor = DD > 0 ? std::sqrt(std::max(0.0, 1 - q.noise / DD)) : 0.0;
  q.alpha_se = (dd > 0 && q.elements > 0) ? std::sqrt(q.noise / (static_cast<double>(q.elements) * dd)) : NAN;
}

}  // namespace mp
