// Per-layer plots: alpha (per parent) and cos_fit against layer index, one line per component, so a
// merge whose weights vary by layer or by component (mergekit gradients, filters) shows its shape.
import { h } from './dom.mjs';
import { linePlot } from './plot.mjs';
import { parentName } from './format.mjs';
import { heatmap } from './heatmap.mjs';
import { groupCounts, groupKey, leftOutReason } from './groups.mjs';

const ORDER = ['experts', 'shared_expert', 'router', 'attention', 'linear_attention', 'mlp', 'norm', 'embeddings', 'lm_head', 'other'];

export function layerPlots(v) {
  const layers = v.layers.filter((l) => l.layer >= 0);
  const wrap = h('div', { class: 'plots' });
  if (!layers.length) {
    wrap.append(h('p', { class: 'muted' }, 'This model has no numbered layers to plot.'));
    return wrap;
  }
  // Groups made only of tensors the statistics left out are not drawn (they would sit at a biased
  // alpha near 0 or 1 and squash the real lines); the note under the plots says which.
  const counts = groupCounts(v);
  const leftOut = new Map();
  const drawn = layers.filter((l) => {
    const why = leftOutReason(counts.get(groupKey(l.layer, l.component)));
    if (why) leftOut.set(l.component, (leftOut.get(l.component) ?? 0) + 1);
    return !why;
  });
  const comps = componentsOf(drawn);
  const seriesFor = (get) => comps.map((c) => ({
    name: c, colour: Math.max(0, ORDER.indexOf(c)),
    points: drawn.filter((l) => l.component === c).map((l) => ({ x: l.layer, y: get(l) })),
  }));
  const alphaRef = v.overall.alpha;
  for (let i = 0; i < v.k; i++) {
    wrap.append(linePlot({
      title: `alpha (${parentName(i, v.k)}) by layer`, xLabel: 'layer', yLabel: 'alpha',
      series: seriesFor((l) => l.alphaMean[i]), minSpan: 0.1, dodge: true,
      refLines: Number.isFinite(alphaRef[i]) ? [{ y: alphaRef[i], label: `overall ${alphaRef[i].toFixed(3)}` }] : [],
    }));
  }
  /** @type {import('./plot.mjs').Series[]} */
  const cosSeries = seriesFor((l) => l.cosFit);
  if (v.hasControl) {
    // The control fine-tune, measured the same way: the null to read the suspect's line against.
    const byLayer = new Map();
    for (const l of drawn) {
      if (!Number.isFinite(l.controlCosFit)) continue;
      const w = Number.isFinite(l.elements) && l.elements > 0 ? l.elements : 1;
      const acc = byLayer.get(l.layer) ?? { sum: 0, w: 0 };
      acc.sum += l.controlCosFit * w; acc.w += w;
      byLayer.set(l.layer, acc);
    }
    cosSeries.push({ name: 'control model (all components)', colour: 8, dashed: true,
      points: [...byLayer].map(([x, a]) => ({ x, y: a.sum / a.w })) });
  }
  wrap.append(linePlot({
    title: 'cos_fit by layer', xLabel: 'layer', yLabel: 'cos_fit',
    series: cosSeries, minSpan: 0.05, yMax: 1.005, dodge: true,
  }));
  if (leftOut.size) {
    wrap.append(h('p', { class: 'plot-note muted', id: 'layers-left-out' }, 'Not drawn, because every tensor in them was left out of the statistics ' +
      '(rounding-dominated or unchanged from the base): ' +
      [...leftOut].map(([c, n]) => `${c} in ${n} layer${n === 1 ? '' : 's'}`).join(', ') + '.'));
  }
  return wrap;
}

/** Components present in numbered layers, in the page's usual order. */
function componentsOf(layers) {
  return [...new Set(layers.map((l) => l.component))]
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
}

/**
 * The layer x component table as heatmaps: alpha per parent, cos_fit, and the control's cos_fit
 * beside it on the same scale when there is a control.
 */
export function layerHeatmaps(v) {
  const layers = v.layers.filter((l) => l.layer >= 0);
  if (!layers.length) return null;
  const rows = componentsOf(layers);
  const cols = [...new Set(layers.map((l) => l.layer))].sort((a, b) => a - b);
  const byKey = new Map(layers.map((l) => [groupKey(l.layer, l.component), l]));
  const counts = groupCounts(v);
  /** @param {(l: any) => number} get @returns {(r: string, c: number) => import('./heatmap.mjs').Cell} */
  const cellOf = (get) => (r, c) => {
    const l = byKey.get(groupKey(c, r));
    if (!l) return { value: NaN, missing: 'no tensor of this component sampled here' };
    const g = counts.get(groupKey(c, r));
    const out = leftOutReason(g);
    if (out) return { value: NaN, missing: out };
    const value = get(l);
    return { value, missing: Number.isFinite(value) ? '' : 'not defined for this group', detail: g ? `${g.counted} of ${g.tensors} tensors counted` : '' };
  };
  const span = (get, floor, ceil) => {
    const xs = layers.map(get).filter(Number.isFinite);
    return /** @type {[number, number]} */ ([Math.min(floor, ...xs), Math.max(ceil, ...xs)]);
  };
  const wrap = h('div', { class: 'heatmaps' });
  for (let i = 0; i < v.k; i++) {
    wrap.append(heatmap({ title: `alpha (${parentName(i, v.k)}) by layer and component`, id: `heatmap-alpha-${i}`,
      rows, cols, cell: cellOf((l) => l.alphaMean[i]), domain: span((l) => l.alphaMean[i], 0, 1), valueName: 'alpha' }));
  }
  const cosDomain = span((l) => Math.min(l.cosFit, Number.isFinite(l.controlCosFit) ? l.controlCosFit : Infinity), 0, 1);
  const pair = h('div', { class: 'heatmap-pair' }, heatmap({ title: 'cos_fit by layer and component', id: 'heatmap-cos',
    rows, cols, cell: cellOf((l) => l.cosFit), domain: cosDomain, valueName: 'cos_fit' }));
  if (v.hasControl) {
    pair.append(heatmap({ title: 'control model cos_fit, same scale', id: 'heatmap-control-cos',
      rows, cols, cell: cellOf((l) => l.controlCosFit), domain: cosDomain, valueName: 'control cos_fit' }));
  }
  wrap.append(pair);
  return wrap;
}
