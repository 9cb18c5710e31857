// The arithmetic mergekit's torch code runs in. mergekit computes in the tensors' own dtype unless
// the config sets `dtype:` (mergekit/io/tasks.py LoadTensor: `x.to(dtype)` only when set), so bf16
// checkpoints merged without `dtype:` are merged in bf16: every elementwise torch op rounds its
// result to bf16 (the op itself runs in f32 "opmath"), and reductions (`sum`) accumulate in f32 and
// round once. `ar.q` is that rounding; `ar.sum` a reduction over a whole tensor.
//
// Not reproduced: torch's summation order for large f32 reductions (pairwise/vectorised; here a
// double accumulator rounded once, which differs from torch by a few f32 ulps of the sum).
import { bf16Round } from '../safetensors-io.mjs';

const fr = Math.fround;

function make(name, q) {
  return {
    name,
    q,
    /** torch `x.sum()` of a tensor in this dtype (f32 accumulation, one rounding). */
    sum(a, f = (x) => x) {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += f(a[i]);
      return q(fr(s));
    },
    /** torch `x.norm()` (2-norm) in this dtype. */
    norm(a) {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * a[i];
      return q(fr(Math.sqrt(s)));
    },
    /** A copy of `a` cast to this dtype (`tensor.to(dtype)`). */
    cast(a) {
      const o = new Float32Array(a.length);
      for (let i = 0; i < a.length; i++) o[i] = q(a[i]);
      return o;
    },
  };
}

export const F32 = make('float32', fr);
export const BF16 = make('bfloat16', bf16Round);

/** The arithmetic for a mergekit dtype name ('float32' | 'bfloat16'). */
export function arithmetic(dtype) {
  if (dtype === 'float32' || dtype === 'F32') return F32;
  if (dtype === 'bfloat16' || dtype === 'BF16') return BF16;
  throw new Error(`unsupported dtype ${dtype}`);
}
