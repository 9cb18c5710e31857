// The page's view of the structured verdict (issue 12): per-parent parameters, undefined alpha
// kept undefined with its reason, percentages never rounded to 100% or 0%.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { buildView, percent } from '../../../js/report/view.mjs';

const sample = () => JSON.parse(readFileSync(new URL('../../fixtures/report/sample-report.json', import.meta.url), 'utf8'));

test('buildView reads the structured verdict: weights and densities per parent, null as NaN', () => {
  const r = sample();
  r.verdict = { kind: 'sparse-merge', method: 'ties', params: { weights: [0.6, 0.4], density: [0.5, null], lambda: 1, t: null, gamma: null }, flags: [], caveats: [], undefined: null };
  const v = buildView(r);
  assert.deepEqual(v.verdict.params.weights, [0.6, 0.4]);
  assert.equal(v.verdict.params.density[0], 0.5);
  assert.ok(Number.isNaN(v.verdict.params.density[1]), 'null density stays undefined, not 0');
  assert.ok(Number.isNaN(v.verdict.params.t));
  assert.equal(v.verdict.undefinedReason, '');
});

test('undefined alpha stays undefined with the reason; older reports without a verdict object still read', () => {
  const r = sample();
  r.summary.alphas = [null, null];
  r.verdict = { kind: 'inconclusive', method: '', params: { weights: [], density: [] }, flags: [], caveats: [], undefined: 'A1 and A2 are the same model' };
  const v = buildView(r);
  assert.ok(v.overall.alpha.every(Number.isNaN));
  assert.equal(v.verdict.undefinedReason, 'A1 and A2 are the same model');
  const old = sample();
  delete old.verdict;
  const w = buildView(old);
  assert.deepEqual(w.verdict.params.weights, []);
  assert.equal(w.verdict.undefinedReason, '');
});

test('percent: 99.975% is not 100.0%, 0.001% is not 0.0%', () => {
  assert.equal(percent(0.99975), '99.98%');
  assert.equal(percent(0.00001), '0.001%');
  assert.equal(percent(1), '100.0%');
  assert.equal(percent(Number.NaN), 'undefined');
});
