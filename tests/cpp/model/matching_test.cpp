// match_tensors on the real checkpoints of shared/real-models and on in-memory layouts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "layouts.h"
#include "model/matching.h"
#include "format/safetensors_header.h"
#include "test_support.h"

using mp::Component;
using mp::Dtype;
using mp_test::TensorSpec;
using mp_test::Wrapper;

namespace {

// One real single-file model, header parsed by the project's parser.
mp::Model load_real(const std::string& folder) {
  const std::string path = mp_test::real_models_dir() + "/" + folder + "/model.safetensors";
  const std::vector<uint8_t> bytes = mp_test::read_file(path);
  REQUIRE(!bytes.empty());
  const mp_test::Padded p = mp_test::padded(bytes);
  auto h = mp::parse_header(p.data(), p.size, bytes.size());
  REQUIRE(h.has_value());
  mp::Model m;
  m.files.push_back(mp::ModelFile{"model.safetensors", bytes.size(), h.value()});
  return m;
}

// The same weights as another class would have saved them: every name gets `from` replaced by `to`.
mp::Model renamed(mp::Model m, const std::string& from, const std::string& to) {
  for (auto& f : m.files)
    for (size_t i = 0; i < f.header.tensors.size(); ++i) {
      const std::string name(f.header.name(i));
      if (name.compare(0, from.size(), from) == 0) f.header.rename(i, to + name.substr(from.size()));
    }
  return m;
}

const mp::Unmatched* find_unmatched(const mp::MatchResult& r, const std::string& name) {
  for (const auto& u : r.unmatched)
    if (u.name == name) return &u;
  return nullptr;
}

mp_test::QwenMoeDims small_qwen() {
  mp_test::QwenMoeDims d;
  d.layers = 8;
  d.experts = 4;
  d.hidden = 256;
  d.moe_inter = 128;
  d.shared_inter = 128;
  d.vocab = 1000;
  d.heads = 4, d.kv_heads = 1, d.head_dim = 64;
  d.lin_k_heads = 2, d.lin_v_heads = 4, d.lin_head_dim = 32;
  return d;
}

bool sorted_by_layer_component(const mp::MatchResult& r) {
  for (size_t i = 1; i < r.tensors.size(); ++i) {
    const auto& a = r.tensors[i - 1].cls;
    const auto& b = r.tensors[i].cls;
    if (a.layer != b.layer) {
      if (a.layer > b.layer) return false;
      continue;
    }
    if (a.component > b.component) return false;
    if (a.component == b.component && a.expert == b.expert && a.key >= b.key) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("matching: real BERT-tiny fine-tunes against their base, names with and without bert.", "[matching]") {
  const mp::Model emotion = load_real("bert-tiny-emotion-fhe");
  const mp::Model sst2 = load_real("bert-tiny-sst2-fhe");
  // The base saved as a BertModel: no "bert." wrapper.
  const mp::Model base = renamed(load_real("bert-tiny-fhe-v0-weights"), "bert.", "");
  REQUIRE(base.files[0].header.name(0).rfind("encoder.layer.", 0) == 0);

  const std::vector<mp::Model> models = {emotion, sst2, base};
  auto r = mp::match_tensors(models);
  REQUIRE(r.has_value());
  CHECK(r->tensors.size() == 24);  // the whole encoder: 2 layers x 12 tensors
  for (const auto& mt : r->tensors) {
    CHECK(mt.refs.size() == 3);
    CHECK(mt.name == models[0].name(mt.refs[0]));
    CHECK(mt.name == "bert." + std::string(models[2].name(mt.refs[2])));
    CHECK(mt.name == models[1].name(mt.refs[1]));
    CHECK(mt.cls.layer >= 0);
    CHECK(mt.scales.size() == 3);
    CHECK_FALSE(mt.scales[0].has_value());
    const auto& ti = base.files[0].header.tensors[mt.refs[2].tensor];
    CHECK(ti.shape == mt.shape);
  }
  CHECK(sorted_by_layer_component(r.value()));
  CHECK(r->tensors.front().cls.layer == 0);
  CHECK(r->tensors.back().cls.layer == 1);
  // The task heads exist only in the fine-tunes.
  REQUIRE(r->unmatched.size() == 4);
  for (const char* n : {"bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"}) {
    INFO(n);
    const mp::Unmatched* u = find_unmatched(r.value(), n);
    REQUIRE(u);
    CHECK(u->model == 0);
    CHECK(u->reason == "missing in base");
  }
  // Per-component counts: BERT layers have attention (8), mlp (4) and no norms in these dumps.
  size_t attention = 0, mlp = 0;
  for (const auto& mt : r->tensors) {
    attention += mt.cls.component == Component::Attention;
    mlp += mt.cls.component == Component::Mlp;
  }
  CHECK(attention == 16);
  CHECK(mlp == 8);
}

TEST_CASE("matching: classifier heads of different label counts are a shape mismatch", "[matching]") {
  const mp::Model emotion = load_real("bert-tiny-emotion-fhe");
  const mp::Model sst2 = load_real("bert-tiny-sst2-fhe");
  auto r = mp::match_tensors({emotion, sst2, emotion});
  REQUIRE(r.has_value());
  CHECK(r->tensors.size() == 26);  // encoder + pooler
  const mp::Unmatched* u = find_unmatched(r.value(), "classifier.weight");
  REQUIRE(u);
  CHECK(u->reason == "shape [6,128] in suspect vs [2,128] in parent");
  u = find_unmatched(r.value(), "classifier.bias");
  REQUIRE(u);
  CHECK(u->reason == "shape [6] in suspect vs [2] in parent");
}

TEST_CASE("matching: unrelated architectures give NoMatchingTensors with a reason", "[matching]") {
  const mp::Model bert = load_real("bert-tiny-sst2-fhe");
  const mp::Model llama2c = load_real("stories260K");
  const mp::Model hf_llama = load_real("tinystories-656k");
  auto r = mp::match_tensors({bert, llama2c, bert});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == mp::ErrorCode::NoMatchingTensors);
  CHECK(r.error().message.find("no tensor name is common") != std::string::npos);
  CHECK(r.error().message.find("parent has 'layers.0.attention.wk.weight'") != std::string::npos);

  // llama2.c names are not HF names (RoPE layouts differ): nothing in common either.
  auto r2 = mp::match_tensors({hf_llama, llama2c, hf_llama});
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == mp::ErrorCode::NoMatchingTensors);

  // Same family, other sizes: names in common, shapes only partly (w1/w2/w3 are 172 vs 192 wide).
  const mp::Model xs = load_real("llama2xs-tinystories-scratch");
  auto r3 = mp::match_tensors({llama2c, xs, llama2c});
  REQUIRE(r3.has_value());
  CHECK(r3->tensors.size() == 47 - 15);  // 5 layers x 3 feed_forward tensors differ
  const mp::Unmatched* u = find_unmatched(r3.value(), "layers.2.feed_forward.w2.weight");
  REQUIRE(u);
  CHECK(u->reason == "shape [64,172] in suspect vs [64,192] in parent");
  // The tok_embeddings match (same vocab 512 here), classified as embeddings.
  bool has_embedding = false;
  for (const auto& mt : r3->tensors) has_embedding |= mt.cls.component == Component::Embedding;
  CHECK(has_embedding);

  // Shapes nowhere equal: the error names the first reason.
  std::vector<TensorSpec> a = {{"model.layers.0.mlp.up_proj.weight", Dtype::BF16, {8, 4}}};
  std::vector<TensorSpec> b = {{"model.layers.0.mlp.up_proj.weight", Dtype::BF16, {4, 8}}};
  auto r4 = mp::match_tensors({mp_test::pack_model(a), mp_test::pack_model(b), mp_test::pack_model(a)});
  REQUIRE_FALSE(r4.has_value());
  CHECK(r4.error().message ==
        "1 tensor names are common to all models but none can be compared; first: 'layers.0.mlp.up_proj.weight': "
        "shape [8,4] in suspect vs [4,8] in parent");

  CHECK(mp::match_tensors({bert}).error().code == mp::ErrorCode::InvalidArgument);
  CHECK(mp::match_tensors({bert, mp::Model{}}).error().code == mp::ErrorCode::NoMatchingTensors);
}

TEST_CASE("matching: Qwen3.5 with a different wrapper in every role", "[matching]") {
  const auto d = small_qwen();
  const mp::Model suspect = mp_test::qwen35_moe_bf16(Wrapper::Multimodal, d);
  const mp::Model parent = mp_test::qwen35_moe_bf16(Wrapper::TextOnly, d);
  const mp::Model base = mp_test::qwen35_moe_bf16(Wrapper::MlxOrder, d);
  const std::vector<mp::Model> models = {suspect, parent, base};
  auto r = mp::match_tensors(models);
  REQUIRE(r.has_value());
  CHECK(r->unmatched.empty());
  CHECK(r->tensors.size() == mp_test::model_tensor_count(suspect));
  CHECK(sorted_by_layer_component(r.value()));

  std::set<std::pair<int, Component>> groups;
  for (const auto& mt : r->tensors) {
    groups.insert({mt.cls.layer, mt.cls.component});
    const std::string n0(mt.name), n1(models[1].name(mt.refs[1])), n2(models[2].name(mt.refs[2]));
    CHECK((n0.rfind("model.language_model.", 0) == 0 || n0 == "lm_head.weight"));
    if (n0 != "lm_head.weight") {
      CHECK(n1 == "model." + n0.substr(21));
      CHECK(n2 == "language_model.model." + n0.substr(21));
    } else {
      CHECK(n2 == "language_model.lm_head.weight");
    }
  }
  // Every layer has norms, router, shared expert and experts, plus its kind of attention.
  for (int L = 0; L < d.layers; ++L) {
    INFO("layer " << L);
    for (Component c : {Component::Norm, Component::Router, Component::SharedExpert, Component::Experts})
      CHECK(groups.count({L, c}) == 1);
    const bool full = mp_test::qwen_full_attention(L);
    CHECK(groups.count({L, Component::Attention}) == (full ? 1u : 0u));
    CHECK(groups.count({L, Component::LinearAttention}) == (full ? 0u : 1u));
  }
  CHECK(groups.count({-1, Component::Embedding}) == 1);
  CHECK(groups.count({-1, Component::LmHead}) == 1);
  CHECK(groups.count({-1, Component::Norm}) == 1);
}

TEST_CASE("matching: missing tensors, ambiguous keys, unsupported dtypes, roles with a control", "[matching]") {
  std::vector<TensorSpec> full = {
      {"model.embed_tokens.weight", Dtype::BF16, {100, 16}},
      {"model.layers.0.self_attn.q_proj.weight", Dtype::BF16, {16, 16}},
      {"model.layers.0.mlp.up_proj.weight", Dtype::BF16, {32, 16}},
      {"model.layers.0.input_layernorm.weight", Dtype::F32, {16}},
      {"model.norm.weight", Dtype::BF16, {16}},
  };
  auto without = [&](const std::string& name) {
    std::vector<TensorSpec> v;
    for (const auto& s : full)
      if (s.name != name) v.push_back(s);
    return v;
  };
  auto with = [&](TensorSpec extra) {
    std::vector<TensorSpec> v = full;
    v.push_back(std::move(extra));
    return v;
  };
  const mp::Model suspect = mp_test::pack_model(with({"model.layers.0.position_ids", Dtype::I64, {16}}));
  const mp::Model parent1 = mp_test::pack_model(with({"model.layers.0.position_ids", Dtype::I64, {16}}));
  // parent 2 has the same q_proj under two wrappers: ambiguous.
  const mp::Model parent2 = mp_test::pack_model(with({"model.language_model.layers.0.self_attn.q_proj.weight", Dtype::BF16, {16, 16}}));
  const mp::Model base = mp_test::pack_model(with({"model.layers.0.position_ids", Dtype::I64, {16}}));
  const mp::Model control = mp_test::pack_model(without("model.layers.0.mlp.up_proj.weight"));

  auto r = mp::match_tensors({suspect, parent1, parent2, base, control}, 2);
  REQUIRE(r.has_value());
  std::set<std::string> keys;
  for (const auto& mt : r->tensors) keys.insert(mt.cls.key);
  CHECK(keys == std::set<std::string>{"embed_tokens.weight", "layers.0.input_layernorm.weight", "norm.weight"});

  const mp::Unmatched* u = find_unmatched(r.value(), "model.layers.0.mlp.up_proj.weight");
  REQUIRE(u);
  CHECK(u->model == 0);
  CHECK(u->reason == "missing in control");
  u = find_unmatched(r.value(), "model.layers.0.position_ids");
  REQUIRE(u);
  CHECK(u->reason == "missing in parent 2, control");
  u = find_unmatched(r.value(), "model.language_model.layers.0.self_attn.q_proj.weight");
  REQUIRE(u);
  CHECK(u->model == 2);
  CHECK(u->reason ==
        "2 tensors of the parent 2 share the key 'layers.0.self_attn.q_proj.weight' "
        "(model.language_model.layers.0.self_attn.q_proj.weight, model.layers.0.self_attn.q_proj.weight)");
  CHECK(r->unmatched.size() == 4);  // up_proj, position_ids, and both q_proj names of parent 2

  // An integer tensor present everywhere is refused with the dtype named.
  auto r2 = mp::match_tensors({suspect, parent1, base});
  REQUIRE(r2.has_value());
  u = find_unmatched(r2.value(), "model.layers.0.position_ids");
  REQUIRE(u);
  CHECK(u->reason == "dtype I64 not supported for statistics (in suspect)");
  CHECK(r2->tensors.size() == 5);
  // Mixed dtypes across models are fine: F32 norm in one, BF16 in another.
  std::vector<TensorSpec> f32 = full;
  for (auto& s : f32) s.dtype = Dtype::F32;
  auto r3 = mp::match_tensors({mp_test::pack_model(full), mp_test::pack_model(f32), mp_test::pack_model(full)});
  REQUIRE(r3.has_value());
  CHECK(r3->tensors.size() == full.size());
  CHECK(r3->unmatched.empty());
}

TEST_CASE("matching: embeddings and lm_head of grown vocabularies match on the common rows", "[matching]") {
  auto model = [](uint64_t vocab, uint64_t hidden) {
    return mp_test::pack_model({
        {"model.embed_tokens.weight", Dtype::BF16, {vocab, hidden}},
        {"model.layers.0.mlp.down_proj.weight", Dtype::BF16, {hidden, 2 * hidden}},
        {"lm_head.weight", Dtype::BF16, {vocab, hidden}},
    });
  };
  auto r = mp::match_tensors({model(32002, 64), model(32000, 64), model(32768, 64)});
  REQUIRE(r.has_value());
  REQUIRE(r->tensors.size() == 3);
  CHECK(r->unmatched.empty());
  for (const auto& mt : r->tensors) {
    if (mt.cls.component == Component::Embedding || mt.cls.component == Component::LmHead)
      CHECK(mt.shape == std::vector<uint64_t>{32000, 64});
    else
      CHECK(mt.shape == std::vector<uint64_t>{64, 128});
  }
  // A different hidden size is not a vocabulary change.
  auto r2 = mp::match_tensors({model(32000, 64), model(32000, 32), model(32000, 64)});
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().message.find("shape [32000,64] in suspect vs [32000,32] in parent") != std::string::npos);
}

TEST_CASE("matching: FP8 weights are paired with their block scales in each model", "[matching]") {
  const auto d = small_qwen();
  const mp::Model fp8_mm = mp_test::qwen35_moe_fp8(Wrapper::Multimodal, d);
  const mp::Model fp8_text = mp_test::qwen35_moe_fp8(Wrapper::TextOnly, d);
  // A BF16 base with per-expert names (as a text-only BF16 checkpoint stores them): no scales.
  std::vector<TensorSpec> bf16;
  for (TensorSpec s : mp_test::qwen35_moe_fp8_specs(Wrapper::TextOnly, d)) {
    if (s.name.find("weight_scale_inv") != std::string::npos) continue;
    if (s.dtype == Dtype::F8_E4M3) s.dtype = Dtype::BF16;
    bf16.push_back(s);
  }
  const mp::Model base = mp_test::pack_model(bf16, 1 << 20);  // many shards: scales and weights may sit apart
  REQUIRE(base.files.size() > 3);

  auto r = mp::match_tensors({fp8_mm, fp8_text, base});
  REQUIRE(r.has_value());
  CHECK(r->unmatched.empty());
  CHECK(r->tensors.size() == bf16.size());  // scales are not matched tensors
  size_t fp8 = 0, experts = 0;
  const std::vector<mp::Model> models = {fp8_mm, fp8_text, base};
  for (const auto& mt : r->tensors) {
    INFO(mt.cls.key);
    CHECK_FALSE(mt.cls.is_scale);
    const auto& w0 = models[0].files[mt.refs[0].file].header.tensors[mt.refs[0].tensor];
    if (mt.cls.component == Component::Experts) {
      ++experts;
      CHECK(mt.cls.expert >= 0);
      CHECK(mt.cls.expert < static_cast<int>(d.experts));
    }
    if (w0.dtype != Dtype::F8_E4M3) {
      CHECK_FALSE(mt.scales[0].has_value());
      continue;
    }
    ++fp8;
    for (int m = 0; m < 2; ++m) {
      REQUIRE(mt.scales[m].has_value());
      const auto& s = models[m].tensor(*mt.scales[m]);
      CHECK(models[m].name(*mt.scales[m]) == std::string(models[m].name(mt.refs[m])) + "_scale_inv");
      CHECK(s.dtype == Dtype::F32);
      CHECK(s.shape[0] == (mt.shape[0] + 127) / 128);
    }
    CHECK_FALSE(mt.scales[2].has_value());
  }
  CHECK(experts == static_cast<size_t>(d.layers) * d.experts * 3);
  CHECK(fp8 > experts);  // attention and shared expert projections are FP8 too
}
