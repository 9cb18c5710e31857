// Native benchmark of the header and index parsers, on inputs shaped like Qwen3.5-397B-A17B FP8
// (spec section 7: 60 layers x 512 experts x 3 projections, each weight with a weight_scale_inv),
// built in memory. Beside each figure, a memchr scan of the same bytes in the same run gives the
// memory-speed ceiling, so the figures can be read on any machine.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "format/safetensors_header.h"
#include "format/safetensors_index.h"

namespace {

constexpr int kLayers = 60, kExperts = 512, kShards = 94, kReps = 5;
const char* const kProj[] = {"gate", "up", "down"};

// One padded buffer: the bytes, then kJsonPadding zero bytes that simdjson may read.
struct Buffer {
  std::vector<uint8_t> bytes;
  size_t size = 0;
};

Buffer padded(const std::string& s) {
  Buffer b;
  b.size = s.size();
  b.bytes.assign(s.begin(), s.end());
  b.bytes.resize(s.size() + mp::kJsonPadding, 0);
  return b;
}

// The header bytes of one FP8 shard (length prefix + JSON; the data is not materialised) and the
// size the whole file would have.
struct Shard {
  Buffer prefix;
  uint64_t file_size = 0;
};

std::vector<Shard> make_shards() {
  std::vector<std::string> names;
  std::vector<std::string> jsons(kShards, "{\"__metadata__\":{\"format\":\"pt\"}");
  std::vector<uint64_t> offsets(kShards, 0);
  char buf[320];
  int i = 0;
  for (int layer = 0; layer < kLayers; ++layer)
    for (int e = 0; e < kExperts; ++e)
      for (const char* p : kProj) {
        bool down = p[0] == 'd';
        uint64_t rows = down ? 4096 : 1024, cols = down ? 1024 : 4096;
        int s = (i++ * kShards) / (kLayers * kExperts * 3);
        uint64_t w = rows * cols, sc = (rows / 128) * (cols / 128) * 4;
        uint64_t& off = offsets[s];
        std::snprintf(buf, sizeof buf,
                      ",\"model.language_model.layers.%d.mlp.experts.%d.%s_proj.weight\":{\"dtype\":\"F8_E4M3\","
                      "\"shape\":[%llu,%llu],\"data_offsets\":[%llu,%llu]}",
                      layer, e, p, (unsigned long long)rows, (unsigned long long)cols, (unsigned long long)off,
                      (unsigned long long)(off + w));
        jsons[s] += buf;
        off += w;
        std::snprintf(buf, sizeof buf,
                      ",\"model.language_model.layers.%d.mlp.experts.%d.%s_proj.weight_scale_inv\":{\"dtype\":\"F32\","
                      "\"shape\":[%llu,%llu],\"data_offsets\":[%llu,%llu]}",
                      layer, e, p, (unsigned long long)(rows / 128), (unsigned long long)(cols / 128),
                      (unsigned long long)off, (unsigned long long)(off + sc));
        jsons[s] += buf;
        off += sc;
      }
  std::vector<Shard> shards(kShards);
  for (int s = 0; s < kShards; ++s) {
    std::string& json = jsons[s];
    json += "}";
    while (json.size() % 8) json += ' ';
    std::string file(8, '\0');
    for (int b = 0; b < 8; ++b) file[b] = static_cast<char>(static_cast<uint64_t>(json.size()) >> (8 * b));
    file += json;
    shards[s].prefix = padded(file);
    shards[s].file_size = file.size() + offsets[s];
  }
  return shards;
}

Buffer make_index(size_t* entries) {
  std::string json = "{\"metadata\":{\"total_size\":397000000000},\"weight_map\":{";
  char buf[320];
  *entries = 0;
  const int total = kLayers * kExperts * 3;
  for (int i = 0; i < total; ++i) {
    int layer = i / (kExperts * 3), e = (i / 3) % kExperts;
    const char* p = kProj[i % 3];
    int s = 1 + (i * kShards) / total;
    for (const char* suffix : {"weight", "weight_scale_inv"}) {
      std::snprintf(buf, sizeof buf,
                    "%s\n    \"model.language_model.layers.%d.mlp.experts.%d.%s_proj.%s\": \"model-%05d-of-%05d.safetensors\"",
                    *entries ? "," : "", layer, e, p, suffix, s, kShards);
      json += buf;
      ++*entries;
    }
  }
  json += "\n  }\n}\n";
  return padded(json);
}

// This thread's CPU seconds: the machine is shared (2 cores, parallel builds), and wall time
// would measure the neighbours. The parse is single-threaded, so CPU time is its cost.
// Where there is no thread CPU clock (Emscripten), wall time is used and said so.
const char* g_clock = "CPU";
double cpu_now() {
  timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
    g_clock = "wall";
    clock_gettime(CLOCK_MONOTONIC, &ts);
  }
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Best of kReps CPU times of fn(), in seconds.
template <class F>
double best_time(F&& fn) {
  double best = 1e30;
  for (int r = 0; r < kReps; ++r) {
    double t0 = cpu_now();
    fn();
    best = std::min(best, cpu_now() - t0);
  }
  return best;
}

// The memory-speed baseline: memchr for a byte that is absent, over the same buffers.
size_t scan(const uint8_t* p, size_t n) { return std::memchr(p, 0x01, n) ? 1 : 0; }

}  // namespace

int bench_parse_native() {
  auto shards = make_shards();
  size_t header_bytes = 0, tensors = 0;
  for (const auto& s : shards) header_bytes += s.prefix.size;
  bool ok = true;
  double t_header = best_time([&] {
    tensors = 0;
    for (const auto& s : shards) {
      auto h = mp::parse_header(s.prefix.bytes.data(), s.prefix.size, s.file_size);
      if (!h) {
        std::printf("parse: header FAILED: %s\n", h.error().message.c_str());
        ok = false;
        return;
      }
      tensors += h->tensors.size();
    }
  });
  size_t found = 0;
  double t_header_scan = best_time([&] {
    for (const auto& s : shards) found += scan(s.prefix.bytes.data(), s.prefix.size);
  });
  const double mb_h = header_bytes / 1e6;
  std::printf("parse: header  %8.0f MB/s  (%d shard headers, %.1f MB, %zu tensors, %.1f ms %s; best of %d)\n",
              mb_h / t_header, kShards, mb_h, tensors, t_header * 1e3, g_clock, kReps);
  std::printf("parse: header baseline memchr scan  %8.0f MB/s  (same bytes)\n", mb_h / t_header_scan);

  size_t entries = 0;
  Buffer index = make_index(&entries);
  size_t shard_count = 0;
  double t_index = best_time([&] {
    auto r = mp::parse_index(mp::IndexBytes(index.bytes.data(), mp::borrowed_bytes), index.size);
    if (!r) {
      std::printf("parse: index FAILED: %s\n", r.error().message.c_str());
      ok = false;
      return;
    }
    shard_count = r->shards.size();
  });
  double t_index_scan = best_time([&] { found += scan(index.bytes.data(), index.size); });
  const double mb_i = index.size / 1e6;
  std::printf("parse: index   %8.0f MB/s  (%.1f MB, %zu entries, %zu shards, %.1f ms %s; best of %d)\n",
              mb_i / t_index, mb_i, entries, shard_count, t_index * 1e3, g_clock, kReps);
  std::printf("parse: index baseline memchr scan   %8.0f MB/s  (same bytes)\n", mb_i / t_index_scan);
  return (ok && found == 0) ? 0 : 1;
}
