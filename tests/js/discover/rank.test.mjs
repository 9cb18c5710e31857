// The ranking's thresholds against real deltas (shared/real-models BERT-tiny: a base and two real
// fine-tunes), not random noise: each named threshold must sit with margin between the cases it
// separates. Whole weight matrices here; the probe reads a few rows of the same tensors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { readSafetensors, realModelsDir, bf16RoundArray } from '../../../tools/gen/merges.mjs';
import {
  THRESHOLDS, closeness, cosine, equalFraction, flatten, leastSquares, pursue, rankCandidates, roundingTolerance, starScore,
} from '../../../js/discover/rank.mjs';

const dir = realModelsDir();
const have = existsSync(path.join(dir, 'bert-tiny-fhe-v0-weights'));
const load = (f) => readSafetensors(path.join(dir, f, 'model.safetensors')).tensors;

/** A probe-like model: its weight matrices as f64 vectors. */
function probeOf(id, tensors, dtype = 'F32', map = (x) => x) {
  const values = new Map();
  for (const [name, t] of tensors) if (t.shape.length === 2) values.set(name, Float64Array.from(map(t.data, name)));
  return { id, dtypes: [dtype], values };
}
/** Elements permuted (seeded): the same statistics, an unrelated direction. */
function permuted(data, seed) {
  let s = seed >>> 0 || 1;
  const rand = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
  const out = Float32Array.from(data);
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

test('closeness: fine-tunes of one base are relatives with margin, a same-shape unrelated model is not', { skip: !have }, () => {
  const B = probeOf('b', load('bert-tiny-fhe-v0-weights'));
  const S = probeOf('s', load('bert-tiny-sst2-fhe'));
  const E = probeOf('e', load('bert-tiny-emotion-fhe'));
  const keys = [...B.values.keys()];
  const related = [closeness(B, S, keys), closeness(B, E, keys), closeness(S, E, keys)];
  for (const c of related) assert.ok(c > 0.99 && c > THRESHOLDS.RELATIVE_MIN_COS + 0.4, `relative ${c}`);
  const U = probeOf('u', load('bert-tiny-fhe-v0-weights'), 'F32', (d, name) => permuted(d, name.length * 7919));
  const unrelated = closeness(B, U, keys);
  assert.ok(Math.abs(unrelated) < 0.05 && Math.abs(unrelated) < THRESHOLDS.RELATIVE_MIN_COS - 0.4, `unrelated ${unrelated}`);
});

test('delta alignment: an independent real fine-tune explains less than PARENT_MIN_GAIN of another', { skip: !have }, () => {
  const B = probeOf('b', load('bert-tiny-fhe-v0-weights'));
  const S = probeOf('s', load('bert-tiny-sst2-fhe'));
  const E = probeOf('e', load('bert-tiny-emotion-fhe'));
  const keys = [...B.values.keys()];
  const [b, s, e] = [B, S, E].map((m) => flatten(m, keys));
  const dS = s.map((x, i) => x - b[i]);
  const dE = e.map((x, i) => x - b[i]);
  const c = cosine(dS, dE);
  // Not orthogonal (the README's fact: 0.0..0.18 on matrices), yet below the gain a parent needs.
  assert.ok(c > -0.05 && c < 0.2, `cos ${c}`);
  assert.ok(leastSquares(dE, [dS]).r2 < THRESHOLDS.PARENT_MIN_GAIN, `R^2 ${leastSquares(dE, [dS]).r2}`);
  // A task-arithmetic merge needs both: the second parent adds far more than the threshold.
  const D = dS.map((x, i) => 0.6 * x + 0.3 * dE[i]);
  const fit = pursue(D, [{ id: 's', delta: dS }, { id: 'e', delta: dE }]);
  assert.deepEqual(fit.parents, ['s', 'e']);
  assert.ok(fit.steps[1].r2 - fit.steps[0].r2 > 3 * THRESHOLDS.PARENT_MIN_GAIN);
  assert.ok(Math.abs(fit.weights[0] - 0.6) < 1e-5 && Math.abs(fit.weights[1] - 0.3) < 1e-5);
  // A single-parent merge stops at one parent although the other fine-tune is offered.
  assert.deepEqual(pursue(dS.map((x) => 0.571 * x), [{ id: 'e', delta: dE }, { id: 's', delta: dS }]).parents, ['s']);
});

test('star score: low from the true base, high from a fine-tune of it', { skip: !have }, () => {
  const B = probeOf('b', load('bert-tiny-fhe-v0-weights'));
  const S = probeOf('s', load('bert-tiny-sst2-fhe'));
  const E = probeOf('e', load('bert-tiny-emotion-fhe'));
  const keys = [...B.values.keys()];
  const [b, s, e] = [B, S, E].map((m) => flatten(m, keys));
  const pd = permuted(Float32Array.from(e.map((y, j) => y - b[j])), 11);
  const decoy = b.map((x, i) => x + pd[i]);
  const from = (o, xs) => xs.map((x) => x.map((v, i) => v - o[i]));
  const atBase = starScore(from(b, [s, e, decoy]));
  const atS = starScore(from(s, [b, e, decoy]));
  assert.ok(atBase < 0.2, `from the base ${atBase}`);
  assert.ok(atS - atBase > 2 * THRESHOLDS.CLOSE_STAR, `from sst2 ${atS}`);
});

test('copies: equal within the coarser dtype (a BF16 copy too), a fine-tune is not', { skip: !have }, () => {
  const S = load('bert-tiny-sst2-fhe');
  const s = flatten(probeOf('s', S), ['bert.encoder.layer.0.attention.self.query.weight']);
  const bf = flatten(probeOf('x', S, 'BF16', (d) => bf16RoundArray(d)), ['bert.encoder.layer.0.attention.self.query.weight']);
  const b = flatten(probeOf('b', load('bert-tiny-fhe-v0-weights')), ['bert.encoder.layer.0.attention.self.query.weight']);
  assert.equal(equalFraction(s, s, roundingTolerance(['F32'])), 1);
  assert.ok(equalFraction(s, bf, roundingTolerance(['F32', 'BF16'])) >= THRESHOLDS.COPY_MIN_EQUAL);
  assert.ok(equalFraction(s, b, roundingTolerance(['F32', 'BF16'])) < 0.2);
});

test('rankCandidates: collinear candidates go to the longest delta, equal copies to the most downloaded', () => {
  const v = (xs) => ({ values: new Map([['w', Float64Array.from(xs)]]), dtypes: ['F32'] });
  const base = [1, 2, 3, 4, 5, 6, 7, 8];
  const d = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2, 0.15, -0.05];
  const e = [-0.1, 0.05, 0.2, -0.05, 0.1, 0.1, -0.2, 0.1];
  const at = (w, w2 = 0) => base.map((x, i) => x + w * d[i] + w2 * e[i]);
  const out = rankCandidates({
    suspect: { id: 'c', ...v(at(0.5)) },
    candidates: [
      { id: 'half', ...v(at(0.7)), root: false, downloads: 9e9 },     // a merge of the parent with the base
      { id: 'copy', ...v(at(1)), root: false, downloads: 1 },         // a renamed copy of the parent
      { id: 'parent', ...v(at(1)), root: false, downloads: 1000 },
      { id: 'other', ...v(at(0, 1)), root: false, downloads: 5 },
      { id: 'base', ...v(base), root: true, downloads: 10 },
    ],
  });
  assert.equal(out.chosen.kind, 'merge');
  assert.equal(out.chosen.base, 'base');
  assert.deepEqual(out.chosen.parents, ['parent']);
  assert.ok(Math.abs(out.chosen.weights[0] - 0.5) < 1e-9);
  const none = rankCandidates({ suspect: { id: 'c', ...v(base) }, candidates: [{ id: 'u', ...v(base.map((x, i) => (i % 2 ? x : -x))), root: true }] });
  assert.equal(none.chosen.kind, 'no-relative');
});

test('two close hypotheses (two near-identical roots): the second is kept as the alternative, to be verified too', () => {
  const v = (xs) => ({ values: new Map([['w', Float64Array.from(xs)]]), dtypes: ['F32'] });
  const base = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const d = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2, 0.15, -0.05, 0.1, -0.1];
  const noise = [1e-4, -2e-4, 1e-4, 0, 1e-4, -1e-4, 2e-4, 0, -1e-4, 1e-4];
  const out = rankCandidates({
    suspect: { id: 'c', ...v(base.map((x, i) => x + 0.5 * d[i])) },
    candidates: [
      { id: 'root-a', ...v(base), root: true },
      { id: 'root-b', ...v(base.map((x, i) => x + noise[i])), root: true },  // a re-upload of the root
      { id: 'parent', ...v(base.map((x, i) => x + d[i])), root: false },
    ],
  });
  assert.equal(out.chosen.kind, 'merge');
  assert.deepEqual(out.chosen.parents, ['parent']);
  assert.ok(out.alternative, 'a close second');
  assert.deepEqual(out.alternative.parents, ['parent']);
  assert.deepEqual([out.chosen.base, out.alternative.base].sort(), ['root-a', 'root-b']);
});
