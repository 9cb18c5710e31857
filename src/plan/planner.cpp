// The sampling planner. Policy, in three steps (all integer arithmetic, uint64_t everywhere since
// wasm32's size_t is 32 bits; own splitmix64 so the plan is bit-identical natively and in wasm):
//
// Costs. A row is the last dimension (a 1-D or scalar tensor is one row). Sampling r rows of a
// tensor costs r * (row bytes summed over all models, each in its own dtype) + the bytes of its
// FP8 block scales in every model (scales are read whole: they are small and the decoder needs
// the ones covering the rows). The minimum useful sample is 1 row and at least kMinSampleBytes of
// the suspect's bytes (capped at the whole tensor).
//
// 1. Coverage. If the whole model fits the budget, every tensor is sampled (and read whole).
//    Otherwise tensors are picked round-robin over the (layer, component) groups, in a seeded
//    pseudo-random order inside each group: the first round gives every group one tensor (the
//    first in its order that still fits) when the budget allows it at all, groups taken in
//    (layer, component) order; later rounds add tensors while coverage has spent at most half the
//    budget and every sampled tensor can still get kMinRangeBytes a model (or the sampled ones,
//    read whole, would leave budget unspent). Each sampled tensor
//    costs a request per model (two with FP8 scales), and over a link the run is request-bound
//    long before it is bandwidth-bound: a 20 ms hop at 16 requests in flight costs as much link
//    time as ~16 kB at 100 Mbit/s, so a range much shorter than kMinRangeBytes mostly buys round
//    trips. Plan::tensors_covered says how many.
// 2. Depth. The rest of the budget is split evenly over the components present (experts cannot
//    starve attention: 512 experts per layer get one component's share, like attention does),
//    then evenly over the tensors of each component. Both splits are water-filling: a tensor or
//    component that needs less than its share (norms, small routers, biases) is read whole and
//    the unused part goes to the others. So a tensor the budget covers is read whole, and a model
//    that fits the budget is read whole. A model that does not fit reads each sampled tensor to
//    "enough" rows (kEnoughElements a model) at most, and leaves the rest of the budget unspent:
//    bytes past what the statistics need only cost time. What flooring to whole rows leaves over
//    buys one more row per tensor, in tensor order.
// 3. Placement. A partial sample is a contiguous row range at a pseudo-random start drawn from
//    splitmix64(seed ^ fnv1a(key)); FP8 tensors start on a block-row boundary (128 rows for
//    DeepSeek/Qwen 128x128 blocks); GGUF q/k tensors whose rows llama.cpp permuted within each
//    head are sampled in whole heads (start and length), so the reader can put the rows back.
//    Rows of ggml block types are whole blocks by the GGUF rules (a row is a multiple of the
//    block), so row ranges are block ranges. The rows become byte ranges per model and file (absolute
//    offsets: data_start + tensor begin + row offset), sorted, and gaps below coalesce_gap are
//    merged smallest first as long as the total, gap bytes included, stays within the budget.
//    Plan::bytes is therefore never above budget_bytes.
#include "plan/planner.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <string_view>
#include <tuple>
#include <utility>

#include "format/dtype.h"

namespace mp {

namespace {

constexpr uint64_t kMinSampleBytes = 4096;
// A tensor beyond its group's first is sampled only if the budget still gives every sampled
// tensor this much a model (see Coverage above): 256 KiB keeps round trips under ~6% of a range's time.
constexpr uint64_t kMinRangeBytes = 256 << 10;
// Enough: when a model does not fit the budget, a sampled tensor is read to at most this many
// elements a model (or its minimum sample, if larger); the budget is then a cap, not a target.
// Why 2^14: the alpha of a (layer, component) group is a least-squares ratio whose standard error
// is about (rounding noise / fine-tune delta) / sqrt(n); bf16 rounding is ~1/50 of a typical
// delta, so n = 16,384 gives ~2e-4, and fp8 (e4m3) rounding, ~1/3 of it, ~3e-3: both far inside
// the 0.05 that separates the verdicts, while per component the ~60 layers pool 60x more. The
// evaluation set decides every case at 300 kB a run (EVALUATION.md); the 397B trios of
// tests/js/engine/rio-scale.test.mjs are decided at 16 MiB, about this much.
constexpr uint64_t kEnoughElements = 1 << 14;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return b ? (a + b - 1) / b : 0; }

struct TensorCost {
  uint64_t rows = 0;       // in the common shape
  uint64_t row_len = 0;    // elements per row
  uint64_t row_bytes = 0;  // one row in every model, summed
  uint64_t fixed = 0;      // FP8 scale bytes, all models
  uint64_t min_rows = 0;
  uint64_t align = 1;      // start row multiple (FP8 block rows, whole heads)
  uint64_t group = 1;      // take is a multiple of this: whole heads of GGUF rows permuted per head
  uint64_t take = 0;       // rows sampled; 0 = not covered
  uint64_t rng = 0;        // per-tensor random stream state
  uint64_t cost(uint64_t r) const { return r * row_bytes + fixed; }
};

// Split `budget` over demands, each getting at most its demand and the rest levelled evenly
// ("water-filling"). Integer remainders go to the lowest indices, so the result is exact.
std::vector<uint64_t> water_fill(const std::vector<uint64_t>& demand, uint64_t budget) {
  const size_t n = demand.size();
  std::vector<uint64_t> alloc(n, 0);
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return demand[a] != demand[b] ? demand[a] < demand[b] : a < b;
  });
  size_t k = 0;
  for (; k < n; ++k) {
    const uint64_t left = n - k;
    const size_t i = order[k];
    if (demand[i] <= budget / left) {
      alloc[i] = demand[i];
      budget -= demand[i];
    } else {
      break;
    }
  }
  if (k < n) {
    // The remaining ones all want more than the level: give each the level, remainder in index order.
    std::vector<size_t> rest(order.begin() + k, order.end());
    std::sort(rest.begin(), rest.end());
    const uint64_t level = budget / rest.size();
    uint64_t extra = budget - level * rest.size();
    for (size_t i : rest) {
      alloc[i] = level + (extra ? 1 : 0);
      if (extra) --extra;
    }
  }
  return alloc;
}

const TensorInfo* tensor_at(const std::vector<Model>& models, size_t m, const TensorRef& r) {
  if (r.file >= models[m].files.size()) return nullptr;
  const auto& ts = models[m].files[r.file].header.tensors;
  return r.tensor < ts.size() ? &ts[r.tensor] : nullptr;
}

}  // namespace

Result<Plan> make_plan(const std::vector<Model>& models, const MatchResult& match, const PlanOptions& options) {
  const size_t n_models = models.size();
  const size_t n = match.tensors.size();
  if (n == 0) return make_error(ErrorCode::InvalidArgument, "nothing to plan: no matched tensors");

  // ---- costs --------------------------------------------------------------------------------
  std::vector<TensorCost> tc(n);
  for (size_t t = 0; t < n; ++t) {
    const MatchedTensor& mt = match.tensors[t];
    if (mt.refs.size() != n_models)
      return make_error(ErrorCode::InvalidArgument, "matched tensor '" + mt.cls.key + "' has " +
                                                        std::to_string(mt.refs.size()) + " refs for " +
                                                        std::to_string(n_models) + " models");
    TensorCost& c = tc[t];
    c.row_len = mt.shape.empty() ? 1 : mt.shape.back();
    c.rows = 1;
    for (size_t d = 0; d + 1 < mt.shape.size(); ++d) c.rows *= mt.shape[d];
    for (size_t m = 0; m < n_models; ++m) {
      const TensorInfo* ti = tensor_at(models, m, mt.refs[m]);
      if (!ti) return make_error(ErrorCode::InvalidArgument, "matched tensor '" + mt.cls.key + "' refers past the model's files");
      const uint64_t rb = dtype_span_bytes(ti->dtype, c.row_len);
      if (rb == 0 || c.row_len % dtype_block_elements(ti->dtype) != 0)
        return make_error(ErrorCode::UnsupportedDtype, "tensor '" + std::string(models[m].name(mt.refs[m])) + "' has dtype " +
                                                           dtype_name(ti->dtype) + ", which cannot be sampled by rows");
      c.row_bytes += rb;
      // Rows llama.cpp permuted within heads are read in whole heads, so they can be put back in order.
      if (ti->permuted_head_rows > 1 && c.rows % ti->permuted_head_rows == 0)
        c.group = std::max<uint64_t>(c.group, ti->permuted_head_rows);
      if (m < mt.scales.size() && mt.scales[m]) {
        const TensorInfo* si = tensor_at(models, m, *mt.scales[m]);
        if (!si) return make_error(ErrorCode::InvalidArgument, "scale of '" + mt.cls.key + "' refers past the model's files");
        c.fixed += si->end - si->begin;
        // Block rows from the scale's second-last dim against the weight's (same rank, >= 2).
        if (c.align == 1 && si->shape.size() == mt.shape.size() && mt.shape.size() >= 2) {
          const size_t d = mt.shape.size() - 2;
          if (si->shape[d] > 0) c.align = std::max<uint64_t>(1, ceil_div(mt.shape[d], si->shape[d]));
        }
      }
    }
    const TensorInfo* suspect = tensor_at(models, 0, mt.refs[0]);
    const uint64_t suspect_row = dtype_span_bytes(suspect->dtype, c.row_len);
    c.min_rows = std::min(c.rows, std::max<uint64_t>(1, ceil_div(kMinSampleBytes, suspect_row)));
    c.min_rows = std::min(c.rows, ceil_div(c.min_rows, c.group) * c.group);
    if (c.group > 1) c.align = std::lcm(c.align, c.group);
    c.rng = options.seed ^ fnv1a(mt.cls.key);
    if (c.rows == 0 || c.row_len == 0) c.min_rows = 0;  // empty: never sampled (matching rejects these)
  }

  const uint64_t budget = options.budget_bytes;
  uint64_t spent = 0;

  // ---- 1. coverage ---------------------------------------------------------------------------
  uint64_t total_min = 0;
  uint64_t total_whole = 0;
  for (const TensorCost& c : tc)
    if (c.min_rows) {
      total_min += c.cost(c.min_rows);
      total_whole += c.cost(c.rows);
    }
  const bool fits_whole = total_whole <= budget;
  if (fits_whole) {
    for (TensorCost& c : tc) c.take = c.min_rows;
    spent = total_min;
  } else {
    // Groups by (layer, component); inside a group a seeded order, so another seed samples
    // another subset.
    std::map<std::pair<int, int>, std::vector<uint32_t>> groups;
    for (size_t t = 0; t < n; ++t) {
      if (!tc[t].min_rows) continue;
      const TensorClass& cls = match.tensors[t].cls;
      groups[{cls.layer, static_cast<int>(cls.component)}].push_back(static_cast<uint32_t>(t));
    }
    std::vector<std::vector<uint32_t>*> order;
    size_t longest = 0;
    for (auto& [k, v] : groups) {
      std::vector<std::pair<uint64_t, uint32_t>> keyed;
      keyed.reserve(v.size());
      for (uint32_t t : v) {
        uint64_t s = tc[t].rng ^ 0x5bd1e995ull;  // a stream apart from the row placement's
        keyed.push_back({splitmix64(s), t});
      }
      std::sort(keyed.begin(), keyed.end());
      for (size_t i = 0; i < v.size(); ++i) v[i] = keyed[i].second;
      order.push_back(&v);
      longest = std::max(longest, v.size());
    }
    // Round 0: each group's first tensor (in its seeded order) that fits the whole budget.
    uint64_t taken = 0;
    uint64_t taken_whole = 0;  // what the sampled tensors would cost read whole
    for (std::vector<uint32_t>* g : order) {
      for (uint32_t t : *g) {
        TensorCost& c = tc[t];
        const uint64_t cost = c.cost(c.min_rows);
        if (spent + cost <= budget) {
          c.take = c.min_rows;
          spent += cost;
          ++taken;
          taken_whole += c.cost(c.rows);
          break;
        }
      }
    }
    // Later rounds: one more tensor per group per round, while coverage stays under half and
    // every sampled tensor can still have kMinRangeBytes a model, or the sampled ones read whole
    // would leave budget unspent.
    const uint64_t breadth_cap = budget / 2;
    const uint64_t per_tensor = kMinRangeBytes * n_models;
    for (size_t round = 0; round < longest && spent < breadth_cap; ++round) {
      for (std::vector<uint32_t>* g : order) {
        if (round >= g->size()) continue;
        TensorCost& c = tc[(*g)[round]];
        const uint64_t cost = c.cost(c.min_rows);
        if (!c.take && spent + cost <= breadth_cap && ((taken + 1) * per_tensor <= budget || taken_whole < budget)) {
          c.take = c.min_rows;
          spent += cost;
          ++taken;
          taken_whole += c.cost(c.rows);
        }
      }
    }
  }
  if (spent == 0) {
    uint64_t smallest = UINT64_MAX;
    for (const TensorCost& c : tc)
      if (c.min_rows) smallest = std::min(smallest, c.cost(c.min_rows));
    return make_error(ErrorCode::InvalidArgument,
                      "a budget of " + std::to_string(budget) + " bytes cannot hold one sample of any tensor (the smallest needs " +
                          std::to_string(smallest) + " bytes)");
  }

  // ---- 2. depth ------------------------------------------------------------------------------
  {
    std::vector<std::vector<uint32_t>> by_comp(kComponentCount);
    for (size_t t = 0; t < n; ++t)
      if (tc[t].take && tc[t].take < tc[t].rows)
        by_comp[static_cast<size_t>(match.tensors[t].cls.component)].push_back(static_cast<uint32_t>(t));
    std::vector<uint64_t> comp_demand(kComponentCount, 0);
    // What a tensor can still take: all its rows, or (model too big for the budget) enough rows.
    auto room = [&](const TensorCost& c) -> uint64_t {
      const uint64_t cap = fits_whole ? c.rows : std::min(c.rows, std::max(c.take, ceil_div(kEnoughElements, c.row_len)));
      return cap - c.take;
    };
    for (int k = 0; k < kComponentCount; ++k)
      for (uint32_t t : by_comp[k]) comp_demand[k] += room(tc[t]) * tc[t].row_bytes;
    // Components with nothing to gain have demand 0 and so take no share in the levelling.
    std::vector<uint64_t> comp_alloc = water_fill(comp_demand, budget - spent);
    for (int k = 0; k < kComponentCount; ++k) {
      if (by_comp[k].empty()) continue;
      std::vector<uint64_t> demand;
      demand.reserve(by_comp[k].size());
      for (uint32_t t : by_comp[k]) demand.push_back(room(tc[t]) * tc[t].row_bytes);
      std::vector<uint64_t> alloc = water_fill(demand, comp_alloc[k]);
      for (size_t i = 0; i < by_comp[k].size(); ++i) {
        TensorCost& c = tc[by_comp[k][i]];
        const uint64_t extra = alloc[i] / c.row_bytes / c.group * c.group;
        c.take += extra;
        spent += extra * c.row_bytes;
      }
    }
    // Flooring to whole rows leaves up to a row per tensor unspent: one more row each, in tensor
    // order, while it fits.
    for (TensorCost& c : tc) {
      if (!c.take || room(c) < c.group || spent + c.group * c.row_bytes > budget) continue;
      c.take += c.group;
      spent += c.group * c.row_bytes;
    }
  }

  // ---- 3. placement and byte ranges -------------------------------------------------------------
  Plan plan;
  std::vector<ByteRange> raw;
  for (size_t t = 0; t < n; ++t) {
    TensorCost& c = tc[t];
    if (!c.take) continue;
    Sample s;
    s.tensor = static_cast<uint32_t>(t);
    s.whole = c.take == c.rows;
    if (!s.whole) {
      const uint64_t slots = (c.rows - c.take) / c.align + 1;
      s.row_begin = (splitmix64(c.rng) % slots) * c.align;
    }
    s.row_end = s.row_begin + c.take;
    plan.samples.push_back(s);
    plan.elements += c.take * c.row_len;

    const MatchedTensor& mt = match.tensors[t];
    for (size_t m = 0; m < n_models; ++m) {
      const ModelFile& f = models[m].files[mt.refs[m].file];
      const TensorInfo& ti = f.header.tensors[mt.refs[m].tensor];
      const uint64_t row_b = dtype_span_bytes(ti.dtype, c.row_len);
      const uint64_t base = f.header.data_start() + ti.begin;
      raw.push_back(ByteRange{static_cast<uint32_t>(m), mt.refs[m].file, base + s.row_begin * row_b,
                              base + s.row_end * row_b});
      if (m < mt.scales.size() && mt.scales[m]) {
        const ModelFile& sf = models[m].files[mt.scales[m]->file];
        const TensorInfo& si = sf.header.tensors[mt.scales[m]->tensor];
        if (si.end > si.begin)
          raw.push_back(ByteRange{static_cast<uint32_t>(m), mt.scales[m]->file, sf.header.data_start() + si.begin,
                                  sf.header.data_start() + si.end});
      }
    }
  }
  plan.tensors_covered = plan.samples.size();

  std::sort(raw.begin(), raw.end(), [](const ByteRange& a, const ByteRange& b) {
    if (a.model != b.model) return a.model < b.model;
    if (a.file != b.file) return a.file < b.file;
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end < b.end;
  });
  // Touching or overlapping ranges (overlap cannot happen in a valid file) merge for free.
  std::vector<ByteRange> ranges;
  for (const ByteRange& r : raw) {
    if (r.end == r.begin) continue;
    if (!ranges.empty() && ranges.back().model == r.model && ranges.back().file == r.file &&
        r.begin <= ranges.back().end) {
      ranges.back().end = std::max(ranges.back().end, r.end);
    } else {
      ranges.push_back(r);
    }
  }
  uint64_t total = 0;
  for (const ByteRange& r : ranges) total += r.end - r.begin;

  // Bridge small gaps, smallest first, while the total stays within budget: fewer requests for
  // bytes we can afford.
  std::vector<std::pair<uint64_t, size_t>> gaps;  // (gap bytes, index of the range before it)
  for (size_t i = 0; i + 1 < ranges.size(); ++i) {
    const ByteRange& a = ranges[i];
    const ByteRange& b = ranges[i + 1];
    if (a.model == b.model && a.file == b.file && b.begin - a.end < options.coalesce_gap)
      gaps.push_back({b.begin - a.end, i});
  }
  std::sort(gaps.begin(), gaps.end());
  std::vector<uint8_t> bridge(ranges.size(), 0);
  for (const auto& [g, i] : gaps) {
    if (total + g > budget) break;  // sorted ascending: no later gap fits either
    total += g;
    bridge[i] = 1;
  }
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (!plan.ranges.empty() && i > 0 && bridge[i - 1])
      plan.ranges.back().end = ranges[i].end;
    else
      plan.ranges.push_back(ranges[i]);
  }
  plan.bytes = total;
  return plan;
}

long find_range(const Plan& plan, uint32_t model, uint32_t file, uint64_t abs_begin, uint64_t abs_end) {
  // Ranges are sorted by (model, file, begin) and disjoint: the candidate is the last one that
  // begins at or before abs_begin.
  auto less = [](const ByteRange& r, const std::tuple<uint32_t, uint32_t, uint64_t>& k) {
    return std::make_tuple(r.model, r.file, r.begin) <= k;
  };
  const auto key = std::make_tuple(model, file, abs_begin);
  auto it = std::partition_point(plan.ranges.begin(), plan.ranges.end(), [&](const ByteRange& r) { return less(r, key); });
  if (it == plan.ranges.begin()) return -1;
  --it;
  if (it->model != model || it->file != file || it->begin > abs_begin || it->end < abs_end) return -1;
  return static_cast<long>(it - plan.ranges.begin());
}

}  // namespace mp
