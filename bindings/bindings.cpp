// The page's Embind layer over mp::Analysis (bindings/ is the only Emscripten code; the benchmark
// hooks are in bench_bindings.cpp, linked only into the bench module).
// Bytes: JS allocates with Module._malloc (plus kJsonPadding for JSON), writes fetched chunks
// straight into HEAPU8 (one copy), and passes the pointer. Errors come back as plain objects
// {error, code, kind}; js/engine/run-analysis.mjs turns them into JS Errors. 64-bit values cross as doubles
// (exact below 2^53, far above any file offset) so no WASM_BIGINT is needed.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "analysis.h"
#include "format/safetensors_header.h"  // kMaxHeaderLength
#include "format/gguf.h"  // kMaxGgufHeaderBytes
#include "format/safetensors_index.h"  // kMaxIndexBytes
#include "heap_ptr.h"

using emscripten::val;

namespace {

using mp::bindings::ptr;

val error_value(const mp::Error& e) {
  val o = val::object();
  o.set("error", e.message);
  o.set("code", std::string(mp::error_code_name(e.code)));
  o.set("kind", std::string(mp::error_kind(e.code)));
  return o;
}

class JsAnalysis {
 public:
  JsAnalysis(int parents, bool has_control) : a_(parents, has_control) {}

  // -> {} | {needed} | {error, code}
  val addFile(int role, std::string name, double bytes, double len, double file_size) {
    uint64_t needed = 0;
    mp::Error e = a_.add_file(role, name, ptr(bytes), static_cast<size_t>(len),
                              static_cast<uint64_t>(file_size), &needed);
    if (e.code == mp::ErrorCode::NeedMoreBytes) {
      val o = val::object();
      o.set("needed", static_cast<double>(needed));
      return o;
    }
    return e.ok() ? val::object() : error_value(e);
  }

  // -> {shards: [...], totalSize} | {error, code}. Takes the buffer (from Module._malloc): the
  // core keeps it while the index is needed and frees it, on errors too; JS must not free it.
  val addIndex(int role, double json, double len) {
    auto res = a_.add_index(role, mp::IndexBytes(ptr(json), mp::free_bytes), static_cast<size_t>(len));
    if (!res) return error_value(res.error());
    const mp::ShardIndex* r = res.value();
    val shards = val::array();
    for (const auto& s : r->shards) shards.call<void>("push", s);
    // A guess of each shard's header size from the names the index lists, so the first read of a
    // shard's header can be sized to fit it (a 2 kB header need not cost a 100 kB read, a 300 kB
    // one need not cost a second round trip). Per tensor: its name plus the JSON around it,
    // {"dtype":"F8_E4M3","shape":[2048,4096],"data_offsets":[10737418240,10754195456]} ~ 85 bytes.
    std::vector<double> guess(r->shards.size(), 8 + 64);
    for (size_t i = 0; i < r->size(); ++i) guess[r->shard(i)] += static_cast<double>(r->name(i).size()) + 96;
    val guesses = val::array();
    for (double g : guess) guesses.call<void>("push", g);
    val o = val::object();
    o.set("shards", shards);
    o.set("headerGuess", guesses);
    o.set("totalSize", r->has_total_size ? val(static_cast<double>(r->total_size)) : val::null());
    o.set("tensors", static_cast<double>(r->size()));
    return o;
  }

  val match() {
    mp::Error e = a_.match();
    if (!e.ok()) return error_value(e);
    val o = val::object();
    o.set("tensors", static_cast<double>(a_.match_result().tensors.size()));
    o.set("unmatched", static_cast<double>(a_.match_result().unmatched.size()));
    return o;
  }

  // -> {ranges: Float64Array-like flat [model, file, begin, end, ...], bytes, elements, tensors}
  val plan(double budget, double seed) {
    mp::PlanOptions opt;
    opt.budget_bytes = static_cast<uint64_t>(budget);
    opt.seed = static_cast<uint64_t>(seed);
    auto p = a_.plan(opt);
    if (!p) return error_value(p.error());
    std::vector<double> flat;
    flat.reserve(p->ranges.size() * 4);
    for (const auto& r : p->ranges) {
      flat.push_back(r.model);
      flat.push_back(r.file);
      flat.push_back(static_cast<double>(r.begin));
      flat.push_back(static_cast<double>(r.end));
    }
    val o = val::object();
    o.set("ranges", val::global("Float64Array").new_(val(emscripten::typed_memory_view(flat.size(), flat.data()))));
    o.set("bytes", static_cast<double>(p->bytes));
    o.set("elements", static_cast<double>(p->elements));
    o.set("tensors", static_cast<double>(p->tensors_covered));
    o.set("samples", static_cast<double>(p->samples.size()));
    return o;
  }

  double rangeBuffer(double i) {
    return static_cast<double>(reinterpret_cast<uintptr_t>(a_.range_buffer(static_cast<size_t>(i))));
  }

  // Compute while fetching (mp::Analysis::fetch_order): the ranges' order, then per range in.
  val fetchOrder() const {
    const auto& order = a_.fetch_order();
    return val::global("Uint32Array").new_(val(emscripten::typed_memory_view(order.size(), order.data())));
  }
  void rangeFetched(double i) { a_.range_fetched(static_cast<size_t>(i)); }
  val computeReady() {
    mp::Error e = a_.compute_ready();
    return e.ok() ? val::object() : error_value(e);
  }

  val compute() {
    mp::Error e = a_.compute();
    return e.ok() ? val::object() : error_value(e);
  }

  std::string reportJson() const { return a_.report_json(); }

  // File names the core knows for a role, in add order (for the report's `files`).
  val fileNames(int role) const {
    val arr = val::array();
    if (role >= 0 && role < a_.roles())
      for (const auto& f : a_.models()[role].files) arr.call<void>("push", f.name);
    return arr;
  }

 private:
  mp::Analysis a_;
};

// Every core error code name (mp::ErrorCode, "Ok" left out): JS reads them from here instead of
// keeping its own copy.
val errorNames() {
  val arr = val::array();
  for (size_t i = 1; i < mp::kErrorCodeCount; ++i)
    arr.call<void>("push", std::string(mp::error_code_name(static_cast<mp::ErrorCode>(i))));
  return arr;
}

}  // namespace

EMSCRIPTEN_BINDINGS(mergeprobe) {
  emscripten::class_<JsAnalysis>("Analysis")
      .constructor<int, bool>()
      .function("addFile", &JsAnalysis::addFile)
      .function("addIndex", &JsAnalysis::addIndex)
      .function("match", &JsAnalysis::match)
      .function("plan", &JsAnalysis::plan)
      .function("rangeBuffer", &JsAnalysis::rangeBuffer)
      .function("fetchOrder", &JsAnalysis::fetchOrder)
      .function("rangeFetched", &JsAnalysis::rangeFetched)
      .function("computeReady", &JsAnalysis::computeReady)
      .function("compute", &JsAnalysis::compute)
      .function("reportJson", &JsAnalysis::reportJson)
      .function("fileNames", &JsAnalysis::fileNames);
  // One definition of the index cap: the engine refuses a larger index before downloading it.
  emscripten::constant("maxIndexBytes", static_cast<double>(mp::kMaxIndexBytes));
  // simdjson reads this far past the JSON: every buffer handed to the core has it, zeroed.
  emscripten::constant("jsonPadding", static_cast<double>(mp::kJsonPadding));
  // The header length limit, so the engine sizes its second read by the core's rule, not a copy.
  emscripten::constant("maxHeaderBytes", static_cast<double>(mp::kMaxHeaderLength));
  // A GGUF header (metadata + tensor infos) is read whole into memory: at most this many bytes.
  emscripten::constant("maxGgufHeaderBytes", static_cast<double>(mp::kMaxGgufHeaderBytes));
  emscripten::function("errorNames", &errorNames);
}
