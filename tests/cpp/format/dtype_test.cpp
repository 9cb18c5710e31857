// The dtype table and the error code names.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "format/dtype.h"
#include "error.h"

using namespace mp;

TEST_CASE("every dtype of the safetensors table round-trips with its bit width", "[dtype]") {
  struct Row { const char* name; unsigned bits; };
  const Row rows[] = {
      {"BOOL", 8}, {"U8", 8}, {"I8", 8}, {"F8_E4M3", 8}, {"F8_E5M2", 8}, {"F8_E4M3FNUZ", 8},
      {"F8_E5M2FNUZ", 8}, {"F8_E8M0", 8}, {"I16", 16}, {"U16", 16}, {"F16", 16}, {"BF16", 16},
      {"I32", 32}, {"U32", 32}, {"F32", 32}, {"I64", 64}, {"U64", 64}, {"F64", 64}, {"C64", 64},
      {"F4", 4}, {"F6_E2M3", 6}, {"F6_E3M2", 6},
  };
  std::set<int> seen;
  for (const auto& row : rows) {
    INFO(row.name);
    auto d = parse_dtype(row.name);
    REQUIRE(d.has_value());
    CHECK(std::string(dtype_name(*d)) == row.name);
    CHECK(dtype_bits(*d) == row.bits);
    CHECK(dtype_bytes(*d) == (row.bits % 8 == 0 ? row.bits / 8 : 0));
    seen.insert(static_cast<int>(*d));
  }
  CHECK(seen.size() == 22);
}

TEST_CASE("dtype names are exact", "[dtype]") {
  for (const char* bad : {"", "f32", "F32 ", " F32", "FP8", "F8", "E8M0", "FP4", "UE8", "bfloat16", "F128", "F8_E4M3FN"}) {
    INFO(bad);
    CHECK(!parse_dtype(bad).has_value());
  }
}

TEST_CASE("the statistics read exactly the six float dtypes", "[dtype]") {
  std::set<std::string> stats;
  for (int i = 0; i < 22; ++i) {
    auto d = static_cast<Dtype>(i);
    if (dtype_supports_stats(d)) stats.insert(dtype_name(d));
  }
  CHECK(stats == std::set<std::string>{"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"});
}

TEST_CASE("error code names are distinct and spelled as the codes", "[dtype]") {
  CHECK(std::string(error_code_name(ErrorCode::InvalidOffset)) == "InvalidOffset");
  CHECK(std::string(error_code_name(ErrorCode::MetadataIncompleteBuffer)) == "MetadataIncompleteBuffer");
  CHECK(std::string(error_code_name(ErrorCode::IndexTooLarge)) == "IndexTooLarge");
  CHECK(std::string(error_code_name(ErrorCode::NeedMoreBytes)) == "NeedMoreBytes");
  std::set<std::string> names;
  const int last = static_cast<int>(ErrorCode::NeedMoreBytes);
  for (int i = 0; i <= last; ++i) names.insert(error_code_name(static_cast<ErrorCode>(i)));
  CHECK(names.size() == static_cast<size_t>(last + 1));
  CHECK(names.count("Unknown") == 0);
}
