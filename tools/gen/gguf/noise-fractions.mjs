#!/usr/bin/env node
// Measures what src/stats/ggml_quant.h's K-quant constants stand for: the squared error ggml's
// reference quantizer (quants.mjs, byte-exact) actually leaves, over the uniform model's
// step^2 / 12 per element from the stored scales (the core's block_rounding_noise before its
// fraction), summed over every 2-D tensor of three models: real bert-tiny-sst2-fhe, real
// tinystories-656k and N(0, 0.02) of BERT-tiny's shapes. Tensors are quantized as flat rows
// (blocks of consecutive elements), which keeps every element of the small models in play.
//
//   node tools/gen/gguf/noise-fractions.mjs [TYPE...]      # default: every K-quant
import path from 'node:path';

import { readSafetensors } from '../safetensors-io.mjs';
import { rng } from '../merge-ops.mjs';
import { realModelsDir } from '../merges.mjs';
import { GGML_TYPES, dequantize, quantize } from './quants.mjs';
import { fp16ToFp32 } from './f32.mjs';

const f16 = (b, at) => fp16ToFp32(b[at] | (b[at + 1] << 8));
const k4 = (j, q, at) => (j < 4 ? q[at + j] & 63 : (q[at + j + 4] & 0xf) | ((q[at + j - 4] >> 6) << 4));
const q3scale = (b, j) => ((j < 8 ? b[96 + j] & 0xf : b[96 + j - 8] >> 4) | (((b[104 + (j % 4)] >> (2 * Math.trunc(j / 4))) & 3) << 4)) - 32;

/** Sum of step^2 / 12 over one super-block's elements, steps from the stored scales. */
const UNIFORM = {
  Q2_K: (b) => { let s = 0; for (let i = 0; i < 16; i++) s += 16 * (f16(b, 80) * (b[i] & 0xf)) ** 2 / 12; return s; },
  Q3_K: (b) => { let s = 0; for (let i = 0; i < 16; i++) s += 16 * (f16(b, 108) * q3scale(b, i)) ** 2 / 12; return s; },
  Q4_K: (b) => { let s = 0; for (let j = 0; j < 8; j++) s += 32 * (f16(b, 0) * k4(j, b, 4)) ** 2 / 12; return s; },
  Q5_K: (b) => { let s = 0; for (let j = 0; j < 8; j++) s += 32 * (f16(b, 0) * k4(j, b, 4)) ** 2 / 12; return s; },
  Q6_K: (b) => { let s = 0; for (let i = 0; i < 16; i++) s += 16 * (f16(b, 208) * ((b[192 + i] << 24) >> 24)) ** 2 / 12; return s; },
};

function models() {
  const dir = realModelsDir();
  const load = (name) => readSafetensors(path.join(dir, name, 'model.safetensors')).tensors;
  const bert = load('bert-tiny-sst2-fhe');
  const r = rng('noise-fractions');
  const gauss = new Map([...bert].map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.data, () => 0.02 * r.gauss()) }]));
  return { 'bert-tiny-sst2-fhe': bert, 'tinystories-656k': load('tinystories-656k'), 'N(0,0.02)': gauss };
}

const types = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(UNIFORM);
for (const [name, tensors] of Object.entries(models())) {
  const row = [];
  for (const type of types) {
    const { bytes } = GGML_TYPES[type];
    let err = 0;
    let model = 0;
    for (const t of tensors.values()) {
      if (t.shape.length < 2) continue;
      const n = t.data.length - (t.data.length % 256);
      if (!n) continue;
      const x = t.data.subarray(0, n);
      const q = quantize(type, x);
      const y = dequantize(type, q, n);
      for (let i = 0; i < n; i++) err += (y[i] - x[i]) ** 2;
      for (let b = 0; b < n / 256; b++) model += UNIFORM[type](q.subarray(b * bytes, (b + 1) * bytes));
    }
    row.push(`${type} ${(err / model).toFixed(3)}`);
  }
  console.log(`${name}: ${row.join('  ')}`);
}
