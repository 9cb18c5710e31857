// The GGUF reader (src/format/gguf.cpp): valid files in every shape the format allows, one
// invalid file per rule (each must fail with that rule's code), NeedMoreBytes from short prefixes,
// and split names.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "format/gguf.h"
#include "format/ggml_types.h"
#include "gguf_writer.h"

using namespace mp;
using namespace mp_test;

namespace {

constexpr uint32_t kF32 = 0, kQ8_0 = 8, kQ4_K = 12;

GgufTensorSpec tensor_f32(const std::string& name, std::vector<uint64_t> ne) {
  uint64_t n = 1;
  for (auto d : ne) n *= d;
  return {name, ne, kF32, zero_tensor_bytes(kF32, n), std::nullopt};
}

GgufWriter valid() {
  GgufWriter w;
  w.kv_string("general.architecture", "llama");
  w.kv_u32("llama.attention.head_count", 4);
  w.kv_f32("llama.rope.freq_base", 10000.0f);
  w.kv_strings("tokenizer.ggml.tokens", {"<s>", "</s>", "hello"});
  w.tensor(tensor_f32("token_embd.weight", {8, 3}));
  w.tensor({"blk.0.attn_q.weight", {256, 2}, kQ4_K, zero_tensor_bytes(kQ4_K, 512), std::nullopt});
  w.tensor({"blk.0.ffn_down.weight", {32, 3}, kQ8_0, zero_tensor_bytes(kQ8_0, 96), std::nullopt});
  return w;
}

Result<Header> parse_all(const std::vector<uint8_t>& b) {
  uint64_t needed = 0;
  return parse_gguf(b.data(), b.size(), b.size(), &needed);
}

ErrorCode code_of(const std::vector<uint8_t>& b) {
  auto r = parse_all(b);
  return r ? ErrorCode::Ok : r.error().code;
}

}  // namespace

TEST_CASE("a valid GGUF: metadata, tensor infos in HF order, data offsets", "[gguf]") {
  auto bytes = valid().bytes();
  REQUIRE(is_gguf(bytes.data(), bytes.size()));
  auto r = parse_all(bytes);
  REQUIRE(r);
  const Header& h = r.value();
  CHECK(h.format == FileFormat::Gguf);
  REQUIRE(h.tensors.size() == 3);
  CHECK(h.data_start() % 32 == 0);
  CHECK(*h.find_metadata("general.architecture") == "llama");
  CHECK(*h.find_metadata("llama.attention.head_count") == "4");
  CHECK(*h.find_metadata("llama.rope.freq_base") == "10000");
  CHECK(*h.find_metadata("tokenizer.ggml.tokens") == "[3 values]");
  // ne = {8, 3}: 3 rows of 8, shown as HF's [3, 8].
  CHECK(h.tensors[0].shape == std::vector<uint64_t>{3, 8});
  CHECK(h.tensors[0].dtype == Dtype::F32);
  CHECK(h.tensors[0].begin == 0);
  CHECK(h.tensors[0].end == 96);
  CHECK(h.tensors[1].dtype == Dtype::Q4_K);
  CHECK(h.tensors[1].shape == std::vector<uint64_t>{2, 256});
  CHECK(h.tensors[1].begin == 96);                // 96 is a multiple of 32
  CHECK(h.tensors[1].end == 96 + 2 * 144);
  CHECK(h.tensors[2].dtype == Dtype::Q8_0);
  CHECK(h.tensors[2].begin == 96 + 288);          // 384, aligned
  CHECK(h.tensors[2].end == 384 + 3 * 34);
}

TEST_CASE("GGUF v2, an alignment of 64, nested arrays, no tensors", "[gguf]") {
  GgufWriter w = valid();
  w.version = 2;
  w.alignment = 64;
  w.kv_u32("general.alignment", 64);
  // [[1, 2], [3]] as an array of arrays of u8.
  std::vector<uint8_t> nested;
  put_u32(nested, kGgufArray);
  put_u64(nested, 2);
  put_u32(nested, kGgufU8);
  put_u64(nested, 2);
  nested.push_back(1);
  nested.push_back(2);
  put_u32(nested, kGgufU8);
  put_u64(nested, 1);
  nested.push_back(3);
  w.kv("test.nested", kGgufArray, nested);
  auto r = parse_all(w.bytes());
  REQUIRE(r);
  CHECK(r->data_start() % 64 == 0);
  CHECK(r->tensors[1].begin == 128);
  CHECK(*r->find_metadata("test.nested") == "[2 values]");

  GgufWriter empty;
  empty.kv_string("general.architecture", "llama");
  auto e = parse_all(empty.bytes());
  REQUIRE(e);
  CHECK(e->tensors.empty());
}

TEST_CASE("a short prefix asks for more bytes, then parses", "[gguf]") {
  GgufWriter w = valid();
  std::vector<std::string> vocab;
  for (int i = 0; i < 5000; ++i) vocab.push_back("token" + std::to_string(i));
  w.kv_strings("tokenizer.ggml.merges", vocab);
  auto bytes = w.bytes();
  size_t given = 1024;
  int rounds = 0;
  for (;;) {
    uint64_t needed = 0;
    auto r = parse_gguf(bytes.data(), given, bytes.size(), &needed);
    if (r) break;
    REQUIRE(r.error().code == ErrorCode::NeedMoreBytes);
    REQUIRE(needed > given);
    REQUIRE(needed <= bytes.size());
    given = static_cast<size_t>(needed);
    REQUIRE(++rounds < 6);
  }
  // The estimate from the array's mean element size reaches the end in one more read.
  CHECK(rounds == 1);
}

TEST_CASE("every GGUF rule has an invalid file that breaks it", "[gguf]") {
  auto with = [](auto change) {
    GgufWriter w = valid();
    change(w);
    return w.bytes();
  };
  CHECK(code_of(with([](GgufWriter& w) { w.magic = 0x46554746; })) == ErrorCode::GgufInvalidMagic);
  CHECK(code_of(with([](GgufWriter& w) { w.version = 1; })) == ErrorCode::GgufUnsupportedVersion);
  CHECK(code_of(with([](GgufWriter& w) { w.version = 4; })) == ErrorCode::GgufUnsupportedVersion);
  CHECK(code_of(with([](GgufWriter& w) { w.version = 0x03000000; })) == ErrorCode::GgufUnsupportedVersion);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor_count = kMaxGgufTensors + 1; })) == ErrorCode::GgufTooManyTensors);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_count = kMaxGgufKeys + 1; })) == ErrorCode::GgufTooManyKeys);
  {
    auto bytes = valid().bytes();
    bytes.resize(60);  // the file ends inside the metadata
    CHECK(code_of(bytes) == ErrorCode::GgufTruncated);
  }
  CHECK(code_of(with([](GgufWriter& w) {
          std::vector<uint8_t> v;
          put_u64(v, kMaxGgufStringBytes + 1);
          w.kv("test.long", kGgufString, v);
        })) == ErrorCode::GgufStringTooLong);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_u32("", 1); })) == ErrorCode::GgufInvalidKey);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_u32("llama.attention.head_count", 4); })) == ErrorCode::GgufInvalidKey);
  CHECK(code_of(with([](GgufWriter& w) { w.kv("test.bad", 13, {0, 0, 0, 0}); })) == ErrorCode::GgufInvalidValueType);
  CHECK(code_of(with([](GgufWriter& w) {
          std::vector<uint8_t> v;
          put_u32(v, 99);
          put_u64(v, 0);
          w.kv("test.bad_array", kGgufArray, v);
        })) == ErrorCode::GgufInvalidValueType);
  CHECK(code_of(with([](GgufWriter& w) {
          std::vector<uint8_t> v;
          put_u32(v, kGgufU8);
          put_u64(v, kMaxGgufArrayElements + 1);
          w.kv("test.huge", kGgufArray, v);
        })) == ErrorCode::GgufArrayTooLong);
  CHECK(code_of(with([](GgufWriter& w) {
          std::vector<uint8_t> v;
          for (unsigned d = 0; d < kMaxGgufArrayDepth; ++d) {
            put_u32(v, kGgufArray);
            put_u64(v, 1);
          }
          put_u32(v, kGgufU8);
          put_u64(v, 0);
          // The value of a top-level array: arrays nested kMaxGgufArrayDepth + 1 deep.
          w.kv("test.deep", kGgufArray, v);
        })) == ErrorCode::GgufArrayTooDeep);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_u32("general.alignment", 48); })) == ErrorCode::GgufInvalidAlignment);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_u32("general.alignment", 0); })) == ErrorCode::GgufInvalidAlignment);
  CHECK(code_of(with([](GgufWriter& w) { w.kv_string("general.alignment", "32"); })) == ErrorCode::GgufInvalidAlignment);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor(tensor_f32("", {4})); })) == ErrorCode::GgufInvalidTensorName);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor(tensor_f32(std::string(64, 'x'), {4})); })) ==
        ErrorCode::GgufInvalidTensorName);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor(tensor_f32("token_embd.weight", {4})); })) ==
        ErrorCode::GgufInvalidTensorName);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor(tensor_f32("five_dims", {1, 1, 1, 1, 1})); })) ==
        ErrorCode::GgufInvalidDims);
  CHECK(code_of(with([](GgufWriter& w) {
          w.tensor({"huge", {1ull << 32, 1ull << 32}, kF32, {}, std::nullopt});
        })) == ErrorCode::GgufInvalidDims);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor({"t", {4}, 4, {}, std::nullopt}); })) == ErrorCode::GgufUnknownType);
  CHECK(code_of(with([](GgufWriter& w) { w.tensor({"t", {4}, 99, {}, std::nullopt}); })) == ErrorCode::GgufUnknownType);
  {
    auto r = parse_all(with([](GgufWriter& w) { w.tensor({"t", {256}, 16, std::vector<uint8_t>(66), std::nullopt}); }));
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::UnsupportedDtype);
    CHECK(r.error().message.find("IQ2_XXS") != std::string::npos);  // the type is named
  }
  CHECK(code_of(with([](GgufWriter& w) { w.tensor({"t", {100}, kQ8_0, std::vector<uint8_t>(136), std::nullopt}); })) ==
        ErrorCode::GgufBlockMisaligned);
  CHECK(code_of(with([](GgufWriter& w) {
          auto t = tensor_f32("t", {4});
          t.offset = 8;  // not where the previous tensor ends
          w.tensor(t);
        })) == ErrorCode::GgufInvalidOffset);
  {
    auto bytes = valid().bytes();
    bytes.resize(bytes.size() - 40);  // the last tensor's data cut short
    CHECK(code_of(bytes) == ErrorCode::GgufDataOutOfBounds);
  }
  CHECK(code_of(with([](GgufWriter& w) { w.kv_u16("split.no", 0); })) == ErrorCode::GgufInvalidSplit);
  CHECK(code_of(with([](GgufWriter& w) {
          w.kv_u16("split.no", 2);
          w.kv_u16("split.count", 2);
        })) == ErrorCode::GgufInvalidSplit);
  CHECK(code_of(with([](GgufWriter& w) {
          w.kv_u16("split.no", 1);
          w.kv_u16("split.count", 2);
          w.kv_i32("split.tensors.count", 6);
        })) == ErrorCode::Ok);
}

TEST_CASE("a header over the cap is refused, not read", "[gguf]") {
  GgufWriter w;
  std::vector<uint8_t> v;
  put_u32(v, kGgufString);
  put_u64(v, 5);
  for (int i = 0; i < 5; ++i) put_string(v, std::string(kMaxGgufStringBytes - 16, 'a'));
  w.kv("test.big", kGgufArray, v);
  auto bytes = w.bytes();
  uint64_t needed = 0;
  auto r = parse_gguf(bytes.data(), bytes.size(), bytes.size(), &needed);
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::GgufHeaderTooLarge);
}

TEST_CASE("split file names", "[gguf]") {
  auto s = parse_gguf_split_name("Qwen3-235B-Q4_K_M-00002-of-00005.gguf");
  REQUIRE(s);
  CHECK(s->no == 2);
  CHECK(s->count == 5);
  CHECK(!parse_gguf_split_name("model-Q4_K_M.gguf"));
  CHECK(!parse_gguf_split_name("model-00006-of-00005.gguf"));
  CHECK(!parse_gguf_split_name("model-00000-of-00005.gguf"));
  CHECK(!parse_gguf_split_name("model-00001-of-00002.safetensors"));
}

TEST_CASE("ggml type ids: the readable ones map to dtypes, the others are named", "[gguf]") {
  CHECK(ggml_type_dtype(12) == Dtype::Q4_K);
  CHECK(ggml_type_dtype(30) == Dtype::BF16);
  CHECK(!ggml_type_dtype(16));
  CHECK(std::string(ggml_type_name(16)) == "IQ2_XXS");
  CHECK(ggml_type_name(4) == nullptr);
  CHECK(ggml_type_id(Dtype::Q6_K) == 14u);
  CHECK(dtype_block_elements(Dtype::Q4_K) == 256);
  CHECK(dtype_span_bytes(Dtype::Q4_K, 512) == 288);
  CHECK(dtype_span_bytes(Dtype::BF16, 10) == 20);
  CHECK(!parse_dtype("Q4_K"));  // not a safetensors dtype
}

#include "analysis.h"

TEST_CASE("Analysis::add_file reads a GGUF by its magic and asks for the rest of a long header", "[gguf]") {
  GgufWriter w = valid();
  std::vector<std::string> vocab(20000, "a-token");
  w.kv_strings("tokenizer.ggml.merges", vocab);
  auto bytes = w.bytes();
  bytes.resize(bytes.size() + 64, 0);  // the padding every buffer handed to the core has
  const uint64_t size = bytes.size() - 64;
  Analysis a(1, false);
  uint64_t needed = 0;
  Error e = a.add_file(0, "model-Q4_K_M.gguf", bytes.data(), 4096, size, &needed);
  REQUIRE(e.code == ErrorCode::NeedMoreBytes);
  REQUIRE(needed > 4096);
  REQUIRE(needed <= size);
  e = a.add_file(0, "model-Q4_K_M.gguf", bytes.data(), static_cast<size_t>(needed), size, &needed);
  REQUIRE(e.ok());
  REQUIRE(a.models()[0].files.size() == 1);
  CHECK(a.models()[0].files[0].header.format == FileFormat::Gguf);
  CHECK(a.models()[0].files[0].header.tensors.size() == 3);
}

#include "test_support.h"

// The fuzzer's seed (scripts/fuzz.sh reads tests/fixtures/gguf) is this writer's valid file, so
// the seed cannot drift from what the tests call valid.
TEST_CASE("the GGUF fuzz seed is the writer's valid file", "[gguf]") {
  auto seed = read_file(fixtures_dir() + "/gguf/valid.gguf");
  if (std::getenv("MP_WRITE_GGUF_SEED")) {
    FILE* f = std::fopen((fixtures_dir() + "/gguf/valid.gguf").c_str(), "wb");
    auto b = valid().bytes();
    std::fwrite(b.data(), 1, b.size(), f);
    std::fclose(f);
    seed = b;
  }
  CHECK(seed == valid().bytes());
}
