// model.safetensors.index.json reader: golden fixtures in tests/fixtures/index (expected.json
// names the outcome of each file), focused tests of values and messages, and a 200k-entry index.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "format/safetensors_header.h"  // kJsonPadding
#include "format/safetensors_index.h"
#include "simdjson.h"
#include "golden_check.h"
#include "test_support.h"

using namespace mp;
using mp_test::padded;

namespace {

Result<ShardIndex> parse_text(const std::string& text) { return parse_index(mp_test::malloc_padded(text), text.size()); }

std::pair<std::string, uint32_t> entry(const ShardIndex& idx, size_t i) { return {std::string(idx.name(i)), idx.shard(i)}; }

std::string code_of(const Result<ShardIndex>& r) { return r ? "ok" : error_code_name(r.error().code); }

}  // namespace

TEST_CASE("every index fixture parses to its expected outcome", "[index]") {
  const std::string dir = mp_test::fixtures_dir() + "/index";
  const auto golden = mp_test::read_golden_folder(dir);
  REQUIRE(golden.ok);
  const auto& expected = golden.expected;
  REQUIRE(expected.size() >= 25);

  mp_test::check_every_fixture_listed(golden);  // a new fixture cannot go untested

  for (const auto& [name, want] : expected) {
    INFO(name);
    const auto bytes = mp_test::read_file(dir + "/" + name);
    auto r = parse_index(mp_test::malloc_padded(bytes), bytes.size());
    INFO((r ? "" : r.error().message));
    CHECK(code_of(r) == want);
    if (!r) {
      CHECK(r.error().message.rfind(want + ":", 0) == 0);
    } else {
      CHECK(!r->empty());
      for (size_t i = 0; i < r->size(); ++i) CHECK(r->shard(i) < r->shards.size());
    }
  }
}

TEST_CASE("index values: total_size, shards in first-appearance order, weight_map", "[index]") {
  auto r = parse_text(R"({"metadata":{"total_size":4096},"weight_map":{)"
                      R"("t0":"model-00002-of-00002.safetensors",)"
                      R"("t1":"model-00001-of-00002.safetensors",)"
                      R"("t2":"model-00002-of-00002.safetensors",)"
                      R"("t\u00e9":"model-00001-of-00002.safetensors"}})");
  REQUIRE(r);
  CHECK(r->has_total_size);
  CHECK(r->total_size == 4096);
  REQUIRE(r->shards.size() == 2);
  CHECK(r->shards[0] == "model-00002-of-00002.safetensors");
  CHECK(r->shards[1] == "model-00001-of-00002.safetensors");
  REQUIRE(r->size() == 4);
  CHECK(entry(r.value(), 0) == std::make_pair(std::string("t0"), 0u));
  CHECK(entry(r.value(), 1) == std::make_pair(std::string("t1"), 1u));
  CHECK(entry(r.value(), 2) == std::make_pair(std::string("t2"), 0u));
  CHECK(entry(r.value(), 3).first == "t\xc3\xa9");

  auto no_meta = parse_text(R"({"weight_map":{"a":"m.safetensors"}})");
  REQUIRE(no_meta);
  CHECK(!no_meta->has_total_size);

  auto big = parse_text(R"({"metadata":{"total_size":18446744073709551615},"weight_map":{"a":"m"}})");
  REQUIRE(big);
  CHECK(big->total_size == UINT64_MAX);
  auto float_size = parse_text(R"({"metadata":{"total_size":1.6e10},"weight_map":{"a":"m"}})");
  REQUIRE(float_size);
  CHECK(float_size->total_size == 16'000'000'000ull);
  CHECK(code_of(parse_text(R"({"metadata":{"total_size":18446744073709551616},"weight_map":{"a":"m"}})")) ==
        "InvalidIndex");
  CHECK(code_of(parse_text(R"({"metadata":{"total_size":null},"weight_map":{"a":"m"}})")) == "InvalidIndex");
}

TEST_CASE("index messages name the rule, the shard and the tensor", "[index]") {
  CHECK(parse_text(R"({"weight_map":{"a":"m.safetensors","b.weight":"../x.safetensors"}})").error().message ==
        "UnsafeShardPath: shard '../x.safetensors' of tensor 'b.weight' contains '..'");
  CHECK(parse_text(R"({"weight_map":{"a":"/abs"}})").error().message ==
        "UnsafeShardPath: shard '/abs' of tensor 'a' starts with a path separator");
  CHECK(parse_text(R"({"weight_map":{"a":"s3://b/k"}})").error().message ==
        "UnsafeShardPath: shard 's3://b/k' of tensor 'a' contains '://'");
  CHECK(parse_text(R"({"weight_map":{"a":""}})").error().message == "UnsafeShardPath: shard '' of tensor 'a' is empty");
  CHECK(parse_text(R"({"weight_map":{"a":"x\u0000y"}})").error().code == ErrorCode::UnsafeShardPath);
  CHECK(parse_text(R"({"weight_map":{}})").error().message == "InvalidIndex: weight_map is empty");
  CHECK(parse_text(R"({"metadata":{}})").error().message == "InvalidIndex: no weight_map");
  CHECK(parse_text(R"({"weight_map":{"a":"m","a":"n"}})").error().message ==
        "InvalidIndex: duplicate tensor name 'a' in weight_map");
  CHECK(parse_text(R"({"weight_map":{"w":7}})").error().message ==
        "InvalidIndex: weight_map entry of tensor 'w' is not a string");
  CHECK(parse_text(R"({"metadata":{"total_size":-5},"weight_map":{"a":"m"}})").error().message ==
        "InvalidIndex: metadata.total_size must be a non-negative integer, got -5");
  // Shard names that are only suspicious-looking stay allowed.
  CHECK(parse_text(R"({"weight_map":{"a":"sub/dir/model.v1.safetensors","b":"a.b/c"}})"));
}

TEST_CASE("an index of kMaxIndexBytes parses, one byte more is IndexTooLarge", "[index]") {
  // One buffer of spaces with a valid index at its start: whitespace is valid JSON padding.
  std::vector<uint8_t> buf(kMaxIndexBytes + 1 + kJsonPadding, ' ');
  const std::string json = R"({"weight_map":{"a":"m.safetensors"}})";
  std::copy(json.begin(), json.end(), buf.begin());
  auto at_cap = parse_index(IndexBytes(buf.data(), borrowed_bytes), kMaxIndexBytes);
  INFO((at_cap ? "" : at_cap.error().message));
  CHECK(at_cap);
  auto over = parse_index(IndexBytes(buf.data(), borrowed_bytes), kMaxIndexBytes + 1);
  REQUIRE(!over);
  CHECK(over.error().code == ErrorCode::IndexTooLarge);
  CHECK(over.error().message == "IndexTooLarge: the index is 67108865 bytes; indexes are read up to 67108864 bytes (64 MiB)");
}

TEST_CASE("an index starting with a UTF-8 byte-order mark is refused, as a header is", "[index]") {
  auto r = parse_text("\xEF\xBB\xBF{\"weight_map\":{\"a\":\"m\"}}");
  REQUIRE(!r);
  CHECK(r.error().message == "InvalidIndex: the index starts with a UTF-8 byte-order mark, which is not JSON");
}

TEST_CASE("a 200k-entry index (Qwen3.5-397B FP8 scale) parses whole", "[index]") {
  // 60 layers x 512 experts x 3 projections, weight + scale: ~184k entries, ~20 MB.
  std::string json = "{\"metadata\":{\"total_size\":397000000000},\"weight_map\":{";
  size_t entries = 0;
  const char* proj[] = {"gate", "up", "down"};
  for (int layer = 0; layer < 60; ++layer)
    for (int e = 0; e < 512; ++e)
      for (const char* p : proj)
        for (const char* suffix : {"weight", "weight_scale_inv"}) {
          char buf[200];
          int shard = 1 + (layer * 94) / 60;
          std::snprintf(buf, sizeof buf,
                        "%s\"model.language_model.layers.%d.mlp.experts.%d.%s_proj.%s\":\"model-%05d-of-00094.safetensors\"",
                        entries ? "," : "", layer, e, p, suffix, shard);
          json += buf;
          ++entries;
        }
  json += "}}";
  REQUIRE(json.size() > 15'000'000);
  auto t0 = std::chrono::steady_clock::now();
  auto r = parse_text(json);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r);
  CHECK(r->size() == entries);
  CHECK(r->shards.size() == 60);  // layer*94/60 hits 60 distinct shard numbers
  CHECK(r->shards.front() == "model-00001-of-00094.safetensors");
  CHECK(r->name(r->size() - 1) == "model.language_model.layers.59.mlp.experts.511.down_proj.weight_scale_inv");
  CHECK(r->total_size == 397'000'000'000ull);
  // Loose bound: a quadratic slip would take minutes; the measured speed is in bench/parse_bench.cpp.
  CHECK(secs < 20.0);
}

TEST_CASE("the index walk checks the JSON grammar everywhere, skipped values included", "[index]") {
  // Each is malformed somewhere the reader does not use the value: still refused.
  const char* bad[] = {
      R"({"metadata":{"x":01},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":[1,]},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":tru},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":1.},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":-},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":.5},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":1e},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":1e400},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":"\x"},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":"\udc00"},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":"\ud800"},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":"\u12g4"},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x" 1},"weight_map":{"a":"m"}})",
      R"({"metadata":{"x":1 "y":2},"weight_map":{"a":"m"}})",
      R"({"weight_map":{"a":"m",}})",
      R"({"weight_map":{"a":"m"},})",
      R"({"weight_map":{"a":"m" "b":"m"}})",
      R"({"weight_map":{"a":"m"}}})",
      R"({"other":[1,2,{"k":[true,false,nul]}],"weight_map":{"a":"m"}})",
      "{\"weight_map\":{\"a\tb\":\"m\"}}",  // an unescaped control character in a name
      R"({"weight_map":{"a":"m"})",
      R"( )",
  };
  for (const char* text : bad) {
    INFO(text);
    auto r = parse_text(text);
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::InvalidIndex);
  }
  // Nesting: 128 levels inside the root are read, 129 refused (serde_json's limit).
  auto nested = [](int depth) {
    return R"({"other":)" + std::string(depth, '[') + std::string(depth, ']') + R"(,"weight_map":{"a":"m"}})";
  };
  CHECK(parse_text(nested(127)));
  CHECK(!parse_text(nested(129)));
  // Valid JSON of every kind in places the reader skips, escapes in names, CRLF whitespace.
  auto ok = parse_text("{\r\n\t\"metadata\" : {\"x\":[1,-0.5e+3,0,true,false,null,{\"y\":\"\\u00e9\\ud83d\\ude00\\/\\n\"}],"
                       "\"total_size\":7},\"other\":{},\"weight_map\":{\"a\\\"b\":\"m\",\"\\ud83d\\ude00\":\"sub\\/m\"}}\r\n");
  INFO((ok ? "" : ok.error().message));
  REQUIRE(ok);
  CHECK(ok->total_size == 7);
  REQUIRE(ok->size() == 2);
  CHECK(ok.value().name(0) == "a\"b");
  CHECK(ok->name(1) == "\xf0\x9f\x98\x80");
  REQUIRE(ok->shards.size() == 2);
  CHECK(ok->shards[1] == "sub/m");
  // Messages say where: the byte, and what was expected.
  CHECK(parse_text(R"({"weight_map":{"a":"m",}})").error().message ==
        "InvalidIndex: invalid JSON in weight_map at byte 23 (expected a quoted name)");
  CHECK(parse_text(R"({"weight_map":{"a":"m")").error().message ==
        "InvalidIndex: invalid JSON in weight_map at byte 22 (unexpected end of the index)");
}
