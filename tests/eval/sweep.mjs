#!/usr/bin/env node
// The generalisation sweep of the mergekit set (issue 12): random mergekit configurations built
// with the same ports of mergekit's formulas as the evaluation (tools/gen/mergekit/, through
// mergekit-cases.mjs's mkCase, so the expectation is read from the same config), run through the
// same engine path (run.mjs evaluate) and judged by the same check (run.mjs parameterCheck). The
// evaluation's 110 cases are fixed points chosen while the rules were written; this draws new
// weights, densities, seeds, parent counts and precisions, to see whether the rules generalise.
// Not part of `npm test`: ~150 configurations take several minutes on two shared cores.
//
//   node tests/eval/sweep.mjs [--n 150] [--seed sweep1] [--parents K] [--only REGEX] [--wasm BUILD_DIR] [--json FILE]
//
// Draws (seeded by --seed, so a run is reproducible and its configs can be rebuilt by id):
//   method among linear, task_arithmetic, ties, dare_linear, dare_ties, della, della_linear,
//   breadcrumbs, breadcrumbs_ties, nuslerp, multislerp, karcher, model_stock, nearswap;
//   k = 1..3 parents of sst2, emotion, third (what each method admits: nuslerp 2, karcher /
//   multislerp / model_stock 2-3, nearswap 1; linear with k = 1 takes the base as a second model;
//   --parents 4 gives every method but nuslerp and nearswap four parents, the fourth synthetic);
//   weights 0.1..0.9, densities 0.2..0.8 (two decimals), nearswap t 0.001..0.008; sometimes lambda
//   (0.5..1.5), normalize false (ties, della), epsilon (della) or gamma (breadcrumbs);
//   mode f32, bf16mk (bf16 inputs, bf16 arithmetic) or bf16out (f32 arithmetic, bf16 output);
//   mask seeds `sweep:<seed>:<n>`, never the evaluation's.
// Prints one row per miss (the check that failed, the config) and a table of misses by class and
// method: kind, method, weights (> 0.02 off), density (> 0.05 off), t, flags, wrong-base alarm.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { mkCase } from '../../tools/gen/mergekit-cases.mjs';
import { rng } from '../../tools/gen/merge-ops.mjs';
import { TOLERANCE, evaluate } from './run.mjs';

const SPARSE = ['ties', 'dare_linear', 'dare_ties', 'della', 'della_linear', 'breadcrumbs', 'breadcrumbs_ties'];
export const SWEEP_METHODS = ['linear', 'task_arithmetic', ...SPARSE, 'nuslerp', 'multislerp', 'karcher', 'model_stock', 'nearswap'];
const PARENTS = ['sst2', 'emotion', 'third', 'fourth'];
const MODES = ['f32', 'bf16mk', 'bf16out'];
/** Parent counts each method takes (mergekit: nuslerp is two models; karcher / model_stock need two). */
const K = { nuslerp: [2], multislerp: [2, 3], karcher: [2, 3], model_stock: [2, 3], nearswap: [1] };

/**
 * One random configuration `n` of stream `seed`: { id, cfg, mode, seed } for mkCase. `parents`
 * (--parents) sets every draw's parent count (four takes the synthetic fourth parent), the same
 * draws otherwise; null for a method that cannot take that many (nuslerp, nearswap).
 */
export function drawConfig(seed, n, parents = null) {
  const r = rng(`sweep:${seed}:${n}`);
  const pick = (xs) => xs[Math.floor(r.uniform() * xs.length)];
  const between = (lo, hi, d = 2) => +(lo + r.uniform() * (hi - lo)).toFixed(d);
  const method = pick(SWEEP_METHODS);
  const mode = pick(MODES);
  const drawn = pick(K[method] || [1, 2, 3]);
  const k = parents ?? drawn;
  if (parents && K[method] && !K[method].includes(parents) && ['nuslerp', 'nearswap'].includes(method)) return null;
  const names = PARENTS.slice(0, k);
  const parameters = {};
  let per = names.map(() => ({}));
  if (!['karcher', 'model_stock', 'nearswap'].includes(method)) per = per.map(() => ({ weight: between(0.1, 0.9) }));
  if (SPARSE.includes(method)) per = per.map((p) => ({ ...p, density: between(0.2, 0.8) }));
  if (method === 'nearswap') parameters.t = between(0.001, 0.008, 4);
  const chance = (p) => r.uniform() < p;
  if ((method === 'task_arithmetic' || SPARSE.includes(method)) && chance(0.25)) parameters.lambda = between(0.5, 1.5);
  // (not linear: unnormalised weights that do not sum to 1 scale the base itself, C = W B + sum w_i d_i)
  if (['ties', 'della'].includes(method) && chance(0.25)) parameters.normalize = false;
  if (method.startsWith('della') && chance(0.3)) parameters.epsilon = between(0.05, 0.2);
  if (method.startsWith('breadcrumbs') && chance(0.3)) parameters.gamma = between(0.005, 0.05, 3);
  const models = names.map((model, i) => ({ model, parameters: per[i] }));
  // linear of one parent alone is a copy: mergekit's way to write C = w A + (1 - w) B names the base
  if (method === 'linear' && (k === 1 || chance(0.3))) models.push({ model: 'base', parameters: { weight: between(0.1, 0.9) } });
  const short = method.replace(/_/g, '-');
  return { id: `sweep-${seed}-${String(n).padStart(3, '0')}-${short}-${mode}-k${k}`, mode, seed: `sweep:${seed}:${n}`, cfg: { merge_method: method, ...(Object.keys(parameters).length ? { parameters } : {}), models } };
}

/** The classes a failed check falls in (a case can miss in several). */
export function missClasses(check) {
  const out = [];
  if (!check.kindOk) out.push('kind');
  else if (!check.methodOk) out.push('method');
  if (check.weightErr !== null && check.weightErr > TOLERANCE.weight) out.push('weights');
  if (check.densityErr !== null && check.densityErr > TOLERANCE.density) out.push('density');
  if (check.tErr !== null && check.tErr > TOLERANCE.t) out.push('t');
  if (!check.flagsOk) out.push('flags');
  if (!check.wrongBaseOk) out.push('wrong-base');
  return out;
}

const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const list = (v) => (Array.isArray(v) ? v.map((x) => (Number.isFinite(x) ? +x.toFixed(3) : 'null')).join(', ') : '-');
const cfgText = (c) => JSON.stringify({ p: c.parameters, m: c.models.map((m) => `${m.model}${JSON.stringify(m.parameters)}`) });

/** Rows of the misses and the table of misses by class and method. */
export function sweepReport(results) {
  const lines = [];
  const byMethod = new Map();
  for (const r of results) {
    const m = r.expected.method;
    if (!byMethod.has(m)) byMethod.set(m, { n: 0, ok: 0, classes: {} });
    const row = byMethod.get(m);
    row.n++;
    if (r.check.ok) { row.ok++; continue; }
    const cls = missClasses(r.check);
    for (const c of cls) row.classes[c] = (row.classes[c] || 0) + 1;
    lines.push(`| ${r.id} | ${cls.join(', ')} | ${r.got.kind} | ${r.got.method || '-'} | ${list(r.expected.weights)}${r.expected.weights_visible === 'ratio' ? ' (ratio)' : ''} | ` +
      `${list(r.got.quoted || r.got.alphas)} | ${f3(r.check.weightErr)} | ${list(r.expected.density)} | ${list(r.got.densities ?? (Number.isFinite(r.got.density) ? [r.got.density] : null))} | ` +
      `${f3(r.check.densityErr)} | ${f3(r.check.tErr)} | \`${cfgText(r.config)}\` |`);
  }
  const classes = ['kind', 'method', 'weights', 'density', 't', 'flags', 'wrong-base'];
  const table = ['| method | configs | right | ' + classes.join(' | ') + ' |', `|---|---:|---:|${classes.map(() => '---:').join('|')}|`];
  for (const [m, x] of [...byMethod].sort()) table.push(`| ${m} | ${x.n} | ${x.ok} | ${classes.map((c) => x.classes[c] || '.').join(' | ')} |`);
  const misses = ['| config | missed | got | method got | weights expected | weights got | w err | density expected | density got | d err | t err | config |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|', ...lines];
  return { table: table.join('\n'), misses: misses.join('\n'), right: results.filter((r) => r.check.ok).length };
}

async function main(argv) {
  const arg = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
  const n = Number(arg('--n', 150));
  const seed = arg('--seed', 'sweep1');
  const only = arg('--only') ? new RegExp(arg('--only')) : null;
  const parents = arg('--parents') ? Number(arg('--parents')) : null;
  const draws = Array.from({ length: n }, (_, i) => drawConfig(seed, i, parents)).filter((d) => d && (!only || only.test(d.id)));
  const cases = draws.map((d) => mkCase(d));
  const configs = new Map(draws.map((d) => [d.id, d.cfg]));
  const t0 = Date.now();
  const { results, dir } = await evaluate({ set: 'mergekit', cases, wasmDir: arg('--wasm') && path.resolve(arg('--wasm')) });
  fs.rmSync(dir, { recursive: true, force: true });
  for (const r of results) r.config = configs.get(r.id);
  const rep = sweepReport(results);
  console.log(`sweep ${seed}: ${rep.right} of ${results.length} configurations right (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  console.log(rep.table, '\n');
  console.log(rep.misses);
  const json = arg('--json');
  if (json) fs.writeFileSync(json, JSON.stringify(results.map((r) => ({ id: r.id, config: r.config, expected: r.expected, check: r.check, got: { kind: r.got.kind, method: r.got.method, quoted: r.got.quoted, alphas: r.got.alphas, density: r.got.density, flags: r.got.flags, sentence: r.got.sentence } })), null, 1));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
}
