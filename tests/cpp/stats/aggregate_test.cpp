// aggregate(): outlier tensors (issue 12) are named per tensor and kept out of the pooled fits,
// including a tensor alone in its component, where the component's own alpha check cannot see it.
#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "stats/aggregate.h"
#include "stats/kernel.h"

using namespace mp;

namespace {

struct Built {
  std::deque<std::string> names;  // what the matched tensors' names view (a deque: they stay put)
  MatchResult match;
  std::vector<TensorResult> tensors;
};

// One tensor of C = B + alpha (A - B) over random B and delta; `alter` may edit C afterwards.
void add_tensor(Built& b, Component comp, int layer, const std::string& name, double alpha, uint32_t seed,
                void (*alter)(std::vector<float>&) = nullptr) {
  const size_t n = 4096;
  std::mt19937 rng(seed);
  std::normal_distribution<float> w(0, 0.05f), delta(0, 0.002f);
  std::vector<float> B(n), A(n), C(n);
  for (size_t i = 0; i < n; ++i) {
    B[i] = w(rng);
    A[i] = B[i] + delta(rng);
    C[i] = static_cast<float>(B[i] + alpha * (A[i] - B[i]));
  }
  if (alter) alter(C);
  MatchedTensor mt;
  mt.cls.component = comp;
  mt.cls.layer = layer;
  mt.name = b.names.emplace_back(name);
  b.match.tensors.push_back(mt);
  TensorResult t;
  t.tensor = static_cast<uint32_t>(b.tensors.size());
  t.elements = n;
  const float* a = A.data();
  t.m.k = 1;
  moments_f32(C.data(), B.data(), &a, 1, n, t.m);
  t.est = estimate(t.m, Dtype::F32);
  t.x.k = 1;
  use_robust_alpha(t, 1);
  b.tensors.push_back(t);
}

void set_64_to_50(std::vector<float>& c) { for (size_t i = 0; i < 64; ++i) c[i * 61] = 50.0f; }
void set_extreme(std::vector<float>& c) { for (size_t i = 0; i < 64; ++i) c[i * 61] = i % 2 ? 3e38f : 1e20f; }

Built family(void (*alter_embedding)(std::vector<float>&), double embedding_alpha = 0.571) {
  Built b;
  for (int i = 0; i < 8; ++i)
    add_tensor(b, Component::Attention, i / 4, "layers." + std::to_string(i / 4) + ".attn." + std::to_string(i), 0.571, 10 + i);
  for (int i = 0; i < 4; ++i)
    add_tensor(b, Component::Mlp, i / 2, "layers." + std::to_string(i / 2) + ".mlp." + std::to_string(i), 0.571, 30 + i);
  add_tensor(b, Component::Embedding, -1, "embed_tokens.weight", embedding_alpha, 99, alter_embedding);
  return b;
}

}  // namespace

TEST_CASE("a lone embedding tensor with 64 altered values is an outlier, out of the pooled alpha", "[aggregate]") {
  for (auto alter : {set_64_to_50, set_extreme}) {
    Built b = family(alter);
    Aggregates agg = aggregate(b.match, b.tensors, 1, Dtype::F32);
    CHECK(b.tensors.back().outlier);
    for (size_t i = 0; i + 1 < b.tensors.size(); ++i) CHECK_FALSE(b.tensors[i].outlier);
    CHECK(agg.overall.outliers == 1);
    CHECK(agg.overall.usable == 12);
    CHECK(agg.overall.est.alpha[0] == Approx(0.571).margin(0.01));
    CHECK(agg.overall.est.cos_fit > 0.99);
  }
}

TEST_CASE("a lone component with its own alpha that still fits is not an outlier", "[aggregate]") {
  // mergekit filters give a component its own weight: the run-wide check compares cos_fit only.
  Built b = family(nullptr, 0.2);
  Aggregates agg = aggregate(b.match, b.tensors, 1, Dtype::F32);
  CHECK(agg.overall.outliers == 0);
  CHECK(agg.overall.usable == 13);
}
