// The words rendered from the decided data (verdict/text.cpp): the sentence quotes the decided
// alphas, parameters and counts; one caveat sentence per caveat code, in order.
#include <catch2/catch.hpp>

#include <string>

#include "verdict/verdict.h"
#include "verdict_runs.h"

using namespace mp;
using namespace verdict_test;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("text: linear sentences quote the decided alphas and the named parent", "[verdict][text]") {
  CHECK(run(make_run(12, 16384, est_of(0.571, 0.99995))).sentence ==
        "Consistent with a linear merge: C = 0.571 A + 0.429 B");

  Estimates e = est_of(0.6, 0.9995);
  e.k = 2;
  e.alpha[1] = 0.3;
  Run r = make_run(12, 16384, e, 2);
  CHECK(run(r).sentence == "Consistent with task arithmetic: C = B + 0.600 (A1 - B) + 0.300 (A2 - B)");
  r.agg.overall.est.alpha[0] = 0.004;
  r.agg.overall.est.alpha[1] = 0.571;
  CHECK(run(r).sentence == "Consistent with a linear merge: C = 0.571 A2 + 0.429 B");
}

TEST_CASE("text: the rendering reads the decided fields, not the statistics", "[verdict][text]") {
  // Change the quoted alpha after the rules ran: the sentence follows the data it is given.
  Run r = make_run(12, 16384, est_of(0.571, 0.99995));
  Verdict v = decide_rules(r.match, r.tensors, r.agg, r.k);
  CHECK(v.sentence.empty());  // the rules write no words
  v.alphas[0] = 0.25;
  render(v);
  CHECK(v.sentence == "Consistent with a linear merge: C = 0.250 A + 0.750 B");
  CHECK(v.caveats.size() == v.caveat_codes.size());
}

TEST_CASE("text: sparse sentences quote density and lambda, passthrough the copy counts", "[verdict][text]") {
  Run ties = make_run(12, 16384, est_of(0.93, 0.966));
  set_sparse(ties, 16000, 8000, true, 0.002, 0.02, 1.0);
  CHECK(run(ties).sentence == "Consistent with a TIES merge: density 0.500 (each parent's top-k by |d|), lambda 1.000");

  Run dare = make_run(12, 16384, est_of(0.5, 0.55));
  set_sparse(dare, 16000, 11200, false, 0.01, 0.0101, 0.5 / 0.3);
  CHECK(run(dare).sentence == "Consistent with a DARE merge: density 0.300, weight 0.500 (kept elements rescaled by about 1 / density)");

  Run part = make_run(8, 16384, est_of(0.6, 0.04));
  for (size_t i = 0; i < 4; ++i) part.tensors[i].identical_to_parent = 0;
  Verdict v = run(part);
  CHECK(v.sentence == "Consistent with a passthrough merge: 4 of 8 tensors are copied whole from a parent");
  REQUIRE(v.caveats.size() == 3);
  CHECK(contains(v.caveats[0], "found only on tensors read whole"));
  CHECK(v.caveats[1] == "4 tensors are not whole copies of any input.");
  CHECK(contains(v.caveats[2], "No control model"));
}

TEST_CASE("text: explanations quote the evidence (control, components, bit-exact share)", "[verdict][text]") {
  Run null = make_run(24, 16384, est_of(0.08, 0.054));
  null.agg.overall.has_control = true;
  null.agg.overall.control_est = est_of(0.05, 0.140);
  CHECK(contains(run(null).explanation, "The control fine-tune of the same base scores cos_fit 0.140 (alpha 0.050)"));

  Run comp = make_run(12, 16384, est_of(0.5, 0.999));
  GroupResult mlp = comp.agg.components[0];
  mlp.component = "mlp";
  mlp.est.alpha[0] = 0.3;
  comp.agg.components[0].est.alpha[0] = 0.7;
  comp.agg.components.push_back(mlp);
  Verdict c = run(comp);
  CHECK(c.sentence == "Consistent with a linear merge with per-component weights: C = a A + (1 - a) B, a = attention 0.700, mlp 0.300");
  CHECK(contains(c.explanation, "By component: attention 0.700 (cos_fit 0.999), mlp 0.300 (cos_fit 0.999)."));

  Estimates e = est_of(0.0992, 0.954);
  e.rounding_floor = 0.96;
  Run bf = make_run(12, 16384, e);
  bf.agg.overall.bx.n = 196608;
  bf.agg.overall.bx.match_fp32 = 195000;
  bf.agg.overall.bx.match_bf16 = 180000;
  bf.agg.overall.x.p[0].robust_n = 50000;
  bf.agg.overall.x.p[0].robust_dd = 2.0;
  bf.agg.overall.x.p[0].robust_Dd = 0.2004;
  Verdict b = run(bf);
  CHECK(b.sentence == "Consistent with a linear merge: C = 0.100 A + 0.900 B");
  CHECK(contains(b.explanation, "Rounding-robust alpha (elements with |d| >= 4 ulps, n = 50000): 0.100."));
  CHECK(contains(b.explanation, "reproduces 99.2% of C's sampled values"));

  // A share that is not exactly 1 is never shown as 100.0% (issue 12: 99.975% read as 100.0%).
  bf.agg.overall.bx.match_fp32 = 196559;  // 99.975%
  CHECK(contains(run(bf).explanation, "reproduces 99.98% of C's sampled values"));
  bf.agg.overall.bx.match_fp32 = 196608;
  CHECK(contains(run(bf).explanation, "reproduces 100.0% of C's sampled values"));
}

TEST_CASE("text: zeros on an F32 suspect are not blamed on rounding", "[verdict][text]") {
  // rounding floor 1 (F32): the DELLA-or-rounding caveat must not offer rounding.
  Run r = make_run(12, 16384, est_of(0.5, 0.75));
  set_sparse(r, 16000, 4000, false, 0.001, 0.02, 0.6);
  Verdict v = run(r);
  REQUIRE(v.rule == VerdictRule::UnexplainedZeros);
  bool found = false;
  for (const auto& c : v.caveats) found = found || contains(c, "DELLA");
  CHECK(found);
  for (const auto& c : v.caveats) CHECK_FALSE(contains(c, "rounding"));
}
