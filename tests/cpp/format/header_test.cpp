// safetensors header reader: the golden fixtures in tests/fixtures/header (expected.json names the
// outcome of each file), focused tests of check order, messages and 64-bit offsets, and the real
// checkpoints in shared/real-models.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "format/safetensors_header.h"
#include "simdjson.h"
#include "golden_check.h"
#include "test_support.h"

using namespace mp;
using mp_test::padded;

namespace {

Result<Header> parse_bytes(const std::vector<uint8_t>& bytes) {
  auto p = padded(bytes);
  return parse_header(p.data(), p.size, p.size);
}

Result<Header> parse_text(const std::string& json, uint64_t data_bytes) {
  std::vector<uint8_t> file(8 + json.size() + data_bytes, 0);
  uint64_t n = json.size();
  for (int i = 0; i < 8; ++i) file[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(file.data() + 8, json.data(), json.size());
  return parse_bytes(file);
}

std::string code_of(const Result<Header>& r) { return r ? "ok" : error_code_name(r.error().code); }

}  // namespace

TEST_CASE("every header fixture parses to its expected outcome", "[header]") {
  const std::string dir = mp_test::fixtures_dir() + "/header";
  const auto golden = mp_test::read_golden_folder(dir);
  REQUIRE(golden.ok);
  const auto& expected = golden.expected;
  REQUIRE(expected.size() >= 60);

  mp_test::check_every_fixture_listed(golden);  // a new fixture cannot go untested

  for (const auto& [name, want] : expected) {
    INFO(name);
    auto bytes = mp_test::read_file(dir + "/" + name);
    REQUIRE((!bytes.empty() || name.find("empty.safetensors") != std::string::npos));
    auto r = parse_bytes(bytes);
    CHECK(code_of(r) == want);
    if (!r) {
      // Messages start with the rule's name.
      CHECK(r.error().message.rfind(want + ":", 0) == 0);
    } else {
      // Tensors come out contiguous from 0 to the end of the file, in offset order.
      uint64_t at = 0;
      for (const auto& t : r->tensors) {
        CHECK(t.begin == at);
        at = t.end;
      }
      CHECK(r->data_start() + at == bytes.size());
    }
  }
}

TEST_CASE("header fixtures read in two steps like the hub client (first 100,000 bytes, then 8+N)", "[header]") {
  const std::string dir = mp_test::fixtures_dir() + "/header";
  const auto golden = mp_test::read_golden_folder(dir);
  REQUIRE(golden.ok);
  int second_reads = 0;
  for (const auto& [name, want] : golden.expected) {
    if (want != "ok") continue;
    INFO(name);
    auto bytes = mp_test::read_file(dir + "/" + name);
    size_t first = std::min<size_t>(bytes.size(), 100'000);
    auto p = padded(std::vector<uint8_t>(bytes.begin(), bytes.begin() + first));
    uint64_t needed = 0;
    auto r = parse_header(p.data(), p.size, bytes.size(), &needed);
    if (!r) {
      REQUIRE(r.error().code == ErrorCode::NeedMoreBytes);
      CHECK(needed > first);
      CHECK(needed <= bytes.size());
      ++second_reads;
      auto p2 = padded(std::vector<uint8_t>(bytes.begin(), bytes.begin() + needed));
      auto r2 = parse_header(p2.data(), p2.size, bytes.size(), &needed);
      REQUIRE(r2);
      CHECK(r2->data_start() == needed);
    }
  }
  CHECK(second_reads == 1);  // ok_header_over_100kb
}

TEST_CASE("read_header_length applies checks 1-3 and nothing else", "[header]") {
  uint8_t b[8] = {16, 0, 0, 0, 0, 0, 0, 0};
  auto r = read_header_length(b, 8, 100);
  REQUIRE(r);
  CHECK(r.value() == 16);
  CHECK(read_header_length(b, 8, 7).error().code == ErrorCode::HeaderTooSmall);
  CHECK(read_header_length(b, 8, 23).error().code == ErrorCode::InvalidHeaderLength);
  CHECK(read_header_length(b, 8, 24));
  CHECK(read_header_length(b, 4, 100).error().code == ErrorCode::NeedMoreBytes);

  uint8_t big[8] = {0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0};  // 100,000,001
  auto too_large = read_header_length(big, 8, UINT64_MAX);
  CHECK(too_large.error().code == ErrorCode::HeaderTooLarge);
  CHECK(too_large.error().message == "HeaderTooLarge: header length 100000001 exceeds the 100000000-byte limit");
  big[0] = 0x00;  // exactly 100,000,000 is allowed
  CHECK(read_header_length(big, 8, 200'000'000).value() == 100'000'000);
  uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  CHECK(read_header_length(ff, 8, UINT64_MAX).error().code == ErrorCode::HeaderTooLarge);
}

TEST_CASE("NeedMoreBytes reports how many bytes to read", "[header]") {
  std::string json = R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}})";
  std::vector<uint8_t> file(8 + json.size() + 4, 7);
  for (int i = 0; i < 8; ++i) file[i] = static_cast<uint8_t>(static_cast<uint64_t>(json.size()) >> (8 * i));
  std::memcpy(file.data() + 8, json.data(), json.size());

  uint64_t needed = 0;
  auto p = padded(std::vector<uint8_t>(file.begin(), file.begin() + 20));
  auto r = parse_header(p.data(), p.size, file.size(), &needed);
  REQUIRE(!r);
  CHECK(r.error().code == ErrorCode::NeedMoreBytes);
  CHECK(needed == 8 + json.size());

  needed = 0;
  auto p4 = padded(std::vector<uint8_t>(file.begin(), file.begin() + 4));
  CHECK(parse_header(p4.data(), p4.size, file.size(), &needed).error().code == ErrorCode::NeedMoreBytes);
  CHECK(needed == 8);

  // A prefix longer than the file is a caller mistake.
  auto whole = padded(file);
  CHECK(parse_header(whole.data(), whole.size, file.size() - 1).error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("messages name the rule and the tensor", "[header]") {
  const std::string dir = mp_test::fixtures_dir() + "/header/";
  auto msg = [&](const char* file) { return parse_bytes(mp_test::read_file(dir + file)).error().message; };
  CHECK(msg("err_json_attack.safetensors") ==
        "InvalidOffset: tensor 'weight_1' starts at 0, expected 16 (gap or overlap)");
  CHECK(msg("err_invalid_info.safetensors") ==
        "TensorInvalidInfo: tensor 'test': data_offsets [0, 4) hold 4 bytes, but I32 shape needs 16");
  CHECK(msg("err_offsets_gap.safetensors") == "InvalidOffset: tensor 'b' starts at 3, expected 2 (gap or overlap)");
  CHECK(msg("err_offsets_end_before_begin.safetensors") == "InvalidOffset: tensor 'b' ends at 1 before it starts at 2");
  CHECK(msg("err_unknown_dtype.safetensors") == "InvalidHeaderDeserialization: tensor 'w': unknown dtype 'F128'");
  CHECK(msg("err_duplicate_tensor_name.safetensors") == "InvalidHeaderDeserialization: duplicate tensor name 'w'");
  CHECK(msg("err_metadata_non_string.safetensors") ==
        "InvalidHeaderDeserialization: __metadata__ value of 'step' is not a string (only strings are allowed)");
  CHECK(msg("err_shape_negative.safetensors") ==
        "InvalidHeaderDeserialization: tensor 'w': shape dim must be a non-negative integer below 2^64, got -1");
  CHECK(msg("err_shape_float.safetensors") ==
        "InvalidHeaderDeserialization: tensor 'w': shape dim must be a non-negative integer below 2^64, got 2.0");
  CHECK(msg("err_offsets_three.safetensors") ==
        "InvalidHeaderDeserialization: tensor 'w': data_offsets must hold exactly two integers, got more");
  CHECK(msg("err_offsets_one.safetensors") ==
        "InvalidHeaderDeserialization: tensor 'w': data_offsets must hold exactly two integers, got 1");
  CHECK(msg("err_shape_too_many_dims.safetensors") ==
        "InvalidHeaderDeserialization: tensor 'w': shape has more than 1024 dims");
  CHECK(msg("err_fp4_misaligned.safetensors") ==
        "MisalignedSlice: tensor 'w': 3 elements of F4 are 12 bits, not a whole number of bytes");
  CHECK(msg("err_validation_overflow_u64.safetensors") ==
        "ValidationOverflow: tensor 'test': the product of the shape overflows 64 bits");
  CHECK(msg("err_validation_overflow_bits.safetensors") ==
        "ValidationOverflow: tensor 'test': 18446744073709551614 elements of I32 overflow 64 bits");
  CHECK(msg("err_invalid_header_non_utf8.safetensors") == "InvalidHeader: the header is not valid UTF-8");
  CHECK(msg("err_metadata_incomplete_buffer_trailing.safetensors") ==
        "MetadataIncompleteBuffer: tensors end at data byte 16 but the file holds 21 data bytes (trailing bytes)");
  CHECK(msg("err_metadata_incomplete_buffer_truncated.safetensors") ==
        "MetadataIncompleteBuffer: tensors end at data byte 16 but the file holds 14 data bytes (truncated file)");
  CHECK(msg("err_header_too_small_empty.safetensors") ==
        "HeaderTooSmall: the file has 0 bytes, fewer than the 8-byte header length");
  CHECK(msg("err_invalid_header_length_n60.safetensors") ==
        "InvalidHeaderLength: header length 60 runs past the end of a 8-byte file");
  std::string dims = "1";
  for (int i = 1; i < 1024; ++i) dims += ",1";
  CHECK(code_of(parse_text(R"({"w":{"dtype":"U8","shape":[)" + dims + R"(],"data_offsets":[0,1]}})", 1)) == "ok");
  // Long names are cut in messages (a hostile header can make them megabytes long).
  std::string long_name(5000, 'x');
  auto r = parse_text("{\"" + long_name + "\":{\"dtype\":\"Q\",\"shape\":[],\"data_offsets\":[0,0]}}", 0);
  CHECK(r.error().message.size() < 400);
}

TEST_CASE("checks run in the reference reader's order", "[header]") {
  // UTF-8 (4) before JSON (5).
  CHECK(code_of(parse_text("{\xff", 0)) == "InvalidHeader");
  // Schema (5) for a later tensor before offsets (6) of an earlier one.
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},)"
                           R"("b":{"dtype":"X","shape":[2],"data_offsets":[3,5]}})", 5)) == "InvalidHeaderDeserialization");
  // Duplicates (5) before offsets (6), although the duplicate also leaves a gap.
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                           R"("a":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})", 6)) == "InvalidHeaderDeserialization");
  // Per tensor in offset order: the first tensor's size error wins over the second one's gap.
  CHECK(code_of(parse_text(R"({"b":{"dtype":"U8","shape":[2],"data_offsets":[9,11]},)"
                           R"("a":{"dtype":"U8","shape":[3],"data_offsets":[0,2]}})", 11)) == "TensorInvalidInfo");
  // Within a tensor: offsets before overflow, overflow before alignment, alignment before size.
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[18446744073709551615,2],"data_offsets":[1,2]}})", 2)) == "InvalidOffset");
  CHECK(code_of(parse_text(R"({"a":{"dtype":"F4","shape":[18446744073709551615,2],"data_offsets":[0,2]}})", 2)) == "ValidationOverflow");
  CHECK(code_of(parse_text(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,9]}})", 9)) == "MisalignedSlice");
  // A zero in the shape after an overflowing prefix still overflows (left-to-right checked product).
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", 0)) == "ValidationOverflow");
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", 0)) == "ok");
  // Every tensor valid, then the buffer length (8).
  CHECK(code_of(parse_text(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})", 3)) == "MetadataIncompleteBuffer");
}

TEST_CASE("offsets past 4 GiB stay exact (wasm32 size_t is 32 bits)", "[header]") {
  // Only the header is in memory; the file is said to be 12 GB.
  const uint64_t a = 5'000'000'000ull, b = 2ull * 3'500'000'000ull;
  std::string json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + std::to_string(a) + "],\"data_offsets\":[0," +
                     std::to_string(a) + "]},\"bigger\":{\"dtype\":\"BF16\",\"shape\":[3500000000],\"data_offsets\":[" +
                     std::to_string(a) + "," + std::to_string(a + b) + "]}}";
  std::vector<uint8_t> prefix(8 + json.size());
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<uint8_t>(static_cast<uint64_t>(json.size()) >> (8 * i));
  std::memcpy(prefix.data() + 8, json.data(), json.size());
  auto p = padded(prefix);
  const uint64_t file_size = 8 + json.size() + a + b;
  auto r = parse_header(p.data(), p.size, file_size);
  REQUIRE(r);
  REQUIRE(r->tensors.size() == 2);
  CHECK(r->name(1) == "bigger");
  CHECK(r->tensors[1].begin == a);
  CHECK(r->tensors[1].end == a + b);
  CHECK(r->tensors[1].elements() == 3'500'000'000ull);
  CHECK(r->data_start() + r->tensors[1].end == file_size);
  CHECK(code_of(parse_header(p.data(), p.size, file_size + 1)) == "MetadataIncompleteBuffer");
}

TEST_CASE("valid edge cases parse to the right values", "[header]") {
  const std::string dir = mp_test::fixtures_dir() + "/header/";
  auto ok = [&](const char* file) {
    auto r = parse_bytes(mp_test::read_file(dir + file));
    INFO(file << ": " << (r ? "" : r.error().message));
    REQUIRE(r);
    return r.value();
  };

  auto all = ok("ok_all_dtypes.safetensors");
  REQUIRE(all.tensors.size() == 22);
  for (const auto& t : all.tensors) {
    INFO(all.name(t));
    CHECK(all.name(t) == std::string("t_") + dtype_name(t.dtype));
    CHECK(t.shape == std::vector<uint64_t>{2, 4});
    CHECK(t.end - t.begin == 8 * dtype_bits(t.dtype) / 8);
  }

  auto meta = ok("ok_metadata.safetensors");
  REQUIRE(meta.metadata.size() == 2);
  CHECK(meta.metadata[0] == std::make_pair(std::string("format"), std::string("pt")));
  CHECK(meta.metadata[1].second == "caf\xc3\xa9 \xe2\x98\x83");
  CHECK(meta.tensors.at(0).dtype == Dtype::BF16);
  CHECK(ok("ok_metadata_null.safetensors").metadata.empty());

  auto scalar = ok("ok_scalar_shape.safetensors");
  CHECK(scalar.tensors.at(0).shape.empty());
  CHECK(scalar.tensors.at(0).elements() == 1);
  CHECK(scalar.tensors.at(0).end == 4);

  auto zero = ok("ok_zero_sized.safetensors");
  REQUIRE(zero.tensors.size() == 3);
  CHECK(zero.name(1) == "empty");  // [8, 8): after 'a', stable among equal offsets
  CHECK(zero.tensors[1].begin == 8);
  CHECK(zero.tensors[1].end == 8);
  CHECK(zero.tensors[1].elements() == 0);

  auto empty = ok("ok_empty_header.safetensors");
  CHECK(empty.tensors.empty());
  CHECK(empty.data_start() == 8 + 2);
  CHECK(ok("ok_leading_whitespace_padding.safetensors").tensors.at(0).end == 12);
  CHECK(ok("ok_f4_logical_shape.safetensors").tensors.at(0).end == 4);  // 8 logical F4 = 4 bytes
  auto f6 = ok("ok_f6.safetensors");
  CHECK(f6.tensors.at(0).dtype == Dtype::F6_E2M3);
  CHECK(f6.tensors.at(1).end - f6.tensors.at(1).begin == 6);
  auto c64 = ok("ok_c64.safetensors");
  CHECK(c64.tensors.at(0).dtype == Dtype::C64);
  CHECK(c64.tensors.at(0).end == 48);
  auto fp8 = ok("ok_f8_e4m3_f32_scale.safetensors");
  CHECK(fp8.tensors.at(0).dtype == Dtype::F8_E4M3);
  CHECK(fp8.name(1) == "model.layers.0.mlp.up_proj.weight_scale_inv");
  CHECK(fp8.tensors.at(1).dtype == Dtype::F32);
  CHECK(ok("ok_f8_e4m3_bf16_scale.safetensors").tensors.at(1).dtype == Dtype::BF16);
  CHECK(ok("ok_f8_e8m0.safetensors").tensors.at(0).dtype == Dtype::F8_E8M0);

  auto esc = ok("ok_escaped_names.safetensors");
  CHECK(esc.name(0) == "a\"b\xc3\xa9\n");
  CHECK(esc.name(1) == "\xf0\x9f\x98\x80");
  auto unsorted = ok("ok_unsorted_entries.safetensors");
  CHECK(unsorted.name(0) == "first");
  CHECK(unsorted.name(1) == "second");
  CHECK(ok("ok_header_over_100kb.safetensors").data_start() > 8 + 100'000);
}

TEST_CASE("the real BERT and llama checkpoints parse", "[header]") {
  struct Model { const char* folder; size_t tensors; uint64_t params; };
  const Model models[] = {
      {"bert-tiny-fhe-v0-weights", 24, 395'520},  {"bert-tiny-sst2-fhe", 28, 412'290},
      {"bert-tiny-emotion-fhe", 28, 412'806},     {"stories260K", 47, 260'032},
      {"llama2xs-tinystories-scratch", 47, 279'232}, {"tinystories-656k", 20, 656'000},
  };
  for (const auto& m : models) {
    INFO(m.folder);
    auto bytes = mp_test::read_file(mp_test::real_models_dir() + "/" + m.folder + "/model.safetensors");
    REQUIRE(!bytes.empty());
    auto r = parse_bytes(bytes);
    INFO((r ? "" : r.error().message));
    REQUIRE(r);
    CHECK(r->tensors.size() == m.tensors);
    uint64_t params = 0;
    for (const auto& t : r->tensors) {
      CHECK(t.dtype == Dtype::F32);
      params += t.elements();
    }
    CHECK(params == m.params);
  }
}
