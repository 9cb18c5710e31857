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
  r.summary.quant_floor = { noise: 0.01, elements: 4096, cos_floor: 0.5464, alpha_se: 0.0123 };
  assert.match(formatReport(r), /quantization floor: cos_fit at most 0\.54640 after the suspect's quantization; alpha \+\/- 0\.0123 from quantization alone/);
  assert.equal(buildView(r).overall.quantFloor, 0.5464);
  const plain = sample();
  plain.summary.quant_floor = null;
  assert.doesNotMatch(formatReport(plain), /quantization floor/);
  assert.ok(Number.isNaN(buildView(plain).overall.quantFloor));
});
