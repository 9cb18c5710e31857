// Every verdict family's parameters, as the page's card and the CLI show them (issue 12), from
// structured verdicts the core wrote for real-weight merges (tests/fixtures/report/verdict-families.json):
// the quoted values are the structured verdict's, undefined stays "undefined", and copies name
// the model or say that all the models are one.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { buildView } from '../../../js/report/view.mjs';
import { methodParams } from '../../../js/report/method-params.mjs';
import { formatReport } from '../../../cli/format.mjs';
import { families, reportFor } from '../../support/verdict-families.mjs';


const items = (name, letter = (i) => `A${i + 1}`) =>
  Object.fromEntries(methodParams(buildView(reportFor(name)), letter).map((it) => [it.id, it]));
const value = (name, id) => items(name)[id]?.value;

test('sparse merges: density and weight per parent, gamma for breadcrumbs', () => {
  assert.equal(value('ties-k2', 'density'), 'A1 0.500, A2 0.300');
  assert.equal(value('ties-k2', 'weights'), 'A1 0.600, A2 0.400');
  for (const f of ['dare-linear-k2', 'dare-ties-k2', 'della-k2', 'della-linear-k2', 'breadcrumbs-k2', 'breadcrumbs-ties-k2']) {
    const it = items(f);
    const { density, weights } = families[f].verdict.params;
    assert.equal(it.density.value, density.map((x, i) => `A${i + 1} ${x.toFixed(3)}`).join(', '), f);
    assert.equal(it.weights.value, weights.map((x, i) => `A${i + 1} ${x.toFixed(3)}`).join(', '), f);
  }
  assert.equal(value('breadcrumbs-k2', 'gamma'), '1.1%');
  assert.equal(value('ties-k2', 'gamma'), undefined);
  // DELLA's epsilon where the kept sets read it (k >= 2); DARE has none
  assert.equal(value('della-k2', 'epsilon'), '0.152');
  assert.equal(value('della-linear-k2', 'epsilon'), '0.147');
  assert.equal(value('dare-linear-k2', 'epsilon'), undefined);
});

test('model_stock t, nearswap t with the share bit-identical to A, SLERP-family weights', () => {
  assert.equal(value('model-stock-k2', 't'), '0.265');
  assert.equal(value('model-stock-k2', 'weights'), undefined, 'model_stock sets no constant weights');
  assert.equal(value('nearswap', 't'), '0.00200');
  assert.equal(value('nearswap', 'equal-a'), '31.9%');
  assert.equal(value('nearswap', 'clipped'), '68.1%');
  assert.equal(value('nuslerp', 'weights'), 'A1 0.600, A2 0.400');
  assert.equal(value('nuslerp', 't'), '0.400');
  assert.equal(value('multislerp-k3', 'weights'), 'A1 0.500, A2 0.300, A3 0.200');
  assert.equal(value('karcher-k2', 'weights'), 'A1 0.500, A2 0.500');
});

test('per-component weights are quoted per group, not as the pooled pair', () => {
  const it = items('components-k2');
  assert.equal(it['group-attention'].value, 'A1 0.800, A2 0.200');
  assert.equal(it['group-mlp'].value, 'A1 0.300, A2 0.600');
  assert.equal(it.weights, undefined);
  // a group of one layer is named by its layer
  const r = reportFor('components-k2');
  r.verdict.groups = [{ component: 'mlp', layer: 3, weights: [0.5, null], cos_fit: 0.99 }];
  const [g] = methodParams(buildView(r), (i) => `A${i + 1}`).filter((x) => x.id.startsWith('group-'));
  assert.deepEqual([g.label, g.value], ['weights, layer 3 mlp', 'A1 0.500, A2 undefined']);
});

test('a sparse merge\'s groups give each parent\'s density and weight per group', () => {
  const r = reportFor('ties-k2');
  r.verdict.groups = [
    { component: 'attention', layer: 0, weights: [0.6, 0.4], density: [0.3, 0.5], cos_fit: 0.9 },
    { component: 'attention', layer: 1, weights: [0.6, 0.4], density: [0.7, null], cos_fit: 0.9 },
  ];
  const it = Object.fromEntries(methodParams(buildView(r), (i) => `A${i + 1}`).map((x) => [x.id, x]));
  assert.deepEqual([it['group-layer-0-attention-density'].label, it['group-layer-0-attention-density'].value], ['density, layer 0 attention', 'A1 0.300, A2 0.500']);
  assert.equal(it['group-layer-1-attention-density'].value, 'A1 0.700, A2 undefined');
  assert.equal(it['group-layer-1-attention'].value, 'A1 0.600, A2 0.400');
  // the linear family's groups carry no densities: no density item
  const lin = methodParams(buildView(reportFor('components-k2')), (i) => `A${i + 1}`);
  assert.ok(!lin.some((x) => x.id.endsWith('-density')));
});

test('fine-tune and copy name the model; all-same says so; undefined is never 0', () => {
  assert.equal(value('fine-tune', 'fine-tune-of'), 'org/parent-1');
  assert.equal(value('copy', 'copies'), 'org/parent-1');
  assert.equal(value('all-same', 'copies'), 'all three are the same model');
  assert.match(items('all-same').copies.hint, /same model/);
  const text = formatReport(reportFor('same-parent-twice'));
  assert.match(text, /A1\s+undefined\s+-\n  A2\s+undefined\s+-\n  alpha undefined: A1 and A2 are the same model\n  cos_fit undefined\n/);
  assert.doesNotMatch(text, /0\.0000|\b0\.000\b/);
});

test('the CLI prints each family\'s parameters on one line, as the page words them', () => {
  const line = (name) => {
    const r = reportFor(name);
    return formatReport(r).split('\n').find((l) => l.startsWith(`  ${r.verdict.method || r.verdict.kind}: `));
  };
  assert.equal(line('ties-k2'), '  ties: density A1 0.500, A2 0.300; weights A1 0.600, A2 0.400');
  assert.equal(line('breadcrumbs-ties-k2'), '  breadcrumbs_ties: density A1 0.509, A2 0.409; weights A1 0.600, A2 0.500; gamma 1.1%');
  assert.equal(line('della-k2'), '  della: density A1 0.497, A2 0.399; weights A1 0.600, A2 0.400; epsilon 0.152');
  assert.equal(line('nearswap'), '  nearswap: t 0.00200; bit-identical to A 31.9%; clipped at t 68.1%');
  assert.equal(line('model-stock-k2'), '  model_stock: t (mean) 0.265');
  assert.equal(line('components-k2'), '  task_arithmetic: weights, attention A1 0.800, A2 0.200; weights, mlp A1 0.300, A2 0.600');
  assert.equal(line('copy'), '  copy: copy of org/parent-1');
  assert.equal(line('all-same'), '  copy: all three are the same model');
  assert.equal(line('fine-tune'), '  fine-tune: fine-tune of org/parent-1');
});

test('a wrong-base signal names the better base with its fit', () => {
  const r = reportFor('ties-k2');
  r.verdict.wrong_base = { signal: 'aligned-deltas', base: 'A1', parents: ['B', 'A2'], alphas: [0.7, 0.5], cos_fit: 0.998, parent_cos: 0.05, given_parent_cos: 0.62, kept_share: null };
  const it = Object.fromEntries(methodParams(buildView(r), (i) => `A${i + 1}`).map((x) => [x.id, x]));
  assert.equal(it['wrong-base'].value, 'A1 as the base fits with cos_fit 0.998');
  assert.match(it['wrong-base'].hint, /cosine 0\.620/);
  r.verdict.wrong_base = null;
  assert.equal(methodParams(buildView(r), (i) => `A${i + 1}`).find((x) => x.id === 'wrong-base'), undefined);
});
