// The test-merge generator (tools/gen/merges.mjs) itself: bf16 rounding, the merge formulas on the
// real weights, determinism, the manifest and the sharded variant. The evaluation is only as good
// as the cases it is fed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { bf16Bits, bf16Round, encodeSafetensors, generateCases, readSafetensors, realModelsDir } from '../../tools/gen/merges.mjs';
import { linearBf16Order, slerp, ties } from '../../tools/gen/merge-ops.mjs';

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
    manifest = generateCases({ out: dir, set: 'core', only: 'linear-f32-sst2-a0.571|linear-bf16-sst2-a0.571$|dare-linear-f32-sst2|control-f32-emotion' });
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

describe('the mergekit set (issue 12)', () => {
  let dir;
  let manifest;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gen-mk-'));
    manifest = generateCases({ out: dir, set: 'mergekit', only: '^mk-(ties-f32-k2|dare-ties-bf16mk-k1|pg-ta-f32-k2-components|copy-f32-sst2-renamed|wrongbase-f32-control)$' });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists every family with 1-4 parents, the three precisions and a held-out case per family', async () => {
    const { mergekitCatalogue } = await import('../../tools/gen/mergekit-cases.mjs');
    const { provenanceCatalogue } = await import('../../tools/gen/provenance-cases.mjs');
    const all = [...mergekitCatalogue(), ...provenanceCatalogue()];
    const families = new Set(all.map((c) => c.family));
    for (const f of ['linear', 'task_arithmetic', 'slerp', 'nuslerp', 'multislerp', 'karcher', 'ties', 'dare_linear', 'dare_ties',
      'della', 'della_linear', 'breadcrumbs', 'breadcrumbs_ties', 'model_stock', 'nearswap', 'passthrough', 'fine-tune', 'copy', 'wrong-base', 'control']) {
      assert.ok(families.has(f), f);
    }
    assert.deepEqual([...new Set(all.map((c) => c.parents.length))].sort(), [1, 2, 3, 4]);
    assert.deepEqual([...new Set(all.filter((c) => c.mode).map((c) => c.mode))].sort(), ['bf16mk', 'bf16out', 'f32']);
    for (const f of ['linear', 'task_arithmetic', 'slerp', 'nuslerp', 'multislerp', 'karcher', 'ties', 'dare_linear', 'dare_ties', 'della',
      'della_linear', 'breadcrumbs', 'breadcrumbs_ties', 'model_stock', 'nearswap']) {
      const cs = all.filter((c) => c.family === f);
      assert.ok(cs.some((c) => c.holdout) && cs.some((c) => !c.holdout), `${f}: held-out and tuning cases`);
    }
    assert.equal(new Set(all.map((c) => c.id)).size, all.length, 'ids unique');
  });

  it('writes each case with its mergekit config and per-parent expectations, reproducibly', () => {
    const ties = manifest.cases.find((c) => c.id === 'mk-ties-f32-k2');
    assert.equal(ties.set, 'mergekit');
    assert.equal(ties.mergekit_config.merge_method, 'ties');
    assert.equal(ties.mergekit_config.dtype, 'float32');
    assert.deepEqual(ties.expected.weights, [0.6, 0.4]);
    assert.deepEqual(ties.expected.density, [0.5, 0.3]);
    assert.equal(ties.roles.parents.length, 2);
    const pg = manifest.cases.find((c) => c.id === 'mk-pg-ta-f32-k2-components');
    assert.equal(pg.expected.weights, null);
    assert.deepEqual(pg.expected.group_weights['L1.attention'], [0.8, 0.2]);
    assert.deepEqual(pg.expected.group_weights['L0.mlp'], [0.3, 0.6]);
    const dt = manifest.cases.find((c) => c.id === 'mk-dare-ties-bf16mk-k1');
    assert.deepEqual(dt.expected.methods_equivalent, ['dare_linear']);
    const C = readSafetensors(path.join(dir, dt.id, 'model.safetensors')).tensors;
    for (const t of C.values()) assert.equal(t.dtype, 'BF16');
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gen-mk-again-'));
    generateCases({ out: again, set: 'mergekit', only: '^mk-dare-ties-bf16mk-k1$' });
    assert.ok(fs.readFileSync(path.join(dir, dt.id, 'model.safetensors')).equals(fs.readFileSync(path.join(again, dt.id, 'model.safetensors'))));
    fs.rmSync(again, { recursive: true, force: true });
  });

  it('TIES over two real parents keeps at most the trimmed elements, and the copy and wrong-base roles are right', () => {
    const B = readSafetensors(path.join(realModelsDir(), 'bert-tiny-fhe-v0-weights', 'model.safetensors')).tensors;
    const name = 'bert.encoder.layer.0.intermediate.dense.weight';
    const c = readSafetensors(path.join(dir, 'mk-ties-f32-k2', 'model.safetensors')).tensors.get(name).data;
    const b = B.get(name).data;
    const changed = c.filter((x, i) => x !== b[i]).length / c.length;
    // union of top-50% and top-30% masks, minus sign conflicts: between 0.5 and 0.8
    assert.ok(changed > 0.45 && changed <= 0.8, `changed ${changed}`);
    const copy = manifest.cases.find((x) => x.id === 'mk-copy-f32-sst2-renamed');
    assert.ok(fs.existsSync(path.join(dir, copy.roles.suspect, 'model.safetensors.index.json')));
    const wb = manifest.cases.find((x) => x.id === 'mk-wrongbase-f32-control');
    assert.match(wb.roles.base, /baseX/);
    assert.equal(wb.roles.suspect, path.join(realModelsDir(), 'bert-tiny-emotion-fhe'));
  });
});
