// Port of mergekit/merge_methods/generalized_task_arithmetic.py (GTATask.execute, get_mask) and the
// method table of merge_methods/registry.py: task_arithmetic, ties, dare_ties, dare_linear,
// breadcrumbs, breadcrumbs_ties, della, della_linear.
import { F32 } from './arith.mjs';
import { sparsify } from './sparsify.mjs';

/** registry.py STATIC_MERGE_METHODS, the GeneralizedTaskArithmeticMerge entries (defaults). */
export const GTA_METHODS = {
  task_arithmetic: { consensus: null, sparsification: null, normalize: false, rescale: false },
  ties: { consensus: 'sum', sparsification: 'magnitude', normalize: true, rescale: false },
  dare_ties: { consensus: 'sum', sparsification: 'random', normalize: false, rescale: true },
  dare_linear: { consensus: null, sparsification: 'random', normalize: false, rescale: true },
  breadcrumbs: { consensus: null, sparsification: 'magnitude_outliers', normalize: false, rescale: false },
  breadcrumbs_ties: { consensus: 'sum', sparsification: 'magnitude_outliers', normalize: false, rescale: false },
  della: { consensus: 'sum', sparsification: 'della_magprune', normalize: true, rescale: true },
  della_linear: { consensus: null, sparsification: 'della_magprune', normalize: false, rescale: true },
};

/**
 * get_mask(delta, method): per element, the majority sign of the weighted deltas — `sum`:
 * sign(sum_i w_i d_i) >= 0 -> +1 else -1; `count`: sign of the count of signs — and a mask of the
 * entries whose own sign equals it (a zero entry has sign 0 and is never kept).
 * `wd` is an array of weighted deltas; returns an array of Uint8Array masks.
 */
export function getMask(wd, method = 'sum', ar = F32) {
  const n = wd[0].length;
  const masks = wd.map(() => new Uint8Array(n));
  for (let e = 0; e < n; e++) {
    let s = 0;
    if (method === 'sum') { for (const d of wd) s += d[e]; s = ar.q(Math.fround(s)); }
    else if (method === 'count') { for (const d of wd) s += Math.sign(d[e]); }
    else throw new Error(`Unimplemented mask method "${method}"`);
    const majority = s >= 0 ? 1 : -1;
    for (let i = 0; i < wd.length; i++) masks[i][e] = Math.sign(wd[i][e]) === majority ? 1 : 0;
  }
  return masks;
}

/**
 * GTATask.execute for one tensor. `base` and `parents` hold values in `ar` (already cast to the
 * compute dtype); `params[i]` = { weight, density = 1, gamma?, epsilon? } per parent (the tensor
 * parameters mergekit resolved for this tensor); `opts` = { method, normalize?, rescale?, lambda = 1,
 * consensus? (override), rand, ar, shape }. Returns C = base + lambda * mixed, in `ar`.
 */
export function gtaTensor(base, parents, params, opts) {
  const def = GTA_METHODS[opts.method];
  if (!def) throw new Error(`not a GTA method: ${opts.method}`);
  const ar = opts.ar || F32;
  const normalize = opts.normalize ?? def.normalize;
  const rescaleNorm = (opts.rescale ?? def.rescale) ? 'l1' : null;
  const consensus = opts.consensus === undefined ? def.consensus : opts.consensus;
  const lambda = opts.lambda ?? 1;
  const n = base.length;
  // get_task_vectors: delta = x - base in the dtype
  let deltas = parents.map((x) => { const d = new Float32Array(n); for (let e = 0; e < n; e++) d[e] = ar.q(x[e] - base[e]); return d; });
  if (def.sparsification) {
    deltas = deltas.map((d, i) => sparsify(d, opts.shape || [n], {
      density: params[i].density ?? 1, method: def.sparsification, rescaleNorm, ar, rand: opts.rand,
      gamma: params[i].gamma ?? (def.sparsification === 'magnitude_outliers' ? 0.01 : 0),
      epsilon: params[i].epsilon ?? (def.sparsification === 'della_magprune' ? 0.15 : 0),
    }));
  }
  const w = params.map((p) => ar.q(p.weight));  // torch.tensor(weights, dtype=deltas.dtype)
  const wd = deltas.map((d, i) => { const o = new Float32Array(n); for (let e = 0; e < n; e++) o[e] = ar.q(d[e] * w[i]); return o; });
  const masks = consensus ? getMask(wd, consensus, ar) : null;
  const C = new Float32Array(n);
  const wsum = masks ? null : ar.q(Math.fround(w.reduce((a, b) => a + b, 0)));
  for (let e = 0; e < n; e++) {
    let mixed = 0, div = 0;
    for (let i = 0; i < wd.length; i++) {
      if (masks && !masks[i][e]) continue;
      mixed += wd[i][e];
      div += w[i];
    }
    mixed = ar.q(Math.fround(mixed));
    if (masks) { div = ar.q(Math.fround(div)); if (div === 0) div = 1; } else { div = Math.abs(wsum) < 1e-8 ? 1 : wsum; }
    if (normalize) mixed = ar.q(mixed / div);
    if (lambda !== 1) mixed = ar.q(mixed * lambda);
    C[e] = ar.q(base[e] + mixed);
  }
  return C;
}
