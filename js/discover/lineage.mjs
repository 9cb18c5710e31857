// Find the parents: from the suspect alone (plus any models the user named, in any order), gather
// candidates from metadata (candidates.mjs), screen each with a probe of a few KB (probe.mjs),
// rank them (rank.mjs), and run the usual full verification (js/engine/run-analysis.mjs runAnalysis) on the chosen
// roles. The report is the usual one plus a `lineage` section (docs/report-schema.json); its
// share link pins the chosen roles and SHAs, so it reproduces without rediscovering.
import { readBytes } from '../io/byte-source.mjs';
import { LIMITS, claimsOf, gatherCandidates, modelFacts } from './candidates.mjs';
import { chooseProbe, newCost, openLayout, readProbe } from './probe.mjs';
import { THRESHOLDS, rankCandidates } from './rank.mjs';

import { LINEAGE_SCHEMA } from '../engine/defaults.mjs';
import { MAX_CONFIG_BYTES, MERGEKIT_CONFIGS } from './mergekit-config.mjs';

export { LINEAGE_SCHEMA };

/** Caps of one discovery, defined once (CLI flags and the page override the first). */
export const DISCOVERY_BUDGET = Object.freeze({
  maxCandidates: LIMITS.MAX_CANDIDATES,
  /** /resolve/ calls for the whole screen: a fifth of the anonymous 3,000 per 5 minutes (§9) */
  maxResolveCalls: 600,
  /** bytes for the whole screen (headers included) */
  maxBytes: 32 * 1024 * 1024,
  /** candidates screened at once */
  concurrency: 4,
});

async function readText(model, name, cost, signal) {
  const src = model.file(name);
  const size = await src.size({ signal });
  if (size > MAX_CONFIG_BYTES) return null;  // mergekit's traces are a few kB
  cost.resolve_calls += 1;
  cost.requests += 1;
  cost.bytes += size;
  return new TextDecoder().decode(await readBytes(src, 0, size, { signal }));
}

const addCost = (a, b) => { for (const k of Object.keys(b)) a[k] = (a[k] ?? 0) + b[k]; return a; };
const fmt = (x) => (typeof x === 'number' ? x.toFixed(3) : '-');

/** Plain statements: what the claims say against what the weights show. */
function findingsOf(claims, chosen, scores, screened, searched) {
  const out = [];
  const named = [...new Set([...claims.base_model, ...claims.tags.map((t) => t.id), ...(claims.base_models?.models ?? [])])];
  const score = (id) => scores.find((s) => s.id === id);
  const lineageText = chosen.kind === 'merge'
    ? `a merge of ${chosen.parents.map((p, i) => `${p} (weight ${fmt(chosen.weights[i])})`).join(' and ')} over the base ${chosen.base}`
    : chosen.kind === 'copy' ? `a copy of ${chosen.of}`
      : chosen.kind === 'finetune' && chosen.base ? `a fine-tune of ${chosen.of}` : null;
  if (chosen.kind === 'finetune' && !chosen.base) {
    out.push(`The closest relative among the candidates is ${chosen.of}, but no base was found among them, so no role could be verified: name the base with --base, or more candidates.`);
  }
  if (claims.none && lineageText) {
    out.push(`The model card names no base model and carries no merge traces, as an original model would; the weights say it is ${lineageText}.`);
  } else if (lineageText) {
    out.push(`The weights say this model is ${lineageText}.`);
  }
  for (const id of named) {
    const s = score(id);
    const inLineage = id === chosen.base || chosen.parents.includes(id) || id === chosen.of;
    if (!s) out.push(`The card names ${id}, which could not be screened, so that claim is untested.`);
    else if (!s.relative) out.push(`The card names ${id}, but the weights contradict it: ${id} is not related to this model (raw cosine ${fmt(s.closeness)}).`);
    else if (inLineage) out.push(`The card's claim of ${id} agrees with the weights.`);
    else out.push(`The card names ${id}; it is a relative (raw cosine ${fmt(s.closeness)}) but not a parent or the base the weights point to.`);
  }
  if (claims.mergekit && chosen.kind !== 'merge') out.push('mergekit left traces in this repo, but the weights do not show a merge of the candidates screened.');
  if (chosen.kind === 'no-relative') {
    out.push(`No relative found among the ${screened} candidates screened (${searched}). This is not proof that the model is original: only these models were searched.`);
  }
  return out;
}

/**
 * @param {object} o
 * @param {any} o.hub  HubClient
 * @param {any} o.suspect  resolved ModelSource of the suspect (hub.resolveModel)
 * @param {string[]} [o.named]  other candidates the user gave, without roles: 'owner/name[@rev]'
 * @param {{parents?: any[], base?: any}} [o.pinned]  resolved ModelSources of roles the user pinned
 * @param {Partial<typeof DISCOVERY_BUDGET>} [o.budget]
 * @param {AbortSignal} [o.signal]
 * @param {(ev: object) => void} [o.onProgress]
 * @returns {Promise<{lineage: object, roles: null | {parents: any[], base: any}, alternative: null | {parents: any[], base: any}}>}
 */
export async function discoverLineage(o) {
  const { hub, suspect, named = [], pinned = {}, signal, onProgress = () => {} } = o;
  // The screen probes safetensors headers and rows; a GGUF suspect is checked against named roles.
  if (suspect.weights?.gguf) {
    const claim = suspect.baseModels?.length ? ` (its card names ${suspect.baseModels.join(', ')})` : '';
    throw Object.assign(new Error(`finding the parents of a GGUF suspect is not supported yet: name its parent and base${claim}`), { code: 'usage' });
  }
  const budget = { ...DISCOVERY_BUDGET, ...(o.budget ?? {}) };
  const t0 = Date.now();
  const start = { ...hub.stats };
  const meta = { api_calls: 0 };
  const suspectCost = newCost();

  // Claims (metadata only; one API call, plus mergekit's small files when present).
  onProgress({ phase: 'discovering', label: 'claims', requests: hub.stats.requests });
  const facts = await modelFacts(hub, suspect.repo, suspect.revision, meta, signal);
  const siblings = new Set((facts.siblings ?? []).map((s) => s?.rfilename));
  const tags = Array.isArray(facts.tags) ? facts.tags : [];
  const traces = {};
  for (const f of MERGEKIT_CONFIGS) {
    if (siblings.has(f) && suspect.files.includes(f)) traces.config = await readText(suspect, f, suspectCost, signal);
  }
  if ((tags.includes('mergekit') || tags.includes('merge')) && suspect.files.includes('README.md')) {
    traces.readme = await readText(suspect, 'README.md', suspectCost, signal);
  }

  // The suspect's probe first: it decides which tensors every candidate is read at.
  onProgress({ phase: 'screening', label: suspect.repo, done: 0, total: 1, requests: hub.stats.requests });
  const sLayout = await openLayout(suspect, suspectCost, signal);
  traces.indexMetadata = sLayout.indexMetadata;
  const claims = claimsOf(facts, traces);
  const probe = await chooseProbe(sLayout, suspectCost, signal);
  const sProbe = await readProbe(sLayout, probe, suspectCost, signal);
  if (sProbe.values.size === 0) {
    const e = new Error(`${suspect.repo}: no tensor the probe can read (matrices of F32, F16 or BF16)`);
    /** @type {any} */ (e).code = 'incomparable';
    throw e;
  }

  const pinnedIds = [...(pinned.parents ?? []), ...(pinned.base ? [pinned.base] : [])].map((m) => m.repo);
  // A named candidate keeps the revision it was given; the others are read at main.
  const revisionOf = new Map(named.map((n) => { const at = n.indexOf('@'); return at < 0 ? [n, 'main'] : [n.slice(0, at), n.slice(at + 1)]; }));
  const gathered = await gatherCandidates({
    hub, suspect, facts, claims, named: [...pinnedIds, ...revisionOf.keys()], maxCandidates: budget.maxCandidates, signal, onProgress,
  });
  meta.api_calls += gathered.api_calls;

  // Screen each candidate within the budgets; what does not fit is listed with the reason.
  const used = addCost(newCost(), suspectCost);
  const resolvedPinned = new Map([...(pinned.parents ?? []), ...(pinned.base ? [pinned.base] : [])].map((m) => [m.repo, m]));
  /** @type {any[]} candidates with what screening found (skipped ones join them below) */
  const rows = gathered.candidates.map((c) => ({ ...c, screened: false, skipped: null, cost: newCost(), source: null, probe: null }));
  let done = 0;
  let next = 0;
  let reserved = 0;
  const perCandidateResolves = 1 + probe.length;  // index or header, plus the shards probed (worst case)
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      if (signal?.aborted) return;
      // Candidates in flight hold their worst case, so the cap holds whatever finishes first.
      if (used.resolve_calls + reserved + perCandidateResolves > budget.maxResolveCalls) { row.skipped = `the /resolve/ budget of ${budget.maxResolveCalls} calls was reached`; continue; }
      if (used.bytes >= budget.maxBytes) { row.skipped = `the byte budget of ${budget.maxBytes} bytes was reached`; continue; }
      reserved += perCandidateResolves;
      try {
        let src = resolvedPinned.get(row.repo);
        if (!src) { row.cost.api_calls += 1; src = await hub.resolveModel(row.repo, revisionOf.get(row.repo) ?? 'main', { signal }); }
        const layout = await openLayout(src, row.cost, signal);
        row.probe = await readProbe(layout, probe, row.cost, signal);
        row.source = src;
        if (row.root === null) row.root = (src.baseModels ?? []).length === 0;
        row.screened = true;
      } catch (e) {
        if (signal?.aborted) throw e;
        row.skipped = String(e?.message ?? e).split('\n')[0];
      } finally {
        reserved -= perCandidateResolves;
      }
      addCost(used, row.cost);
      done += 1;
      onProgress({ phase: 'screening', label: row.repo, done, total: rows.length, requests: hub.stats.requests });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, budget.concurrency) }, worker));
  if (signal?.aborted) {
    const e = new Error('cancelled');
    /** @type {any} */ (e).code = 'aborted';
    throw e;
  }

  const screened = rows.filter((r) => r.screened);
  const ranking = rankCandidates({
    suspect: { ...sProbe, id: suspect.repo },
    candidates: screened.map((r) => ({ ...r.probe, id: r.repo, downloads: r.downloads, root: r.root === true || (pinned.base?.repo === r.repo) })),
    pinnedParents: (pinned.parents ?? []).map((m) => m.repo),
    pinnedBase: pinned.base?.repo ?? null,
  });
  const byId = new Map(screened.map((r) => [r.repo, r]));
  const rolesOf = (h) => (h && h.base && h.parents.length && !h.parents.includes(h.base) &&
    [h.base, ...h.parents].every((id) => byId.has(id))
    ? { parents: h.parents.map((p) => byId.get(p).source), base: byId.get(h.base).source } : null);
  const chosen = ranking.chosen;
  const sourcesSearched = [...new Set(rows.flatMap((r) => r.sources.map((s) => s.replace(/ \(.*\)$/, ''))))].join(', ') || 'no candidate was found in the metadata';
  const lineage = {
    schema: LINEAGE_SCHEMA,
    suspect: { repo: suspect.repo, revision: suspect.revision },
    claims,
    candidates: [...rows, ...gathered.skipped].map((r) => {
      const s = ranking.scores.find((x) => x.id === r.repo);
      return {
        repo: r.repo,
        revision: r.source?.revision ?? null,
        sources: r.sources,
        downloads: r.downloads,
        root: r.root,
        screened: !!r.screened,
        not_screened_because: r.screened ? null : r.skipped ?? 'not reached',
        cost: r.cost ?? newCost(),
        closeness: s?.closeness ?? null,
        relative: s?.relative ?? false,
        copy_fraction: s?.copy_fraction ?? null,
        distance: s?.distance ?? null,
      };
    }),
    probe: { tensors: probe.map((p) => p.name), elements: sProbe.values.size ? [...sProbe.values.values()].reduce((n, v) => n + v.length, 0) : 0 },
    hypotheses: ranking.hypotheses,
    chosen,
    alternative: ranking.alternative,
    verified: null,
    findings: findingsOf(claims, chosen, ranking.scores, screened.length, sourcesSearched),
    thresholds: THRESHOLDS,
    budget,
    cost: {
      ms: Date.now() - t0,
      api_calls: meta.api_calls + rows.reduce((n, r) => n + r.cost.api_calls, 0),
      resolve_calls: hub.stats.resolveCalls - start.resolveCalls,
      requests: hub.stats.requests - start.requests,
      bytes: used.bytes,
      suspect: suspectCost,
    },
  };
  return {
    lineage,
    roles: rolesOf(chosen),
    alternative: ranking.alternative ? rolesOf(ranking.alternative) : null,
  };
}

/**
 * Discovery, then the full verification of the chosen roles (and of a close second hypothesis).
 * Without roles to verify (no relative, or a fine-tune with no base among the candidates) the
 * result is the lineage alone, schema mergeprobe.lineage/1.
 * @param {object} o  discoverLineage's options, plus `analysis`: runAnalysis's options without models,
 *   and `runAnalysis` (injected so this file does not load the wasm engine itself)
 */
export async function verifyFromSuspect(o) {
  const { runAnalysis, analysis = {} } = o;
  const found = await discoverLineage(o);
  if (!found.roles) return found.lineage;
  const report = await runAnalysis({ ...analysis, suspect: o.suspect, ...found.roles, hub: o.hub });
  found.lineage.verified = { parents: found.roles.parents.map((m) => m.repo), base: found.roles.base.repo };
  if (found.alternative) {
    const alt = await runAnalysis({ ...analysis, suspect: o.suspect, ...found.alternative, hub: o.hub });
    found.lineage.alternative_report = {
      parents: found.alternative.parents.map((m) => m.repo), base: found.alternative.base.repo,
      verdict: alt.summary?.verdict ?? null, kind: alt.summary?.kind ?? null, alphas: alt.summary?.alphas ?? null,
      cos_fit: alt.summary?.cos_fit ?? null, share_url: alt.share_url ?? null,
    };
  }
  report.lineage = found.lineage;
  return report;
}
