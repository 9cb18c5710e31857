// Ports of the non-task-arithmetic methods in mergekit/merge_methods/ (arcee-ai/mergekit), one
// tensor at a time. Inputs are Float32Arrays holding values of the arithmetic `ar` (arith.mjs).
import { F32 } from './arith.mjs';

const fr = Math.fround;

function dotD(a, b) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; }

/** linear.py LinearMergeTask.execute: res = sum_i w_i x_i; normalize: res / sum_i w_i (weights in the dtype). */
export function linearK(tensors, weights, { normalize = true, ar = F32 } = {}) {
  const w = weights.map(ar.q);
  const ws = ar.q(fr(w.reduce((a, b) => a + b, 0)));
  const n = tensors[0].length;
  const C = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let i = 0; i < tensors.length; i++) s += ar.q(w[i] * tensors[i][e]);
    let v = ar.q(fr(s));
    if (normalize) v = ar.q(v / ws);
    C[e] = v;
  }
  return C;
}

/**
 * slerp.py slerp(t, v0 = base, v1 = model): runs in numpy float32 whatever the tensors' dtype
 * (`.float().numpy()`), lerp when |cos| > 0.9995, the result cast back to the dtype by SlerpTask.
 */
export function slerp(t, v0, v1, { ar = F32, dotThreshold = 0.9995, eps = 1e-8 } = {}) {
  const n0 = fr(Math.sqrt(dotD(v0, v0))), n1 = fr(Math.sqrt(dotD(v1, v1)));
  const u0 = Float32Array.from(v0, (x) => (n0 > eps ? fr(x / n0) : x));
  const u1 = Float32Array.from(v1, (x) => (n1 > eps ? fr(x / n1) : x));
  const c = fr(dotD(u0, u1));
  const C = new Float32Array(v0.length);
  if (Math.abs(c) > dotThreshold) {
    const a = fr(1 - t), b = fr(t);
    for (let i = 0; i < C.length; i++) C[i] = ar.q(fr(fr(a * v0[i]) + fr(b * v1[i])));
    return C;
  }
  const theta0 = fr(Math.acos(c));
  const sin0 = fr(Math.sin(theta0));
  const thetaT = fr(theta0 * t);
  const s0 = fr(fr(Math.sin(fr(theta0 - thetaT))) / sin0);
  const s1 = fr(fr(Math.sin(thetaT)) / sin0);
  for (let i = 0; i < C.length; i++) C[i] = ar.q(fr(fr(s0 * v0[i]) + fr(s1 * v1[i])));
  return C;
}

/**
 * nuslerp.py with a base model and the default nuslerp_flatten: true (one angle per tensor):
 * t = w2 / (w1 + w2), C = B + (sin((1-t) theta) d1 + sin(t theta) d2) / sin(theta), theta the angle
 * between the task vectors d1, d2; lerp of the task vectors when sin(theta) < 1e-8. In the dtype.
 */
export function nuslerp(base, A1, A2, w1, w2, { ar = F32 } = {}) {
  const t = Math.abs(w1 + w2) < 1e-6 ? 0.5 : w2 / (w1 + w2);
  const n = base.length;
  const d1 = new Float32Array(n), d2 = new Float32Array(n);
  for (let e = 0; e < n; e++) { d1[e] = ar.q(A1[e] - base[e]); d2[e] = ar.q(A2[e] - base[e]); }
  const n1 = Math.max(ar.norm(d1), 1e-7), n2 = Math.max(ar.norm(d2), 1e-7);
  let c = 0;
  for (let e = 0; e < n; e++) c += ar.q(ar.q(d1[e] / n1) * ar.q(d2[e] / n2));
  c = ar.q(fr(c));
  const theta = ar.q(Math.acos(Math.min(1, Math.max(-1, c))));
  const sinT = ar.q(Math.sin(theta));
  const C = new Float32Array(n);
  const colinear = Math.abs(sinT) < 1e-8;
  const a = ar.q(Math.sin(ar.q((1 - t) * theta))), b = ar.q(Math.sin(ar.q(t * theta)));
  for (let e = 0; e < n; e++) {
    const mix = colinear
      ? ar.q(ar.q((1 - t) * d1[e]) + ar.q(t * d2[e]))
      : ar.q(ar.q(ar.q(a * d1[e]) + ar.q(b * d2[e])) / sinT);
    C[e] = ar.q(base[e] + mix);
  }
  return C;
}

/**
 * multislerp.py with a base tensor: unit task vectors, their weighted mean direction, one tangent
 * step (exponential map) from it, scaled by the weighted mean of the task-vector norms, added to B.
 * Weights normalised to sum 1 (normalize_weights default). In the dtype.
 */
export function multislerp(base, parents, weights, { ar = F32, eps = 1e-8, normalizeWeights = true } = {}) {
  if (parents.length === 1) return Float32Array.from(parents[0]);
  const n = base.length, k = parents.length;
  const ds = parents.map((x) => Float32Array.from(x, (v, e) => ar.q(v - base[e])));
  let w = weights.map(ar.q);
  if (normalizeWeights) { const s = ar.q(fr(w.reduce((a, b) => a + b, 0))); w = w.map((x) => ar.q(x / s)); }
  const norms = ds.map((d) => ar.norm(d));
  const units = ds.map((d, i) => { const den = ar.q(norms[i] + eps); return Float32Array.from(d, (v) => ar.q(v / den)); });
  const mean = new Float32Array(n);
  for (let e = 0; e < n; e++) { let s = 0; for (let i = 0; i < k; i++) s += ar.q(units[i][e] * w[i]); mean[e] = ar.q(fr(s)); }
  const mn = ar.norm(mean);
  if (mn < eps) throw new Error('multislerp: the weighted sum of the unit task vectors is zero');
  for (let e = 0; e < n; e++) mean[e] = ar.q(mean[e] / mn);
  const tang = units.map((u) => {
    const dts = ar.sum(Float32Array.from(u, (v, e) => ar.q(v * mean[e])));
    return Float32Array.from(u, (v, e) => ar.q(v - ar.q(dts * mean[e])));
  });
  const tr = new Float32Array(n);
  for (let e = 0; e < n; e++) { let s = 0; for (let i = 0; i < k; i++) s += ar.q(tang[i][e] * w[i]); tr[e] = ar.q(fr(s)); }
  const tn = ar.q(ar.norm(tr) + eps);
  const cs = ar.q(Math.cos(tn)), sn = ar.q(ar.q(Math.sin(tn)) / tn);
  let avg = 0;
  for (let i = 0; i < k; i++) avg += ar.q(norms[i] * w[i]);
  avg = ar.q(fr(avg));
  const C = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    const r = ar.q(ar.q(ar.q(mean[e] * cs) + ar.q(tr[e] * sn)) * avg);
    C[e] = ar.q(r + base[e]);
  }
  return C;
}

/**
 * karcher.py karcher_merge_tensors with KarcherTask's equal weights 1/k (the config's weights are
 * not used): the Riemannian mean of the unit tensors (max_iter 10, tol 1e-5) times the mean norm.
 * Works on the models themselves, not on task vectors. Norms and angles in f32, vectors in the dtype.
 */
export function karcher(tensors, { ar = F32, maxIter = 10, tol = 1e-5 } = {}) {
  if (tensors.length === 1) return Float32Array.from(tensors[0]);
  const k = tensors.length;
  const alphas = tensors.map(() => 1 / k);
  const n = tensors[0].length;
  const norms = tensors.map((t) => fr(Math.sqrt(dotD(t, t))));
  const units = tensors.map((t, i) => Float32Array.from(t, (v) => (norms[i] === 0 ? 0 : ar.q(v / norms[i]))));
  const valid = norms.map((x, i) => i).filter((i) => norms[i] > tol);
  if (!valid.length) return new Float32Array(n);
  const asum = valid.reduce((s, i) => s + alphas[i], 0);
  const na = valid.map((i) => alphas[i] / asum);
  const vu = valid.map((i) => units[i]);
  let u = new Float32Array(n);
  vu.forEach((ui, j) => { for (let e = 0; e < n; e++) u[e] = ar.q(u[e] + ar.q(na[j] * ui[e])); });
  const nu = fr(Math.sqrt(dotD(u, u)));
  u = nu < tol ? Float32Array.from(vu[0]) : Float32Array.from(u, (v) => ar.q(v / nu));
  for (let it = 0; it < maxIter; it++) {
    const T = new Float32Array(n);
    vu.forEach((ui, j) => {
      const d = Math.min(1, Math.max(-1, ar.q(fr(dotD(u, ui)))));
      const theta = ar.q(Math.acos(d));
      if (theta < tol) return;
      const f = ar.q(ar.q(na[j] * theta) / ar.q(Math.sin(theta)));
      for (let e = 0; e < n; e++) T[e] = ar.q(T[e] + ar.q(f * ar.q(ui[e] - ar.q(d * u[e]))));
    });
    const nT = fr(Math.sqrt(dotD(T, T)));
    if (nT < tol) break;
    const c = ar.q(Math.cos(nT)), s = ar.q(Math.sin(nT));
    for (let e = 0; e < n; e++) u[e] = ar.q(ar.q(c * u[e]) + ar.q(s * ar.q(T[e] / nT)));
    const un = fr(Math.sqrt(dotD(u, u)));
    if (un > tol) for (let e = 0; e < n; e++) u[e] = ar.q(u[e] / un);
  }
  let sc = 0;
  for (let i = 0; i < k; i++) sc += alphas[i] * norms[i];
  return Float32Array.from(u, (v) => ar.q(sc * v));
}

/**
 * model_stock.py (filter_wise false): c = mean pairwise cosine of the task vectors (flattened,
 * denominators clamped at 1e-6), t = k c / (1 + (k - 1) c), C = t mean(A_i) + (1 - t) B.
 * Needs two or more parents. Returns { C, t }.
 */
export function modelStock(base, parents, { ar = F32 } = {}) {
  const k = parents.length;
  if (k < 2) throw new Error('ModelStockMerge requires at least 3 models (base plus two+ others)');
  const n = base.length;
  const off = parents.map((x) => Float32Array.from(x, (v, e) => ar.q(v - base[e])));
  const cos = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) {
    const np = ar.q(ar.norm(off[i]) * ar.norm(off[j]));
    const dotp = ar.sum(Float32Array.from(off[i], (v, e) => ar.q(v * off[j][e])));
    cos.push(Math.min(1, Math.max(-1, ar.q(dotp / Math.max(np, 1e-6)))));
  }
  const c = ar.q(fr(cos.reduce((a, b) => a + b, 0)) / cos.length);
  const t = ar.q(ar.q(k * c) / ar.q(1 + ar.q((k - 1) * c)));
  const C = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let i = 0; i < k; i++) s = ar.q(s + parents[i][e]);  // python sum(ws): left to right
    const avg = ar.q(s / k);
    C[e] = ar.q(ar.q(t * avg) + ar.q(ar.q(1 - t) * base[e]));
  }
  return { C, t };
}

/** nearswap.py: w = clamp(t / clamp(|B - A|, 1e-6), 0, 1), C = w A + (1 - w) B, in the dtype. */
export function nearswap(base, A, t, { ar = F32 } = {}) {
  const C = new Float32Array(base.length);
  for (let e = 0; e < C.length; e++) {
    const ad = ar.q(Math.abs(ar.q(base[e] - A[e])));
    const w = Math.min(1, Math.max(0, ar.q(t / Math.max(ad, 1e-6))));
    C[e] = ar.q(ar.q(w * A[e]) + ar.q(ar.q(1 - w) * base[e]));
  }
  return C;
}

/** passthrough.py: the one source tensor, times `scale` when given. */
export function passthrough(x, scale = null, { ar = F32 } = {}) {
  if (scale === null || scale === undefined) return Float32Array.from(x);
  return Float32Array.from(x, (v) => ar.q(v * scale));
}
