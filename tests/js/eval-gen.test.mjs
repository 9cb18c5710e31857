// The test-merge generator (tests/gen/merges.mjs) itself: bf16 rounding, the merge formulas on the
// real weights, determinism, the manifest and the sharded variant. The evaluation is only as good
// as the cases it is fed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bf16Bits, bf16Round, encodeSafetensors, generateCases, readSafetensors, realModelsDir } from '../gen/merges.mjs';
import { linearBf16Order, slerp, ties } from '../gen/merge-ops.mjs';

const f32 = (x) => Math.fround(x);

describe('bf16 rounding', () => {
  it('rounds to nearest, ties to even, and keeps specials', () => {
    assert.equal(bf16Round(1 + 2 ** -8), 1);                 // tie, 1.0 is even
    assert.equal(bf16Round(1 + 3 * 2 ** -8), 1 + 2 ** -6);   // tie, rounds up to even
    assert.equal(bf16Round(f32(1 + 2 ** -8 + 2 ** -20)), 1 + 2 ** -7);  // above the tie
    assert.equal(bf16Round(-(1 + 2 ** -8)), -1);
    assert.equal(bf16Round(0.571), 0.5703125);
    assert.equal(bf16Round(3.4e38), Infinity);                // overflow rounds to inf
    assert.equal(bf16Bits(-0), 0x8000);
    assert.ok(Number.isNaN(bf16Round(NaN)));
  });

  it('round-trips through a BF16 safetensors file', () => {
    const data = new Float32Array([1.00390625, -2.5, 0.1, 65504]);
    const bytes = encodeSafetensors([['t', { shape: [4], data }]], 'BF16');
    const file = path.join(os.tmpdir(), `mp-gen-rt-${process.pid}.safetensors`);
    fs.writeFileSync(file, bytes);
    const back = readSafetensors(file).tensors.get('t');
    fs.rmSync(file);
    assert.equal(back.dtype, 'BF16');
    assert.deepEqual([...back.data], [...data].map(bf16Round));
  });
});

describe('merge formulas', () => {
  it('mergekit bf16 order rounds each product and the sum', () => {
    const A = new Float32Array([bf16Round(0.3)]), B = new Float32Array([bf16Round(-0.7)]);
    const wa = bf16Round(0.571), wb = bf16Round(0.429);
    const expect = bf16Round(f32(bf16Round(wa * A[0]) + bf16Round(wb * B[0])));
    assert.equal(linearBf16Order(A, B, 0.571)[0], expect);
  });

  it('TIES keeps exactly the top-k |d| and SLERP falls back to lerp for nearly parallel tensors', () => {
    const B = new Float32Array([0, 0, 0, 0]), A = new Float32Array([0.4, -0.1, 0.3, -0.2]);
    assert.deepEqual([...ties(A, B, 0.5, 1)], [f32(0.4), 0, f32(0.3), 0]);
    const B2 = new Float32Array([1, 2, 3]), A2 = new Float32Array([1.0001, 2, 3]);
    const s = slerp(A2, B2, 0.5);
    assert.equal(s.lerp, true);
    const wide = slerp(new Float32Array([1, 0]), new Float32Array([0, 1]), 0.5);
    assert.equal(wide.lerp, false);
    assert.ok(Math.abs(wide.s0 + wide.s1 - Math.SQRT2) < 1e-9);  // 90 degrees: sin(45)/sin(90) each
  });
});

describe('generated cases', () => {
  let dir;
  let manifest;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gen-test-'));
    manifest = generateCases({ out: dir, only: 'linear-f32-sst2-a0.571|linear-bf16-sst2-a0.571$|dare-linear-f32-sst2|control-f32-emotion' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a manifest with roles, dtype and the expected verdict', () => {
    const ids = manifest.cases.map((c) => c.id);
    assert.deepEqual(ids, ['linear-f32-sst2-a0.571', 'linear-bf16-sst2-a0.571', 'dare-linear-f32-sst2-d0.5-w0.5',
      'control-f32-emotion-vs-sst2', 'linear-bf16-sst2-a0.571-sharded']);
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.deepEqual(onDisk.cases.map((c) => c.id), ids);
    const lin = manifest.cases[0];
    assert.equal(lin.expected.kind, 'linear-merge');
    assert.deepEqual(lin.expected.alpha, [0.571]);
    assert.equal(lin.roles.control, path.join(realModelsDir(), 'bert-tiny-emotion-fhe'));
    for (const c of manifest.cases) {
      for (const p of [c.roles.suspect, c.roles.base, ...c.roles.parents]) assert.ok(fs.existsSync(path.resolve(dir, p)), p);
    }
  });

  it('the F32 linear merge is C = a A + (1-a) B element for element, from the real weights', () => {
    const C = readSafetensors(path.join(dir, 'linear-f32-sst2-a0.571', 'model.safetensors')).tensors;
    const A = readSafetensors(path.join(realModelsDir(), 'bert-tiny-sst2-fhe', 'model.safetensors')).tensors;
    const B = readSafetensors(path.join(realModelsDir(), 'bert-tiny-fhe-v0-weights', 'model.safetensors')).tensors;
    const name = 'bert.encoder.layer.0.attention.self.query.weight';
    const c = C.get(name).data, a = A.get(name).data, b = B.get(name).data;
    for (let i = 0; i < c.length; i += 97) assert.equal(c[i], f32(f32(f32(0.571) * a[i]) + f32(f32(1 - 0.571) * b[i])));
    // Tensors the base lacks (pooler, classifier) are A's.
    assert.deepEqual([...C.get('classifier.weight').data], [...A.get('classifier.weight').data]);
  });

  it('BF16 cases use bf16-rounded parents and base, and the suspect is BF16', () => {
    const c = manifest.cases.find((x) => x.id === 'linear-bf16-sst2-a0.571');
    const base = readSafetensors(path.join(path.resolve(dir, c.roles.base), 'model.safetensors')).tensors;
    const suspect = readSafetensors(path.join(dir, c.id, 'model.safetensors')).tensors;
    for (const t of [...base.values(), ...suspect.values()]) assert.equal(t.dtype, 'BF16');
  });

  it('DARE drops about 1 - density of the changed elements, with a fixed seed', () => {
    const file = path.join(dir, 'dare-linear-f32-sst2-d0.5-w0.5', 'model.safetensors');
    const C = readSafetensors(file).tensors.get('bert.encoder.layer.0.intermediate.dense.weight').data;
    const B = readSafetensors(path.join(realModelsDir(), 'bert-tiny-fhe-v0-weights', 'model.safetensors')).tensors
      .get('bert.encoder.layer.0.intermediate.dense.weight').data;
    let same = 0;
    for (let i = 0; i < C.length; i++) if (C[i] === B[i]) same++;
    assert.ok(Math.abs(same / C.length - 0.5) < 0.02, `dropped share ${same / C.length}`);
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gen-again-'));
    generateCases({ out: again, only: 'dare-linear-f32-sst2' });
    assert.ok(fs.readFileSync(file).equals(fs.readFileSync(path.join(again, 'dare-linear-f32-sst2-d0.5-w0.5', 'model.safetensors'))),
      'same seed, same bytes');
    fs.rmSync(again, { recursive: true, force: true });
  });

  it('the sharded variant has an index over two shards with renamed tensors and the same values', () => {
    const sh = path.join(dir, 'linear-bf16-sst2-a0.571-sharded');
    const index = JSON.parse(fs.readFileSync(path.join(sh, 'model.safetensors.index.json'), 'utf8'));
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    assert.deepEqual(shards, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const names = Object.keys(index.weight_map);
    assert.ok(names.every((n) => n.startsWith('model.')), 'every name has the model. wrapper');
    const one = readSafetensors(path.join(dir, 'linear-bf16-sst2-a0.571', 'model.safetensors')).tensors;
    let total = 0;
    for (const s of shards) {
      const t = readSafetensors(path.join(sh, s)).tensors;
      for (const [n, v] of t) {
        assert.equal(index.weight_map[n], s);
        const orig = one.get(n.startsWith('model.encoder') || n.startsWith('model.pooler') ? 'bert.' + n.slice(6) : n.slice(6));
        assert.deepEqual([...v.data], [...orig.data], n);
        total += v.data.length * 2;
      }
    }
    assert.equal(index.metadata.total_size, total);
  });
});
