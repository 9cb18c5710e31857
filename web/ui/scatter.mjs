// Per-tensor scatter: alpha against cos_fit, the suspect's tensors and the control's in two marks.
// A merge is one tight cluster (one alpha, cos_fit near its ceiling); the control spreads low.
// Every point names its tensor in a <title>; outliers carry a label that shows on hover or focus.
import { h, s } from './dom.mjs';
import { marker, niceTicks } from './plot.mjs';
import { int, num, parentName } from './format.mjs';

/**
 * @param {any} v the page view (js/report/view.mjs)
 * @param {number} i which parent's alpha goes on the x axis
 * @returns {HTMLElement}
 */
export function tensorScatter(v, i) {
  const title = `Every tensor: alpha (${parentName(i, v.k)}) against cos_fit`;
  const fig = h('figure', { class: 'plot scatter', id: `scatter-${i}` });
  const finite = (x, y) => Number.isFinite(x) && Number.isFinite(y);
  const suspect = v.tensors.filter((t) => finite(t.alpha[i], t.cosFit));
  const counted = suspect.filter((t) => !t.roundingDominated && !t.degenerate);
  const leftOut = suspect.filter((t) => t.roundingDominated || t.degenerate);
  const control = v.hasControl ? v.tensors.filter((t) => finite(t.controlAlpha?.[i], t.controlCosFit)) : [];
  if (!suspect.length && !control.length) {
    fig.append(h('figcaption', null, title), h('p', { class: 'muted' }, 'No tensor has both an alpha and a cos_fit.'));
    return fig;
  }
  const outliers = counted.filter((t) => t.outlier).length;
  const width = 560, height = 300, m = { top: 14, right: 14, bottom: 44, left: 62 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const xs = [...suspect.map((t) => t.alpha[i]), ...control.map((t) => t.controlAlpha[i])];
  const ys = [...suspect.map((t) => t.cosFit), ...control.map((t) => t.controlCosFit)];
  // Keep 0 and 1 in view: they are the two ends an alpha is read against.
  const x0 = Math.min(0, ...xs), x1 = Math.max(1, ...xs);
  const y0 = Math.min(0, ...ys), y1 = Math.max(1, ...ys);
  const X = (x) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const Y = (y) => m.top + (1 - (y - y0) / (y1 - y0)) * ph;

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'plot-svg scatter-svg', role: 'img',
    'aria-label': `${title}: ${counted.length} suspect tensors` + (leftOut.length ? `, ${leftOut.length} left out of the statistics` : '') +
      (control.length ? `, ${control.length} control tensors` : '') +
      (outliers ? `, ${outliers} outlier${outliers === 1 ? '' : 's'} labelled` : ''),
  });
  svg.append(s('title', null, title));
  const grid = s('g', { class: 'grid' });
  for (const t of niceTicks(y0, y1, 5)) {
    grid.append(s('line', { x1: m.left, x2: m.left + pw, y1: Y(t), y2: Y(t) }),
      s('text', { x: m.left - 6, y: Y(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, String(+t.toFixed(3))));
  }
  for (const t of niceTicks(x0, x1, 5)) {
    grid.append(s('line', { x1: X(t), x2: X(t), y1: m.top, y2: m.top + ph }),
      s('text', { x: X(t), y: m.top + ph + 16, 'text-anchor': 'middle' }, String(+t.toFixed(3))));
  }
  svg.append(grid, s('rect', { class: 'frame', x: m.left, y: m.top, width: pw, height: ph }),
    s('text', { class: 'axis-label', x: m.left + pw / 2, y: height - 6, 'text-anchor': 'middle' }, `alpha (${parentName(i, v.k)})`),
    s('text', { class: 'axis-label', x: 14, y: m.top + ph / 2, 'text-anchor': 'middle', transform: `rotate(-90 14 ${m.top + ph / 2})` }, 'cos_fit'));

  const r = suspect.length + control.length > 400 ? 2.5 : 3.5;
  // A large MoE has tens of thousands of tensors: draw an even subset (every outlier kept), so the
  // DOM stays small; the caption says how many are drawn.
  const drawnSuspect = [...thin(counted.filter((t) => !t.outlier)), ...counted.filter((t) => t.outlier)];
  const drawnLeft = thin(leftOut), drawnControl = thin(control);
  const drawn = drawnSuspect.length + drawnLeft.length + drawnControl.length;
  const all = counted.length + leftOut.length + control.length;
  const point = (cls, shape, x, y, name, extra) => {
    const g = s('g', { class: `pt ${cls}`, dataset: { tensor: name } },
      marker(shape, X(x), Y(y), r, s('title', null, `${name}${extra}: alpha ${num(x)}, cos_fit ${num(y)}`)));
    return g;
  };
  const controlG = s('g', { class: 'series series-8 control-points' });
  for (const t of drawnControl) controlG.append(point('control', 3, t.controlAlpha[i], t.controlCosFit, t.name, ' (control model)'));
  const leftG = s('g', { class: 'series left-out-points' });
  for (const t of drawnLeft) leftG.append(point('left-out', 4, t.alpha[i], t.cosFit, t.name, ` (left out: ${t.roundingDominated ? 'rounding-dominated' : 'unchanged from base'})`));
  const suspectG = s('g', { class: 'series series-3 suspect-points' });
  for (const t of drawnSuspect) {
    const g = point(t.outlier ? 'outlier' : '', 0, t.alpha[i], t.cosFit, t.name, t.outlier ? ' (outlier)' : '');
    if (t.outlier) {
      // Keyboard users reach an outlier's label the way a pointer does.
      g.setAttribute('tabindex', '0');
      const right = X(t.alpha[i]) > m.left + pw / 2;
      g.append(s('text', { class: 'pt-label', x: X(t.alpha[i]) + (right ? -6 : 6), y: Y(t.cosFit) - 6, 'text-anchor': right ? 'end' : 'start' }, shortName(t.name)));
    }
    suspectG.append(g);
  }
  svg.append(controlG, leftG, suspectG);

  const key = (cls, shape, text) => h('li', null, s('svg', { class: `legend-marker ${cls}`, width: 14, height: 12, viewBox: '0 0 14 12', 'aria-hidden': 'true' },
    marker(shape, 7, 6, 3.5)), text);
  fig.append(h('figcaption', null, title), svg, h('ul', { class: 'legend' },
    key('series-3', 0, `suspect tensors (${counted.length})`),
    leftOut.length ? key('left-out-key', 4, `left out of the statistics (${leftOut.length})`) : null,
    control.length ? key('series-8', 3, `control model tensors (${control.length})`) : null),
    drawn < all ? h('p', { class: 'plot-note muted scatter-thinned' },
      `Drawn: ${int(drawn)} of ${int(all)} points, evenly spaced through the list, every outlier included.`) : null);
  return fig;
}

/** Points drawn per mark at most. */
export const MAX_POINTS = 3000;

/** Every n-th item, so at most MAX_POINTS remain (in the report's order: layers, components). */
function thin(list) {
  if (list.length <= MAX_POINTS) return list;
  const step = Math.ceil(list.length / MAX_POINTS);
  return list.filter((_, j) => j % step === 0);
}

/** The tail of a long tensor name: what tells neighbours apart. @param {string} name */
function shortName(name) {
  return name.length > 40 ? `…${name.slice(-39)}` : name;
}
