#include "model/v_heads.h"

#include <algorithm>
#include <utility>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "format/dtype.h"
#include "model/tensor_names.h"

namespace mp {
namespace {

bool ends_with(std::string_view s, std::string_view e) {
  return s.size() >= e.size() && s.substr(s.size() - e.size()) == e;
}

uint64_t metadata_u64(const Model& m, const std::string& key) {
  for (const auto& f : m.files)
    if (const std::string* v = f.header.find_metadata(key)) {
      uint64_t x = 0;
      auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
      if (ec == std::errc() && p == v->data() + v->size()) return x;
    }
  return 0;
}

struct Layout {
  uint64_t key_heads = 0, per_key = 0;  // V heads = key_heads * per_key
  uint64_t head_rows = 0;               // rows of one V head (value head dim, or 1)
};

// Rows before the V heads, or nullopt when `t` does not cut as lead + heads x head_rows.
std::optional<uint64_t> lead_rows(const TensorInfo& t, const Layout& l) {
  if (t.shape.empty()) return std::nullopt;
  const uint64_t v_rows = l.key_heads * l.per_key * l.head_rows;
  if (t.shape[0] < v_rows || t.dtype == Dtype::F8_E4M3 || t.dtype == Dtype::F8_E5M2) return std::nullopt;
  return t.shape[0] - v_rows;
}

// The pieces of `t`: V head h (Hugging Face order) at stored position pos(h).
// Each piece with its name.
std::optional<std::vector<std::pair<std::string, TensorInfo>>> cut(const TensorInfo& t, std::string_view name,
                                                                     const Layout& l, bool tiled) {
  const auto lead = lead_rows(t, l);
  if (!lead) return std::nullopt;
  uint64_t inner = 1;
  for (size_t d = 1; d < t.shape.size(); ++d) inner *= t.shape[d];
  if (inner % dtype_block_elements(t.dtype) != 0) return std::nullopt;
  const uint64_t row_bytes = dtype_span_bytes(t.dtype, inner);
  if (row_bytes == 0 || t.end - t.begin != t.shape[0] * row_bytes) return std::nullopt;
  const std::string base(name.substr(0, name.size() - 7));  // without ".weight"
  std::vector<std::pair<std::string, TensorInfo>> out;
  auto piece = [&](uint64_t index, uint64_t first_row, uint64_t rows) {
    TensorInfo p;
    p.dtype = t.dtype;
    p.shape = t.shape;
    p.shape[0] = rows;
    p.begin = t.begin + first_row * row_bytes;
    p.end = p.begin + rows * row_bytes;
    out.emplace_back(base + ".part." + std::to_string(index) + ".weight", std::move(p));
  };
  if (*lead > 0) piece(0, 0, *lead);
  const uint64_t heads = l.key_heads * l.per_key;
  for (uint64_t h = 0; h < heads; ++h) {
    const uint64_t k = h / l.per_key, v = h % l.per_key;
    const uint64_t pos = tiled ? v * l.key_heads + k : h;
    piece(1 + h, *lead + pos * l.head_rows, l.head_rows);
  }
  return out;
}

// The cuttable tensors and the rows of one of their V heads.
std::optional<uint64_t> head_rows_of(std::string_view name, uint64_t value_dim) {
  for (std::string_view n : {"linear_attn.in_proj_qkv.weight", "linear_attn.in_proj_z.weight", "linear_attn.conv1d.weight"})
    if (ends_with(name, n)) return value_dim;
  for (std::string_view n : {"linear_attn.in_proj_a.weight", "linear_attn.in_proj_b.weight"})
    if (ends_with(name, n)) return 1;
  return std::nullopt;
}

// Tensor i of `h` becomes `pieces`, in its place.
void replace(Header& h, size_t i, std::vector<std::pair<std::string, TensorInfo>>& pieces) {
  h.tensors.erase(h.tensors.begin() + static_cast<std::ptrdiff_t>(i));
  for (auto& [name, p] : pieces) h.add_tensor(name, std::move(p));  // at the end, names appended
  std::rotate(h.tensors.begin() + static_cast<std::ptrdiff_t>(i),
              h.tensors.end() - static_cast<std::ptrdiff_t>(pieces.size()), h.tensors.end());
}

}  // namespace

void cut_retiled_v_heads(std::vector<Model>& models) {
  std::unordered_map<std::string, Layout> cut_keys;
  for (auto& m : models) {
    const std::string* arch = nullptr;
    for (const auto& f : m.files)
      if (f.header.format == FileFormat::Gguf && !arch) arch = f.header.find_metadata("general.architecture");
    if (!arch || (*arch != "qwen35" && *arch != "qwen35moe")) continue;
    // Qwen3NextModel.set_gguf_parameters: group_count = key heads, time_step_rank = value heads,
    // inner_size = value heads x value head dim.
    const uint64_t kh = metadata_u64(m, *arch + ".ssm.group_count"), vh = metadata_u64(m, *arch + ".ssm.time_step_rank");
    const uint64_t inner = metadata_u64(m, *arch + ".ssm.inner_size");
    if (kh == 0 || vh == 0 || kh == vh || vh % kh != 0 || inner == 0 || inner % vh != 0) continue;
    for (auto& f : m.files)
      for (size_t i = 0; i < f.header.tensors.size(); ++i) {
        TensorInfo& t = f.header.tensors[i];
        if (t.excluded != Exclusion::VHeadsRetiled) continue;
        const std::string name(f.header.name(t));
        const auto rows = head_rows_of(name, inner / vh);
        if (!rows) continue;
        const Layout l{kh, vh / kh, *rows};
        auto pieces = cut(t, name, l, true);
        if (!pieces) continue;
        cut_keys.emplace(classify_tensor(name).key, l);
        replace(f.header, i, *pieces);  // t is gone from here on
        i += pieces->size() - 1;
      }
  }
  if (cut_keys.empty()) return;
  for (auto& m : models)
    for (auto& f : m.files) {
      if (f.header.format == FileFormat::Gguf) continue;
      for (size_t i = 0; i < f.header.tensors.size(); ++i) {
        const std::string name(f.header.name(i));
        const auto it = cut_keys.find(classify_tensor(name).key);
        if (it == cut_keys.end()) continue;
        auto pieces = cut(f.header.tensors[i], name, it->second, false);
        if (!pieces) continue;
        replace(f.header, i, *pieces);
        i += pieces->size() - 1;
      }
    }
}

}  // namespace mp
