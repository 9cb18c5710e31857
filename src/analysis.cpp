#include "analysis.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "format/gguf.h"
#include "model/fused_experts.h"
#include "model/gguf_names.h"
#include "model/v_heads.h"
#include "model/gguf_split.h"
#include "stats/ggml_quant.h"
#include "report/report_json.h"

namespace mp {
namespace {

std::string role_name(int role, int k, bool has_control) {
  if (role == 0) return "suspect";
  if (role <= k) return k == 1 ? "parent" : "parent " + std::to_string(role);
  if (role == k + 1) return "base";
  return "control";
}

uint64_t row_length(const Shape& shape) { return shape.empty() ? 1 : shape.back(); }

uint64_t fnv1a_fold(uint64_t h, uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    h ^= (v >> (8 * i)) & 0xff;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

Analysis::Analysis(int parents, bool has_control)
    : k_(parents), has_control_(has_control),
      models_(static_cast<size_t>(parents + 2 + (has_control ? 1 : 0))),
      indexes_(models_.size()) {}

Analysis::~Analysis() = default;

Error Analysis::add_file(int role, const std::string& name, const uint8_t* bytes, size_t len,
                         uint64_t file_size, uint64_t* needed) {
  if (role < 0 || role >= roles()) return make_error(ErrorCode::InvalidArgument, "no such model role");
  if (matched_) return make_error(ErrorCode::InvalidArgument, "add_file after match()");
  // A GGUF file starts with its magic; anything else is read as safetensors (whose first 8 bytes
  // are a length, never "GGUF" followed by a sane one).
  auto header = is_gguf(bytes, len) ? parse_gguf(bytes, len, file_size, needed)
                                    : parse_header(bytes, len, file_size, needed);
  if (!header) {
    Error e = header.error();
    if (e.code != ErrorCode::NeedMoreBytes) e.message = name + ": " + e.message;
    return e;
  }
  ModelFile f;
  f.name = name;
  f.size = file_size;
  f.header = std::move(header.value());
  models_[role].files.push_back(std::move(f));
  return {};
}

Result<const ShardIndex*> Analysis::add_index(int role, IndexBytes json, size_t len) {
  if (role < 0 || role >= roles()) return make_error(ErrorCode::InvalidArgument, "no such model role");
  auto index = parse_index(std::move(json), len);
  if (!index) return index.error();
  indexes_[role] = std::move(index.value());
  return &indexes_[role];
}

Dtype Analysis::suspect_dtype() const {
  std::map<int, uint64_t> count;
  for (const auto& t : match_.tensors) {
    const TensorRef& r = t.refs[0];
    count[static_cast<int>(models_[0].files[r.file].header.tensors[r.tensor].dtype)] += 1;
  }
  if (count.empty()) return Dtype::F32;
  auto best = std::max_element(count.begin(), count.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  return static_cast<Dtype>(best->first);
}

Error Analysis::match() {
  for (int r = 0; r < roles(); ++r) {
    if (models_[r].files.empty())
      return make_error(ErrorCode::InvalidArgument, "no weights file given for the " + role_name(r, k_, has_control_));
    // A sharded model: every tensor the index names must be in the shard it names. A stale index
    // would otherwise make us read the wrong bytes silently.
    const ShardIndex& idx = indexes_[r];
    if (idx.empty()) continue;
    std::unordered_set<std::string_view> in_file;
    for (const auto& f : models_[r].files)
      for (const auto& t : f.header.tensors) in_file.insert(f.header.name(t));
    for (size_t i = 0; i < idx.size(); ++i) {
      if (!in_file.count(idx.name(i)))
        return make_error(ErrorCode::InvalidIndex,
                          role_name(r, k_, has_control_) + ": the index lists tensor '" + std::string(idx.name(i)) +
                              "' in " + idx.shards[idx.shard(i)] + ", but no shard has it");
    }
  }
  // Checked: the indexes' bytes (tens of MB for a big per-expert model) go back to the heap,
  // where the planned ranges can use them.
  for (ShardIndex& idx : indexes_) idx = ShardIndex{};
  for (int r = 0; r < roles(); ++r)
    if (Error e = check_gguf_split_set(models_[r], role_name(r, k_, has_control_)); !e.ok()) return e;
  // GGUF tensors carry llama.cpp's names: give them their Hugging Face names (and mark the q/k
  // rows llama.cpp permuted) so they meet safetensors models under one key.
  for (auto& model : models_) apply_gguf_names(model);
  // Stacked experts (GGUF always, fused safetensors releases when another model has them one by
  // one) become one tensor per expert, the form every family shares.
  split_fused_experts(models_);
  // Qwen3.5 linear-attention tensors whose V heads llama.cpp reordered: compared head by head.
  cut_retiled_v_heads(models_);
  auto m = match_tensors(models_, k_);
  if (!m) return m.error();
  match_ = std::move(m.value());
  matched_ = true;
  return {};
}

Result<Plan> Analysis::plan(const PlanOptions& options) {
  if (!matched_) return make_error(ErrorCode::InvalidArgument, "plan() before match()");
  auto p = make_plan(models_, match_, options);
  if (!p) return p.error();
  options_ = options;
  plan_ = p.value();
  planned_ = true;
  buffers_.clear();
  buffers_.resize(plan_.ranges.size());
  computed_ = false;
  if (Error e = index_groups(); !e.ok()) return e;
  return p;
}

uint8_t* Analysis::range_buffer(size_t i) {
  if (!planned_ || i >= plan_.ranges.size()) return nullptr;
  if (!buffers_[i]) {
    const ByteRange& r = plan_.ranges[i];
    buffers_[i].reset(new (std::nothrow) uint8_t[r.end - r.begin]);
  }
  return buffers_[i].get();
}

// Where sample `s` of `mt` lies for `model`: the plan's range holding its rows and the one holding
// its FP8 scale (-1 when it has none), with the absolute offsets of the rows.
Error Analysis::sample_ranges(const MatchedTensor& mt, int model, const Sample& s, SampleRanges* out) const {
  const TensorRef& ref = mt.refs[model];
  const ModelFile& f = models_[model].files[ref.file];
  const TensorInfo& ti = f.header.tensors[ref.tensor];
  const uint64_t row_len = row_length(mt.shape);
  const uint64_t row_bytes = dtype_span_bytes(ti.dtype, row_len);
  out->begin = f.header.data_start() + ti.begin + s.row_begin * row_bytes;
  const uint64_t end = f.header.data_start() + ti.begin + s.row_end * row_bytes;
  out->data = find_range(plan_, static_cast<uint32_t>(model), ref.file, out->begin, end);
  if (out->data < 0) return make_error(ErrorCode::InvalidArgument, "internal: the plan does not cover " + std::string(f.header.name(ti)));
  out->scale = -1;
  if (model < static_cast<int>(mt.scales.size()) && mt.scales[model]) {
    const TensorRef& sr = *mt.scales[model];
    const ModelFile& sf = models_[model].files[sr.file];
    const TensorInfo& si = sf.header.tensors[sr.tensor];
    out->scale_begin = sf.header.data_start() + si.begin;
    out->scale = find_range(plan_, static_cast<uint32_t>(model), sr.file, out->scale_begin, sf.header.data_start() + si.end);
    if (out->scale < 0)
      return make_error(ErrorCode::InvalidArgument, "internal: the plan does not cover scale " + std::string(sf.header.name(si)));
  }
  return {};
}

// One stream per model for a sample, over the fetched buffers.
Error Analysis::stream_for(const MatchedTensor& mt, int model, const Sample& s, StreamView& out) const {
  SampleRanges at;
  if (Error e = sample_ranges(mt, model, s, &at); !e.ok()) return e;
  const TensorRef& ref = mt.refs[model];
  const TensorInfo& ti = models_[model].files[ref.file].header.tensors[ref.tensor];
  const uint64_t row_len = row_length(mt.shape);
  out = StreamView{};
  out.data = buffers_[at.data].get() + (at.begin - plan_.ranges[at.data].begin);
  out.dtype = ti.dtype;
  out.count = (s.row_end - s.row_begin) * row_len;
  out.row_len = row_len;
  out.first_row = s.row_begin;
  out.head_rows = ti.permuted_head_rows;
  if (at.scale >= 0) {
    const TensorRef& sr = *mt.scales[model];
    const TensorInfo& si = models_[model].files[sr.file].header.tensors[sr.tensor];
    out.scale = buffers_[at.scale].get() + (at.scale_begin - plan_.ranges[at.scale].begin);
    out.scale_dtype = si.dtype;
    // Block size from the shapes: DeepSeek/Qwen FP8 use 128x128; derive it so other block
    // sizes work too. rows = all but the last dim.
    uint64_t rows = 1;
    for (size_t d = 0; d + 1 < ti.shape.size(); ++d) rows *= ti.shape[d];
    uint64_t srows = si.shape.size() >= 2 ? si.shape[si.shape.size() - 2] : 1;
    uint64_t scols = si.shape.empty() ? 1 : si.shape.back();
    auto block = [](uint64_t n, uint64_t blocks) -> uint32_t {
      if (blocks == 0) return 128;
      if ((n + 127) / 128 == blocks) return 128;
      return static_cast<uint32_t>((n + blocks - 1) / blocks);
    };
    out.block_rows = block(rows, srows);
    out.block_cols = block(ti.shape.empty() ? 1 : ti.shape.back(), scols);
  }
  return {};
}

// After plan(): which ranges each tensor (a group of its samples) needs, and the order to fetch
// them in so that tensors complete one after another.
Error Analysis::index_groups() {
  groups_.clear();
  const auto& samples = plan_.samples;
  for (size_t si = 0; si < samples.size();) {
    size_t sj = si;
    while (sj < samples.size() && samples[sj].tensor == samples[si].tensor) ++sj;
    groups_.push_back({si, sj});
    si = sj;
  }
  range_groups_.assign(plan_.ranges.size(), {});
  missing_.assign(groups_.size(), 0);
  fetched_.assign(plan_.ranges.size(), 0);
  done_.assign(groups_.size(), std::nullopt);
  ready_.clear();
  fetch_order_.clear();
  std::vector<uint8_t> ordered(plan_.ranges.size(), 0);
  std::vector<long> mine;
  for (size_t g = 0; g < groups_.size(); ++g) {
    mine.clear();
    const MatchedTensor& mt = match_.tensors[samples[groups_[g].first].tensor];
    for (size_t s = groups_[g].first; s < groups_[g].second; ++s)
      for (int m = 0; m < roles(); ++m) {
        SampleRanges at;
        if (Error e = sample_ranges(mt, m, samples[s], &at); !e.ok()) return e;
        mine.push_back(at.data);
        if (at.scale >= 0) mine.push_back(at.scale);
      }
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
    for (long r : mine) {
      range_groups_[static_cast<size_t>(r)].push_back(static_cast<uint32_t>(g));
      if (!ordered[static_cast<size_t>(r)]) {
        ordered[static_cast<size_t>(r)] = 1;
        fetch_order_.push_back(static_cast<uint32_t>(r));
      }
    }
    missing_[g] = static_cast<uint32_t>(mine.size());
  }
  for (size_t r = 0; r < ordered.size(); ++r)
    if (!ordered[r]) fetch_order_.push_back(static_cast<uint32_t>(r));  // a range no sample reads
  return {};
}

void Analysis::range_fetched(size_t i) {
  if (!planned_ || i >= fetched_.size() || fetched_[i] || !buffers_[i]) return;
  fetched_[i] = 1;
  for (uint32_t g : range_groups_[i])
    if (--missing_[g] == 0) ready_.push_back(g);
}

Error Analysis::compute_ready() {
  if (!planned_) return make_error(ErrorCode::InvalidArgument, "compute_ready() before plan()");
  while (!ready_.empty()) {
    const uint32_t g = ready_.back();
    ready_.pop_back();
    if (done_[g]) continue;
    auto r = compute_tensor(groups_[g].first, groups_[g].second);
    if (!r) return r.error();
    done_[g] = std::move(r.value());
  }
  return {};
}

size_t Analysis::tensors_computed() const {
  return static_cast<size_t>(std::count_if(done_.begin(), done_.end(), [](const auto& r) { return r.has_value(); }));
}

// Every model's stream of samples [si, sj) of one tensor, in role order.
Error Analysis::tensor_streams(size_t si, size_t sj, std::vector<std::vector<StreamView>>& out) const {
  const MatchedTensor& mt = match_.tensors[plan_.samples[si].tensor];
  out.assign(sj - si, std::vector<StreamView>(roles()));
  for (size_t s = si; s < sj; ++s)
    for (int m = 0; m < roles(); ++m)
      if (Error e = stream_for(mt, m, plan_.samples[s], out[s - si][m]); !e.ok()) return e;
  return {};
}

// The statistics of one tensor from its samples [si, sj): depends only on its own bytes, so
// computing tensors as their ranges arrive gives the same numbers as computing them at the end.
Result<TensorResult> Analysis::compute_tensor(size_t si, size_t sj) const {
  const int base = k_ + 1;
  const int control = has_control_ ? k_ + 2 : -1;
  const auto& samples = plan_.samples;
  const uint32_t t = samples[si].tensor;
  const MatchedTensor& mt = match_.tensors[t];
  TensorResult r;
  r.tensor = t;
  r.m.k = k_;
  r.x.k = k_;
  r.cm.k = k_;
  r.has_control = control >= 0;
  uint64_t hash[kMaxParents + 3];
  for (auto& h : hash) h = 1469598103934665603ull;

  std::vector<std::vector<StreamView>> streams;
  if (Error e = tensor_streams(si, sj, streams); !e.ok()) return e;
  for (size_t s = si; s < sj; ++s) {
    auto& sv = streams[s - si];
    const StreamView* parents = &sv[1];
    accumulate(sv[0], sv[base], parents, k_, r.m);
    MethodSignals x;
    x.k = k_;
    compute_method_signals(sv[0], sv[base], parents, k_, x);
    r.x.add(x);
    hash[0] = fnv1a_fold(hash[0], x.hash_c);
    hash[1] = fnv1a_fold(hash[1], x.hash_b);
    for (int i = 0; i < k_; ++i) hash[2 + i] = fnv1a_fold(hash[2 + i], x.hash_a[i]);
    if (control >= 0) accumulate(sv[control], sv[base], parents, k_, r.cm);
    r.elements += sv[0].count;
    // Quantization floor: the noise the suspect's block quantization adds, from each sampled
    // block's scales (the sample is whole rows, so whole blocks).
    if (dtype_is_block(sv[0].dtype)) {
      const uint64_t blocks = sv[0].count / dtype_block_elements(sv[0].dtype);
      const unsigned bb = dtype_block_bytes(sv[0].dtype);
      r.qf.quantized = true;
      r.qf.elements += sv[0].count;
      for (uint64_t b = 0; b < blocks; ++b) r.qf.noise += block_rounding_noise(sv[0].dtype, sv[0].data + b * bb);
    }
  }
  finish_quant_floor(r.qf, r.m);
  r.x.hash_c = hash[0];
  r.x.hash_b = hash[1];
  for (int i = 0; i < k_; ++i) r.x.hash_a[i] = hash[2 + i];

  const Dtype cdtype = models_[0].files[mt.refs[0].file].header.tensors[mt.refs[0].tensor].dtype;
  r.est = estimate(r.m, cdtype);
  use_robust_alpha(r, k_);
  if (control >= 0) r.cest = estimate(r.cm, cdtype);
  if (!r.est.degenerate) {
    // The alpha a merge was made with is a round number (0.571, 0.6), not our fit, and rounding
    // ties break differently for alphas a hair apart: try the fit and its 3- and 2-decimal
    // roundings, and keep the best share for each operation order.
    double candidates[3][kMaxParents];
    for (int i = 0; i < k_; ++i) {
      candidates[0][i] = r.est.alpha[i];
      candidates[1][i] = std::round(r.est.alpha[i] * 1000) / 1000;
      candidates[2][i] = std::round(r.est.alpha[i] * 100) / 100;
    }
    for (const auto& alphas : candidates) {
      BitExact total;
      for (size_t s = si; s < sj; ++s) {
        const auto& sv = streams[s - si];
        BitExact bx;
        bit_exact(sv[0], sv[base], &sv[1], k_, alphas, bx);
        total.add(bx);
      }
      r.bx.applicable = total.applicable;
      r.bx.n = total.n;
      r.bx.match_fp32 = std::max(r.bx.match_fp32, total.match_fp32);
      r.bx.match_bf16 = std::max(r.bx.match_bf16, total.match_bf16);
    }
    for (size_t s = si; s < sj; ++s) {
      const auto& sv = streams[s - si];
      count_far_drops(sv[0], sv[base], &sv[1], k_, r.est.alpha, r.x);
    }
  }
  auto same_dtype = [&](int a, int b) {
    return models_[a].files[mt.refs[a].file].header.tensors[mt.refs[a].tensor].dtype ==
           models_[b].files[mt.refs[b].file].header.tensors[mt.refs[b].tensor].dtype;
  };
  r.identical_to_base = r.m.n > 0 && r.m.eq_cb == r.m.n && same_dtype(0, base) && r.x.hash_c == r.x.hash_b;
  for (int i = 0; i < k_; ++i)
    if (r.m.n > 0 && r.m.eq_ca[i] == r.m.n && same_dtype(0, 1 + i) && r.x.hash_c == r.x.hash_a[i]) {
      r.identical_to_parent = i;
      break;
    }
  return r;
}

Error Analysis::compute() {
  if (!planned_) return make_error(ErrorCode::InvalidArgument, "compute() before plan()");
  for (size_t i = 0; i < buffers_.size(); ++i)
    if (!buffers_[i]) return make_error(ErrorCode::InvalidArgument, "compute(): range " + std::to_string(i) + " was not fetched");
  const int base = k_ + 1;
  const auto& samples = plan_.samples;
  // Tensors not computed while fetching (compute_ready), in tensor order; then all in order.
  for (size_t g = 0; g < groups_.size(); ++g) {
    if (done_[g]) continue;
    auto r = compute_tensor(groups_[g].first, groups_[g].second);
    if (!r) return r.error();
    done_[g] = std::move(r.value());
  }
  results_.clear();
  results_.reserve(groups_.size());
  for (auto& r : done_) results_.push_back(std::move(*r));
  done_.assign(groups_.size(), std::nullopt);
  ready_.clear();

  // Passthrough at other positions: C's sampled bytes equal to another tensor's in a parent or the
  // base. Only meaningful where the same rows were sampled (whole tensors), so only whole reads.
  {
    std::unordered_map<uint64_t, std::string> seen;  // hash -> "parent 1: name"
    std::vector<bool> whole(match_.tensors.size(), false);
    for (const auto& s : samples) if (s.whole) whole[s.tensor] = true;
    for (const auto& r : results_) {
      if (!whole[r.tensor] || r.elements < 64) continue;
      const MatchedTensor& mt = match_.tensors[r.tensor];
      for (int i = 0; i < k_; ++i)
        seen.emplace(r.x.hash_a[i], role_name(1 + i, k_, has_control_) + ": " + std::string(models_[1 + i].name(mt.refs[1 + i])));
      seen.emplace(r.x.hash_b, "base: " + std::string(models_[base].name(mt.refs[base])));
    }
    for (auto& r : results_) {
      if (!whole[r.tensor] || r.elements < 64 || r.identical_to_base || r.identical_to_parent >= 0) continue;
      auto it = seen.find(r.x.hash_c);
      if (it != seen.end()) r.copied_from = it->second;
    }
  }

  agg_ = aggregate(match_, results_, k_, suspect_dtype());
  // (results_ are in groups_' order)
  auto v = decide_with_ties_sets(match_, results_, agg_, k_, [this](size_t t, std::vector<std::vector<StreamView>>& out) {
    return tensor_streams(groups_[t].first, groups_[t].second, out);
  });
  if (!v) return v.error();
  verdict_ = std::move(v.value());
  if (const uint64_t bad = agg_.overall.pooled.nonfinite; bad > 0) {
    // The kernel leaves NaN/Inf elements out rather than letting one poison a tensor's sums; a
    // reader must still know they were there.
    verdict_.caveats.push_back(std::to_string(bad) +
                               " sampled element positions hold NaN or Inf in some model and were left out of "
                               "the statistics: a damaged or unusual checkpoint.");
    verdict_.flags.push_back("nonfinite");
  }
  computed_ = true;
  return {};
}

std::string Analysis::report_json() const {
  if (!computed_) return "{}";
  return mp::report_json(models_, match_, plan_, options_, results_, agg_, verdict_, k_, has_control_);
}

}  // namespace mp
