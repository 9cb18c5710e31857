// The moments kernel: SIMD == scalar twin, both == an f64 reference, NaN/Inf handling, accumulate()
// over mixed dtypes, and proof that -msimd128 reached the core in wasm builds.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "stats/kernel.h"
#include "test_support.h"

using mp::Dtype;
using mp::Moments;
using mp::StreamView;

namespace {

uint16_t to_bf16_bits(float x) {
  const float r = mp_test::bf16_round(x);
  uint32_t u;
  std::memcpy(&u, &r, 4);
  return static_cast<uint16_t>(u >> 16);
}
// A merge-like sample: B random, parents B + small deltas, C = B + mix of the deltas + noise.
struct Sample {
  std::vector<float> c, b, a[mp::kMaxParents];
};
Sample make_sample(int k, size_t n, uint32_t seed, bool round_bf16) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0.0f, 0.05f), dl(0.0f, 0.004f), noise(0.0f, 0.0005f);
  Sample s;
  s.c.resize(n);
  s.b.resize(n);
  for (int j = 0; j < k; ++j) s.a[j].resize(n);
  for (size_t i = 0; i < n; ++i) {
    const float b = w(rng);
    float c = b + noise(rng);
    for (int j = 0; j < k; ++j) {
      const float d = dl(rng);
      s.a[j][i] = b + d;
      c += (0.3f + 0.1f * j) * d;
    }
    s.b[i] = b;
    s.c[i] = c;
    if (i % 97 == 0) s.c[i] = b;  // some exact equalities C == B
    for (int j = 0; j < k; ++j)    // and C == A_j, at a different rate per parent
      if (i % (89 - 6 * j) == 0) s.c[i] = s.a[j][i];
    // Signed zeros: +0 and -0 are equal values but not the same bits, and only the bits count.
    if (i % 211 == 0) {
      s.c[i] = 0.0f;
      s.b[i] = -0.0f;
    }
    if (i % 223 == 0) s.c[i] = s.b[i] = -0.0f;
  }
  if (round_bf16) {
    for (auto& x : s.c) x = mp_test::bf16_round(x);
    for (auto& x : s.b) x = mp_test::bf16_round(x);
    for (int j = 0; j < k; ++j)
      for (auto& x : s.a[j]) x = mp_test::bf16_round(x);
  }
  return s;
}

bool same_bits(float x, float y) { return std::memcmp(&x, &y, 4) == 0; }

// f64 reference of the documented semantics.
Moments reference(const Sample& s, int k) {
  Moments m;
  m.k = k;
  const int nv = k + 2;
  for (size_t i = 0; i < s.c.size(); ++i) {
    double v[mp::kMaxVectors];
    v[0] = static_cast<double>(s.c[i]) - s.b[i];
    for (int j = 0; j < k; ++j) v[1 + j] = static_cast<double>(s.a[j][i]) - s.b[i];
    v[nv - 1] = s.b[i];
    for (int r = 0; r < nv; ++r)
      for (int t = 0; t < nv; ++t) m.gram[r * mp::kMaxVectors + t] += v[r] * v[t];
    m.eq_cb += same_bits(s.c[i], s.b[i]);
    for (int j = 0; j < k; ++j) m.eq_ca[j] += same_bits(s.c[i], s.a[j][i]);
    ++m.n;
  }
  return m;
}

void require_close(const Moments& got, const Moments& want, double rel) {
  REQUIRE(got.k == want.k);
  REQUIRE(got.n == want.n);
  REQUIRE(got.eq_cb == want.eq_cb);
  REQUIRE(got.nonfinite == want.nonfinite);
  for (int j = 0; j < want.k; ++j) REQUIRE(got.eq_ca[j] == want.eq_ca[j]);
  const int nv = want.dim();
  for (int r = 0; r < nv; ++r)
    for (int t = 0; t < nv; ++t) {
      // Scale the tolerance by the Cauchy-Schwarz bound so tiny off-diagonal sums are not held to
      // a relative bound they cannot meet.
      const double scale = std::sqrt(want.g(r, r) * want.g(t, t));
      INFO("entry " << r << "," << t << " got " << got.g(r, t) << " want " << want.g(r, t));
      REQUIRE(std::abs(got.g(r, t) - want.g(r, t)) <= rel * scale + 1e-300);
      REQUIRE(got.g(r, t) == got.g(t, r));
    }
}

// bf16 bit patterns of a sample, placed at `misalign` bytes past the buffer start.
std::vector<uint8_t> bf16_buf(const std::vector<float>& v, size_t misalign) {
  std::vector<uint8_t> out(misalign + 2 * v.size() + 16, 0);
  for (size_t i = 0; i < v.size(); ++i) {
    const uint16_t h = to_bf16_bits(v[i]);
    std::memcpy(out.data() + misalign + 2 * i, &h, 2);
  }
  return out;
}
std::vector<uint8_t> f32_buf(const std::vector<float>& v, size_t misalign) {
  std::vector<uint8_t> out(misalign + 4 * v.size() + 16, 0);
  std::memcpy(out.data() + misalign, v.data(), 4 * v.size());
  return out;
}

}  // namespace

TEST_CASE("the wasm SIMD path is compiled in when building for wasm SIMD", "[kernel]") {
#ifdef __wasm_simd128__
  REQUIRE(mp::kernel_has_simd());
#else
  REQUIRE_FALSE(mp::kernel_has_simd());
#endif
}

TEST_CASE("bf16 kernel: fast path == scalar twin == f64 reference, k = 1..4, odd n, unaligned",
          "[kernel]") {
  for (int k = 0; k <= 4; ++k)
    for (size_t n : {size_t{1}, size_t{7}, size_t{8}, size_t{1023}, size_t{1025}, size_t{5003}})
      for (size_t misalign : {size_t{0}, size_t{1}, size_t{3}}) {
        INFO("k=" << k << " n=" << n << " misalign=" << misalign);
        const Sample s = make_sample(k, n, static_cast<uint32_t>(k * 1000 + n), true);
        const auto c = bf16_buf(s.c, misalign), b = bf16_buf(s.b, misalign);
        std::vector<uint8_t> a[mp::kMaxParents];
        const uint16_t* ap[mp::kMaxParents] = {};
        for (int j = 0; j < k; ++j) {
          a[j] = bf16_buf(s.a[j], misalign);
          ap[j] = reinterpret_cast<const uint16_t*>(a[j].data() + misalign);
        }
        const auto* cp = reinterpret_cast<const uint16_t*>(c.data() + misalign);
        const auto* bp = reinterpret_cast<const uint16_t*>(b.data() + misalign);
        Moments fast, slow;
        mp::moments_bf16(cp, bp, ap, k, n, fast);
        mp::moments_bf16_scalar(cp, bp, ap, k, n, slow);
        const Moments ref = reference(s, k);
        require_close(fast, slow, 1e-5);
        require_close(fast, ref, 1e-5);
        require_close(slow, ref, 1e-5);
      }
}

TEST_CASE("f32 kernel: fast path == scalar twin == f64 reference, k = 1..4, odd n, unaligned",
          "[kernel]") {
  for (int k = 1; k <= 4; ++k)
    for (size_t n : {size_t{3}, size_t{1029}, size_t{4099}})
      for (size_t misalign : {size_t{0}, size_t{2}}) {
        INFO("k=" << k << " n=" << n << " misalign=" << misalign);
        const Sample s = make_sample(k, n, static_cast<uint32_t>(k * 77 + n), false);
        const auto c = f32_buf(s.c, misalign), b = f32_buf(s.b, misalign);
        std::vector<uint8_t> a[mp::kMaxParents];
        const float* ap[mp::kMaxParents] = {};
        for (int j = 0; j < k; ++j) {
          a[j] = f32_buf(s.a[j], misalign);
          ap[j] = reinterpret_cast<const float*>(a[j].data() + misalign);
        }
        const auto* cp = reinterpret_cast<const float*>(c.data() + misalign);
        const auto* bp = reinterpret_cast<const float*>(b.data() + misalign);
        Moments fast, slow;
        mp::moments_f32(cp, bp, ap, k, n, fast);
        mp::moments_f32_scalar(cp, bp, ap, k, n, slow);
        const Moments ref = reference(s, k);
        require_close(fast, slow, 1e-5);
        require_close(fast, ref, 1e-5);
      }
}

TEST_CASE("equality counts do not wrap when every element of many blocks is equal", "[kernel]") {
  // The SIMD path counts equalities per flush block in byte lanes: a block of all-equal elements
  // is the most a lane ever holds.
  const size_t n = 5 * mp::kFlushBlock + 8;
  for (int k = 0; k <= 4; ++k) {
    INFO("k=" << k);
    std::vector<uint16_t> v16(n, 0x3c00);  // 0.0078125 in bf16
    std::vector<float> v32(n, 0.25f);
    const uint16_t* a16[mp::kMaxParents] = {};
    const float* a32[mp::kMaxParents] = {};
    for (int j = 0; j < k; ++j) {
      a16[j] = v16.data();
      a32[j] = v32.data();
    }
    Moments m16, m32;
    mp::moments_bf16(v16.data(), v16.data(), a16, k, n, m16);
    mp::moments_f32(v32.data(), v32.data(), a32, k, n, m32);
    for (const Moments* m : {&m16, &m32}) {
      REQUIRE(m->n == n);
      REQUIRE(m->eq_cb == n);
      for (int j = 0; j < k; ++j) REQUIRE(m->eq_ca[j] == n);
    }
  }
}

TEST_CASE("f32 lanes flushed every kFlushBlock keep the error bounded on 10M elements",
          "[kernel]") {
  const size_t n = 10'000'000;
  const Sample s = make_sample(1, n, 42, true);
  std::vector<uint16_t> c(n), b(n), a(n);
  for (size_t i = 0; i < n; ++i) {
    c[i] = to_bf16_bits(s.c[i]);
    b[i] = to_bf16_bits(s.b[i]);
    a[i] = to_bf16_bits(s.a[0][i]);
  }
  const uint16_t* ap[1] = {a.data()};
  Moments fast, slow;
  mp::moments_bf16(c.data(), b.data(), ap, 1, n, fast);
  mp::moments_bf16_scalar(c.data(), b.data(), ap, 1, n, slow);
  const Moments ref = reference(s, 1);
  // Without the flush, an f32 running sum over 10M terms would lose ~3 digits; with it the error
  // is that of 1024-term f32 sums, ~1e-6 relative or better.
  require_close(fast, ref, 2e-6);
  require_close(slow, ref, 2e-6);
  // and the quantity the estimators divide by is accurate to far better than alpha needs
  REQUIRE(std::abs(fast.g(0, 1) / fast.g(1, 1) - ref.g(0, 1) / ref.g(1, 1)) < 1e-6);
}

TEST_CASE("NaN and Inf elements are left out and counted, not spread over the result", "[kernel]") {
  const size_t n = 3000;
  Sample s = make_sample(1, n, 7, true);
  s.c[5] = std::numeric_limits<float>::quiet_NaN();
  s.b[1500] = std::numeric_limits<float>::infinity();
  s.a[0][2999] = -std::numeric_limits<float>::infinity();
  // Reference: the same sample without the three bad elements.
  Sample kept;
  for (size_t i = 0; i < n; ++i) {
    if (i == 5 || i == 1500 || i == 2999) continue;
    kept.c.push_back(s.c[i]);
    kept.b.push_back(s.b[i]);
    kept.a[0].push_back(s.a[0][i]);
  }
  Moments want = reference(kept, 1);
  want.nonfinite = 3;

  const auto c = bf16_buf(s.c, 0), b = bf16_buf(s.b, 0), a = bf16_buf(s.a[0], 0);
  const uint16_t* ap[1] = {reinterpret_cast<const uint16_t*>(a.data())};
  Moments fast, slow;
  mp::moments_bf16(reinterpret_cast<const uint16_t*>(c.data()),
                   reinterpret_cast<const uint16_t*>(b.data()), ap, 1, n, fast);
  mp::moments_bf16_scalar(reinterpret_cast<const uint16_t*>(c.data()),
                          reinterpret_cast<const uint16_t*>(b.data()), ap, 1, n, slow);
  require_close(fast, want, 1e-5);
  require_close(slow, want, 1e-5);

  // f32 values too large for f32 products are finite inputs: recovered in f64, none counted.
  std::vector<float> big_c = {3e30f, 1.0f}, big_b = {1e30f, 0.5f}, big_a = {2e30f, 0.75f};
  const float* bap[1] = {big_a.data()};
  Moments m;
  mp::moments_f32(big_c.data(), big_b.data(), bap, 1, 2, m);
  REQUIRE(m.nonfinite == 0);
  REQUIRE(m.n == 2);
  REQUIRE(m.g(0, 0) == Approx(4e60 + 0.25));
  REQUIRE(m.g(0, 1) == Approx(2e60 + 0.125));
}

TEST_CASE("accumulate: bf16 and f32 fast paths, mixed dtypes and FP8 scales decode", "[kernel]") {
  const size_t n = 2500;
  const Sample s = make_sample(2, n, 99, true);
  const Moments ref = reference(s, 2);

  // all bf16, unaligned
  const auto c = bf16_buf(s.c, 1), b = bf16_buf(s.b, 1), a0 = bf16_buf(s.a[0], 1),
             a1 = bf16_buf(s.a[1], 1);
  auto view = [n](const std::vector<uint8_t>& v, size_t off, Dtype dt) {
    StreamView sv;
    sv.data = v.data() + off;
    sv.dtype = dt;
    sv.count = n;
    return sv;
  };
  StreamView A[2] = {view(a0, 1, Dtype::BF16), view(a1, 1, Dtype::BF16)};
  Moments m;
  mp::accumulate(view(c, 1, Dtype::BF16), view(b, 1, Dtype::BF16), A, 2, m);
  require_close(m, ref, 1e-5);

  // mixed: C bf16, B and A_1 f32, A_2 bf16 -> decode path, same values
  const auto bf = f32_buf(s.b, 3), a0f = f32_buf(s.a[0], 3);
  StreamView Am[2] = {view(a0f, 3, Dtype::F32), view(a1, 1, Dtype::BF16)};
  Moments mm;
  mp::accumulate(view(c, 1, Dtype::BF16), view(bf, 3, Dtype::F32), Am, 2, mm);
  require_close(mm, ref, 1e-5);

  // Pooling two halves gives the whole.
  StreamView c1 = view(c, 1, Dtype::BF16), b1 = view(b, 1, Dtype::BF16);
  StreamView h[2] = {A[0], A[1]};
  c1.count = b1.count = h[0].count = h[1].count = 1000;
  Moments first;
  mp::accumulate(c1, b1, h, 2, first);
  const size_t rest = n - 1000;
  StreamView c2 = view(c, 1 + 2000, Dtype::BF16), b2 = view(b, 1 + 2000, Dtype::BF16);
  StreamView h2[2] = {view(a0, 1 + 2000, Dtype::BF16), view(a1, 1 + 2000, Dtype::BF16)};
  c2.count = b2.count = h2[0].count = h2[1].count = rest;
  Moments second;
  mp::accumulate(c2, b2, h2, 2, second);
  first.add(second);
  require_close(first, ref, 1e-5);
}

TEST_CASE("accumulate: FP8 streams with block scales equal the dequantised f32 values",
          "[kernel]") {
  // 4 rows x 8 cols, blocks of 2x4; all E4M3 bytes are small values times per-block scales.
  const size_t rows = 4, cols = 8, n = rows * cols;
  const float scales[2][2] = {{0.5f, 0.25f}, {2.0f, 1.0f}};
  std::vector<uint8_t> sc(sizeof scales);
  std::memcpy(sc.data(), scales, sizeof scales);
  std::vector<uint8_t> cq(n), bq(n), aq(n);
  for (size_t i = 0; i < n; ++i) {
    bq[i] = static_cast<uint8_t>(0x30 + (i % 7));  // E4M3 values near 0.5..0.9
    aq[i] = static_cast<uint8_t>(0x30 + ((i + 2) % 7));
    cq[i] = static_cast<uint8_t>(i % 3 == 0 ? bq[i] : aq[i]);
  }
  auto fp8 = [&](const std::vector<uint8_t>& q) {
    StreamView v;
    v.data = q.data();
    v.dtype = Dtype::F8_E4M3;
    v.count = n;
    v.scale = sc.data();
    v.scale_dtype = Dtype::F32;
    v.row_len = cols;
    v.block_rows = 2;
    v.block_cols = 4;
    return v;
  };
  // Reference from decode_one (tested in decode_test) through the f64 reference.
  Sample s;
  const StreamView C = fp8(cq), B = fp8(bq);
  StreamView A[1] = {fp8(aq)};
  for (size_t i = 0; i < n; ++i) {
    s.c.push_back(static_cast<float>(mp::decode_one(C, i)));
    s.b.push_back(static_cast<float>(mp::decode_one(B, i)));
    s.a[0].push_back(static_cast<float>(mp::decode_one(A[0], i)));
  }
  REQUIRE(s.b[0] == 0.5f * 0.5f);  // 0x30 = 0.5, block (0,0) scale 0.5
  Moments m;
  mp::accumulate(C, B, A, 1, m);
  require_close(m, reference(s, 1), 1e-6);
  REQUIRE(m.eq_cb == 11);  // i % 3 == 0 for i in [0, 32)
}
