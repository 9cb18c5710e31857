// docs/report-schema.json and its validator (tools/report-schema.mjs): the hand-written sample
// report passes, and each kind of mistake is caught, so a passing report really means something.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { checkReportConsistency, undocumentedFields, validateAgainstSchema, validateReport } from '../../../tools/report-schema.mjs';

const root = new URL('../../../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('docs/report-schema.json', root), 'utf8'));
const sample = () => JSON.parse(readFileSync(new URL('tests/fixtures/report/sample-report.json', root), 'utf8'));

test('the schema is draft 2020-12 and documents every field it declares', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  const undocumented = [];
  const visit = (s, path) => {
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      if (!sub.description && !sub.$ref) undocumented.push(`${path}.${name}`);
      visit(sub, `${path}.${name}`);
      if (sub.items) visit(sub.items, `${path}.${name}[]`);
    }
  };
  visit(schema, '$');
  for (const [name, def] of Object.entries(schema.$defs)) visit(def, `$defs.${name}`);
  // Nested statistics inside $defs may rely on the def's own description; top-level fields may not.
  assert.deepEqual(undocumented.filter((p) => !p.includes('$defs') && !/\.(control|plane)\./.test(p)), []);
  for (const f of ['schema', 'models', 'plan', 'fetch', 'summary', 'components', 'layers', 'tensors', 'share_url']) {
    assert.ok(schema.required.includes(f), f);
  }
});

test('the sample report is valid', () => {
  assert.deepEqual(validateReport(sample(), schema), []);
});

test('missing required fields are reported with their path', () => {
  const r = sample();
  delete r.models.base;
  delete r.summary.verdict;
  delete r.tensors[0].cos_fit;
  delete r.fetch.resolve_calls;
  const errs = validateAgainstSchema(r, schema);
  assert.ok(errs.includes('$.models: missing required field "base"'), errs.join('\n'));
  assert.ok(errs.includes('$.summary: missing required field "verdict"'));
  assert.ok(errs.includes('$.tensors[0]: missing required field "cos_fit"'));
  assert.ok(errs.includes('$.fetch: missing required field "resolve_calls"'));
  assert.equal(errs.length, 4);
});

test('wrong types, enums, patterns, bounds and the schema name are caught', () => {
  const cases = [
    [(r) => { r.schema = 'mergeprobe.report/2'; }, /\$\.schema: expected "mergeprobe.report\/1"/],
    [(r) => { r.summary.verdict = 'probably'; }, /\$\.summary\.verdict: "probably" is not one of/],
    [(r) => { r.models.suspect.revision = 'main'; }, /revision: "main" does not match/],
    [(r) => { r.plan.seed = -1; }, /\$\.plan\.seed: -1 < minimum 0/],
    [(r) => { r.plan.tensors = 2.5; }, /\$\.plan\.tensors: expected integer, got number/],
    [(r) => { r.summary.cos_fit = '0.99'; }, /\$\.summary\.cos_fit: expected number or null, got string/],
    [(r) => { r.summary.alpha_ci95[0] = [0.5]; }, /alpha_ci95\[0\]: fewer than 2 items/],
    [(r) => { r.components[0].alphas[1] = 'x'; }, /components\[0\]\.alphas\[1\]: expected number or null/],
    [(r) => { r.models.parents = []; }, /parents: fewer than 1 items/],
    [(r) => { r.models.parents[0].files = []; }, /files: fewer than 1 items/],
    [(r) => { r.layers = {}; }, /\$\.layers: expected array, got object/],
    [(r) => { r.share_url = 3; }, /share_url: expected string or null/],
  ];
  for (const [mutate, re] of cases) {
    const r = sample();
    mutate(r);
    const errs = validateReport(r, schema);
    assert.ok(errs.some((e) => re.test(e)), `${re}: ${errs.join('; ')}`);
  }
});

test('extra fields are allowed everywhere (others add fields), null statistics are allowed', () => {
  const r = sample();
  r.new_top_level = { anything: true };
  r.summary.new_stat = 1;
  r.tensors[0].whatever = [1, 2];
  r.summary.alphas = [null, 0.4];
  r.summary.cos_fit = null;
  assert.deepEqual(validateReport(r, schema), []);
});

test('consistency: one alpha per parent everywhere, ordered intervals', () => {
  const r = sample();
  r.layers[2].alphas = [0.6];
  r.summary.alpha_ci95[1] = [0.41, 0.39];
  const errs = checkReportConsistency(r);
  assert.deepEqual(errs, ['$.summary.alpha_ci95[1]: low 0.41 > high 0.39', '$.layers[2].alphas: 1 values for 2 parent(s)']);
});

test('the validator refuses schema keywords it does not implement', () => {
  assert.throws(() => validateAgainstSchema({}, { type: 'object', oneOf: [] }), /keyword "oneOf"/);
  assert.throws(() => validateAgainstSchema({}, { $ref: '#/$defs/none', $defs: {} }), /\$ref/);
});

test('undocumentedFields lists fields the schema does not declare, through $ref and arrays', () => {
  assert.deepEqual(undocumentedFields(sample(), schema), []);
  const r = sample();
  r.summary.timing_ms = 5;
  r.tensors[0].new_stat = 1;
  r.models.parents[0].license = 'mit';
  r.summary.sparsity = [{ zero_share: 0.1, mystery: 2 }];
  assert.deepEqual(undocumentedFields(r, schema).sort(),
    ['$.models.parents[].license', '$.summary.sparsity[].mystery', '$.summary.timing_ms', '$.tensors[].new_stat']);
});
