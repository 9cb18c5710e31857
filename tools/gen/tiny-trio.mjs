// A tiny linear merge for engine tests that need a whole run but not real weights: base B,
// parent A, suspect C = B + 0.5 (A - B), three 32x32 f32 tensors each (about 12 kB a file, so a
// speculative header read brings the whole file), as safetensors bytes; plus an index + shard
// layout of any of them.
import { encodeSafetensors } from './safetensors-io.mjs';

export const TINY_NAMES = ['layers.0.attn.q.weight', 'layers.0.mlp.up.weight', 'layers.1.attn.q.weight'];

/** @returns {{base: Buffer, parent: Buffer, merge: Buffer}} */
export function tinyTrio() {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const B = TINY_NAMES.map(() => Float32Array.from({ length: 1024 }, rand));
  const A = B.map((b) => b.map((x) => x + 0.1 * rand()));
  const C = B.map((b, i) => b.map((x, j) => x + 0.5 * (A[i][j] - x)));
  const file = (arrs) => encodeSafetensors(TINY_NAMES.map((n, i) => [n, { shape: [32, 32], data: arrs[i] }]));
  return { base: file(B), parent: file(A), merge: file(C) };
}

/** The files of a one-shard sharded model: {index path: JSON text, shard path: bytes}. */
export function asSharded(bytes, shard = 'model-00001-of-00001.safetensors') {
  const index = JSON.stringify({ metadata: { total_size: bytes.length }, weight_map: Object.fromEntries(TINY_NAMES.map((n) => [n, shard])) });
  return { 'model.safetensors.index.json': index, [shard]: bytes };
}
