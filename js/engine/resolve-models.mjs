// Every role of a run -> its ModelSource, the same way for the page's worker and the CLI: local
// models first (a wrong path or drop is reported before any network request), hub models together
// (a few API calls each), progress after each, and the first failure names its role.

/** @typedef {import('../io/byte-source.mjs').ModelSource} ModelSource */

/**
 * @template Input
 * @param {{suspect: Input, parents: Input[], base?: Input | null, control?: Input | null}} roles
 * @param {{
 *   isLocal: (input: Input) => boolean,
 *   open: (input: Input, role: string) => Promise<ModelSource> | ModelSource,
 *   onResolved?: (done: number, total: number, input: Input) => void,
 * }} how  `open` reads a local model or resolves a hub one; `role` is "suspect", "parent 2", ...
 * @returns {Promise<{suspect: ModelSource, parents: ModelSource[], base: ModelSource | null, control: ModelSource | null}>}
 */
export async function resolveModels(roles, how) {
  const k = roles.parents.length;
  /** @type {Array<[string, Input]>} */
  const list = [['suspect', roles.suspect], ...roles.parents.map((p, i) => /** @type {[string, Input]} */ ([k > 1 ? `parent ${i + 1}` : 'parent', p]))];
  if (roles.base) list.push(['base', roles.base]);
  if (roles.control) list.push(['control', roles.control]);
  let done = 0;
  const opened = (/** @type {Input} */ input) => { done++; how.onResolved?.(done, list.length, input); };
  const named = async (/** @type {string} */ role, /** @type {() => any} */ fn) => {
    try { return await fn(); } catch (err) {
      if (err && typeof err === 'object' && !('role' in err && /** @type {any} */ (err).role)) /** @type {any} */ (err).role = role;
      throw err;
    }
  };
  const local = [];
  for (const [role, input] of list) local.push(how.isLocal(input) ? await named(role, () => how.open(input, role)) : null);
  const sources = await Promise.all(list.map(async ([role, input], i) => {
    const src = local[i] ?? (await named(role, () => how.open(input, role)));
    opened(input);
    return src;
  }));
  return {
    suspect: sources[0],
    parents: sources.slice(1, 1 + k),
    base: roles.base ? sources[1 + k] : null,
    control: roles.control ? sources[list.length - 1] : null,
  };
}
