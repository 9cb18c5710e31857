// Merge methods re-implemented per tensor on Float32Arrays, following mergekit's merge_methods/
// (see shared/merge-signatures.md). Arithmetic is done in f32 (Math.fround after every operation)
// unless a function says otherwise, so an F32 output is what a float32 mergekit run would write.
import { bf16Round } from './safetensors-io.mjs';

const fr = Math.fround;

/** Deterministic PRNG (mulberry32) seeded from a string, with a Gaussian helper. */
export function rng(seedText) {
  let h = 2166136261 >>> 0;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 16777619) >>> 0;
  let s = h || 1;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = null;
  const gauss = () => {
    if (spare !== null) { const v = spare; spare = null; return v; }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { uniform, gauss };
}

export function norm(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

export function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** d = A - B in f32. */
export function delta(A, B) {
  const d = new Float32Array(A.length);
  for (let i = 0; i < A.length; i++) d[i] = fr(A[i] - B[i]);
  return d;
}

/** C = a*A + (1-a)*B computed in f32 (each product and the sum rounded to f32). */
export function linear(A, B, a) {
  const wa = fr(a), wb = fr(1 - a);
  const C = new Float32Array(A.length);
  for (let i = 0; i < A.length; i++) C[i] = fr(fr(wa * A[i]) + fr(wb * B[i]));
  return C;
}

/**
 * mergekit's linear merge with dtype bf16 (no dtype override): the weights tensor is cast to bf16,
 * each weighted tensor is rounded to bf16, the sum over models is accumulated in f32 and rounded to
 * bf16 once, then divided by the bf16 sum of the weights when that is not 1 (normalize: true).
 * Inputs must already be bf16 values. Returns the bf16 values as f32.
 */
export function linearBf16Order(A, B, a) {
  const wa = bf16Round(a), wb = bf16Round(1 - a);
  const ws = bf16Round(wa + wb);
  const C = new Float32Array(A.length);
  for (let i = 0; i < A.length; i++) {
    let v = bf16Round(fr(bf16Round(wa * A[i]) + bf16Round(wb * B[i])));
    if (ws !== 1) v = bf16Round(v / ws);
    C[i] = v;
  }
  return C;
}

/** Task arithmetic: C = B + sum_i w_i d_i (f32). */
export function taskArithmetic(B, parents, weights) {
  const C = new Float32Array(B.length);
  for (let i = 0; i < B.length; i++) {
    let s = 0;
    for (let j = 0; j < parents.length; j++) s = fr(s + fr(weights[j] * fr(parents[j][i] - B[i])));
    C[i] = fr(B[i] + s);
  }
  return C;
}

/**
 * mergekit slerp(t, v0, v1) on raw weights: v0 = base B (t = 0), v1 = A (t = 1). Normalised copies
 * give the angle; when |cos| > 0.9995 it falls back to lerp. Computed in double like numpy f64 would
 * be close enough; the result is rounded to f32. Returns { C, lerp, s0, s1 }.
 */
export function slerp(A, B, t, dotThreshold = 0.9995) {
  const nA = norm(A), nB = norm(B);
  const c = dot(A, B) / (nA * nB);
  const C = new Float32Array(A.length);
  if (Math.abs(c) > dotThreshold) {
    for (let i = 0; i < A.length; i++) C[i] = fr((1 - t) * B[i] + t * A[i]);
    return { C, lerp: true, s0: 1 - t, s1: t };
  }
  const theta0 = Math.acos(c);
  const sin0 = Math.sin(theta0);
  const s0 = Math.sin(theta0 - theta0 * t) / sin0;
  const s1 = Math.sin(theta0 * t) / sin0;
  for (let i = 0; i < A.length; i++) C[i] = fr(s0 * B[i] + s1 * A[i]);
  return { C, lerp: false, s0, s1 };
}

/** Indices of the k largest |d| (mergekit magnitude sparsification: argsort descending, first k). */
function topK(d, k) {
  const idx = Array.from(d.keys());
  idx.sort((i, j) => Math.abs(d[j]) - Math.abs(d[i]) || i - j);
  const keep = new Uint8Array(d.length);
  for (let i = 0; i < k; i++) keep[idx[i]] = 1;
  return keep;
}

/**
 * TIES with one parent: keep the top density*n of |d| (sign consensus with a single model keeps
 * every surviving element; normalisation by the weight cancels it), scale by lambda.
 * C = B + lambda * mask * d.
 */
export function ties(A, B, density, lambda = 1) {
  const d = delta(A, B);
  const keep = topK(d, Math.floor(density * d.length));
  const C = new Float32Array(A.length);
  for (let i = 0; i < A.length; i++) C[i] = keep[i] ? fr(B[i] + fr(lambda * d[i])) : B[i];
  return C;
}

/**
 * DARE with one parent: Bernoulli(density) mask from `rand`, kept elements rescaled by 1/density.
 * dare_linear: C = B + w * mask * d / density. dare_ties (normalize with one model): the weight
 * cancels, C = B + mask * d / density (pass w = 1).
 */
export function dare(A, B, density, w, rand) {
  const d = delta(A, B);
  const C = new Float32Array(A.length);
  const inv = fr(1 / density);
  for (let i = 0; i < A.length; i++) {
    C[i] = rand.uniform() < density ? fr(B[i] + fr(w * fr(d[i] * inv))) : B[i];
  }
  return C;
}

/**
 * A structured perturbation ("light fine-tuning after the merge") of norm `target`: half of its
 * energy is the other fine-tune's delta (real, correlated structure), half low-rank Gaussian noise
 * (rank 4 for matrices, plain Gaussian for vectors).
 */
export function perturbation(otherDelta, shape, target, rand) {
  const n = otherDelta.length;
  const P = new Float32Array(n);
  const noise = new Float64Array(n);
  if (shape.length === 2) {
    const [r, c] = shape;
    for (let q = 0; q < 4; q++) {
      const u = Array.from({ length: r }, rand.gauss);
      const v = Array.from({ length: c }, rand.gauss);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) noise[i * c + j] += u[i] * v[j];
    }
  } else {
    for (let i = 0; i < n; i++) noise[i] = rand.gauss();
  }
  const no = norm(otherDelta) || 1, nn = norm(noise) || 1;
  const part = target / Math.SQRT2;
  for (let i = 0; i < n; i++) P[i] = fr((otherDelta[i] / no) * part + (noise[i] / nn) * part);
  return P;
}

/** C + P elementwise in f32. */
export function add(C, P) {
  const out = new Float32Array(C.length);
  for (let i = 0; i < C.length; i++) out[i] = fr(C[i] + P[i]);
  return out;
}

/** Each tensor of A, merged with B's tensor of the same name and shape by fn; others copied from A. */
export function mergeEach(A, B, fn) {
  const out = new Map();
  for (const [name, t] of A) {
    const b = B.get(name);
    const same = b && b.shape.length === t.shape.length && b.shape.every((x, i) => x === t.shape[i]);
    out.set(name, { shape: t.shape, data: same ? fn(t.data, b.data, name, t.shape) : t.data });
  }
  return out;
}
