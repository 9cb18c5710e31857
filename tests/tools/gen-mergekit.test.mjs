// Cross-checks of the mergekit ports (tools/gen/mergekit/) against second, deliberately plain
// implementations written from the formulas (thresholds instead of sorts, doubles instead of the
// dtype emulation), and against the older independent ports in tools/gen/merge-ops.mjs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BF16, F32 } from '../../tools/gen/mergekit/arith.mjs';
import { getMask, gtaTensor } from '../../tools/gen/mergekit/gta.mjs';
import { karcher, linearK, modelStock, multislerp, nearswap, nuslerp, slerp } from '../../tools/gen/mergekit/methods.mjs';
import { mergekitMerge } from '../../tools/gen/mergekit/merge.mjs';
import { evaluateSetting, layerT } from '../../tools/gen/mergekit/params.mjs';
import { bernoulli, dellaMagprune, magnitude, magnitudeOutliers } from '../../tools/gen/mergekit/sparsify.mjs';
import { linearBf16Order, rng, taskArithmetic, ties as tiesOne } from '../../tools/gen/merge-ops.mjs';
import { bf16RoundArray } from '../../tools/gen/safetensors-io.mjs';

const gauss = (n, seed, scale = 1) => { const r = rng(seed); return Float32Array.from({ length: n }, () => scale * r.gauss()); };
const add = (a, b) => Float32Array.from(a, (x, i) => Math.fround(x + b[i]));
const maxAbsDiff = (a, b) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const l1 = (a) => a.reduce((s, x) => s + Math.abs(x), 0);
/** The k-th largest |x| (1-based): a threshold, the plain way to express a top-k. */
const kthLargest = (a, k) => Float64Array.from(a, Math.abs).sort().reverse()[k - 1];

describe('mergekit ports against plain re-implementations', () => {
  const n = 4000;
  const B = gauss(n, 'B', 0.05);
  const d1 = gauss(n, 'd1', 0.005), d2 = gauss(n, 'd2', 0.004), d3 = gauss(n, 'd3', 0.006);
  const A1 = add(B, d1), A2 = add(B, d2), A3 = add(B, d3);
  const D = (x) => Float32Array.from(x, (v, i) => Math.fround(v - B[i]));

  it('TIES, 2 parents: per-parent top-k trim, sign elected by the weighted sum, mean over agreeing weights', () => {
    const w = [0.6, 0.4], rho = [0.5, 0.3];
    const got = gtaTensor(B, [A1, A2], [{ weight: w[0], density: rho[0] }, { weight: w[1], density: rho[1] }], { method: 'ties' });
    const dd = [D(A1), D(A2)];
    const thr = dd.map((d, i) => kthLargest(d, Math.trunc(rho[i] * n)));
    const want = new Float32Array(n);
    for (let e = 0; e < n; e++) {
      const kept = dd.map((d, i) => (Math.abs(d[e]) >= thr[i] ? w[i] * d[e] : 0));
      const sign = kept[0] + kept[1] >= 0 ? 1 : -1;
      let num = 0, den = 0;
      kept.forEach((v, i) => { if (Math.sign(v) === sign) { num += v; den += w[i]; } });
      want[e] = B[e] + (den ? num / den : 0);
    }
    assert.ok(maxAbsDiff(got, want) < 1e-7, `max diff ${maxAbsDiff(got, want)}`);
    // the trim keeps exactly int(rho n) per parent: elements where both parents were trimmed are B
    const untouched = got.filter((v, e) => v === B[e]).length;
    assert.ok(untouched > 0.3 * n, `${untouched} elements untouched`);
  });

  it('TIES with one parent equals merge-ops ties(); task_arithmetic with two equals taskArithmetic()', () => {
    assert.deepEqual(gtaTensor(B, [A1], [{ weight: 1, density: 0.4 }], { method: 'ties' }), tiesOne(A1, B, 0.4, 1));
    // with another weight, normalize divides w d by w again: equal up to an f32 ulp of C
    const one = gtaTensor(B, [A1], [{ weight: 0.7, density: 0.4 }], { method: 'ties' });
    assert.ok(maxAbsDiff(one, tiesOne(A1, B, 0.4, 1)) < 1e-8);
    // weights exact in f32: bit-identical; otherwise mergekit's f32 weight tensor (fr(0.6)) differs
    // from the double weight of the old port by one rounding
    const ta = gtaTensor(B, [A1, A2], [{ weight: 0.5 }, { weight: 0.25 }], { method: 'task_arithmetic' });
    assert.deepEqual(ta, taskArithmetic(B, [A1, A2], [0.5, 0.25]));
    const ta6 = gtaTensor(B, [A1, A2], [{ weight: 0.6 }, { weight: 0.3 }], { method: 'task_arithmetic' });
    assert.ok(maxAbsDiff(ta6, taskArithmetic(B, [A1, A2], [0.6, 0.3])) < 1e-8);
  });

  it('sign election: sum vs count disagree where one large delta outweighs two small ones', () => {
    const wd = [new Float32Array([5, 1]), new Float32Array([-1, -1]), new Float32Array([-1, 2])];
    assert.deepEqual(getMask(wd, 'sum').map((m) => [...m]), [[1, 1], [0, 0], [0, 1]]);
    assert.deepEqual(getMask(wd, 'count').map((m) => [...m]), [[0, 1], [1, 0], [1, 1]]);
  });

  it('DARE: a Bernoulli(density) mask from the seeded stream, rescaled to keep the L1 norm', () => {
    const rho = 0.3;
    const got = bernoulli(d1, rho, 'l1', rng('dare'));
    const r = rng('dare');
    const mask = Array.from(d1, () => r.uniform() < Math.fround(rho));
    const kept = mask.filter(Boolean).length;
    assert.ok(Math.abs(kept / n - rho) < 0.03, `kept ${kept / n}`);
    const masked = d1.map((x, i) => (mask[i] ? x : 0));
    const scale = l1(d1) / l1(masked);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - masked[i] * scale) < 1e-8, `element ${i}`);
    assert.ok(Math.abs(l1(got) - l1(d1)) / l1(d1) < 1e-5, 'L1 kept');
    // ~1/density: the L1 rescale is close to the old 1/rho of DARE's paper
    assert.ok(Math.abs(scale * rho - 1) < 0.1, `scale ${scale}`);
    // bf16: the probability itself is bf16 (0.3 -> 0.30078125), and so is the scale
    const gb = bernoulli(bf16RoundArray(d1), rho, 'l1', rng('dare'), BF16);
    assert.deepEqual([...gb], [...bf16RoundArray(gb)]);
  });

  it('DELLA: keep probability (rho - eps) + 2 eps rank/(n-1) by |d| within each row, then the L1 rescale', () => {
    const rows = 40, cols = 100, rho = 0.5, eps = 0.15;
    const got = dellaMagprune(d1, [rows, cols], rho, eps, 'l1', rng('della'));
    const r = rng('della');
    const mask = new Uint8Array(n);
    for (let i = 0; i < rows; i++) {
      const row = d1.subarray(i * cols, (i + 1) * cols);
      for (let j = 0; j < cols; j++) {
        // rank by counting: how many in the row are smaller (ties: earlier index first)
        let rank = 0;
        for (let q = 0; q < cols; q++) if (Math.abs(row[q]) < Math.abs(row[j]) || (Math.abs(row[q]) === Math.abs(row[j]) && q < j)) rank++;
        const p = rho - eps + 2 * eps * (rank / (cols - 1));
        mask[i * cols + j] = r.uniform() < Math.fround(p) ? 1 : 0;
      }
    }
    const masked = d1.map((x, i) => (mask[i] ? x : 0));
    const scale = l1(d1) / l1(masked);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - masked[i] * scale) < 1e-8, `element ${i}`);
    // the largest-magnitude half is kept more often than the smallest half (0.575 vs 0.425 expected)
    const big = [], small = [];
    for (let i = 0; i < rows; i++) {
      const row = Array.from(d1.subarray(i * cols, (i + 1) * cols), Math.abs);
      const med = [...row].sort((a, b) => a - b)[cols / 2];
      row.forEach((v, j) => (v >= med ? big : small).push(mask[i * cols + j]));
    }
    const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
    assert.ok(mean(big) - mean(small) > 0.08, `big ${mean(big)} small ${mean(small)}`);
    assert.throws(() => dellaMagprune(d1, [rows, cols], 0.1, 0.15, null, rng('x')), /Epsilon/);
  });

  it('breadcrumbs: the top int(gamma n) and the bottom n - int(rho n) - int(gamma n) of |d| dropped, no rescale', () => {
    const rho = 0.4, gamma = 0.05;
    const got = magnitudeOutliers(d1, rho, null, gamma);
    const top = kthLargest(d1, Math.trunc(gamma * n));  // the smallest of the dropped top
    const low = kthLargest(d1, Math.trunc(gamma * n) + Math.trunc(rho * n));  // the smallest kept
    for (let i = 0; i < n; i++) {
      const a = Math.abs(d1[i]);
      assert.equal(got[i], a < top && a >= low ? d1[i] : 0, `element ${i}`);
    }
    assert.equal(got.filter((x) => x !== 0).length, Math.trunc(rho * n));
    // mergekit's `indices[n_bot:-n_top]` with n_top = 0 keeps nothing (a 50-element bias at gamma 0.01)
    assert.ok(magnitudeOutliers(d1.subarray(0, 50), 0.5, null, 0.01).every((x) => x === 0));
    // magnitude keeps exactly the top int(rho n)
    const m = magnitude(d1, rho);
    const thr = kthLargest(d1, Math.trunc(rho * n));
    for (let i = 0; i < n; i++) assert.equal(m[i], Math.abs(d1[i]) >= thr ? d1[i] : 0);
  });

  it("mergekit's own tests/test_sparsify.py assertions hold for the ports", () => {
    const t = gauss(128 * 64, 'sample');  // torch.randn(128, 64)
    const nz = (a) => a.filter((x) => x !== 0).length;
    assert.deepEqual(magnitude(t, 1), t);
    assert.throws(() => magnitude(t, 0), /k > 0/);
    assert.equal(nz(magnitude(t, 0.5)), t.length / 2);
    for (const g0 of [0.1, 0.2, 0.5, 1.0]) {
      for (const density of [0.1, 0.3, 0.5, 0.6, 0.9, 1.0]) {
        assert.equal(nz(magnitudeOutliers(t, density, null, g0 * (1 - density))), Math.trunc(t.length * density), `gamma0 ${g0} density ${density}`);
      }
    }
    const l1n = l1(t), l2n = Math.hypot(...t), linf = Math.max(...t.map(Math.abs));
    assert.ok(Math.abs(l1(magnitude(t, 0.5, 'l1')) / l1n - 1) < 0.01);
    assert.ok(Math.abs(Math.hypot(...magnitude(t, 0.5, 'l2')) / l2n - 1) < 0.01);
    assert.ok(Math.abs(Math.max(...magnitude(t, 0.5, 'linf').map(Math.abs)) / linf - 1) < 0.01);
    assert.ok(dellaMagprune(t, [128, 64], 0.5, 0.05, 'l1', rng('d')).every(Number.isFinite));
  });

  it('linear in bf16 (dtype unset) equals the older linearBf16Order port', () => {
    const a = bf16RoundArray(A1), b = bf16RoundArray(B);
    for (const w of [0.6, 0.571, 0.3]) assert.deepEqual(linearK([a, b], [w, 1 - w], { ar: BF16 }), linearBf16Order(a, b, w));
  });

  it('slerp and nuslerp follow the closed form; multislerp of two equal-norm task vectors is their bisector', () => {
    const cos = (x, y) => { let s = 0, nx = 0, ny = 0; for (let i = 0; i < x.length; i++) { s += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i]; } return s / Math.sqrt(nx * ny); };
    // slerp between two vectors 60 degrees apart (far from the lerp fallback)
    const u = gauss(n, 'u'), v0 = u, v1 = Float32Array.from(u, (x, i) => 0.5 * x + Math.sqrt(0.75) * gauss(n, 'w')[i]);
    const th = Math.acos(cos(v0, v1)), t = 0.3;
    const want = Float32Array.from(v0, (x, i) => (Math.sin((1 - t) * th) * x + Math.sin(t * th) * v1[i]) / Math.sin(th));
    assert.ok(maxAbsDiff(slerp(t, v0, v1), want) < 1e-4);
    const th2 = Math.acos(cos(d1, d2)), t2 = 0.4 / (0.6 + 0.4);
    const want2 = Float32Array.from(B, (b, i) => b + (Math.sin((1 - t2) * th2) * d1[i] + Math.sin(t2 * th2) * d2[i]) / Math.sin(th2));
    assert.ok(maxAbsDiff(nuslerp(B, A1, A2, 0.6, 0.4), want2) < 1e-6);
    const e2 = Float32Array.from(d2, (x) => x * 1.25);  // |e2| ~ |d1|
    const C = multislerp(B, [A1, add(B, e2)], [0.5, 0.5]);
    const Dm = D(C);
    const n1 = Math.sqrt(d1.reduce((s, x) => s + x * x, 0)), n2 = Math.sqrt(e2.reduce((s, x) => s + x * x, 0));
    const dir = Float32Array.from(d1, (x, i) => x / n1 + e2[i] / n2);
    assert.ok(cos(Dm, dir) > 0.9999, `cos ${cos(Dm, dir)}`);
    const nD = Math.sqrt(Dm.reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(nD - (n1 + n2) / 2) / nD < 1e-3, 'norm = mean of the norms');
  });

  it('karcher of two tensors is their slerp midpoint times the mean norm, whatever the weights', () => {
    const C = karcher([A1, A2]);
    const n1 = Math.hypot(...A1), n2 = Math.hypot(...A2);
    const u1 = A1.map((x) => x / n1), u2 = A2.map((x) => x / n2);
    const mid = slerp(0.5, u1, u2);
    const nm = Math.hypot(...mid);
    const want = mid.map((x) => (x / nm) * (n1 + n2) / 2);
    assert.ok(maxAbsDiff(C, want) < 1e-6, `diff ${maxAbsDiff(C, want)}`);
  });

  it('model_stock: t = k c / (1 + (k - 1) c) from the mean pairwise cosine; nearswap: |D| = min(|d|, t)', () => {
    const cos = (x, y) => { let s = 0, nx = 0, ny = 0; for (let i = 0; i < x.length; i++) { s += x[i] * y[i]; nx += x[i] * x[i]; ny += y[i] * y[i]; } return s / Math.sqrt(nx * ny); };
    const e2 = add(d2, Float32Array.from(d1, (x) => 0.8 * x));  // correlated with d1
    const { C, t } = modelStock(B, [A1, add(B, e2)]);
    const c = cos(d1, e2);
    assert.ok(Math.abs(t - (2 * c) / (1 + c)) < 1e-6, `t ${t}`);
    const want = Float32Array.from(B, (b, i) => t * ((A1[i] + b + e2[i]) / 2) + (1 - t) * b);
    assert.ok(maxAbsDiff(C, want) < 1e-7);
    const ns = nearswap(B, A1, 0.004);
    for (let i = 0; i < n; i++) {
      const dd = Math.abs(ns[i] - B[i]);
      assert.ok(Math.abs(dd - Math.min(Math.abs(d1[i]), 0.004)) < 1e-6, `element ${i}`);
      if (Math.abs(A1[i] - B[i]) <= 0.004) assert.equal(ns[i], A1[i]);
    }
  });
});

describe('mergekit parameter resolution (config.py evaluate_setting, plan.py layer t)', () => {
  it('gradients interpolate piecewise-linearly at t = layer / (layers - 1); filters take the first match', () => {
    assert.equal(evaluateSetting('x', 0.3, 0.7), 0.3);
    assert.ok(Math.abs(evaluateSetting('x', [0.2, 0.8], 0.5) - 0.5) < 1e-12);
    assert.ok(Math.abs(evaluateSetting('x', [0, 1, 0], 0.75) - 0.5) < 1e-12);
    assert.equal(evaluateSetting('x', [0, 1, 0], 1), 0);
    const s = [{ filter: 'attention', value: [0.9, 0.5] }, { filter: 'intermediate', value: 0.1 }, { value: 0.4 }];
    assert.equal(evaluateSetting('bert.encoder.layer.1.attention.self.query.weight', s, 1), 0.5);
    assert.equal(evaluateSetting('bert.encoder.layer.1.intermediate.dense.weight', s, 1), 0.1);
    assert.equal(evaluateSetting('bert.encoder.layer.1.output.dense.weight', s, 1), 0.4);
    assert.equal(evaluateSetting('y', [{ filter: 'attention', value: 1 }], 0), null);
    assert.equal(layerT('bert.encoder.layer.1.output.dense.weight', 2), 1);
    assert.equal(layerT('model.layers.3.mlp.up_proj.weight', 7), 0.5);
    assert.equal(layerT('bert.pooler.dense.weight', 2), 0);
  });

  it('a whole-model merge applies per-layer and per-component weights to the right tensors', () => {
    const names = ['bert.encoder.layer.0.attention.self.query.weight', 'bert.encoder.layer.1.attention.self.query.weight',
      'bert.encoder.layer.0.intermediate.dense.weight', 'bert.encoder.layer.1.intermediate.dense.weight'];
    const mk = (seed, scale, off) => new Map(names.map((nm) => [nm, { shape: [10, 10], data: off ? add(off.get(nm).data, gauss(100, seed + nm, scale)) : gauss(100, seed + nm, scale) }]));
    const base = mk('b', 0.05), a1 = mk('a1', 0.01, base), a2 = mk('a2', 0.01, base);
    const w1 = [{ filter: 'attention', value: [0.2, 0.8] }, { value: 0.5 }];
    const out = mergekitMerge({ method: 'task_arithmetic', base, models: [{ tensors: a1, parameters: { weight: w1 } }, { tensors: a2, parameters: { weight: [0.1, 0.3] } }], dtype: 'float32' });
    const want = { [names[0]]: [0.2, 0.1], [names[1]]: [0.8, 0.3], [names[2]]: [0.5, 0.1], [names[3]]: [0.5, 0.3] };
    for (const nm of names) {
      const C = out.get(nm).data, b = base.get(nm).data;
      const ref = taskArithmetic(b, [a1.get(nm).data, a2.get(nm).data], want[nm]);
      assert.ok(maxAbsDiff(C, ref) < 1e-8, nm);
    }
    // out_dtype bfloat16 rounds once at the end; dtype unset on bf16 inputs rounds every op
    const o16 = mergekitMerge({ method: 'task_arithmetic', base, models: [{ tensors: a1, parameters: { weight: 0.5 } }], dtype: 'float32', outDtype: 'bfloat16' });
    const C16 = o16.get(names[0]).data;
    assert.deepEqual([...C16], [...bf16RoundArray(C16)]);
    assert.equal(F32.q(0.1), Math.fround(0.1));
  });
});
