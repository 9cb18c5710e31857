// Qwen3.5 V heads reordered by llama.cpp: cut into per-head pieces on both sides, at the tiled
// positions in the GGUF file, so they match head for head.
#include <catch2/catch.hpp>

#include "format/dtype.h"
#include "model/gguf_names.h"
#include "model/matching.h"
#include "model/v_heads.h"

using namespace mp;

namespace {

std::pair<std::string, TensorInfo> f32(std::string name, std::vector<uint64_t> shape, uint64_t begin) {
  TensorInfo t;
  t.dtype = Dtype::F32;
  t.shape = std::move(shape);
  t.begin = begin;
  t.end = begin + 4 * t.elements();
  return {std::move(name), t};
}

void set_tensors(Header& h, const std::vector<std::pair<std::string, TensorInfo>>& ts) {
  for (const auto& [name, t] : ts) h.add_tensor(name, t);
}

// 2 key heads, 4 value heads of 2 rows: HF head h = k * 2 + v is stored at v * 2 + k.
Model gguf_model() {
  Model m;
  ModelFile f;
  f.header.format = FileFormat::Gguf;
  f.header.metadata = {{"general.architecture", "qwen35"}, {"qwen35.ssm.group_count", "2"},
                       {"qwen35.ssm.time_step_rank", "4"}, {"qwen35.ssm.inner_size", "8"}};
  set_tensors(f.header, {f32("blk.0.attn_qkv.weight", {12, 4}, 0), f32("blk.0.attn_gate.weight", {8, 4}, 192),
                      f32("blk.0.ssm_alpha.weight", {4, 4}, 320), f32("blk.0.ssm_out.weight", {4, 8}, 384)});
  m.files.push_back(f);
  return m;
}

}  // namespace

TEST_CASE("retiled V heads: GGUF pieces at tiled positions, checkpoint pieces in order, matched", "[v_heads]") {
  Model hf;
  hf.files.emplace_back();
  set_tensors(hf.files[0].header, {f32("model.layers.0.linear_attn.in_proj_qkv.weight", {12, 4}, 0),
                                f32("model.layers.0.linear_attn.in_proj_z.weight", {8, 4}, 192),
                                f32("model.layers.0.linear_attn.in_proj_a.weight", {4, 4}, 320),
                                f32("model.layers.0.linear_attn.out_proj.weight", {4, 8}, 384)});
  std::vector<Model> run = {gguf_model(), hf};
  apply_gguf_names(run[0]);
  cut_retiled_v_heads(run);
  const auto& g = run[0].files[0].header.tensors;
  // attn_qkv: 4 leading q/k rows, then 4 heads of 2 rows; HF head 1 (k 0, v 1) is at position 2.
  REQUIRE(g.size() == 5 + 4 + 4 + 1);
  CHECK(run[0].files[0].header.name(0) == "model.layers.0.linear_attn.in_proj_qkv.part.0.weight");
  CHECK(g[0].shape == std::vector<uint64_t>{4, 4});
  CHECK(run[0].files[0].header.name(2) == "model.layers.0.linear_attn.in_proj_qkv.part.2.weight");
  CHECK(g[2].begin == (4 + 2 * 2) * 16);
  CHECK(g[3].begin == (4 + 1 * 2) * 16);  // HF head 2 (k 1, v 0) at position 1
  CHECK(run[0].files[0].header.name(5) == "model.layers.0.linear_attn.in_proj_z.part.1.weight");
  CHECK(g[5].begin == 192);
  CHECK(g[10].begin == 320 + 2 * 16);  // in_proj_a head 1: one row, position 2
  CHECK(g[13].excluded == Exclusion::VHeadsRetiled);  // out_proj: columns, not cut
  const auto& h = run[1].files[0].header.tensors;
  REQUIRE(h.size() == 14);
  CHECK(h[2].begin == (4 + 1 * 2) * 16);  // the checkpoint's head 1 in its own order
  for (size_t i = 0; i + 1 < g.size(); ++i) CHECK(g[i].excluded == Exclusion::None);
  auto r = match_tensors(run, 1);
  REQUIRE(r.has_value());
  CHECK(r->tensors.size() == 13);
  REQUIRE(r->unmatched.size() == 1);
  CHECK(r->unmatched[0].name == "model.layers.0.linear_attn.out_proj.weight");
}

TEST_CASE("V heads: equal head counts or unknown counts cut nothing", "[v_heads]") {
  Model same = gguf_model();
  same.files[0].header.metadata[2].second = "2";  // time_step_rank = group_count: no reorder
  std::vector<Model> run = {same};
  apply_gguf_names(run[0]);
  cut_retiled_v_heads(run);
  CHECK(run[0].files[0].header.tensors.size() == 4);
  CHECK(run[0].files[0].header.tensors[0].excluded == Exclusion::None);
  Model unknown = gguf_model();
  unknown.files[0].header.metadata.resize(1);
  std::vector<Model> run2 = {unknown};
  apply_gguf_names(run2[0]);
  cut_retiled_v_heads(run2);
  CHECK(run2[0].files[0].header.tensors.size() == 4);
  CHECK(run2[0].files[0].header.tensors[0].excluded == Exclusion::VHeadsRetiled);
}
