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

  // Wrong base: the merge was made over B, the verifier is told X = B + 2 x (a shuffled real delta).
  for (const [id, build, exp, notes] of [
    ['mk-wrongbase-f32-linear-a0.5', ({ role }) => mergekitMerge({ method: 'linear', base: role('base'), models: [{ tensors: role('sst2'), parameters: { weight: 0.5 } }, { tensors: role('base'), parameters: { weight: 0.5 } }], dtype: 'float32' }),
      { kind: 'wrong-base', accept: ['wrong-base'], method: 'linear', true_weights: [0.5] }, 'C = 0.5 sst2 + 0.5 B, verified against base X != B'],
    ['mk-wrongbase-f32-ties-d0.5', ({ role }) => mergekitMerge({ method: 'ties', base: role('base'), models: [{ tensors: role('sst2'), parameters: { weight: 1, density: 0.5 } }], dtype: 'float32' }),
      { kind: 'wrong-base', accept: ['wrong-base'], method: 'ties', true_density: [0.5] }, 'TIES d 0.5 of sst2 over B, verified against base X != B'],
    ['mk-wrongbase-f32-control', null,
      { kind: 'not-a-merge', accept: ['not-a-merge', 'wrong-base'], method: '' }, 'the real emotion fine-tune vs sst2, verified against base X != B'],
  ]) {
    base(id, { family: 'wrong-base', parents: ['sst2'], dtype: 'F32', baseKey: 'baseX', ...(build ? { build } : { realSuspect: 'emotion' }), expected: { parents: 1, ...exp }, notes });
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
