// End to end through mp::Analysis on real weights, natively and in wasm: the same bytes must give
// the same report on both, and a known merge must be recovered.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "analysis.h"
#include "format/safetensors_header.h"
#include "test_support.h"

using namespace mp_test;

namespace {

struct LoadedModel {
  std::vector<uint8_t> bytes;
};

// Runs a whole analysis over in-memory files (role -> file bytes), the way engine.mjs does.
std::string run(const std::vector<std::vector<uint8_t>>& files, int k, uint64_t budget, uint64_t seed,
                mp::Analysis& a) {
  for (int role = 0; role < static_cast<int>(files.size()); ++role) {
    Padded p = padded(files[role]);
    uint64_t needed = 0;
    mp::Error e = a.add_file(role, "model.safetensors", p.data(), p.size, p.size, &needed);
    REQUIRE(e.message == "");
  }
  REQUIRE(a.match().ok());
  mp::PlanOptions opt;
  opt.budget_bytes = budget;
  opt.seed = seed;
  auto plan = a.plan(opt);
  REQUIRE(plan.has_value());
  REQUIRE(plan->bytes <= budget + budget / 8);
  for (size_t i = 0; i < plan->ranges.size(); ++i) {
    const auto& r = plan->ranges[i];
    uint8_t* dst = a.range_buffer(i);
    REQUIRE(dst != nullptr);
    std::memcpy(dst, files[r.model].data() + r.begin, r.end - r.begin);
  }
  mp::Error e = a.compute();
  REQUIRE(e.message == "");
  return a.report_json();
}

// `alter` (optional) edits one merged tensor's values by name, after the merge.
using Alter = void (*)(const std::string& name, std::vector<float>& c);
std::vector<uint8_t> linear_merge_file(const std::string& a_path, const std::string& b_path, float alpha,
                                       Alter alter = nullptr) {
  auto A = read_file(a_path);
  auto B = read_file(b_path);
  auto ha = mp::parse_header(padded(A).data(), A.size(), A.size());
  auto hb = mp::parse_header(padded(B).data(), B.size(), B.size());
  REQUIRE(ha.has_value());
  REQUIRE(hb.has_value());
  std::map<std::string, const mp::TensorInfo*> bt;
  for (const auto& t : hb->tensors) bt[std::string(hb->name(t))] = &t;
  std::vector<RawTensor> out;
  for (const auto& t : ha->tensors) {
    const std::string name(ha->name(t));
    auto it = bt.find(name);
    if (it == bt.end()) continue;
    size_t n = t.elements();
    auto av = f32_values(A.data() + ha->data_start() + t.begin, n);
    auto bv = f32_values(B.data() + hb->data_start() + it->second->begin, n);
    std::vector<float> c(n);
    for (size_t i = 0; i < n; ++i) c[i] = alpha * av[i] + (1 - alpha) * bv[i];
    if (alter) alter(name, c);
    out.push_back({name, "F32", t.shape.vec(), f32_bytes(c)});
  }
  return write_safetensors(out);
}

}  // namespace

TEST_CASE("a linear merge of real BERT-tiny weights is recovered end to end", "[analysis]") {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto merged = linear_merge_file(dir + "/bert-tiny-sst2-fhe/model.safetensors",
                                        dir + "/bert-tiny-fhe-v0-weights/model.safetensors", 0.571f);
  mp::Analysis a(1, false);
  std::string json = run({merged, sst2, base}, 1, 64ull << 20, 0, a);
  CHECK(a.aggregates().overall.est.alpha[0] == Approx(0.571).margin(1e-4));
  CHECK(a.aggregates().overall.est.cos_fit > 0.999);
  CHECK(a.verdict().kind == "linear-merge");
  CHECK(json.find("\"verdict\":\"linear-merge\"") != std::string::npos);
  // Small model, large budget: every matched tensor is read whole.
  CHECK(a.current_plan().tensors_covered == a.match_result().tensors.size());
}

TEST_CASE("two independent fine-tunes of one base are not called a merge", "[analysis]") {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto emotion = read_file(dir + "/bert-tiny-emotion-fhe/model.safetensors");
  mp::Analysis a(1, false);
  run({emotion, sst2, base}, 1, 64ull << 20, 0, a);
  CHECK(a.aggregates().overall.est.cos_fit < 0.7);
  CHECK(a.verdict().kind != "linear-merge");
}

TEST_CASE("the same inputs and seed give the same report, a small budget still covers every layer", "[analysis]") {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto merged = linear_merge_file(dir + "/bert-tiny-sst2-fhe/model.safetensors",
                                        dir + "/bert-tiny-fhe-v0-weights/model.safetensors", 0.3f);
  mp::Analysis a1(1, false), a2(1, false);
  std::string r1 = run({merged, sst2, base}, 1, 200000, 42, a1);
  std::string r2 = run({merged, sst2, base}, 1, 200000, 42, a2);
  CHECK(r1 == r2);
  CHECK(a1.current_plan().bytes <= 200000 + 200000 / 8);
  bool layer0 = false, layer1 = false;
  for (const auto& g : a1.aggregates().layers) {
    layer0 = layer0 || g.layer == 0;
    layer1 = layer1 || g.layer == 1;
  }
  CHECK(layer0);
  CHECK(layer1);
  CHECK(a1.aggregates().overall.est.alpha[0] == Approx(0.3).margin(1e-3));
}

namespace {
const char* const kAltered = "bert.encoder.layer.1.output.dense.weight";
// 64 values of one tensor (an mlp weight: this checkpoint has no embeddings) set far outside the weights' range (issue 12's case).
void alter_64(const std::string& name, std::vector<float>& c) {
  if (name != kAltered) return;
  for (size_t i = 0; i < 64; ++i) c[i * 97] = 50.0f;
}
void alter_extreme(const std::string& name, std::vector<float>& c) {
  if (name != kAltered) return;
  for (size_t i = 0; i < 64; ++i) c[i * 97] = i % 2 ? 3e38f : 1e20f;
}

void check_outlier_kept_out(Alter alter) {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto merged = linear_merge_file(dir + "/bert-tiny-sst2-fhe/model.safetensors",
                                        dir + "/bert-tiny-fhe-v0-weights/model.safetensors", 0.571f, alter);
  mp::Analysis a(1, false);
  std::string json = run({merged, sst2, base}, 1, 64ull << 20, 0, a);
  const auto& o = a.aggregates().overall;
  CHECK(o.est.alpha[0] == Approx(0.571).margin(0.01));
  CHECK(o.outliers == 1);
  const auto& v = a.verdict();
  INFO(v.sentence << " | " << v.explanation);
  CHECK(v.kind == "linear-merge");
  CHECK(std::find(v.flags.begin(), v.flags.end(), "outliers") != v.flags.end());
  bool named = false;
  for (const auto& c : v.caveats) named = named || c.find(kAltered) != std::string::npos;
  CHECK(named);
  CHECK(v.explanation.find("clean linear merge") == std::string::npos);
  for (const auto& t : a.tensor_results())
    if (a.match_result().tensors[t.tensor].name == kAltered) CHECK(t.outlier);
}
}  // namespace

TEST_CASE("a tensor with 64 altered values is named and kept out of the pooled alpha", "[analysis]") {
  check_outlier_kept_out(alter_64);
}

TEST_CASE("extreme values (1e20, 3e38) in one tensor do not move the pooled alpha", "[analysis]") {
  check_outlier_kept_out(alter_extreme);
}

TEST_CASE("an all-NaN suspect has an undefined alpha (null), not 0", "[analysis]") {
  const std::string dir = real_models_dir();
  const auto base = read_file(dir + "/bert-tiny-fhe-v0-weights/model.safetensors");
  const auto sst2 = read_file(dir + "/bert-tiny-sst2-fhe/model.safetensors");
  const auto merged = linear_merge_file(dir + "/bert-tiny-sst2-fhe/model.safetensors",
                                        dir + "/bert-tiny-fhe-v0-weights/model.safetensors", 0.571f,
                                        [](const std::string&, std::vector<float>& c) {
                                          std::fill(c.begin(), c.end(), NAN);
                                        });
  mp::Analysis a(1, false);
  std::string json = run({merged, sst2, base}, 1, 64ull << 20, 0, a);
  INFO(json.substr(0, 3000));
  CHECK(a.verdict().kind != "linear-merge");
  for (const auto& f : {"\"alphas\":[0]", "\"alphas\":[0.0"}) CHECK(json.find(f) == std::string::npos);
  CHECK(json.find("\"alphas\":[null]") != std::string::npos);
}
