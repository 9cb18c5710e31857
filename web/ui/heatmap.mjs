// A layer x component heatmap in plain SVG: the whole per-layer table as one picture. A merge is
// one even colour; independent fine-tunes are patchy. Cells without data are hatched with their
// reason in the cell's <title>, never painted as if the value were zero.
import { h, s } from './dom.mjs';
import { num } from './format.mjs';

// A perceptual ramp (viridis stops) that reads on both the light and the dark card.
const RAMP = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];
let patternIds = 0;

/** Colour of t in [0, 1] on the ramp. @param {number} t */
export function rampColour(t) {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]].map((c) => [1, 3, 5].map((j) => parseInt(c.slice(j, j + 2), 16)));
  return `rgb(${a.map((v, j) => Math.round(v + (b[j] - v) * f)).join(',')})`;
}

/**
 * @typedef {{ value: number, missing?: string, detail?: string }} Cell
 * @param {{ title: string, id?: string, rows: string[], cols: number[], cell: (row: string, col: number) => Cell,
 *           domain: [number, number], valueName: string }} o
 *   rows: components (top to bottom); cols: layer indices (left to right).
 * @returns {HTMLElement} a <figure> with a scrolling SVG and a colour legend
 */
export function heatmap(o) {
  const { rows, cols, domain: [lo, hi] } = o;
  const cw = cols.length > 40 ? 12 : cols.length > 20 ? 16 : 24, ch = 20;
  const m = { top: 8, left: 128, bottom: 30, right: 8 };
  const width = m.left + cw * cols.length + m.right, height = m.top + ch * rows.length + m.bottom;
  const pid = `hatch-${++patternIds}`;
  const fig = h('figure', { class: 'plot heatmap', id: o.id ?? null });

  const values = [];
  let missing = 0;
  const cells = s('g', { class: 'cells' });
  rows.forEach((r, ri) => cols.forEach((c, ci) => {
    const cell = o.cell(r, c);
    const x = m.left + ci * cw, y = m.top + ri * ch;
    const has = !cell.missing && Number.isFinite(cell.value);
    if (has) values.push(cell.value); else missing++;
    const label = `layer ${c}, ${r}: ${has ? `${o.valueName} ${num(cell.value)}` : `no data (${cell.missing || 'not defined'})`}` +
      (cell.detail ? `; ${cell.detail}` : '');
    cells.append(s('rect', {
      x, y, width: cw - 1, height: ch - 1, class: has ? 'cell' : 'cell missing',
      fill: has ? rampColour((cell.value - lo) / (hi - lo || 1)) : `url(#${pid})`,
      dataset: { layer: String(c), component: r },
    }, s('title', null, label)));
  }));

  const range = values.length ? `values ${num(Math.min(...values))} to ${num(Math.max(...values))}` : 'no values';
  const svg = s('svg', {
    width, height, viewBox: `0 0 ${width} ${height}`, class: 'heatmap-svg', role: 'img',
    'aria-label': `${o.title}: ${cols.length} layers × ${rows.length} components, ${range}` +
      (missing ? `, ${missing} cells without data (hatched)` : ''),
  });
  svg.append(s('title', null, o.title),
    s('defs', null, s('pattern', { id: pid, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))));
  const labels = s('g', { class: 'grid' });
  rows.forEach((r, ri) => labels.append(s('text', { x: m.left - 6, y: m.top + ri * ch + ch / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, r)));
  const every = Math.max(1, Math.ceil(cols.length / Math.floor((cw * cols.length) / 28)));
  cols.forEach((c, ci) => {
    if (ci % every && ci !== cols.length - 1) return;
    labels.append(s('text', { x: m.left + ci * cw + cw / 2, y: m.top + ch * rows.length + 16, 'text-anchor': 'middle' }, String(c)));
  });
  svg.append(cells, labels);

  fig.append(h('figcaption', null, o.title), h('div', { class: 'heatmap-scroll', tabindex: '0', 'aria-label': `${o.title} (scrolls sideways)` }, svg),
    legend(lo, hi, o.valueName, missing > 0, pid));
  return fig;
}

/** The colour scale as a bar with its end values, and the hatch's meaning. */
function legend(lo, hi, name, showMissing, pid) {
  const stops = Array.from({ length: 11 }, (_, i) => rampColour(i / 10));
  const bar = h('span', { class: 'ramp', 'aria-hidden': 'true' });
  bar.style.backgroundImage = `linear-gradient(to right, ${stops.join(', ')})`;
  return h('p', { class: 'heatmap-legend' },
    h('span', null, `${name} ${num(lo)}`), bar, h('span', null, num(hi)),
    showMissing ? h('span', { class: 'missing-key' }, s('svg', { width: 14, height: 14, 'aria-hidden': 'true' },
      s('rect', { width: 14, height: 14, fill: `url(#${pid})` })), ' no data') : null);
}
