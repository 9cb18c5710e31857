// The GGUF test models, all from the real weights of shared/real-models, shared by the mock hub
// (tools/mock-hub/gguf-repos.mjs) and the `gguf` evaluation set (tests/eval/run.mjs --set gguf):
// quantized copies of a real fine-tune per type, quantized copies of a real linear merge, an
// unrelated model of the same shapes, and a llama-family model whose q/k rows llama.cpp permutes.
import fs from 'node:fs';
import path from 'node:path';

import { readSafetensors } from '../safetensors-io.mjs';
import { add, linear, mergeEach, norm, perturbation, rng, ties as tiesOne } from '../merge-ops.mjs';
import { hfToGguf } from './convert.mjs';
import { asMixtral, tinyMoe, tinyQwen35 } from './moe-models.mjs';
import { writeGguf, writeSplitGguf } from './writer.mjs';

/** The file types the evaluation and the mock hub quantize to (llama.cpp's common downloads). */
export const EVAL_TYPES = ['Q8_0', 'Q6_K', 'Q5_1', 'Q4_0', 'Q4_K', 'Q4_K_M'];
/** The alpha of the quantized merges: C = ALPHA sst2 + (1 - ALPHA) base, as the demo's merge. */
export const MERGE_ALPHA = 0.571;

/** @param {string} dir shared/real-models @param {string} name */
function real(dir, name) {
  const folder = path.join(dir, name);
  return { tensors: readSafetensors(path.join(folder, 'model.safetensors')).tensors, config: JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')) };
}

/**
 * The safetensors-side models the GGUF files are made of, in memory.
 * @param {string} dir shared/real-models
 */
export function sourceModels(dir) {
  const base = real(dir, 'bert-tiny-fhe-v0-weights');
  const sst2 = real(dir, 'bert-tiny-sst2-fhe');
  // BERT-tiny dumps hold the base's tensors plus a task head; the merge keeps the common ones.
  const merge = { tensors: mergeEach(sst2.tensors, base.tensors, (x, y) => linear(x, y, MERGE_ALPHA)), config: sst2.config };
  const ties = { tensors: mergeEach(sst2.tensors, base.tensors, (x, y) => tiesOne(x, y, 0.5)), config: sst2.config };
  // Unrelated: a random init of the same shapes (N(0, 0.02), as BERT's initializer_range), so
  // every tensor matches by name and shape and only the numbers differ.
  const rand = rng('gguf-unrelated');
  const unrelated = { tensors: new Map(), config: base.config };
  for (const [name, t] of base.tensors) {
    const data = new Float32Array(t.data.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(0.02 * rand.gauss());
    unrelated.tensors.set(name, { shape: t.shape, data });
  }
  // Llama family (HF names, so llama.cpp's q/k permutation applies): real tinystories-656k as the
  // base, a synthetic fine-tune of it (a rank-4 delta of 5% of each tensor's norm, as the core
  // set's storiesft) and a linear merge of the two.
  const tinystories = real(dir, 'tinystories-656k');
  const randFt = rng('gguf-tinystories-ft');
  const ft = { tensors: new Map(), config: tinystories.config };
  for (const [name, t] of tinystories.tensors) {
    const P = perturbation(new Float32Array(t.data.length), t.shape, 0.05 * norm(t.data), randFt);
    ft.tensors.set(name, { shape: t.shape, data: add(t.data, P) });
  }
  const tinystoriesMerge = { tensors: mergeEach(ft.tensors, tinystories.tensors, (x, y) => linear(x, y, MERGE_ALPHA)), config: tinystories.config };
  // MoE (stacked experts in GGUF) and Qwen3.5-style (Gated DeltaNet) models from the same real
  // weights (moe-models.mjs), each with a synthetic fine-tune, and a merge of the MoE pair.
  const moe = tinyMoe(tinystories);
  const moeFt = fineTune(moe, 'gguf-moe-ft');
  const moeMerge = { tensors: mergeEach(moeFt.tensors, moe.tensors, (x, y) => linear(x, y, MERGE_ALPHA)), config: moe.config };
  const mixtral = asMixtral(moe);
  const mixtralFt = asMixtral(moeFt);
  const mixtralMerge = asMixtral(moeMerge);
  const qwen35 = tinyQwen35(tinystories);
  const qwen35Ft = fineTune(qwen35, 'gguf-qwen35-ft');
  return { base, sst2, merge, ties, unrelated, tinystories, tinystoriesFt: ft, tinystoriesMerge, moe, moeFt, moeMerge, mixtral, mixtralFt, mixtralMerge, qwen35, qwen35Ft };
}

/** A synthetic fine-tune: every tensor + a rank-4 delta of 5% of its norm (as the core set's storiesft). */
function fineTune(m, seed) {
  const rand = rng(seed);
  const tensors = new Map();
  for (const [name, t] of m.tensors) {
    const P = perturbation(new Float32Array(t.data.length), t.shape.length === 3 ? [t.shape[0] * t.shape[1], t.shape[2]] : t.shape, 0.05 * norm(t.data), rand);
    tensors.set(name, { shape: t.shape, data: add(t.data, P) });
  }
  return { tensors, config: m.config };
}

/**
 * One GGUF file of a model. @param {{tensors: Map<string, any>, config: any}} m @param {string} fileType
 * @param {{name?: string, vocab?: number}} [o]
 */
export function ggufBytes(m, fileType, o = {}) {
  return writeGguf(hfToGguf({ tensors: m.tensors, config: m.config, fileType, name: o.name, vocab: o.vocab }));
}

/** A split GGUF (gguf-split's names). */
export function ggufSplit(m, fileType, stem, parts, o = {}) {
  const g = hfToGguf({ tensors: m.tensors, config: m.config, fileType, name: o.name, vocab: o.vocab });
  return writeSplitGguf({ stem, parts, metadata: g.metadata, tensors: g.tensors });
}
