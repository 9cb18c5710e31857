// Reports for each verdict family, for the CLI/page tests: the sample report with one family's
// structured verdict (tests/fixtures/report/verdict-families.json, written by the core for
// real-weight merges) and as many parents as that case had.
import { readFileSync } from 'node:fs';

const read = (f) => JSON.parse(readFileSync(new URL(`../fixtures/report/${f}`, import.meta.url), 'utf8'));

/** The families' trimmed reports, by name ("ties-k2", "nearswap", ...). */
export const families = read('verdict-families.json');

/** A whole report for family `name` (a fresh copy each call). */
export function reportFor(name) {
  const r = read('sample-report.json');
  const f = structuredClone(families[name]);
  const p0 = r.models.parents[0];
  r.models.parents = Array.from({ length: f.parents }, (_, i) => ({ ...p0, repo: `org/parent-${i + 1}`, label: `org/parent-${i + 1}` }));
  Object.assign(r.summary, f.summary);
  r.verdict = f.verdict;
  return r;
}
