// A small SVG line plot (no library): one line per series over integer x (layer index), with
// point tooltips, nice ticks and optional horizontal reference lines. Colours come from CSS classes
// (series-0..9) so light and dark themes restyle it without redrawing.
import { h, s } from './dom.mjs';

/**
 * @typedef {{ x:number, y:number, label?:string }} Point
 * @typedef {{ name:string, colour:number, points:Point[], dashed?:boolean }} Series
 * @param {{ title:string, xLabel:string, yLabel:string, series:Series[], minSpan?:number, yMax?:number,
 *           yDomain?:[number,number], refLines?:{y:number,label:string}[],
 *           width?:number, height?:number, dodge?:boolean }} opts
 *   dodge: shift each series sideways by a fraction of a step (and give each its own marker shape),
 *   so lines that coincide (a merge's components all at one alpha) stay visible side by side.
 * @returns {HTMLElement} a <figure> holding the SVG and an HTML legend
 */
export function linePlot(opts) {
  const { title, xLabel, yLabel, series, refLines = [] } = opts;
  const width = opts.width ?? 560, height = opts.height ?? 280;
  const m = { top: 14, right: 14, bottom: 44, left: 62 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;

  const xs = [], ys = [];
  for (const se of series) for (const p of se.points) {
    if (Number.isFinite(p.x) && Number.isFinite(p.y)) { xs.push(p.x); ys.push(p.y); }
  }
  for (const r of refLines) ys.push(r.y);
  const fig = h('figure', { class: 'plot' });
  if (xs.length === 0) {
    fig.append(h('figcaption', null, title), h('p', { class: 'muted' }, 'No per-layer data to plot.'));
    return fig;
  }
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  let [y0, y1] = opts.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!opts.yDomain) {
    // A minimum span keeps a flat line looking flat: 0.569 vs 0.572 is agreement, not a slope.
    const minSpan = opts.minSpan ?? 0;
    if (y1 - y0 < minSpan) { const mid = (y0 + y1) / 2; y0 = mid - minSpan / 2; y1 = mid + minSpan / 2; }
    const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 0.05;
    y0 -= pad; y1 += pad;
    if (opts.yMax !== undefined && y1 > opts.yMax) { y0 -= y1 - opts.yMax; y1 = opts.yMax; }
  }
  const X = (x) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y) => m.top + (1 - (y - y0) / (y1 - y0)) * ph;

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'plot-svg', role: 'img',
    'aria-label': `${title}: ${series.length} series over ${xLabel}`,
    preserveAspectRatio: 'xMidYMid meet',
  });
  svg.append(s('title', null, title));

  // Axes and grid.
  const grid = s('g', { class: 'grid' });
  const yTicks = niceTicks(y0, y1, 5);
  // Enough decimals to tell neighbouring ticks apart.
  const step = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
  const yDigits = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step) - 1e-9)));
  for (const t of yTicks) {
    grid.append(s('line', { x1: m.left, x2: m.left + pw, y1: Y(t), y2: Y(t) }));
    grid.append(s('text', { x: m.left - 6, y: Y(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, t.toFixed(yDigits)));
  }
  for (const t of niceTicks(x0, x1, Math.min(10, Math.max(2, Math.round(x1 - x0))), true)) {
    grid.append(s('text', { x: X(t), y: m.top + ph + 16, 'text-anchor': 'middle' }, String(t)));
  }
  svg.append(grid);
  svg.append(s('rect', { class: 'frame', x: m.left, y: m.top, width: pw, height: ph }));
  svg.append(s('text', { class: 'axis-label', x: m.left + pw / 2, y: height - 6, 'text-anchor': 'middle' }, xLabel));
  svg.append(s('text', {
    class: 'axis-label', x: 14, y: m.top + ph / 2, 'text-anchor': 'middle',
    transform: `rotate(-90 14 ${m.top + ph / 2})`,
  }, yLabel));

  for (const r of refLines) {
    if (r.y < y0 || r.y > y1) continue;
    svg.append(s('line', { class: 'ref', x1: m.left, x2: m.left + pw, y1: Y(r.y), y2: Y(r.y) }));
    svg.append(s('text', { class: 'ref-label', x: m.left + pw - 4, y: Y(r.y) - 4, 'text-anchor': 'end' }, r.label));
  }

  // Sideways offset in pixels: at most a third of the gap between neighbouring x values.
  const xStep = pw / Math.max(1, x1 - x0);
  const dodgePx = opts.dodge && series.length > 1 ? Math.min(6, xStep / 3 / series.length) : 0;
  series.forEach((se, si) => {
    const pts = se.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (pts.length === 0) return;
    const dx = dodgePx * (si - (series.length - 1) / 2);
    const shape = opts.dodge ? si % MARKERS.length : 0;
    const g = s('g', { class: `series series-${se.colour % 10}${se.dashed ? ' dashed' : ''}`, dataset: { series: se.name, marker: MARKERS[shape] } });
    if (pts.length > 1) {
      g.append(s('path', { d: pts.map((p, i) => `${i ? 'L' : 'M'}${(X(p.x) + dx).toFixed(1)},${Y(p.y).toFixed(1)}`).join('') }));
    }
    const r = pts.length > 40 ? 2.5 : 3.5;
    for (const p of pts) {
      g.append(marker(shape, X(p.x) + dx, Y(p.y), r,
        s('title', null, p.label ?? `${se.name}, ${xLabel} ${p.x}: ${fmtTick(p.y, 4)}`)));
    }
    svg.append(g);
  });

  fig.append(h('figcaption', null, title), svg,
    h('ul', { class: 'legend' }, series.map((se, si) =>
      h('li', null, opts.dodge
        ? legendMarker(si % MARKERS.length, se)
        : h('span', { class: `swatch series-${se.colour % 10}${se.dashed ? ' dashed' : ''}`, 'aria-hidden': 'true' }), se.name))));
  return fig;
}

const MARKERS = ['circle', 'square', 'triangle', 'diamond', 'cross'];

/** One point marker of the given shape centred on (x, y). */
export function marker(shape, x, y, r, ...children) {
  const f = (n) => n.toFixed(1);
  switch (MARKERS[shape]) {
    case 'square': return s('rect', { class: 'marker', x: f(x - r), y: f(y - r), width: f(2 * r), height: f(2 * r) }, ...children);
    case 'triangle': return s('path', { class: 'marker', d: `M${f(x)},${f(y - r * 1.2)}L${f(x + r * 1.1)},${f(y + r * 0.8)}L${f(x - r * 1.1)},${f(y + r * 0.8)}Z` }, ...children);
    case 'diamond': return s('path', { class: 'marker', d: `M${f(x)},${f(y - r * 1.3)}L${f(x + r * 1.3)},${f(y)}L${f(x)},${f(y + r * 1.3)}L${f(x - r * 1.3)},${f(y)}Z` }, ...children);
    case 'cross': return s('path', { class: 'marker cross', d: `M${f(x - r)},${f(y - r)}L${f(x + r)},${f(y + r)}M${f(x + r)},${f(y - r)}L${f(x - r)},${f(y + r)}` }, ...children);
    default: return s('circle', { class: 'marker', cx: f(x), cy: f(y), r }, ...children);
  }
}

function legendMarker(shape, se) {
  const svg = s('svg', { class: `legend-marker series-${se.colour % 10}${se.dashed ? ' dashed' : ''}`, width: 22, height: 12, viewBox: '0 0 22 12', 'aria-hidden': 'true' },
    s('line', { x1: 0, x2: 22, y1: 6, y2: 6 }), marker(shape, 11, 6, 3.5));
  return svg;
}

/** Round tick values covering [a, b]; `integers` keeps only whole numbers (layer indices). */
export function niceTicks(a, b, count, integers = false) {
  const span = b - a;
  if (!(span > 0)) return [a];
  let step = 10 ** Math.floor(Math.log10(span / count));
  for (const f of [1, 2, 5, 10]) { if (span / (step * f) <= count) { step *= f; break; } }
  if (integers) step = Math.max(1, Math.round(step));
  const out = [];
  for (let t = Math.ceil(a / step) * step; t <= b + step * 1e-9; t += step) out.push(+t.toFixed(10));
  return out;
}

function fmtTick(t, digits) {
  if (digits) return t.toFixed(digits);
  const a = Math.abs(t);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? t.toExponential(1) : String(+t.toFixed(3));
}
