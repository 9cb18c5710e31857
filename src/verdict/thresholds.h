// The verdict's calibrated thresholds, one place (EVALUATION.md shows the cases they were
// calibrated on and the margins; tests/eval/run.mjs reads this file to print them there).
// The null is real: independent fine-tunes of one base reach cos_fit 0.1-0.6.
#pragma once
#include <cstdint>

namespace mp::verdict {

// --- thresholds (see EVALUATION.md) ---------------------------------------------------------
// Linear merge: pooled cos_fit at or above this. Real merges measured 0.935-1.000 (BF16 at
// a = 0.1 under a 300 kB budget and a merge followed by 30% fine-tuning are the lowest); the null
// of independent fine-tunes of the same base is 0.05-0.12 pooled on shared/real-models and up to
// 0.68 on single bias vectors.
constexpr double kLinearCos = 0.85;
// Below this cos_fit the delta is mostly not explained by the parents: not a merge.
constexpr double kNullCos = 0.6;
// With a control model: the suspect must beat the control's cos_fit by this much to be a merge.
constexpr double kControlMargin = 0.25;
// Share of tensors that are outliers (alpha far from its component's, cos_fit far below the run's by
// kCosOutlierFloor 0.3 + 6 MADs, or NaN/Inf: stats/aggregate.cpp; all kept out of the pooled fit)
// above which alpha is not consistent.
constexpr double kMaxOutlierShare = 0.2;
// Components (with enough elements) whose pooled cos_fit is below kNullCos: mixed evidence when
// they hold more than this share of the sampled elements.
constexpr double kMaxFailingShare = 0.3;
// Bit-exact reproduction share that counts as "the linear merge reproduces C".
constexpr double kBitExact = 0.9;
// Sparse: share of elements with C == B although A != B.
constexpr double kSparseShare = 0.1;
// Sparse with k >= 2 parents, where C == B only where every parent was dropped (0.3^k at density
// 0.7): the per-element kept sets (stats/subset_fit.h) leave at most this share of the per-tensor
// linear fit's residual (Evidence::subset_residual), and some parent is dropped on kSparseShare of
// its elements or more. Set on the mergekit set and the sweep's seeds sweep1 and sweep4 (--parents
// 4): sparse merges 0 to 0.054 (breadcrumbs_ties bf16out k = 2 the highest), every other merge
// 0.165 or more (model_stock bf16mk k = 4 the lowest; linear bf16mk 0.32+, karcher 0.47+), the real
// controls 0.44 to 0.46. Seeds sweep2 and sweep3 were not looked at. (Since a parent's alone-kept
// coefficient needs 16 elements agreeing on it, a merge that keeps no parent alone, linear in f32,
// has no fit at all: subset_residual null, which this test reads as not sparse.)
constexpr double kSubsetResidual = 0.1;
// TIES: share of tensors with drops where every dropped |d| <= every kept |d|.
constexpr double kTiesThresholdShare = 0.8;
// DARE: mean |d| of dropped elements over mean |d| of kept ones (1 when the mask ignores |d|),
// read on the elements whose kept value C's rounding cannot return to B (Sparsity::
// resolvable_ratio; on all elements a bf16 DELLA falls to 0.68-0.70, sweep1 035, 053, 071, 115,
// 137, and its resolvable ratio is 0.77-0.83).
constexpr double kDareRatio = 0.7;
// DELLA vs DARE: the same resolvable ratio (per tensor, averaged). DARE's mask ignores |d|:
// 0.982-1.033 on the sweep1 dare_linear / dare_ties configs (f32, bf16out, bf16mk, k = 1-3; over
// all elements the bf16 ones fall to 0.82-0.97, sweep1 002, 014, 019, 085, 086, 097, 109, which
// read as DELLA at 0.95); DELLA's keep probability rises with |d|'s rank: 0.72-0.95 on the sweep1
// della / della_linear configs (the top: sweep1 050, della_linear bf16mk k = 3; 122 and 131,
// della bf16out k = 3, 0.91-0.92). Set between the two, nearer DARE's noise floor.
constexpr double kDellaRatio = 0.97;
// DELLA vs DARE: half the slope of kept on |d_i|'s rank in its row (SparseReads::rank_epsilon,
// DELLA's epsilon; kept from the per-element kept sets with k >= 2, C off B with one parent),
// averaged over the parents. On sweep1: the dare_linear / dare_ties configs -0.012 to 0.007 per
// parent with k = 2-3 (within 0.006 of 0 pooled), -0.004 to 0.003 with one; DELLA reads its
// epsilon (0.11-0.19 drawn) exactly in f32, with one parent within 0.005 in bf16 too, with
// several up to a quarter low in bf16 (0.107-0.152). Set near a quarter of the smallest epsilon
// the sweep draws (0.05), four times DARE's largest pooled reading. The resolvable ratio
// (kDellaRatio, now the reading where too few elements are ranked) misread della_linear at
// epsilon 0.08-0.18 as DARE (0.978-0.988 at k = 3-4: sweep2 117, sweep4 030, 036).
constexpr double kDellaEpsilon = 0.025;
// DELLA with one parent whose drop ratio falls below kDareRatio (a high density with a wide
// epsilon drops few large deltas: sweep7 014, density 0.77 and epsilon 0.15, ratio 0.671): its
// keep line on |d|'s rank, density -+ epsilon, stays a probability at both ends (mergekit requires
// both inside (0, 1)) within this slack for the line's own noise (a few 1e-3 over a model's
// ranked rows). A top-k cut read as a line has slope 6 d (1 - d) and leaves [0, 1] at one end or
// both, whatever its density d (TIES at 0.9 by 0.17, at 0.2 by 0.28).
constexpr double kDellaLineSlack = 0.02;
// DARE / DELLA on a rounded suspect: share of the zeros (C at B, some d != 0) where the kept
// elements' coefficient (weight / density for a mask, alpha for a linear merge) moves B by 2 ulps
// or more (Evidence::far_drop_share) at or above which they are a mask; below, rounding of a
// linear merge left them. The mergekit bf16 cases: DARE / DELLA 0.606-1.000 (TIES, breadcrumbs
// 0.54-0.86); linear, task arithmetic, slerp, nuslerp, multislerp, karcher, model_stock, small
// weights, nearswap 0.000-0.065, the real control 0.082 (a bf16 fine-tune, not sparse, 0.31).
// sweep1's bf16 configs: DARE / DELLA 0.637-0.968, every unsparsified method 0.000-0.131 (nuslerp
// bf16out). Read on the tensor's fit (the weight) instead, a small-weight mask fell below: sweep1
// 137, della_linear weight 0.11 at density 0.28, 0.372.
constexpr double kFarDropShare = 0.4;
// Breadcrumbs: share of tensors with drops whose dropped |d| lie only outside the kept range, on
// both sides (1.0 on every mergekit breadcrumbs case; TIES and DARE cases 0).
constexpr double kBandShare = 0.8;
// Breadcrumbs with k >= 2 (per-element kept sets, stats/subset_fit.h): every parent has dropped
// elements above its kept |d| range (gamma's top; the mergekit breadcrumbs k = 2 cases: 0.007-0.011
// of the same-sign elements; DARE / DELLA / TIES / linear / slerp cases 0.000-0.005 with the
// inside share below failing) and few dropped inside it: kSoftShare for F32 (breadcrumbs 0.000;
// linear and model_stock misclassifications 0.067-0.65, random masks 0.999), this for rounded
// suspects, whose smallest kept |d| cannot be told from dropped ones (breadcrumbs bf16 0.36-0.75;
// DARE / DELLA bf16 0.999-1.000).
constexpr double kBandTopShare = 0.006;
// Breadcrumbs with k >= 2, the rounding-proof form: every parent drops this share or more of its
// same-sign elements among the top kSubsetTopShare of |d_i| (Evidence::top_dropped). Breadcrumbs
// 0.963-1.000 on the mergekit set and sweep1 (f32, bf16mk, bf16out, k = 2-3); a random mask
// 1 - density (DARE / DELLA 0.08-0.82), TIES 0.00-0.77 (its kept top at k = 4 read through the
// election), every unsparsified method 0.00-0.05.
constexpr double kBandTopDropped = 0.9;
constexpr double kBandInsideRounded = 0.9;
// Sparse merges: the largest range of one parent's weight over the (layer, component) groups, each
// read as the decided method's weights are (TIES's overlap lambda w_i / W, DARE's same-sign fit,
// DELLA's kept-set ratios or L1 weights, breadcrumbs' alone-kept coefficient), above which the
// weights are quoted per group. Per-group weights: mk-pg-della-bf16mk-k2-components 0.366,
// mk-pg-ties-f32-k2-layers 0.400, mk-pg-dare-linear-f32-k3-both 0.401; one weight per parent
// (every ties, dare_linear, dare_ties, della, della_linear, breadcrumbs(_ties) case, k = 1-3, f32,
// bf16mk, bf16out, and the density-only pg cases): 0.000-0.029 (mk-dare-ties-f32-k3). Held out:
// mk-pg-breadcrumbs-f32-k2-layers 0.400, one-weight held-out cases at most 0.026.
constexpr double kSparseGroupSpread = 0.1;
// The same for each parent's density (TIES's share above its cut, DARE's fourth-moment density,
// the kept share of DELLA and breadcrumbs). Per-group densities: mk-pg-dare-linear-f32-k3-both
// 0.322, mk-pg-ties-f32-k1-density-layers 0.400, mk-pg-dare-ties-bf16mk-k2-density-layers 0.438;
// one density per parent: 0.000-0.082 (mk-dare-linear-bf16mk-k3: DARE's fourth moments per group
// of 16k-65k elements; DELLA, TIES, breadcrumbs at most 0.020). Set at 0.1, not midway: below it
// the pooled density is within 0.05 (issue 12's tolerance) of every group's, and quoting a
// uniform merge's groups (each its own estimate) is not wrong. Held out:
// mk-pg-della-linear-f32-k2-density-components (densities 0.35 / 0.65 per component) 0.300.
constexpr double kSparseDensityGroupSpread = 0.1;
// A sign election (k >= 2): a parent's kept share over all elements against that over the
// same-sign ones, where no election removes anything. Without one the two agree (breadcrumbs,
// dare_linear, della_linear k = 2, 3: 0.978-1.000 for the least of the parents); with one the
// losing sign is dropped (ties, dare_ties, della, breadcrumbs_ties: 0.85-0.92).
constexpr double kElectionKeptRatio = 0.95;
// Rounding-tolerant hard-threshold and band tests (one parent): share of a tensor's dropped
// elements allowed on the wrong side of the kept range (BF16 merges snap a few kept elements to B).
constexpr double kSoftShare = 0.02;
// TIES's joint test on a rounded suspect: share of a tensor's below-every-cut elements allowed off
// B (a bf16 merge moves a few of them by an ulp). Set on mk-ties-bf16mk-k3: 80% of tensors at or
// below 0.117 (median 0.058); every non-TIES case has a median of 0.32 or more (small bf16 linear
// w = 0.02: 0.32; DARE / DELLA / breadcrumbs 0.64-0.83).
constexpr double kSoftJointShare = 0.15;
// Sign consensus: max |alpha_opposite - alpha_same| over parents (least squares where the parents'
// deltas disagree in sign vs where they agree) above which C was merged with a sign election.
// Set on the mergekit non-holdout cases: dare_linear 0.001-0.009 (0.032 with per-group weights),
// dare_ties 0.048-0.074; linear / task arithmetic <= 0.0005.
constexpr double kConsensusGap = 0.04;
// The same for DELLA, whose |d|-ranked mask alone opens a gap: della_linear 0.127-0.138,
// della (consensus + normalize) 0.61-0.62.
constexpr double kDellaConsensusGap = 0.3;
// Sign election read on the kept sets (Evidence::conflict_ratio: sets holding both signs where the
// resolvable weighted deltas disagree, over what independent masks give), at or below which C was
// merged with one; it decides wherever defined, the gaps above only without it. sweep1's 37
// DARE / DELLA configs with k = 2, 3 (f32, bf16out, bf16mk): dare_ties / della 0.000-0.141 (the top,
// 122: della bf16out k = 3), dare_linear / della_linear 0.958-1.011 (50: della_linear bf16mk k = 3).
constexpr double kConflictRatio = 0.5;
// Fewer conflicting elements expected to keep both signs than this: the ratio is undefined.
constexpr double kMinConflicts = 50;
// nearswap (one parent): of the changed elements C's rounding can tell (stats/method_signals.h
// NearswapSignals; its rounding tolerance kNearswapUlps / kNearswapRel lives there, the stats layer
// cannot include this file), the share either bit-equal to A with |d| <= t or clipped at t, and
// the least of the two shares (a TIES merge with lambda 1 is bit-equal to A where kept but clips
// nothing; a bf16 linear merge sits "at t" where a ulp blurs it but is never equal to A below it).
// The mergekit nearswap cases (t = 0.002, 0.005; f32 and bf16): 1.000, least part 0.31-0.69; every
// other one-parent mergekit / core case 0.30 or less (breadcrumbs-ties bf16 0.297), least part
// 0.044 or less (task arithmetic bf16; wrong-base TIES clips 0.001, bf16 linear 0.000 equal to A).
// Held out: t = 0.005 (f32 and bf16).
constexpr double kNearswapShare = 0.9;
constexpr double kNearswapMinPart = 0.05;
// model_stock (k >= 2): D against each tensor's t / k sum d_i (t from the parents' cosines):
// cosine at least this, scale within kStockScale of 1, and clearly better than one constant alpha.
// Set on the mergekit cases: model_stock f32 1.000 (scale 1.000), bf16mk k=2 0.955 (1.002); every
// linear / task-arithmetic / slerp / TIES case 0.51-0.65 at scales 3-11.
constexpr double kStockCos = 0.95;
constexpr double kStockScale = 0.05;
constexpr double kStockGain = 0.05;
// Or the tensors' own scales (least squares of D on sum d_i, tensor by tensor) follow t / k:
// Evidence::stock_spread, their weighted squared distance from t / k over their spread around one
// constant. On sweep1's k = 2, 3 configurations: model_stock 0.000-0.009 (bf16out and bf16mk k = 3,
// 099, 116, 144, at cosines 0.93-0.97 that the rounding caps, which kStockCos missed); every other
// method 38 or more (the least: 087 della bf16mk, 138 ties f32). Set far on model_stock's side.
constexpr double kStockSpread = 0.5;
// nuslerp (two parents): mean |sin((1 - t) th) / sin th - alpha_1| with t solved from the alpha
// ratio, per tensor. mk-nuslerp-*-w0.6-0.4: 0.0000 (f32), 0.0016 (bf16); linear / task arithmetic /
// karcher / multislerp / DARE / DELLA / breadcrumbs 0.087-0.79, TIES 0.011-0.023 (decided earlier).
constexpr double kNuslerpErr = 0.005;
// multislerp (k >= 2): per tensor w_i = alpha_i |d_i| / sum_j alpha_j |d_j|; their mean deviation
// from the pooled w (multislerp f32 / bf16: 0.0000-0.0004; every other mergekit case 0.005 or more,
// linear / task arithmetic 0.020-0.034) and the mean | |D| / sum w_i |d_i| - 1 | (multislerp
// 0.000-0.0025; every other non-passthrough case 0.021 or more, nuslerp 0.02-0.05).
constexpr double kMslerpSpread = 0.002;
constexpr double kMslerpNormErr = 0.01;
// karcher (k >= 2): D against the Karcher mean of the A_i recomputed per tensor (minus B): cosine
// at least this, scale within kKarcherScale of 1, and at least the least-squares cos_fit (a
// prediction with no free parameter that beats the k-parameter fit). karcher f32: 1.000 / 1.000;
// bf16 k = 3 0.9966 (fit 0.9964) at scale 0.999; bf16 k = 2 0.99812 under the fit's 0.99826
// (rounding hides the curvature: read as equal linear weights); task arithmetic 0.5 + 0.5 with
// lambda 0.8 reaches 0.9997 at scale 0.80, every other case is below 0.99 or off in scale by 0.07+.
constexpr double kKarcherCos = 0.995;
constexpr double kKarcherScale = 0.01;
// Quantized suspects (stats/quant_floor.h): how far the quantization noise the block scales
// predict (stats/ggml_quant.h) may be from the true one, each way, as the residual / noise of a
// perfect quantized copy or merge shows it (1 when exact). Measured on the gguf evaluation set
// (EVALUATION.md: copies and 0.571 merges of real BERT-tiny sst2 in Q8_0, Q6_K, Q5_K, Q5_0, Q5_1,
// Q4_0, Q4_1, Q4_K, Q4_K_M, Q3_K, Q2_K, and of a tinystories-656k fine-tune in Q8_0, Q4_0, Q4_K_M)
// and tests/cpp/gguf_analysis_test.cpp (Q8_0, Q4_0, Q4_K at 0.3): 0.993 (Q2_K and Q3_K merges) to
// 1.023 (Q6_K copy, whose scale-search fraction is an average). Too much noise predicted makes a fit look better
// than it is: a merge must hold with the noise kNoiseOverestimate smaller (Evidence::cos_lo).
// Too little makes it look worse: "not a merge" must hold with it kNoiseUnderestimate larger
// (cos_hi), and a quantized copy may leave that much more than the predicted noise.
constexpr double kNoiseOverestimate = 0.01;
constexpr double kNoiseUnderestimate = 0.03;
// Rounded suspects (BF16/F16/FP8): the fit is judged against the rounding floor
// (Evidence::rounded_cos), taken with the rounding noise this share smaller than its model
// (stats/estimators.cpp: uniform rounding error, log-uniform mantissas), since too much noise
// predicted would make any fit look better. The perfect bf16 linear merges of both sets leave
// 0.93 (linear-bf16-sst2-a0.1: 7% less than predicted) to 1.8 times the predicted noise (mergekit's
// bf16 order rounds twice or three times: mk-small-linear-bf16mk-w0.05). mk-small-linear-bf16mk-
// w0.02 (cos_fit 0.562, floor 0.564, reproduced bit for bit) reads 0.904 with it; the real
// controls' floors are 0.9996-0.9998, so their fit stays 0.054.
constexpr double kRoundingNoiseOverestimate = 0.1;
// Wrong base (k >= 2): the largest pairwise cosine between the parents' deltas (pooled Gram).
// Real fine-tunes of one base measure 0.054 (sst2, emotion and the synthetic third over
// bert-tiny-fhe-v0: every mergekit k >= 2 case and the real controls), 0.10-0.14 on the bf16
// model_stock cases; the same models with a parent taken as the base 0.51-0.83 (the role_fits of
// those cases). Above this the given base is flagged; an assignment with a parent as the base that
// brings it to this or below names that parent (mk-wrongrole-* cases check both ways).
constexpr double kWrongBaseParentCos = 0.3;
// Wrong base (one parent, unrounded suspect): C bit-equal to A on at least kSparseShare of the
// elements where A differs from B, while C equals B on fewer than kSoftShare of them and nothing
// is clipped (not nearswap): a sparse merge kept A's values and left the rest at another base.
// mk-wrongbase-f32-ties-d0.5: 0.481 equal to A, 0.000 at B; every sparse merge over its own base
// leaves 0.40-0.70 at B (mk-ties / breadcrumbs-ties / pg-ties k = 1: 0.29-0.48 equal to A).
// Fine-tune: one parent's alpha within this of 1 and C not a bit-exact copy (the mergekit
// fine-tunes measure 0.999-1.001; the highest merge weight in either set is 0.9).
constexpr double kFineTuneAlpha = 0.03;
// SLERP: adding B as a regressor must remove at least this share of the lerp residual energy,
// with p + q - 1 above kSlerpExcess (slerp always has s0 + s1 >= 1).
constexpr double kSlerpResidualDrop = 0.5;
// SLERP: minimum p + q - 1 (the lerp/linear cases measure |p + q - 1| <= 0.002 but explain nothing
// more with it; the 25-degree SLERP measures 0.025).
constexpr double kSlerpExcess = 1e-4;
// SLERP: a lerp fit this good leaves nothing for the curvature term to explain (mergekit itself
// falls back to lerp above cos(A, B) = 0.9995).
constexpr double kSlerpMaxLerpCos = 0.9995;
// SLERP at small angles (Evidence::slerp_slope / slerp_z / slerp_explained; one parent, the linear
// reading holding). The weighted slope of the tensors' p + q - 1 on slerp's predicted excess is 1
// for slerp and 0 for lerp: within kSlerpSlopeTolerance of 1 it reads slerp, within it of 0 lerp
// (the midpoint between them), anything else neither (the linear reading then carries the
// slerp-equivalent caveat, as it does below kSlerpMinZ). Set on the non-held-out cases (real
// BERT-tiny fine-tunes, 2-6 degrees): slerp f32 (mk-slerp-f32-t0.3, mk-pg-slerp-f32-t-layers,
// slerp-f32-sst2-t0.3 / t0.5, the 25-degree slerp) 1.000, bf16 (mk-slerp-bf16mk-t0.3) 0.901;
// every linear / task-arithmetic / fine-tuned-after-merge one-parent case with z >= kSlerpMinZ
// -0.26..0.09, except rounded small or extreme weights, whose rounding bias in p + q - 1 exceeds the
// curvature (linear-bf16mk-emotion-a0.1 / a0.9 -3.8, mk-small-linear-bf16mk-w0.02 7.2, w0.05 -6.2)
// and the linear merge over a wrong base (-1.3). Fitted with an offset common to all tensors
// (Evidence::lerp_offset_slope: a rounded weight sum moves every p + q - 1 alike), within it of 0
// reads lerp and no slerp is named: the core set's bf16 linear cases -0.08..0.014 (z 32-102), the
// slerps 0.69-1.43 (bf16) and 1.000 (f32); sweep7 010 / 052 (linear bf16mk, base among the
// models, slope 5.6 through the origin) 0.05.
constexpr double kSlerpSlopeTolerance = 0.5;
// Share of the weighted sum of (p + q - 1)^2 the slerp prediction explains: slerp 0.985-1.000; a
// guard against a slope near 1 from noise (the non-slerp cases whose slope comes nearest 1, DARE
// at z 2-3, explain 0.07-0.09; nearswap bf16 0.52 at slope -0.36).
constexpr double kSlerpExplained = 0.7;
// Standard errors between the slerp and lerp predictions (sqrt(sum (e / s)^2); the slope's own
// standard error is 1 / z) below which the curvature cannot be measured: slerp cases 182 (bf16) to
// 73 000 (f32); sparse merges 2-12, mk-small-linear-bf16mk-w0.02 15.7.
constexpr double kSlerpMinZ = 20;
// SLERP: the range of t over the (layer, component) groups above which t is quoted per group
// (mk-pg-slerp-f32-t-layers 0.600; one t everywhere: 0.000-0.004).
constexpr double kSlerpGroupSpread = 0.1;
// Passthrough: share of tensors that are whole copies (of a parent, the base or another position).
constexpr double kPassthroughShare = 0.8;
// Partial passthrough: share of tensors copied from a parent when nothing else explains C.
// Fine-tunes never leave whole weight matrices bit-identical to an unrelated parent.
constexpr double kPartialPassthroughShare = 0.3;
// Coverage below which a caveat is added / the run is inconclusive.
constexpr uint64_t kLowElements = 50000;
// Fewer sampled elements than this: inconclusive whatever the statistics say.
constexpr uint64_t kMinElements = 1000;
// Fewer usable tensors than this: a low-coverage caveat (alpha consistency cannot be judged).
constexpr uint32_t kLowTensors = 4;
// A component enters the consistency checks with at least this many sampled elements.
constexpr uint64_t kComponentMinElements = 1000;

}  // namespace mp::verdict
