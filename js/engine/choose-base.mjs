// The common base for a run without --base, from what the suspect's repo claims (spec §9). A merge's
// card lists every merged model under base_model, the base included (mergekit writes them all), so
// "the one listed model that is not the parent" may well be a second parent: that is never taken.
// The base is taken from mergekit's own config (`base_model:` of mergekit_config.yml), else from a
// card that names exactly one model and does not call itself a merge; otherwise the run stops with
// a usage error naming the candidates. Whatever is chosen, the note says where it came from.

// EngineError with code 'usage', not the CLI's UsageError: js/ never imports from cli/ (the page ships
// js/ without cli/); the CLI maps code 'usage' to exit 2 all the same (cli/errors.mjs).
import { EngineError } from './run-analysis.mjs';
import { readBytes } from '../io/byte-source.mjs';

/** mergekit writes one of these next to the weights (mergekit merge.py, scripts/moe.py). */
export const MERGEKIT_CONFIGS = ['mergekit_config.yml', 'mergekit_moe_config.yml'];
/** A config larger than this is not mergekit's (a few kB): it is not read. */
const MAX_CONFIG_BYTES = 256 * 1024;
import { isRepoId } from '../io/hub/model-id.mjs';

/** A YAML scalar as written: quotes and a trailing comment taken off. @param {string} v */
function scalar(v) {
  const s = v.trim();
  const q = /^(["'])(.*)\1\s*(?:#.*)?$/.exec(s);
  if (q) return q[2];
  return s.replace(/\s+#.*$/, '').trim();
}

/**
 * The top-level `base_model:` of a mergekit config, without a YAML parser: `base_model: org/name`
 * (quoted or not, `+lora` suffix dropped), or a block whose `model:` names it. null when the key is
 * absent, empty, repeated or not a plain value.
 * @param {string} text
 * @returns {string | null}
 */
export function parseMergekitBase(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = [];
  lines.forEach((l, i) => { if (/^base_model\s*:/.test(l)) at.push(i); });
  if (at.length !== 1) return null;
  let value = scalar(lines[at[0]].replace(/^base_model\s*:/, ''));
  if (value === '') {
    // Block form: the first deeper-indented `model:` (or `path:`) line under the key.
    for (let i = at[0] + 1; i < lines.length && (/^\s/.test(lines[i]) || lines[i].trim() === ''); i++) {
      const m = /^\s+(?:-\s+)?(?:model|path)\s*:\s*(.*)$/.exec(lines[i]);
      if (m && scalar(m[1]) !== '') { value = scalar(m[1]); break; }
    }
  }
  if (value === '' || /^[[{|>&*!]/.test(value) || value === 'null' || value === '~') return null;
  return value.split('+')[0].trim() || null;
}

/**
 * The base_model of the first mergekit config in the model's file list, read through the model's
 * own byte source; null when there is none.
 * @param {import('../io/byte-source.mjs').ModelSource & {files?: string[]}} model
 * @param {{signal?: AbortSignal}} [opts]
 * @returns {Promise<{file: string, base: string | null} | null>}
 */
export async function readMergekitBase(model, opts = {}) {
  const file = MERGEKIT_CONFIGS.find((f) => model.files?.includes(f));
  if (!file) return null;
  const src = model.file(file);
  const size = await src.size(opts);
  if (size > MAX_CONFIG_BYTES) return { file, base: null };
  const text = new TextDecoder().decode(await readBytes(src, 0, size, opts));
  return { file, base: parseMergekitBase(text) };
}

/**
 * @typedef {Object} BaseEvidence
 * @property {string[]} [baseModels]  cardData.base_model of the suspect, as a list
 * @property {string} [relation]  cardData.base_model_relation ('merge', 'finetune', 'adapter', 'quantized')
 * @property {{file: string, base: string | null} | null} [mergekit]  from readMergekitBase
 */

/**
 * The base to measure from, and where it came from (for the note on stderr).
 * @param {BaseEvidence} ev
 * @param {{kind: string, repo?: string}} parent
 * @param {string} suspectRepo
 * @returns {{spec: {kind: 'hub', repo: string, revision: 'main'}, source: string}}
 */
export function chooseBase(ev, parent, suspectRepo) {
  const hub = (/** @type {string} */ repo) => ({ kind: /** @type {'hub'} */ ('hub'), repo, revision: /** @type {'main'} */ ('main') });
  const isParent = (/** @type {string} */ b) => parent.kind === 'hub' && b === parent.repo;
  const stop = (/** @type {string} */ why) => {
    throw new EngineError(`missing --base OWNER/NAME[@REV]: ${why}; give the base the deltas are measured from`, 'usage');
  };
  const mk = ev.mergekit;
  if (mk?.base) {
    if (!isRepoId(mk.base)) stop(`${suspectRepo}'s ${mk.file} names base_model ${JSON.stringify(mk.base)}, which is not a Hub repo id`);
    if (mk.base === suspectRepo || isParent(mk.base)) stop(`${suspectRepo}'s ${mk.file} names base_model ${mk.base}, which is the ${mk.base === suspectRepo ? 'suspect' : 'parent'} itself`);
    return { spec: hub(mk.base), source: `the base_model of ${suspectRepo}'s ${mk.file}` };
  }
  const named = [...new Set(ev.baseModels ?? [])].filter((b) => b !== suspectRepo);
  if (named.length === 0) stop(`${suspectRepo}'s model card names no base_model${mk ? ` and its ${mk.file} has no base_model: line` : ''}`);
  const merge = ev.relation === 'merge' || named.length > 1;
  if (!merge && !isParent(named[0])) {
    return { spec: hub(named[0]), source: `the base_model named on ${suspectRepo}'s model card` +
      (ev.relation ? ` (base_model_relation: ${ev.relation})` : '') };
  }
  if (!merge) stop(`${suspectRepo}'s model card names base_model ${named[0]}, which is the parent, not a common base`);
  // A merge's card lists every merged model, the base included: which one is the base, it does not say.
  const candidates = named.filter((b) => !isParent(b));
  stop(`${suspectRepo}'s model card lists base_model ${named.join(', ')}` +
    `${ev.relation === 'merge' ? ' (base_model_relation: merge)' : ''}, and a merge's card lists every merged model, ` +
    `so it does not say which is the base${candidates.length ? ` (candidates: ${candidates.join(', ')})` : ''}` +
    `${mk ? `; its ${mk.file} has no base_model: line` : ' and the repo has no mergekit_config.yml'}`);
  throw new Error('unreachable');
}
