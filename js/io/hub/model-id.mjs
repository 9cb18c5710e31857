// The one model-id parser of page, CLI and share links, and its inverse formatModelId:
// owner/name, owner/name@rev, a legacy name without owner (gpt2), a pasted hub URL (…/owner/name,
// …/tree/rev, …/blob/rev/file, …/resolve/rev/file), and a GGUF file in a repo with the
// ecosystem's syntax: `owner/name[@rev]:QUANT` (llama.cpp's -hf, the repo's GGUF file of that
// type), `owner/name[@rev]:path/in/repo.gguf` (an exact file) and Ollama's `hf.co/owner/name:QUANT`.
// Neither a repo id nor a git ref can hold ':' (git check-ref-format), so the first ':' after
// the repo starts the GGUF selector. Repo ids follow huggingface_hub's validate_repo_id: letters,
// digits, - _ . (up to 96 each side), not starting or ending with - or ., no "--" or "..".

import { HubError } from './errors.mjs';

export const SHA_RE = /^[0-9a-f]{40}$/;
const REPO_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
// https://host/owner/name[/(tree|blob|resolve)/rest][/][?query][#hash]
const HUB_URL = /^https?:\/\/[^/\s]+\/((?:[^/\s?#]+\/)?[^/\s?#]+?)(?:\/(tree|blob|resolve)\/([^?#\s]+?))?\/?(?:[?#].*)?$/;
/** Ollama's and the Hub's short host prefixes of a model id, without a scheme. */
const HOST_PREFIX = /^(?:hf\.co|huggingface\.co)\//i;
/** A GGUF type tag as a selector (Q4_K_M, IQ2_XXS, UD-Q4_K_XL, F16): letters, digits, _ and -. */
const QUANT_TAG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** A repo id as typed (no revision) is well formed. @param {string} repo */
export function isRepoId(repo) {
  return REPO_ID.test(repo) && !/--|\.\./.test(repo) && !/[-.]$/.test(repo);
}

/**
 * Text -> {repo, revision, file?, quant?}. rev: a branch, a tag, refs/pr/N or a SHA (default
 * 'main'); file: the path a /blob/ or /resolve/ URL or a `:path.gguf` selector names; quant: a
 * `:QUANT` selector. Throws a HubError (RepoNotFound or RevisionNotFound) whose message says
 * what is wrong.
 * @param {string} id
 * @returns {{repo: string, revision: string, file?: string, quant?: string}}
 */
export function parseModelId(id) {
  if (typeof id !== 'string') throw new HubError('RepoNotFound', 'a model id must be a string like owner/name');
  let s = id.trim().replace(HOST_PREFIX, '');
  /** @type {string | undefined} */
  let file;
  /** @type {string | undefined} */
  let quant;
  const colon = /^https?:/i.test(s) ? -1 : s.indexOf(':');
  if (colon >= 0) {
    const sel = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (/\.gguf$/i.test(sel)) {
      if (sel.startsWith('/') || sel.split('/').some((p) => p === '' || p === '.' || p === '..') || /[\s?#\\]/.test(sel)) {
        throw new HubError('EntryNotFound', `"${sel}" is not a path in a repo (a GGUF file such as dir/model-Q4_K_M.gguf)`, { path: sel });
      }
      file = sel;
    } else if (QUANT_TAG.test(sel)) {
      quant = sel;
    } else {
      throw new HubError('EntryNotFound', `"${sel}" after ":" is neither a GGUF type (e.g. Q4_K_M) nor a .gguf path`, { path: sel });
    }
  }
  const url = HUB_URL.exec(s);
  if (url) {
    s = url[1];
    if (url[3]) {
      const rest = decodeURIComponent(url[3]);
      if (url[2] === 'tree') {
        s += `@${rest}`;  // …/tree/rev: the whole rest is the revision (refs/pr/3 has slashes)
      } else {
        // …/blob/rev/file and …/resolve/rev/file: the revision is one segment, or refs/pr/N.
        const parts = rest.split('/');
        const n = parts[0] === 'refs' ? 3 : 1;
        s += `@${parts.slice(0, n).join('/')}`;
        if (parts.length > n) file = parts.slice(n).join('/');
      }
    }
  }
  const at = s.indexOf('@');
  const repo = at < 0 ? s : s.slice(0, at);
  const revision = at < 0 ? 'main' : s.slice(at + 1);
  if (!isRepoId(repo)) {
    throw new HubError('RepoNotFound', `"${id}" is not a model id: expected owner/name or owner/name@revision`, { repo });
  }
  if (!revision || /[\s?#]/.test(revision) || revision.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new HubError('RevisionNotFound', `"${revision}" is not a valid revision (a branch, a tag, refs/pr/N or a commit SHA)`, { repo });
  }
  return { repo, revision, ...(file ? { file } : {}), ...(quant ? { quant } : {}) };
}

/**
 * The inverse of parseModelId: `owner/name[@rev][:QUANT | :path.gguf]`. `@main` is left out only
 * when `short` (text for a person); links and reports keep every revision as given.
 * @param {{repo: string, revision?: string | null, file?: string | null, quant?: string | null}} m
 * @param {{short?: boolean}} [o]
 */
export function formatModelId(m, o = {}) {
  const rev = m.revision && !(o.short && m.revision === 'main') ? `@${m.revision}` : '';
  const sel = m.file && /\.gguf$/i.test(m.file) ? `:${m.file}` : m.quant ? `:${m.quant}` : '';
  return `${m.repo}${rev}${sel}`;
}
