// The verdict: a calibrated decision from the aggregates, with the evidence it rests on, the likely
// merge method and its parameters, and what would weaken it. See shared/merge-signatures.md and
// EVALUATION.md for the thresholds and how they were calibrated.
//   rules.cpp      the decision, as data: kind, method, rule, quoted alphas, groups, flags, caveat codes
//   text*.cpp      the words: sentence, explanation and caveats rendered from that data (text_parts.h)
//   evidence*.cpp  the numbers both read, measured once (evidence_parts.h)
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "error.h"
#include "stats/decode.h"

#include "stats/aggregate.h"
#include "verdict/evidence.h"

namespace mp {

// Which rule decided (verdict/rules.cpp, in the order they are tried): names the sentence.
enum class VerdictRule {
  TooLittleData,        // inconclusive
  IdenticalToBase,      // not-a-merge
  Passthrough,          // passthrough: most tensors are whole copies
  DegenerateDelta,      // inconclusive: alpha undefined
  Copy,                 // copy: every tensor equals one parent (or all three models are one)
  QuantizedCopy,        // quantized-copy: C is one parent quantized, the residual is the quantization noise
  Ties,                 // sparse-merge
  Breadcrumbs,          // sparse-merge: dropped |d| on both sides of the kept band
  Dare,                 // sparse-merge
  Della,                // sparse-merge: random drops that favour small |d|
  UnexplainedZeros,     // inconclusive: zeros without a TIES or DARE signature
  SparseOtherBase,      // sparse-merge over a base other than B: C keeps A's values, is at B nowhere
  ModelStock,           // linear-merge (model_stock): per-tensor weight from the parents' cosines
  Nearswap,             // nearswap-merge: |D| = min(|d|, t)
  Karcher,              // slerp-merge (karcher): the Karcher mean of the models, equal weights
  Multislerp,           // slerp-merge (multislerp): task vectors' spherical mean scaled by their mean norm
  Nuslerp,              // slerp-merge (nuslerp): two task vectors slerped, t from the alpha ratio
  Slerp,                // slerp-merge
  LinearPerComponent,   // linear-merge with per-component weights
  LinearPerLayer,       // linear-merge with per-layer weights
  TaskArithmetic,       // linear-merge, several active parents
  LinearOneParent,      // linear-merge, one parent carries it, alpha in [0, 1]
  LinearCombination,    // linear-merge, alpha outside [0, 1]
  FineTune,             // fine-tune: alpha ~1 on one parent, a residual the others do not explain
  PartialPassthrough,   // passthrough: some copies, nothing else explains C
  ControlFitsAsWell,    // inconclusive: the control model fits as well as the suspect
  NotAMerge,            // not-a-merge: the null's range
  PartlyExplained,      // inconclusive: between the null and a merge
};

// What would weaken the conclusion, one code per caveat sentence (verdict/text.cpp), in order.
enum class CaveatCode {
  LowCoverage,
  UnmatchedTensors,
  NoControl,
  CopiesNeedWholeReads,  // partial passthrough: copies elsewhere are found only on whole tensors
  PartialCopy,
  MixedSparsity,
  DellaOrRounding,       // unexplained zeros
  PerComponentAlpha,
  PerLayerAlpha,
  Outliers,
  Residual,
  RoundingFloor,
  RoundingZeros,
  AlphaNear1,
  ControlHigh,
  FarFromBase,
  NearControl,
  OtherOrigins,          // partly explained: fine-tuning after a merge, other parents, ...
  ControlFits,           // the control fits as well: the fit says nothing about the suspect
  QuantizationFloor,     // a quantized suspect: the fit judged against the quantization floor
  WrongBase,             // the given base is not the parents' (Verdict::wrong_base)
  KarcherEquivalent,     // a rounded linear reading that karcher's equal-weight mean predicts as well
  SlerpEquivalent,       // one parent: at this angle slerp and lerp differ by less than the test can tell
  MethodHidden,          // quantized, more than the noise left: the block grid hides the method's shape
};

// The wrong-base signal (rules.cpp wrong_base): the given base B is not the base the parents and C
// share. The verdict stays about C under the given roles; this names the role assignment that
// explains the models better, with its numbers.
struct WrongBase {
  bool flagged = false;
  // "aligned-deltas": the parents' deltas from B align (k >= 2); "kept-parent-values": C keeps
  // A's exact values on part of its elements and is at B almost nowhere (one parent)
  std::string signal;
  int base = -1;                  // the parent (0-based) that is the better base; -1: none of the given models
  verdict::RoleFit fit;           // base >= 0: the fit with that parent as the base (slot `base` = the given B)
  double given_parent_cos = NAN;  // the parents' deltas' largest pairwise cosine from the given B
  double kept_share = NAN;        // kept-parent-values: share of A's changed elements C holds exactly
};

struct Verdict {
  // "linear-merge" | "sparse-merge" | "slerp-merge" | "nearswap-merge" | "passthrough" | "copy" |
  // "quantized-copy" | "fine-tune" | "not-a-merge" | "inconclusive"
  std::string kind;
  // "linear" | "task_arithmetic" | "slerp" | "ties" | "dare_linear" | "della_linear" |
  // "breadcrumbs" | "passthrough" | "" (none)
  std::string method;
  VerdictRule rule = VerdictRule::TooLittleData;
  // The quoted alpha per parent (rounding-robust for rounded suspects); empty when undefined
  // (too little data, degenerate deltas).
  std::vector<double> alphas;
  // The parent the sentence names: the sparsest (sparse rules), the one carrying a one-parent
  // linear merge; -1 when none.
  int parent = -1;
  // Per-group parameters when the groups' differ: alphas (per-component or per-layer linear merge),
  // SLERP's t (ComponentFit::t), or a sparse merge's weights and densities per (layer, component) group.
  std::vector<verdict::ComponentFit> groups;
  std::vector<std::string> flags;         // machine-readable: "outliers", "low-coverage", ...
  std::vector<CaveatCode> caveat_codes;   // one per caveats[] sentence
  double density = NAN;   // sparse merges: estimated kept fraction
  double slerp_t = NAN;   // slerp: estimated t
  double lambda = NAN;    // sparse merges: the kept elements' alpha (TIES lambda, DARE weight/density)
  // Per-parent parameters of the named method (empty when the method has none or they are
  // undefined; NaN entries: that parent's value is undefined).
  std::vector<double> weights;    // the weights the sentence quotes (TIES: lambda w_i / W)
  std::vector<double> densities;  // sparse merges: each parent's kept share
  double gamma = NAN;             // breadcrumbs: the dropped top share
  double epsilon = NAN;           // DELLA: the keep probability's rise over |d|'s rank, +- epsilon
  double nearswap_t = NAN;        // nearswap: the clip level t
  // Sparse merges: the largest range of one parent's weight, and density, over the groups read
  // with the decided method (NaN: not a sparse merge); above kSparseGroupSpread /
  // kSparseDensityGroupSpread the groups are quoted.
  double group_weight_spread = NAN, group_density_spread = NAN;
  // "" | "alpha" | ...: why alphas are undefined (parent = base, suspect = base, same parent twice)
  std::string undefined_reason;
  WrongBase wrong_base;
  verdict::Evidence evidence;  // the numbers the text quotes

  // Rendered by verdict/text.cpp from the fields above.
  std::string sentence;     // one line for the verdict card, e.g.
                            // "Consistent with a linear merge: C = 0.571 A + 0.429 B"
  std::string explanation;  // the evidence in a few sentences, numbers included
  std::vector<std::string> caveats;  // what would weaken the conclusion
};

// A caveat code's stable name for the JSON report ("no-control", ...).
const char* caveat_code_name(CaveatCode c);

// The rules alone: every field but the three rendered strings.
Verdict decide_rules(const MatchResult& match, const std::vector<TensorResult>& tensors,
                     const Aggregates& agg, int k);

// sentence, explanation and caveats from the decided fields.
void render(Verdict& v);

// decide_rules() then render().
Verdict decide(const MatchResult& match, const std::vector<TensorResult>& tensors,
               const Aggregates& agg, int k);

// Tensor `t`'s samples (tensors[t]), each as every model's stream in role order (0 = C, 1..k the
// parents, k + 1 = B).
using TensorStreams = std::function<Error(size_t t, std::vector<std::vector<StreamView>>& out)>;

// decide(); where that names TIES with several parents, each tensor's kept sets at the densities
// it read (its group's where it quotes groups; stats/ties_sets.h) into tensors[t].x.ties, and
// decide() again, which reads the weights from them (verdict/ties_refit.cpp).
Result<Verdict> decide_with_ties_sets(const MatchResult& match, std::vector<TensorResult>& tensors,
                                      const Aggregates& agg, int k, const TensorStreams& streams);

}  // namespace mp
