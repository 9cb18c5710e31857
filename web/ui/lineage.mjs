// The page's lineage section (a run that found its roles, js/discover/): the findings first
// (a card claiming nothing while the weights show a merge is the headline), the claims apart from
// the evidence, the candidates with where each came from and what screening cost, the ranking,
// and the roles chosen. Text nodes only (ui-dom.mjs): names come from repo authors.
import { h } from './dom.mjs';
import { bytes, num } from './format.mjs';
import { lineageGraph } from './lineage-graph.mjs';

function roleText(ch) {
  if (ch.kind === 'merge') return `A merge of ${ch.parents.map((p, i) => `${p} (${num(ch.weights[i])})`).join(' + ')} over the base ${ch.base}.`;
  if (ch.kind === 'copy') return `A copy of ${ch.of}.`;
  if (ch.kind === 'finetune') return `A fine-tune of ${ch.of}${ch.base ? '' : ' (no base among the candidates: not verified)'}.`;
  return 'No relative among the candidates screened.';
}

function claimsList(c) {
  const items = [];
  if (c.base_model.length) items.push(`Card base_model: ${c.base_model.join(', ')}${c.base_model_relation ? ` (relation ${c.base_model_relation})` : ''}`);
  if (c.tags.length) items.push(`Hub tags: ${c.tags.map((t) => `base_model:${t.relation ? `${t.relation}:` : ''}${t.id}`).join(', ')}`);
  if (c.mergekit) items.push('mergekit traces in the repo');
  if (c.none) items.push('None: the card names no base model and there are no merge traces.');
  return h('ul', { class: 'lineage-claims' }, items.map((t) => h('li', null, t)));
}

function candidateTable(lin) {
  const rows = [...lin.candidates].sort((a, b) => (b.closeness ?? -2) - (a.closeness ?? -2)).map((c) => h('tr', null,
    h('td', null, c.repo),
    h('td', null, c.sources.join('; ')),
    h('td', { class: 'num' }, c.downloads == null ? '—' : String(c.downloads)),
    h('td', { class: 'num' }, c.screened ? `${c.cost.resolve_calls} resolve, ${bytes(c.cost.bytes)}` : '—'),
    h('td', { class: 'num' }, num(c.closeness)),
    h('td', null, !c.screened ? `not screened: ${c.not_screened_because}` : c.copy_fraction >= lin.thresholds.COPY_MIN_EQUAL ? 'copy' : c.relative ? 'relative' : 'unrelated')));
  return h('div', { class: 'table-wrap' }, h('table', { id: 'lineage-candidates' },
    h('thead', null, h('tr', null, ['Candidate', 'From', 'Downloads', 'Screening cost', 'Raw cosine', 'Result'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows)));
}

function rankingTable(lin) {
  if (!lin.hypotheses.length) return null;
  return h('div', { class: 'table-wrap' }, h('table', { id: 'lineage-ranking' },
    h('thead', null, h('tr', null, ['Base', 'Parents (weight)', 'R²', 'Star score'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, lin.hypotheses.slice(0, 5).map((x) => h('tr', null,
      h('td', null, x.base), h('td', null, x.parents.map((p, i) => `${p} (${num(x.weights[i])})`).join(' + ')),
      h('td', { class: 'num' }, num(x.r2, 4)), h('td', { class: 'num' }, num(x.star)))))));
}

/** @param {any} lin  report.lineage, or a lineage-only result (schema mergeprobe.lineage/1) */
export function lineageSection(lin) {
  const c = lin.cost;
  return h('section', { class: 'card', id: 'lineage', 'aria-labelledby': 'lineage-title' },
    h('h2', { id: 'lineage-title' }, 'Where it comes from'),
    h('p', { id: 'lineage-roles', class: 'lineage-roles' }, roleText(lin.chosen)),
    lineageGraph(lin),
    lin.chosen && lin.chosen.kind !== 'no-relative'
      ? h('p', { class: 'hint' }, 'Top to bottom: the base, the parents with their weights, the suspect. Below, dashed: other candidates screened (darker border: a relative, fainter: unrelated); hover a box for its full name.')
      : null,
    h('ul', { id: 'lineage-findings' }, lin.findings.map((f) => h('li', null, f))),
    h('h3', null, 'Claims (metadata, not evidence)'),
    claimsList(lin.claims),
    h('h3', null, `Candidates: ${lin.candidates.filter((x) => x.screened).length} screened of ${lin.candidates.length} found`),
    candidateTable(lin),
    rankingTable(lin) ? h('h3', null, 'Ranking') : null,
    rankingTable(lin),
    h('p', { class: 'muted' }, `Screening cost: ${c.api_calls} API calls, ${c.resolve_calls} /resolve/ calls, ${c.requests} requests, ${bytes(c.bytes)}, ${(c.ms / 1000).toFixed(1)} s.`));
}
