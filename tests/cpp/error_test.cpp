// The error codes' names are the one list JS reads (bindings errorNames()): every code below
// kErrorCodeCount has its own name, and kErrorCodeCount is really the end of the enum.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "error.h"

using namespace mp;

TEST_CASE("every error code below kErrorCodeCount has a distinct name, none past it", "[error]") {
  std::set<std::string> names;
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    std::string n = error_code_name(static_cast<ErrorCode>(i));
    CHECK(n != "Unknown");
    names.insert(n);
  }
  CHECK(names.size() == kErrorCodeCount);
  // A code added after the last one without moving kErrorCodeCount would have a name here.
  CHECK(std::string(error_code_name(static_cast<ErrorCode>(kErrorCodeCount))) == "Unknown");
}

TEST_CASE("error kinds: file rules, comparison, caller mistakes (what engine.mjs maps by hand today)", "[error]") {
  CHECK(std::string(error_kind(ErrorCode::HeaderTooSmall)) == "invalid-file");
  CHECK(std::string(error_kind(ErrorCode::MetadataIncompleteBuffer)) == "invalid-file");
  CHECK(std::string(error_kind(ErrorCode::UnsafeShardPath)) == "invalid-file");
  CHECK(std::string(error_kind(ErrorCode::ShapeMismatch)) == "incomparable");
  CHECK(std::string(error_kind(ErrorCode::NoMatchingTensors)) == "incomparable");
  CHECK(std::string(error_kind(ErrorCode::InvalidArgument)) == "internal");
  CHECK(std::string(error_kind(ErrorCode::NeedMoreBytes)) == "internal");
}
