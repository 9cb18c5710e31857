// GGUF suspects end to end through mp::Analysis, from real weights (shared/real-models
// tinystories-656k, a Hugging Face Llama): the suspect is written as llama.cpp would (its names,
// q/k rows permuted per head, dims reversed, 2-D tensors quantized by ggml's reference quantizer),
// the parent and base as safetensors. A copy, a merge at alpha 0.3 and an unrelated model.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <map>
#include <string>

#include "analysis.h"
#include "format/ggml_types.h"
#include "format/safetensors_header.h"
#include "ggml_quantize.h"
#include "gguf_writer.h"
#include "stats/half.h"
#include "stats/quant_floor.h"
#include "test_support.h"

using namespace mp_test;

namespace {

using T = RealTensor;
using Weights = RealModel;

Weights load(const std::string& folder) {
  Weights w = load_real_model(folder);
  REQUIRE(!w.empty());
  return w;
}

// splitmix64 -> a standard normal (Box-Muller), deterministic on every platform.
struct Rng {
  uint64_t s;
  double u() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return ((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
  double normal() { return std::sqrt(-2 * std::log(1 - u())) * std::cos(6.283185307179586 * u()); }
};

// A synthetic fine-tune: every element moved by 5% of its tensor's RMS, independently.
Weights fine_tune(const Weights& base, uint64_t seed) {
  Weights out = base;
  Rng r{seed};
  for (auto& [name, t] : out) {
    double ss = 0;
    for (float x : t.values) ss += double(x) * x;
    const double rms = std::sqrt(ss / t.values.size());
    for (float& x : t.values) x += static_cast<float>(0.05 * rms * r.normal());
  }
  return out;
}

Weights mix(const Weights& a, const Weights& b, float alpha) {
  Weights out = b;
  for (auto& [name, t] : out)
    for (size_t i = 0; i < t.values.size(); ++i) t.values[i] = alpha * a.at(name).values[i] + (1 - alpha) * t.values[i];
  return out;
}

std::vector<uint8_t> safetensors(const Weights& w) {
  std::vector<RawTensor> ts;
  for (const auto& [name, t] : w) ts.push_back({name, "F32", t.shape, f32_bytes(t.values)});
  return write_safetensors(ts);
}

// HF name -> llama.cpp name for the tensors of a HF Llama.
std::string gguf_name(const std::string& hf) {
  if (hf == "lm_head.weight") return "output.weight";
  if (hf == "model.norm.weight") return "output_norm.weight";
  if (hf == "model.embed_tokens.weight") return "token_embd.weight";
  const std::string pre = "model.layers.";
  const size_t dot = hf.find('.', pre.size());
  const std::string layer = hf.substr(pre.size(), dot - pre.size()), rest = hf.substr(dot + 1);
  static const std::map<std::string, std::string> m = {
      {"input_layernorm.weight", "attn_norm.weight"},   {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},     {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},     {"self_attn.o_proj.weight", "attn_output.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"}};
  return "blk." + layer + "." + m.at(rest);
}

// HF name -> llama.cpp name for the BERT-tiny dumps (bert.encoder.layer.N..., pooler, classifier).
std::string bert_gguf_name(const std::string& hf) {
  static const std::map<std::string, std::string> m = {
      {"attention.self.query", "attn_q"},           {"attention.self.key", "attn_k"},
      {"attention.self.value", "attn_v"},           {"attention.output.dense", "attn_output"},
      {"attention.output.LayerNorm", "attn_output_norm"}, {"intermediate.dense", "ffn_up"},
      {"output.dense", "ffn_down"},                 {"output.LayerNorm", "layer_output_norm"}};
  const std::string pre = "bert.encoder.layer.";
  const size_t dot = hf.find('.', pre.size()), last = hf.rfind('.');
  const std::string layer = hf.substr(pre.size(), dot - pre.size());
  return "blk." + layer + "." + m.at(hf.substr(dot + 1, last - dot - 1)) + hf.substr(last);
}

// convert_hf_to_gguf.py LlamaModel.permute: reshape(n_head, 2, hd/2, cols).swapaxes(1, 2).
std::vector<float> permute(const T& t, uint64_t heads) {
  const uint64_t rows = t.shape[0], cols = t.shape[1], hd = rows / heads;
  std::vector<float> out(t.values.size());
  for (uint64_t h = 0; h < heads; ++h)
    for (uint64_t half = 0; half < 2; ++half)
      for (uint64_t j = 0; j < hd / 2; ++j)
        std::memcpy(&out[(h * hd + 2 * j + half) * cols], &t.values[(h * hd + half * hd / 2 + j) * cols], cols * 4);
  return out;
}

std::vector<uint8_t> f16_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> bytes;
  for (float x : v) {
    const uint16_t h = mp::f32_to_f16(x);
    bytes.push_back(h & 0xff);
    bytes.push_back(h >> 8);
  }
  return bytes;
}

// The model as llama.cpp's converter + llama-quantize would write it: 2-D tensors in `type`
// (Q8_0 = 8, Q4_0 = 2, Q4_K = 12, F16 = 1), 1-D ones F32. A Q4_K file's matrices whose rows are
// not whole 256-element super-blocks are F16 here (llama-quantize would take Q5_0), so the Q4_K
// case is about Q4_K's blocks alone.
std::vector<uint8_t> gguf(const Weights& w, uint32_t type, bool bert = false) {
  GgufWriter g;
  g.kv_string("general.architecture", bert ? "bert" : "llama");
  if (!bert) {
    g.kv_u32("llama.attention.head_count", 8);
    g.kv_u32("llama.attention.head_count_kv", 4);
  }
  for (const auto& [name, t] : w) {
    const std::string gn = bert ? bert_gguf_name(name) : gguf_name(name);
    std::vector<float> v = t.values;
    if (!bert && gn.find(".attn_q.") != std::string::npos) v = permute(t, 8);
    if (!bert && gn.find(".attn_k.") != std::string::npos) v = permute(t, 4);
    std::vector<uint64_t> ne(t.shape.rbegin(), t.shape.rend());
    uint32_t ty = t.shape.size() == 2 ? type : 0;
    if (ty == 12 && ne[0] % 256 != 0) ty = 1;
    std::vector<uint8_t> bytes;
    if (ty == 8) bytes = quantize_q8_0(v.data(), v.size());
    else if (ty == 2) bytes = quantize_q4_0(v.data(), v.size());
    else if (ty == 12) bytes = quantize_q4_k(v.data(), v.size());
    else if (ty == 1) bytes = f16_bytes(v);
    else bytes = f32_bytes(v);
    g.tensor({gn, ne, ty, bytes, std::nullopt});
  }
  return g.bytes();
}

struct Outcome {
  double alpha, cos_fit, cos_floor, alpha_se, noise_ratio;
  std::string verdict;
};

Outcome analyse(const std::vector<uint8_t>& suspect, const std::vector<uint8_t>& parent, const std::vector<uint8_t>& base,
                size_t tensors = 20) {
  mp::Analysis a(1, false);
  const std::vector<const std::vector<uint8_t>*> files = {&suspect, &parent, &base};
  const char* names[] = {"model-Q.gguf", "model.safetensors", "model.safetensors"};
  for (int role = 0; role < 3; ++role) {
    Padded p = padded(*files[role]);
    uint64_t needed = 0;
    mp::Error e = a.add_file(role, names[role], p.data(), p.size, p.size, &needed);
    REQUIRE(e.message == "");
  }
  mp::Error m = a.match();
  REQUIRE(m.message == "");
  REQUIRE(a.match_result().tensors.size() == tensors);
  mp::PlanOptions opt;
  opt.budget_bytes = 64ull << 20;
  auto plan = a.plan(opt);
  REQUIRE(plan.has_value());
  for (size_t i = 0; i < plan->ranges.size(); ++i) {
    const auto& r = plan->ranges[i];
    std::memcpy(a.range_buffer(i), files[r.model]->data() + r.begin, r.end - r.begin);
  }
  mp::Error c = a.compute();
  REQUIRE(c.message == "");
  const auto& g = a.aggregates().overall;
  return {g.est.alpha[0], g.est.cos_fit, g.qf.quantized ? g.qf.cos_floor : NAN, g.qf.alpha_se[0],
          mp::noise_ratio(g.est.cos_fit, g.qf), a.verdict().kind};
}

const Weights& base() {
  static const Weights w = load("tinystories-656k");
  return w;
}

}  // namespace

TEST_CASE("GGUF suspects from real weights: copy, merge at 0.3 and unrelated, per quant type", "[gguf_analysis]") {
  if (!file_exists(real_models_dir() + "/tinystories-656k/model.safetensors")) {
    WARN("shared/real-models/tinystories-656k missing");
    return;
  }
  const Weights& B = base();
  const Weights A = fine_tune(B, 1);
  const Weights other = fine_tune(B, 2);
  const auto a_file = safetensors(A), b_file = safetensors(B);
  struct Type {
    uint32_t id;
    double alpha_tol;
  };
  for (Type t : {Type{1, 0.005}, Type{8, 0.02}, Type{2, 0.05}}) {
    INFO(mp::ggml_type_name(t.id));
    const Outcome copy = analyse(gguf(A, t.id), a_file, b_file);
    const Outcome merge = analyse(gguf(mix(A, B, 0.3f), t.id), a_file, b_file);
    const Outcome unrelated = analyse(gguf(other, t.id), a_file, b_file);
    INFO("copy alpha " << copy.alpha << " cos_fit " << copy.cos_fit << " floor " << copy.cos_floor << " ratio "
                       << copy.noise_ratio << " merge ratio " << merge.noise_ratio << " alpha_se "
                       << copy.alpha_se << " (" << copy.verdict << "); merge alpha " << merge.alpha << " cos_fit "
                       << merge.cos_fit << " floor " << merge.cos_floor << " (" << merge.verdict << "); unrelated alpha "
                       << unrelated.alpha << " cos_fit " << unrelated.cos_fit << " (" << unrelated.verdict << ")");
    if (t.id == 1) {
      CHECK(std::isnan(copy.cos_floor));  // F16 is not a block type: no quantization floor
    } else {
      // A copy or a perfect merge leaves exactly the quantization noise the block scales predict
      // (stats/ggml_quant.h: the exact largest element, Q4_0's clipped far side).
      CHECK(copy.noise_ratio == Approx(1).margin(0.02));
      CHECK(merge.noise_ratio == Approx(1).margin(0.02));
      CHECK(std::fabs(copy.alpha - 1) < 5 * copy.alpha_se + 0.002);
      // Judged against the floor: a quantized copy, a merge however low its cos_fit, no merge.
      CHECK(copy.verdict == "quantized-copy");
      CHECK(merge.verdict == "linear-merge");
    }
    CHECK(unrelated.verdict == "not-a-merge");
    CHECK(std::fabs(copy.alpha - 1) < t.alpha_tol);
    CHECK(std::fabs(merge.alpha - 0.3) < t.alpha_tol);
    CHECK(std::fabs(unrelated.alpha) < 0.05);
    CHECK(std::fabs(unrelated.cos_fit) < 0.05);
    // Quantization noise caps the fit: Q8_0 keeps a copy near 0.994, Q4_0 halves it.
    if (t.id == 1) CHECK(copy.cos_fit > 0.9999);
    if (t.id == 8) CHECK(copy.cos_fit == Approx(0.994).margin(0.003));
    if (t.id == 2) CHECK(copy.cos_fit == Approx(0.50).margin(0.03));
  }
}

// Q4_K's super-blocks need rows of 256: BERT-tiny's ffn_down (rows of 512) are the real weights
// that have them. The real sst2 fine-tune of the v0 base as parent, copies and a merge at 0.3 in
// Q4_K, the real emotion fine-tune (a sibling, not a merge of sst2) as the unrelated suspect.
TEST_CASE("GGUF Q4_K suspects from real BERT-tiny weights: copy, merge at 0.3, a sibling", "[gguf_analysis]") {
  const std::string dir = real_models_dir();
  if (!file_exists(dir + "/bert-tiny-sst2-fhe/model.safetensors")) {
    WARN("shared/real-models/bert-tiny-* missing");
    return;
  }
  const Weights B = load("bert-tiny-fhe-v0-weights");
  Weights A, other;
  const Weights sst2 = load("bert-tiny-sst2-fhe"), emotion = load("bert-tiny-emotion-fhe");
  for (const auto& [name, t] : B) {  // the tensors all three have (the dumps add a task head)
    A[name] = sst2.at(name);
    other[name] = emotion.at(name);
  }
  const auto a_file = safetensors(A), b_file = safetensors(B);
  const Outcome copy = analyse(gguf(A, 12, true), a_file, b_file, B.size());
  const Outcome merge = analyse(gguf(mix(A, B, 0.3f), 12, true), a_file, b_file, B.size());
  const Outcome sibling = analyse(gguf(other, 12, true), a_file, b_file, B.size());
  INFO("copy alpha " << copy.alpha << " cos_fit " << copy.cos_fit << " floor " << copy.cos_floor << " ratio "
                     << copy.noise_ratio << " merge ratio " << merge.noise_ratio << " sibling ratio "
                     << sibling.noise_ratio << " alpha_se "
                     << copy.alpha_se << " (" << copy.verdict << "); merge alpha " << merge.alpha << " cos_fit "
                     << merge.cos_fit << " floor " << merge.cos_floor << " (" << merge.verdict << "); sibling alpha "
                     << sibling.alpha << " cos_fit " << sibling.cos_fit << " (" << sibling.verdict << ")");
  // The F16 tensors add no noise; the Q4_K ones carry all of it (the scale search's fraction).
  CHECK(copy.noise_ratio == Approx(1).margin(0.02));
  CHECK(merge.noise_ratio == Approx(1).margin(0.02));
  CHECK(sibling.noise_ratio > 2);
  CHECK(copy.verdict == "quantized-copy");
  CHECK(merge.verdict == "linear-merge");
  CHECK(sibling.verdict == "not-a-merge");
  CHECK(std::fabs(copy.alpha - 1) < 0.05);
  CHECK(std::fabs(merge.alpha - 0.3) < 0.05);
  CHECK(std::fabs(sibling.alpha) < 0.2);
}
