// The CLI on issue 12's verdicts, as a user runs it on local folders (the real bin, the real core):
// each family's parameters on the text report's parameter line, from the same JSON --json prints;
// and the edges: all three models one, an all-NaN suspect, one parent twice, the control being the
// suspect (undefined is null in the JSON and "undefined" with its reason in the text, never 0).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { demoRepos, generateCases, readSafetensors, realModelsDir, writeSafetensors } from '../../tools/gen/merges.mjs';
import { validateReport } from '../../tools/report-schema.mjs';
import { ROOT, runCli } from '../support/run-cli.mjs';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/report-schema.json'), 'utf8'));
// One merge per family whose parameters the line shows differently (mergekit's formulas, real weights).
const ONLY = '^(mk-ties-f32-k2|mk-nearswap-f32-t0\\.002|mk-model-stock-f32-k2|mk-pg-ta-f32-k2-components|mk-pg-ties-f32-k1-density-layers|mk-copy-f32-sst2|mk-finetune-f32-sst2-f0\\.1)$';

let dir;
let manifest;
let layers;  // the core set's per-layer linear merge (a weight list over layers: 0.2 then 0.8)
let real;
let merge;
const byId = (id) => manifest.cases.find((c) => c.id === id);
const local = (p) => (path.isAbsolute(p) ? p : path.join(dir, p));

/** Text and --json runs of `verify` with these roles: { text, report }. */
async function verify({ suspect, parents, base, control }, { cwd } = {}) {
  const args = ['verify', '--suspect', suspect, ...parents.flatMap((p) => ['--parent', p]), '--base', base,
    ...(control ? ['--control', control] : [])];
  const [t, j] = await Promise.all([runCli(args, { cwd }), runCli([...args, '--json'], { cwd })]);
  assert.equal(t.code, 0, t.stderr);
  assert.equal(j.code, 0, j.stderr);
  const report = JSON.parse(j.stdout);
  assert.deepEqual(validateReport(report, schema), []);
  return { text: t.stdout, report };
}

/** The text report's parameter line ("  <method>: ..."), or undefined. */
const paramLine = ({ text, report }) => text.split('\n').find((l) => l.startsWith(`  ${report.verdict.method || report.verdict.kind}: `));

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergeprobe-verdicts-'));
  manifest = generateCases({ out: dir, only: ONLY, set: 'mergekit' });
  layers = generateCases({ out: path.join(dir, 'core'), only: '^linear-f32-sst2-layers-0\\.2-0\\.8$' }).cases[0];
  const r = realModelsDir();
  real = { base: path.join(r, 'bert-tiny-fhe-v0-weights'), sst2: path.join(r, 'bert-tiny-sst2-fhe'), emotion: path.join(r, 'bert-tiny-emotion-fhe') };
  merge = demoRepos({ dir: path.join(dir, 'demo') }).find((x) => x.repo === 'demo/bert-tiny-merge-0.571').folder;
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

describe('each family prints its parameters from the structured verdict', { concurrency: 2 }, () => {
  const roles = (id) => { const c = byId(id); return { suspect: local(c.roles.suspect), parents: c.roles.parents.map(local), base: local(c.roles.base) }; };
  const per = (xs) => xs.map((x, i) => `A${i + 1} ${x.toFixed(3)}`).join(', ');

  test('TIES with two parents: density and weight per parent', async () => {
    const r = await verify(roles('mk-ties-f32-k2'));
    const { density, weights } = r.report.verdict.params;
    assert.equal(paramLine(r), `  ties: density ${per(density)}; weights ${per(weights)}`);
    assert.match(paramLine(r), /density A1 0\.50\d, A2 0\.30\d; weights A1 0\.[56]\d\d, A2 0\.[34]\d\d/);
  });

  test('nearswap: t and the share of changed elements bit-identical to A', async () => {
    const r = await verify(roles('mk-nearswap-f32-t0.002'));
    assert.equal(r.report.summary.verdict, 'nearswap-merge');
    assert.match(paramLine(r), /^  nearswap: t 0\.00200; bit-identical to A \d+\.\d%; clipped at t \d+\.\d%$/);
  });

  test('model_stock: its mean t, not the pooled alphas', async () => {
    const r = await verify(roles('mk-model-stock-f32-k2'));
    assert.equal(r.report.verdict.method, 'model_stock');
    assert.ok(r.report.verdict.params.t > 0 && r.report.verdict.params.t < 1, `t ${r.report.verdict.params.t}`);
    assert.equal(paramLine(r), `  model_stock: t (mean) ${r.report.verdict.params.t.toFixed(3)}`);
  });

  test('per-component weights of two parents: one entry per group', async () => {
    const r = await verify(roles('mk-pg-ta-f32-k2-components'));
    const g = r.report.verdict.groups;
    assert.deepEqual(g.map((x) => x.component), ['attention', 'mlp']);
    assert.equal(paramLine(r), `  ${r.report.verdict.method}: ${g.map((x) => `weights, ${x.component} ${per(x.weights)}`).join('; ')}`);
    assert.match(paramLine(r), /attention A1 0\.80\d, A2 0\.[12]\d\d; weights, mlp A1 0\.[23]\d\d, A2 0\.[56]\d\d/);
  });

  test('a sparse merge\'s per-layer densities: density and weight per (layer, component) group', async () => {
    const r = await verify(roles('mk-pg-ties-f32-k1-density-layers'));
    const g = r.report.verdict.groups;
    assert.ok(r.report.verdict.flags.includes('per-group-densities'));
    assert.deepEqual(g.map((x) => `${x.layer} ${x.component}`), ['0 attention', '1 attention', '0 mlp', '1 mlp']);
    // mergekit's density list [0.3, 0.7] over the two layers, weight 1 in both
    assert.deepEqual(g.map((x) => +x.density[0].toFixed(2)), [0.3, 0.7, 0.3, 0.7]);
    assert.match(paramLine(r), /density, layer 0 attention 0\.30\d; weights, layer 0 attention 1\.000; density, layer 1 attention 0\.70\d/);
    assert.match(r.text, /density by group: layer 0 attention 0\.3/);
  });

  test('per-layer weights: one entry per (layer, component) group', async () => {
    const c = layers;
    const at = (p) => (path.isAbsolute(p) ? p : path.join(dir, 'core', p));
    const r = await verify({ suspect: at(c.roles.suspect), parents: c.roles.parents.map(at), base: at(c.roles.base) });
    assert.ok(r.report.verdict.groups.every((g) => Number.isInteger(g.layer)), JSON.stringify(r.report.verdict.groups));
    assert.match(paramLine(r), /^  linear: weights, layer 0 attention 0\.200; weights, layer 1 attention 0\.800; weights, layer 0 mlp 0\.200; weights, layer 1 mlp 0\.800/);
  });

  test('a fine-tune names its parent, without the "re-saved, not a blend" caveat of a copy', async () => {
    const r = await verify(roles('mk-finetune-f32-sst2-f0.1'));
    assert.equal(r.report.summary.verdict, 'fine-tune');
    assert.equal(paramLine(r), `  fine-tune: fine-tune of ${r.report.models.parents[0].label}`);
    assert.match(paramLine(r), /sst2/);
    assert.ok(!r.report.verdict.caveats.includes('alpha-near-1'));
    assert.doesNotMatch(r.text, /essentially A/);
  });

  test('a copy names the model it copies', async () => {
    const r = await verify(roles('mk-copy-f32-sst2'));
    assert.equal(r.report.summary.verdict, 'copy');
    assert.equal(paramLine(r), `  copy: copy of ${r.report.models.parents[0].label}`);
    assert.match(paramLine(r), /sst2/);
  });

  test('a copy of a local model names it by the path as typed, distinct where two share a basename', async () => {
    // the suspect (a copy of sst2) and its parent are both folders named `model`, given relative to the cwd
    const c = byId('mk-copy-f32-sst2');
    const work = path.join(dir, 'typed');
    for (const [sub, src] of [['one', local(c.roles.suspect)], ['two', local(c.roles.parents[0])]]) {
      fs.mkdirSync(path.join(work, sub, 'model'), { recursive: true });
      for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(work, sub, 'model', f));
    }
    const r = await verify({ suspect: 'one/model', parents: ['./two/model'], base: local(c.roles.base) }, { cwd: work });
    assert.equal(r.report.summary.verdict, 'copy');
    assert.equal(paramLine(r), '  copy: copy of ./two/model');
    assert.equal(r.report.models.suspect.label, 'one/model');
    assert.equal(r.report.models.parents[0].label, './two/model');
  });
});

describe('undefined numbers and the control', { concurrency: 2 }, () => {
  test('suspect = parent = base: "all three are the same model", not a passthrough; null, never 0', async () => {
    const r = await verify({ suspect: real.base, parents: [real.base], base: real.base });
    assert.equal(r.report.summary.verdict, 'copy');
    assert.deepEqual(r.report.summary.alphas, [null]);
    assert.equal(r.report.summary.cos_fit, null);
    assert.equal(paramLine(r), '  copy: all three are the same model');
    assert.doesNotMatch(r.text, /passthrough/i);
    assert.match(r.text, /\n  A1\s+undefined\s+-\n  alpha undefined: C, the parent and the base are the same model\n  cos_fit undefined\n/);
  });

  test('an all-NaN suspect: alpha undefined because nothing finite was compared', async () => {
    const nan = path.join(dir, 'all-nan');
    fs.mkdirSync(nan, { recursive: true });
    const { tensors } = readSafetensors(path.join(real.sst2, 'model.safetensors'));
    writeSafetensors(path.join(nan, 'model.safetensors'),
      new Map([...tensors].map(([n, t]) => [n, { shape: t.shape, data: new Float32Array(t.data.length).fill(NaN) }])), 'F32');
    const r = await verify({ suspect: nan, parents: [real.sst2], base: real.base });
    assert.equal(r.report.summary.verdict, 'inconclusive');
    assert.deepEqual(r.report.summary.alphas, [null]);
    assert.equal(r.report.summary.cos_fit, null);
    assert.match(r.report.verdict.undefined, /finite/);
    assert.match(r.text, /alpha undefined: no sampled element is finite/);
    assert.doesNotMatch(r.text.split('\nComponents')[0], /\b0\.0000\b/);
  });

  test('one parent twice: both alphas undefined with that reason', async () => {
    const r = await verify({ suspect: merge, parents: [real.sst2, real.sst2], base: real.base });
    assert.deepEqual(r.report.summary.alphas, [null, null]);
    assert.equal(r.report.verdict.undefined, 'A1 and A2 are the same model');
    assert.match(r.text, /A1\s+undefined\s+-\n  A2\s+undefined\s+-\n  alpha undefined: A1 and A2 are the same model\n/);
  });

  test('the control is the suspect: inconclusive with that reason, not "not a merge"', async () => {
    const r = await verify({ suspect: merge, parents: [real.sst2], base: real.base, control: merge });
    assert.equal(r.report.summary.verdict, 'inconclusive');
    assert.ok(r.report.verdict.caveats.includes('control-fits'), r.report.verdict.caveats.join(','));
    assert.match(r.text, /^Verdict: inconclusive\n  Inconclusive: the control model fits as well as the suspect\n/);
  });
});
