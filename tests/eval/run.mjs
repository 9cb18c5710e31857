#!/usr/bin/env node
// The evaluation: generate the test merges (tools/gen/merges.mjs) into a temp folder, run each
// through the engine exactly as the CLI does, and compare the verdict with what the generator
// says it should be.
//
//   node tests/eval/run.mjs [--only REGEX] [--set core|mergekit|gguf] [--wasm BUILD_DIR] [--budget BYTES] [--json] [--write]
//
// --write regenerates EVALUATION.md (confusion table, per-case table, thresholds, margins) from
// the core set; with --set gguf it rewrites only the GGUF section. The mergekit set (issue 12,
// tools/gen/mergekit-cases.mjs) is also checked for the method name and the per-parent weights
// and densities (mergekitTable). The gguf set (issue 16,
// tools/gen/gguf/cases.mjs) runs GGUF suspects against their safetensors parents (ggufTable).
// Library: evaluate({ only, set, wasmDir, budget, dir, cases }) -> { results, dir } for tests/eval/eval.test.mjs
// and tests/eval/sweep.mjs (`cases`: its own catalogue instead of the generator's).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generateCases, realModelsDir } from '../../tools/gen/merges.mjs';
import { ggufCases } from '../../tools/gen/gguf/cases.mjs';
import { createWasmFrom } from '../../js/io-node/wasm.mjs';
import { runAnalysis } from '../../js/engine/run-analysis.mjs';
import { openLocalModel } from '../../js/io-node/local-model.mjs';
import { parameterCheck } from './parameter-check.mjs';

export { TOLERANCE, parameterCheck } from './parameter-check.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');


/** The alpha(s) the verdict's sentence quotes ("C = 0.571 A + ..." or "+ 0.600 (A1 - B)"). */
export function quotedAlphas(sentence) {
  const lin = /C = (-?[\d.]+) A \+/.exec(sentence);
  if (lin) return [Number(lin[1])];
  const ta = [...sentence.matchAll(/([+-]) ([\d.]+) \(A(\d*) - B\)/g)];
  if (ta.length) return ta.map((m) => (m[1] === '-' ? -1 : 1) * Number(m[2]));
  return null;
}

function expectedAlphas(exp) {
  return exp.alpha_effective || exp.alpha || null;
}

/** Runs one manifest case; `kind` is 'incomparable' when the engine refuses the comparison. */
async function runCase(c, dir, wasm, budget) {
  const open = (p) => openLocalModel(path.resolve(dir, p));
  const [suspect, base, ...parents] = await Promise.all([open(c.roles.suspect), open(c.roles.base), ...c.roles.parents.map(open)]);
  const control = c.roles.control ? await open(c.roles.control) : null;
  const t0 = performance.now();
  let report;
  try {
    report = await runAnalysis({ suspect, parents, base, control, budget, seed: 1, wasm });
  } catch (e) {
    if (e.code === 'incomparable') return { kind: 'incomparable', method: '', sentence: e.message, ms: performance.now() - t0 };
    throw e;
  }
  const s = report.summary;
  const v = report.verdict || {};
  const params = v.params || {};
  // the structured verdict's weights and per-parent densities (null entries: undefined)
  const finite = (x) => Array.isArray(x) && x.length > 0 && x.every(Number.isFinite);
  return {
    kind: s.verdict,
    method: s.method,
    quant_floor: s.quant_floor ?? null,
    sentence: s.sentence,
    flags: s.flags,
    alphas: s.alphas,
    quoted: finite(params.weights) ? params.weights : quotedAlphas(s.sentence),
    densities: finite(params.density) ? params.density : null,
    verdict: v,
    cos_fit: s.cos_fit,
    control_cos_fit: s.control ? s.control.cos_fit : null,
    density: finite(params.density) && params.density.length > 1 ? params.density : Number.isFinite(s.density) ? s.density : null,
    ratio: s.sparsity?.[0] ? s.sparsity[0].mean_abs_d_dropped / s.sparsity[0].mean_abs_d_kept : null,
    slerp_t: Number.isFinite(s.slerp_t) ? s.slerp_t : Number.isFinite(params.t) ? params.t : null,
    zero_share: s.sparsity?.[0]?.zero_share ?? null,
    kept_alpha: s.sparsity?.[0]?.kept_alpha ?? null,
    bit_exact: s.bit_exact,
    plane: s.plane,
    plane_excess: s.plane ? s.plane.p[0] + s.plane.q - 1 : null,
    // per-tensor extremes: the null's spread is wider per tensor than pooled (bias vectors)
    tensor_cos_max: Math.max(...report.tensors.map((t) => t.cos_fit).filter(Number.isFinite)),
    control_tensor_cos_max: s.control
      ? Math.max(...report.tensors.map((t) => t.control?.cos_fit).filter(Number.isFinite)) : null,
    outliers: s.outliers,
    tensors: s.usable_tensors,
    elements: s.elements,
    ms: performance.now() - t0,
  };
}

/**
 * Generate (into `dir`, default a fresh temp folder) and run every case matching `only`.
 * Each result: { id, expected, got, ok, alphaErr } where ok = got.kind is in expected.accept.
 */
export async function evaluate({ only, set, wasmDir = process.env.MP_WASM_DIR, budget = 64 * 1024 * 1024, dir, cases } = {}) {
  const out = dir || fs.mkdtempSync(path.join(os.tmpdir(), 'mergeprobe-eval-'));
  const manifest = set === 'gguf' ? ggufCases({ out, realDir: realModelsDir(), only }) : generateCases({ out, only, set, ...(cases ? { cases } : {}) });
  const wasm = wasmDir ? await createWasmFrom(wasmDir) : undefined;
  const results = [];
  for (const c of manifest.cases) {
    const got = await runCase(c, out, wasm, budget);
    const exp = c.expected;
    const ok = exp.accept.includes(got.kind);
    let alphaErr = null;
    const ea = expectedAlphas(exp);
    const ga = got.quoted || got.alphas;
    if (ea && ga && got.kind === 'linear-merge') alphaErr = Math.max(...ea.map((a, i) => Math.abs((ga[i] ?? NaN) - a)));
    // gguf set: a merge's alpha must also come back within its quantization type's tolerance.
    const alphaOk = exp.alpha_tolerance == null || (alphaErr !== null && alphaErr <= exp.alpha_tolerance);
    // gguf set: a method the quantization hides reads linear only with the caveat saying so.
    const flagsOk = got.kind !== 'linear-merge' || (exp.flags_if_linear || []).every((f) => (got.flags || []).includes(f));
    const r = { id: c.id, set: c.set, family: c.family, holdout: c.holdout, dtype: c.dtype, notes: c.notes, expected: exp, got, ok: ok && alphaOk && flagsOk, alphaErr };
    if (c.set === 'mergekit') r.check = parameterCheck(exp, got);
    results.push(r);
  }
  return { results, dir: out };
}

/**
 * The gguf set, one row per case: the type, the verdict, alpha and its error against the expected
 * alpha (also when the verdict is not a merge: the fit may be right where the decision is not),
 * the type's tolerance, cos_fit, and the quantization floor the report gives (its cos_fit bound).
 */
export function ggufTable(results) {
  const f = (v, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const err = (r) => (r.expected.alpha && Number.isFinite(r.got.alphas?.[0]) ? Math.abs(r.got.alphas[0] - r.expected.alpha[0]) : null);
  const rows = results.map((r) => {
    const q = r.got.quant_floor;
    return `| ${r.id} | ${r.expected.quant} | ${r.expected.kind} | ${r.got.kind} | ${f(r.got.alphas?.[0])} | ` +
      `${err(r) === null ? 'n/a' : f(err(r))} | ${r.expected.alpha_tolerance ?? 'n/a'} | ${f(r.got.cos_fit, 4)} | ${f(q?.cos_floor, 4)} | ` +
      `${f(q?.noise_ratio, 3)} | ${r.ok ? 'yes' : 'no'} |`;
  });
  return ['| case | type | expected | verdict | alpha | alpha error | tolerance | cos_fit | quantization floor | residual / noise | right |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---|', ...rows].join('\n');
}

/**
 * The gguf set's margins: how far the perfect quantized copies and merges are from the noise the
 * floor predicts (residual / noise against 1 -+ kNoiseOverestimate / kNoiseUnderestimate), and how far the cases that
 * are not merges are above it.
 */
export function ggufMargins(results) {
  const th = Object.fromEntries(thresholds().map((t) => [t.name, t.value]));
  const ratio = (r) => r.got.quant_floor?.noise_ratio;
  const perfect = results.filter((r) => ['quantized-copy', 'linear-merge'].includes(r.expected.kind) && Number.isFinite(ratio(r)));
  const others = results.filter((r) => r.expected.kind === 'not-a-merge' && Number.isFinite(ratio(r)));
  const lines = ['| measure | value | threshold |', '|---|---:|---:|'];
  if (perfect.length) {
    const lo = perfect.reduce((a, b) => (ratio(b) < ratio(a) ? b : a)), hi = perfect.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
    lines.push(`| lowest residual / noise of a quantized copy or merge (${lo.id}) | ${ratio(lo).toFixed(4)} | 1 - kNoiseOverestimate = 1 - ${th.kNoiseOverestimate} |`);
    lines.push(`| highest residual / noise of a quantized copy or merge (${hi.id}) | ${ratio(hi).toFixed(4)} | 1 + kNoiseUnderestimate = 1 + ${th.kNoiseUnderestimate} |`);
  }
  for (const r of others) lines.push(`| residual / noise of ${r.id} | ${ratio(r).toFixed(1)} | above 1 + ${th.kNoiseUnderestimate} |`);
  return lines.join('\n');
}

const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(3));
const f4 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(4));

export function confusionTable(results) {
  const kinds = ['linear-merge', 'sparse-merge', 'slerp-merge', 'nearswap-merge', 'passthrough', 'copy', 'quantized-copy', 'fine-tune', 'not-a-merge', 'inconclusive', 'incomparable'];
  for (const r of results) if (!kinds.includes(r.got.kind)) kinds.push(r.got.kind);
  const rows = new Map();
  for (const r of results) {
    const key = r.expected.kind;
    if (!rows.has(key)) rows.set(key, Object.fromEntries(kinds.map((k) => [k, 0])));
    rows.get(key)[r.got.kind] = (rows.get(key)[r.got.kind] || 0) + 1;
  }
  const lines = [`| expected \\ got | ${kinds.join(' | ')} |`, `|---|${kinds.map(() => '---:').join('|')}|`];
  for (const [k, counts] of rows) lines.push(`| ${k} | ${kinds.map((g) => counts[g] || '.').join(' | ')} |`);
  return lines.join('\n');
}

export function caseTable(results) {
  const lines = [
    '| case | expected | got | method | alpha expected | alpha quoted | abs err | cos_fit | control cos_fit | density / t | ok |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|:-:|',
  ];
  for (const r of results) {
    const ea = expectedAlphas(r.expected);
    const perGroup = /per-(component|layer) weights/.test(r.got.sentence || '');
    const ga = perGroup ? null : r.got.quoted || (r.got.kind === 'linear-merge' ? r.got.alphas : null);
    lines.push(`| ${r.id} | ${r.expected.kind} | ${r.got.kind} | ${r.got.method || '-'} | ${ea ? ea.map(f4).join(', ') : '-'} | ` +
      `${ga ? ga.map(f3).join(', ') : perGroup ? 'per group' : '-'} | ${r.alphaErr === null ? '-' : f4(r.alphaErr)} | ${f4(r.got.cos_fit)} | ` +
      `${f3(r.got.control_cos_fit)} | ${f3(r.got.density ?? r.got.slerp_t)} | ${r.ok ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

const na = (x) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Number(x).toFixed(3));
const list = (v) => (Array.isArray(v) ? v.map((x) => +Number(x).toFixed(3)).join(', ') : v === null || v === undefined ? '-' : String(+Number(v).toFixed(3)));

/**
 * The per-case table of the mergekit set: kind, method, weights, densities, t, against the report.
 * "weights got" shows the pooled alphas; for per-group cases the err cells give the largest error
 * over the (layer, component) groups, then each group's, read from the structured verdict's groups.
 */
export function mergekitTable(results) {
  const lines = [
    '| case | held out | expected | got | method expected | method got | weights expected | weights got | w err | density expected | density got | d err | t err | wrong base expected | wrong base got | ok |',
    '|---|:-:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|:-:|',
  ];
  for (const r of results.filter((x) => x.check)) {
    const e = r.expected, g = r.got, c = r.check;
    const ew = e.weights ? `${list(e.weights)}${e.weights_visible === 'ratio' ? ' (ratio)' : e.weights_visible === 'none' ? ' (not visible)' : ''}`
      : e.group_weights ? 'per group' : '-';
    const ed = e.density ? list(e.density) : e.group_density ? 'per group' : '-';
    const quotedGroups = (g.verdict?.groups || []).length ? ' (pooled; per group quoted)' : '';
    lines.push(`| ${r.id} | ${r.holdout ? 'yes' : ''} | ${e.kind} | ${g.kind} | ${e.method || '-'} | ${g.method || '-'} | ${ew} | ` +
      `${list(g.quoted || g.alphas)}${e.group_weights ? quotedGroups : ''} | ${errCell(c.weightErr, c.groupWeightErrs)} | ${ed} | ` +
      `${list(g.density)}${e.group_density ? quotedGroups : ''} | ${errCell(c.densityErr, c.groupDensityErrs)} | ${na(c.tErr)} | ` +
      `${wrongBaseCell(e.wrong_base)} | ${wrongBaseCell(g.verdict?.wrong_base)} | ${c.ok ? (c.complete ? 'yes' : 'yes (partial)') : '**no**'} |`);
  }
  return lines.join('\n');
}

/** An err cell: the error, and for per-group expectations each group's ("L0.attention 0.004; ..", n/a where not quoted). */
function errCell(err, groups) {
  if (!groups) return na(err);
  const each = Object.entries(groups).map(([key, x]) => `${key} ${na(x)}`).join('; ');
  return `${na(err)} (${each})`;
}

/** "-" (none), "A1 (0.7, 0.5; cos_fit 1.000)" or "none of the given models". */
function wrongBaseCell(w) {
  if (!w) return '-';
  if (w.base === null || w.base === undefined) return 'none of the given models';
  const nums = Array.isArray(w.alphas) && w.alphas.length ? ` (${list(w.alphas)}${Number.isFinite(w.cos_fit) ? `; cos_fit ${na(w.cos_fit)}` : ''})` : '';
  return `${w.base}${nums}`;
}

/** Counts per family of the mergekit set: cases, kind right, method right, all checks right, holdouts. */
export function familySummary(results) {
  const rows = new Map();
  for (const r of results.filter((x) => x.check)) {
    const f = r.family || r.expected.method;
    if (!rows.has(f)) rows.set(f, { n: 0, kind: 0, method: 0, ok: 0, complete: 0, held: 0, heldOk: 0 });
    const x = rows.get(f);
    x.n++; x.kind += r.check.kindOk; x.method += r.check.methodOk; x.ok += r.check.ok; x.complete += r.check.ok && r.check.complete;
    if (r.holdout) { x.held++; x.heldOk += r.check.ok; }
  }
  const lines = ['| family | cases | kind right | method right | all available checks right | ... with every number given | held out right |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const [f, x] of rows) lines.push(`| ${f} | ${x.n} | ${x.kind} | ${x.method} | ${x.ok} | ${x.complete} | ${x.held ? `${x.heldOk} / ${x.held}` : '-'} |`);
  return lines.join('\n');
}

/** The constexpr thresholds of src/verdict/thresholds.h, read from the source so the doc cannot drift. */
export function thresholds() {
  const src = fs.readFileSync(path.join(root, 'src/verdict/thresholds.h'), 'utf8');
  const out = [];
  for (const m of src.matchAll(/((?:\/\/[^\n]*\n)*)constexpr (?:double|uint64_t|uint32_t) (k\w+) = ([^;]+);/g)) {
    const why = m[1].split('\n').map((l) => l.replace(/^\/\/\s?/, '').trim()).filter((l) => l && !l.startsWith('---')).join(' ');
    out.push({ name: m[2], value: m[3].trim(), why: why.replace(/\|/g, '\\|') });
  }
  return out;
}

/** Observed extremes that the thresholds sit between (the margins). */
export function margins(results) {
  const pick = (pred, f) => results.filter(pred).map(f).filter((x) => x !== null && Number.isFinite(x));
  const min = (a) => (a.length ? Math.min(...a) : NaN);
  const max = (a) => (a.length ? Math.max(...a) : NaN);
  const linear = (r) => r.expected.kind === 'linear-merge' && !!r.expected.alpha;  // per-group cases: see their rows
  return {
    linear_cos_min: min(pick(linear, (r) => r.got.cos_fit)),
    linear_alpha_err_max: max(pick((r) => r.alphaErr !== null && r.expected.method === 'linear' && !('finetune_fraction' in r.expected), (r) => r.alphaErr)),
    finetuned_alpha_err_max: max(pick((r) => r.alphaErr !== null && 'finetune_fraction' in r.expected, (r) => r.alphaErr)),
    control_cos_max: max(pick((r) => r.id.startsWith('control-'), (r) => r.got.cos_fit)),
    control_model_cos_max: max(pick((r) => r.got.control_cos_fit !== null, (r) => r.got.control_cos_fit)),
    unrelated_cos_max: max(pick((r) => r.id.startsWith('unrelated-'), (r) => r.got.cos_fit)),
    sparse_zero_share_min: min(pick((r) => r.expected.kind === 'sparse-merge', (r) => r.got.zero_share)),
    linear_zero_share_max: max(pick(linear, (r) => r.got.zero_share)),
    sparse_cos_min: min(pick((r) => r.expected.kind === 'sparse-merge', (r) => r.got.cos_fit)),
    null_tensor_cos_max: max([
      ...pick((r) => r.id.startsWith('control-'), (r) => r.got.tensor_cos_max),
      ...pick((r) => r.got.control_tensor_cos_max !== null, (r) => r.got.control_tensor_cos_max)]),
    plane_excess_abs_max_not_slerp: max(pick((r) => r.expected.method === 'linear' && r.got.kind === 'linear-merge', (r) => Math.abs(r.got.plane_excess))),
    plane_excess_wide_slerp: max(pick((r) => r.id.startsWith('slerp-wide'), (r) => r.got.plane_excess)),
  };
}

/** Accuracy and margins at smaller byte budgets (sampled rows instead of whole tensors). */
async function budgetSweep(budgets, wasmDir) {
  const rows = ['| budget (bytes, all models) | accepted | linear cos_fit min | max alpha err (linear) | control cos_fit max | null per-tensor cos_fit max |',
    '|---:|---:|---:|---:|---:|---:|'];
  for (const budget of budgets) {
    const { results, dir } = await evaluate({ budget, wasmDir, set: 'core' });
    fs.rmSync(dir, { recursive: true, force: true });
    const m = margins(results);
    rows.push(`| ${budget.toLocaleString('en-US')} | ${results.filter((r) => r.ok).length}/${results.length} | ${f4(m.linear_cos_min)} | ` +
      `${f4(m.linear_alpha_err_max)} | ${f4(Math.max(m.control_cos_max, m.control_model_cos_max))} | ${f4(m.null_tensor_cos_max)} |`);
  }
  return rows.join('\n');
}

function evaluationMd(results, sweep, mk = [], gg = []) {
  const ok = results.filter((r) => r.ok).length;
  const m = margins(results);
  const th = thresholds();
  const tmpl = fs.readFileSync(path.join(here, 'EVALUATION.template.md'), 'utf8');
  const thTable = ['| constant | value | why |', '|---|---:|---|', ...th.map((t) => `| \`${t.name}\` | ${t.value} | ${t.why} |`)].join('\n');
  const mTable = ['| observed | value |', '|---|---:|', ...Object.entries(m).map(([k, v]) => `| ${k} | ${f4(v)} |`)].join('\n');
  return tmpl
    .replace('{{SUMMARY}}', `${ok} of ${results.length} cases give an accepted verdict.`)
    .replace('{{CONFUSION}}', confusionTable(results))
    .replace('{{CASES}}', caseTable(results))
    .replace('{{THRESHOLDS}}', thTable)
    .replace('{{MARGINS}}', mTable)
    .replace('{{BUDGETS}}', sweep)
    .replace('{{MERGEKIT_SUMMARY}}', `${mk.filter((r) => r.check.ok).length} of ${mk.length} mergekit cases right ` +
      `(${mk.filter((r) => r.holdout && r.check.ok).length} of ${mk.filter((r) => r.holdout).length} held out).`)
    .replace('{{MERGEKIT_FAMILIES}}', familySummary(mk))
    .replace('{{MERGEKIT_CONFUSION}}', confusionTable(mk))
    .replace('{{MERGEKIT_CASES}}', mergekitTable(mk))
    .replace(/## The GGUF set[\s\S]*?(?=\n## |$)/, (section) => ggufSection(section, gg));
}

/** The template's GGUF section with the gguf set's results filled in. */
function ggufSection(section, gg) {
  return section
    .replace('{{GGUF_SUMMARY}}', `${gg.filter((r) => r.ok).length} of ${gg.length} GGUF cases right.`)
    .replace('{{GGUF_CONFUSION}}', confusionTable(gg))
    .replace('{{GGUF_MARGINS}}', ggufMargins(gg))
    .replace('{{GGUF_CASES}}', ggufTable(gg));
}

/**
 * `--write --set gguf`: EVALUATION.md with its GGUF section alone rendered anew from the template
 * (the other sets' sections are left as their last --write made them).
 */
function withGgufSection(current, gg) {
  const tmpl = fs.readFileSync(path.join(here, 'EVALUATION.template.md'), 'utf8');
  const find = /## The GGUF set[\s\S]*?(?=\n## |$)/;
  const section = find.exec(tmpl);
  if (!section || !find.test(current)) throw new Error('EVALUATION.md or its template has no "## The GGUF set" section');
  return current.replace(find, () => ggufSection(section[0], gg));
}

async function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const { results: all, dir } = await evaluate({
    only: arg('--only'), set: arg('--set'), wasmDir: arg('--wasm') && path.resolve(arg('--wasm')),
    budget: arg('--budget') ? Number(arg('--budget')) : undefined,
  });
  const results = all.filter((r) => r.set !== 'mergekit' && r.set !== 'gguf');
  const mk = all.filter((r) => r.set === 'mergekit');
  const gg = all.filter((r) => r.set === 'gguf');
  if (argv.includes('--json')) {
    console.log(JSON.stringify(all, null, 2));
  } else {
    if (results.length) {
      console.log(confusionTable(results));
      console.log();
      console.log(caseTable(results));
      console.log();
      console.log(JSON.stringify(margins(results), null, 1));
    }
    if (gg.length) {
      console.log(`gguf set: ${gg.filter((r) => r.ok).length} of ${gg.length} cases right`);
      console.log();
      console.log(confusionTable(gg));
      console.log();
      console.log(ggufTable(gg));
      console.log();
      console.log(ggufMargins(gg));
    }
    if (mk.length) {
      console.log();
      console.log(`mergekit set: ${mk.filter((r) => r.check.ok).length} of ${mk.length} cases right (kind, method, available numbers)`);
      console.log();
      console.log(confusionTable(mk));
      console.log();
      console.log(familySummary(mk));
      console.log();
      console.log(mergekitTable(mk));
    }
  }
  if (argv.includes('--write') && arg('--set') === 'gguf') {
    const file = path.join(root, 'EVALUATION.md');
    fs.writeFileSync(file, withGgufSection(fs.readFileSync(file, 'utf8'), gg));
    console.error('EVALUATION.md: GGUF section written');
  } else if (argv.includes('--write')) {
    const wasmDir = arg('--wasm') && path.resolve(arg('--wasm'));
    const sweep = await budgetSweep([300_000, 1_000_000, 64 * 1024 * 1024], wasmDir);
    const ggAll = gg.length ? gg : (await evaluate({ set: 'gguf', wasmDir })).results;
    fs.writeFileSync(path.join(root, 'EVALUATION.md'), evaluationMd(results, sweep, mk, ggAll));
    console.error('EVALUATION.md written');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const bad = [...results.filter((r) => !r.ok), ...gg.filter((r) => !r.ok), ...mk.filter((r) => !r.check.ok)];
  if (bad.length) console.error(`${bad.length} case(s) not as expected: ${bad.map((r) => r.id).join(', ')}`);
  return bad.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
}
