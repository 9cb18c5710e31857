// Hugging Face Hub client: revision -> commit SHA, then single-range reads of files at that SHA.
// Runs unchanged in the browser (fetch + CORS) and in Node 20 (global fetch). Facts it relies on
// are in shared/hf-hub-protocol.md (§n below).
//
// Request shapes are chosen so a browser never sends a preflight to the CDN (§2.4, §2.7): only
// `Range: bytes=a-b` (never suffix or multi-range), no custom headers, and no Authorization on the
// CDN. The token goes only to the hub origin, and only for a model that needs it (§9): the first API
// call of a model goes without it, and the token is added (and kept for that model's /resolve/ and
// paths-info calls) only when the answer says `gated` or `private`, or a 401/404 that a token may
// lift. Public repos never see it, so an older Chromium that keeps Authorization on the cross-origin
// redirect cannot carry it to the CDN. Where it is sent, fetch drops it on the redirect to the CDN
// (§2.6), and when we call the remembered CDN URL directly we do not add it.
//
// One /resolve/ per file touched: the first read of a file follows the redirect, and the final
// response.url (the signed CDN URL) serves every later range of that file. A 403 from the CDN means
// the signature expired: resolve once more and retry. Signed URLs are also remembered per
// module (retry.mjs) for their hour, so a rerun in the same page session skips /resolve/.
//
// Timeouts, 429 waits and their constants: retry.mjs. Requests, retries and the token: transport.mjs; reads of one file: file-source.mjs.
//
// Weights: a repo with model.safetensors.index.json is read through the index (even when a
// model.safetensors also exists, the index is what transformers loads); model.safetensors alone is
// read as a single file; a GGUF file is read when the model id names one (`:QUANT` or `:path.gguf`,
// gguf-files.mjs), or when the repo has no safetensors weights and exactly one GGUF model; a repo
// holding both is read as safetensors unless a GGUF is named; anything else is an error. The file list is the model info's
// `siblings`, or, when that is empty, 1,000+ long or without weights, the tree or paths-info
// (listing.mjs, spec §9).

import { HubError } from './errors.mjs';
import { HubTransport } from './transport.mjs';
import { HubFileSource } from './file-source.mjs';
import { parseModelId, SHA_RE } from './model-id.mjs';
import { entrySize, siblingsDoubt, listTree, pathsInfo } from './listing.mjs';
import { GGUF_FILE, ggufListing, ggufModels, selectGguf } from './gguf-files.mjs';

export { HubError, HubFileSource, parseModelId };

/** @typedef {import('../byte-source.mjs').ByteSource} ByteSource */
/** @typedef {import('../byte-source.mjs').ModelSource} ModelSource */

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/** cardData.base_model (a string or a list) as a list of valid repo ids. @param {any} info */
function baseModelsOf(info) {
  const b = info?.cardData?.base_model;
  const list = Array.isArray(b) ? b : typeof b === 'string' ? [b] : [];
  return list.filter((x) => typeof x === 'string' && /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(x));
}

/** The Hub's API (revision -> SHA and file list, sizes) over the transport (transport.mjs). */
export class HubClient extends HubTransport {
  /** @param {ConstructorParameters<typeof HubTransport>[0]} [o] */
  constructor(o = {}) {
    super(o);
    /** @type {WeakMap<object, Promise<boolean>>} in-flight paths-info calls per model (false: no listing API) */
    this._sizing = new WeakMap();
  }

  /** @param {string} id */
  parseModelId(id) {
    return parseModelId(id);
  }

  /**
   * Revision -> commit SHA and file list; every later file URL uses the SHA, so a branch that moves
   * during the run cannot mix two commits.
   * @param {string} repo  'owner/name'
   * @param {string} [revision]
   * @param {{signal?: AbortSignal, select?: {file?: string, quant?: string}}} [opts]  select: the
   *   GGUF file the model id names (parseModelId's `file` or `quant`)
   * @returns {Promise<ModelSource & {endpoint: string, sizes: Map<string, number>}>}
   */
  async resolveModel(repo, revision = 'main', opts = {}) {
    const select = opts.select?.quant || (opts.select?.file && GGUF_FILE.test(opts.select.file)) ? opts.select : null;
    const parsed = parseModelId(`${repo}@${revision}`);
    // blobs=true adds every file's size, so sizes are known without touching the CDN (§1).
    const url = `${this.endpoint}/api/models/${parsed.repo}/revision/${encodeURIComponent(parsed.revision)}?blobs=true`;
    const { json, needsToken } = await this.apiFirst(url, { repo: parsed.repo, signal: opts.signal });
    const sha = json && json.sha;
    if (typeof sha !== 'string' || !SHA_RE.test(sha)) {
      throw new HubError('BadResponse', `${this.endpoint} gave no commit SHA for ${parsed.repo}@${parsed.revision}`, { repo: parsed.repo });
    }
    /** @type {Map<string, number>} */
    const sizes = new Map();
    let files = [];
    for (const s of Array.isArray(json.siblings) ? json.siblings : []) {
      if (!s || typeof s.rfilename !== 'string') continue;
      files.push(s.rfilename);
      const size = entrySize(s);
      if (size !== undefined) sizes.set(s.rfilename, size);
    }
    /** how the file list was learnt, for messages: siblings, tree or paths-info */
    let listedBy = 'siblings';
    const doubt = siblingsDoubt(files, (f) => f.includes(INDEX_FILE) || f.includes(SINGLE_FILE) || f.some((x) => GGUF_FILE.test(x)));
    if (doubt) {
      // siblings can be cut or empty (§9): ask the tree, or paths-info for the two entry points.
      const fallback = { repo: parsed.repo, signal: opts.signal, auth: needsToken };
      let listed;
      try {
        listed = await listTree(this, parsed.repo, sha, opts.signal, undefined, needsToken);
        listedBy = 'tree';
      } catch (e) {
        if (!(e instanceof HubError && e.code === 'NotSupported')) throw e;
        try {
          listed = new Map([...files.map((f) => /** @type {[string, number | undefined]} */ ([f, sizes.get(f)])),
            ...await pathsInfo(this, parsed.repo, sha, [INDEX_FILE, SINGLE_FILE], fallback)]);
          listedBy = 'paths-info';
        } catch (e2) {
          if (!(e2 instanceof HubError && e2.code === 'NotSupported')) throw e2;
          throw new HubError('EntryNotFound', `cannot list the files of ${parsed.repo} at ${sha}: ${doubt}, and ` +
            `${this.endpoint} serves neither the tree API nor paths-info`, { repo: parsed.repo });
        }
      }
      files = [...listed.keys()];
      for (const [f, size] of listed) if (size !== undefined) sizes.set(f, size);
    }
    /** @type {ModelSource['weights']} */
    let weights;
    const where = `${parsed.repo} at ${sha.slice(0, 12)}`;
    if (select) weights = { gguf: selectGguf(files, select, where, parsed.repo) };
    else if (files.includes(INDEX_FILE)) weights = { index: INDEX_FILE };
    else if (files.includes(SINGLE_FILE)) weights = { single: SINGLE_FILE };
    else if (ggufModels(files).length) {
      // A GGUF-only repo: unambiguous with one GGUF model; with several the person picks one.
      const models = ggufModels(files);
      if (models.length > 1) {
        throw new HubError('GgufChoice', `${where} has no safetensors weights and ${models.length} GGUF models: add :QUANT or ` +
          `:path.gguf to the id to pick one; ${ggufListing(models)}`, { repo: parsed.repo });
      }
      weights = { gguf: selectGguf(files, { file: models[0].files[0] }, where, parsed.repo) };
    } else {
      throw new HubError('EntryNotFound', `no safetensors weights in repo ${parsed.repo} at ${sha} ` +
        `(neither ${SINGLE_FILE} nor ${INDEX_FILE}${listedBy === 'siblings' ? '' : `, listed by ${listedBy}`})`, { repo: parsed.repo });
    }
    /** @type {Map<string, HubFileSource>} */
    const opened = new Map();
    const model = {
      /** cardData.base_model of the model card at that commit, as a list (often the parents' base) */
      baseModels: baseModelsOf(json),
      /** cardData.base_model_relation ('merge', 'finetune', 'adapter', 'quantized'), or '' (§9) */
      baseRelation: typeof json.cardData?.base_model_relation === 'string' ? json.cardData.base_model_relation : '',
      gated: json.gated ?? false,
      /** later calls for this model (/resolve/, paths-info) carry the token */
      needsToken,
      private: json.private === true,
      label: parsed.repo,
      repo: parsed.repo,
      revision: sha,
      requestedRevision: parsed.revision,
      endpoint: this.endpoint,
      weights,
      files,
      listedBy,
      sizes,
      /** @param {string} name */
      file: (name) => {
        let src = opened.get(name);
        if (!src) {
          src = new HubFileSource(this, model, name);
          opened.set(name, src);
        }
        return src;
      },
    };
    return model;
  }

  /**
   * Sizes of files the revision listing did not size, through paths-info (§1): one POST for all
   * unknown safetensors/index files of the model. False when the hub has no listing endpoint
   * (remembered on the model, so its other files do not ask again).
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, sizesUnlisted?: boolean}} model
   * @param {string} path
   * @param {AbortSignal} [signal]
   * @returns {Promise<boolean>}
   */
  async learnSizes(model, path, signal) {
    if (model.sizesUnlisted) return false;
    // Many shards asking at once share one POST.
    const pending = this._sizing.get(model);
    if (pending) {
      const listed = await pending.catch(() => true);
      if (model.sizes.has(path) || !listed) return listed;
    }
    const p = this._postSizes(model, path, signal);
    this._sizing.set(model, p);
    try {
      const listed = await p;
      if (!listed) model.sizesUnlisted = true;
      return listed;
    } finally { if (this._sizing.get(model) === p) this._sizing.delete(model); }
  }

  /**
   * Asks paths-info, else (a mirror without it: 404/501) the tree. Returns false when neither
   * endpoint exists, so the caller knows a missing size does not mean a missing file.
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, needsToken?: boolean}} model @param {string} path @param {AbortSignal} [signal]
   */
  async _postSizes(model, path, signal) {
    const wanted = new Set([path]);
    for (const f of model.files) if (!model.sizes.has(f) && /\.safetensors(\.index\.json)?$/.test(f)) wanted.add(f);
    let found;
    try {
      found = await pathsInfo(this, model.repo, model.revision, [...wanted], { path, signal, auth: model.needsToken });
    } catch (e) {
      if (!(e instanceof HubError && e.code === 'NotSupported')) throw e;
      try { found = await listTree(this, model.repo, model.revision, signal, undefined, model.needsToken); } catch (e2) {
        if (!(e2 instanceof HubError && e2.code === 'NotSupported')) throw e2;
        return false;
      }
    }
    for (const [f, size] of found) if (size !== undefined) model.sizes.set(f, size);
    return true;
  }
}
