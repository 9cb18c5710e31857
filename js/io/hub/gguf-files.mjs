// Which GGUF file of a repo a model id names: `owner/name:QUANT` (the ecosystem's syntax: llama.cpp
// `-hf owner/name:Q4_K_M`, Ollama `hf.co/owner/name:Q4_K_M`) or an exact path
// (`owner/name:dir/model-Q8_0.gguf`). Split files (`<stem>-00001-of-00003.gguf`, gguf-split's
// names) are one model: naming any part, or a type all parts share, selects the whole set.
// Shared by the hub client and local folders (the same files, listed from disk).

import { HubError } from './errors.mjs';

export const GGUF_FILE = /\.gguf$/i;
/** gguf-split's part names (gguf-py SHARD_NAME_FORMAT `{stem}-{k:05d}-of-{n:05d}.gguf`). */
export const GGUF_SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

// The quantization types a file name may carry (llama_ftype names, the repacked MXFP4, unsloth's
// UD- dynamic and _XL names), as the Hub labels files: the last match in the upper-cased name.
const QUANT_LABEL = new RegExp('(?<![A-Z0-9])(UD-)?(' + [
  'IQ[1-4]_(?:XXS|XS|NL|S|M)', 'IQ[1-4]', 'TQ[12]_0', 'MXFP4(?:_MOE)?',
  'Q[2-8]_K(?:_(?:XL|S|M|L))?', 'Q[4-8]_[01](?:_\\d_\\d)?', 'Q[12]_0', 'NVFP4', 'BF16', 'F16', 'F32',
].join('|') + ')(?![A-Z0-9])', 'g');

/**
 * The quantization label of a GGUF file name, upper case (`model-q4_k_m.gguf` -> `Q4_K_M`), or ''.
 * @param {string} path
 */
export function quantLabel(path) {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(GGUF_SPLIT, '$1').replace(GGUF_FILE, '').toUpperCase();
  const all = [...base.matchAll(QUANT_LABEL)];
  const last = all.at(-1);
  return last ? (last[1] ?? '') + last[2] : '';
}

/**
 * GGUF models of a file list: single files, and split sets (complete or not).
 * @param {string[]} files
 * @returns {Array<{files: string[], label: string, missing: number[]}>} files in part order
 */
export function ggufModels(files) {
  /** @type {Map<string, {files: string[], label: string, missing: number[], total: number}>} */
  const sets = new Map();
  const out = [];
  for (const f of [...files].sort()) {
    if (!GGUF_FILE.test(f)) continue;
    const m = GGUF_SPLIT.exec(f);
    if (!m) { out.push({ files: [f], label: quantLabel(f), missing: [] }); continue; }
    const key = `${m[1]}\0${m[3]}`;
    let s = sets.get(key);
    if (!s) {
      s = { files: [], label: quantLabel(f), missing: [], total: Number(m[3]) };
      sets.set(key, s);
      out.push(s);
    }
    s.files.push(f);
  }
  for (const s of sets.values()) {
    const have = new Set(s.files.map((f) => Number(GGUF_SPLIT.exec(f)[2])));
    for (let k = 1; k <= s.total; k++) if (!have.has(k)) s.missing.push(k);
    delete s.total;
  }
  return out;
}

/** "a.gguf (Q8_0), b-00001-of-00002.gguf + 1 part (Q4_0)": a listing for messages. */
export function ggufListing(models) {
  if (!models.length) return 'it has no .gguf files';
  return 'its GGUF files: ' + models.map((m) => `${m.files[0]}${m.files.length > 1 ? ` + ${m.files.length - 1} part${m.files.length > 2 ? 's' : ''}` : ''}`
    + (m.label ? ` (${m.label})` : '')).join(', ');
}

/**
 * The files of the GGUF model `want` names among `files`, in part order. Throws a HubError
 * (code GgufChoice) naming the repo's GGUF files when none or several match.
 * @param {string[]} files
 * @param {{file?: string, quant?: string}} want
 * @param {string} where  e.g. "owner/name at <sha>", for messages
 * @param {string} [repo]
 */
export function selectGguf(files, want, where, repo = '') {
  const models = ggufModels(files);
  const fail = (msg) => new HubError('GgufChoice', `${msg}; ${ggufListing(models)}`, { repo });
  let hits;
  if (want.file) {
    hits = models.filter((m) => m.files.includes(want.file));
    if (!hits.length) throw fail(`${where} has no file ${want.file}`);
  } else if (want.quant) {
    const q = want.quant.toUpperCase();
    hits = models.filter((m) => m.label === q);
    if (!hits.length) throw fail(`${where} has no GGUF file of type ${want.quant}`);
    if (hits.length > 1) throw fail(`${where} has ${hits.length} GGUF models of type ${want.quant}: name one by its path (owner/name:path.gguf)`);
  } else {
    throw new HubError('GgufChoice', `${where}: name a GGUF file or type`, { repo });
  }
  const [m] = hits;
  if (m.missing.length) throw fail(`${where}: ${m.files[0]} is one part of a split GGUF whose part${m.missing.length > 1 ? 's' : ''} ${m.missing.join(', ')} ${m.missing.length > 1 ? 'are' : 'is'} missing`);
  return m.files;
}
