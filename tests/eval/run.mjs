#!/usr/bin/env node
// The evaluation: generate the test merges (tests/gen/merges.mjs) into a temp folder, run each
// through the engine exactly as the CLI does, and compare the verdict with what the generator
// says it should be.
//
//   node tests/eval/run.mjs [--only REGEX] [--wasm BUILD_DIR] [--budget BYTES] [--json] [--write]
//
// --write regenerates EVALUATION.md (confusion table, per-case table, thresholds, margins).
// Library: evaluate({ only, wasmDir, budget, dir }) -> { results, dir } for tests/js/eval.test.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generateCases } from '../gen/merges.mjs';
import { runAnalysis } from '../../web/lib/engine.mjs';
import { openLocalModel } from '../../web/lib/node-sources.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

/** Loads the wasm module from a build folder (mergeprobe.mjs + .wasm) with the binary given. */
export async function loadWasmFrom(dir) {
  const { default: create } = await import(pathToFileURL(path.join(dir, 'mergeprobe.mjs')).href);
  return create({ wasmBinary: fs.readFileSync(path.join(dir, 'mergeprobe.wasm')) });
}

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
  return {
    kind: s.verdict,
    method: s.method,
    sentence: s.sentence,
    flags: s.flags,
    alphas: s.alphas,
    quoted: quotedAlphas(s.sentence),
    cos_fit: s.cos_fit,
    control_cos_fit: s.control ? s.control.cos_fit : null,
    density: Number.isFinite(s.density) ? s.density : null,
    slerp_t: Number.isFinite(s.slerp_t) ? s.slerp_t : null,
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
export async function evaluate({ only, wasmDir = process.env.MP_WASM_DIR, budget = 64 * 1024 * 1024, dir } = {}) {
  const out = dir || fs.mkdtempSync(path.join(os.tmpdir(), 'mergeprobe-eval-'));
  const manifest = generateCases({ out, only });
  const wasm = wasmDir ? await loadWasmFrom(wasmDir) : undefined;
  const results = [];
  for (const c of manifest.cases) {
    const got = await runCase(c, out, wasm, budget);
    const exp = c.expected;
    const ok = exp.accept.includes(got.kind);
    let alphaErr = null;
    const ea = expectedAlphas(exp);
    const ga = got.quoted || got.alphas;
    if (ea && ga && got.kind === 'linear-merge') alphaErr = Math.max(...ea.map((a, i) => Math.abs((ga[i] ?? NaN) - a)));
    results.push({ id: c.id, dtype: c.dtype, notes: c.notes, expected: exp, got, ok, alphaErr });
  }
  return { results, dir: out };
}

const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(3));
const f4 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(4));

export function confusionTable(results) {
  const kinds = ['linear-merge', 'sparse-merge', 'slerp-merge', 'passthrough', 'not-a-merge', 'inconclusive', 'incomparable'];
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
    const { results, dir } = await evaluate({ budget, wasmDir });
    fs.rmSync(dir, { recursive: true, force: true });
    const m = margins(results);
    rows.push(`| ${budget.toLocaleString('en-US')} | ${results.filter((r) => r.ok).length}/${results.length} | ${f4(m.linear_cos_min)} | ` +
      `${f4(m.linear_alpha_err_max)} | ${f4(Math.max(m.control_cos_max, m.control_model_cos_max))} | ${f4(m.null_tensor_cos_max)} |`);
  }
  return rows.join('\n');
}

function evaluationMd(results, sweep) {
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
    .replace('{{BUDGETS}}', sweep);
}

async function main(argv) {
  const arg = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const { results, dir } = await evaluate({
    only: arg('--only'), wasmDir: arg('--wasm') && path.resolve(arg('--wasm')),
    budget: arg('--budget') ? Number(arg('--budget')) : undefined,
  });
  if (argv.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    console.log(confusionTable(results));
    console.log();
    console.log(caseTable(results));
    console.log();
    console.log(JSON.stringify(margins(results), null, 1));
  }
  if (argv.includes('--write')) {
    const wasmDir = arg('--wasm') && path.resolve(arg('--wasm'));
    const sweep = await budgetSweep([300_000, 1_000_000, 64 * 1024 * 1024], wasmDir);
    fs.writeFileSync(path.join(root, 'EVALUATION.md'), evaluationMd(results, sweep));
    console.error('EVALUATION.md written');
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const bad = results.filter((r) => !r.ok);
  if (bad.length) console.error(`${bad.length} case(s) not as expected: ${bad.map((r) => r.id).join(', ')}`);
  return bad.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
}
