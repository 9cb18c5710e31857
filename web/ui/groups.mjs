// Which (layer, component) groups hold tensors that counted in the statistics. The engine leaves
// rounding-dominated tensors (deltas of a few ulps: their alpha is biased to 0 or 1) and
// degenerate ones (no change from the base: alpha undefined) out of group statistics; plots and
// heatmaps must not draw a group made only of those as if it were evidence.

/** @param {number} layer @param {string} component */
export const groupKey = (layer, component) => `${layer}|${component}`;

/**
 * @typedef {{ tensors: number, counted: number, roundingDominated: number, degenerate: number }} GroupCount
 * @param {{ tensors: { layer: number, component: string, roundingDominated?: boolean, degenerate?: boolean }[] }} v
 * @returns {Map<string, GroupCount>} by groupKey(layer, component)
 */
export function groupCounts(v) {
  const out = new Map();
  for (const t of v.tensors) {
    const key = groupKey(t.layer, t.component);
    const g = out.get(key) ?? { tensors: 0, counted: 0, roundingDominated: 0, degenerate: 0 };
    g.tensors++;
    if (t.roundingDominated) g.roundingDominated++;
    else if (t.degenerate) g.degenerate++;
    else g.counted++;
    out.set(key, g);
  }
  return out;
}

/** Why a group is not drawn, or '' when it counts. @param {GroupCount | undefined} g */
export function leftOutReason(g) {
  if (!g || g.tensors === 0 || g.counted > 0) return '';
  const parts = [];
  if (g.roundingDominated) parts.push(`${g.roundingDominated} rounding-dominated`);
  if (g.degenerate) parts.push(`${g.degenerate} unchanged from base`);
  return `left out of the statistics (${parts.join(', ')})`;
}
