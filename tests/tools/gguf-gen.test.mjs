// The GGUF test generator (tools/gen/gguf/): the reference quantizers byte for byte against ggml's
// own C code (the fixture tests/support/ggml-quantize-ref.mjs made from ggml's ggml-quants.c), the
// writer against a peer's parser (@huggingface/gguf, dev dependency), and the HF -> GGUF
// conversion (names, reversed dims, the q/k row permutation, per-tensor types). Every GGUF file
// the mock hub and the evaluation serve comes from here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gguf, GGUFValueType } from '@huggingface/gguf';

import { GGML_TYPES, QUANT_TYPES, dequantize, quantize } from '../../tools/gen/gguf/quants.mjs';
import { fp16ToFp32, fp32ToFp16, nearestInt } from '../../tools/gen/gguf/f32.mjs';
import { VALUE_TYPES, writeGguf, writeSplitGguf, splitName } from '../../tools/gen/gguf/writer.mjs';
import { hfToGguf, permuteRows, stackExperts, tensorType, ggufName } from '../../tools/gen/gguf/convert.mjs';
import { asMixtral, fuseExperts, tinyMoe, tinyQwen35 } from '../../tools/gen/gguf/moe-models.mjs';
import { readSafetensors, realModelsDir } from '../../tools/gen/merges.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.join(here, '../fixtures/gguf/ggml-quantize-ref.json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gguf-gen-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const floats = (hex) => { const b = Buffer.from(hex, 'hex'); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)); };
async function parse(bytes, name = 'm.gguf') {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return gguf(file, { allowLocalFile: true, typedMetadata: true });
}

describe('reference quantizers vs ggml', () => {
  const fx = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));

  it('the fixture covers every type on real rows and edge cases', () => {
    assert.ok(fx.cases.length >= 10);
    for (const type of QUANT_TYPES) assert.ok(fx.cases.filter((c) => c.outputs[type]).length >= 10, type);
  });

  for (const type of QUANT_TYPES) {
    it(`${type} equals quantize_row_${type.toLowerCase()}_ref byte for byte`, () => {
      for (const c of fx.cases) {
        if (!c.outputs[type]) continue;
        assert.equal(Buffer.from(quantize(type, floats(c.input_f32_hex))).toString('hex'), c.outputs[type], `${type} on "${c.name}"`);
      }
    });
  }

  it('dequantizes within half a step of the input (one step for the k-quants)', () => {
    const x = floats(fx.cases[0].input_f32_hex);
    const amax = Math.max(...x.map(Math.abs));
    const bound = { Q8_0: 0.5 / 127, Q4_0: 0.5 / 7, Q4_1: 1 / 15, Q5_0: 0.5 / 15, Q5_1: 1 / 31, Q2_K: 2 / 3, Q3_K: 2 / 7, Q4_K: 2 / 15, Q5_K: 2 / 31, Q6_K: 1 / 31 };
    for (const type of QUANT_TYPES) {
      const y = dequantize(type, quantize(type, x), x.length);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i] - x[i]));
      assert.ok(worst <= bound[type] * amax * 1.01, `${type}: max error ${worst} vs ${bound[type] * amax}`);
      assert.ok(worst > 0, `${type} is lossy on real weights`);
    }
  });

  // tests/fixtures/ggml-golden/dequant.txt: blocks ggml's quantize_row_*_ref made and the floats
  // ggml's dequantize_row_* made of them; the core's dequantizer is held to the same file
  // (tests/cpp/stats/ggml_quant_test.cpp), so the generator's blocks read the same in both.
  it('dequantizes bit for bit as ggml dequantize_row_* (the golden vectors the core is held to)', () => {
    const lines = fs.readFileSync(path.join(here, '../fixtures/ggml-golden/dequant.txt'), 'utf8').split('\n').filter((l) => l && l[0] !== '#');
    const seen = {};
    for (const line of lines) {
      const [type, name, n, blocksHex, valuesHex] = line.split(' ');
      if (!GGML_TYPES[type]) continue;
      const got = dequantize(type, Buffer.from(blocksHex, 'hex'), Number(n));
      assert.equal(Buffer.from(got.buffer).toString('hex'), valuesHex, `${type} ${name}`);
      seen[type] = (seen[type] ?? 0) + 1;
    }
    for (const type of QUANT_TYPES) assert.ok(seen[type] >= 10, `${type}: ${seen[type]} vectors`);
  });

  it('fp16 and nearest_int follow ggml (round half to even, NaN quiet)', () => {
    assert.equal(fp32ToFp16(1), 0x3c00);
    assert.equal(fp32ToFp16(65504), 0x7bff);
    assert.equal(fp32ToFp16(65520), 0x7c00);          // rounds to inf
    assert.equal(fp32ToFp16(2 ** -25), 0);            // tie between 0 and the least subnormal: even
    assert.equal(fp32ToFp16(NaN), 0x7e00);
    assert.equal(fp16ToFp32(0x0001), 2 ** -24);
    assert.equal(nearestInt(2.5), 2);
    assert.equal(nearestInt(3.5), 4);
    assert.equal(nearestInt(-2.5), -2);
  });
});

describe('GGUF writer vs @huggingface/gguf', () => {
  const metadata = [
    { key: 'general.architecture', type: 'STRING', value: 'llama' },
    { key: 't.u8', type: 'UINT8', value: 250 },
    { key: 't.i8', type: 'INT8', value: -100 },
    { key: 't.u16', type: 'UINT16', value: 65000 },
    { key: 't.i16', type: 'INT16', value: -30000 },
    { key: 't.u32', type: 'UINT32', value: 4e9 },
    { key: 't.i32', type: 'INT32', value: -2e9 },
    { key: 't.f32', type: 'FLOAT32', value: 0.25 },
    { key: 't.bool', type: 'BOOL', value: true },
    { key: 't.str', type: 'STRING', value: 'naïve — 模型' },
    { key: 't.u64', type: 'UINT64', value: 2n ** 60n },
    { key: 't.i64', type: 'INT64', value: -(2n ** 60n) },
    { key: 't.f64', type: 'FLOAT64', value: 1 / 3 },
    { key: 't.strs', type: 'ARRAY', itemType: 'STRING', value: ['a', '', 'ccc'] },
    { key: 't.ints', type: 'ARRAY', itemType: 'INT32', value: [1, -2, 3] },
    { key: 't.empty', type: 'ARRAY', itemType: 'FLOAT32', value: [] },
    { key: 't.nested', type: 'ARRAY', itemType: 'ARRAY', value: [{ itemType: 'UINT8', value: [1, 2] }, { itemType: 'UINT8', value: [3] }] },
  ];
  const x = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
  const tensors = [
    { name: 'a', dims: [64, 8], type: 'Q8_0', data: quantize('Q8_0', x) },
    { name: 'b', dims: [7], type: 'F32', data: quantize('F32', x.slice(0, 7)) },
    { name: 'c', dims: [256, 2], type: 'Q4_K', data: quantize('Q4_K', x) },
    ...['Q2_K', 'Q3_K', 'Q5_K'].map((type) => ({ name: type.toLowerCase(), dims: [256, 2], type, data: quantize(type, x) })),
  ];

  for (const [version, alignment] of [[3, 32], [2, 32], [3, 64]]) {
    it(`v${version}, alignment ${alignment}: every value type, tensor infos, offsets and data`, async () => {
      const bytes = writeGguf({ version, metadata, tensors, alignment });
      const r = await parse(bytes, `v${version}-${alignment}.gguf`);
      const md = /** @type {any} */ (r.typedMetadata);
      assert.equal(md.version.value, version);
      assert.equal(md.tensor_count.value, BigInt(tensors.length));
      for (const kv of metadata) {
        const got = md[kv.key];
        assert.ok(got, kv.key);
        assert.equal(got.type, GGUFValueType[kv.type], kv.key);
        if (kv.type === 'ARRAY' && kv.itemType === 'ARRAY') {
          assert.deepEqual(got.value, kv.value.map((a) => a.value));
        } else if (kv.type === 'ARRAY') {
          assert.equal(got.subType, VALUE_TYPES[kv.itemType]);
          assert.deepEqual(got.value, kv.value);
        } else {
          assert.deepEqual(got.value, kv.value, kv.key);
        }
      }
      if (alignment !== 32) assert.equal(md['general.alignment'].value, alignment);
      assert.equal(Number(r.tensorDataOffset) % alignment, 0);
      for (const [i, t] of tensors.entries()) {
        const info = r.tensorInfos[i];
        assert.equal(info.name, t.name);
        assert.deepEqual(info.shape.map(Number), t.dims);
        assert.equal(info.dtype, GGML_TYPES[t.type].id);
        assert.equal(Number(info.offset) % alignment, 0);
        const at = Number(r.tensorDataOffset + info.offset);
        assert.deepEqual(bytes.subarray(at, at + t.data.length), t.data, t.name);
      }
    });
  }

  it('split files: each a GGUF of its own tensors with split.no/count/tensors.count', async () => {
    const files = writeSplitGguf({ stem: 'm-Q8_0', parts: 3, metadata: metadata.slice(0, 2), tensors: tensors.slice(0, 3) });
    assert.deepEqual(files.map((f) => f.name), [1, 2, 3].map((k) => splitName('m-Q8_0', k, 3)));
    assert.equal(files[0].name, 'm-Q8_0-00001-of-00003.gguf');
    const seen = [];
    for (const [k, f] of files.entries()) {
      const r = await parse(f.bytes, f.name);
      const md = /** @type {any} */ (r.typedMetadata);
      assert.equal(md['split.no'].value, k);
      assert.equal(md['split.count'].value, 3);
      assert.equal(md['split.tensors.count'].value, 3);
      assert.equal(!!md['general.architecture'], k === 0);
      seen.push(...r.tensorInfos.map((t) => t.name));
      assert.equal(r.tensorInfos[0].offset, 0n);
    }
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it('refuses data that does not match its type and dims', () => {
    assert.throws(() => writeGguf({ tensors: [{ name: 'x', dims: [32, 2], type: 'Q8_0', data: new Uint8Array(34) }] }), /34 bytes for 68/);
    assert.throws(() => quantize('Q4_K', new Float32Array(255)), /whole Q4_K blocks/);
  });
});

describe('HF -> GGUF conversion', () => {
  const real = (name) => {
    const dir = path.join(realModelsDir(), name);
    return { ...readSafetensors(path.join(dir, 'model.safetensors')), config: JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) };
  };

  it('permutes q/k rows as LlamaModel.permute: (head, half, i) -> (head, i, half)', () => {
    // 2 heads of 4 rows (half = 2), 1 column: HF rows 0..7 -> [0,2,1,3, 4,6,5,7]
    const out = permuteRows(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [8, 1], 2);
    assert.deepEqual([...out], [0, 2, 1, 3, 4, 6, 5, 7]);
    const wide = permuteRows(Float32Array.from({ length: 16 }, (_, i) => i), [8, 2], 2);
    assert.deepEqual([...wide.slice(2, 4)], [4, 5]);  // GGUF row 1 = HF row 2, whole row moved
  });

  it('tinystories-656k (HF llama): llama.cpp names, reversed dims, permuted q/k, F32 norms', async () => {
    const m = real('tinystories-656k');
    const g = hfToGguf({ tensors: m.tensors, config: m.config, fileType: 'Q8_0', name: 'tinystories-656k' });
    const r = await parse(writeGguf(g), 'ts.gguf');
    const info = new Map(r.tensorInfos.map((t) => [t.name, t]));
    assert.deepEqual(info.get('blk.0.attn_q.weight').shape.map(Number), [128, 128]);
    assert.deepEqual(info.get('blk.1.attn_k.weight').shape.map(Number), [128, 64]);
    assert.deepEqual(info.get('blk.0.ffn_down.weight').shape.map(Number), [384, 128]);
    assert.equal(info.get('output_norm.weight').dtype, GGML_TYPES.F32.id);
    assert.equal(info.get('output.weight').dtype, GGML_TYPES.Q8_0.id);
    assert.equal(/** @type {any} */ (r.typedMetadata)['llama.attention.head_count_kv'].value, 4);
    // k_proj: 4 kv heads of 16 rows; GGUF row 1 is HF row 8 (head 0, i 0, second half).
    const k = g.tensors.find((t) => t.name === 'blk.1.attn_k.weight');
    const hf = m.tensors.get('model.layers.1.self_attn.k_proj.weight').data;
    const deq = dequantize('Q8_0', k.data, 64 * 128);
    const cos = (a, b) => { let ab = 0, aa = 0, bb = 0; for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] ** 2; bb += b[i] ** 2; } return ab / Math.sqrt(aa * bb); };
    assert.ok(cos(deq.subarray(128, 256), hf.subarray(8 * 128, 9 * 128)) > 0.999);
    assert.ok(Math.abs(cos(deq.subarray(128, 256), hf.subarray(128, 256))) < 0.9);
  });

  it('stories260K (Meta names): no permutation, rows that fit no block fall back', () => {
    const m = real('stories260K');
    const g = hfToGguf({ tensors: m.tensors, config: m.config, fileType: 'Q4_0' });
    const q = g.tensors.find((t) => t.name === 'blk.0.attn_q.weight');
    assert.equal(q.type, 'Q4_0');
    const deq = dequantize('Q4_0', q.data, 64 * 64);
    const src = m.tensors.get('layers.0.attention.wq.weight').data;
    let err = 0;
    for (let i = 0; i < 64; i++) err = Math.max(err, Math.abs(deq[64 + i] - src[64 + i]));
    assert.ok(err < 0.1 * Math.max(...src.subarray(64, 128).map(Math.abs)));  // row 1 stays row 1
    assert.equal(g.tensors.find((t) => t.name === 'blk.0.ffn_down.weight').type, 'F16');  // rows of 172
  });

  it('BERT names and the Q4_K_M mix (llama-quant.cpp): Q6_K attn_v/ffn_down in first/last layers, fallbacks', () => {
    assert.equal(ggufName('bert', 'bert.encoder.layer.1.output.dense.weight'), 'blk.1.ffn_down.weight');
    assert.equal(ggufName('bert', 'classifier.bias'), 'cls.output.bias');
    assert.equal(tensorType('Q4_K_M', 'blk.0.ffn_down.weight', [512, 128], 2), 'Q6_K');
    assert.equal(tensorType('Q4_K_M', 'blk.0.attn_q.weight', [512, 128], 2), 'Q4_K');
    assert.equal(tensorType('Q4_K_M', 'blk.0.attn_q.weight', [128, 128], 2), 'Q5_0');
    assert.equal(tensorType('Q6_K', 'blk.0.attn_q.weight', [128, 128], 2), 'Q8_0');
    assert.equal(tensorType('Q5_K', 'blk.0.attn_q.weight', [128, 128], 2), 'Q5_1');
    assert.equal(tensorType('Q2_K', 'blk.0.ffn_down.weight', [512, 128], 2), 'Q2_K');
    assert.equal(tensorType('Q2_K', 'blk.0.attn_q.weight', [128, 128], 2), 'Q4_0');
    assert.equal(tensorType('Q3_K', 'blk.0.attn_q.weight', [128, 128], 2), 'Q4_1');
    assert.equal(tensorType('Q8_0', 'blk.0.attn_q.bias', [128], 2), 'F32');
    assert.equal(tensorType('Q8_0', 'x', [172, 64], 2), 'F16');
    const m = real('bert-tiny-sst2-fhe');
    const g = hfToGguf({ tensors: m.tensors, config: {}, fileType: 'Q4_K' });
    assert.equal(g.family, 'bert');
    assert.equal(g.tensors.find((t) => t.name === 'blk.0.ffn_down.weight').type, 'Q4_K');
  });

  it('a vocabulary in the metadata makes a header larger than a first read', async () => {
    const m = real('tinystories-656k');
    const g = hfToGguf({ tensors: m.tensors, config: m.config, fileType: 'Q8_0', vocab: 60_000 });
    const bytes = writeGguf(g);
    const r = await parse(bytes, 'vocab.gguf');
    assert.ok(Number(r.tensorDataOffset) > 1 << 20);
    assert.equal(/** @type {any} */ (r.typedMetadata)['tokenizer.ggml.tokens'].value.length, 60_000);
  });

  it('MoE (Qwen2MoeModel): experts stacked over the expert index, GGUF dims [H, I, E], router F32', async () => {
    const moe = tinyMoe(real('tinystories-656k'));
    const stacked = stackExperts(moe.tensors);
    const gate = stacked.get('model.layers.1.mlp.experts.gate_proj.weight');
    assert.deepEqual(gate.shape, [4, 256, 128]);
    assert.deepEqual([...gate.data.subarray(2 * 256 * 128, 2 * 256 * 128 + 8)],
      [...moe.tensors.get('model.layers.1.mlp.experts.2.gate_proj.weight').data.subarray(0, 8)]);  // expert 2 starts at 2 * I rows
    const g = hfToGguf({ tensors: moe.tensors, config: moe.config, fileType: 'Q4_K' });
    const r = await parse(writeGguf(g), 'moe.gguf');
    const info = new Map(r.tensorInfos.map((t) => [t.name, t]));
    assert.deepEqual(info.get('blk.0.ffn_gate_exps.weight').shape.map(Number), [128, 256, 4]);
    assert.deepEqual(info.get('blk.0.ffn_down_exps.weight').shape.map(Number), [256, 128, 4]);
    assert.equal(info.get('blk.0.ffn_down_exps.weight').dtype, GGML_TYPES.Q4_K.id);  // rows of 256
    assert.equal(info.get('blk.0.ffn_gate_exps.weight').dtype, GGML_TYPES.Q5_0.id);  // rows of 128: fallback
    assert.equal(info.get('blk.0.ffn_gate_inp.weight').dtype, GGML_TYPES.F32.id);
    assert.ok(info.has('blk.1.ffn_gate_inp_shexp.weight') && info.has('blk.1.ffn_down_shexp.weight'));
    assert.equal(/** @type {any} */ (r.typedMetadata)['qwen2moe.expert_count'].value, 4);
    // The fused HF form holds the same values: expert 1's up rows follow its gate rows.
    const fused = fuseExperts(moe).tensors.get('model.layers.0.mlp.experts.gate_up_proj');
    assert.deepEqual(fused.shape, [4, 512, 128]);
    assert.equal(fused.data[(512 + 256) * 128], moe.tensors.get('model.layers.0.mlp.experts.1.up_proj.weight').data[0]);
    // Mixtral's names: architecture llama, w1/w3/w2 stacked into the same llama.cpp names.
    const mx = hfToGguf({ tensors: asMixtral(moe).tensors, config: asMixtral(moe).config, fileType: 'Q8_0' });
    const mxNames = new Set(mx.tensors.map((t) => t.name));
    assert.ok(['blk.1.ffn_gate_exps.weight', 'blk.1.ffn_up_exps.weight', 'blk.1.ffn_down_exps.weight', 'blk.1.ffn_gate_inp.weight'].every((n) => mxNames.has(n)));
    assert.equal(mx.metadata.find((k) => k.key === 'general.architecture').value, 'llama');
  });

  it('Qwen3.5 (Qwen3NextModel.modify_tensors): -exp(A_log), 1 + w norms but linear_attn.norm, conv1d squeezed, V heads tiled', () => {
    const q = tinyQwen35(real('tinystories-656k'));
    const g = hfToGguf({ tensors: q.tensors, config: q.config, fileType: 'Q8_0' });
    const t = new Map(g.tensors.map((x) => [x.name, x]));
    const f32 = (name) => new Float32Array(t.get(name).data.buffer, t.get(name).data.byteOffset, t.get(name).data.length / 4);
    const src = (name) => q.tensors.get(name).data;
    assert.equal(f32('blk.0.ssm_a')[1], Math.fround(-Math.exp(src('model.layers.0.linear_attn.A_log')[2])));
    assert.equal(f32('blk.0.attn_norm.weight')[3], Math.fround(src('model.layers.0.input_layernorm.weight')[3] + 1));
    assert.equal(f32('blk.0.ssm_norm.weight')[3], src('model.layers.0.linear_attn.norm.weight')[3]);
    assert.deepEqual(t.get('blk.0.ssm_conv1d.weight').dims, [4, 256]);
    assert.equal(t.get('blk.0.ssm_conv1d.weight').type, 'F32');
    assert.deepEqual(t.get('blk.1.attn_q.weight').dims, [128, 256]);
    // 2 key heads, 4 value heads: HF head k * 2 + v goes to position v * 2 + k (_LinearAttentionVReorderBase).
    const dt = src('model.layers.0.linear_attn.dt_bias');
    assert.deepEqual([...f32('blk.0.ssm_dt.bias')], [dt[0], dt[2], dt[1], dt[3]]);
    const conv = f32('blk.0.ssm_conv1d.weight'), convSrc = src('model.layers.0.linear_attn.conv1d.weight');
    const vStart = 2 * 64 * 4;  // the q and k channels (2 x 64) of 4 taps stay in place
    assert.deepEqual([...conv.subarray(0, vStart)], [...convSrc.subarray(0, vStart)]);
    assert.deepEqual([...conv.subarray(vStart + 32 * 4, vStart + 64 * 4)], [...convSrc.subarray(vStart + 64 * 4, vStart + 96 * 4)]);
  });
});
