// Per-layer plots: alpha (per parent) and cos_fit against layer index, one line per component, so a
// merge whose weights vary by layer or by component (mergekit gradients, filters) shows its shape.
import { h } from './dom.mjs';
import { linePlot } from './plot.mjs';
import { parentName } from './format.mjs';

const ORDER = ['experts', 'shared_expert', 'router', 'attention', 'linear_attention', 'mlp', 'norm', 'embeddings', 'lm_head', 'other'];

export function layerPlots(v) {
  const layers = v.layers.filter((l) => l.layer >= 0);
  const wrap = h('div', { class: 'plots' });
  if (!layers.length) {
    wrap.append(h('p', { class: 'muted' }, 'This model has no numbered layers to plot.'));
    return wrap;
  }
  const comps = [...new Set(layers.map((l) => l.component))]
    .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const seriesFor = (get) => comps.map((c) => ({
    name: c, colour: Math.max(0, ORDER.indexOf(c)),
    points: layers.filter((l) => l.component === c).map((l) => ({ x: l.layer, y: get(l) })),
  }));
  const alphaRef = v.overall.alpha;
  for (let i = 0; i < v.k; i++) {
    wrap.append(linePlot({
      title: `alpha (${parentName(i, v.k)}) by layer`, xLabel: 'layer', yLabel: 'alpha',
      series: seriesFor((l) => l.alphaMean[i]), minSpan: 0.1,
      refLines: Number.isFinite(alphaRef[i]) ? [{ y: alphaRef[i], label: `overall ${alphaRef[i].toFixed(3)}` }] : [],
    }));
  }
  /** @type {import('./plot.mjs').Series[]} */
  const cosSeries = seriesFor((l) => l.cosFit);
  if (v.hasControl) {
    // The control fine-tune, measured the same way: the null to read the suspect's line against.
    const byLayer = new Map();
    for (const l of layers) {
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
    series: cosSeries, minSpan: 0.05, yMax: 1.005,
  }));
  return wrap;
}
