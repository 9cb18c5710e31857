// Listing a repo's files when the model info cannot be trusted (spec §9): `siblings` may be
// truncated (huggingface_hub distrusts it from 1,000 files on) or empty, so the weights and their
// sizes then come from the tree API (`/tree/{sha}?recursive=true`, paginated by
// `Link: <...>; rel="next"`), or, on a mirror without it, from paths-info for the two weight entry
// points. Both are optional endpoints: a 404/501 from them falls back, it does not fail the run.

import { HubError } from './client.mjs';

/** From this many siblings on, the list may be cut (huggingface_hub's own threshold, §9). */
export const SIBLINGS_DISTRUST = 1000;
/** Tree pages followed at most (the mock's default page is 1,000 entries): a loop guard; past it the
 * listing fails, it is never cut silently. */
export const MAX_TREE_PAGES = 1000;

/**
 * Why `siblings` cannot be used as the file list, or '' when it can.
 * @param {string[]} files  the siblings' names
 * @param {(files: string[]) => boolean} hasWeights
 */
export function siblingsDoubt(files, hasWeights) {
  if (files.length === 0) return 'the model info lists no files';
  if (files.length >= SIBLINGS_DISTRUST) return `the model info lists ${files.length} files and may be cut`;
  if (!hasWeights(files)) return 'the model info lists no safetensors weights';
  return '';
}

/**
 * The `rel="next"` target of a Link header, or null.
 * @param {string | null} link
 */
export function nextLink(link) {
  for (const part of (link ?? '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(m[2])) return m[1];
  }
  return null;
}

/** @param {any} e @returns {number | undefined} */
export function entrySize(e) {
  const size = e?.lfs?.size ?? e?.size;
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

/**
 * Every file of the repo at `sha` with its size, through the tree API, all pages.
 * @param {import('./client.mjs').HubClient} client
 * @param {string} repo
 * @param {string} sha
 * @param {AbortSignal} [signal]
 * @param {number} [maxPages]
 * @param {boolean} [auth]  send the token (a gated or private model)
 * @returns {Promise<Map<string, number | undefined>>}  path -> size
 */
export async function listTree(client, repo, sha, signal, maxPages = MAX_TREE_PAGES, auth = false) {
  /** @type {Map<string, number | undefined>} */
  const files = new Map();
  let url = `${client.endpoint}/api/models/${repo}/tree/${sha}?recursive=true`;
  for (let page = 1; ; page++) {
    const { json, headers } = await client.api(url, { repo, signal, optional: true, auth });
    if (!Array.isArray(json)) throw new HubError('BadResponse', `${client.endpoint} sent a tree of ${repo} at ${sha} that is not a list`, { repo });
    for (const e of json) if (e?.type === 'file' && typeof e.path === 'string') files.set(e.path, entrySize(e));
    const next = nextLink(headers.get('link'));
    if (!next) return files;
    // Relative or absolute; on another origin (a mirror naming the Hub) the token stays behind,
    // as _authHeaders sends it to the endpoint's origin only.
    const nextUrl = new URL(next, url);
    if (!/^https?:$/.test(nextUrl.protocol)) throw new HubError('BadResponse', `the tree of ${repo} names a next page that is not http(s): ${next}`, { repo });
    if (page >= maxPages) throw new HubError('BadResponse', `the tree of ${repo} at ${sha} goes on past ${maxPages} pages`, { repo });
    url = nextUrl.href;
  }
}

/**
 * Which of `paths` exist at `sha`, with their sizes, through paths-info.
 * @param {import('./client.mjs').HubClient} client
 * @param {string} repo
 * @param {string} sha
 * @param {string[]} paths
 * @param {{path?: string, signal?: AbortSignal, auth?: boolean}} [o]
 * @returns {Promise<Map<string, number | undefined>>}
 */
export async function pathsInfo(client, repo, sha, paths, o = {}) {
  const url = `${client.endpoint}/api/models/${repo}/paths-info/${sha}`;
  const { json } = await client.api(url, { repo, path: o.path, signal: o.signal, optional: true, auth: o.auth, body: { paths, expand: false } });
  /** @type {Map<string, number | undefined>} */
  const out = new Map();
  for (const e of Array.isArray(json) ? json : []) if (e?.type !== 'directory' && typeof e?.path === 'string') out.set(e.path, entrySize(e));
  return out;
}
