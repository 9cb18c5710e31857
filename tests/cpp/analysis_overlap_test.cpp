// Compute while fetching: tensors computed as their ranges arrive (range_fetched + compute_ready,
// in any arrival order) give a report byte-identical to computing everything at the end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "analysis.h"
#include "test_support.h"

using namespace mp_test;

namespace {

// Adds the files, plans, and returns the plan's range count.
size_t prepare(mp::Analysis& a, const std::vector<std::vector<uint8_t>>& files, uint64_t budget) {
  for (int role = 0; role < static_cast<int>(files.size()); ++role) {
    Padded p = padded(files[role]);
    uint64_t needed = 0;
    REQUIRE(a.add_file(role, "model.safetensors", p.data(), p.size, p.size, &needed).message == "");
  }
  REQUIRE(a.match().ok());
  mp::PlanOptions opt;
  opt.budget_bytes = budget;
  opt.seed = 7;
  auto plan = a.plan(opt);
  REQUIRE(plan.has_value());
  return plan->ranges.size();
}

void fill(mp::Analysis& a, const std::vector<std::vector<uint8_t>>& files, size_t i) {
  const auto& r = a.current_plan().ranges[i];
  uint8_t* dst = a.range_buffer(i);
  REQUIRE(dst != nullptr);
  std::memcpy(dst, files[r.model].data() + r.begin, r.end - r.begin);
}

}  // namespace

TEST_CASE("computing tensors as their ranges arrive gives the sequential report, byte for byte", "[analysis]") {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto emotion = read_file(dir + "/bert-tiny-emotion-fhe/model.safetensors");
  REQUIRE(!base.empty());
  const std::vector<std::vector<uint8_t>> files = {emotion, sst2, base};
  // A budget below the model (partial samples, several ranges a tensor) and one above it.
  for (uint64_t budget : {uint64_t{300'000}, uint64_t{64} << 20}) {
    INFO(budget);
    mp::Analysis seq(1, false);
    const size_t n = prepare(seq, files, budget);
    for (size_t i = 0; i < n; ++i) fill(seq, files, i);
    REQUIRE(seq.compute().message == "");
    const std::string want = seq.report_json();

    // The fetch order covers every range once, and each tensor's ranges come together.
    mp::Analysis ovl(1, false);
    REQUIRE(prepare(ovl, files, budget) == n);
    std::vector<uint32_t> order = ovl.fetch_order();
    std::vector<uint32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < n; ++i) REQUIRE(sorted[i] == i);
    // Arrivals out of order (as concurrent requests complete), computing after each one.
    for (size_t i = 0; i + 1 < order.size(); i += 2) std::swap(order[i], order[i + 1]);
    std::reverse(order.begin() + static_cast<long>(order.size() / 2), order.end());
    size_t first_done_at = 0;  // ranges in when the first tensor was computed
    for (size_t k = 0; k < order.size(); ++k) {
      fill(ovl, files, order[k]);
      ovl.range_fetched(order[k]);
      ovl.range_fetched(order[k]);  // twice is once
      REQUIRE(ovl.compute_ready().message == "");
      if (!first_done_at && ovl.tensors_computed() > 0) first_done_at = k + 1;
    }
    CHECK(first_done_at > 0);
    CHECK(ovl.tensors_computed() == ovl.current_plan().tensors_covered);

    // In fetch_order() itself, the first tensor is computed once its 3 ranges (one a model) are in.
    mp::Analysis inorder(1, false);
    prepare(inorder, files, budget);
    size_t in_after = 0;
    for (size_t k = 0; k < n && !in_after; ++k) {
      const uint32_t i = inorder.fetch_order()[k];
      fill(inorder, files, i);
      inorder.range_fetched(i);
      REQUIRE(inorder.compute_ready().message == "");
      if (inorder.tensors_computed() > 0) in_after = k + 1;
    }
    CHECK(in_after == 3);
    REQUIRE(ovl.compute().message == "");
    CHECK(ovl.report_json() == want);

    // Some ranges marked, the rest only filled: compute() finishes the others, same report.
    mp::Analysis half(1, false);
    prepare(half, files, budget);
    for (size_t i = 0; i < n; ++i) {
      fill(half, files, i);
      if (i % 3 == 0) half.range_fetched(i);
    }
    REQUIRE(half.compute_ready().message == "");
    REQUIRE(half.compute().message == "");
    CHECK(half.report_json() == want);
  }
}
