// The Hub's model tree in the mock: model_info fields (cardData with base_model and
// base_model_relation, tags with base_model:*, baseModels {relation, models:[{_id, id}]},
// childrenModelCount, config, downloads), the list route GET /api/models (filter, search, author,
// sort, direction, limit, expand / expand[]), and a decoy tree of realistic size built from the
// real BERT-tiny weights of shared/real-models, where discovery must find the right parents.
//
// Shapes as huggingface_hub sends and reads them (hf_api.py model_info / list_models, ModelInfo):
// `expand` is repeated; only asked fields come back (with _id and id); `childrenModelCount` is
// answered by the model route only (the list route refuses it with 400, as the Hub validates
// expand lists server-side).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { bufferFile, folderFiles, sha1 } from './repo.mjs';
import { REAL_MODELS } from './catalog.mjs';
import { virtualTrio as virtualTrioSync } from './virtual.mjs';

/**
 * @typedef {Object} TreeMeta
 * @property {Record<string, any>} [card]  cardData (base_model, base_model_relation, tags, ...)
 * @property {{model_type?: string, architectures?: string[]}} [config]
 * @property {number} [downloads]
 * @property {string[]} [tags]  extra tags (e.g. 'merge', 'mergekit')
 */

const asList = (v) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

/** The Hub's relation when the card gives none: several bases is a merge, one a fine-tune. */
function relationOf(meta) {
  const bases = asList(meta?.card?.base_model);
  if (!bases.length) return null;
  return meta.card.base_model_relation ?? (bases.length > 1 ? 'merge' : 'finetune');
}

/**
 * Model-tree fields of a repo's model_info.
 * @param {import('./repo.mjs').MockRepo} repo
 * @param {Map<string, import('./repo.mjs').MockRepo>} repos
 */
export function treeFields(repo, repos) {
  const meta = repo.meta ?? {};
  // Repos of the standard catalogue carry only `baseModel` (cardData.base_model): same tree facts.
  const card = meta.card ?? (repo.baseModel ? { base_model: repo.baseModel } : null);
  const bases = asList(card?.base_model);
  const relation = relationOf({ card });
  const modelType = meta.config?.model_type;
  /** @type {Record<string, number>} */
  const children = {};
  for (const r of repos.values()) {
    if (r.private || r.disabled) continue;
    const rc = r.meta?.card ?? (r.baseModel ? { base_model: r.baseModel } : null);
    if (asList(rc?.base_model).includes(repo.id)) {
      const rel = /** @type {string} */ (relationOf({ card: rc }));
      children[rel] = (children[rel] ?? 0) + 1;
    }
  }
  const tags = ['transformers', 'safetensors', ...(modelType ? [modelType] : []), ...(meta.tags ?? []),
    ...bases.flatMap((b) => [`base_model:${b}`, `base_model:${relation}:${b}`])];
  return {
    downloads: meta.downloads ?? 0,
    tags,
    ...(meta.card ? { cardData: { ...meta.card } } : {}),
    ...(meta.config ? { config: { ...meta.config } } : {}),
    ...(bases.length ? { baseModels: { relation, models: bases.map((id) => ({ _id: sha1(id).slice(0, 24), id })) } } : {}),
    childrenModelCount: children,
  };
}

/** Fields the list route expands; `childrenModelCount` and `usedStorage` are detail-only. */
const DETAIL_ONLY = new Set(['childrenModelCount', 'usedStorage']);
const LIST_DEFAULT = ['_id', 'id', 'likes', 'downloads', 'private', 'tags', 'pipeline_tag', 'library_name', 'createdAt', 'modelId'];
const MAX_LIMIT = 1000;

/**
 * GET /api/models. `filter` values must all be tags of the model; `search` is a substring of the
 * id; `author` the owner. Sorted by `sort` (downloads, likes, createdAt, lastModified; direction
 * -1 = descending). Throws {status: 400} for an expand the list route refuses.
 * @param {URL} url
 * @param {Map<string, import('./repo.mjs').MockRepo>} repos
 * @param {(r: import('./repo.mjs').MockRepo) => boolean} visible
 * @param {(r: import('./repo.mjs').MockRepo, commit: any) => Record<string, any>} info  full model_info
 */
export function listModels(url, repos, visible, info) {
  const q = url.searchParams;
  const filters = q.getAll('filter');
  const search = (q.get('search') ?? '').toLowerCase();
  const author = q.get('author');
  const expand = [...q.getAll('expand'), ...q.getAll('expand[]')];
  const bad = expand.find((e) => DETAIL_ONLY.has(e));
  if (bad) return { error: `"expand" must be one of the list fields; "${bad}" is only available on the model route` };
  const rows = [];
  for (const r of repos.values()) {
    if (r.private || r.disabled || !visible(r)) continue;
    const commit = r.commit('main');
    if (!commit) continue;
    const full = info(r, commit);
    const tags = full.tags ?? [];
    if (!filters.every((f) => tags.includes(f))) continue;
    if (search && !r.id.toLowerCase().includes(search)) continue;
    if (author && r.id.split('/')[0] !== author) continue;
    rows.push(full);
  }
  const sort = q.get('sort');
  const dir = q.get('direction') === '-1' ? -1 : 1;
  if (sort) rows.sort((a, b) => ((a[sort] ?? 0) < (b[sort] ?? 0) ? -dir : (a[sort] ?? 0) > (b[sort] ?? 0) ? dir : 0) || (a.id < b.id ? -1 : 1));
  const limit = Math.min(Number(q.get('limit')) || MAX_LIMIT, MAX_LIMIT);
  const fields = expand.length ? ['_id', 'id', ...expand] : LIST_DEFAULT;
  return rows.slice(0, limit).map((m) => Object.fromEntries(fields.filter((f) => f in m).map((f) => [f, m[f]])));
}

/* ---------------- the decoy tree from real weights ---------------- */

/** Deterministic permutation of n elements from a seed (xorshift). */
function permutation(n, seed) {
  let s = seed >>> 0 || 1;
  const rand = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [p[i], p[j]] = [p[j], p[i]]; }
  return p;
}

const seedOf = (text) => { let h = 2166136261; for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0; return h; };

/**
 * The tree. Real: the BERT-tiny base and its two real fine-tunes. Decoys of the same architecture:
 * four more "fine-tunes" of the base (the base plus a real fine-tune delta with its elements
 * permuted: realistic size and statistics, an independent direction), two of them more downloaded
 * than the true parents, one with no card; an unrelated root of the same shapes with children of
 * its own (every tensor of the real family permuted the same way: a whole isomorphic family); the
 * llama2.c models as another architecture. Suspects, each with its expected answer.
 * @returns {{repos: any[], suspects: Record<string, {repo: string, expect: any}>, haveRealModels: boolean}}
 */
export async function modelTreeRepos() {
  const dir = (f) => join(REAL_MODELS, f);
  if (!existsSync(dir('bert-tiny-fhe-v0-weights'))) return { repos: [], suspects: {}, haveRealModels: false };
  const { readSafetensors, encodeSafetensors } = await import('../gen/safetensors-io.mjs');
  const { linear, taskArithmetic, delta, norm } = await import('../gen/merge-ops.mjs');
  const load = (f) => readSafetensors(join(dir(f), 'model.safetensors')).tensors;
  const B = load('bert-tiny-fhe-v0-weights');
  const S = load('bert-tiny-sst2-fhe');
  const E = load('bert-tiny-emotion-fhe');
  const bertConfig = { model_type: 'bert', architectures: ['BertForSequenceClassification'] };

  /** Each tensor of `like`, computed by fn(name, t) -> Float32Array. */
  const each = (like, fn) => new Map([...like].map(([name, t]) => [name, { shape: t.shape, data: fn(name, t) }]));
  const permute = (data, seed) => { const p = permutation(data.length, seed); const o = new Float32Array(data.length); for (let i = 0; i < p.length; i++) o[i] = data[p[i]]; return o; };
  // base + permuted delta of a real fine-tune X (tensors B lacks: X's own, permuted).
  const decoyOf = (X, tag) => each(X, (name, t) => {
    const b = B.get(name);
    const seed = seedOf(`${tag}:${name}`);
    if (!b) return permute(t.data, seed);
    const d = permute(delta(t.data, b.data), seed);
    return Float32Array.from(b.data, (v, i) => v + d[i]);
  });
  const isomorphic = (M, tag) => each(M, (name, t) => permute(t.data, seedOf(`${tag}:${name}`)));
  const merge2 = (X, a) => each(X, (name, t) => { const b = B.get(name); return b ? linear(t.data, b.data, a) : t.data; });

  const repos = [];
  const files = (tensors, dtype = 'F32', config = bertConfig) => {
    const st = encodeSafetensors(tensors, dtype, { format: 'pt' });
    return { 'model.safetensors': bufferFile('model.safetensors', new Uint8Array(st.buffer, st.byteOffset, st.length)), 'config.json': bufferFile('config.json', JSON.stringify(config) + '\n') };
  };
  const params = (tensors, dtype = 'F32') => ({ [dtype]: [...tensors.values()].reduce((n, t) => n + t.data.length, 0) });
  const add = (id, tensors, meta, dtype = 'F32') => {
    repos.push({ id, commits: [files(tensors, dtype, meta.config ?? bertConfig)], parameters: params(tensors, dtype), meta: { config: bertConfig, ...meta } });
  };
  const ROOT = 'bert-org/bert-tiny';
  add(ROOT, B, { downloads: 90_000 });
  add('nlp-lab/bert-tiny-sst2', S, { downloads: 1_200, card: { base_model: ROOT } });
  add('nlp-lab/bert-tiny-emotion', E, { downloads: 800, card: { base_model: ROOT } });
  add('acme/bert-tiny-news', decoyOf(E, 'news'), { downloads: 5_000, card: { base_model: ROOT } });
  add('acme/bert-tiny-reviews', decoyOf(S, 'reviews'), { downloads: 3_000, card: { base_model: ROOT } });
  add('acme/bert-tiny-legal', decoyOf(E, 'legal'), { downloads: 150, card: { base_model: ROOT } });
  add('anon/bert-tiny-chat', decoyOf(S, 'chat'), { downloads: 60 });
  const SCR = 'scratch-lab/bert-tiny-scratch';
  add(SCR, isomorphic(B, 'scratch'), { downloads: 20_000 });
  add('scratch-lab/bert-tiny-scratch-sst2', isomorphic(S, 'scratch'), { downloads: 700, card: { base_model: SCR } });
  add('scratch-lab/bert-tiny-scratch-emotion', isomorphic(E, 'scratch'), { downloads: 400, card: { base_model: SCR } });
  for (const [f, id] of [['stories260K', 'llama-org/stories260K'], ['llama2xs-tinystories-scratch', 'llama-org/llama2xs']]) {
    repos.push({ id, commits: [folderFiles(dir(f))], meta: { config: { model_type: 'llama', architectures: ['LlamaForCausalLM'] }, downloads: 2_000 } });
  }

  // Suspects (few downloads each: they are on the Hub too, and every one is a candidate for the others).
  const suspects = {
    blend: { repo: 'mystery/bert-tiny-blend', expect: { kind: 'merge', parents: ['nlp-lab/bert-tiny-sst2'], base: ROOT, weights: [0.571] } },
    wrongBase: { repo: 'mystery/bert-tiny-blend-wrongbase', expect: { kind: 'merge', parents: ['nlp-lab/bert-tiny-emotion'], base: ROOT, weights: [0.3], contradicted: SCR } },
    duo: { repo: 'mystery/bert-tiny-duo', expect: { kind: 'merge', parents: ['nlp-lab/bert-tiny-sst2', 'nlp-lab/bert-tiny-emotion'], base: ROOT, weights: [0.6, 0.3] } },
    finetune: { repo: 'mystery/bert-tiny-emotion-plus', expect: { kind: 'finetune', of: 'nlp-lab/bert-tiny-emotion', base: ROOT } },
    copy: { repo: 'mystery/bert-tiny-sst2-copy', expect: { kind: 'copy', of: 'nlp-lab/bert-tiny-sst2', base: ROOT } },
    bf16: { repo: 'mystery/bert-tiny-blend-bf16', expect: { kind: 'merge', parents: ['nlp-lab/bert-tiny-sst2'], base: ROOT, weights: [0.5] } },
    loner: { repo: 'mystery/bert-tiny-loner', expect: { kind: 'no-relative' } },
    mergekit: { repo: 'mk-user/bert-tiny-sst2-linear', expect: { kind: 'merge', parents: ['nlp-lab/bert-tiny-sst2'], base: ROOT, weights: [0.7] } },
  };
  add(suspects.blend.repo, merge2(S, 0.571), { downloads: 3 });
  add(suspects.wrongBase.repo, merge2(E, 0.3), { downloads: 2, card: { base_model: SCR } });
  add(suspects.duo.repo, each(S, (name, t) => {
    const b = B.get(name);
    const e = E.get(name);
    return b && e && e.data.length === t.data.length ? taskArithmetic(b.data, [t.data, e.data], [0.6, 0.3]) : t.data;
  }), { downloads: 1 });
  // A fine-tune of emotion: emotion plus a new direction as long as emotion's own delta.
  add(suspects.finetune.repo, each(E, (name, t) => {
    const b = B.get(name);
    const s = S.get(name);
    if (!b || !s || s.data.length !== t.data.length) return t.data;
    const p = permute(delta(s.data, b.data), seedOf(`plus:${name}`));
    const scale = norm(delta(t.data, b.data)) / (norm(p) || 1);
    return Float32Array.from(t.data, (v, i) => v + scale * p[i]);
  }), { downloads: 4 });
  add(suspects.copy.repo, S, { downloads: 0 });
  add(suspects.bf16.repo, merge2(S, 0.5), { downloads: 5 }, 'BF16');
  add(suspects.loner.repo, isomorphic(B, 'loner'), { downloads: 9 });
  // What a mergekit run leaves: a card listing every model, the mergekit tags, the YAML config in
  // the README body and in mergekit_config.yml (shared/hf-hub-protocol.md §9).
  const yaml = `models:\n  - model: nlp-lab/bert-tiny-sst2\n    parameters:\n      weight: 0.7\n  - model: ${ROOT}\n    parameters:\n      weight: 0.3\nmerge_method: linear\ndtype: float32\n`;
  add(suspects.mergekit.repo, merge2(S, 0.7), { downloads: 7, tags: ['mergekit', 'merge'], card: { base_model: ['nlp-lab/bert-tiny-sst2', ROOT], tags: ['mergekit', 'merge'] } });
  Object.assign(repos.at(-1).commits[0], {
    'mergekit_config.yml': bufferFile('mergekit_config.yml', yaml),
    'README.md': bufferFile('README.md', `---\nbase_model:\n- nlp-lab/bert-tiny-sst2\n- ${ROOT}\ntags:\n- mergekit\n- merge\n---\n# merged\n\n\`\`\`yaml\n${yaml}\`\`\`\n`),
  });
  return { repos, suspects, haveRealModels: true };
}

/**
 * Rio scale: a virtual Qwen3.5-397B-A17B BF16 trio with model-tree metadata, plus `decoys` other
 * fine-tunes of the same base, the first ones more downloaded than the true parent. The merge's
 * card claims nothing. @param {{decoys?: number}} [o]
 */
export function rioDiscoveryRepos(o = {}) {
  const trio = virtualTrioSync({ layout: 'qwen3.5-397b-bf16', alpha: 0.571, decoys: o.decoys ?? 6,
    names: { base: 'Qwen/Qwen3.5-397B-A17B', parent: 'mock/Qwen3.5-397B-A17B-finetune', merge: 'mystery/Qwen3.5-397B-A17B-merge' } });
  const config = { model_type: 'qwen3_5_moe', architectures: ['Qwen3_5MoeForConditionalGeneration'] };
  const withMeta = (spec, meta) => ({ ...spec, baseModel: undefined, meta: { config, ...meta } });
  const repos = [
    withMeta(trio.base, { downloads: 1_000_000 }),
    withMeta(trio.parent, { downloads: 5_000, card: { base_model: trio.names.base } }),
    withMeta(trio.merge, { downloads: 10 }),
    ...trio.decoys.map((d, k) => withMeta(d, { downloads: k < 4 ? 50_000 - k * 1000 : 100 + k, card: { base_model: trio.names.base } })),
  ];
  return { repos, names: trio.names, decoys: trio.decoys.map((d) => d.id) };
}
