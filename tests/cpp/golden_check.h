// Catch2 checks shared by the golden-folder tests (header and index fixtures). Kept out of
// test_support.cpp: Catch's string building there trips a g++ 12 -Wrestrict false positive.
#pragma once
#include <catch2/catch.hpp>

#include "test_support.h"

namespace mp_test {

// Every file in the folder is listed in expected.json and nothing else is, so a new fixture cannot
// go untested.
inline void check_every_fixture_listed(const GoldenFolder& golden) {
  for (const auto& name : golden.files) {
    INFO(name);
    CHECK(golden.expected.count(name) == 1);
  }
  CHECK(golden.files.size() == golden.expected.size());
}

}  // namespace mp_test
