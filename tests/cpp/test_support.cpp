#include "test_support.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>

#include "format/safetensors_header.h"  // kJsonPadding, parse_header
#include "format/safetensors_index.h"   // free_bytes
#include "simdjson.h"

namespace mp_test {

std::string shared_dir() {
  if (const char* env = std::getenv("MP_SHARED_DIR")) return env;
  return MP_SHARED_DIR;
}
std::string real_models_dir() { return shared_dir() + "/real-models"; }
std::string fixtures_dir() { return MP_FIXTURES_DIR; }

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return out;
  uint8_t buf[1 << 16];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + got);
  std::fclose(f);
  return out;
}

Padded padded(const std::vector<uint8_t>& bytes) {
  Padded p;
  p.size = bytes.size();
  p.storage = bytes;
  p.storage.resize(bytes.size() + 64, 0);
  return p;
}
Padded padded(const std::string& text) { return padded(std::vector<uint8_t>(text.begin(), text.end())); }

std::unique_ptr<const uint8_t, void (*)(const uint8_t*)> malloc_padded(const std::vector<uint8_t>& bytes) {
  auto* p = static_cast<uint8_t*>(std::malloc(bytes.size() + mp::kJsonPadding));
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  std::memset(p + bytes.size(), 0, mp::kJsonPadding);
  return {p, mp::free_bytes};
}
std::unique_ptr<const uint8_t, void (*)(const uint8_t*)> malloc_padded(const std::string& text) {
  return malloc_padded(std::vector<uint8_t>(text.begin(), text.end()));
}

GoldenFolder read_golden_folder(const std::string& dir) {
  GoldenFolder g;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(dir + "/expected.json").get(doc) != simdjson::SUCCESS) return g;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return g;
  for (auto [key, value] : obj) {
    std::string_view v;
    if (value.get_string().get(v) != simdjson::SUCCESS) return g;
    g.expected[std::string(key)] = std::string(v);
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name != "expected.json") g.files.push_back(name);
  }
  g.ok = !ec;
  return g;
}

static void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

static std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { o += '\\'; o += c; }
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); o += b; }
    else o += c;
  }
  return o + "\"";
}

std::vector<uint8_t> write_safetensors(const std::vector<RawTensor>& tensors,
                                       const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::string h = "{";
  bool first = true;
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i) {
      if (i) h += ",";
      h += json_str(metadata[i].first) + ":" + json_str(metadata[i].second);
    }
    h += "}";
    first = false;
  }
  uint64_t off = 0;
  for (const auto& t : tensors) {
    if (!first) h += ",";
    first = false;
    h += json_str(t.name) + ":{\"dtype\":" + json_str(t.dtype) + ",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i) h += (i ? "," : "") + std::to_string(t.shape[i]);
    h += "],\"data_offsets\":[" + std::to_string(off) + "," + std::to_string(off + t.bytes.size()) + "]}";
    off += t.bytes.size();
  }
  h += "}";
  while (h.size() % 8) h += ' ';
  std::vector<uint8_t> out;
  put_u64(out, h.size());
  out.insert(out.end(), h.begin(), h.end());
  for (const auto& t : tensors) out.insert(out.end(), t.bytes.begin(), t.bytes.end());
  return out;
}

std::vector<uint8_t> f32_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * 4);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

float bf16_round(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu)) { u |= 0x400000u; }  // quiet NaN
  else u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  float r;
  std::memcpy(&r, &u, 4);
  return r;
}

std::vector<uint8_t> bf16_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> out(v.size() * 2);
  for (size_t i = 0; i < v.size(); ++i) {
    float r = bf16_round(v[i]);
    uint32_t u;
    std::memcpy(&u, &r, 4);
    out[2 * i] = static_cast<uint8_t>(u >> 16);
    out[2 * i + 1] = static_cast<uint8_t>(u >> 24);
  }
  return out;
}

std::vector<float> f32_values(const uint8_t* p, size_t n) {
  std::vector<float> v(n);
  std::memcpy(v.data(), p, n * 4);
  return v;
}

RealModel load_real_model(const std::string& folder) {
  RealModel out;
  const auto bytes = read_file(real_models_dir() + "/" + folder + "/model.safetensors");
  if (bytes.size() <= 8) return out;
  const Padded file = padded(bytes);
  auto header = mp::parse_header(file.data(), file.size, file.size);
  if (!header.has_value()) return out;
  for (const mp::TensorInfo& t : header->tensors)
    if (t.dtype == mp::Dtype::F32)
      out[std::string(header->name(t))] = {t.shape.vec(), f32_values(file.data() + header->data_start() + t.begin, t.elements())};
  return out;
}

}  // namespace mp_test
