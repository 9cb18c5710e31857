// The evaluation's `core` cases (EVALUATION.md's tables), followed by the `mergekit` and
// provenance sets: each case says how it is built from the real weights and what verdict it
// expects. tools/gen/merges.mjs writes them.

import { bf16RoundArray } from './safetensors-io.mjs';
import {
  add, dare, delta, linear, linearBf16Order, mergeEach, norm, perturbation, rng, slerp, taskArithmetic, ties,
} from './merge-ops.mjs';
import { mergekitCatalogue } from './mergekit-cases.mjs';
import { provenanceCatalogue } from './provenance-cases.mjs';

/** Each real fine-tune's control: the other one. */
export const OTHER = { sst2: 'emotion', emotion: 'sst2' };

function bf16Alpha(a) {
  return bf16RoundArray(new Float32Array([a]))[0];
}

/**
 * The case catalogue. Each entry builds its suspect (and any extra parent) and says what the
 * verdict should be. `expected.accept` lists every kind counted as correct.
 */
export function catalogue() {
  const cases = [];
  const alphas = [0.1, 0.3, 0.5, 0.571, 0.7, 0.9];
  const linearCase = (id, parent, a, dtype, order, control) => cases.push({
    id, parents: [parent], dtype, control,
    inputs: dtype === 'BF16' && order !== 'f32-inputs' ? 'bf16' : 'f32',
    build: ({ A, B }) => mergeEach(A, B, (x, y) => (order === 'mergekit-bf16' ? linearBf16Order(x, y, a) : linear(x, y, a))),
    expected: {
      kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [a],
      ...(order === 'mergekit-bf16' ? { alpha_effective: [bf16Alpha(a)] } : {}),
    },
    notes: `C = ${a} A + ${+(1 - a).toFixed(3)} B, ${dtype}${dtype === 'BF16' ? `, ${order} order` : ''}`,
  });
  for (const a of alphas) linearCase(`linear-f32-sst2-a${a}`, 'sst2', a, 'F32', 'f32', 'emotion');
  for (const a of [0.3, 0.571, 0.9]) linearCase(`linear-f32-emotion-a${a}`, 'emotion', a, 'F32', 'f32', null);
  for (const a of alphas) linearCase(`linear-bf16-sst2-a${a}`, 'sst2', a, 'BF16', 'fp32-then-round', 'emotion');
  for (const a of alphas) linearCase(`linear-bf16mk-emotion-a${a}`, 'emotion', a, 'BF16', 'mergekit-bf16', null);
  linearCase('linear-bf16mk-sst2-a0.571', 'sst2', 0.571, 'BF16', 'mergekit-bf16', 'emotion');
  linearCase('linear-bf16out-sst2-a0.571', 'sst2', 0.571, 'BF16', 'f32-inputs', 'emotion');

  // mergekit filters and weight lists: attention and MLP with their own weight; a weight per layer.
  cases.push({
    id: 'linear-f32-sst2-filtered-att0.9-mlp0.2', parents: ['sst2'], dtype: 'F32', control: 'emotion', inputs: 'f32',
    build: ({ A, B }) => mergeEach(A, B, (x, y, name) => linear(x, y, name.includes('.attention.') ? 0.9 : 0.2)),
    expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', component_alpha: { attention: 0.9, mlp: 0.2 } },
    notes: 'linear merge with filters: self_attn 0.9, mlp 0.2',
  });
  cases.push({
    id: 'linear-f32-sst2-layers-0.2-0.8', parents: ['sst2'], dtype: 'F32', control: 'emotion', inputs: 'f32',
    build: ({ A, B }) => mergeEach(A, B, (x, y, name) => linear(x, y, name.includes('.layer.0.') ? 0.2 : 0.8)),
    expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', layer_alpha: [0.2, 0.8] },
    notes: 'linear merge with a weight list over layers: 0.2 then 0.8',
  });

  // Merge, then light fine-tuning: a perturbation of f times the merge's delta norm, per tensor.
  for (const [parent, a, f, dtype] of [['sst2', 0.571, 0.2, 'F32'], ['sst2', 0.5, 0.3, 'BF16'], ['emotion', 0.7, 0.1, 'F32']]) {
    const id = `finetuned-${dtype.toLowerCase()}-${parent}-a${a}-f${f}`;
    cases.push({
      id, parents: [parent], dtype, control: null, inputs: dtype === 'BF16' ? 'bf16' : 'f32',
      build: ({ A, B, other }) => {
        const rand = rng(id);
        return mergeEach(A, B, (x, y, name, shape) => {
          const C = linear(x, y, a);
          const o = other.get(name);
          const od = o ? delta(o.data, y) : new Float32Array(x.length);
          const target = f * a * norm(delta(x, y));
          return add(C, perturbation(od, shape, target, rand));
        });
      },
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [a], finetune_fraction: f },
      notes: `linear merge a=${a} plus a perturbation of ${f * 100}% of the delta norm (other fine-tune's delta + rank-4 noise)`,
    });
  }

  // Task arithmetic with two parents.
  for (const dtype of ['F32', 'BF16']) {
    const w = [0.6, 0.3];
    cases.push({
      id: `task-arith-${dtype.toLowerCase()}-sst2-emotion`, parents: ['sst2', 'emotion'], dtype, control: null,
      inputs: dtype === 'BF16' ? 'bf16' : 'f32',
      build: ({ A, A2, B }) => mergeEach(A, B, (x, y, name) => {
        const e = A2.get(name);
        return e && e.data.length === x.length ? taskArithmetic(y, [x, e.data], w) : linear(x, y, w[0]);
      }),
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'task_arithmetic', alpha: w },
      notes: 'C = B + 0.6 d_sst2 + 0.3 d_emotion (k = 2)',
    });
  }

  // SLERP of raw weights. The real fine-tunes sit at ~3 degrees from the base, where mergekit's slerp
  // fits as well as lerp pooled (cos_fit 0.9997+) but leaves each tensor's p + q - 1 at slerp's
  // prediction for its angle: only slerp-merge is right.
  for (const t of [0.3, 0.5]) {
    cases.push({
      id: `slerp-f32-sst2-t${t}`, parents: ['sst2'], dtype: 'F32', control: 'emotion', inputs: 'f32',
      build: ({ A, B }) => mergeEach(A, B, (x, y) => slerp(x, y, t).C),
      expected: { kind: 'slerp-merge', accept: ['slerp-merge'], method: 'slerp', t, alpha: [t] },
      notes: `mergekit slerp(t=${t}) of raw weights, base at t=0`,
    });
  }
  // A wide-angle SLERP: parent = B + 8 d_sst2 (an amplified fine-tune, ~25 degrees), where the
  // curvature term (s0 + s1 - 1) B is visible.
  cases.push({
    id: 'slerp-wide-f32-sst2x8-t0.5', parents: ['sst2x8'], dtype: 'F32', control: null, inputs: 'f32',
    build: ({ A, B }) => mergeEach(A, B, (x, y) => slerp(x, y, 0.5).C),
    expected: { kind: 'slerp-merge', accept: ['slerp-merge'], method: 'slerp', t: 0.5, alpha: [0.5] },
    notes: 'slerp(t=0.5) between B and B + 8 d_sst2',
  });

  // Sparse merges.
  for (const [parent, density, dtype] of [['sst2', 0.5, 'F32'], ['emotion', 0.5, 'BF16']]) {
    cases.push({
      id: `ties-${dtype.toLowerCase()}-${parent}-d${density}`, parents: [parent], dtype, control: OTHER[parent],
      inputs: dtype === 'BF16' ? 'bf16' : 'f32',
      build: ({ A, B }) => mergeEach(A, B, (x, y) => ties(x, y, density, 1)),
      expected: { kind: 'sparse-merge', accept: ['sparse-merge'], method: 'ties', density, alpha_kept: 1 },
      notes: `TIES: top ${density * 100}% of |d| per tensor, lambda 1`,
    });
  }
  for (const [parent, density, w, method] of [['sst2', 0.5, 0.5, 'dare_linear'], ['emotion', 0.3, 0.5, 'dare_linear'], ['sst2', 0.3, 1, 'dare_ties']]) {
    const id = `${method.replace('_', '-')}-f32-${parent}-d${density}-w${w}`;
    cases.push({
      id, parents: [parent], dtype: 'F32', control: OTHER[parent], inputs: 'f32',
      build: ({ A, B }) => {
        const rand = rng(id);
        return mergeEach(A, B, (x, y) => dare(x, y, density, w, rand));
      },
      expected: { kind: 'sparse-merge', accept: ['sparse-merge'], method: 'dare', density, weight: w, alpha_kept: w / density },
      notes: `${method}: Bernoulli(${density}) mask, rescale 1/${density}, weight ${w}`,
    });
  }

  // Passthrough: whole tensors copied.
  cases.push({
    id: 'passthrough-f32-sst2-shifted', parents: ['sst2'], dtype: 'F32', control: null, inputs: 'f32',
    build: ({ A }) => {
      const out = new Map();
      for (const [name, t] of A) {
        const src = name.replace('encoder.layer.1.', 'encoder.layer.0.');
        out.set(name, { shape: t.shape, data: A.get(src).data });
      }
      return out;
    },
    expected: { kind: 'passthrough', accept: ['passthrough'], method: 'passthrough' },
    notes: 'layer 0 = A layer 0, layer 1 = A layer 0 again (a frankenmerge layer stack)',
  });
  cases.push({
    id: 'passthrough-f32-sst2-mixed', parents: ['sst2'], dtype: 'F32', control: null, inputs: 'f32',
    build: ({ A, B }) => mergeEach(A, B, (x, y, name) => (name.includes('encoder.layer.0.') ? x : y)),
    expected: { kind: 'passthrough', accept: ['passthrough'], method: 'passthrough' },
    notes: 'layer 0 from A, layer 1 from B, untouched',
  });

  // Controls: a real fine-tune of the same base is not a merge of the other.
  for (const [suspect, parent, dtype] of [['emotion', 'sst2', 'F32'], ['sst2', 'emotion', 'F32'], ['emotion', 'sst2', 'BF16']]) {
    cases.push({
      id: `control-${dtype.toLowerCase()}-${suspect}-vs-${parent}`, parents: [parent], dtype, control: null,
      inputs: dtype === 'BF16' ? 'bf16' : 'f32', realSuspect: suspect,
      expected: { kind: 'not-a-merge', accept: ['not-a-merge'], method: '' },
      notes: `the real ${suspect} fine-tune against parent ${parent}: independent fine-tunes of one base`,
    });
  }
  // Unrelated models.
  cases.push({
    id: 'unrelated-llama2xs-vs-stories260K', parents: ['storiesft'], dtype: 'F32', control: null, inputs: 'f32',
    baseKey: 'stories', realSuspect: 'llama2xs',
    expected: { kind: 'not-a-merge', accept: ['not-a-merge', 'incomparable'], method: '' },
    notes: 'C = llama2xs (trained from scratch); A = stories260K + small synthetic delta; B = stories260K',
  });
  cases.push({
    id: 'unrelated-random-base', parents: ['llama2xs'], dtype: 'F32', control: null, inputs: 'f32',
    baseKey: 'randominit', realSuspect: 'stories',
    expected: { kind: 'not-a-merge', accept: ['not-a-merge', 'incomparable'], method: '' },
    notes: 'C = stories260K, A = llama2xs, B = a random init: D and d share -B, so cos_fit ~ 0.5 unless C ~ B is checked',
  });
  cases.push({
    id: 'unrelated-names-differ', parents: ['llama2xs'], dtype: 'F32', control: null, inputs: 'f32',
    baseKey: 'ts656k', realSuspect: 'stories',
    expected: { kind: 'incomparable', accept: ['incomparable', 'not-a-merge'], method: '' },
    notes: 'stories260K vs llama2xs with base tinystories-656k (HF names): little or nothing matches',
  });
  for (const c of cases) c.set = 'core';
  return [...cases, ...mergekitCatalogue(), ...provenanceCatalogue()];
}
