// The mergekit set's parameter check (issue 12): what the report gives against a case's
// expectation, per parent and per (layer, component) group. Used by run.mjs.

/** Tolerances of issue 12: weights within 0.02, density per parent within 0.05, t within 0.02. */
export const TOLERANCE = { weight: 0.02, density: 0.05, t: 0.02 };

const maxErr = (want, have) => Math.max(...want.map((w, i) => Math.abs((have[i] ?? NaN) - w)));
const asRatio = (v) => { const s = v.reduce((a, b) => a + b, 0); return v.map((x) => x / s); };

/**
 * Per expected group ('L0.attention': want), the error of the value the structured verdict quotes
 * for it (`value(group)`): its (layer, component) group, else its component's group (layer null),
 * else `pooled` when the verdict quotes no groups; null where its groups leave this one out. Never
 * the report's per-layer table: a verdict quoting component averages or pooled values is wrong.
 */
function groupErrs(want, got, pooled, value, err) {
  const vg = got.verdict?.groups || [];
  const out = {};
  for (const [key, w] of Object.entries(want)) {
    const [, L, comp] = /^L(\d+)\.(.+)$/.exec(key);
    const exact = vg.find((x) => x.layer === Number(L) && x.component === comp);
    const whole = vg.find((x) => (x.layer === null || x.layer === undefined) && x.component === comp);
    const have = exact ? value(exact) : whole ? value(whole) : vg.length ? null : pooled;
    out[key] = Array.isArray(have) && have.length === w.length && have.every(Number.isFinite) ? err(w, have) : null;
  }
  return out;
}

/**
 * Compares what the report gives today with a mergekit case's expectation: the method name, the
 * per-parent weights (as ratios when the method normalises them away), the per-parent densities,
 * the slerp t. An err is null ("n/a") when the expectation has no such number or the report does
 * not give it yet (per-group values; per-parent densities of k > 1). `ok` = kind accepted, method
 * named, and every available number within TOLERANCE; `complete` = no n/a among the expected ones.
 */
export function parameterCheck(exp, got) {
  const kindOk = exp.accept.includes(got.kind);
  const methodOk = (exp.method || '') === (got.method || '') || (exp.methods_equivalent || []).includes(got.method);
  let weightErr = null, densityErr = null, tErr = null;
  let groupWeightErrs = null, groupDensityErrs = null;
  // missing: expected numbers the report does not give; groupMissing: of those, per-group weights
  // or densities, which the structured verdict must quote (issue 12), so the case fails without them
  let missing = 0, groupMissing = 0;
  // lambda scales every weight (C = B + lambda * mixed): the visible weights are lambda w_i
  const cmp = (want, have) => {
    const w = want.map((x) => x * (exp.lambda ?? 1));
    return exp.weights_visible === 'ratio' ? maxErr(asRatio(w), asRatio(have)) : maxErr(w, have);
  };
  const usable = (have, n) => have && have.length === n && have.every(Number.isFinite);
  if (exp.weights && exp.weights_visible !== 'none') {
    const have = got.quoted || got.alphas;
    if (usable(have, exp.weights.length)) weightErr = cmp(exp.weights, have); else missing++;
  } else if (exp.group_weights && exp.weights_visible !== 'none') {
    // per-group weights: what the verdict quotes for each (layer, component) group
    const errs = groupErrs(exp.group_weights, got, got.quoted || null, (g) => g.weights, cmp);
    groupWeightErrs = errs;
    if (Object.values(errs).every((e) => e !== null)) weightErr = Math.max(...Object.values(errs)); else { missing++; groupMissing++; }
  }
  if (exp.group_density) {
    const errs = groupErrs(exp.group_density, got, Array.isArray(got.density) ? got.density : null, (g) => g.density, maxErr);
    groupDensityErrs = errs;
    if (Object.values(errs).every((e) => e !== null)) densityErr = Math.max(...Object.values(errs)); else { missing++; groupMissing++; }
  }
  if (exp.density) {
    const have = Array.isArray(got.density) ? got.density : exp.density.length === 1 && got.density !== null ? [got.density] : null;
    if (have) densityErr = maxErr(exp.density, have); else missing++;
  }
  if (exp.group_t) {
    // the structured verdict's per-group t: slerp's own, or (a slerp read as lerp) the alpha the
    // verdict quotes for the group
    const tOf = (g) => (got.method === 'slerp' ? [g.t] : got.method === 'linear' && g.weights ? [g.weights[0]] : null);
    const errs = Object.values(groupErrs(Object.fromEntries(Object.entries(exp.group_t).map(([k, v]) => [k, [v]])), got, got.method === 'linear' && got.quoted ? [got.quoted[0]] : null, tOf, (w, h) => Math.abs(h[0] - w[0])));
    if (errs.every((e) => e !== null)) tErr = Math.max(...errs); else missing++;
  }
  if (typeof exp.t === 'number') {
    // a slerp read as lerp (methods_equivalent) gives t as its alpha
    const t = got.slerp_t ?? (got.method === 'linear' ? (got.quoted || got.alphas || [])[0] ?? null : null);
    if (t !== null) tErr = Math.abs(t - exp.t); else missing++;
  }
  // The wrong-base signal (verdict.wrong_base): expected ones must be there with the assignment's
  // numbers; every other case must not raise one (a false alarm counts as wrong).
  const wb = got.verdict?.wrong_base ?? null;
  let wrongBaseOk = true;
  if (exp.wrong_base) {
    const e = exp.wrong_base;
    wrongBaseOk = wb !== null && (e.base === undefined || wb.base === e.base) &&
      (!e.alphas || (usable(wb.alphas, e.alphas.length) && maxErr(e.alphas, wb.alphas) <= TOLERANCE.weight)) &&
      (e.cos_fit_below === undefined || wb.cos_fit < e.cos_fit_below);
  } else {
    wrongBaseOk = wb === null;
  }
  // flags the verdict must carry (e.g. the residual caveat where a wrong base is undecidable)
  // where the weights cannot decide, an equivalent method is right only with the caveat saying so
  const needed = [...(exp.flags || []), ...(got.method !== exp.method ? exp.flags_if_equivalent || [] : [])];
  const flagsOk = needed.every((f) => (got.flags || []).includes(f)) &&
    // the parent a copy or fine-tune names (expected 0-based, the report's verdict.parent 1-based)
    (exp.parent === undefined || !['copy', 'fine-tune'].includes(exp.kind) || got.verdict?.parent === exp.parent + 1);
  const within = (e, tol) => e === null || e <= tol;
  const ok = kindOk && methodOk && wrongBaseOk && flagsOk && groupMissing === 0 && within(weightErr, TOLERANCE.weight) && within(densityErr, TOLERANCE.density) && within(tErr, TOLERANCE.t);
  return { kindOk, methodOk, wrongBaseOk, flagsOk, weightErr, densityErr, tErr, groupWeightErrs, groupDensityErrs, complete: missing === 0, ok };
}
