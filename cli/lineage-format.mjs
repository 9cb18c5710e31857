// The lineage section of `mergeprobe verify` text output, printed before the verdict: the claims
// (apart from evidence), the candidates with where each came from and what it cost to screen,
// the ranking, the roles chosen and the plain findings. Plain text, like format.mjs.
import { fmtBytes, fmtNum, table } from './format.mjs';
import { termSafe } from './term.mjs';

/** One line per claim, or a line saying the card claims nothing. */
function claimLines(c) {
  const out = [];
  if (c.base_model.length) out.push(`card base_model: ${c.base_model.join(', ')}${c.base_model_relation ? ` (relation: ${c.base_model_relation})` : ''}`);
  if (c.tags.length) out.push(`Hub tags: ${c.tags.map((t) => `base_model:${t.relation ? `${t.relation}:` : ''}${t.id}`).join(', ')}`);
  if (c.mergekit) {
    const y = c.mergekit.config ?? c.mergekit.readme;
    const bits = [];
    if (y?.merge_method) bits.push(`method ${y.merge_method}`);
    if (y?.base_model) bits.push(`base ${y.base_model}`);
    if (y?.models?.length) bits.push(`models ${y.models.join(', ')}`);
    if (c.mergekit.mergekit_version) bits.push(`mergekit_version ${c.mergekit.mergekit_version} in the index`);
    out.push(`mergekit traces: ${bits.join('; ') || 'tagged mergekit'}`);
  }
  if (c.none) out.push('none: the card names no base model, and there are no merge traces');
  return out;
}

function roleText(ch) {
  if (ch.kind === 'merge') return `merge of ${ch.parents.map((p, i) => `${p} (${fmtNum(ch.weights[i], 3)})`).join(' + ')} over base ${ch.base}`;
  if (ch.kind === 'copy') return `copy of ${ch.of}${ch.base ? ` (verified as parent ${ch.of} over base ${ch.base})` : ''}`;
  if (ch.kind === 'finetune') return `fine-tune of ${ch.of}${ch.base ? ` (verified as parent ${ch.of} over base ${ch.base})` : ' (no base among the candidates: not verified)'}`;
  return 'no relative among the candidates screened';
}

/** @param {any} lin  report.lineage */
export function formatLineage(lin) {
  const lines = [];
  lines.push('Lineage (found from the suspect)');
  lines.push(`  suspect: ${lin.suspect.repo} @ ${String(lin.suspect.revision).slice(0, 12)}`);
  lines.push('', 'Claims (metadata, not evidence)');
  for (const l of claimLines(lin.claims)) lines.push(`  ${l}`);
  const screened = lin.candidates.filter((c) => c.screened);
  lines.push('', `Candidates: ${screened.length} screened of ${lin.candidates.length} found (cap ${lin.budget.maxCandidates})`);
  const rows = [['candidate', 'from', 'downloads', 'cost', 'raw cos', 'relative']];
  const order = [...screened].sort((a, b) => (b.closeness ?? -2) - (a.closeness ?? -2));
  for (const c of order) {
    rows.push([c.repo, c.sources.join('; '), c.downloads == null ? '-' : String(c.downloads),
      `${c.cost.resolve_calls} res, ${fmtBytes(c.cost.bytes)}`, fmtNum(c.closeness, 3),
      c.copy_fraction >= lin.thresholds.COPY_MIN_EQUAL ? 'copy' : c.relative ? 'yes' : 'no']);
  }
  lines.push(...table(rows, 'llrrrl').split('\n'));
  const skipped = lin.candidates.filter((c) => !c.screened);
  if (skipped.length) {
    lines.push('  not screened:');
    for (const c of skipped) lines.push(`    ${c.repo}: ${c.not_screened_because}`);
  }
  if (lin.hypotheses.length) {
    lines.push('', `Ranking (fit R^2 of C - B on the parents' deltas; star: median |cos| of the others' deltas from B, low = base-like)`);
    const h = [['base', 'parents (weight)', 'R^2', 'star']];
    for (const x of lin.hypotheses.slice(0, 5)) {
      h.push([x.base, x.parents.map((p, i) => `${p} (${fmtNum(x.weights[i], 3)})`).join(' + '), fmtNum(x.r2, 4), fmtNum(x.star, 3)]);
    }
    lines.push(...table(h, 'llrr').split('\n'));
  }
  lines.push('', `Roles chosen: ${roleText(lin.chosen)}`);
  if (lin.alternative) lines.push(`  close second, verified too: ${roleText(lin.alternative)}`);
  if (lin.alternative_report) {
    const a = lin.alternative_report;
    lines.push(`  second verification: ${a.verdict ?? '-'} (alphas ${(a.alphas ?? []).map((x) => fmtNum(x, 3)).join(', ')}, cos_fit ${fmtNum(a.cos_fit, 4)})`);
  }
  for (const f of lin.findings) lines.push(`  ${f}`);
  const c = lin.cost;
  lines.push('', `Screening cost: ${c.api_calls} API calls, ${c.resolve_calls} /resolve/ calls, ${c.requests} requests, ${fmtBytes(c.bytes)}, ${(c.ms / 1000).toFixed(1)} s`);
  // Card data, tags and mergekit YAML come from the repo: every line is made terminal-safe.
  return `${lines.map(termSafe).join('\n')}\n`;
}
