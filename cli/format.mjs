// The readable report `mergeprobe verify` prints without --json: verdict, models, overall fit,
// component table, layer summary, what was sampled and fetched, share link. Plain text (no colour,
// no terminal codes) so it pastes into an issue as is. Undefined statistics (null) print as "-".
// Names, repo ids and messages come from the models: every cell and line of text goes through
// termSafe() (cli-term.mjs), so a name cannot move the cursor or print a line of its own.
import { termSafe } from './term.mjs';
import { buildView } from '../js/report/view.mjs';
import { methodParams } from '../js/report/method-params.mjs';

/** @param {number|null|undefined} x */
export function fmtNum(x, digits = 4) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '-';
}

/** Bytes with a binary unit, e.g. 6.1 MiB. */
export function fmtBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** 1234567 -> "1,234,567" (fixed locale so tests and pasted reports agree everywhere). */
export function fmtInt(n) {
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',') : '-';
}

/**
 * Columns padded to their widest cell; `align` per column: 'l' or 'r'.
 * @param {string[][]} rows  first row = header
 * @param {string} align     e.g. 'lrrr'
 */
export function table(rows, align, indent = '  ') {
  rows = rows.map((row) => row.map(termSafe));
  const widths = [];
  for (const row of rows) row.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((row) => indent + row.map((c, i) => {
    const last = i === row.length - 1;
    if (align[i] === 'r') return c.padStart(widths[i]);
    return last ? c : c.padEnd(widths[i]);
  }).join('  ').replace(/\s+$/, '')).join('\n');
}

function wrap(text, width = 96, indent = '  ') {
  const out = [];
  let line = '';
  for (const word of termSafe(text).split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width - indent.length) { out.push(indent + line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(indent + line);
  return out.join('\n');
}

function modelLine(m) {
  if (!m) return '-';
  // A GGUF model names the file it was read from (and the parts of a split one).
  const files = Array.isArray(m.files) ? m.files : [];
  const gguf = m.format === 'gguf' ? `, GGUF ${m.gguf_file ?? files[0]}${files.length > 1 ? ` (${files.length} parts)` : ''}` : '';
  if (m.revision === 'local') return `${m.repo} (local${gguf})`;
  const req = m.requested_revision && m.requested_revision !== m.revision && m.requested_revision !== 'main'
    ? ` (${m.requested_revision})` : '';
  return `${m.repo} @ ${String(m.revision).slice(0, 12)}${req}${gguf}`;
}

const parentName = (i) => `A${i + 1}`;

function layersByComponent(layers) {
  /** @type {Map<string, any[]>} */
  const by = new Map();
  for (const l of layers) {
    if (!by.has(l.component)) by.set(l.component, []);
    by.get(l.component).push(l);
  }
  return by;
}

function range(values) {
  const xs = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (xs.length === 0) return '-';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  // Equal at the printed precision: one value, not "0.6000..0.6000".
  return fmtNum(lo) === fmtNum(hi) ? fmtNum(lo) : `${fmtNum(lo)}..${fmtNum(hi)}`;
}

/**
 * The layer summary: per component, the layers it spans, each parent's alpha range across layers
 * and the worst-fitting layer (a merge with per-layer weights shows as a wide range; a layer that
 * was not merged shows as a low cos_fit).
 */
export function formatLayerSummary(layers, k) {
  if (!layers?.length) return '  (no per-layer statistics: no tensor is in a numbered layer)';
  const header = ['component', 'layers', ...Array.from({ length: k }, (_, i) => `alpha ${parentName(i)} range`), 'worst cos_fit (layer)'];
  const rows = [header];
  for (const [component, ls] of layersByComponent(layers)) {
    const idx = ls.map((l) => l.index);
    const span = Math.min(...idx) === Math.max(...idx) ? `${idx[0]}` : `${Math.min(...idx)}-${Math.max(...idx)} (${ls.length})`;
    const alphaCols = Array.from({ length: k }, (_, i) => range(ls.map((l) => l.alphas?.[i])));
    const fitted = ls.filter((l) => typeof l.cos_fit === 'number');
    const worst = fitted.reduce((w, l) => (w === null || l.cos_fit < w.cos_fit ? l : w), null);
    rows.push([component, span, ...alphaCols, worst ? `${fmtNum(worst.cos_fit)} (${worst.index})` : '-']);
  }
  return table(rows, 'lr' + 'r'.repeat(k) + 'r');
}

export function formatComponents(components, k) {
  if (!components?.length) return '  (no components)';
  const header = ['component', 'tensors', 'elements'];
  for (let i = 0; i < k; i++) header.push(`alpha ${parentName(i)}`, 'spread');
  header.push('cos_fit');
  const rows = [header];
  for (const c of components) {
    const row = [c.name, fmtInt(c.tensors), fmtInt(c.elements)];
    for (let i = 0; i < k; i++) row.push(fmtNum(c.alphas?.[i]), fmtNum(c.alpha_spread?.[i]));
    row.push(fmtNum(c.cos_fit));
    rows.push(row);
  }
  return table(rows, 'lrr' + 'rr'.repeat(k) + 'r');
}

/**
 * @param {any} report  a mergeprobe.report/1 object
 * @returns {string}    ends with a newline
 */
export function formatReport(report) {
  const { models, summary, plan, fetch } = report;
  const k = models.parents.length;
  const out = [];
  const method = summary.method ? ` (${summary.method})` : '';
  out.push(termSafe(`Verdict: ${summary.verdict}${method}`));
  if (summary.sentence) out.push(wrap(summary.sentence));
  if (summary.explanation) out.push(wrap(summary.explanation));
  for (const c of summary.caveats ?? []) out.push(wrap(`Caveat: ${c}`));
  out.push('');

  out.push('Models');
  const mrows = [['suspect C', modelLine(models.suspect)]];
  models.parents.forEach((p, i) => mrows.push([`parent ${parentName(i)}`, modelLine(p)]));
  mrows.push(['base B', modelLine(models.base)]);
  if (models.control) mrows.push(['control', modelLine(models.control)]);
  out.push(table(mrows, 'll'), '');

  out.push('Overall (C - B fitted on A_i - B)');
  const orows = [['', 'alpha', '95% interval']];
  for (let i = 0; i < k; i++) {
    const ci = summary.alpha_ci95?.[i];
    const a = summary.alphas?.[i];
    orows.push([parentName(i), Number.isFinite(a) ? fmtNum(a) : 'undefined', ci && Number.isFinite(a) ? `[${fmtNum(ci[0])}, ${fmtNum(ci[1])}]` : '-']);
  }
  out.push(table(orows, 'lrr'));
  const why = typeof report.verdict?.undefined === 'string' ? report.verdict.undefined : '';
  if ((summary.alphas ?? []).some((a) => !Number.isFinite(a))) out.push(termSafe(`  alpha undefined${why ? `: ${why}` : ''}`));
  out.push(`  cos_fit ${typeof summary.cos_fit === 'number' ? fmtNum(summary.cos_fit, 5) : 'undefined'}`);
  // A GGUF suspect: the best cos_fit its quantization leaves a perfect merge or copy (the core's
  // quant_floor, from the block scales), and alpha's spread from quantization alone.
  const qf = summary.quant_floor;
  if (qf && typeof qf === 'object' && typeof qf.cos_floor === 'number') {
    // alpha_se: one per parent (null where undefined)
    const se = Array.isArray(qf.alpha_se) ? qf.alpha_se : [];
    const seText = se.length === 1 ? fmtNum(se[0], 4) : se.map((x, i) => `${parentName(i)} ${Number.isFinite(x) ? fmtNum(x, 4) : 'undefined'}`).join(', ');
    out.push(`  quantization floor: cos_fit at most ${fmtNum(qf.cos_floor, 5)} after the suspect's quantization` +
      (se.some(Number.isFinite) ? `; alpha +/- ${seText} from quantization alone` : ''));
  }
  // The named method's parameters from the structured verdict, worded as the page words them.
  const items = methodParams(buildView(report), parentName);
  if (items.length) {
    out.push(termSafe(`  ${report.verdict?.method || summary.verdict}: ${items.map((it) => (it.whole ? it.value : `${it.label} ${it.value}`)).join('; ')}`));
  }
  if (summary.control) {
    const ca = (summary.control.alphas ?? []).map((a, i) => `${parentName(i)} ${fmtNum(a)}`).join(', ');
    out.push(`  control (same statistics, control in C's place): alpha ${ca || '-'}, cos_fit ${fmtNum(summary.control.cos_fit, 5)}`);
  }
  out.push('');

  out.push('Components');
  out.push(formatComponents(report.components, k), '');
  out.push('Layers');
  out.push(formatLayerSummary(report.layers, k), '');

  const unmatched = report.unmatched ?? [];
  // The core lists at most 500 unmatched tensors; unmatched_count is always exact.
  const unmatchedCount = report.unmatched_count ?? unmatched.length;
  if (unmatchedCount) {
    out.push(`Not compared: ${fmtInt(unmatchedCount)} tensor(s)`);
    for (const u of unmatched.slice(0, 5)) out.push(`  ${termSafe(u.name)}: ${termSafe(u.reason)}`);
    if (unmatchedCount > 5) out.push(`  ... and ${fmtInt(unmatchedCount - Math.min(5, unmatched.length))} more (see --json)`);
    out.push('');
  }

  out.push(`Sampled: ${fmtInt(plan.tensors)} tensors, ${fmtInt(plan.elements)} elements per model ` +
    `(budget ${fmtBytes(plan.budget_bytes)}, seed ${plan.seed})`);
  out.push(fetch.requests > 0
    ? `Fetched: ${fmtBytes(fetch.bytes)} in ${fmtInt(fetch.requests)} HTTP requests (${fmtInt(fetch.resolve_calls)} resolve calls)`
    : `Read: ${fmtBytes(fetch.bytes)} from local files (no HTTP requests)`);
  out.push(report.share_url ? `Share: ${termSafe(report.share_url)}` : 'Share: (no link: a local model cannot be shared)');
  return out.join('\n') + '\n';
}
