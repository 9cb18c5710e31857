// Ports of mergekit/sparsify.py (arcee-ai/mergekit): the per-task-vector sparsifiers of the
// generalized task arithmetic family. Each takes a task vector `t` (Float32Array holding values of
// the arithmetic `ar`), its shape, and returns a new Float32Array.
//
// Differences that cannot be avoided, and why they do not matter for detection:
// - torch.bernoulli's RNG stream is not reproducible here; masks come from the seeded `rand`
//   (rand.uniform() < p per element, in flat order), with the same keep probabilities.
// - torch.argsort is not stable; ties in |t| (frequent in bf16) are broken here by index.
import { F32 } from './arith.mjs';

/** sparsify.py rescaled_masked_tensor: tensor*mask, rescaled so the chosen norm is kept (l1 here). */
export function rescaledMasked(t, mask, rescaleNorm, ar = F32, eps = 1e-7) {
  const masked = new Float32Array(t.length);
  for (let i = 0; i < t.length; i++) masked[i] = mask[i] ? t[i] : 0;
  if (!rescaleNorm) return masked;
  let before, after;
  if (rescaleNorm === 'l1') { before = ar.sum(t, Math.abs); after = ar.sum(masked, Math.abs); }
  else if (rescaleNorm === 'l2') { before = ar.norm(t); after = ar.norm(masked); }
  else if (rescaleNorm === 'linf') {
    before = 0; after = 0;
    for (let i = 0; i < t.length; i++) { before = Math.max(before, Math.abs(t[i])); after = Math.max(after, Math.abs(masked[i])); }
  } else throw new Error(`rescale norm ${rescaleNorm}`);
  if (before < eps || after < eps) return masked;
  const s = ar.q(before / after);  // (before_scale / after_scale): a 0-d tensor in the dtype
  for (let i = 0; i < t.length; i++) masked[i] = ar.q(masked[i] * s);
  return masked;
}

/** Indices of |t| sorted (descending or ascending), ties by index. */
function orderByMagnitude(t, descending) {
  const idx = new Uint32Array(t.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  const m = Float32Array.from(t, Math.abs);
  const sgn = descending ? -1 : 1;
  return Array.from(idx).sort((i, j) => sgn * (m[i] - m[j]) || i - j);
}

/** sparsify.py magnitude (TIES trim): keep the top int(density * n) of |t|. */
export function magnitude(t, density, rescaleNorm = null, ar = F32) {
  if (density >= 1) return Float32Array.from(t);
  const k = Math.trunc(density * t.length);
  if (!(k > 0)) throw new Error('magnitude: density * numel < 1 (mergekit asserts k > 0)');
  const order = orderByMagnitude(t, true);
  const mask = new Uint8Array(t.length);
  for (let i = 0; i < k; i++) mask[order[i]] = 1;
  return rescaledMasked(t, mask, rescaleNorm, ar);
}

/**
 * sparsify.py magnitude_outliers (breadcrumbs): drop the top int(gamma * n) of |t| and the bottom
 * n - int(density * n) - n_top. Faithful to `indices[n_bot:-n_top]`: when n_top is 0 (gamma * n < 1,
 * e.g. a 2-element bias at gamma 0.01) that slice is empty and the whole task vector is dropped.
 */
export function magnitudeOutliers(t, density, rescaleNorm = null, gamma = 0.01, ar = F32) {
  if (density >= 1) return Float32Array.from(t);
  const n = t.length;
  const target = Math.trunc(density * n);
  let nTop = Math.trunc(gamma * n);
  let nBot = n - target - nTop;
  if (nBot < 0) { nTop += nBot; nBot = 0; }
  const order = orderByMagnitude(t, false);
  const mask = new Uint8Array(n);
  const end = nTop === 0 ? 0 : n - nTop;  // python a[s:-0] == a[s:0] == []
  for (let i = nBot; i < end; i++) mask[order[i]] = 1;
  return rescaledMasked(t, mask, rescaleNorm, ar);
}

/**
 * sparsify.py bernoulli (DARE): keep each element with probability `density`. The probability
 * tensor is `full_like(tensor, density)` in the work dtype (bf16 stays bf16: 0.3 becomes 0.30078125).
 */
export function bernoulli(t, density, rescaleNorm, rand, ar = F32) {
  if (density >= 1) return Float32Array.from(t);
  const p = ar.q(density);
  const mask = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) mask[i] = rand.uniform() < p ? 1 : 0;
  return rescaledMasked(t, mask, rescaleNorm, ar);
}

/**
 * sparsify.py della_magprune: per row (last dim; a vector is one row), rank |t| ascending (1..n),
 * rank_norm = (rank - min) / (max - min), keep probability (density - eps) + rank_norm * 2 * eps,
 * each op in the work dtype (bf16 ranks above 256 are rounded, as in torch); then the rescale over
 * the whole tensor.
 */
export function dellaMagprune(t, shape, density, epsilon, rescaleNorm, rand, ar = F32) {
  if (density >= 1) return Float32Array.from(t);
  if (density <= 0) return new Float32Array(t.length);
  if (density + epsilon >= 1 || density - epsilon <= 0) {
    throw new Error('Epsilon must be chosen such that density +/- epsilon is in (0, 1)');
  }
  const cols = shape.length >= 2 ? shape[shape.length - 1] : t.length;
  const rows = t.length / cols;
  const mask = new Uint8Array(t.length);
  const lo = density - epsilon;  // a python float
  for (let r = 0; r < rows; r++) {
    const row = t.subarray(r * cols, (r + 1) * cols);
    const order = orderByMagnitude(row, false);
    const rank = new Float32Array(cols);
    for (let i = 0; i < cols; i++) rank[order[i]] = ar.q(i + 1);
    let mn = Infinity, mx = -Infinity;
    for (const x of rank) { mn = Math.min(mn, x); mx = Math.max(mx, x); }
    const span = ar.q(mx - mn);
    for (let i = 0; i < cols; i++) {
      const rn = Math.min(1, Math.max(0, ar.q(ar.q(rank[i] - mn) / span)));
      const p = ar.q(lo + ar.q(ar.q(rn * 2) * epsilon));
      mask[r * cols + i] = rand.uniform() < p ? 1 : 0;
    }
  }
  return rescaledMasked(t, mask, rescaleNorm, ar);
}

/** sparsify.py sparsify(): dispatch on the method name. */
export function sparsify(t, shape, { density, method, gamma = 0, epsilon = 0, rescaleNorm = null, rand, ar = F32 }) {
  if (method === 'magnitude') return magnitude(t, density, rescaleNorm, ar);
  if (method === 'random') return bernoulli(t, density, rescaleNorm, rand, ar);
  if (method === 'magnitude_outliers') return magnitudeOutliers(t, density, rescaleNorm, gamma, ar);
  if (method === 'della_magprune') return dellaMagprune(t, shape, density, epsilon, rescaleNorm, rand, ar);
  throw new Error(`sparsification ${method}`);
}
