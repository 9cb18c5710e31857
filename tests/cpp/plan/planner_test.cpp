// The sampling planner on real-scale layouts (tests/cpp/layouts.h) and on the real small models.
// The golden hashes at the end run natively and in wasm: equal constants prove the plans are
// bit-identical on both.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <set>

#include "layouts.h"
#include "model/matching.h"
#include "plan/planner.h"
#include "format/safetensors_header.h"
#include "test_support.h"

using mp::Component;
using mp::Dtype;
using mp_test::Wrapper;

namespace {

struct Run {
  std::vector<mp::Model> models;
  mp::MatchResult match;
};

Run matched(std::vector<mp::Model> models) {
  Run r;
  r.models = std::move(models);
  auto m = mp::match_tensors(r.models);
  REQUIRE(m.has_value());
  r.match = std::move(m.value());
  return r;
}

mp::Plan plan_of(const Run& r, uint64_t budget, uint64_t seed) {
  mp::PlanOptions o;
  o.budget_bytes = budget;
  o.seed = seed;
  auto p = mp::make_plan(r.models, r.match, o);
  REQUIRE(p.has_value());
  return p.value();
}

const mp::TensorInfo& tinfo(const mp::Model& m, mp::TensorRef ref) { return m.files[ref.file].header.tensors[ref.tensor]; }

uint64_t row_count(const mp::Shape& shape) {
  uint64_t n = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) n *= shape[i];
  return n;
}

// What every plan must satisfy: within budget, ranges sorted and disjoint and summing to bytes,
// every sampled row of every model and every FP8 scale inside one range.
void check_invariants(const Run& r, const mp::Plan& p, uint64_t budget) {
  CHECK(p.bytes <= budget);
  uint64_t sum = 0;
  for (size_t i = 0; i < p.ranges.size(); ++i) {
    const auto& a = p.ranges[i];
    REQUIRE(a.begin < a.end);
    REQUIRE(a.end <= r.models[a.model].files[a.file].size);
    sum += a.end - a.begin;
    if (i) {
      const auto& b = p.ranges[i - 1];
      const bool ordered = b.model < a.model || (b.model == a.model && (b.file < a.file || (b.file == a.file && b.end < a.begin)));
      REQUIRE(ordered);  // sorted, disjoint, and not touching (touching ranges are merged)
    }
  }
  CHECK(sum == p.bytes);
  CHECK(p.tensors_covered == p.samples.size());
  uint64_t elements = 0;
  for (size_t i = 0; i < p.samples.size(); ++i) {
    const mp::Sample& s = p.samples[i];
    if (i) REQUIRE(p.samples[i - 1].tensor < s.tensor);
    const mp::MatchedTensor& mt = r.match.tensors[s.tensor];
    const uint64_t rows = row_count(mt.shape);
    const uint64_t row_len = mt.shape.empty() ? 1 : mt.shape.back();
    REQUIRE(s.row_begin < s.row_end);
    REQUIRE(s.row_end <= rows);
    CHECK(s.whole == (s.row_begin == 0 && s.row_end == rows));
    elements += (s.row_end - s.row_begin) * row_len;
    for (uint32_t m = 0; m < r.models.size(); ++m) {
      const auto& f = r.models[m].files[mt.refs[m].file];
      const auto& ti = f.header.tensors[mt.refs[m].tensor];
      const uint64_t rb = row_len * mp::dtype_bytes(ti.dtype);
      const uint64_t b = f.header.data_start() + ti.begin + s.row_begin * rb;
      const uint64_t e = f.header.data_start() + ti.begin + s.row_end * rb;
      REQUIRE(mp::find_range(p, m, mt.refs[m].file, b, e) >= 0);
      if (mt.scales[m]) {
        const auto& sf = r.models[m].files[mt.scales[m]->file];
        const auto& si = sf.header.tensors[mt.scales[m]->tensor];
        REQUIRE(mp::find_range(p, m, mt.scales[m]->file, sf.header.data_start() + si.begin, sf.header.data_start() + si.end) >= 0);
      }
    }
  }
  CHECK(elements == p.elements);
}

// Every (layer, component) group of the match has at least one sample.
void check_group_coverage(const Run& r, const mp::Plan& p) {
  std::set<std::pair<int, Component>> all, covered;
  for (const auto& mt : r.match.tensors) all.insert({mt.cls.layer, mt.cls.component});
  for (const auto& s : p.samples) covered.insert({r.match.tensors[s.tensor].cls.layer, r.match.tensors[s.tensor].cls.component});
  CHECK(covered == all);
}

// A model that does not fit its budget: each sample is 2^14 elements a model (planner.cpp
// kEnoughElements) in whole rows, give or take the minimum sample and one remainder row, or the
// whole tensor when that is smaller.
void check_enough(const Run& r, const mp::Plan& p) {
  constexpr uint64_t kEnough = 1 << 14;
  for (const auto& s : p.samples) {
    const auto& mt = r.match.tensors[s.tensor];
    const uint64_t row_len = mt.shape.empty() ? 1 : mt.shape.back();
    const uint64_t rows = s.row_end - s.row_begin;
    const uint64_t want = (kEnough + row_len - 1) / row_len;
    INFO(mt.cls.key << ": " << rows << " rows of " << row_len);
    CHECK((s.whole || rows >= want));
    CHECK((rows <= want + 1 || rows * row_len * 2 <= 8192 + 2 * row_len));
  }
}

// Bytes of the plan's samples per component, all models, scales excluded.
std::map<Component, uint64_t> bytes_by_component(const Run& r, const mp::Plan& p) {
  std::map<Component, uint64_t> out;
  for (const auto& s : p.samples) {
    const auto& mt = r.match.tensors[s.tensor];
    const uint64_t row_len = mt.shape.empty() ? 1 : mt.shape.back();
    for (size_t m = 0; m < r.models.size(); ++m)
      out[mt.cls.component] += (s.row_end - s.row_begin) * row_len * mp::dtype_bytes(tinfo(r.models[m], mt.refs[m]).dtype);
  }
  return out;
}

uint64_t fnv_fold(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t plan_hash(const mp::Plan& p) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const auto& s : p.samples) {
    h = fnv_fold(h, s.tensor);
    h = fnv_fold(h, s.row_begin);
    h = fnv_fold(h, s.row_end);
    h = fnv_fold(h, s.whole);
  }
  for (const auto& r : p.ranges) {
    h = fnv_fold(h, r.model);
    h = fnv_fold(h, r.file);
    h = fnv_fold(h, r.begin);
    h = fnv_fold(h, r.end);
  }
  h = fnv_fold(h, p.bytes);
  h = fnv_fold(h, p.elements);
  return fnv_fold(h, p.tensors_covered);
}

mp::Model load_real(const std::string& folder) {
  const std::string path = mp_test::real_models_dir() + "/" + folder + "/model.safetensors";
  const std::vector<uint8_t> bytes = mp_test::read_file(path);
  REQUIRE(!bytes.empty());
  const mp_test::Padded pb = mp_test::padded(bytes);
  auto h = mp::parse_header(pb.data(), pb.size, bytes.size());
  REQUIRE(h.has_value());
  mp::Model m;
  m.files.push_back(mp::ModelFile{"model.safetensors", bytes.size(), h.value()});
  return m;
}

Run qwen397_bf16_run() {
  std::vector<mp::Model> models;
  models.push_back(mp_test::qwen35_moe_bf16(Wrapper::Multimodal));
  models.push_back(mp_test::qwen35_moe_bf16(Wrapper::TextOnly));
  models.push_back(mp_test::qwen35_moe_bf16(Wrapper::MlxOrder));
  return matched(std::move(models));
}

Run qwen397_fp8_run(double* match_ms = nullptr) {
  std::vector<mp::Model> models;
  models.push_back(mp_test::qwen35_moe_fp8(Wrapper::Multimodal));
  models.push_back(mp_test::qwen35_moe_fp8(Wrapper::TextOnly));
  models.push_back(mp_test::qwen35_moe_fp8(Wrapper::Multimodal));
  const auto t0 = std::chrono::steady_clock::now();
  Run r = matched(std::move(models));
  if (match_ms) *match_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

TEST_CASE("planner: Qwen3.5-397B-A17B BF16 (~800 GB x 3) in 64 MB covers every layer and component", "[planner]") {
  const Run r = qwen397_bf16_run();
  const uint64_t total = mp_test::model_data_bytes(r.models[0]);
  CHECK(total > 780'000'000'000ull);
  CHECK(total < 810'000'000'000ull);
  CHECK(r.models[0].files.size() > 90);
  REQUIRE(r.match.unmatched.empty());

  const uint64_t budget = 64ull << 20;
  const mp::Plan p = plan_of(r, budget, 1);
  check_invariants(r, p, budget);
  check_group_coverage(r, p);
  // One tensor per (layer, component) group: 64 MiB over its ~300 groups leaves a sampled tensor
  // under kMinRangeBytes (256 KiB) a model, so no group gets a second (each costs a request a
  // model, and the run is request-bound)...
  std::set<std::pair<int, Component>> groups;
  for (const auto& mt : r.match.tensors) groups.insert({mt.cls.layer, mt.cls.component});
  CHECK(p.tensors_covered == groups.size());
  // ...while a budget that gives every tensor 256 KiB a model samples more of them.
  const mp::Plan big = plan_of(r, 1ull << 30, 1);
  check_invariants(r, big, 1ull << 30);
  CHECK(big.tensors_covered > 2 * groups.size());
  CHECK(big.tensors_covered * 3 * (256 << 10) <= (1ull << 30));
  // Enough, not the budget: every sample holds 2^14 elements a model (or the whole tensor), and
  // the plan stops there, well under the 64 MiB cap.
  check_enough(r, p);
  CHECK(p.bytes < budget / 2);
  // Small tensors are read whole, the huge ones are not.
  for (const auto& s : p.samples) {
    const auto& mt = r.match.tensors[s.tensor];
    // (The routers are [512, 4096]: 4 MB a model, 720 MB over the run: not small here.)
    if (mt.cls.component == Component::Norm) CHECK(s.whole);
    if (mt.cls.component == Component::Experts || mt.cls.component == Component::Embedding) CHECK_FALSE(s.whole);
  }
  // Experts (two 4-8 GB tensors per layer) do not starve attention: per layer, both get a sample
  // of the same size (check_enough), so the components' bytes follow their layer counts.
  auto by = bytes_by_component(r, p);
  const double experts = static_cast<double>(by[Component::Experts]);
  for (Component c : {Component::Attention, Component::SharedExpert}) {
    INFO(mp::component_name(c));
    CHECK(static_cast<double>(by[c]) > 0.2 * experts);
    CHECK(static_cast<double>(by[c]) < 2.0 * experts);
  }
  // Requests: ranges far fewer than samples x models would be without coalescing? At least bounded.
  CHECK(p.ranges.size() <= p.samples.size() * 3);
}

TEST_CASE("planner: same seed same plan, other seed other rows", "[planner]") {
  const Run r = qwen397_bf16_run();
  const mp::Plan a = plan_of(r, 64ull << 20, 7);
  const mp::Plan b = plan_of(r, 64ull << 20, 7);
  const mp::Plan c = plan_of(r, 64ull << 20, 8);
  CHECK(plan_hash(a) == plan_hash(b));
  REQUIRE(a.samples.size() == b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i) CHECK(a.samples[i].row_begin == b.samples[i].row_begin);
  CHECK(plan_hash(a) != plan_hash(c));
  size_t moved = 0;
  REQUIRE(a.samples.size() == c.samples.size());  // same budget split, other placement
  for (size_t i = 0; i < a.samples.size(); ++i) moved += a.samples[i].row_begin != c.samples[i].row_begin;
  size_t partial = 0;
  for (const auto& s : a.samples) partial += !s.whole;
  CHECK(moved > partial * 9 / 10);
}

TEST_CASE("planner: FP8 per-expert 397B (92,160 expert weights + scales) plans fast, in budget, block-aligned", "[planner]") {
  double match_ms = 0;
  const Run r = qwen397_fp8_run(&match_ms);
  INFO("FP8 397B, 3 models of " << mp_test::model_tensor_count(r.models[0]) << " tensors: matched in " << match_ms << " ms");
  size_t expert_weights = 0;
  for (const auto& mt : r.match.tensors) expert_weights += mt.cls.component == Component::Experts;
  REQUIRE(expert_weights == 60u * 512u * 3u);
  REQUIRE(r.match.unmatched.empty());

  const uint64_t budget = 64ull << 20;
  const auto t0 = std::chrono::steady_clock::now();
  const mp::Plan p = plan_of(r, budget, 3);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  INFO("FP8 397B plan: " << ms << " ms, " << p.tensors_covered << " of " << r.match.tensors.size() << " tensors, "
                         << p.ranges.size() << " ranges, " << p.bytes << " bytes");
#ifndef __EMSCRIPTEN__
  CHECK(ms < 1000.0);
#endif
  check_invariants(r, p, budget);
  check_group_coverage(r, p);
  // Not everything fits at one row each (92k x 3 models x 4 KiB > 64 MB): one tensor per group,
  // so a few hundred ranges a model rather than thousands (weights and their scales: two each).
  std::set<std::pair<int, Component>> groups;
  for (const auto& mt : r.match.tensors) groups.insert({mt.cls.layer, mt.cls.component});
  CHECK(p.tensors_covered == groups.size());
  CHECK(p.ranges.size() <= 2 * 3 * p.tensors_covered);
  check_enough(r, p);
  CHECK(p.bytes < budget / 2);
  // Partial FP8 samples start on a 128-row block; their scales are in the plan (checked above).
  size_t fp8_partial = 0;
  for (const auto& s : p.samples) {
    const auto& mt = r.match.tensors[s.tensor];
    if (!mt.scales[0] || s.whole) continue;
    ++fp8_partial;
    CHECK(s.row_begin % 128 == 0);
  }
  CHECK(fp8_partial > 100);
  // Experts get covered in every layer, by an expert drawn from the seed (not always the first).
  std::map<int, std::set<int>> experts_by_layer;
  for (const auto& s : p.samples) {
    const auto& c = r.match.tensors[s.tensor].cls;
    if (c.component == Component::Experts) experts_by_layer[c.layer].insert(c.expert);
  }
  CHECK(experts_by_layer.size() == 60);
  std::set<int> experts_seen;
  for (const auto& [layer, experts] : experts_by_layer) experts_seen.insert(experts.begin(), experts.end());
  CHECK(experts_seen.size() > 30);
}

TEST_CASE("planner: a budget below every tensor's minimum covers every group first", "[planner]") {
  mp_test::LlamaDims d;  // Llama-70B-like, 3 models
  std::vector<mp::Model> models;
  for (int i = 0; i < 3; ++i) models.push_back(mp_test::llama_dense(Wrapper::TextOnly, d));
  const Run r = matched(std::move(models));
  // One row of a 70B tensor is 16-56 KiB per model; 80 layers x 3 groups need ~25 MB at one
  // tensor each. 40 MB: every group, not every tensor.
  const uint64_t budget = 40ull << 20;
  const mp::Plan p = plan_of(r, budget, 11);
  check_invariants(r, p, budget);
  check_group_coverage(r, p);
  CHECK(p.tensors_covered < r.match.tensors.size());

  // A group whose seeded-first tensor does not fit still gets one that does; a group with nothing
  // that fits is skipped, not an error.
  {
    std::vector<mp_test::TensorSpec> specs = {
        {"model.layers.0.self_attn.q_proj.weight", Dtype::BF16, {2, 1 << 20}},  // one row: 2 MiB a model
        {"model.layers.0.self_attn.k_proj.weight", Dtype::BF16, {16, 4096}},  // one row: 8 KiB a model
        {"model.layers.0.self_attn.v_proj.weight", Dtype::BF16, {2, 1 << 20}},
        {"model.layers.0.mlp.up_proj.weight", Dtype::BF16, {2, 1 << 20}},
        {"model.layers.0.input_layernorm.weight", Dtype::BF16, {64}},
    };
    const Run small = matched({mp_test::pack_model(specs), mp_test::pack_model(specs), mp_test::pack_model(specs)});
    // 40 KiB: k_proj's 24 KiB fits the budget but not the half that later rounds may spend.
    for (uint64_t seed = 0; seed < 8; ++seed) {
      const mp::Plan q = plan_of(small, 40 << 10, seed);
      check_invariants(small, q, 40 << 10);
      std::set<std::string> keys;
      for (const auto& smp : q.samples) keys.insert(small.match.tensors[smp.tensor].cls.key);
      CHECK(keys == std::set<std::string>{"layers.0.self_attn.k_proj.weight", "layers.0.input_layernorm.weight"});
    }
  }

  // Too small for anything: an error that says what the smallest sample needs.
  mp::PlanOptions o;
  o.budget_bytes = 1000;
  auto e = mp::make_plan(r.models, r.match, o);
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == mp::ErrorCode::InvalidArgument);
  CHECK(e.error().message.find("cannot hold one sample") != std::string::npos);
}

TEST_CASE("planner: tiny real models are read whole when the budget allows", "[planner]") {
  const Run r = matched({load_real("bert-tiny-emotion-fhe"), load_real("bert-tiny-sst2-fhe"), load_real("bert-tiny-fhe-v0-weights")});
  const uint64_t budget = 64ull << 20;
  const mp::Plan p = plan_of(r, budget, 0);
  check_invariants(r, p, budget);
  REQUIRE(p.tensors_covered == 24);
  uint64_t tensor_bytes = 0;
  for (const auto& s : p.samples) {
    CHECK(s.whole);
    const auto& mt = r.match.tensors[s.tensor];
    for (size_t m = 0; m < 3; ++m) tensor_bytes += tinfo(r.models[m], mt.refs[m]).end - tinfo(r.models[m], mt.refs[m]).begin;
  }
  CHECK(p.elements == 395520);
  // The base holds exactly the matched tensors: one contiguous range. The fine-tunes have their
  // pooler/classifier in the way; gaps under 64 KiB are bridged.
  CHECK(p.bytes >= tensor_bytes);
  CHECK(p.ranges.size() <= 3 * 2);
  size_t base_ranges = 0;
  for (const auto& rg : p.ranges) base_ranges += rg.model == 2;
  CHECK(base_ranges == 1);

  // With a budget of exactly the tensor bytes, nothing is bridged and nothing is cut.
  const mp::Plan q = plan_of(r, tensor_bytes, 0);
  check_invariants(r, q, tensor_bytes);
  CHECK(q.bytes == tensor_bytes);
  for (const auto& s : q.samples) CHECK(s.whole);
  // Half of it: every group covered, and more tensors than one a group, though 2.4 MB cannot
  // give 24 tensors 256 KiB a model: one a group read whole would leave the budget unspent.
  const mp::Plan h = plan_of(r, tensor_bytes / 2, 0);
  check_invariants(r, h, tensor_bytes / 2);
  check_group_coverage(r, h);
  std::set<std::pair<int, Component>> groups;
  for (const auto& mt : r.match.tensors) groups.insert({mt.cls.layer, mt.cls.component});
  CHECK(h.tensors_covered > groups.size());
  check_enough(r, h);
}

TEST_CASE("planner: find_range and argument checks", "[planner]") {
  mp::Plan p;
  p.ranges = {{0, 0, 100, 200}, {0, 0, 300, 400}, {0, 2, 0, 50}, {1, 0, 100, 200}};
  CHECK(mp::find_range(p, 0, 0, 100, 200) == 0);
  CHECK(mp::find_range(p, 0, 0, 150, 160) == 0);
  CHECK(mp::find_range(p, 0, 0, 150, 250) == -1);
  CHECK(mp::find_range(p, 0, 0, 300, 301) == 1);
  CHECK(mp::find_range(p, 0, 0, 50, 60) == -1);
  CHECK(mp::find_range(p, 0, 1, 0, 10) == -1);
  CHECK(mp::find_range(p, 0, 2, 10, 50) == 2);
  CHECK(mp::find_range(p, 1, 0, 100, 101) == 3);
  CHECK(mp::find_range(p, 1, 0, 99, 101) == -1);
  CHECK(mp::find_range(p, 2, 0, 100, 101) == -1);

  Run r = matched({load_real("stories260K"), load_real("stories260K"), load_real("stories260K")});
  mp::MatchResult bad = r.match;
  bad.tensors[0].refs.pop_back();
  auto e = mp::make_plan(r.models, bad, mp::PlanOptions{});
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == mp::ErrorCode::InvalidArgument);
  CHECK(mp::make_plan(r.models, mp::MatchResult{}, mp::PlanOptions{}).error().code == mp::ErrorCode::InvalidArgument);
}

// Golden plans: the same constants natively and in wasm prove the plans are bit-identical.
// If the policy changes on purpose, the INFO below prints the new values on failure: update them.
TEST_CASE("planner: golden plan hashes, identical natively and in wasm", "[planner]") {
  const Run bf16 = qwen397_bf16_run();
  const mp::Plan a = plan_of(bf16, 64ull << 20, 42);
  const Run fp8 = qwen397_fp8_run();
  const mp::Plan b = plan_of(fp8, 64ull << 20, 42);
  const Run bert = matched({load_real("bert-tiny-emotion-fhe"), load_real("bert-tiny-sst2-fhe"), load_real("bert-tiny-fhe-v0-weights")});
  const mp::Plan c = plan_of(bert, 1 << 20, 42);
  INFO("golden: bf16 " << plan_hash(a) << "ull, fp8 " << plan_hash(b) << "ull, bert " << plan_hash(c) << "ull");
  CHECK(plan_hash(a) == 711328722510888688ull);  // one tensor a group, enough rows (issue 14)
  CHECK(plan_hash(b) == 11177808002090655003ull);
  CHECK(plan_hash(c) == 3315936519784294626ull);
}
