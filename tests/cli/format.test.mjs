// The readable report (no --json), formatted from the hand-written sample report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { fmtBytes, fmtInt, fmtNum, formatLayerSummary, formatReport, table } from '../../cli/format.mjs';

const sample = () => JSON.parse(readFileSync(new URL('../fixtures/report/sample-report.json', import.meta.url), 'utf8'));

test('number helpers', () => {
  assert.equal(fmtNum(0.60024), '0.6002');
  assert.equal(fmtNum(null), '-');
  assert.equal(fmtNum(Number.NaN), '-');
  assert.equal(fmtNum(0.999984, 5), '0.99998');
  assert.equal(fmtBytes(512), '512 B');
  assert.equal(fmtBytes(67108864), '64.0 MiB');
  assert.equal(fmtBytes(6412800), '6.1 MiB');
  assert.equal(fmtInt(395520), '395,520');
  assert.equal(fmtInt(12), '12');
});

test('table pads columns, right-aligns numbers, trims trailing space', () => {
  assert.equal(table([['a', 'bb'], ['ccc', '1']], 'lr'), '  a    bb\n  ccc   1');
});

test('the report holds verdict, models, overall alphas, component table, layer summary, sampling, share link', () => {
  const text = formatReport(sample());
  const lines = text.split('\n');
  assert.equal(lines[0], 'Verdict: linear-merge (task_arithmetic)');
  assert.match(text, /Consistent with a linear merge: C = B \+ 0\.600 \(A1 - B\) \+ 0\.399 \(A2 - B\)/);
  assert.match(text, /suspect C\s+demo\/bert-tiny-merged @ 3f0c5a1e9b7d\n/);
  assert.match(text, /parent A1\s+demo\/bert-tiny-sst2 @ a1b2c3d4e5f6\n/);
  assert.match(text, /parent A2\s+demo\/bert-tiny-emotion \(local\)\n/);
  assert.match(text, /base B\s+demo\/bert-tiny-base @ 0123456789ab \(v1\.0\)\n/);
  assert.match(text, /A1\s+0\.6002\s+\[0\.5981, 0\.6023\]/);
  assert.match(text, /A2\s+0\.3991\s+\[0\.3968, 0\.4014\]/);
  assert.match(text, /cos_fit 0\.99998/);
  // Component table: header, then one row per component with both parents' alpha and spread.
  assert.match(text, /component\s+tensors\s+elements\s+alpha A1\s+spread\s+alpha A2\s+spread\s+cos_fit/);
  assert.match(text, /attention\s+16\s+263,168\s+0\.6003\s+0\.0011\s+0\.3990\s+0\.0012\s+1\.0000/);
  assert.match(text, /mlp\s+8\s+132,352\s+0\.6001\s+0\.0008\s+0\.3993\s+0\.0009\s+1\.0000/);
  // Layer summary: ranges across layers per component, and the worst layer.
  assert.match(text, /attention\s+0-1 \(2\)\s+0\.6002\.\.0\.6004\s+0\.3989\.\.0\.3991\s+1\.0000 \(0\)/);
  assert.match(text, /Not compared: 1 tensor\(s\)\n  bert\.pooler\.dense\.weight: missing in base/);
  assert.match(text, /Sampled: 24 tensors, 395,520 elements per model \(budget 64\.0 MiB, seed 7\)/);
  assert.match(text, /Fetched: 6\.1 MiB in 14 HTTP requests \(6 resolve calls\)/);
  assert.match(text, /Caveat: No control model was given/);
  assert.equal(lines.at(-2), `Share: ${sample().share_url}`);
  assert.ok(text.endsWith('\n'));
  assert.ok(!/\x1b/.test(text), 'no terminal escape codes in the report');
});

test('one parent, null statistics, a control and no share link', () => {
  const r = sample();
  r.models.parents = [r.models.parents[0]];
  r.models.control = { repo: 'demo/ctl', revision: 'f'.repeat(40), files: ['model.safetensors'] };
  r.summary = { alphas: [null], alpha_ci95: [[null, null]], cos_fit: null, verdict: 'inconclusive', explanation: 'Too few usable tensors.', control: { alphas: [0.12], cos_fit: 0.15 } };
  r.components = [{ name: 'norm', tensors: 2, elements: 256, alphas: [null], alpha_spread: [null], cos_fit: null }];
  r.layers = [];
  r.unmatched = [];
  r.unmatched_count = 0;
  r.share_url = null;
  r.fetch = { bytes: 5 * 1048576, requests: 0, resolve_calls: 0 };
  const text = formatReport(r);
  assert.match(text, /\nRead: 5\.0 MiB from local files \(no HTTP requests\)\n/);
  assert.match(text, /^Verdict: inconclusive\n  Too few usable tensors\.\n/);
  assert.match(text, /control\s+demo\/ctl @ ffffffffffff/);
  // undefined, not '-' or 0 (issue 12)
  assert.match(text, /A1\s+undefined\s+-/);
  assert.match(text, /alpha undefined\n/);
  assert.match(text, /cos_fit undefined\n/);
  assert.match(text, /control \(same statistics, control in C's place\): alpha A1 0\.1200, cos_fit 0\.15000/);
  assert.match(text, /norm\s+2\s+256\s+-\s+-\s+-/);
  assert.match(text, /no per-layer statistics/);
  assert.ok(!text.includes('Not compared'));
  assert.match(text, /Share: \(no link: a local model cannot be shared\)/);
  assert.ok(!text.includes('alpha A2'));
});

test('layer summary of a model with many layers stays one line per component', () => {
  const layers = [];
  for (let i = 0; i < 60; i++) {
    layers.push({ index: i, component: 'attention', alphas: [0.5 + i / 1000], cos_fit: i === 41 ? 0.7 : 0.99 });
    layers.push({ index: i, component: 'experts', alphas: [0.571], cos_fit: 0.993 });
  }
  const lines = formatLayerSummary(layers, 1).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /attention\s+0-59 \(60\)\s+0\.5000\.\.0\.5590\s+0\.7000 \(41\)/);
  assert.match(lines[2], /experts\s+0-59 \(60\)\s+0\.5710\s+0\.9930 \(0\)/);
  // Values equal at the printed precision show once.
  const close = formatLayerSummary([{ index: 0, component: 'mlp', alphas: [0.60001], cos_fit: 1 }, { index: 1, component: 'mlp', alphas: [0.59999], cos_fit: 1 }], 1);
  assert.match(close, /mlp\s+0-1 \(2\)\s+0\.6000\s+1\.0000 \(0\)/);
});

test('unmatched: the exact count even when the list is cut short', () => {
  const r = sample();
  r.unmatched = Array.from({ length: 500 }, (_, i) => ({ name: `t${i}`, model: 0, reason: 'missing in base' }));
  r.unmatched_count = 120000;
  const text = formatReport(r);
  assert.match(text, /Not compared: 120,000 tensor\(s\)\n  t0: missing in base\n/);
  assert.match(text, /\n  \.\.\. and 119,995 more \(see --json\)\n/);
});

test('undefined alpha says why; sparse merges print each parent\'s density and weight (issue 12)', () => {
  const r = sample();
  r.summary.alphas = [null, null];
  r.verdict = { kind: 'inconclusive', method: '', params: { weights: [], density: [] }, flags: [], caveats: [], undefined: 'A1 and A2 are the same model' };
  assert.match(formatReport(r), /A1\s+undefined\s+-\n  A2\s+undefined\s+-\n  alpha undefined: A1 and A2 are the same model\n/);

  const t = sample();
  t.summary.verdict = 'sparse-merge';
  t.verdict = { kind: 'sparse-merge', method: 'ties', params: { weights: [0.6, 0.4], density: [0.5, null], lambda: 1, t: null, gamma: null }, flags: [], caveats: [], undefined: null };
  assert.match(formatReport(t), /  ties: density A1 0\.500, A2 undefined; weights A1 0\.600, A2 0\.400\n/);
});

test('percent() never rounds a share to 100% or 0% that is not exactly that', async () => {
  const { percent } = await import('../../js/report/view.mjs');
  assert.equal(percent(0.99975), '99.98%');
  assert.equal(percent(0.9999999), '99.99999%');
  assert.equal(percent(1), '100.0%');
  assert.equal(percent(0), '0.0%');
  assert.equal(percent(0.00001), '0.001%');
  assert.equal(percent(0.5), '50.0%');
  assert.equal(percent(null), 'undefined');
});
