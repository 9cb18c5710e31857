#include "stats/aggregate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace mp {
namespace {

// A tensor's alpha counts as an outlier when it is further from its component's median than both
// an absolute floor and a robust multiple of the component's spread. The floor keeps near-identical
// alphas (a clean merge: spread ~0.002) from flagging rounding wobble; the MAD term scales with
// genuinely noisy components.
constexpr double kOutlierFloor = 0.05;
constexpr double kOutlierMads = 6.0;
// A tensor's cos_fit counts as an outlier when it is below the run's median by more than this floor
// and kOutlierMads robust spreads. Set on the real-weight cases (tests/cpp/analysis_test.cpp):
// a clean BERT-tiny 0.571 merge has every tensor at cos_fit 1.000 (spread 0), the same merge with 64
// values of one mlp weight set to 50 gives that tensor 0.004; the core eval's independent
// fine-tunes spread 0.1-0.6 per tensor, where the MAD term, not the floor, decides.
constexpr double kCosOutlierFloor = 0.3;

bool alpha_counts(const TensorResult* t) { return !t->est.degenerate && !t->rounding_dominated; }

// Moments or estimates that are not finite numbers, or elements the kernel had to drop as NaN/Inf
// (values near the f32 limit overflow its products): such a tensor cannot enter a pooled Gram.
bool nonfinite(const TensorResult& t) {
  if (t.m.nonfinite > 0 || !std::isfinite(t.est.cos_fit)) return true;
  for (int i = 0; i < t.m.dim(); ++i)
    for (int j = 0; j < t.m.dim(); ++j)
      if (!std::isfinite(t.m.g(i, j))) return true;
  for (int i = 0; i < t.m.k; ++i)
    if (!t.est.degenerate && !std::isfinite(t.est.alpha[i])) return true;
  return false;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Two-sided 95% Student t quantile for small samples (df = n-1), normal beyond 30.
double t95(size_t df) {
  static const double table[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                 2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                 2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                 2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (df == 0) return 0;
  return df <= 30 ? table[df] : 1.96;
}

void fill_group(GroupResult& g, const std::vector<const TensorResult*>& members, int k,
                Dtype dtype, bool has_control) {
  g.tensors = static_cast<uint32_t>(members.size());
  g.pooled.k = k;
  g.x.k = k;
  g.has_control = has_control;
  g.control_pooled.k = k;
  std::vector<std::vector<double>> alphas(k);
  for (const TensorResult* t : members) {
    g.elements += t->elements;
    g.x.add(t->x);
    g.bx.add(t->bx);
    if (t->identical_to_base) ++g.identical_to_base;
    if (t->identical_to_parent >= 0) ++g.identical_to_parent;
    if (!t->copied_from.empty()) ++g.copied;
    if (t->outlier) ++g.outliers;
    if (t->rounding_dominated) ++g.rounding_dominated;
    if (t->est.degenerate) ++g.degenerate;
    if (t->est.degenerate || t->rounding_dominated || t->outlier) continue;
    ++g.usable;
    for (int i = 0; i < k; ++i) alphas[i].push_back(t->est.alpha[i]);
  }
  // Pool the tensors whose alpha means something; a group of only rounding-dominated tensors
  // (the norms of a bf16 model) still shows its (biased) pooled numbers, flagged by usable == 0.
  double robust_Dd = 0, robust_dd = 0;
  uint64_t robust_n = 0;
  double noise = 0, DD = 0;  // rounding noise energy and ||D||^2, for the group's floor
  for (const TensorResult* t : members) {
    // An outlier tensor is left out of its groups' pooled Gram (named in the verdict instead),
    // so that one damaged tensor cannot move the pooled alpha.
    if (g.usable > 0 && (t->est.degenerate || t->rounding_dominated || t->outlier)) {
      g.pooled.nonfinite += t->m.nonfinite;  // still reported: the reader must know they were there
      continue;
    }
    g.pooled.add(t->m);
    g.qf.add(t->qf);
    const double dd = t->m.g(0, 0);
    noise += (1 - t->est.rounding_floor * t->est.rounding_floor) * dd;
    DD += dd;
    if (has_control && t->has_control) g.control_pooled.add(t->cm);
    if (k == 1) {
      robust_Dd += t->x.p[0].robust_Dd;
      robust_dd += t->x.p[0].robust_dd;
      robust_n += t->x.p[0].robust_n;
    }
  }
  g.est = estimate(g.pooled, dtype);
  finish_quant_floor(g.qf, g.pooled);
  // Each tensor's floor used its own dtype (a group can mix fp8, bf16 and f32 tensors): pool the
  // noise energies they imply rather than recomputing with one dtype for the whole group.
  if (DD > 0) g.est.rounding_floor = std::sqrt(std::max(0.0, 1 - noise / DD));
  // The group's alpha, like its tensors', is the rounding-robust one for a lossy suspect.
  if (k == 1 && !g.est.degenerate && g.est.rounding_floor < kLossyFloor && robust_n >= kMinRobustElements &&
      robust_dd > 0)
    g.est.alpha[0] = robust_Dd / robust_dd;
  if (has_control) g.control_est = estimate(g.control_pooled, dtype);
  for (int i = 0; i < k; ++i) {
    const auto& a = alphas[i];
    if (a.empty()) {  // no tensor with a meaningful alpha: per-tensor statistics are undefined
      g.alpha_mean[i] = g.alpha_median[i] = g.alpha_spread[i] = NAN;
      g.alpha_min[i] = g.alpha_max[i] = g.alpha_ci95[i][0] = g.alpha_ci95[i][1] = NAN;
      continue;
    }
    double sum = 0;
    for (double v : a) sum += v;
    double mean = sum / a.size();
    double ss = 0;
    for (double v : a) ss += (v - mean) * (v - mean);
    double sd = a.size() > 1 ? std::sqrt(ss / (a.size() - 1)) : 0;
    g.alpha_mean[i] = mean;
    g.alpha_median[i] = median(a);
    g.alpha_spread[i] = sd;
    g.alpha_min[i] = *std::min_element(a.begin(), a.end());
    g.alpha_max[i] = *std::max_element(a.begin(), a.end());
    // The interval is centred on the pooled estimate. Its width comes from between-tensor
    // variability (elements of one tensor are not independent draws, so the element-level SE is
    // overconfident), but never narrower than the pooled element-level SE.
    double centre = g.est.degenerate ? mean : g.est.alpha[i];
    double half = a.size() > 1 ? t95(a.size() - 1) * sd / std::sqrt(static_cast<double>(a.size())) : 0;
    half = std::max(half, 1.96 * g.est.alpha_se[i]);
    g.alpha_ci95[i][0] = centre - half;
    g.alpha_ci95[i][1] = centre + half;
  }
}

double mad_of(const std::vector<double>& a, double med) {
  std::vector<double> dev;
  for (double v : a) dev.push_back(std::fabs(v - med));
  return median(dev) * 1.4826;
}

// Flags tensors whose cos_fit falls far below the run's: a tensor that does not fit while the rest
// do (64 altered values) must not pass under the others' fit.
// A tensor's fit as far as its suspect's quantization allows: cos_fit over the tensor's
// quantization floor (stats/quant_floor.h). A Q4_K_M file mixes Q4_K, Q6_K and fallback types per
// tensor, whose floors differ several-fold (0.2 against 0.9 for one merge), so raw cos_fit would
// call the 4-bit tensors of a perfect merge outliers.
double fit_quality(const TensorResult* t) {
  return t->qf.quantized && t->qf.cos_floor > 0 ? t->est.cos_fit / t->qf.cos_floor : t->est.cos_fit;
}

void flag_cos_outliers(const std::vector<TensorResult*>& members) {
  std::vector<double> c;
  for (const TensorResult* t : members)
    if (alpha_counts(t) && !t->outlier) c.push_back(fit_quality(t));
  if (c.size() < 4) return;
  const double med = median(c);
  const double limit = std::max(kCosOutlierFloor, kOutlierMads * mad_of(c, med));
  for (TensorResult* t : members)
    if (alpha_counts(t) && med - fit_quality(t) > limit) t->outlier = true;
}

// Flags tensors whose alpha (any parent) strays from the median of their component.
void flag_outliers(const std::vector<TensorResult*>& members, int k) {
  for (int i = 0; i < k; ++i) {
    std::vector<double> a;
    for (const TensorResult* t : members)
      if (alpha_counts(t) && !t->outlier) a.push_back(t->est.alpha[i]);
    if (a.size() < 4) continue;  // too few to call anything an outlier
    const double med = median(a);
    const double limit = std::max(kOutlierFloor, kOutlierMads * mad_of(a, med));
    for (TensorResult* t : members)
      if (alpha_counts(t) && std::fabs(t->est.alpha[i] - med) > limit)
        t->outlier = true;
  }
}

}  // namespace

void use_robust_alpha(TensorResult& t, int k) {
  for (int i = 0; i < k; ++i) t.alpha_ls[i] = t.est.alpha[i];
  if (k != 1 || t.est.degenerate || t.est.rounding_floor >= kLossyFloor) return;
  const ParentSignals& p = t.x.p[0];
  if (p.robust_n >= kMinRobustElements && p.robust_dd > 0) {
    t.est.alpha[0] = p.robust_Dd / p.robust_dd;
    t.robust_alpha_used = true;
  } else {
    t.rounding_dominated = true;
  }
}

Aggregates aggregate(const MatchResult& match, std::vector<TensorResult>& tensors, int k,
                     Dtype suspect_dtype) {
  Aggregates out;
  out.suspect_dtype = suspect_dtype;
  bool has_control = false;
  for (const auto& t : tensors) has_control = has_control || t.has_control;

  std::map<int, std::vector<TensorResult*>> by_component;
  std::map<std::pair<int, int>, std::vector<TensorResult*>> by_layer;
  for (auto& t : tensors) {
    const TensorClass& cls = match.tensors[t.tensor].cls;
    // Too few robust elements (use_robust_alpha), or, where the plain fit stands, a rounding floor
    // so low that its alpha cannot be trusted.
    t.rounding_dominated = t.rounding_dominated ||
                           (!t.est.degenerate && !t.robust_alpha_used && t.est.rounding_floor < kRoundingDominatedFloor);
    t.outlier = nonfinite(t);
    by_component[static_cast<int>(cls.component)].push_back(&t);
    if (cls.layer >= 0) by_layer[{cls.layer, static_cast<int>(cls.component)}].push_back(&t);
  }
  for (auto& [c, members] : by_component) flag_outliers(members, k);
  // cos_fit, not alpha, is compared across the run: components may carry their own alpha
  // (mergekit filters) but each still fits; a tensor that does not fit is wrong in any grouping.
  std::vector<TensorResult*> run;
  for (auto& t : tensors) run.push_back(&t);
  flag_cos_outliers(run);

  std::vector<const TensorResult*> all;
  for (const auto& t : tensors) all.push_back(&t);
  out.overall.component = "all";
  fill_group(out.overall, all, k, suspect_dtype, has_control);

  for (auto& [c, members] : by_component) {
    GroupResult g;
    g.component = component_name(static_cast<Component>(c));
    fill_group(g, {members.begin(), members.end()}, k, suspect_dtype, has_control);
    out.components.push_back(std::move(g));
  }
  for (auto& [key, members] : by_layer) {
    GroupResult g;
    g.layer = key.first;
    g.component = component_name(static_cast<Component>(key.second));
    fill_group(g, {members.begin(), members.end()}, k, suspect_dtype, has_control);
    out.layers.push_back(std::move(g));
  }
  return out;
}

}  // namespace mp
