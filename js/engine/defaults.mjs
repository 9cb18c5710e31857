// Facts the page, the CLI and the engine share, each defined once here. The core's own numbers
// (kernel.h kMaxParents, planner.h's default budget) are checked against these by
// tests/js/engine/defaults.test.mjs, so the two sides cannot drift apart.

/** The Hub the page and the CLI talk to unless told otherwise. */
export const DEFAULT_ENDPOINT = 'https://huggingface.co';
/** Where share links point unless MERGEPROBE_PAGE_URL says otherwise: the page `npm start` serves. */
export const DEFAULT_PAGE_URL = 'http://127.0.0.1:8080/';
/** The report's schema id (docs/report-schema.json). */
export const REPORT_SCHEMA = 'mergeprobe.report/1';
/** Bumped when the same inputs may give other numbers; share links carry it. */
export const METHOD_VERSION = 1;
/** The schema id of a discovery that found no roles to verify (the lineage alone). */
export const LINEAGE_SCHEMA = 'mergeprobe.lineage/1';
/** The core accumulates at most this many parents (src/stats/kernel.h kMaxParents). */
export const MAX_PARENTS = 4;

/** Roles in the core's order: 0 suspect, 1..k parents, k+1 base, k+2 control. */
export const ROLES = /** @type {const} */ (['suspect', 'parent', 'base', 'control']);

/**
 * A role as a person reads it in messages: "suspect", "parent 2" (when there are several), "base".
 * @param {number} role  the core's role index
 * @param {number} k     number of parents
 */
export function roleLabel(role, k) {
  if (role === 0) return 'suspect';
  if (role <= k) return k === 1 ? 'parent' : `parent ${role}`;
  return role === k + 1 ? 'base' : 'control';
}

export { DEFAULT_BUDGET, MIN_BUDGET, MAX_BUDGET } from './budget.mjs';
