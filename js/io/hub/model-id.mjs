// The one model-id parser of page, CLI and share links: owner/name, owner/name@rev, a legacy
// name without owner (gpt2), and a pasted hub URL (…/owner/name, …/tree/rev, …/blob/rev/file,
// …/resolve/rev/file). Repo ids follow huggingface_hub's validate_repo_id: letters, digits,
// - _ . (up to 96 each side), not starting or ending with - or ., no "--" or "..".

import { HubError } from './errors.mjs';

export const SHA_RE = /^[0-9a-f]{40}$/;
const REPO_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
// https://host/owner/name[/(tree|blob|resolve)/rest][/][?query][#hash]
const HUB_URL = /^https?:\/\/[^/\s]+\/((?:[^/\s?#]+\/)?[^/\s?#]+?)(?:\/(tree|blob|resolve)\/([^?#\s]+?))?\/?(?:[?#].*)?$/;

/** A repo id as typed (no revision) is well formed. @param {string} repo */
export function isRepoId(repo) {
  return REPO_ID.test(repo) && !/--|\.\./.test(repo) && !/[-.]$/.test(repo);
}

/**
 * Text -> {repo, revision, file?}. rev: a branch, a tag, refs/pr/N or a SHA (default 'main');
 * file: the path a /blob/ or /resolve/ URL names. Throws a HubError (RepoNotFound or
 * RevisionNotFound) whose message says what is wrong.
 * @param {string} id
 * @returns {{repo: string, revision: string, file?: string}}
 */
export function parseModelId(id) {
  if (typeof id !== 'string') throw new HubError('RepoNotFound', 'a model id must be a string like owner/name');
  let s = id.trim();
  /** @type {string | undefined} */
  let file;
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
  return file ? { repo, revision, file } : { repo, revision };
}
