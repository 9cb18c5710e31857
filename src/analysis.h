// One run of mergeprobe, start to finish, with all I/O left to the caller:
//   Analysis a(k parents, has_control);
//   for each model role and file:  a.add_file(role, name, bytes, len, size)   (or add_index first)
//   a.match(); a.plan(options);
//   for each range i of plan(): write its bytes into a.range_buffer(i)   (one copy, by the caller)
//   a.compute();  a.report_json();
// Roles: 0 = suspect, 1..k = parents, k+1 = base, k+2 = control (when has_control).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stats/aggregate.h"
#include "model/model.h"
#include "plan/planner.h"
#include "format/safetensors_index.h"
#include "verdict/verdict.h"

namespace mp {

class Analysis {
 public:
  Analysis(int parents, bool has_control);
  ~Analysis();
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  int roles() const { return static_cast<int>(models_.size()); }

  // The first `len` bytes of a safetensors or GGUF file (told apart by the GGUF magic). The buffer
  // must stay readable for kJsonPadding bytes past `len` (simdjson reads ahead; no copy is made).
  // NeedMoreBytes with *needed set (bytes from offset 0) when the header is longer: read that many
  // bytes and call again (a GGUF header's length is only known once read, so `needed` is an
  // estimate and may take another round; it is at most kMaxGgufHeaderBytes). Split GGUF files are
  // added one by one, like safetensors shards. Files of one model may be added in
  // any order, but a fixed order gives a fixed report.
  Error add_file(int role, const std::string& name, const uint8_t* bytes, size_t len,
                 uint64_t file_size, uint64_t* needed);
  // A model.safetensors.index.json (same padding rule): returns the index (its shard names are
  // the files to add). The analysis keeps the bytes (the index's names point into them) until
  // match() has checked the headers against it, then releases them.
  Result<const ShardIndex*> add_index(int role, IndexBytes json, size_t len);

  Error match();
  Result<Plan> plan(const PlanOptions& options);
  // After plan(): memory for range i (plan().ranges[i]), exactly end-begin bytes.
  uint8_t* range_buffer(size_t i);
  // Compute while fetching: fetch the ranges in fetch_order() (each tensor's ranges together, so
  // tensors complete one after another), call range_fetched(i) once range i's bytes are in, and
  // compute_ready() whenever convenient: it computes every tensor whose ranges are all in.
  // compute() then computes the rest and aggregates; the report is byte-identical to calling
  // compute() alone, since a tensor's statistics depend only on its own bytes.
  const std::vector<uint32_t>& fetch_order() const { return fetch_order_; }
  void range_fetched(size_t i);
  Error compute_ready();
  size_t tensors_computed() const;  // by compute_ready() so far, of current_plan()'s tensors
  Error compute();
  std::string report_json() const;

  const std::vector<Model>& models() const { return models_; }
  const MatchResult& match_result() const { return match_; }
  const Plan& current_plan() const { return plan_; }
  const std::vector<TensorResult>& tensor_results() const { return results_; }
  const Aggregates& aggregates() const { return agg_; }
  const Verdict& verdict() const { return verdict_; }
  const PlanOptions& plan_options() const { return options_; }
  Dtype suspect_dtype() const;  // the dtype most of the suspect's matched tensors have

 private:
  struct SampleRanges {
    long data = -1;   // plan range holding the rows
    uint64_t begin = 0;
    long scale = -1;  // plan range holding the FP8 scale, or -1
    uint64_t scale_begin = 0;
  };
  Error sample_ranges(const MatchedTensor& mt, int model, const Sample& s, SampleRanges* out) const;
  Error stream_for(const MatchedTensor& mt, int model, const Sample& s, StreamView& out) const;
  Error index_groups();
  Error tensor_streams(size_t si, size_t sj, std::vector<std::vector<StreamView>>& out) const;
  Result<TensorResult> compute_tensor(size_t si, size_t sj) const;

  int k_;
  bool has_control_;
  std::vector<Model> models_;
  std::vector<ShardIndex> indexes_;  // per role, when the model is sharded
  MatchResult match_;
  bool matched_ = false;
  PlanOptions options_;
  Plan plan_;
  bool planned_ = false;
  std::vector<std::unique_ptr<uint8_t[]>> buffers_;
  // Per tensor of the plan (a run of samples): its samples, ranges not yet in, result once
  // computed; per range: the tensors that read it, whether it is in.
  std::vector<std::pair<size_t, size_t>> groups_;
  std::vector<std::vector<uint32_t>> range_groups_;
  std::vector<uint32_t> missing_;
  std::vector<uint8_t> fetched_;
  std::vector<std::optional<TensorResult>> done_;
  std::vector<uint32_t> ready_;
  std::vector<uint32_t> fetch_order_;
  std::vector<TensorResult> results_;
  Aggregates agg_;
  Verdict verdict_;
  bool computed_ = false;
};

}  // namespace mp
