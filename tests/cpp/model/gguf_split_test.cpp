// Split GGUF sets (model/gguf_split.h): a whole set passes; a missing part is named; parts that
// disagree on split.count, on their number or on the tensor total are refused.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "format/gguf.h"
#include "gguf_writer.h"
#include "model/gguf_split.h"
#include "test_support.h"

using namespace mp;
using namespace mp_test;

namespace {

// Part `no` (0-based) of `count`, with one F32 tensor and split.tensors.count = `total`.
ModelFile part(const std::string& name, int no, int count, int total, bool keys = true) {
  GgufWriter w;
  if (keys) {
    w.kv_u16("split.no", static_cast<uint16_t>(no));
    w.kv_u16("split.count", static_cast<uint16_t>(count));
    w.kv_i32("split.tensors.count", total);
  }
  w.tensor({"t" + std::to_string(no), {4}, 0, std::vector<uint8_t>(16, 0), std::nullopt});
  const auto bytes = w.bytes();
  auto h = parse_gguf(bytes.data(), bytes.size(), bytes.size());
  REQUIRE(h.has_value());
  return {name, bytes.size(), h.value()};
}

std::string check(const std::vector<ModelFile>& files) {
  Model m;
  m.files = files;
  return check_gguf_split_set(m, "suspect").message;
}

}  // namespace

TEST_CASE("split GGUF sets: whole, missing parts, disagreeing parts", "[gguf_split]") {
  const std::string s = "dir/m-Q4_K_M";
  auto p = [&](int no, int count, int total = 3) {
    return part(s + "-0000" + std::to_string(no + 1) + "-of-0000" + std::to_string(count) + ".gguf", no, count, total);
  };
  CHECK(check({p(0, 3), p(1, 3), p(2, 3)}) == "");
  CHECK(check({p(2, 3), p(0, 3), p(1, 3)}) == "");  // order does not matter
  CHECK(check({part("dir/m.gguf", 0, 1, 1, false)}) == "");  // one ordinary file
  CHECK(check({p(0, 3), p(2, 3)}) == "suspect: the split GGUF set has 3 parts; missing: dir/m-Q4_K_M-00002-of-00003.gguf");
  CHECK(check({p(0, 3)}) == "suspect: the split GGUF set has 3 parts; missing: dir/m-Q4_K_M-00002-of-00003.gguf, "
                            "dir/m-Q4_K_M-00003-of-00003.gguf");
  // The parts disagree: count, numbering against the name, a part twice, the tensor total.
  CHECK(check({p(0, 3), p(1, 2, 2)}).find("says split.count 2") != std::string::npos);
  CHECK(check({p(0, 2, 2), part(s + "-00001-of-00002.gguf", 1, 2, 2)}).find("not what its name says") != std::string::npos);
  CHECK(check({p(0, 2, 2), part("dir/x.gguf", 0, 2, 2)}).find("are both part 1") != std::string::npos);
  CHECK(check({p(0, 2, 5), p(1, 2, 5)}) == "suspect: split.tensors.count is 5 but the 2 parts hold 2 tensors");
  // A part without split keys, or two unrelated files.
  CHECK(check({p(0, 2, 2), part("dir/other.gguf", 0, 1, 1, false)}).find("has no split.no / split.count keys") !=
        std::string::npos);
  CHECK(check({part(s + "-00001-of-00002.gguf", 0, 1, 1, false)}).find("not a part of a split GGUF set") !=
        std::string::npos);
}
