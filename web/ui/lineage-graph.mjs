// The lineage as a small picture: the base at the top, the chosen parents below it with their
// weights, the suspect at the bottom; the other screened candidates as grey nodes beside them
// (relatives, or unrelated), so the roles and what was considered are seen at a glance. SVG with
// text nodes only (names come from repo authors), role=img with a summary for screen readers.
import { s } from './dom.mjs';
import { num } from './format.mjs';

const W = 640;
const NODE_H = 30;
const ROW = 74;
/** At most this many other candidates are drawn (the table lists them all). */
const MAX_OTHERS = 6;
/** Width of one character of the 12 px label, for cutting names to their box. */
const CHAR_W = 6.8;

/** A node: a rounded box with its label cut to fit; the whole name in its <title>. */
function node(x, y, w, text, cls) {
  const fit = Math.max(4, Math.floor((w - 12) / CHAR_W));
  const shown = text.length > fit ? `${text.slice(0, fit - 1)}…` : text;
  return s('g', { class: `lg-node ${cls}` }, s('title', null, text),
    s('rect', { x: x - w / 2, y, width: w, height: NODE_H, rx: 6 }),
    s('text', { x, y: y + NODE_H / 2 + 4, 'text-anchor': 'middle' }, shown));
}

function edge(x1, y1, x2, y2, label) {
  return s('g', { class: 'lg-edge' }, s('line', { x1, y1, x2, y2 }),
    label ? s('text', { x: (x1 + x2) / 2 + 6, y: (y1 + y2) / 2 + 4 }, label) : null);
}

/**
 * @param {any} lin  report.lineage (or a lineage-only result)
 * @returns {SVGSVGElement | null}  null when there is nothing to draw (no roles chosen)
 */
export function lineageGraph(lin) {
  const ch = lin?.chosen;
  if (!ch || ch.kind === 'no-relative') return null;
  const suspect = lin.suspect?.repo ?? 'suspect';
  const parents = ch.kind === 'merge' ? ch.parents : [ch.of].filter(Boolean);
  const weights = ch.kind === 'merge' ? ch.weights : [];
  const chosen = new Set([ch.base, ...parents, suspect]);
  const others = (lin.candidates ?? []).filter((c) => c.screened && !chosen.has(c.repo)).slice(0, MAX_OTHERS);
  const rows = ch.base ? 3 : 2;
  const height = rows * ROW + (others.length ? ROW : 0);
  const svg = /** @type {SVGSVGElement} */ (s('svg', {
    class: 'lineage-graph', id: 'lineage-graph', viewBox: `0 0 ${W} ${height}`, role: 'img',
    'aria-label': `${suspect}: ${ch.kind === 'merge' ? `a merge of ${parents.join(' and ')}` : `${ch.kind === 'copy' ? 'a copy' : 'a fine-tune'} of ${parents[0]}`}` +
      `${ch.base ? ` over ${ch.base}` : ''}; ${others.length} other screened candidate${others.length === 1 ? '' : 's'} shown grey.`,
  }));
  const nodeW = Math.min(260, (W - 20) / Math.max(1, parents.length) - 16);
  const px = (i) => ((i + 0.5) * W) / parents.length;
  let y = 10;
  if (ch.base) {
    svg.append(node(W / 2, y, 260, ch.base, 'lg-base'));
    for (let i = 0; i < parents.length; i++) svg.append(edge(W / 2, y + NODE_H, px(i), y + ROW, ''));
    y += ROW;
  }
  parents.forEach((p, i) => {
    svg.append(node(px(i), y, nodeW, p, 'lg-parent'));
    svg.append(edge(px(i), y + NODE_H, W / 2, y + ROW, Number.isFinite(weights[i]) ? num(weights[i]) : ''));
  });
  y += ROW;
  svg.append(node(W / 2, y, 260, suspect, 'lg-suspect'));
  if (others.length) {
    y += ROW;
    const ow = (W - 20) / others.length - 8;
    others.forEach((c, i) => svg.append(node(((i + 0.5) * W) / others.length, y, ow, c.repo, c.relative ? 'lg-other lg-relative' : 'lg-other')));
  }
  return svg;
}
