#include "model/fused_experts.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "format/dtype.h"

namespace mp {
namespace {

struct Fused {
  std::string_view prefix;  // up to and including "mlp.experts."
  std::string_view proj;    // gate_proj, up_proj, down_proj or gate_up_proj
};

bool ends_with(std::string_view s, std::string_view e) {
  return s.size() >= e.size() && s.substr(s.size() - e.size()) == e;
}

std::optional<Fused> fused_name(std::string_view name) {
  if (ends_with(name, ".weight")) name.remove_suffix(7);
  for (std::string_view proj : {"gate_up_proj", "gate_proj", "up_proj", "down_proj"}) {
    if (!ends_with(name, proj)) continue;
    const std::string_view head = name.substr(0, name.size() - proj.size());
    if (head == "mlp.experts." || ends_with(head, ".mlp.experts.")) return Fused{head, proj};
  }
  // Mixtral's names, which apply_gguf_names gives llama-architecture stacked experts.
  for (std::string_view proj : {"w1", "w2", "w3"}) {
    if (!ends_with(name, proj)) continue;
    const std::string_view head = name.substr(0, name.size() - proj.size());
    if (ends_with(head, ".block_sparse_moe.experts.")) return Fused{head, proj};
  }
  return std::nullopt;
}

bool is_fp8(Dtype d) { return d == Dtype::F8_E4M3 || d == Dtype::F8_E5M2; }

// The per-expert pieces of `t`, or nullopt when its shape or byte size does not cut.
std::optional<std::vector<std::pair<std::string, TensorInfo>>> cut(const TensorInfo& t, const Fused& f) {
  if (t.shape.size() != 3 || t.shape[0] == 0 || t.shape[1] == 0 || t.shape[2] == 0) return std::nullopt;
  const uint64_t experts = t.shape[0], rows = t.shape[1], cols = t.shape[2];
  if (cols % dtype_block_elements(t.dtype) != 0) return std::nullopt;
  const uint64_t row_bytes = dtype_span_bytes(t.dtype, cols);
  if (row_bytes == 0 || t.end - t.begin != experts * rows * row_bytes) return std::nullopt;
  const bool gate_up = f.proj == "gate_up_proj";
  if (gate_up && rows % 2 != 0) return std::nullopt;
  const uint64_t piece_rows = gate_up ? rows / 2 : rows;
  std::vector<std::pair<std::string, TensorInfo>> out;  // name, tensor
  out.reserve(gate_up ? 2 * experts : experts);
  for (uint64_t m = 0; m < experts; ++m) {
    const std::string head = std::string(f.prefix) + std::to_string(m) + ".";
    const uint64_t at = t.begin + m * rows * row_bytes;
    auto piece = [&](std::string_view proj, uint64_t first_row) {
      TensorInfo p;
      p.dtype = t.dtype;
      p.shape = {piece_rows, cols};
      p.begin = at + first_row * row_bytes;
      p.end = p.begin + piece_rows * row_bytes;
      out.emplace_back(head + std::string(proj) + ".weight", std::move(p));
    };
    if (gate_up) {
      piece("gate_proj", 0);
      piece("up_proj", piece_rows);
    } else {
      piece(f.proj, 0);
    }
  }
  return out;
}

bool has_per_expert(const Model& m) {
  for (const auto& f : m.files)
    for (const auto& t : f.header.tensors) {
      const std::string_view name = f.header.name(t);
      const size_t at = name.find("mlp.experts.");
      if (at == std::string::npos) continue;
      const size_t d = at + 12;
      if (d < name.size() && name[d] >= '0' && name[d] <= '9') return true;
    }
  return false;
}

}  // namespace

void split_fused_experts(Header& header) {
  bool any = false;
  for (const auto& t : header.tensors)
    if (fused_name(header.name(t))) any = true;
  if (!any) return;
  Header out;  // its tensors and names replace the header's
  out.tensors.reserve(header.tensors.size());
  for (auto& t : header.tensors) {
    const std::string_view name = header.name(t);
    const auto f = fused_name(name);
    if (!f || is_fp8(t.dtype) || t.excluded != Exclusion::None) {
      out.add_tensor(name, std::move(t));
      continue;
    }
    if (auto pieces = cut(t, *f)) {
      for (auto& [piece_name, p] : *pieces) out.add_tensor(piece_name, std::move(p));
    } else {
      t.excluded = Exclusion::ExpertsUnsplittable;
      out.add_tensor(name, std::move(t));
    }
  }
  header.tensors = std::move(out.tensors);
  header.names = std::move(out.names);
}

void split_fused_experts(std::vector<Model>& models) {
  for (auto& m : models)
    for (auto& f : m.files)
      if (f.header.format == FileFormat::Gguf) split_fused_experts(f.header);
  bool per_expert = false;
  for (const auto& m : models) per_expert = per_expert || has_per_expert(m);
  if (!per_expert) return;
  for (auto& m : models)
    for (auto& f : m.files)
      if (f.header.format == FileFormat::Safetensors) split_fused_experts(f.header);
}

}  // namespace mp
