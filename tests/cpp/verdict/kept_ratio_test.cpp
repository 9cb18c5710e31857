// How the kept sets' weight ratios pool over samples (SubsetSignals::ratio_by_sample): a
// sample whose classes settled elsewhere must not move them. sweep12 055 (della bf16out, three
// parents): 10 of 12 samples read 0.182, 0.430, 0.387 for 0.182, 0.431, 0.387, two read 1.27 and
// 1.57 for the first, and their mean, weighted by the all-kept elements, was 0.345.
#include <catch2/catch.hpp>

#include <vector>

#include "verdict/evidence_parts.h"

TEST_CASE("kept sets' weight ratios: the samples' weighted median, not their mean", "[verdict]") {
  constexpr int k = 3;
  struct Sample {
    double ratio[k], full;
  };
  const std::vector<Sample> samples = {
      {{0.222 / 1.217, 1.637 / 3.806, 1.647 / 4.251}, 713}, {{0.222 / 1.219, 1.657 / 3.848, 1.691 / 4.370}, 718},
      {{0.222 / 1.217, 1.668 / 3.875, 1.667 / 4.308}, 160}, {{1.553 / 1.222, 1.016 / 3.788, 0.926 / 4.239}, 262},
      {{0.224 / 1.225, 1.707 / 3.960, 1.672 / 4.326}, 172}, {{0.222 / 1.218, 1.717 / 3.989, 1.681 / 4.342}, 187},
      {{0.223 / 1.222, 1.647 / 3.824, 1.678 / 4.339}, 728}, {{0.223 / 1.224, 1.654 / 3.839, 1.676 / 4.334}, 706},
      {{0.223 / 1.223, 1.679 / 3.900, 1.675 / 4.330}, 176}, {{1.912 / 1.218, 1.193 / 3.833, 0.901 / 4.406}, 322},
      {{0.222 / 1.219, 1.633 / 3.791, 1.701 / 4.397}, 176}, {{0.222 / 1.216, 1.699 / 3.946, 1.709 / 4.420}, 194},
  };
  std::vector<mp::TensorResult> tensors;
  for (const Sample& s : samples) {
    mp::TensorResult t;
    t.x.k = k;
    t.x.sub.samples = 1;
    t.x.sub.wn = t.x.sub.wn_full = s.full;
    for (int i = 0; i < k; ++i) {
      t.x.sub.ratio[i] = s.full * s.ratio[i];
      t.x.sub.ratio_by_sample[i].emplace_back(s.ratio[i], s.full);
    }
    tensors.push_back(t);
  }
  mp::verdict::Evidence ev;
  ev.k = k;
  mp::verdict::gather_sparsity(ev, tensors);
  const double truth[k] = {0.25 / 1.37, 0.59 / 1.37, 0.53 / 1.37};
  REQUIRE(ev.reads.kept_ratio.size() == size_t(k));
  for (int i = 0; i < k; ++i) CHECK(ev.reads.kept_ratio[i] == Approx(truth[i]).margin(0.005));
}
