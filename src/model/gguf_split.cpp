#include "model/gguf_split.h"

#include <cstdint>
#include <map>
#include <optional>

#include "format/gguf.h"

namespace mp {
namespace {

std::optional<uint64_t> key_number(const Header& h, const char* key) {
  const std::string* v = h.find_metadata(key);
  if (!v || v->empty() || v->size() > 18 || v->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(*v);
}

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// gguf-split's name of part `no` (1-based) of `count`, with the directory and stem of `like`.
std::string part_name(const std::string& like, uint64_t no, uint64_t count) {
  auto five = [](uint64_t v) {
    std::string s = std::to_string(v);
    return std::string(s.size() < 5 ? 5 - s.size() : 0, '0') + s;
  };
  const bool gguf = like.size() >= 5 && like.compare(like.size() - 5, 5, ".gguf") == 0;
  const std::string stem = parse_gguf_split_name(base_name(like)) ? like.substr(0, like.size() - 20)
                           : gguf                                 ? like.substr(0, like.size() - 5)
                                                                  : like;
  return stem + "-" + five(no) + "-of-" + five(count) + ".gguf";
}

Error bad(const std::string& who, const std::string& what) {
  return make_error(ErrorCode::GgufInvalidSplit, who + ": " + what);
}

}  // namespace

Error check_gguf_split_set(const Model& model, const std::string& who) {
  std::vector<const ModelFile*> gguf;
  for (const auto& f : model.files)
    if (f.header.format == FileFormat::Gguf) gguf.push_back(&f);
  if (gguf.empty()) return {};
  std::map<uint64_t, const ModelFile*> parts;  // split.no -> file
  std::optional<uint64_t> count, tensors_count;
  uint64_t tensors = 0;
  for (const ModelFile* f : gguf) {
    const auto no = key_number(f->header, "split.no"), c = key_number(f->header, "split.count");
    const auto named = parse_gguf_split_name(base_name(f->name));
    if (!no || !c) {
      if (gguf.size() == 1 && !named) return {};  // one ordinary GGUF file
      return bad(who, f->name + " has no split.no / split.count keys, so it is not a part of a split GGUF set" +
                          (gguf.size() > 1 ? " (a model is one GGUF file or the parts of one split set)" : ""));
    }
    if (count && *count != *c)
      return bad(who, f->name + " says split.count " + std::to_string(*c) + ", " + parts.begin()->second->name +
                          " says " + std::to_string(*count));
    count = c;
    if (named && (named->count != *c || named->no != *no + 1))
      return bad(who, f->name + " holds split.no " + std::to_string(*no) + " of split.count " + std::to_string(*c) +
                          ", which is part " + std::to_string(*no + 1) + " of " + std::to_string(*c) + ", not what its name says");
    if (parts.count(*no)) return bad(who, f->name + " and " + parts[*no]->name + " are both part " + std::to_string(*no + 1));
    parts[*no] = f;
    tensors += f->header.tensors.size();
    if (const auto t = key_number(f->header, "split.tensors.count")) tensors_count = t;
  }
  std::string missing;
  for (uint64_t no = 0; no < *count; ++no)
    if (!parts.count(no)) missing += (missing.empty() ? "" : ", ") + part_name(gguf[0]->name, no + 1, *count);
  if (!missing.empty())
    return bad(who, "the split GGUF set has " + std::to_string(*count) + " parts; missing: " + missing);
  if (tensors_count && *tensors_count != tensors)
    return bad(who, "split.tensors.count is " + std::to_string(*tensors_count) + " but the " + std::to_string(*count) +
                        " parts hold " + std::to_string(tensors) + " tensors");
  return {};
}

}  // namespace mp
