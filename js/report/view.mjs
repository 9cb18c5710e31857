// One place that reads a mergeprobe.report/1 object for the page: every other UI module takes the
// flat "view" built here, so a change in the report's field names is fixed in this file only.
// The report comes from a worker that read it from a hub; treat every field as untrusted (strings
// are only ever shown through text nodes; numbers are checked with Number.isFinite).
import { percent } from './percent.mjs';

// The percentage rule lives in percent.mjs; re-exported for the modules that read the view.
export { percent };

/** First defined value among property paths ("a.b.c"). */
export function pick(obj, ...paths) {
  for (const p of paths) {
    let v = obj;
    for (const key of p.split('.')) { v = v == null ? undefined : v[key]; }
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

const arr = (v) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const numOrNaN = (v) => (typeof v === 'number' ? v : NaN);

const nums = (v) => arr(v).map(numOrNaN);

/** Role label for a model entry: suspect, parent i, base, control. */
function roleOf(m, i, k) {
  if (typeof m.role === 'string') return m.role;
  if (i === 0) return 'suspect';
  if (i <= k) return k > 1 ? `parent ${i}` : 'parent';
  if (i === k + 1) return 'base';
  return 'control';
}

/** Link to a pinned commit on the hub the run used (only http(s) endpoints). */
export function commitUrl(endpoint, repo, sha) {
  if (!repo || !/^[0-9a-f]{40}$/i.test(sha ?? '')) return null;
  try {
    const u = new URL(`${encodeURI(repo)}/tree/${sha}`, endpoint.endsWith('/') ? endpoint : endpoint + '/');
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch { return null; }
}

/** Models in role order with their role names: suspect, parent(s), base, control. */
function modelList(models) {
  if (Array.isArray(models)) return models;
  if (!models) return [];
  const parents = arr(models.parents);
  const k = parents.length;
  return [
    { ...models.suspect, role: 'suspect' },
    ...parents.map((p, i) => ({ ...p, role: k > 1 ? `parent ${i + 1}` : 'parent' })),
    { ...models.base, role: 'base' },
    ...(models.control ? [{ ...models.control, role: 'control' }] : []),
  ];
}

/** The named method's parameters from report.verdict.params; null entries stay NaN (undefined). */
function structuredParams(verdict) {
  const p = verdict && typeof verdict === 'object' && verdict.params && typeof verdict.params === 'object' ? verdict.params : {};
  return {
    weights: nums(p.weights),
    density: nums(p.density),
    lambda: numOrNaN(p.lambda),
    t: numOrNaN(p.t),
    gamma: numOrNaN(p.gamma),
    epsilon: numOrNaN(p.epsilon),
  };
}

export function buildView(report) {
  const summary = report.summary ?? {};
  const models = modelList(report.models);
  const k = arr(report.models?.parents).length || Math.max(1, arr(summary.alphas).length);
  const endpoint = typeof report.endpoint === 'string' && report.endpoint ? report.endpoint : 'https://huggingface.co';
  const control = summary.control && typeof summary.control === 'object' ? summary.control : null;

  const view = {
    k,
    endpoint,
    methodVersion: String(report.method_version ?? ''),
    models: models.map((m, i) => ({
      role: roleOf(m, i, k),
      label: String(pick(m, 'label', 'repo') ?? `model ${i}`),
      repo: typeof m.repo === 'string' && m.revision !== 'local' ? m.repo : null,
      revision: String(m.revision ?? ''),
      requested: String(pick(m, 'requested_revision') ?? ''),
      url: m.revision === 'local' ? null : commitUrl(endpoint, m.repo, m.revision),
      // A GGUF model: the file it was read from (and how many parts a split one has).
      gguf: m.format === 'gguf' ? { file: String(m.gguf_file ?? arr(m.files)[0] ?? ''), parts: arr(m.files).length } : null,
    })),
    verdict: {
      kind: String(summary.verdict ?? 'inconclusive'),
      method: String(summary.method ?? ''),
      sentence: String(summary.sentence ?? 'No verdict.'),
      explanation: String(summary.explanation ?? ''),
      caveats: arr(summary.caveats).map(String),
      // the same caveats with their codes (report.verdict.caveats), to tell an expected gap apart
      caveatList: caveatsWithCodes(report),
      flags: arr(summary.flags).map(String),
      // the structured verdict (report.verdict): the named method's parameters, per parent
      params: structuredParams(report.verdict),
      // why alpha is undefined (a parent equal to the base, ...), or '' when it is defined
      undefinedReason: typeof report.verdict?.undefined === 'string' ? report.verdict.undefined : '',
      // the parent the verdict names (0-based: the one C copies or fine-tunes), -1 when none
      parent: Number.isInteger(report.verdict?.parent) && report.verdict.parent >= 1 ? report.verdict.parent - 1 : -1,
      // per-group parameters when the groups' differ (per component or per layer): weights, a
      // sparse merge's densities (empty for the other families), or SLERP t (NaN for weight groups)
      groups: arr(report.verdict?.groups).map((g) => ({
        component: String(g?.component ?? ''),
        layer: Number.isInteger(g?.layer) ? g.layer : -1,
        weights: nums(g?.weights),
        density: nums(g?.density),
        cosFit: numOrNaN(g?.cos_fit),
        t: numOrNaN(g?.t),
      })),
      // the wrong-base signal: the role assignment that explains the models better (base: "A1"..,
      // or '' when none does), or null
      wrongBase: report.verdict?.wrong_base && typeof report.verdict.wrong_base === 'object' ? {
        signal: String(report.verdict.wrong_base.signal ?? ''),
        base: typeof report.verdict.wrong_base.base === 'string' ? report.verdict.wrong_base.base : '',
        alphas: nums(report.verdict.wrong_base.alphas),
        cosFit: numOrNaN(report.verdict.wrong_base.cos_fit),
        givenParentCos: numOrNaN(report.verdict.wrong_base.given_parent_cos),
      } : null,
      // the method tests' measurements the parameters quote (nearswap's shares, of the changed
      // elements whose rounding can tell: `informative` of them)
      tests: {
        informative: numOrNaN(report.verdict?.tests?.nearswap_informative),
        equalA: numOrNaN(report.verdict?.tests?.nearswap_equal_share),
        clipped: numOrNaN(report.verdict?.tests?.clipped_share),
      },
    },
    overall: {
      alpha: nums(summary.alphas),
      alphaSpread: nums(summary.alpha_spread),
      alphaCi: arr(summary.alpha_ci95).map((c) => nums(c)),
      cosFit: numOrNaN(summary.cos_fit),
      r2: numOrNaN(summary.r2),
      roundingFloor: numOrNaN(summary.rounding_floor),
      // A GGUF suspect's quantization floor (the core's quant_floor): the best cos_fit after it.
      quantFloor: numOrNaN(summary.quant_floor?.cos_floor),
      tensors: numOrNaN(summary.tensors),
      usable: numOrNaN(summary.usable_tensors),
      elements: numOrNaN(summary.elements),
      outliers: numOrNaN(summary.outliers),
      bitExact: summary.bit_exact && typeof summary.bit_exact === 'object' ? {
        applicable: !!summary.bit_exact.applicable,
        fp32: numOrNaN(summary.bit_exact.fp32_order),
        bf16: numOrNaN(summary.bit_exact.bf16_order),
      } : null,
      control: control ? { alpha: nums(control.alphas), cosFit: numOrNaN(control.cos_fit) } : null,
    },
    components: arr(report.components).map((c) => groupRow(c)),
    layers: arr(report.layers).map((c) => groupRow(c)),
    tensors: arr(report.tensors).map((t) => ({
      name: String(t.name ?? ''),
      component: String(t.component ?? ''),
      layer: typeof t.layer === 'number' ? t.layer : -1,
      shape: String(t.shape ?? ''),
      dtype: arr(t.dtypes).map(String).join('/'),
      elements: numOrNaN(t.elements),
      alpha: nums(t.alphas),
      alphaSe: nums(t.alpha_se),
      cosFit: numOrNaN(t.cos_fit),
      controlCosFit: numOrNaN(t.control?.cos_fit),
      outlier: !!t.outlier,
      note: tensorNote(t),
      // Left out of the group statistics by the engine: drawn apart, never as if they counted.
      roundingDominated: !!t.rounding_dominated,
      degenerate: !!t.degenerate,
      controlAlpha: nums(t.control?.alphas),
      dtypes: arr(t.dtypes).map(String),
    })),
    unmatched: arr(report.unmatched).map((u) => ({
      name: String(u.name ?? ''), model: u.model, reason: String(u.reason ?? ''),
    })),
    unmatchedCount: numOrNaN(report.unmatched_count),
    // every unmatched tensor is a task head (classifier, pooler): a gap by design, or null
    taskHeads: taskHeadGap(report),
    fetch: {
      bytes: numOrNaN(report.fetch?.bytes),
      requests: numOrNaN(report.fetch?.requests),
      budget: numOrNaN(report.plan?.budget_bytes),
    },
    plan: {
      bytes: numOrNaN(report.plan?.bytes),
      tensors: numOrNaN(report.plan?.tensors),
      elements: numOrNaN(report.plan?.elements),
      seed: report.plan?.seed,
    },
  };
  view.hasControl = !!control || view.models.some((m) => m.role === 'control');
  return view;
}

function tensorNote(t) {
  const notes = [];
  if (t.identical_to_base) notes.push('identical to base');
  if (typeof t.identical_to_parent === 'number') notes.push(`identical to parent ${t.identical_to_parent}`);
  if (typeof t.copied_from === 'string' && t.copied_from) notes.push(`copied from ${t.copied_from}`);
  if (t.degenerate) notes.push('no change from base');
  return notes.join('; ');
}

function groupRow(c) {
  return {
    component: String(pick(c, 'name', 'component') ?? ''),
    layer: typeof c.index === 'number' ? c.index : -1,
    tensors: numOrNaN(c.tensors),
    usable: numOrNaN(c.usable_tensors),
    elements: numOrNaN(c.elements),
    // components carry a per-tensor mean (one vote each); layers only the pooled estimate
    alphaMean: nums(pick(c, 'alpha_mean', 'alphas')),
    alphaSpread: nums(c.alpha_spread),
    cosFit: numOrNaN(c.cos_fit),
    outliers: numOrNaN(c.outliers),
    controlCosFit: numOrNaN(c.control && typeof c.control === 'object' ? c.control.cos_fit : c.control_cos_fit),
  };
}


/**
 * What the sample covered: tensors sampled of those matched across the models, and the layers and
 * components they span. `share` is sampled / matched (NaN when the report does not say).
 * @returns {{ sampled: number, matched: number, share: number, layers: number, components: number }}
 */
export function coverageOf(report) {
  const sampled = numOrNaN(report?.plan?.tensors);
  const matched = numOrNaN(report?.plan?.tensors_matched);
  const tensors = arr(report?.tensors);
  const layers = new Set(tensors.map((t) => t.layer).filter((l) => typeof l === 'number' && l >= 0)).size;
  const components = new Set(tensors.map((t) => String(t.component ?? ''))).size;
  return { sampled, matched, share: matched > 0 ? sampled / matched : NaN, layers, components };
}

/**
 * Task heads: tensors a fine-tune for another task replaces by design (a classifier, a pooler, a
 * score or QA head), so they are expected to be missing or to differ, not evidence either way.
 */
const TASK_HEAD = /(^|\.)(classifier|pooler|score|qa_outputs|cls)(\.|$)/;

/**
 * The unmatched tensors when every one of them is a task head (the whole list, none cut off), else
 * null: then they are an expected gap, not something that would weaken the verdict.
 * @returns {string[] | null}
 */
export function taskHeadGap(report) {
  const list = arr(report?.unmatched).map((u) => String(u?.name ?? ''));
  const count = numOrNaN(report?.unmatched_count);
  if (!list.length || count !== list.length || !list.every((n) => TASK_HEAD.test(n))) return null;
  return list;
}

/** The verdict's caveats with their codes (report.verdict.caveats are the codes, in the same order). */
export function caveatsWithCodes(report) {
  const texts = arr(report?.summary?.caveats).map(String);
  const codes = arr(report?.verdict?.caveats).map(String);
  return texts.map((text, i) => ({ text, code: codes.length === texts.length ? codes[i] : '' }));
}
