// Ranking the screened candidates: which are relatives of the suspect C at all (raw-weight
// closeness), which one is a copy, and which base B and parents A_i explain C best (delta
// alignment cos(C - B, X - B) and a greedy least-squares pursuit over the candidates' deltas).
// Pure arithmetic on the probe vectors (probe.mjs): no I/O, so every rule is unit-tested.
//
// The thresholds are calibrated on the real BERT-tiny weights of shared/real-models (see
// tests/js/discover-rank.test.mjs), not on random noise: two fine-tunes of one base are NOT
// orthogonal in delta space (cos 0.0..0.18 on weight matrices), which is why a parent must raise
// the fit by PARENT_MIN_GAIN, not merely by any amount.

export const THRESHOLDS = Object.freeze({
  /** Raw cosine to call a candidate a relative: a fine-tune vs its base is >= 0.997 on BERT-tiny,
   *  unrelated models of the same shapes are within +-0.03 (weight matrices only). */
  RELATIVE_MIN_COS: 0.5,
  /** Share of probed elements equal (to the coarser dtype's rounding) for a copy: a light
   *  fine-tune changes nearly every element (BERT-tiny: ~5% of the weight norm). */
  COPY_MIN_EQUAL: 0.99,
  /** R^2 a further parent must add: an unrelated fine-tune of the same base aligns up to 0.18 with
   *  another's delta on matrices, i.e. explains up to ~0.03 of it. */
  PARENT_MIN_GAIN: 0.05,
  /** Below this R^2 no merge of the candidates explains C: it is a fine-tune of its closest relative. */
  MERGE_MIN_R2: 0.8,
  /** One parent carrying this much weight: C is that parent, trained further (not a merge). */
  FINETUNE_MIN_WEIGHT: 0.95,
  /** Hypotheses within this R^2 of the best are compared on parent count, then on star score. */
  CLOSE_R2: 0.02,
  /** Two finalists whose star scores differ by less than this are both verified. */
  CLOSE_STAR: 0.1,
});

/** R^2 differences below this are ties (BF16 rounding moves R^2 by ~1e-4 on a probe). */
const TIE_R2 = 1e-3;

/** Most parents a hypothesis may have (the core's kMaxParents). */
export const MAX_PURSUIT_PARENTS = 4;

const dot = (a, b) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const sub = (a, b) => { const o = new Float64Array(a.length); for (let i = 0; i < a.length; i++) o[i] = a[i] - b[i]; return o; };

/** cos(a, b), or null when either is zero. */
export function cosine(a, b) {
  const na = dot(a, a);
  const nb = dot(b, b);
  if (!(na > 0) || !(nb > 0)) return null;
  return dot(a, b) / Math.sqrt(na * nb);
}

/**
 * Solves the small symmetric system G w = r (Gaussian elimination with partial pivoting).
 * @returns {number[] | null} null when G is singular (two deltas in the same direction)
 */
function solve(G, r) {
  const n = r.length;
  const M = G.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(M[i][c]) > Math.abs(M[p][c])) p = i;
    if (!(Math.abs(M[p][c]) > 1e-12 * Math.abs(M[c][c] || 1))) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= f * M[c][j];
    }
  }
  return M.map((row, i) => row[n] / row[i]);
}

/**
 * Least squares of D on the deltas ds: weights and R^2 = 1 - |D - sum w_i d_i|^2 / |D|^2.
 * @param {Float64Array} D @param {Float64Array[]} ds
 * @returns {{weights: number[], r2: number} | null}
 */
export function leastSquares(D, ds) {
  const dd = dot(D, D);
  if (!(dd > 0)) return null;
  const G = ds.map((a) => ds.map((b) => dot(a, b)));
  const r = ds.map((a) => dot(a, D));
  const w = solve(G, r);
  if (!w) return null;
  const res = Float64Array.from(D);
  ds.forEach((d, k) => { for (let i = 0; i < res.length; i++) res[i] -= w[k] * d[i]; });
  return { weights: w, r2: 1 - dot(res, res) / dd };
}

/**
 * Fraction of elements of a and b that agree within the rounding of the coarser dtype: a copy
 * stored in BF16 of an F32 model agrees to 2^-8 relative, a fine-tune does not.
 * @param {Float64Array} a @param {Float64Array} b @param {number} relTol
 */
export function equalFraction(a, b, relTol) {
  if (a.length === 0) return 0;
  let eq = 0;
  for (let i = 0; i < a.length; i++) {
    const m = Math.max(Math.abs(a[i]), Math.abs(b[i]));
    if (Math.abs(a[i] - b[i]) <= relTol * m) eq++;
  }
  return eq / a.length;
}

/** Relative rounding tolerance of a dtype pair (the coarser one decides). */
export function roundingTolerance(dtypes) {
  const mant = { F32: 23, F16: 10, BF16: 7 };
  const bits = Math.min(...dtypes.map((d) => mant[d] ?? 23));
  return 2 ** -bits * 2;  // both sides may be rounded: twice the half-ulp of each
}

/**
 * Concatenates the probe vectors of a model over `keys` (tensors present in every model compared).
 * @param {{values: Map<string, Float64Array>}} probe @param {string[]} keys
 */
export function flatten(probe, keys) {
  const n = keys.reduce((s, k) => s + probe.values.get(k).length, 0);
  const out = new Float64Array(n);
  let at = 0;
  for (const k of keys) { const v = probe.values.get(k); out.set(v, at); at += v.length; }
  return out;
}

/** Mean of the per-tensor raw cosines of two probes over `keys` (null when none defined). */
export function closeness(a, b, keys) {
  const cs = keys.map((k) => cosine(a.values.get(k), b.values.get(k))).filter((c) => c !== null);
  return cs.length ? cs.reduce((s, c) => s + c, 0) / cs.length : null;
}

/**
 * Star score of a base candidate: median |cos| between the deltas (X - B) of the other relatives.
 * Seen from the true base, independent fine-tunes point in near-independent directions (real
 * BERT-tiny: 0.0..0.18); seen from one of them, every other delta shares minus its own delta, so
 * the score rises (0.3..0.7). Null with fewer than two other relatives.
 * @param {Float64Array[]} deltas
 */
export function starScore(deltas) {
  const cs = [];
  for (let i = 0; i < deltas.length; i++) {
    for (let j = i + 1; j < deltas.length; j++) {
      const c = cosine(deltas[i], deltas[j]);
      if (c !== null) cs.push(Math.abs(c));
    }
  }
  // The median, not the mean: merges and copies among the candidates are collinear with their
  // parents (|cos| = 1) from any base, and must not outvote the independent fine-tunes.
  cs.sort((a, b) => a - b);
  return cs.length ? cs[Math.floor(cs.length / 2)] : null;
}

/**
 * Greedy pursuit of parents for D = C - B: adds the candidate delta that most raises R^2, while
 * the gain is at least PARENT_MIN_GAIN, up to MAX_PURSUIT_PARENTS. `forced` parents are taken
 * first and, when given, are the whole answer (roles pinned by the user are not second-guessed).
 * @param {Float64Array} D
 * @param {{id: string, delta: Float64Array, downloads?: number | null}[]} pool
 * @param {string[]} [forced]
 * @returns {{parents: string[], weights: number[], r2: number, steps: {id: string, r2: number}[]} | null}
 */
/** Is candidate p preferable to q among collinear ones: longer delta, else more downloads. */
function longer(p, q) {
  const a = dot(p.delta, p.delta);
  const b = dot(q.delta, q.delta);
  if (Math.abs(a - b) > 1e-6 * Math.max(a, b)) return a > b;
  return (p.downloads ?? -1) > (q.downloads ?? -1);
}

export function pursue(D, pool, forced = []) {
  const byId = new Map(pool.map((p) => [p.id, p]));
  let chosen = forced.filter((id) => byId.has(id));
  let fit = chosen.length ? leastSquares(D, chosen.map((id) => byId.get(id).delta)) : null;
  const steps = chosen.length && fit ? [{ id: chosen.join('+'), r2: fit.r2 }] : [];
  if (forced.length) return fit ? { parents: chosen, weights: fit.weights, r2: fit.r2, steps } : null;
  while (chosen.length < MAX_PURSUIT_PARENTS) {
    let best = null;
    for (const p of pool) {
      if (chosen.includes(p.id)) continue;
      const f = leastSquares(D, [...chosen, p.id].map((id) => byId.get(id).delta));
      if (!f) continue;
      // Collinear candidates (a parent, its copies, its merges with the base) fit alike: take
      // the longest delta, the extreme point, since a merge with the base lies inside the segment.
      // Copies of one model (equal length) go to the most downloaded: the original, usually.
      if (!best || (Math.abs(f.r2 - best.fit.r2) <= TIE_R2 ? longer(p, byId.get(best.id)) : f.r2 > best.fit.r2)) best = { id: p.id, fit: f };
    }
    if (!best) break;
    const gain = best.fit.r2 - (fit?.r2 ?? 0);
    if (fit && gain < THRESHOLDS.PARENT_MIN_GAIN) break;
    chosen = [...chosen, best.id];
    fit = best.fit;
    steps.push({ id: best.id, r2: fit.r2 });
  }
  return fit ? { parents: chosen, weights: fit.weights, r2: fit.r2, steps } : null;
}

/**
 * The whole ranking.
 * @param {object} o
 * @param {{id: string, dtypes: string[], values: Map<string, Float64Array>}} o.suspect
 * @param {{id: string, dtypes: string[], values: Map<string, Float64Array>, root?: boolean, downloads?: number | null}[]} o.candidates
 *   screened candidates; `root`: metadata names no base for it (a base candidate)
 * @param {string[]} [o.pinnedParents]  ids the user gave as parents
 * @param {string | null} [o.pinnedBase]  id the user gave as base
 * @returns {{
 *   keys: string[],
 *   scores: {id: string, closeness: number | null, relative: boolean, copy_fraction: number | null, distance: number | null}[],
 *   hypotheses: {base: string, parents: string[], weights: number[], r2: number, star: number | null}[],
 *   chosen: {kind: 'merge' | 'finetune' | 'copy' | 'no-relative', base: string | null, parents: string[], weights: number[], r2: number | null, of: string | null},
 *   alternative: null | {kind: 'merge', base: string, parents: string[], weights: number[], r2: number, star: number | null},
 * }}
 */
export function rankCandidates(o) {
  const { suspect, candidates, pinnedParents = [], pinnedBase = null } = o;
  const T = THRESHOLDS;
  // Closeness is measured per pair on the tensors both have.
  const common = (a, b) => [...a.values.keys()].filter((k) => b.values.has(k));
  const scores = candidates.map((c) => {
    const keys = common(suspect, c);
    const cl = keys.length ? closeness(suspect, c, keys) : null;
    const relative = cl !== null && cl >= T.RELATIVE_MIN_COS;
    let copy = null;
    let distance = null;
    if (keys.length) {
      const s = flatten(suspect, keys);
      const x = flatten(c, keys);
      copy = equalFraction(s, x, roundingTolerance([...suspect.dtypes, ...c.dtypes]));
      const d = sub(s, x);
      distance = Math.sqrt(dot(d, d) / (dot(s, s) || 1));
    }
    return { id: c.id, closeness: cl, relative, copy_fraction: copy, distance };
  });
  const relatives = candidates.filter((c, i) => scores[i].relative);
  const none = { kind: /** @type {const} */ ('no-relative'), base: null, parents: [], weights: [], r2: null, of: null };
  if (relatives.length === 0) return { keys: [], scores, hypotheses: [], chosen: none, alternative: null };

  // Every comparison among relatives uses the tensors all of them (and C) share.
  let keys = [...suspect.values.keys()].filter((k) => relatives.every((r) => r.values.has(k)));
  if (keys.length === 0) keys = [...suspect.values.keys()];
  const usable = relatives.filter((r) => keys.every((k) => r.values.has(k)));
  const vec = new Map(usable.map((r) => [r.id, flatten(r, keys)]));
  const C = flatten(suspect, keys);
  const scoreOf = (id) => scores.find((s) => s.id === id);
  const closest = [...usable].sort((a, b) => scoreOf(a.id).distance - scoreOf(b.id).distance)[0]?.id ?? relatives[0].id;

  // Base candidates: the pinned base, else relatives that metadata calls roots, else all relatives.
  let bases = pinnedBase ? usable.filter((r) => r.id === pinnedBase) : usable.filter((r) => r.root);
  if (bases.length === 0) bases = usable;
  const hypotheses = [];
  for (const B of bases) {
    if (pinnedParents.includes(B.id)) continue;  // a pinned parent is not the base
    const Bv = vec.get(B.id);
    const pool = usable.filter((r) => r.id !== B.id).map((r) => ({ id: r.id, delta: sub(vec.get(r.id), Bv), downloads: r.downloads }));
    const fit = pursue(sub(C, Bv), pool, pinnedParents);
    if (!fit) continue;
    const others = pool.filter((p) => !fit.parents.includes(p.id)).map((p) => p.delta);
    hypotheses.push({ base: B.id, parents: fit.parents, weights: fit.weights, r2: fit.r2, star: starScore(pool.map((p) => p.delta)), steps: fit.steps, othersCount: others.length });
  }
  // Order: R^2 first; among those within CLOSE_R2 of the best, fewer parents, then lower star score.
  const bestR2 = Math.max(...hypotheses.map((h) => h.r2), -Infinity);
  const near = (h) => h.r2 >= bestR2 - T.CLOSE_R2;
  hypotheses.sort((a, b) => {
    const na = near(a);
    if (na !== near(b)) return na ? -1 : 1;
    if (!na) return b.r2 - a.r2;
    return (a.parents.length - b.parents.length) || ((a.star ?? 1) - (b.star ?? 1)) || (b.r2 - a.r2);
  });
  const top = hypotheses[0];

  const copyOf = scores.filter((s) => s.relative && s.copy_fraction >= T.COPY_MIN_EQUAL)
    .sort((a, b) => b.copy_fraction - a.copy_fraction)[0];
  // A base for a copy or fine-tune of X: the best hypothesis' base when it is not X itself.
  // Without a merge to go by, the most base-like candidate: the lowest star score.
  const baseFor = (x) => [...hypotheses].filter((h) => h.base !== x)
    .sort((a, b) => (a.star ?? 1) - (b.star ?? 1))[0]?.base ?? null;
  /** @type {{kind: 'merge' | 'finetune' | 'copy' | 'no-relative', base: string | null, parents: string[], weights: number[], r2: number | null, of: string | null}} */
  let chosen;
  if (copyOf && !pinnedParents.length) {
    chosen = { kind: /** @type {const} */ ('copy'), of: copyOf.id, base: baseFor(copyOf.id), parents: [copyOf.id], weights: [1], r2: null };
  } else if (top && top.r2 >= T.MERGE_MIN_R2 && !(top.parents.length === 1 && top.weights[0] >= T.FINETUNE_MIN_WEIGHT && !pinnedParents.length)) {
    chosen = { kind: 'merge', of: null, base: top.base, parents: top.parents, weights: top.weights, r2: top.r2 };
  } else if (top && top.r2 >= T.MERGE_MIN_R2) {
    chosen = { kind: 'finetune', of: top.parents[0], base: top.base, parents: top.parents, weights: top.weights, r2: top.r2 };
  } else {
    const of = pinnedParents[0] ?? closest;
    chosen = { kind: 'finetune', of, base: pinnedBase ?? baseFor(of), parents: [of], weights: [], r2: top?.r2 ?? null };
  }
  /** @type {null | {kind: 'merge', base: string, parents: string[], weights: number[], r2: number, star: number | null}} */
  let alternative = null;
  const second = hypotheses[1];
  if (chosen.kind === 'merge' && second && near(second) && second.parents.length === top.parents.length &&
      second.r2 >= T.MERGE_MIN_R2 && Math.abs((second.star ?? 1) - (top.star ?? 1)) < T.CLOSE_STAR) {
    alternative = { kind: /** @type {const} */ ('merge'), base: second.base, parents: second.parents, weights: second.weights, r2: second.r2, star: second.star };
  }
  return {
    keys, scores,
    hypotheses: hypotheses.map(({ base, parents, weights, r2, star }) => ({ base, parents, weights, r2, star })),
    chosen, alternative,
  };
}
