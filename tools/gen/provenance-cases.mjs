// The issue-12 cases that are not one mergekit run: a passthrough frankenmerge of two parents,
// fine-tunes of a parent, copies, wrong bases and real controls (set `mergekit`, with
// mergekit-cases.mjs). Built from the real BERT-tiny weights; `role(key)` gives a model's tensors.
import { mergekitMerge } from './mergekit/merge.mjs';
import { shuffledDelta } from './mergekit-cases.mjs';

const fr = Math.fround;

/**
 * The cases that are not one mergekit run: a passthrough frankenmerge of two parents, fine-tunes of
 * a parent, copies, wrong bases and the real controls. `build({ role })` returns the suspect's
 * tensors; `role(key)` gives a model's tensors at the case's input precision.
 */
export function provenanceCatalogue() {
  const cases = [];
  const base = (id, o) => cases.push({ set: 'mergekit', holdout: false, control: null, inputs: o.dtype === 'BF16' && o.bf16Inputs ? 'bf16' : 'f32', ...o, id });
  const mapEach = (M, fn) => { const out = new Map(); for (const [n, t] of M) out.set(n, { shape: t.shape, data: fn(t.data, n, t.shape) }); return out; };

  base('mk-passthrough-f32-k2-layers', {
    family: 'passthrough', parents: ['sst2', 'emotion'], dtype: 'F32',
    build: ({ role }) => { const a = role('sst2'), e = role('emotion'); return mapEach(a, (x, n) => (n.includes('.layer.0.') || !e.has(n) || e.get(n).data.length !== x.length ? x : e.get(n).data)); },
    expected: { kind: 'passthrough', accept: ['passthrough'], method: 'passthrough', parents: 2, sources: { 'layer.0': 0, 'layer.1': 1 } },
    notes: 'slices: layer 0 from sst2, layer 1 from emotion, bit-identical',
  });

  // Fine-tune of a parent: C = A + g, g a shuffled real delta (the other fine-tune's) scaled to
  // f |d_A| per tensor: further training, not a merge.
  for (const [f, dtype, held] of [[0.1, 'F32', false], [0.3, 'F32', false], [0.2, 'BF16', true]]) {
    base(`mk-finetune-${dtype.toLowerCase()}-sst2-f${f}`, {
      family: 'fine-tune', parents: ['sst2'], dtype, holdout: held,
      build: ({ role }) => {
        const A = role('sst2'), B = role('base'), E = role('emotion');
        return mapEach(A, (x, n, shape) => {
          if (!B.has(n) || !E.has(n) || E.get(n).data.length !== x.length) return x;  // heads: not in the base
          const b = B.get(n).data, e = E.get(n).data;
          const g = shuffledDelta(Float32Array.from(e, (v, i) => v - b[i]), shape, 'finetune', n);
          let nd = 0, ng = 0;
          for (let i = 0; i < x.length; i++) { nd += (x[i] - b[i]) ** 2; ng += g[i] ** 2; }
          const s = f * Math.sqrt(nd / (ng || 1));
          return Float32Array.from(x, (v, i) => fr(v + fr(s * g[i])));
        });
      },
      expected: { kind: 'fine-tune', accept: ['fine-tune'], method: '', parents: 1, parent: 0, further_fraction: f, holdout: held },
      notes: `sst2 further trained: + ${f} |d| of a shuffled real delta per tensor (${dtype})`,
    });
  }

  // A fine-tune of the second of two parents: the verdict names that parent.
  base('mk-finetune-f32-k2-emotion-f0.2', {
    family: 'fine-tune', parents: ['sst2', 'emotion'], dtype: 'F32',
    build: ({ role }) => {
      const E = role('emotion'), B = role('base'), S = role('sst2');
      return mapEach(E, (x, n, shape) => {
        if (!B.has(n) || !S.has(n) || S.get(n).data.length !== x.length) return x;
        const b = B.get(n).data;
        const g = shuffledDelta(Float32Array.from(S.get(n).data, (v, i) => v - b[i]), shape, 'finetune2', n);
        let nd = 0, ng = 0;
        for (let i = 0; i < x.length; i++) { nd += (x[i] - b[i]) ** 2; ng += g[i] ** 2; }
        const sc = 0.2 * Math.sqrt(nd / (ng || 1));
        return Float32Array.from(x, (v, i) => fr(v + fr(sc * g[i])));
      });
    },
    expected: { kind: 'fine-tune', accept: ['fine-tune'], method: '', parents: 2, parent: 1 },
    notes: 'emotion further trained (+ 0.2 |d| of a shuffled real delta), parents sst2 and emotion',
  });

  // Copies of the second parent, and of a model given in every role: the verdict names the model.
  base('mk-copy-f32-k2-emotion', {
    family: 'copy', parents: ['sst2', 'emotion'], dtype: 'F32', build: ({ role }) => role('emotion'),
    expected: { kind: 'copy', accept: ['copy'], method: '', parents: 2, parent: 1 }, notes: 'emotion re-uploaded, parents sst2 and emotion',
  });
  base('mk-copy-f32-all-same', {
    family: 'copy', parents: ['base'], dtype: 'F32', build: ({ role }) => role('base'),
    expected: { kind: 'copy', accept: ['copy'], method: '', parents: 1, parent: 0, flags: ['same-model'] }, notes: 'the base given as suspect, parent and base',
  });

  // Copies: identical, stored BF16, renamed (`model.` wrapper, sharded: written by generateCases).
  base('mk-copy-f32-sst2', {
    family: 'copy', parents: ['sst2'], dtype: 'F32', build: ({ role }) => role('sst2'),
    expected: { kind: 'copy', accept: ['copy'], method: '', parents: 1, parent: 0 }, notes: 'sst2 re-uploaded unchanged',
  });
  base('mk-copy-bf16-sst2', {
    family: 'copy', parents: ['sst2'], dtype: 'BF16', build: ({ role }) => role('sst2'),
    expected: { kind: 'copy', accept: ['copy'], method: '', parents: 1, parent: 0, rounding: 'bf16' }, notes: 'sst2 converted to BF16 (RNE), parent given in F32',
  });
  base('mk-copy-f32-sst2-renamed', {
    family: 'copy', parents: ['sst2'], dtype: 'F32', build: ({ role }) => role('sst2'), sharded: true,
    expected: { kind: 'copy', accept: ['copy'], method: '', parents: 1, parent: 0 }, notes: 'sst2 unchanged, names re-wrapped (model.) and sharded',
  });

  // Wrong base, one parent: the merge was made over B, the verifier is told X = B + 2 x (a shuffled
  // real delta), which is none of the given models. A linear merge against X leaves the second
  // moments a merge followed by further training leaves (undecidable with one parent: the verdict
  // must carry the residual caveat, which names a wrong base); a TIES merge with weight 1 keeps A's
  // exact values, which a merge over X would leave at X: the wrong base is flagged.
  for (const [id, build, exp, notes] of [
    ['mk-wrongbase-f32-linear-a0.5', ({ role }) => mergekitMerge({ method: 'linear', base: role('base'), models: [{ tensors: role('sst2'), parameters: { weight: 0.5 } }, { tensors: role('base'), parameters: { weight: 0.5 } }], dtype: 'float32' }),
      { kind: 'linear-merge', accept: ['linear-merge', 'inconclusive'], method: 'linear', flags: ['residual'], undecidable: 'one parent: a wrong base and further training after the merge leave the same moments', true_weights: [0.5] },
      'C = 0.5 sst2 + 0.5 B, verified against base X != B'],
    ['mk-wrongbase-f32-ties-d0.5', ({ role }) => mergekitMerge({ method: 'ties', base: role('base'), models: [{ tensors: role('sst2'), parameters: { weight: 1, density: 0.5 } }], dtype: 'float32' }),
      { kind: 'sparse-merge', accept: ['sparse-merge'], method: 'ties', methods_equivalent: [''], density: [0.5], weights: [1], wrong_base: { base: null } },
      'TIES d 0.5 of sst2 over B, verified against base X != B'],
    ['mk-wrongbase-f32-control', null,
      { kind: 'not-a-merge', accept: ['not-a-merge', 'inconclusive'], method: '', undecidable: 'one parent: the shared offset from X looks like a partial merge' },
      'the real emotion fine-tune vs sst2, verified against base X != B'],
  ]) {
    base(id, { family: 'wrong-base', parents: ['sst2'], dtype: 'F32', baseKey: 'baseX', ...(build ? { build } : { realSuspect: 'emotion' }), expected: { parents: 1, ...exp }, notes });
  }

  // Wrong roles, several parents: the true base is given as a parent and a fine-tune as the base.
  // The parents' deltas from the wrong base align (they share its offset); swapping it with the
  // true base makes them as independent as real fine-tunes', and that assignment's weights are the
  // merge's. The k = 3 case is held out (kWrongBaseParentCos was set before it was added).
  const ta = (weights, keys) => ({ role }) => mergekitMerge({ method: 'task_arithmetic', base: role('base'), models: keys.map((k, i) => ({ tensors: role(k), parameters: { weight: weights[i] } })), dtype: 'float32' });
  for (const [id, parents, baseKey, build, exp, held, notes] of [
    ['mk-wrongrole-f32-ta-k2', ['base', 'emotion'], 'sst2', ta([0.7, 0.5], ['sst2', 'emotion']),
      { kind: 'linear-merge', accept: ['linear-merge'], method: 'task_arithmetic', wrong_base: { base: 'A1', alphas: [0.7, 0.5] } }, false,
      'task arithmetic 0.7 sst2 + 0.5 emotion over B, verified with base sst2 and parents B, emotion'],
    ['mk-wrongrole-f32-ta-k3', ['sst2', 'base', 'third'], 'emotion', ta([0.5, 0.3, 0.2], ['sst2', 'emotion', 'third']),
      { kind: 'linear-merge', accept: ['linear-merge'], method: 'task_arithmetic', wrong_base: { base: 'A2', alphas: [0.5, 0.3, 0.2] } }, true,
      'task arithmetic 0.5 sst2 + 0.3 emotion + 0.2 third over B, verified with base emotion and parents sst2, B, third'],
    ['mk-wrongrole-f32-control', ['base', 'third'], 'sst2', null,
      { kind: 'not-a-merge', accept: ['not-a-merge', 'inconclusive'], method: '', wrong_base: { base: 'A1', cos_fit_below: 0.6 } }, false,
      'the real emotion fine-tune, verified with base sst2 and parents B, third: with B as the base it is not a merge'],
  ]) {
    base(id, { family: 'wrong-base', parents, dtype: 'F32', baseKey, holdout: held, ...(build ? { build } : { realSuspect: 'emotion' }), expected: { parents: parents.length, ...exp }, notes });
  }

  // Real controls with two parents (one synthetic): a fine-tune is not a merge of the others.
  for (const [suspect, parents, dtype] of [['emotion', ['sst2', 'third'], 'F32'], ['sst2', ['emotion', 'third'], 'BF16']]) {
    base(`mk-control-${dtype.toLowerCase()}-${suspect}-vs-${parents.join('+')}`, {
      family: 'control', parents, dtype, bf16Inputs: true, realSuspect: suspect,
      expected: { kind: 'not-a-merge', accept: ['not-a-merge'], method: '', parents: 2 },
      notes: `the real ${suspect} fine-tune against parents ${parents.join(', ')}`,
    });
  }
  return cases;
}
