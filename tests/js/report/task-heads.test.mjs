// Task heads (js/report/view.mjs taskHeadGap): an unmatched list made only of classifier / pooler
// tensors is an expected gap; anything else, or a list cut short, is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caveatsWithCodes, taskHeadGap } from '../../../js/report/view.mjs';

const report = (names, count = names.length) => ({ unmatched: names.map((name) => ({ name, model: 0, reason: 'missing in base' })), unmatched_count: count });

test('only task heads, listed whole: the gap is by design', () => {
  const heads = ['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias', 'score.weight', 'qa_outputs.bias'];
  assert.deepEqual(taskHeadGap(report(heads)), heads);
});

test('a body tensor among them, a list cut short, or nothing unmatched: not a task-head gap', () => {
  assert.equal(taskHeadGap(report(['classifier.weight', 'model.layers.0.mlp.up_proj.weight'])), null);
  assert.equal(taskHeadGap(report(['classifier.weight'], 600)), null);
  assert.equal(taskHeadGap(report([])), null);
  assert.equal(taskHeadGap(report(['model.classifier_free.weight'])), null);
});

test('caveats keep their codes when the report has them', () => {
  const r = { summary: { caveats: ['a', 'b'] }, verdict: { caveats: ['unmatched-tensors', 'no-control'] } };
  assert.deepEqual(caveatsWithCodes(r), [{ text: 'a', code: 'unmatched-tensors' }, { text: 'b', code: 'no-control' }]);
  assert.deepEqual(caveatsWithCodes({ summary: { caveats: ['a'] } }), [{ text: 'a', code: '' }]);
});
