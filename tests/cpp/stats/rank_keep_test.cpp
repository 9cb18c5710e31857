// DELLA's rank test (stats/rank_keep.h): the ranks della_magprune gives, the rows read, and the
// keep line's slope and middle on masks drawn here, per row, with a known epsilon.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "stats/rank_keep.h"
#include "test_support.h"

TEST_CASE("rank_keep: ranks within a row, normalised 0 to 1, ties in index order", "[rank]") {
  const std::vector<float> b = {0, 0, 0, 0, 0}, a = {0.3f, -0.1f, 0.2f, -0.2f, 0.0f};
  std::vector<float> q;
  mp::rank_norm(a.data(), b.data(), a.size(), q);
  // |d| = 0.3, 0.1, 0.2, 0.2, 0: ranks 4, 1, 2, 3, 0 of 0..4
  REQUIRE(q.size() == 5);
  CHECK(q[0] == 1.0f);
  CHECK(q[1] == 0.25f);
  CHECK(q[2] == 0.5f);
  CHECK(q[3] == 0.75f);
  CHECK(q[4] == 0.0f);
  mp::rank_norm(a.data(), b.data(), 1, q);  // one element: rank 0, no division by zero
  CHECK(q[0] == 0.0f);
}

TEST_CASE("rank_keep: whole rows, at most kRankedMaxElements ranked, a long row or short sample as one", "[rank]") {
  const mp::RankedRows rows(1 << 18, 512);
  CHECK(rows.row == 512);
  CHECK(rows.len == 512);
  CHECK(rows.rows == 512);
  CHECK((rows.rows + rows.step - 1) / rows.step * rows.len <= mp::kRankedMaxElements);
  const mp::RankedRows longrow(1 << 18, 1 << 17);  // two rows longer than the limit: a prefix of each
  CHECK(longrow.len == mp::kRankedMaxElements);
  CHECK(longrow.rows == 2);
  const mp::RankedRows prefix(1000, 4096);  // the sample is shorter than its row: ranked as one row
  CHECK(prefix.row == 1000);
  CHECK(prefix.rows == 1);
  const mp::RankedRows none(0, 64);
  CHECK(none.rows == 0);
}

TEST_CASE("rank_keep: one parent, DELLA's slope is 2 epsilon and its middle the density, DARE's slope 0", "[rank]") {
  const size_t rows = 256, row = 128, n = rows * row;
  std::mt19937 rng(3);
  std::normal_distribution<float> base(0.0f, 0.05f), dl(0.0f, 0.01f);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<float> b(n), a(n), q;
  for (size_t e = 0; e < n; ++e) {
    b[e] = base(rng);
    a[e] = b[e] + dl(rng);
  }
  for (const double eps : {0.0, 0.1}) {
    INFO("epsilon " << eps);
    const double rho = 0.4, w = 0.5;
    std::vector<float> c(n);
    for (size_t r = 0; r < rows; ++r) {
      mp::rank_norm(a.data() + r * row, b.data() + r * row, row, q);
      for (size_t j = 0; j < row; ++j) {
        const size_t e = r * row + j;
        const bool kept = u(rng) < rho - eps + 2 * eps * q[j];
        c[e] = kept ? float(b[e] + w / rho * (double(a[e]) - b[e])) : b[e];
      }
    }
    mp::StreamView C = mp_test::f32_view(c);
    C.row_len = row;
    mp::LineSums s;
    mp::rank_keep_one(C, mp_test::f32_view(b), mp_test::f32_view(a), w / rho, s);
    REQUIRE(s.n > 10000);
    CHECK(s.slope() / 2 == Approx(eps).margin(0.015));
    CHECK(s.at(0.5) == Approx(rho).margin(0.015));
  }
}
