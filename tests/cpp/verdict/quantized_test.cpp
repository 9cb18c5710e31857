// Quantized suspects (GGUF in ggml block types): the rules judge the fit against the quantization
// floor (stats/quant_floor.h). Figures from the real-weight runs of tests/cpp/gguf_analysis_test.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "verdict/verdict.h"
#include "verdict_runs.h"

using namespace mp;
using namespace verdict_test;

namespace {

// The run's suspect quantized, with this floor (pooled and per group) and alpha spread.
Run quantized(Run r, double cos_floor, double alpha_se) {
  auto set = [&](GroupResult& g) {
    g.qf.quantized = true;
    g.qf.cos_floor = cos_floor;
    g.qf.alpha_se[0] = alpha_se;
  };
  set(r.agg.overall);
  for (auto& c : r.agg.components) set(c);
  for (auto& t : r.tensors) {
    t.qf.quantized = true;
    t.qf.cos_floor = cos_floor;
  }
  return r;
}

}  // namespace

TEST_CASE("a parent quantized reads as quantized-copy of it", "[verdict][quantized]") {
  // Q4_0 copy of a tinystories-656k fine-tune: alpha 0.9956, cos_fit 0.5024 against a floor of 0.5011.
  Verdict v = run(quantized(make_run(20, 16384, est_of(0.9956, 0.5024)), 0.5011, 0.0021));
  CHECK(v.kind == "quantized-copy");
  CHECK(v.rule == VerdictRule::QuantizedCopy);
  CHECK(v.parent == 0);
  CHECK(v.method.empty());
  CHECK(v.evidence.noise_ratio == Approx(0.998).margin(0.001));
  CHECK(has_caveat(v, CaveatCode::QuantizationFloor));
  CHECK(has_flag(v, "quantization-floor"));
  CHECK(v.sentence == "Quantized copy of A: C is A quantized, not a merge");
  CHECK(v.explanation.find("cos_fit 0.5024 against a quantization floor of 0.5011") != std::string::npos);
  // Q8_0: cos_fit 0.99434 against 0.99436.
  CHECK(run(quantized(make_run(20, 16384, est_of(0.9999, 0.99434)), 0.99436, 0.00013)).kind == "quantized-copy");
}

TEST_CASE("a 4-bit merge is a merge when its fit is at the floor", "[verdict][quantized]") {
  // Q4_0 0.3 merge: cos_fit 0.1712 against 0.1656 (plain thresholds: not a merge).
  const Run r = make_run(20, 16384, est_of(0.2975, 0.1712));
  CHECK(run(r).kind == "not-a-merge");
  Verdict v = run(quantized(r, 0.1656, 0.002));
  CHECK(v.kind == "linear-merge");
  CHECK(v.rule == VerdictRule::LinearOneParent);
  CHECK(v.alphas[0] == Approx(0.2975));
  CHECK(has_caveat(v, CaveatCode::QuantizationFloor));
  CHECK(v.explanation.find("cos_fit 0.1712 against a quantization floor of 0.1656") != std::string::npos);
  // Q4_K 0.3 merge of BERT-tiny: 0.3962 against 0.4067.
  CHECK(run(quantized(make_run(20, 16384, est_of(0.3006, 0.3962)), 0.4067, 0.002)).kind == "linear-merge");
}

TEST_CASE("quantized: a sibling is not a merge, more than noise on a parent is a fine-tune", "[verdict][quantized]") {
  // Q4_K of the real emotion fine-tune against sst2: cos_fit 0.0495, floor 0.906 (residual 5.5x noise).
  CHECK(run(quantized(make_run(20, 16384, est_of(0.081, 0.0495)), 0.906, 0.002)).kind == "not-a-merge");
  // alpha 1 on A but 1.4x the noise left: A trained further, then quantized.
  Verdict ft = run(quantized(make_run(20, 16384, est_of(1.0, 0.855)), 0.9, 0.001));
  CHECK(ft.kind == "fine-tune");
  CHECK(ft.rule == VerdictRule::FineTune);
}

TEST_CASE("quantized: where the noise swamps the delta, the floor's accuracy decides nothing", "[verdict][quantized]") {
  // floor 0.05: cos_fit 0.04 is 0.8 of it, but 1% less noise makes it 0.36 and 3% more leaves no
  // floor at all: neither a merge nor not one.
  Verdict v = run(quantized(make_run(20, 16384, est_of(0.5, 0.04)), 0.05, 0.05));
  CHECK(v.kind == "inconclusive");
  CHECK(v.rule == VerdictRule::PartlyExplained);
  CHECK(v.evidence.cos_lo == Approx(0.358).margin(0.001));
  CHECK(v.evidence.cos_hi == 1);
}

TEST_CASE("quantized: a linear reading that leaves more than the noise says the method is hidden", "[verdict][quantized]") {
  // Q8_0 TIES merge of BERT-tiny sst2 (one parent, density 0.5): alpha 0.933, cos_fit 0.9614
  // against a floor of 0.9952 (residual 7.9x the noise). Its zeros are under the grid.
  Verdict v = run(quantized(make_run(20, 16384, est_of(0.933, 0.9614)), 0.9952, 0.00015));
  CHECK(v.kind == "linear-merge");
  CHECK(v.evidence.noise_ratio == Approx(7.9).margin(0.1));
  CHECK(has_caveat(v, CaveatCode::MethodHidden));
  CHECK(has_flag(v, "method-hidden"));
  CHECK_FALSE(has_caveat(v, CaveatCode::Residual));  // the same residual, said once
  bool said = false;
  for (const auto& c : v.caveats) said = said || c.find("the method cannot be told at this quantization") != std::string::npos;
  CHECK(said);
  // A perfect quantized merge (Q4_0 0.3: residual 1.02x) carries no such caveat.
  CHECK_FALSE(has_caveat(run(quantized(make_run(20, 16384, est_of(0.2975, 0.1712)), 0.1656, 0.002)), CaveatCode::MethodHidden));
}
