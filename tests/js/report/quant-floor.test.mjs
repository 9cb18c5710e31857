// A GGUF suspect's quantization floor (the core's summary.quant_floor) in the words people read:
// the CLI's fit lines and the page's cos_fit stat; nothing when the report has none (null).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatReport } from '../../../cli/format.mjs';
import { buildView } from '../../../js/report/view.mjs';

const sample = () => JSON.parse(readFileSync(new URL('../../fixtures/report/sample-report.json', import.meta.url), 'utf8'));

test('the floor is shown from the report, and only when it has one', () => {
  const r = sample();
  r.summary.quant_floor = { noise: 0.01, elements: 4096, cos_floor: 0.5464, alpha_se: [0.0123], noise_ratio: 1.001 };
  assert.match(formatReport(r), /quantization floor: cos_fit at most 0\.54640 after the suspect's quantization; alpha \+\/- 0\.0123 from quantization alone/);
  // several parents: each its own spread, undefined where it is
  const two = sample();
  two.models.parents.push(two.models.parents[0]);
  two.summary.alphas = [0.3, 0.2];
  two.summary.alpha_ci95 = [[0.29, 0.31], [0.19, 0.21]];
  two.summary.quant_floor = { noise: 0.01, elements: 4096, cos_floor: 0.5, alpha_se: [0.0123, null], noise_ratio: 1 };
  assert.match(formatReport(two), /alpha \+\/- A1 0\.0123, A2 undefined from quantization alone/);
  assert.equal(buildView(r).overall.quantFloor, 0.5464);
  const plain = sample();
  plain.summary.quant_floor = null;
  assert.doesNotMatch(formatReport(plain), /quantization floor/);
  assert.ok(Number.isNaN(buildView(plain).overall.quantFloor));
});
