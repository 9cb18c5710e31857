// The mergekit-family evaluation cases (issue 12): every family built with mergekit's own formulas
// (tools/gen/mergekit/) from the real BERT-tiny weights, 1-3 parents, three precisions, per-group
// parameters and small weights (fine-tunes, copies, wrong bases, controls: provenance-cases.mjs).
// Each case carries the mergekit config it reproduces, so the expected parameters are read from
// the same object that built it. Cases marked `holdout: true` are for checking a calibration, not
// for tuning it (one seed or one density / weight / t per family).
//
// Precisions (`mode`): f32 = F32 inputs, `dtype: float32`, F32 out; bf16out = F32 inputs,
// `dtype: float32`, `out_dtype: bfloat16` (one rounding at the end); bf16mk = bf16 inputs, `dtype`
// unset, so every torch op runs in bf16 (the common case on the Hub).
import { mergekitMerge } from './mergekit/merge.mjs';
import { evaluateSetting, layerT } from './mergekit/params.mjs';
import { GTA_METHODS } from './mergekit/gta.mjs';
import { rng } from './merge-ops.mjs';


/** A permutation of 0..n-1 from `rand` (Fisher-Yates). */
export function permutation(n, rand) {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand.uniform() * (i + 1)); [p[i], p[j]] = [p[j], p[i]]; }
  return p;
}

/**
 * A real delta with its rows and columns permuted (a vector: its entries): the same values, the
 * same rank and row/column norm profile, no alignment with the original. Seeded by `seed` + name.
 */
export function shuffledDelta(d, shape, seed, name) {
  const rand = rng(`${seed}:${name}`);
  const out = new Float32Array(d.length);
  if (shape.length === 2) {
    const [r, c] = shape;
    const pr = permutation(r, rand), pc = permutation(c, rand);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = d[pr[i] * c + pc[j]];
  } else {
    const p = permutation(d.length, rand);
    for (let i = 0; i < d.length; i++) out[i] = d[p[i]];
  }
  return out;
}

/** The components the per-group parameters and the expectations use (BERT tensor names). */
export const COMPONENTS = { attention: 'bert.encoder.layer.L.attention.self.query.weight', mlp: 'bert.encoder.layer.L.intermediate.dense.weight' };
const NUM_LAYERS = 2;

/**
 * Expected per-parent values of parameter `key` for each (layer, component) group, resolved the way
 * mergekit resolves them (params.mjs). Returns { 'L0.attention': [p1, p2, ..], ... }.
 */
function groupValues(cfg, key, fallback) {
  const out = {};
  for (let L = 0; L < NUM_LAYERS; L++) {
    for (const [comp, tmpl] of Object.entries(COMPONENTS)) {
      const name = tmpl.replace('L', String(L));
      const t = layerT(name, NUM_LAYERS);
      out[`L${L}.${comp}`] = cfg.models.map((m) => {
        for (const src of [m.parameters, cfg.parameters]) {
          if (src && key in src) { const v = evaluateSetting(name, src[key], t); if (v !== null) return v; }
        }
        return fallback;
      });
    }
  }
  return out;
}

/** A global (not per-model) setting resolved per group: { 'L0.attention': v, ... }. */
function globalGroups(setting) {
  const out = {};
  for (let L = 0; L < NUM_LAYERS; L++) {
    for (const [comp, tmpl] of Object.entries(COMPONENTS)) {
      const name = tmpl.replace('L', String(L));
      out[`L${L}.${comp}`] = evaluateSetting(name, setting, layerT(name, NUM_LAYERS));
    }
  }
  return out;
}

function uniformOrNull(groups) {
  const vals = Object.values(groups);
  const same = vals.every((v) => v.every((x, i) => x === vals[0][i]));
  return same ? vals[0] : null;
}

const KIND = {
  linear: 'linear-merge', task_arithmetic: 'linear-merge', model_stock: 'linear-merge',
  slerp: 'slerp-merge', nuslerp: 'slerp-merge', multislerp: 'slerp-merge', karcher: 'slerp-merge',
  nearswap: 'nearswap-merge', passthrough: 'passthrough',
};
for (const m of Object.keys(GTA_METHODS)) if (m !== 'task_arithmetic') KIND[m] = 'sparse-merge';

/**
 * How the configured weights show in the suspect: `absolute` (D = sum w_i d_i on what is kept),
 * `ratio` (normalised away: only w_i / sum w is recoverable: ties, della, nuslerp, multislerp,
 * linear with normalize), `none` (karcher ignores weights; model_stock derives t per tensor).
 */
function weightsVisible(method, cfg) {
  if (method === 'karcher' || method === 'model_stock' || method === 'nearswap' || method === 'slerp' || method === 'passthrough') return 'none';
  if (method === 'nuslerp' || method === 'multislerp') return 'ratio';
  if (method === 'linear') return 'absolute';  // expected weights are stored divided by the sum
  const normalize = cfg.parameters?.normalize ?? GTA_METHODS[method].normalize;
  return normalize ? 'ratio' : 'absolute';
}

/**
 * Other mergekit method names that write the same weights for this configuration, so naming any of
 * them is right: linear with the weights normalised (base among the models) is task arithmetic;
 * with one parent the sign consensus keeps every kept element, so dare_ties = dare_linear,
 * breadcrumbs_ties = breadcrumbs, della = della_linear (their weight conventions differ, the
 * expected weights say which). slerp of raw weights at the real fine-tunes' ~3 degree angle is as
 * good a lerp fit (cos_fit 0.9997+) but leaves a per-tensor p + q - 1 the verdict measures: only
 * `slerp` is right.
 */
function equivalentMethods(method, k) {
  const eq = { linear: ['task_arithmetic'], task_arithmetic: ['linear'] }[method] || [];
  if (k === 1) {
    const pair = { dare_ties: 'dare_linear', dare_linear: 'dare_ties', breadcrumbs_ties: 'breadcrumbs', breadcrumbs: 'breadcrumbs_ties', della: 'della_linear', della_linear: 'della' }[method];
    if (pair) eq.push(pair);
  }
  return eq;
}

const MODES = {
  f32: { dtype: 'F32', inputs: 'f32', mk: { dtype: 'float32' } },
  bf16out: { dtype: 'BF16', inputs: 'f32', mk: { dtype: 'float32', out_dtype: 'bfloat16' } },
  bf16mk: { dtype: 'BF16', inputs: 'bf16', mk: {} },
};

/**
 * What the weights cannot decide for a configuration, the same for the catalogue and the sweep:
 * two models' karcher mean is their spherical midpoint, whose curvature is below bf16's rounding
 * when mergekit computes in bf16, so it reads as equal linear weights, right only with the
 * karcher-equivalent caveat. { why, methods, flags } or null.
 */
export function undecidableOf(method, mode, k) {
  if (method === 'karcher' && mode === 'bf16mk' && k === 2) {
    return { why: 'two parents at equal weights: karcher curvature below bf16 rounding', methods: ['task_arithmetic', 'linear'], flags: ['karcher-equivalent'] };
  }
  return null;
}

/**
 * One mergekit case. `cfg` = { merge_method, parameters, models: [{ model, parameters }] } with
 * model keys of merges.mjs (sst2, emotion, third); `seed` names the RNG stream of random masks.
 * Also tests/eval/sweep.mjs's builder of random configurations.
 */
export function mkCase({ id, cfg, mode, seed = 's1', holdout = false, notes, accept }) {
  const m = MODES[mode];
  const method = cfg.merge_method;
  // The base may be one of linear's models (C = w A + (1 - w) B); it is not a parent to verify.
  const parentIdx = cfg.models.map((x, i) => i).filter((i) => cfg.models[i].model !== 'base');
  const k = parentIdx.length;
  const undecidable = undecidableOf(method, mode, k);
  const pick = (groups) => {
    if (!groups) return null;
    const out = {};
    for (const [g, v] of Object.entries(groups)) {
      // linear normalises by the sum of all weights (base included): D = sum (w_i / W) d_i
      const W = method === 'linear' && cfg.parameters?.normalize !== false ? v.reduce((a, b) => a + b, 0) : 1;
      out[g] = parentIdx.map((i) => +(v[i] / W).toFixed(6));
    }
    return out;
  };
  const weightGroups = method === 'karcher' || method === 'model_stock' || method === 'slerp' || method === 'nearswap'
    ? null : pick(groupValues(cfg, 'weight', null));
  const densityGroups = KIND[method] === 'sparse-merge' ? pick(groupValues(cfg, 'density', 1)) : null;
  const expected = {
    kind: KIND[method],
    // (an undecidable case's equivalent methods bring their own kind: task_arithmetic's is linear-merge)
    accept: accept || [...new Set([KIND[method], ...(undecidable ? undecidable.methods.map((x) => KIND[x]) : [])])],
    method,
    parents: k,
    weights: weightGroups ? uniformOrNull(weightGroups) : null,
    weights_visible: weightsVisible(method, cfg),
    density: densityGroups ? uniformOrNull(densityGroups) : null,
    ...(weightGroups && !uniformOrNull(weightGroups) ? { group_weights: weightGroups } : {}),
    ...(densityGroups && !uniformOrNull(densityGroups) ? { group_density: densityGroups } : {}),
    ...(typeof cfg.parameters?.t === 'number' ? { t: cfg.parameters.t } : {}),
    ...(Array.isArray(cfg.parameters?.t) ? { group_t: globalGroups(cfg.parameters.t) } : {}),
    ...(cfg.parameters?.lambda !== undefined ? { lambda: cfg.parameters.lambda } : {}),
    ...(method.startsWith('della') ? { epsilon: cfg.parameters?.epsilon ?? 0.15 } : {}),
    ...(method.startsWith('breadcrumbs') ? { gamma: cfg.parameters?.gamma ?? 0.01 } : {}),
    methods_equivalent: equivalentMethods(method, k),
    holdout,
    // undecidable from the weights: `methods` also name it right when the verdict carries `flags`
    ...(undecidable ? { undecidable: undecidable.why, methods_equivalent: [...equivalentMethods(method, k), ...undecidable.methods], flags_if_equivalent: undecidable.flags } : {}),
  };
  const config = { ...cfg, base_model: 'base', ...m.mk };
  if (method === 'karcher') delete config.base_model;  // karcher has no base; the verifier still gets B
  return {
    id, set: 'mergekit', family: method, mode, holdout, parents: parentIdx.map((i) => cfg.models[i].model), dtype: m.dtype, inputs: m.inputs, control: null,
    mergekit_config: config,
    build: ({ role }) => mergekitMerge({
      method, base: role('base'), parameters: cfg.parameters || {},
      models: cfg.models.map((x) => ({ tensors: role(x.model), parameters: x.parameters || {} })),
      dtype: m.mk.dtype || null, inputDtype: m.inputs === 'bf16' ? 'bfloat16' : 'float32', outDtype: m.mk.out_dtype || null,
      numLayers: NUM_LAYERS, rand: rng(`${id}:${seed}`),
    }),
    expected,
    notes: notes || `mergekit ${method}, ${k} parent(s), ${mode}`,
  };
}

const models = (names, params) => names.map((model, i) => ({ model, parameters: params[i] }));
const P3 = ['sst2', 'emotion', 'third'];
const P4 = [...P3, 'fourth'];

export function mergekitCatalogue() {
  const cases = [];
  const add = (c) => cases.push(mkCase(c));
  const modes = ['f32', 'bf16mk'];

  // linear (normalize true): 2 and 3 parents; 1 parent is the core set's.
  for (const mode of [...modes, 'bf16out']) {
    add({ id: `mk-linear-${mode}-k2`, mode, cfg: { merge_method: 'linear', models: models(P3.slice(0, 2), [{ weight: 0.6 }, { weight: 0.4 }]) } });
  }
  for (const mode of modes) add({ id: `mk-linear-${mode}-k3`, mode, holdout: mode === 'bf16mk', cfg: { merge_method: 'linear', models: models(P3, [{ weight: 0.5 }, { weight: 0.3 }, { weight: 0.2 }]) } });

  // task arithmetic: 1-3 parents, lambda once.
  for (const mode of modes) {
    add({ id: `mk-ta-${mode}-k1`, mode, cfg: { merge_method: 'task_arithmetic', models: models(['sst2'], [{ weight: 0.8 }]) } });
    add({ id: `mk-ta-${mode}-k2`, mode, cfg: { merge_method: 'task_arithmetic', models: models(P3.slice(0, 2), [{ weight: 0.7 }, { weight: 0.5 }]) } });
    add({ id: `mk-ta-${mode}-k3`, mode, holdout: mode === 'bf16mk', cfg: { merge_method: 'task_arithmetic', models: models(P3, [{ weight: 0.5 }, { weight: 0.4 }, { weight: 0.3 }]) } });
  }
  add({ id: 'mk-ta-f32-k2-lambda0.8', mode: 'f32', cfg: { merge_method: 'task_arithmetic', parameters: { lambda: 0.8 }, models: models(P3.slice(0, 2), [{ weight: 0.5 }, { weight: 0.5 }]) } });

  // spherical: slerp (1 parent), nuslerp (2), multislerp (2, 3), karcher (2, 3).
  for (const mode of modes) {
    for (const t of [0.3, 0.6]) add({ id: `mk-slerp-${mode}-t${t}`, mode, holdout: t === 0.6, cfg: { merge_method: 'slerp', parameters: { t }, models: models(['sst2'], [{}]) } });
    add({ id: `mk-nuslerp-${mode}-k2-w0.6-0.4`, mode, cfg: { merge_method: 'nuslerp', models: models(P3.slice(0, 2), [{ weight: 0.6 }, { weight: 0.4 }]) } });
    add({ id: `mk-multislerp-${mode}-k2`, mode, cfg: { merge_method: 'multislerp', models: models(P3.slice(0, 2), [{ weight: 0.7 }, { weight: 0.3 }]) } });
    add({ id: `mk-multislerp-${mode}-k3`, mode, holdout: mode === 'bf16mk', cfg: { merge_method: 'multislerp', models: models(P3, [{ weight: 0.5 }, { weight: 0.3 }, { weight: 0.2 }]) } });
    // (bf16mk: undecidable, undecidableOf)
    add({ id: `mk-karcher-${mode}-k2`, mode, cfg: { merge_method: 'karcher', models: models(P3.slice(0, 2), [{}, {}]) } });
    add({ id: `mk-karcher-${mode}-k3`, mode, holdout: mode === 'bf16mk', cfg: { merge_method: 'karcher', models: models(P3, [{}, {}, {}]) } });
  }
  add({ id: 'mk-nuslerp-f32-k2-w0.3-0.7', mode: 'f32', holdout: true, cfg: { merge_method: 'nuslerp', models: models(P3.slice(0, 2), [{ weight: 0.3 }, { weight: 0.7 }]) } });

  // sparse GTA methods: 1-3 parents, two seeds for the random ones (s2 held out).
  const sparse = [
    ['ties', [[{ weight: 1, density: 0.3 }], [{ weight: 0.6, density: 0.5 }, { weight: 0.4, density: 0.3 }], [{ weight: 0.5, density: 0.5 }, { weight: 0.3, density: 0.5 }, { weight: 0.3, density: 0.4 }]]],
    ['dare_linear', [[{ weight: 0.8, density: 0.4 }], [{ weight: 0.6, density: 0.5 }, { weight: 0.4, density: 0.3 }], [{ weight: 0.4, density: 0.6 }, { weight: 0.3, density: 0.4 }, { weight: 0.3, density: 0.3 }]]],
    ['dare_ties', [[{ weight: 0.9, density: 0.5 }], [{ weight: 0.5, density: 0.6 }, { weight: 0.5, density: 0.4 }], [{ weight: 0.5, density: 0.5 }, { weight: 0.3, density: 0.5 }, { weight: 0.3, density: 0.3 }]]],
    ['della', [[{ weight: 1, density: 0.4 }], [{ weight: 0.6, density: 0.5 }, { weight: 0.4, density: 0.4 }]]],
    ['della_linear', [[{ weight: 0.7, density: 0.5 }], [{ weight: 0.5, density: 0.5 }, { weight: 0.5, density: 0.3 }]]],
    ['breadcrumbs', [[{ weight: 0.9, density: 0.5 }], [{ weight: 0.6, density: 0.6 }, { weight: 0.4, density: 0.4 }]]],
    ['breadcrumbs_ties', [[{ weight: 1, density: 0.5 }], [{ weight: 0.6, density: 0.5 }, { weight: 0.5, density: 0.4 }]]],
  ];
  const random = new Set(['dare_linear', 'dare_ties', 'della', 'della_linear']);
  for (const [method, sets] of sparse) {
    sets.forEach((params, ki) => {
      const k = ki + 1;
      for (const mode of modes) {
        const seeds = random.has(method) && k === 2 ? ['s1', 's2'] : ['s1'];
        for (const seed of seeds) {
          const held = seed === 's2' || (!random.has(method) && k === 2 && mode === 'bf16mk');
          add({ id: `mk-${method.replace('_', '-')}-${mode}-k${k}${seeds.length > 1 ? `-${seed}` : ''}`, mode, seed, holdout: held, cfg: { merge_method: method, models: models(P3.slice(0, k), params) } });
        }
      }
    });
  }
  add({ id: 'mk-ties-bf16out-k2', mode: 'bf16out', cfg: { merge_method: 'ties', models: models(P3.slice(0, 2), sparse[0][1][1]) } });
  // TIES's cut-offs through rounding and the sign election: bf16 models whose kept small deltas
  // land on B (read as drops, they set the cut), and a light parent, out-voted at sign conflicts
  // (its drops there are no mask's): sweep1 004 and 117's weights and densities.
  add({ id: 'mk-ties-bf16mk-k2-dense-light', mode: 'bf16mk', cfg: { merge_method: 'ties', models: models(P3.slice(0, 2), [{ weight: 0.34, density: 0.7 }, { weight: 0.78, density: 0.33 }]) } });
  add({ id: 'mk-ties-bf16out-k2-light', mode: 'bf16out', cfg: { merge_method: 'ties', models: models(P3.slice(0, 2), [{ weight: 0.79, density: 0.8 }, { weight: 0.15, density: 0.72 }]) } });
  // DELLA at a small epsilon with three parents: mean |d| dropped / kept within DARE's noise
  // (sweep2 117 read dare_linear); each parent's keep share against its |d|'s rank reads epsilon.
  add({ id: 'mk-della-linear-bf16mk-k3-eps0.08', mode: 'bf16mk', cfg: { merge_method: 'della_linear', parameters: { epsilon: 0.08 }, models: models(P3, [{ weight: 0.85, density: 0.63 }, { weight: 0.7, density: 0.54 }, { weight: 0.23, density: 0.37 }]) } });
  add({ id: 'mk-della-f32-k1-eps0.1', mode: 'f32', holdout: true, cfg: { merge_method: 'della', parameters: { epsilon: 0.1 }, models: models(['sst2'], [{ weight: 1, density: 0.6 }]) } });
  // DARE whose rescaled kept deltas w d / rho are often under half an ulp of B in bf16 (small
  // weight, high density): those land at B with the dropped ones, which read as DELLA's
  // |d|-ranked mask until the drop ratio was read on the resolvable elements (sweep1 097, 109).
  add({ id: 'mk-dare-linear-bf16out-k1-w0.3', mode: 'bf16out', holdout: true, cfg: { merge_method: 'dare_linear', models: models(['sst2'], [{ weight: 0.3, density: 0.75 }]) } });
  add({ id: 'mk-breadcrumbs-f32-k1-gamma0.05', mode: 'f32', holdout: true, cfg: { merge_method: 'breadcrumbs', parameters: { gamma: 0.05 }, models: models(['sst2'], [{ weight: 1, density: 0.4 }]) } });

  // model_stock (2, 3 parents), nearswap (t a quantile of the real |d|: ~30th and ~75th percentile).
  for (const mode of modes) {
    add({ id: `mk-model-stock-${mode}-k2`, mode, cfg: { merge_method: 'model_stock', models: models(P3.slice(0, 2), [{}, {}]) } });
    add({ id: `mk-model-stock-${mode}-k3`, mode, holdout: mode === 'bf16mk', cfg: { merge_method: 'model_stock', models: models(P3, [{}, {}, {}]) } });
    for (const t of [0.002, 0.005]) add({ id: `mk-nearswap-${mode}-t${t}`, mode, holdout: t === 0.005, cfg: { merge_method: 'nearswap', parameters: { t }, models: models(['sst2'], [{}]) } });
  }
  // nearswap stored in bf16 from f32 inputs (out_dtype): the swapped elements hold round(A), not A
  // (the sweep, tests/eval/sweep.mjs, found all four such configurations read linear).
  for (const t of [0.0038, 0.0068]) add({ id: `mk-nearswap-bf16out-t${t}`, mode: 'bf16out', holdout: t === 0.0068, cfg: { merge_method: 'nearswap', parameters: { t }, models: models(['sst2'], [{}]) } });

  // Four parents (the synthetic fourth, like third): one case per family that takes them, the
  // sparse ones at densities high enough that few elements are left at B (0.3^4 of them at 0.7).
  const four = (method, params, extra = {}) => add({ id: `mk-${method.replace('_', '-')}-f32-k4`, mode: 'f32', ...extra, cfg: { merge_method: method, models: models(P4, params) } });
  four('linear', [{ weight: 0.4 }, { weight: 0.3 }, { weight: 0.2 }, { weight: 0.1 }]);
  four('task_arithmetic', [{ weight: 0.5 }, { weight: 0.4 }, { weight: 0.3 }, { weight: 0.2 }], { holdout: true });
  four('multislerp', [{ weight: 0.4 }, { weight: 0.3 }, { weight: 0.2 }, { weight: 0.1 }]);
  four('karcher', [{}, {}, {}, {}], { holdout: true });
  four('model_stock', [{}, {}, {}, {}]);
  four('ties', [{ weight: 0.5, density: 0.7 }, { weight: 0.4, density: 0.6 }, { weight: 0.3, density: 0.7 }, { weight: 0.3, density: 0.5 }]);
  four('dare_linear', [{ weight: 0.4, density: 0.7 }, { weight: 0.3, density: 0.6 }, { weight: 0.3, density: 0.5 }, { weight: 0.2, density: 0.7 }], { holdout: true });

  // Per-group parameters: components (filters), layer gradients, both, with 2-3 parents.
  const comp = (att, rest) => [{ filter: 'attention', value: att }, { value: rest }];
  add({ id: 'mk-pg-ta-f32-k2-components', mode: 'f32', cfg: { merge_method: 'task_arithmetic', models: models(P3.slice(0, 2), [{ weight: comp(0.8, 0.3) }, { weight: comp(0.2, 0.6) }]) } });
  add({ id: 'mk-pg-linear-bf16mk-k2-layers', mode: 'bf16mk', cfg: { merge_method: 'linear', models: models(['sst2', 'emotion', 'base'], [{ weight: [0.2, 0.8] }, { weight: [0.3, 0.1] }, { weight: [0.5, 0.1] }]) } });
  add({ id: 'mk-pg-ties-f32-k2-layers', mode: 'f32', cfg: { merge_method: 'ties', models: models(P3.slice(0, 2), [{ weight: [0.3, 0.7], density: 0.5 }, { weight: [0.7, 0.3], density: 0.5 }]) } });
  add({ id: 'mk-pg-ties-f32-k1-density-layers', mode: 'f32', cfg: { merge_method: 'ties', models: models(['sst2'], [{ weight: 1, density: [0.3, 0.7] }]) } });
  add({ id: 'mk-pg-dare-linear-f32-k3-both', mode: 'f32', cfg: { merge_method: 'dare_linear', models: models(P3, [{ weight: comp([0.6, 0.3], [0.2, 0.4]), density: 0.5 }, { weight: comp(0.2, [0.5, 0.2]), density: comp(0.3, 0.6) }, { weight: 0.2, density: 0.5 }]) } });
  // the sparse families' per-group weights and densities (DELLA per component in bf16, DARE-TIES
  // per-layer densities in bf16; breadcrumbs per-layer weights and one density value held out)
  add({ id: 'mk-pg-della-bf16mk-k2-components', mode: 'bf16mk', cfg: { merge_method: 'della', models: models(P3.slice(0, 2), [{ weight: comp(0.7, 0.3), density: 0.5 }, { weight: comp(0.3, 0.6), density: 0.4 }]) } });
  add({ id: 'mk-pg-dare-ties-bf16mk-k2-density-layers', mode: 'bf16mk', cfg: { merge_method: 'dare_ties', models: models(P3.slice(0, 2), [{ weight: 0.5, density: [0.3, 0.7] }, { weight: 0.5, density: 0.5 }]) } });
  add({ id: 'mk-pg-breadcrumbs-f32-k2-layers', mode: 'f32', holdout: true, cfg: { merge_method: 'breadcrumbs', models: models(P3.slice(0, 2), [{ weight: [0.3, 0.7], density: 0.6 }, { weight: [0.6, 0.2], density: 0.5 }]) } });
  add({ id: 'mk-pg-della-linear-f32-k2-density-components', mode: 'f32', holdout: true, cfg: { merge_method: 'della_linear', models: models(P3.slice(0, 2), [{ weight: 0.6, density: comp(0.35, 0.65) }, { weight: 0.4, density: 0.5 }]) } });
  add({ id: 'mk-pg-ta-bf16mk-k3-both', mode: 'bf16mk', holdout: true, cfg: { merge_method: 'task_arithmetic', models: models(P3, [{ weight: comp([0.5, 0.2], 0.4) }, { weight: [0.1, 0.5] }, { weight: comp(0.3, 0.1) }]) } });
  add({ id: 'mk-pg-slerp-f32-t-layers', mode: 'f32', cfg: { merge_method: 'slerp', parameters: { t: comp([0.2, 0.7], [0.8, 0.3]) }, models: models(['sst2'], [{}]) } });
  add({ id: 'mk-pg-slerp-bf16mk-t-layers', mode: 'bf16mk', holdout: true, cfg: { merge_method: 'slerp', parameters: { t: [0.25, 0.65] }, models: models(['sst2'], [{}]) } });
  add({ id: 'mk-slerp-bf16out-t0.5', mode: 'bf16out', holdout: true, cfg: { merge_method: 'slerp', parameters: { t: 0.5 }, models: models(['sst2'], [{}]) } });

  // Small weights.
  for (const mode of modes) for (const w of [0.02, 0.05]) add({ id: `mk-small-linear-${mode}-w${w}`, mode, holdout: w === 0.05, cfg: { merge_method: 'linear', models: models(['sst2', 'base'], [{ weight: w }, { weight: 1 - w }]) }, notes: `C = ${w} A + ${1 - w} B (linear, the base as a model), ${mode}` });
  add({ id: 'mk-small-ta-f32-k2', mode: 'f32', cfg: { merge_method: 'task_arithmetic', models: models(P3.slice(0, 2), [{ weight: 0.05 }, { weight: 0.03 }]) } });
  return cases;
}
