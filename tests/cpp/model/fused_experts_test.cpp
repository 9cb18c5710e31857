// Fused expert tensors cut into per-expert tensors: names, shapes, byte offsets, refusals, and
// the match they make with a per-expert checkpoint.
#include <catch2/catch.hpp>

#include "format/dtype.h"
#include "model/fused_experts.h"
#include "model/gguf_names.h"
#include "model/matching.h"

using namespace mp;

namespace {

struct Named {
  std::string name;
  TensorInfo t;
};

Named tensor(std::string name, Dtype d, std::vector<uint64_t> shape, uint64_t begin) {
  TensorInfo t;
  t.dtype = d;
  t.shape = std::move(shape);
  uint64_t rows = 1;
  for (size_t i = 0; i + 1 < t.shape.size(); ++i) rows *= t.shape[i];
  t.begin = begin;
  t.end = begin + rows * dtype_span_bytes(d, t.shape.back());
  return {std::move(name), t};
}

void push(Header& h, const Named& n) { h.add_tensor(n.name, n.t); }

}  // namespace

TEST_CASE("stacked experts cut into whole per-expert rows, at their byte offsets", "[fused_experts]") {
  // Q4_K: 256 elements in 144 bytes; 3 experts of 8 rows x 512 columns (2 blocks a row).
  Header h;
  h.format = FileFormat::Gguf;
  push(h, tensor("model.layers.1.mlp.experts.gate_proj.weight", Dtype::Q4_K, {3, 8, 512}, 1000));
  push(h, tensor("model.layers.1.mlp.experts.down_proj.weight", Dtype::Q8_0, {3, 512, 8}, 0));
  h.tensors[1].shape = {3, 512, 256};  // down [E, H, I]: I = 256 columns, 8 Q8_0 blocks a row
  h.tensors[1].begin = h.tensors[0].end;
  h.tensors[1].end = h.tensors[1].begin + 3 * 512 * dtype_span_bytes(Dtype::Q8_0, 256);
  push(h, tensor("model.norm.weight", Dtype::F32, {512}, h.tensors[1].end));
  split_fused_experts(h);
  REQUIRE(h.tensors.size() == 7);
  const uint64_t row = 2 * 144;
  for (uint64_t m = 0; m < 3; ++m) {
    const TensorInfo& g = h.tensors[m];
    CHECK(h.name(m) == "model.layers.1.mlp.experts." + std::to_string(m) + ".gate_proj.weight");
    CHECK(g.shape == std::vector<uint64_t>{8, 512});
    CHECK(g.begin == 1000 + m * 8 * row);
    CHECK(g.end == g.begin + 8 * row);
    CHECK(g.dtype == Dtype::Q4_K);
  }
  const uint64_t down_begin = 1000 + 3 * 8 * row, down_row = dtype_span_bytes(Dtype::Q8_0, 256);
  CHECK(h.name(4) == "model.layers.1.mlp.experts.1.down_proj.weight");
  CHECK(h.tensors[4].shape == std::vector<uint64_t>{512, 256});
  CHECK(h.tensors[4].begin == down_begin + 512 * down_row);
  CHECK(h.name(6) == "model.norm.weight");
}

TEST_CASE("gate_up fused experts give gate rows first, then up, per expert", "[fused_experts]") {
  // Hugging Face fused form (Qwen3.5 BF16: no .weight suffix) and llama.cpp's ffn_gate_up_exps.
  for (const char* name : {"model.language_model.layers.0.mlp.experts.gate_up_proj",
                           "model.layers.0.mlp.experts.gate_up_proj.weight"}) {
    Header h;
    push(h, tensor(name, Dtype::BF16, {2, 6, 4}, 64));
    split_fused_experts(h);
    REQUIRE(h.tensors.size() == 4);
    const std::string prefix = std::string(name).substr(0, std::string(name).find("experts.") + 8);
    CHECK(h.name(0) == prefix + "0.gate_proj.weight");
    CHECK(h.name(1) == prefix + "0.up_proj.weight");
    CHECK(h.name(3) == prefix + "1.up_proj.weight");
    CHECK(h.tensors[0].shape == std::vector<uint64_t>{3, 4});
    CHECK(h.tensors[0].begin == 64);
    CHECK(h.tensors[1].begin == 64 + 3 * 8);
    CHECK(h.tensors[2].begin == 64 + 6 * 8);
    CHECK(h.tensors[3].end == 64 + 12 * 8);
  }
}

TEST_CASE("Mixtral's stacked w1/w2/w3 cut into block_sparse_moe.experts.M.w*", "[fused_experts]") {
  Header h;
  push(h, tensor("model.layers.0.block_sparse_moe.experts.w2.weight", Dtype::Q8_0, {2, 64, 32}, 0));
  push(h, tensor("model.layers.0.w2.weight", Dtype::Q8_0, {2, 64, 32}, 0));  // not experts
  split_fused_experts(h);
  REQUIRE(h.tensors.size() == 3);
  CHECK(h.name(1) == "model.layers.0.block_sparse_moe.experts.1.w2.weight");
  CHECK(h.tensors[1].begin == 64 * dtype_span_bytes(Dtype::Q8_0, 32));
  CHECK(h.name(2) == "model.layers.0.w2.weight");
}

TEST_CASE("fused experts that do not cut are kept and excluded, FP8 left fused", "[fused_experts]") {
  Header h;
  push(h, tensor("model.layers.0.mlp.experts.gate_up_proj", Dtype::BF16, {2, 5, 4}, 0));  // odd rows
  push(h, tensor("model.layers.0.mlp.experts.down_proj", Dtype::BF16, {8, 4}, 0));       // rank 2
  Named short_bytes = tensor("model.layers.1.mlp.experts.up_proj.weight", Dtype::Q8_0, {2, 4, 64}, 0);
  short_bytes.t.end -= 34;  // one Q8_0 block short of 2 x 4 rows
  push(h, short_bytes);
  push(h, tensor("model.layers.2.mlp.experts.down_proj", Dtype::F8_E4M3, {2, 4, 4}, 0));
  push(h, tensor("model.layers.3.mlp.experts.0.down_proj.weight", Dtype::BF16, {4, 4}, 0));
  split_fused_experts(h);
  REQUIRE(h.tensors.size() == 5);
  CHECK(h.tensors[0].excluded == Exclusion::ExpertsUnsplittable);
  CHECK(h.tensors[1].excluded == Exclusion::ExpertsUnsplittable);
  CHECK(h.tensors[2].excluded == Exclusion::ExpertsUnsplittable);
  CHECK(h.tensors[3].excluded == Exclusion::None);  // FP8: its block scales would not follow the cut
  CHECK(h.name(3) == "model.layers.2.mlp.experts.down_proj");
  CHECK(h.tensors[4].excluded == Exclusion::None);  // already per expert
}

TEST_CASE("a GGUF MoE meets per-expert and fused checkpoints under per-expert keys", "[fused_experts]") {
  auto gguf = [] {
    Model m;
    ModelFile f;
    f.header.format = FileFormat::Gguf;
    f.header.metadata = {{"general.architecture", "qwen3moe"}};
    push(f.header, tensor("blk.0.ffn_gate_exps.weight", Dtype::Q8_0, {2, 4, 64}, 0));
    push(f.header, tensor("blk.0.ffn_down_exps.weight", Dtype::Q8_0, {2, 64, 32}, f.header.tensors[0].end));
    push(f.header, tensor("blk.0.ffn_up_exps.weight", Dtype::Q8_0, {2, 4, 64}, f.header.tensors[1].end));
    m.files.push_back(f);
    return m;
  };
  Model per_expert, fused;
  per_expert.files.emplace_back();
  fused.files.emplace_back();
  uint64_t at = 0;
  for (int e = 0; e < 2; ++e)
    for (const char* p : {"gate_proj", "up_proj", "down_proj"}) {
      const bool down = std::string(p) == "down_proj";
      push(per_expert.files[0].header, tensor("model.layers.0.mlp.experts." + std::to_string(e) + "." + p +
                                                              ".weight",
                                                          Dtype::BF16, down ? std::vector<uint64_t>{64, 32}
                                                                            : std::vector<uint64_t>{4, 64},
                                                          at));
      at = per_expert.files[0].header.tensors.back().end;
    }
  push(fused.files[0].header, tensor("model.layers.0.mlp.experts.gate_up_proj", Dtype::BF16, {2, 8, 64}, 0));
  push(fused.files[0].header,
      tensor("model.layers.0.mlp.experts.down_proj", Dtype::BF16, {2, 64, 32}, fused.files[0].header.tensors[0].end));
  std::vector<Model> run = {gguf(), per_expert, fused};
  for (auto& m : run) apply_gguf_names(m);
  split_fused_experts(run);
  auto r = match_tensors(run, 1);
  REQUIRE(r.has_value());
  CHECK(r->unmatched.empty());
  REQUIRE(r->tensors.size() == 6);
  for (const auto& t : r->tensors) CHECK(t.cls.component == Component::Experts);
  CHECK(r->tensors[0].cls.expert == 0);
  CHECK(r->tensors[5].cls.expert == 1);

  // Without a per-expert model, fused safetensors stay fused.
  std::vector<Model> fused_only = {fused, fused};
  split_fused_experts(fused_only);
  CHECK(fused_only[0].files[0].header.tensors.size() == 2);
}

TEST_CASE("excluded tensors are listed with their reason and not compared", "[fused_experts]") {
  Model a, b;
  a.files.emplace_back();
  b.files.emplace_back();
  push(a.files[0].header, tensor("model.layers.0.linear_attn.A_log", Dtype::F32, {4}, 0));
  a.files[0].header.tensors[0].excluded = Exclusion::NegExpALog;
  push(a.files[0].header, tensor("model.layers.0.mlp.gate.weight", Dtype::F32, {4, 4}, 16));
  b.files[0].header = a.files[0].header;
  b.files[0].header.tensors[0].excluded = Exclusion::None;
  auto r = match_tensors({a, b}, 1);
  REQUIRE(r.has_value());
  CHECK(r->tensors.size() == 1);
  REQUIRE(r->unmatched.size() == 1);
  CHECK(r->unmatched[0].name == "model.layers.0.linear_attn.A_log");
  CHECK(r->unmatched[0].reason.find("-exp(A_log)") != std::string::npos);
}
