// The verdict in plain words (web/ui/meaning.mjs): rendered from the verdict's data and the roles,
// for each kind; shares never shown as 0 or 100 unless they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainMeaning } from '../../web/ui/meaning.mjs';

const view = (kind, { alpha = [0.571], weights = [NaN], parents = ['org/parent'] } = {}) => /** @type {any} */ ({
  k: parents.length,
  models: [{ role: 'suspect', label: 'org/suspect' }, ...parents.map((p, i) => ({ role: parents.length > 1 ? `parent ${i + 1}` : 'parent', label: p })),
    { role: 'base', label: 'org/base' }],
  verdict: { kind, params: { weights, density: [], lambda: NaN, t: NaN, gamma: NaN } },
  overall: { alpha },
});

test('a linear merge of one parent reads as a fixed blend with both shares', () => {
  assert.equal(plainMeaning(view('linear-merge')),
    "Most of this model's weights are a fixed 57/43 blend of org/parent and org/base; a model trained on its own would not look like this.");
  // The structured verdict's weights come first; a share near 1 is not called 100, nor one near 0
  // called 0 (the one percentage rule, js/report/percent.mjs: more decimals instead).
  assert.match(plainMeaning(view('linear-merge', { weights: [0.998] })), /fixed 99\.8\/0\.2 blend/);
  assert.match(plainMeaning(view('linear-merge', { weights: [0.004] })), /fixed 0\.4\/99\.6 blend/);
});

test('several parents, sparse merges, fine-tunes, copies and non-merges each say what they mean', () => {
  assert.match(plainMeaning(view('linear-merge', { alpha: [0.3, 0.2], parents: ['a/one', 'b/two'] })), /blend of org\/base with a\/one, b\/two/);
  assert.match(plainMeaning(view('sparse-merge')), /partly dropped and rescaled the way merge tools do it/);
  assert.match(plainMeaning(view('fine-tune')), /looks like org\/parent trained further/);
  assert.match(plainMeaning(view('copy')), /are those of org\/parent, unchanged/);
  // the copied (or fine-tuned) parent is the one the verdict names, not always the first
  const two = view('copy', { parents: ['a/one', 'b/two'] });
  two.verdict.parent = 1;
  assert.match(plainMeaning(two), /are those of b\/two, unchanged/);
  two.verdict.kind = 'fine-tune';
  assert.match(plainMeaning(two), /looks like b\/two trained further/);
  // suspect = parent = base: all the same model, not a copy of one of them
  const same = view('copy');
  same.verdict.undefinedReason = 'C, the parent and the base are the same model';
  assert.match(plainMeaning(same), /all the same model/);
  assert.match(plainMeaning(view('quantized-copy')), /^This file is org\/parent quantized: .*the rounding the quantization itself leaves, nothing more\.$/);
  assert.match(plainMeaning(view('not-a-merge')), /not a blend of the models given.*does not say where it came from/);
  assert.match(plainMeaning(view('inconclusive', { alpha: [NaN] })), /do not settle the question/);
});
