// Where candidates come from, all from metadata (no weights yet): the models the user named, the
// suspect's card and tags (claims, to be tested, never trusted), the model tree of the Hub API
// (ancestors through `baseModels`, children through `filter=base_model:X`), and models of the
// same architecture and size, most downloaded first. API shapes as huggingface_hub's
// model_info / list_models send them: `expand` repeated, `filter` repeated, `sort=downloads`,
// `direction=-1`, `limit` (shared/hf-hub-protocol.md §9 "model tree").

import { isRepoId } from '../io/hub/model-id.mjs';
import { parseMergekitBase } from './mergekit-config.mjs';

/** Fields asked of the suspect and of each listed model (only these come back, §1). */
export const INFO_FIELDS = ['sha', 'cardData', 'tags', 'baseModels', 'config', 'safetensors', 'siblings', 'downloads', 'childrenModelCount'];
/** `childrenModelCount` is answered by the model route only, not by the list route. */
export const LIST_FIELDS = ['downloads', 'tags', 'baseModels', 'config', 'safetensors'];

export const LIMITS = Object.freeze({
  /** candidates screened at most (the issue's "about 20") */
  MAX_CANDIDATES: 20,
  /** models asked per listing (children of a base; same architecture) */
  LIST_LIMIT: 50,
  /** ancestor steps followed up the tree from a claimed or named model */
  MAX_ANCESTOR_DEPTH: 3,
  /** "same size": total parameters within this fraction (fine-tunes add heads, e.g. BERT +4%) */
  SIZE_TOLERANCE: 0.1,
  /** roots whose children are listed (most downloaded first): one API call each */
  MAX_ROOTS_LISTED: 5,
});

/** Relations whose weights are a full model like the suspect (adapters and quantized are not). */
const COMPARABLE_RELATIONS = new Set(['finetune', 'merge', undefined, null, '']);



function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of params) q.append(k, v);
  return q.toString();
}

/**
 * GET an API URL through the hub client (its retries and counters). A model's own facts go
 * through apiFirst: without the token first, with it only when the repo turns out gated or
 * private; listings never carry it.
 */
async function getJson(hub, path, params, ctx, counter, { ofModel = false } = {}) {
  counter.api_calls += 1;
  const url = `${hub.endpoint}${path}?${query(params)}`;
  const { json } = ofModel ? await hub.apiFirst(url, ctx) : await hub.api(url, ctx);
  return json;
}

/** model_info with the discovery fields. */
export async function modelFacts(hub, repo, revision, counter, signal) {
  const params = INFO_FIELDS.map((f) => ['expand[]', f]);
  const path = `/api/models/${repo}${revision && revision !== 'main' ? `/revision/${encodeURIComponent(revision)}` : ''}`;
  return getJson(hub, path, params, { repo, signal }, counter, { ofModel: true });
}

/** list_models: filters (all must match), sorted by downloads, most first. */
export async function listModels(hub, filters, counter, signal, limit = LIMITS.LIST_LIMIT) {
  const params = [...filters.map((f) => ['filter', f]), ['sort', 'downloads'], ['direction', '-1'], ['limit', String(limit)],
    ...LIST_FIELDS.map((f) => ['expand[]', f])];
  const json = await getJson(hub, '/api/models', params, { signal }, counter);
  return Array.isArray(json) ? json.filter((m) => m && typeof m.id === 'string') : [];
}

const asList = (v) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x) => typeof x === 'string' && isRepoId(x));

/** Names in a mergekit YAML config (mergekit_config.yml, or the YAML block of its README). */
export function parseMergekitYaml(text) {
  const models = [];
  let base = null;
  let method = null;
  for (const line of String(text).split('\n')) {
    const m = /^\s*(?:-\s*)?(base_model|model|merge_method)\s*:\s*["']?([^\s"'#]+)/.exec(line);
    if (!m) continue;
    if (m[1] === 'merge_method') method = m[2];
    else if (m[1] === 'base_model') continue;  // the top-level key only: parseMergekitBase
    else if (isRepoId(m[2]) && !models.includes(m[2])) models.push(m[2]);
  }
  const top = parseMergekitBase(String(text));
  if (top && isRepoId(top)) base = top;
  return { base_model: base, models, merge_method: method };
}

/**
 * The suspect's claims, apart from any evidence: card base_model / base_model_relation, the Hub's
 * base_model:* tags and baseModels, mergekit traces (config file, README YAML, index metadata).
 * @param {any} facts  model_info of the suspect
 * @param {{config?: string|null, readme?: string|null, indexMetadata?: any}} traces
 */
export function claimsOf(facts, traces = {}) {
  const card = facts?.cardData ?? {};
  const tags = Array.isArray(facts?.tags) ? facts.tags.filter((t) => typeof t === 'string') : [];
  const tagBases = tags.filter((t) => t.startsWith('base_model:')).map((t) => {
    const parts = t.split(':');
    return parts.length === 3 ? { relation: parts[1], id: parts[2] } : { relation: null, id: parts.slice(1).join(':') };
  }).filter((t) => isRepoId(t.id));
  const bm = facts?.baseModels;
  const fromConfig = traces.config ? parseMergekitYaml(traces.config) : null;
  const readmeYaml = traces.readme ? /```ya?ml\n([\s\S]*?)```/.exec(traces.readme)?.[1] : null;
  const fromReadme = readmeYaml ? parseMergekitYaml(readmeYaml) : null;
  const version = traces.indexMetadata?.mergekit_version ?? null;
  const mergekit = fromConfig || fromReadme || version || tags.includes('mergekit')
    ? { config: fromConfig, readme: fromReadme, mergekit_version: typeof version === 'string' ? version : null, tagged: tags.includes('mergekit') }
    : null;
  const baseModel = asList(card.base_model);
  return {
    base_model: baseModel,
    base_model_relation: typeof card.base_model_relation === 'string' ? card.base_model_relation : null,
    tags: tagBases,
    base_models: bm && Array.isArray(bm.models) ? { relation: bm.relation ?? null, models: bm.models.map((m) => m?.id).filter((x) => isRepoId(x ?? '')) } : null,
    mergekit,
    /** true when nothing in the metadata names any model this one comes from */
    none: baseModel.length === 0 && tagBases.length === 0 && !(bm?.models?.length) && !mergekit,
  };
}

/** Every model a claim names, in a stable order. */
export function claimedModels(claims) {
  const out = [];
  const add = (x) => { if (x && !out.includes(x)) out.push(x); };
  claims.base_model.forEach(add);
  claims.tags.forEach((t) => add(t.id));
  claims.base_models?.models.forEach(add);
  for (const y of [claims.mergekit?.config, claims.mergekit?.readme]) {
    if (!y) continue;
    add(y.base_model);
    y.models.forEach(add);
  }
  return out;
}

const parentsOf = (m) => (Array.isArray(m?.baseModels?.models) ? m.baseModels.models.map((x) => x?.id).filter((x) => isRepoId(x ?? '')) : []);
const relationOf = (m) => m?.baseModels?.relation ?? null;
const totalParams = (m) => (Number.isFinite(m?.safetensors?.total) ? m.safetensors.total : null);

/**
 * Gathers the candidates, each with every source that named it, in priority order (user, card,
 * tree, architecture), capped at maxCandidates; the rest are listed as not screened, with why.
 * @param {object} o
 * @param {any} o.hub  HubClient
 * @param {{repo: string, revision: string}} o.suspect
 * @param {any} o.facts  model_info of the suspect (modelFacts)
 * @param {any} o.claims  claimsOf(...)
 * @param {string[]} o.named  repo ids the user gave (any role, any order)
 * @param {number} [o.maxCandidates]
 * @param {AbortSignal} [o.signal]
 * @param {(ev: object) => void} [o.onProgress]
 */
export async function gatherCandidates(o) {
  const { hub, suspect, facts, claims, named = [], signal, onProgress = () => {} } = o;
  const max = o.maxCandidates ?? LIMITS.MAX_CANDIDATES;
  const counter = { api_calls: 0 };
  /** @type {Map<string, {repo: string, sources: string[], downloads: number | null, root: boolean | null, relation: string | null, parents: string[], info: any}>} */
  const all = new Map();
  const order = [];
  const add = (repo, source, info = null) => {
    if (!isRepoId(repo ?? '') || repo === suspect.repo) return;
    let c = all.get(repo);
    if (!c) {
      c = { repo, sources: [], downloads: null, root: null, relation: null, parents: [], info: null };
      all.set(repo, c);
      order.push(repo);
    }
    if (!c.sources.includes(source)) c.sources.push(source);
    if (info && !c.info) {
      c.info = info;
      c.downloads = Number.isFinite(info.downloads) ? info.downloads : null;
      c.parents = parentsOf(info);
      c.relation = relationOf(info);
      c.root = c.parents.length === 0;
    }
  };
  const step = (label) => onProgress({ phase: 'discovering', label, requests: hub.stats.requests });

  // 1-2. Named by the user; claimed by the card.
  named.forEach((r) => add(r, 'named by you'));
  claimedModels(claims).forEach((r) => add(r, "suspect's card"));

  // 3. The model tree: ancestors of what was named or claimed, then children of every root found.
  step('model tree');
  const facts0 = new Map();
  const infoOf = async (repo) => {
    if (facts0.has(repo)) return facts0.get(repo);
    let f = null;
    try { f = await modelFacts(hub, repo, 'main', counter, signal); } catch (e) {
      if (signal?.aborted) throw e;
      f = { error: e };
    }
    facts0.set(repo, f);
    return f;
  };
  let frontier = [...order];
  for (let depth = 0; depth < LIMITS.MAX_ANCESTOR_DEPTH && frontier.length; depth++) {
    const next = [];
    for (const repo of frontier) {
      const f = await infoOf(repo);
      if (f?.error) continue;
      add(repo, all.get(repo).sources[0], f);
      for (const p of parentsOf(f)) { if (!all.has(p)) next.push(p); add(p, 'model tree (ancestor)'); }
    }
    frontier = next;
  }
  for (const repo of frontier) { const f = await infoOf(repo); if (!f?.error) add(repo, 'model tree (ancestor)', f); }

  // 4. Same architecture and size, most downloaded first: their roots are base candidates.
  const config = facts?.config ?? {};
  const archs = Array.isArray(config.architectures) ? config.architectures : [];
  const size = totalParams(facts);
  const sameShape = (m) => {
    const a = Array.isArray(m?.config?.architectures) ? m.config.architectures : [];
    const t = totalParams(m);
    const archOk = archs.length === 0 || a.some((x) => archs.includes(x));
    const sizeOk = size === null || t === null || Math.abs(t - size) <= LIMITS.SIZE_TOLERANCE * size;
    return archOk && sizeOk && m?.config?.model_type === config.model_type;
  };
  if (typeof config.model_type === 'string' && config.model_type) {
    step('same architecture');
    const listed = await listModels(hub, [config.model_type, 'safetensors'], counter, signal);
    for (const m of listed) if (m.id !== suspect.repo && sameShape(m)) add(m.id, 'same architecture', m);
  }
  const roots = order.filter((r) => all.get(r).info && all.get(r).root);
  for (const r of order.filter((x) => all.get(x).info)) for (const p of all.get(r).parents) if (!roots.includes(p)) roots.push(p);
  step('children of roots');
  const downloadsOf = (r) => all.get(r)?.downloads ?? -1;
  const rootsListed = [...roots].sort((a, b) => downloadsOf(b) - downloadsOf(a)).slice(0, LIMITS.MAX_ROOTS_LISTED);
  for (const root of rootsListed) {
    const kids = await listModels(hub, [`base_model:${root}`], counter, signal);
    for (const m of kids) {
      if (m.id === suspect.repo || !COMPARABLE_RELATIONS.has(relationOf(m))) continue;
      add(m.id, `model tree (child of ${root})`, m);
    }
  }

  // Priority: named, claimed, ancestors/roots, then the rest by downloads (most first).
  const rank = (c) => (c.sources.includes('named by you') ? 0 : c.sources.includes("suspect's card") ? 1 : c.root ? 2 : 3);
  const list = order.map((r) => all.get(r)).sort((a, b) => rank(a) - rank(b) || (b.downloads ?? -1) - (a.downloads ?? -1));
  const chosen = list.slice(0, max);
  const skipped = list.slice(max).map((c) => ({ ...c, skipped: `over the cap of ${max} candidates` }));
  return { candidates: chosen, skipped, api_calls: counter.api_calls };
}
