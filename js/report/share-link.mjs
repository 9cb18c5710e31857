// The share link that reproduces a run (models pinned to commit SHAs, budget, seed, method
// version, the summary to compare against; never a token), and the comparison of a rerun against
// it. No DOM, no Node: used by the page, the worker and the command line alike.

import { SHA_RE, formatModelId, parseModelId } from '../io/hub/model-id.mjs';
import { DEFAULT_ENDPOINT, DEFAULT_PAGE_URL, METHOD_VERSION } from '../engine/defaults.mjs';

/** Summary digits carried in a link: enough to show a reproduction, short enough for a URL. */
const DIGITS = 6;

/** A report's model as a pinned id; a GGUF model keeps the file it was read from. */
function modelRef(m) {
  return formatModelId({ repo: m.repo, revision: m.revision, file: m.gguf_file });
}

/**
 * A link that reruns exactly this report's plan: pinned SHAs, endpoint (when not the default),
 * budget, seed, method version, and the summary to compare against. Never the token. Null when a
 * model is a local file (nobody else can read it).
 */
export function buildShareUrl(pageUrl, report) {
  const { models } = report;
  const all = [models.suspect, ...models.parents, models.base, ...(models.control ? [models.control] : [])];
  if (all.some((m) => !SHA_RE.test(m.revision ?? ''))) return null;
  const q = new URLSearchParams();
  q.set('s', modelRef(models.suspect));
  for (const p of models.parents) q.append('p', modelRef(p));
  q.set('b', modelRef(models.base));
  if (models.control) q.set('c', modelRef(models.control));
  if (report.endpoint && report.endpoint !== DEFAULT_ENDPOINT) q.set('e', report.endpoint);
  q.set('budget', String(report.plan.budget_bytes));
  q.set('seed', String(report.plan.seed));
  q.set('v', String(METHOD_VERSION));
  const s = report.summary;
  if (s) {
    const alphas = s.alphas.map((a) => (a == null ? '' : a.toFixed(DIGITS))).join(',');
    const cos = s.cos_fit == null ? '' : s.cos_fit.toFixed(DIGITS);
    q.set('x', `${alphas};${cos};${s.verdict}`);
  }
  return `${pageUrl ?? DEFAULT_PAGE_URL}#${q.toString()}`;
}

function parseRef(text, what) {
  try {
    const { repo, revision, file, quant } = parseModelId(text);
    return { repo, revision, ...(file ? { file } : {}), ...(quant ? { quant } : {}) };
  } catch {
    throw new Error(`the link's ${what} "${text}" is not owner/name[@revision]`);
  }
}

/**
 * Reads a share link's parameters (the part after '#', or a URLSearchParams).
 * @returns {{suspect, parents, base, control, endpoint, budget, seed, version, expected}|null}
 * null when the fragment holds no run; throws with a readable message when it is malformed.
 */
export function decodeShareParams(params) {
  const q = typeof params === 'string' ? new URLSearchParams(params.replace(/^#/, '')) : params;
  if (!q.has('s')) return null;
  const parents = q.getAll('p');
  if (!q.has('b') || parents.length === 0) throw new Error('the link is incomplete: it needs a suspect, a parent and a base');
  const num = (name, fallback) => {
    if (!q.has(name)) return fallback;
    const v = Number(q.get(name));
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`the link's ${name} "${q.get(name)}" is not a whole number`);
    return v;
  };
  let expected = null;
  if (q.has('x')) {
    const [alphas, cos, verdict] = q.get('x').split(';');
    expected = {
      alphas: alphas.split(',').map((a) => (a === '' ? null : Number(a))),
      cos_fit: cos === '' ? null : Number(cos),
      verdict: verdict ?? null,
    };
  }
  return {
    suspect: parseRef(q.get('s'), 'suspect'),
    parents: parents.map((p) => parseRef(p, 'parent')),
    base: parseRef(q.get('b'), 'base'),
    control: q.has('c') ? parseRef(q.get('c'), 'control') : null,
    endpoint: q.get('e') ?? DEFAULT_ENDPOINT,
    budget: num('budget', undefined),
    seed: num('seed', 0),
    version: num('v', METHOD_VERSION),
    expected,
  };
}

/** The inverse for the page's "Copy link" before a run finished: only the run spec. */
export function encodeShareParams(spec) {
  const q = new URLSearchParams();
  const ref = (m) => formatModelId(m);
  q.set('s', ref(spec.suspect));
  for (const p of spec.parents) q.append('p', ref(p));
  q.set('b', ref(spec.base));
  if (spec.control) q.set('c', ref(spec.control));
  if (spec.endpoint && spec.endpoint !== DEFAULT_ENDPOINT) q.set('e', spec.endpoint);
  if (spec.budget != null) q.set('budget', String(spec.budget));
  q.set('seed', String(spec.seed ?? 0));
  q.set('v', String(METHOD_VERSION));
  return q.toString();
}

/**
 * Did this report reproduce what the link carried? Numbers are compared at the link's precision.
 * @returns {{reproduced: boolean, differences: string[], versionMismatch: boolean}}
 */
export function compareWithExpected(expected, report, linkVersion = METHOD_VERSION) {
  const differences = [];
  const s = report.summary;
  const round = (v) => (v == null ? null : Number(v.toFixed(DIGITS)));
  expected.alphas.forEach((a, i) => {
    if (round(s.alphas[i]) !== a) differences.push(`alpha ${i + 1}: link ${a}, this run ${round(s.alphas[i])}`);
  });
  if (round(s.cos_fit) !== expected.cos_fit) differences.push(`cos_fit: link ${expected.cos_fit}, this run ${round(s.cos_fit)}`);
  if (expected.verdict && expected.verdict !== s.verdict) differences.push(`verdict: link ${expected.verdict}, this run ${s.verdict}`);
  return { reproduced: differences.length === 0, differences, versionMismatch: linkVersion !== METHOD_VERSION };
}
