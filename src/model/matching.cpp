// Matching tensors across roles by normalised key (see tensor_names.cpp for the key).
//
// Rules, per key:
// - a key some model holds excluded (TensorInfo::excluded: a converter transformed its values) is
//   not compared: one Unmatched per excluded tensor, with the reason;
// - a key that appears twice in one model (two names normalising to one key) is ambiguous: every
//   tensor of that key becomes Unmatched;
// - a key missing in some model: one Unmatched, named after the lowest role that has it;
// - every model's dtype must be readable by the statistics (dtype_supports_stats); dtypes may
//   differ across models (BF16 suspect vs F32 base is fine, so is FP8 vs BF16);
// - shapes must be equal, except for embeddings and lm_head, whose vocabulary may have grown
//   (added tokens): when all dims but the first agree, they are matched on the common top-left
//   block, as mergekit does, and `shape` is the common (smallest) shape: rows beyond it are never
//   read. Row r has the same byte offset in every model, since the trailing dims agree;
// - FP8 weights (F8_E4M3, F8_E5M2) get their block scale, per model, from the tensor classified
//   is_scale whose scale_of is the weight's key. Scales are not matched tensors themselves. An FP8
//   weight without any scale tensor is read unscaled (per-tensor FP8 formats have none).
// Output order: (layer, component, expert, key), a deterministic order independent of file order.
// Unmatched entries come in the order their keys were first seen (suspect's files first).
#include "model/matching.h"

#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "format/dtype.h"
#include "model/exclusion.h"

namespace mp {

namespace {

// "suspect", "parent" (k == 1) or "parent i", "base", "control"; the words Analysis uses.
std::string role_name(int role, int parents, int model_count) {
  const int k = parents < 0 ? model_count - 2 : parents;
  if (role == 0) return "suspect";
  if (role >= 1 && role <= k) return k == 1 ? "parent" : "parent " + std::to_string(role);
  if (role == k + 1) return "base";
  if (role == k + 2) return "control";
  return "model " + std::to_string(role);
}



uint64_t element_count(const Shape& shape) {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;  // header validation already ruled out overflow
  return n;
}

bool is_fp8(Dtype d) { return d == Dtype::F8_E4M3 || d == Dtype::F8_E5M2; }

// One weight tensor of one model. Its class is kept once per group (below), not per entry: a
// 397B FP8 trio has 557k tensors, and a class per tensor (its key and scale_of strings) held
// ~70 MB at the run's peak.
struct Entry {
  TensorRef ref;
  uint32_t group = 0;  // one group per distinct key
  uint16_t model = 0;  // role index (a run has at most a handful)
  bool scale = false;  // an FP8 block scale, grouped under the key of its weight
};

const TensorInfo& info(const std::vector<Model>& models, uint32_t model, TensorRef r) {
  return models[model].files[r.file].header.tensors[r.tensor];
}

// Embeddings and lm_head whose vocab sizes differ: same rank, all dims but the first equal.
bool vocab_compatible(const Shape& a, const Shape& b) {
  if (a.size() != b.size() || a.size() < 2) return false;
  return std::equal(a.begin() + 1, a.end(), b.begin() + 1);
}

}  // namespace

Result<MatchResult> match_tensors(const std::vector<Model>& models, int parents) {
  const int n = static_cast<int>(models.size());
  if (n < 2) return make_error(ErrorCode::InvalidArgument, "matching needs at least two models");
  auto role = [&](uint32_t m) { return role_name(static_cast<int>(m), parents, n); };

  // Keys are grouped through a hash map (no string sort: a 397B FP8 model has ~186k tensors per
  // model); groups are visited in first-seen order, which is deterministic on every platform.
  // Per group: its key (a deque: the map holds views of them, which must not move) and the class
  // of its first weight, which is the suspect's when the suspect has it (models come in role
  // order), the only case in which the class is used.
  std::deque<std::string> keys;
  std::vector<TensorClass> group_cls;
  std::vector<uint8_t> has_cls;
  std::vector<Entry> entries;
  // A block scale joins the group of the weight it scales (its scale_of key), flagged is_scale.
  std::vector<uint64_t> weight_count(n, 0);

  size_t total = 0;
  for (const Model& m : models)
    for (const ModelFile& f : m.files) total += f.header.tensors.size();
  entries.reserve(total);
  std::unordered_map<std::string_view, uint32_t> group_of;
  group_of.reserve(total / static_cast<size_t>(n) + 1);  // about one group per tensor of a model
  std::vector<uint32_t> group_size;

  for (uint32_t m = 0; m < static_cast<uint32_t>(n); ++m) {
    const Model& model = models[m];
    for (uint32_t fi = 0; fi < model.files.size(); ++fi) {
      const auto& tensors = model.files[fi].header.tensors;
      for (uint32_t ti = 0; ti < tensors.size(); ++ti) {
        TensorClass c = classify_tensor(model.files[fi].header.name(ti));
        const bool scale = c.is_scale;
        std::string& key = scale ? c.scale_of : c.key;
        auto it = group_of.find(std::string_view(key));
        if (it == group_of.end()) {
          keys.push_back(key);
          it = group_of.emplace(std::string_view(keys.back()), static_cast<uint32_t>(group_size.size())).first;
          group_size.push_back(0);
          group_cls.emplace_back();
          has_cls.push_back(0);
        }
        const uint32_t g = it->second;
        ++group_size[g];
        if (!scale && !has_cls[g]) {
          std::string().swap(c.key);  // keys[g] holds it; it joins the class again when matched
          group_cls[g] = std::move(c);
          has_cls[g] = 1;
        }
        entries.push_back(Entry{TensorRef{fi, ti}, g, static_cast<uint16_t>(m), scale});
        if (!scale) ++weight_count[m];
      }
    }
  }

  std::unordered_map<std::string_view, uint32_t>().swap(group_of);  // groups are known: free it

  for (int m = 0; m < n; ++m)
    if (weight_count[m] == 0)
      return make_error(ErrorCode::NoMatchingTensors,
                        "the " + role(m) + " has no tensors to compare (no weight in its files)");

  // Counting sort by group, stable: inside a group, entries stay in model order. Indices, not
  // copies of the entries.
  std::vector<uint32_t> by_group(entries.size());
  {
    std::vector<uint64_t> start(group_size.size() + 1, 0);
    for (size_t g = 0; g < group_size.size(); ++g) start[g + 1] = start[g] + group_size[g];
    for (size_t e = 0; e < entries.size(); ++e) by_group[start[entries[e].group]++] = static_cast<uint32_t>(e);
  }
  auto weight = [&](size_t i) -> const Entry& { return entries[by_group[i]]; };

  uint64_t common_keys = 0;  // keys present once in every model, for the error message
  std::string first_reason;  // why the first common key failed, for the error message
  MatchResult out;

  out.tensors.reserve(group_size.size());  // at most one per key: no growth at the run's peak
  std::vector<std::vector<const Entry*>> per_model(n), scales_of(n);
  size_t i = 0;
  while (i < by_group.size()) {
    size_t j = i;
    const uint32_t group = weight(i).group;
    while (j < by_group.size() && weight(j).group == group) ++j;
    for (auto& v : per_model) v.clear();
    for (auto& v : scales_of) v.clear();
    const Entry* first_weight = nullptr;
    for (size_t e = i; e < j; ++e) {
      const Entry& en = weight(e);
      (en.scale ? scales_of : per_model)[en.model].push_back(&en);
      if (!en.scale && !first_weight) first_weight = &en;
    }
    i = j;
    if (!first_weight) continue;  // scales of a weight no model has: nothing to compare
    const std::string& key = keys[group];

    auto name_of = [&](const Entry* e) { return models[e->model].name(e->ref); };

    // Excluded (values transformed by a converter, model/exclusion.h): one entry per such tensor,
    // with the reason, and the key is not compared in any model.
    bool excluded = false;
    for (int m = 0; m < n; ++m)
      for (const Entry* e : per_model[m])
        if (const char* why = exclusion_reason(info(models, e->model, e->ref).excluded)) {
          out.unmatched.push_back(Unmatched{std::string(name_of(e)), m, why});
          excluded = true;
        }
    if (excluded) continue;

    // Ambiguous: two names of one model normalise to this key.
    bool ambiguous = false;
    for (int m = 0; m < n; ++m) {
      if (per_model[m].size() <= 1) continue;
      ambiguous = true;
      std::sort(per_model[m].begin(), per_model[m].end(),
                [&](const Entry* a, const Entry* b) { return name_of(a) < name_of(b); });
      std::string names;
      for (const Entry* e : per_model[m]) names += (names.empty() ? "" : ", ") + std::string(name_of(e));
      for (const Entry* e : per_model[m])
        out.unmatched.push_back(Unmatched{std::string(name_of(e)), m,
                                          std::to_string(per_model[m].size()) + " tensors of the " +
                                              role(m) + " share the key '" + key + "' (" + names + ")"});
    }
    if (ambiguous) continue;

    // Missing somewhere: one entry, for the lowest role that has it.
    std::string missing;
    for (int m = 0; m < n; ++m)
      if (per_model[m].empty()) missing += (missing.empty() ? "" : ", ") + role(m);
    if (!missing.empty()) {
      const Entry* e = first_weight;
      out.unmatched.push_back(Unmatched{std::string(name_of(e)), static_cast<int>(e->model), "missing in " + missing});
      continue;
    }
    ++common_keys;

    auto reject = [&](int m, std::string reason) {
      if (first_reason.empty()) first_reason = "'" + key + "': " + reason;
      out.unmatched.push_back(Unmatched{std::string(name_of(per_model[m][0])), m, std::move(reason)});
    };

    // Dtypes the statistics can read, in every model.
    bool dtype_ok = true;
    for (int m = 0; m < n && dtype_ok; ++m) {
      Dtype d = info(models, m, per_model[m][0]->ref).dtype;
      if (!dtype_supports_stats(d)) {
        reject(m, std::string("dtype ") + dtype_name(d) + " not supported for statistics (in " + role(m) + ")");
        dtype_ok = false;
      }
    }
    if (!dtype_ok) continue;

    // Shapes: equal, or (embeddings / lm_head) equal but for the vocabulary rows.
    // The group's class is its first weight's: the suspect's, which per_model[0][0] is.
    TensorClass& cls0 = group_cls[group];
    const bool vocab_rows = cls0.component == Component::Embedding || cls0.component == Component::LmHead;
    Shape shape = info(models, 0, per_model[0][0]->ref).shape;
    bool shape_ok = true;
    for (int m = 1; m < n && shape_ok; ++m) {
      const auto& s = info(models, m, per_model[m][0]->ref).shape;
      if (s == shape) continue;
      if (vocab_rows && vocab_compatible(s, shape)) {
        shape[0] = std::min(shape[0], s[0]);
        continue;
      }
      reject(0, "shape " + info(models, 0, per_model[0][0]->ref).shape.str() + " in suspect vs " +
                    s.str() + " in " + role(m));
      shape_ok = false;
    }
    if (!shape_ok) continue;
    if (element_count(shape) == 0) {
      reject(0, "empty tensor (shape " + shape.str() + "): nothing to compare");
      continue;
    }

    // FP8 block scales, per model.
    MatchedTensor mt;
    mt.scales.assign(n, std::nullopt);
    bool scales_ok = true;
    for (int m = 0; m < n && scales_ok; ++m) {
      if (!is_fp8(info(models, m, per_model[m][0]->ref).dtype)) continue;
      const auto& found_scales = scales_of[m];
      if (found_scales.empty()) continue;  // per-tensor FP8 without scale: read as is
      if (found_scales.size() != 1) {
        reject(m, std::to_string(found_scales.size()) + " block scales for this FP8 weight in the " + role(m));
        scales_ok = false;
        break;
      }
      Dtype sd = info(models, m, found_scales[0]->ref).dtype;
      if (!dtype_supports_stats(sd)) {
        reject(m, std::string("block scale dtype ") + dtype_name(sd) + " not supported (in " + role(m) + ")");
        scales_ok = false;
        break;
      }
      mt.scales[m] = found_scales[0]->ref;
    }
    if (!scales_ok) continue;

    mt.cls = std::move(cls0);  // each group is visited once
    mt.cls.key = std::move(keys[group]);
    mt.shape = std::move(shape);
    mt.refs.reserve(n);
    for (int m = 0; m < n; ++m) mt.refs.push_back(per_model[m][0]->ref);
    mt.name = name_of(per_model[0][0]);
    out.tensors.push_back(std::move(mt));
  }

  if (out.tensors.empty()) {
    std::string why;
    if (common_keys == 0) {
      why = "no tensor name is common to all " + std::to_string(n) + " models, even without wrapper prefixes";
      // Show one name of each model: usually enough to see two unrelated architectures.
      for (int m = 0; m < n; ++m) {
        const std::string t = models[m].files.empty() || models[m].files[0].header.tensors.empty()
                                  ? std::string()
                                  : std::string(models[m].files[0].header.name(0));
        why += (m ? "; " : " (e.g. ") + role(m) + " has '" + t + "'";
      }
      why += ")";
    } else {
      why = std::to_string(common_keys) + " tensor names are common to all models but none can be compared; first: " +
            first_reason;
    }
    return make_error(ErrorCode::NoMatchingTensors, why);
  }

  // In place: no second array of tensors at the run's peak.
  std::sort(out.tensors.begin(), out.tensors.end(), [](const MatchedTensor& x, const MatchedTensor& y) {
    const TensorClass& a = x.cls;
    const TensorClass& b = y.cls;
    if (a.layer != b.layer) return a.layer < b.layer;
    if (a.component != b.component) return a.component < b.component;
    if (a.expert != b.expert) return a.expert < b.expert;
    return a.key < b.key;  // keys are unique among matched tensors: a total order
  });
  return out;
}

}  // namespace mp
