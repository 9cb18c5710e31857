// The named method's parameters, as the page's verdict card and the CLI's report both show them:
// one item per parameter (label, value, hint), read from the structured verdict (report.verdict,
// via buildView) and never recomputed here. Sparse merges: density and weight per parent;
// SLERP: t (per group when t lists differ); nuslerp / multislerp / karcher: weights; model_stock: the mean t; nearswap: t and the
// shares of C's changed elements equal to A and clipped; per-group weights (and a sparse merge's
// densities), items per group;
// fine-tune and copy: which model; a wrong-base signal: the better base. No DOM, no terminal codes: the callers render the strings.
import { percent } from './percent.mjs';

/** @typedef {{ id: string, label: string, value: string, hint: string, whole?: boolean }} ParamItem  whole: the value reads alone (a text line need not repeat the label) */

/** Three decimals, or "undefined" when the value is not defined (never 0). */
export function fixed(x, digits = 3) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : 'undefined';
}

/** A small clip level (nearswap's t, ~0.002): three significant digits. */
const small = (x) => (typeof x === 'number' && Number.isFinite(x) ? x.toPrecision(3) : 'undefined');

/** "A1 0.600, A2 0.400" (one parent: just the number). */
function perParent(xs, name) {
  return xs.length === 1 ? fixed(xs[0]) : xs.map((x, i) => `${name(i)} ${fixed(x)}`).join(', ');
}

/** A group's name: "attention", "layer 3 mlp". */
const groupName = (g) => (g.layer >= 0 ? `layer ${g.layer} ${g.component}` : g.component);

/**
 * @param {ReturnType<import('./view.mjs').buildView>} v
 * @param {(i: number) => string} name  a parent's letter (page: "A" / "A2"; CLI: "A1")
 * @returns {ParamItem[]}
 */
export function methodParams(v, name) {
  const { kind, method, params: p, groups, parent, undefinedReason, tests } = v.verdict;
  const items = [];
  const add = (id, label, value, hint = '', whole = false) => items.push({ id, label, value, hint, ...(whole ? { whole } : {}) });
  const parentLabel = (i) => v.models.filter((m) => m.role.startsWith('parent'))[i]?.label ?? name(i);
  const weights = () => {
    if (p.weights.length) add('weights', 'weights', perParent(p.weights, name), v.k > 1 ? 'per parent' : '');
  };
  switch (kind) {
    case 'copy':
      // suspect = parent = base: no alpha is defined, and "C copies A" would hide that A is B
      if (undefinedReason) add('copies', 'same model', v.k > 1 ? 'all the models given are the same model' : 'all three are the same model', undefinedReason, true);
      else if (parent >= 0) add('copies', 'copy of', parentLabel(parent), `C is ${name(parent)}, tensor for tensor`);
      break;
    case 'quantized-copy':
      if (parent >= 0) add('copies', 'quantized copy of', parentLabel(parent), `C is ${name(parent)}, quantized`);
      break;
    case 'fine-tune':
      if (parent >= 0) add('fine-tune-of', 'fine-tune of', parentLabel(parent), `C = ${name(parent)} + further training, alpha ${fixed(p.weights[parent])}`);
      break;
    case 'sparse-merge':
      if (p.density.length) add('density', 'density', perParent(p.density, name), v.k > 1 ? 'kept share, per parent' : 'kept share');
      weights();
      if (Number.isFinite(p.gamma)) add('gamma', 'gamma', percent(p.gamma), 'top of |d| dropped');
      if (Number.isFinite(p.epsilon)) add('epsilon', 'epsilon', fixed(p.epsilon), 'keep probability density ± epsilon, rising with |d|\'s rank in its row');
      break;
    case 'slerp-merge':
      if (method === 'slerp' || method === 'nuslerp') {
        add('t', groups.length ? 't (pooled)' : 't', fixed(p.t), method === 'nuslerp' ? 'from the weights\' ratio'
          : groups.length ? 'pooled over all groups: no group\'s t' : 'interpolation factor');
      }
      if (method !== 'slerp') weights();
      break;
    case 'nearswap-merge':
      add('t', 't', small(p.t), 'clip level of |C − B|');
      add('equal-a', 'bit-identical to A', percent(tests.equalA),
        `of the elements where A differs from B and C's rounding can tell (${percent(tests.informative)} of them)`);
      add('clipped', 'clipped at t', percent(tests.clipped), 'of the same elements, within rounding');
      break;
    case 'linear-merge':
      if (method === 'model_stock') add('t', 't (mean)', fixed(p.t), 'per tensor from the parents\' cosines');
      else if (!groups.length) weights();
      break;
    default:
      break;
  }
  // The wrong-base signal: which given model would be the base, with that assignment's fit.
  const wb = v.verdict.wrongBase;
  if (wb) {
    if (wb.signal === 'kept-parent-values') add('wrong-base', 'wrong base?', 'B is not C\'s base', 'C keeps A\'s exact values where a sparse merge over B would be at B');
    else add('wrong-base', 'wrong base?', wb.base ? `${wb.base} as the base fits with cos_fit ${fixed(wb.cosFit)}` : 'B may not be the base',
      `the parents' deltas from B align (cosine ${fixed(wb.givenParentCos)})`);
  }
  // Per-group weights (components, layers) or SLERP t: quoted per group, since the pooled value is
  // no group's; a sparse merge's groups carry each parent's density too.
  for (const g of groups) {
    const id = `group-${groupName(g).replace(/\W+/g, '-')}`;
    if (g.density.length) add(`${id}-density`, `density, ${groupName(g)}`, perParent(g.density, name), v.k > 1 ? 'kept share, per parent' : 'kept share');
    if (Number.isFinite(g.t)) add(id, `t, ${groupName(g)}`, fixed(g.t), 'interpolation factor');
    else add(id, `weights, ${groupName(g)}`, perParent(g.weights, name), `cos_fit ${fixed(g.cosFit)}`);
  }
  return items;
}
