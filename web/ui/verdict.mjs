// The verdict card (one sentence, key numbers, what they rest on, what would weaken them) and the
// table of models with their pinned commits.
import { h } from './dom.mjs';
import { bytes, int, num, parentName, shortSha } from './format.mjs';
import { percent } from '../../js/report/percent.mjs';
import { methodParams } from '../../js/report/method-params.mjs';
import { plainMeaning } from './meaning.mjs';

const TONE = {
  'linear-merge': 'merge', 'sparse-merge': 'merge', 'slerp-merge': 'merge', 'nearswap-merge': 'merge', passthrough: 'merge',
  copy: 'merge', 'quantized-copy': 'merge', 'fine-tune': 'clear', 'not-a-merge': 'clear', inconclusive: 'unsure',
};

/**
 * @param {ReturnType<import('../../js/report/view.mjs').buildView>} v
 * @param {{ status:'match'|'differ', details:string[] }|null} repro  comparison with a shared link
 */
export function verdictCard(v, repro) {
  const o = v.overall;
  const tone = TONE[v.verdict.kind] ?? 'unsure';
  const card = h('section', { class: `card verdict tone-${tone}`, 'aria-labelledby': 'verdict-sentence' });
  card.append(h('p', { class: 'eyebrow' }, 'Verdict'));
  card.append(h('h2', { id: 'verdict-sentence', 'data-kind': v.verdict.kind }, v.verdict.sentence));
  card.append(h('p', { class: 'meaning', id: 'verdict-meaning' }, plainMeaning(v)));
  // The sentence speaks of C, A and B: say which models those are.
  const letter = (m) => (m.role === 'suspect' ? 'C' : m.role === 'base' ? 'B' : m.role.startsWith('parent')
    ? (v.k > 1 ? `A${m.role.replace(/\D+/g, '')}` : 'A') : null);
  const named = v.models.filter((m) => letter(m));
  if (named.length) {
    card.append(h('p', { class: 'legend-models', id: 'verdict-models' }, named.map((m, i) => [i ? ' · ' : '',
      h('strong', null, letter(m)), ' = ', h('span', { class: 'mono' }, m.label)])));
  }
  if (repro) {
    card.append(h('p', { class: `repro repro-${repro.status}`, role: 'status', id: 'repro' },
      repro.status === 'match'
        ? 'Reproduced: this run gives the same numbers as the shared link.'
        : 'Not reproduced: this run differs from the shared link.',
      repro.details.length ? h('span', { class: 'muted' }, ' ', repro.details.join('; ')) : null));
  }

  const stats = h('dl', { class: 'stats' });
  const stat = (label, value, hint, id) => stats.append(h('div', { class: 'stat' },
    h('dt', null, label), h('dd', id ? { id } : null, value), hint ? h('dd', { class: 'hint' }, hint) : null));
  o.alpha.forEach((a, i) => {
    const spread = o.alphaSpread[i];
    const ci = o.alphaCi[i];
    // undefined is said with its reason, never shown as 0
    if (!Number.isFinite(a)) {
      stat(`alpha (${parentName(i, v.k)})`, 'undefined', v.verdict.undefinedReason || 'not defined on these models', `stat-alpha-${i}`);
      return;
    }
    stat(`alpha (${parentName(i, v.k)})`, num(a), v.verdict.groups.length ? 'pooled over all groups: neither group\'s weights' : Number.isFinite(spread) ? `spread ± ${num(spread)}` :
      ci && ci.length === 2 ? `95% CI ${num(ci[0])}–${num(ci[1])}` : null, `stat-alpha-${i}`);
  });
  // The named method's parameters, read from the structured verdict (js/report/method-params.mjs).
  for (const item of methodParams(v, (i) => parentName(i, v.k))) stat(item.label, item.value, item.hint || null, `stat-${item.id}`);
  // undefined is said with its reason, never shown as 0 or a bare dash
  stat(v.k > 1 ? 'cos_fit (√R²)' : 'cos_fit', Number.isFinite(o.cosFit) ? num(o.cosFit) : 'undefined', !Number.isFinite(o.cosFit)
    ? v.verdict.undefinedReason || 'no fit on these models' : Number.isFinite(o.quantFloor)
    ? `quantization floor ${num(o.quantFloor)}` : Number.isFinite(o.roundingFloor) && o.roundingFloor < 1
      ? `rounding ceiling ${num(o.roundingFloor)}` : 'fit of C−B on A−B', 'stat-cos');
  if (v.hasControl) {
    stat('control cos_fit', num(o.control?.cosFit), o.control && Number.isFinite(o.control.alpha[0])
      ? `control alpha ${num(o.control.alpha[0])}` : 'another fine-tune, measured the same way', 'stat-control');
  }
  if (o.bitExact?.applicable && (Number.isFinite(o.bitExact.fp32) || Number.isFinite(o.bitExact.bf16))) {
    const best = Math.max(Number.isFinite(o.bitExact.fp32) ? o.bitExact.fp32 : 0, Number.isFinite(o.bitExact.bf16) ? o.bitExact.bf16 : 0);
    stat('bit-exact', percent(best), 'weights recomputed exactly from the fit', 'stat-bitexact');
  }
  // Why the others are left out: rounding-dominated (deltas of a few ulps) or degenerate tensors.
  const rounding = v.tensors.filter((t) => t.roundingDominated).length;
  const degenerate = v.tensors.filter((t) => t.degenerate && !t.roundingDominated).length;
  const why = [rounding ? `${int(rounding)} rounding-dominated` : '', degenerate ? `${int(degenerate)} degenerate` : ''].filter(Boolean);
  stat('tensors', Number.isFinite(o.usable) ? `${int(o.usable)} / ${int(o.tensors)}` : int(o.tensors),
    `usable / matched${why.length && o.usable < o.tensors ? `; left out: ${why.join(', ')}` : ''}`);
  stat('data read', bytes(v.fetch.bytes), Number.isFinite(v.fetch.requests) ? `${int(v.fetch.requests)} requests` : null, 'stat-bytes');
  card.append(stats);

  const restsOn = [];
  if (Number.isFinite(o.usable)) restsOn.push(`${int(o.usable)} tensors`);
  if (Number.isFinite(o.elements)) restsOn.push(`${int(o.elements)} sampled weights per model`);
  if (Number.isFinite(v.fetch.bytes)) restsOn.push(`${bytes(v.fetch.bytes)} read${Number.isFinite(v.fetch.budget) ? ` of a ${bytes(v.fetch.budget)} budget` : ''}`);
  if (restsOn.length) card.append(h('p', { class: 'rests-on' }, h('strong', null, 'Rests on: '), restsOn.join(', '), '.'));
  if (v.verdict.explanation) card.append(h('p', { class: 'explanation' }, v.verdict.explanation));
  // Task heads that differ by design (a classifier, a pooler) are an expected gap, not a weakness.
  const heads = v.taskHeads;
  const weakening = v.verdict.caveatList.filter((c) => !(heads && c.code === 'unmatched-tensors')).map((c) => c.text);
  if (weakening.length) {
    card.append(h('div', { class: 'caveats' }, h('h3', null, 'What would weaken this'),
      h('ul', null, weakening.map((c) => h('li', null, c)))));
  }
  if (heads) {
    card.append(h('p', { class: 'muted', id: 'task-heads' }, `Not compared, by design: ${heads.length} task-head ` +
      `tensor${heads.length === 1 ? '' : 's'} (${[...new Set(heads.map((n) => n.replace(/\.(weight|bias)$/, '')))].join(', ')}), ` +
      'which a fine-tune for another task replaces; they neither support nor weaken the verdict.'));
  }
  return card;
}

export function modelsTable(v) {
  return h('table', { class: 'data models' },
    h('caption', null, 'Models, pinned to the commits this run read'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Model'),
      h('th', { scope: 'col' }, 'Requested'), h('th', { scope: 'col' }, 'Commit'))),
    h('tbody', null, v.models.map((m) => h('tr', null,
      h('th', { scope: 'row' }, m.role),
      h('td', { class: 'name' }, m.label, m.gguf
        ? h('span', { class: 'model-file' }, ` · GGUF ${m.gguf.file}${m.gguf.parts > 1 ? ` (${m.gguf.parts} parts)` : ''}`) : null),
      h('td', null, m.requested || '—'),
      h('td', { class: 'mono' }, m.url
        ? h('a', { href: m.url, target: '_blank', rel: 'noopener noreferrer', title: m.revision }, shortSha(m.revision))
        : m.revision || '—')))));
}
