// Reference quantizers of ggml (ggml-org/ggml src/ggml-quants.c, quantize_row_*_ref, read at
// d99724f2), ported operation by operation in binary32 so that their bytes equal the C code's
// (checked against the C reference built with gcc: tests/fixtures/gguf/ggml-quantize-ref.json,
// made by tests/support/ggml-quantize-ref.mjs). Dequantizers follow dequantize_row_*.
// These are the quantizers llama.cpp's `llama-quantize` uses without an importance matrix.
// Block layouts (little-endian, fp16 scales):
//   Q8_0 (32): d, qs[32] int8                               34 bytes   x = d q
//   Q4_0 (32): d, qs[16] (lo nibble j, hi nibble j+16)      18 bytes   x = d (q - 8)
//   Q4_1 (32): d, m, qs[16]                                 20 bytes   x = d q + m
//   Q5_0 (32): d, qh u32 (5th bits), qs[16]                 22 bytes   x = d (q - 16)
//   Q5_1 (32): d, m, qh u32, qs[16]                         24 bytes   x = d q + m
//   Q2_K (256): scales[16] (4-bit scale | 4-bit min << 4), qs[64], d, dmin        84 bytes
//   Q3_K (256): hmask[32], qs[64] (2 low bits), scales[12] (16 x 6-bit), d        110 bytes
//   Q4_K (256): d, dmin, scales[12] (8 x 6-bit scale+min), qs[128]      144 bytes
//   Q5_K (256): d, dmin, scales[12], qh[32] (5th bits), qs[128]                  176 bytes
//   Q6_K (256): ql[128], qh[64], scales[16] int8, d         210 bytes

import { fr, fp32ToFp16, fp16ToFp32, nearestInt, roundf } from './f32.mjs';
import { bf16Bits, bf16ToF32 } from '../safetensors-io.mjs';

/** ggml_type ids (ggml.h) with block size and bytes per block. */
export const GGML_TYPES = {
  F32: { id: 0, block: 1, bytes: 4 },
  F16: { id: 1, block: 1, bytes: 2 },
  Q4_0: { id: 2, block: 32, bytes: 18 },
  Q4_1: { id: 3, block: 32, bytes: 20 },
  Q5_0: { id: 6, block: 32, bytes: 22 },
  Q5_1: { id: 7, block: 32, bytes: 24 },
  Q8_0: { id: 8, block: 32, bytes: 34 },
  Q2_K: { id: 10, block: 256, bytes: 84 },
  Q3_K: { id: 11, block: 256, bytes: 110 },
  Q4_K: { id: 12, block: 256, bytes: 144 },
  Q5_K: { id: 13, block: 256, bytes: 176 },
  Q6_K: { id: 14, block: 256, bytes: 210 },
  BF16: { id: 30, block: 1, bytes: 2 },
};
/** @typedef {keyof typeof GGML_TYPES} GgmlTypeName */

/** Bytes of n elements of a type (n a multiple of its block). @param {GgmlTypeName} type @param {number} n */
export function typeBytes(type, n) {
  const t = GGML_TYPES[type];
  if (n % t.block) throw new Error(`${n} elements are not whole ${type} blocks of ${t.block}`);
  return (n / t.block) * t.bytes;
}

const putF16 = (out, at, v) => { const h = fp32ToFp16(v); out[at] = h & 0xff; out[at + 1] = h >> 8; };
const getF16 = (b, at) => fp16ToFp32(b[at] | (b[at + 1] << 8));

/** Max of |x| with the sign of the first largest, as quantize_row_q4_0/q5_0 search it. */
function signedAbsMax(x, o, n) {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
  }
  return max;
}

function minMax(x, o, n) {
  let min = Infinity;  // FLT_MAX in C: the same for finite inputs
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[o + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function q8_0(x, o, out, at) {
  let amax = 0;
  for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
  const d = fr(amax / 127);
  const id = d ? fr(1 / d) : 0;
  putF16(out, at, d);
  for (let j = 0; j < 32; j++) out[at + 2 + j] = roundf(fr(x[o + j] * id)) & 0xff;
}

function q4_0(x, o, out, at) {
  const max = signedAbsMax(x, o, 32);
  const d = fr(max / -8);
  const id = d ? fr(1 / d) : 0;
  putF16(out, at, d);
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(15, Math.trunc(fr(fr(x[o + j] * id) + 8.5)));
    const xi1 = Math.min(15, Math.trunc(fr(fr(x[o + 16 + j] * id) + 8.5)));
    out[at + 2 + j] = xi0 | (xi1 << 4);
  }
}

function q4_1(x, o, out, at) {
  const [min, max] = minMax(x, o, 32);
  const d = fr(fr(max - min) / 15);
  const id = d ? fr(1 / d) : 0;
  putF16(out, at, d);
  putF16(out, at + 2, min);
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(15, Math.trunc(fr(fr(fr(x[o + j] - min) * id) + 0.5)));
    const xi1 = Math.min(15, Math.trunc(fr(fr(fr(x[o + 16 + j] - min) * id) + 0.5)));
    out[at + 4 + j] = xi0 | (xi1 << 4);
  }
}

function putQh(out, at, qh) {
  for (let b = 0; b < 4; b++) out[at + b] = (qh >>> (8 * b)) & 0xff;
}

function q5_0(x, o, out, at) {
  const max = signedAbsMax(x, o, 32);
  const d = fr(max / -16);
  const id = d ? fr(1 / d) : 0;
  putF16(out, at, d);
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(31, Math.trunc(fr(fr(x[o + j] * id) + 16.5)));
    const xi1 = Math.min(31, Math.trunc(fr(fr(x[o + 16 + j] * id) + 16.5)));
    out[at + 6 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >> 4) << j;
    qh |= ((xi1 & 0x10) >> 4) << (j + 16);
  }
  putQh(out, at + 2, qh >>> 0);
}

function q5_1(x, o, out, at) {
  const [min, max] = minMax(x, o, 32);
  const d = fr(fr(max - min) / 31);
  const id = d ? fr(1 / d) : 0;
  putF16(out, at, d);
  putF16(out, at + 2, min);
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.trunc(fr(fr(fr(x[o + j] - min) * id) + 0.5)) & 0xff;
    const xi1 = Math.trunc(fr(fr(fr(x[o + 16 + j] - min) * id) + 0.5)) & 0xff;
    out[at + 8 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >> 4) << j;
    qh |= ((xi1 & 0x10) >> 4) << (j + 16);
  }
  putQh(out, at + 4, qh >>> 0);
}

/**
 * make_qkx2_quants: scale and min of one sub-block by a weighted search over nstep + 1 candidate
 * scales, by squared error or (useMad, Q2_K) absolute error.
 * Returns [scale, theMin]; L (Uint8Array) gets the levels.
 */
function makeQkx2(n, nmax, x, o, weights, L, lo, rmin, rdelta, nstep, useMad = false) {
  let min = x[o];
  let max = x[o];
  let sumW = weights[0];
  let sumX = fr(sumW * x[o]);
  for (let i = 1; i < n; i++) {
    const v = x[o + i];
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i];
    sumW = fr(sumW + w);
    sumX = fr(sumX + fr(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return [0, -min];
  }
  let iscale = fr(nmax / fr(max - min));
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = nearestInt(fr(iscale * fr(x[o + i] - min)));
    L[lo + i] = Math.max(0, Math.min(nmax, l));
    let diff = fr(fr(fr(scale * L[lo + i]) + min) - x[o + i]);
    diff = useMad ? Math.abs(diff) : fr(diff * diff);
    bestError = fr(bestError + fr(weights[i] * diff));
  }
  if (nstep < 1) return [scale, -min];
  const aux = new Uint8Array(n);
  for (let is = 0; is <= nstep; is++) {
    // `min` is the best so far, as in C: the search moves its origin as it improves.
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / fr(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(fr(iscale * fr(x[o + i] - min)))));
      aux[i] = l;
      const w = weights[i];
      const wl = fr(w * l);
      sumL = fr(sumL + wl);
      sumL2 = fr(sumL2 + fr(wl * l));
      sumXL = fr(sumXL + fr(wl * x[o + i]));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let cur = 0;
      for (let i = 0; i < n; i++) {
        let diff = fr(fr(fr(thisScale * aux[i]) + thisMin) - x[o + i]);
        diff = useMad ? Math.abs(diff) : fr(diff * diff);
        cur = fr(cur + fr(weights[i] * diff));
      }
      if (cur < bestError) {
        for (let i = 0; i < n; i++) L[lo + i] = aux[i];
        bestError = cur;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return [scale, -min];
}

/** get_scale_min_k4: the j-th 6-bit scale and min of a Q4_K/Q5_K scales[12]. */
function scaleMinK4(j, q, at) {
  if (j < 4) return [q[at + j] & 63, q[at + j + 4] & 63];
  return [(q[at + j + 4] & 0xf) | ((q[at + j - 4] >> 6) << 4), (q[at + j + 4] >> 4) | ((q[at + j] >> 6) << 4)];
}

/**
 * The 8 sub-blocks of 32 of a Q4_K / Q5_K super-block: make_qkx2_quants per sub-block, the 6-bit
 * scales and mins packed into out[at + 4 ..] after f16 d and dmin, then every element re-rounded
 * on the stored grid. Returns the levels (0..nmax) in element order.
 */
function kScaleMin32(x, o, out, at, nmax, rmin, nstep) {
  const L = new Uint8Array(256);
  const weights = new Float32Array(32);
  const mins = new Float32Array(8);
  const scales = new Float32Array(8);
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[o + 32 * j + l] * x[o + 32 * j + l]));
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[o + 32 * j + l]));
    const [s, m] = makeQkx2(32, nmax, x, o + 32 * j, weights, L, 32 * j, rmin, fr(0.1), nstep);
    scales[j] = s;
    mins[j] = m;
    if (s > maxScale) maxScale = s;
    if (m > maxMin) maxMin = m;
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  const sc = at + 4;  // scales[12] after d and dmin
  for (let j = 0; j < 8; j++) {
    const ls = Math.min(63, nearestInt(fr(invScale * scales[j])) & 0xff);
    const lm = Math.min(63, nearestInt(fr(invMin * mins[j])) & 0xff);
    if (j < 4) {
      out[sc + j] = ls;
      out[sc + j + 4] = lm;
    } else {
      out[sc + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      out[sc + j - 4] |= (ls >> 4) << 6;
      out[sc + j] |= (lm >> 4) << 6;
    }
  }
  putF16(out, at, fr(maxScale / 63));
  putF16(out, at + 2, fr(maxMin / 63));
  const dAll = getF16(out, at);
  const dminAll = getF16(out, at + 2);
  for (let j = 0; j < 8; j++) {
    const [s, m] = scaleMinK4(j, out, sc);
    const d = fr(dAll * s);
    if (!d) continue;
    const dm = fr(dminAll * m);
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt(fr(fr(x[o + 32 * j + ii] + dm) / d));
      L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
    }
  }
  return L;
}

function q4_K(x, o, out, at) {
  const L = kScaleMin32(x, o, out, at, 15, -1, 20);
  let q = at + 16;
  for (let j = 0; j < 256; j += 64) {
    for (let l = 0; l < 32; l++) out[q + l] = L[j + l] | (L[j + l + 32] << 4);
    q += 32;
  }
}

function q5_K(x, o, out, at) {
  const L = kScaleMin32(x, o, out, at, 31, -0.5, 15);
  const qh = at + 16;  // qh[32], then qs[128]
  let ql = at + 48;
  let m1 = 1;
  let m2 = 2;
  for (let n = 0; n < 256; n += 64) {
    for (let j = 0; j < 32; j++) {
      let l1 = L[n + j];
      if (l1 > 15) { l1 -= 16; out[qh + j] |= m1; }
      let l2 = L[n + j + 32];
      if (l2 > 15) { l2 -= 16; out[qh + j] |= m2; }
      out[ql + j] = l1 | (l2 << 4);
    }
    m1 <<= 2; m2 <<= 2;
    ql += 32;
  }
}

/** Packs 2-bit levels 4 to a byte as Q2_K / Q3_K's qs[64] hold them. */
function pack2(L, out, q) {
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) out[q + j / 4 + l] = L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6);
  }
}

function q2_K(x, o, out, at) {
  // block_q2_K: scales[16] (lo nibble scale, hi nibble min), qs[64], f16 d at 80, dmin at 82.
  const L = new Uint8Array(256);
  const weights = new Float32Array(16);
  const mins = new Float32Array(16);
  const scales = new Float32Array(16);
  const q4scale = 15;
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 16; j++) {
    for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[o + 16 * j + l]);
    const [s, m] = makeQkx2(16, 3, x, o + 16 * j, weights, L, 16 * j, -0.5, fr(0.1), 15, true);
    scales[j] = s;
    mins[j] = m;
    if (s > maxScale) maxScale = s;
    if (m > maxMin) maxMin = m;
  }
  if (maxScale > 0) {
    const iscale = fr(q4scale / maxScale);
    for (let j = 0; j < 16; j++) out[at + j] = nearestInt(fr(iscale * scales[j])) & 0xff;
    putF16(out, at + 80, fr(maxScale / q4scale));
  } else {
    for (let j = 0; j < 16; j++) out[at + j] = 0;
    putF16(out, at + 80, 0);
  }
  if (maxMin > 0) {
    const iscale = fr(q4scale / maxMin);
    for (let j = 0; j < 16; j++) out[at + j] = (out[at + j] | (nearestInt(fr(iscale * mins[j])) << 4)) & 0xff;
    putF16(out, at + 82, fr(maxMin / q4scale));
  } else {
    putF16(out, at + 82, 0);
  }
  const dAll = getF16(out, at + 80);
  const dminAll = getF16(out, at + 82);
  for (let j = 0; j < 16; j++) {
    const d = fr(dAll * (out[at + j] & 0xf));
    if (!d) continue;
    const dm = fr(dminAll * (out[at + j] >> 4));
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(fr(fr(x[o + 16 * j + ii] + dm) / d));
      L[16 * j + ii] = Math.max(0, Math.min(3, l));
    }
  }
  pack2(L, out, at + 16);
}

/**
 * make_q3_quants with do_rmse (what quantize_row_q3_K_ref asks): levels in -nmax..nmax-1 by x^2-
 * weighted least squares, refined up to 5 passes one element at a time. L gets level + nmax.
 */
function makeQ3(n, nmax, x, o, L, lo) {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[o + i]);
    if (ax > amax) { amax = ax; max = x[o + i]; }
  }
  if (amax < 1e-15) {  // GROUP_MAX_EPS, compared in f32
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return 0;
  }
  const iscale = fr(-nmax / max);
  const Ls = new Int8Array(n);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[o + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * v))));
    Ls[i] = l;
    const w = fr(v * v);
    sumlx = fr(sumlx + fr(fr(w * v) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let nChanged = 0;
    for (let i = 0; i < n; i++) {
      const v = x[o + i];
      const w = fr(v * v);
      let slx = fr(sumlx - fr(fr(w * v) * Ls[i]));
      if (slx > 0) {
        let sl2 = fr(suml2 - fr(fr(w * Ls[i]) * Ls[i]));
        const newL = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(fr(v * sl2) / slx))));
        if (newL !== Ls[i]) {
          slx = fr(slx + fr(fr(w * v) * newL));
          sl2 = fr(sl2 + fr(fr(w * newL) * newL));
          if (sl2 > 0 && fr(fr(slx * slx) * suml2) > fr(fr(sumlx * sumlx) * sl2)) {
            Ls[i] = newL; sumlx = slx; suml2 = sl2;
            nChanged++;
          }
        }
      }
    }
    if (!nChanged) break;
  }
  for (let i = 0; i < n; i++) L[lo + i] = Ls[i] + nmax;
  return suml2 > 0 ? fr(sumlx / suml2) : 0;
}

function q3_K(x, o, out, at) {
  // block_q3_K: hmask[32], qs[64], scales[12] at 96, f16 d at 108.
  const L = new Uint8Array(256);
  const scales = new Float32Array(16);
  let maxScale = 0;
  let amax = 0;
  for (let j = 0; j < 16; j++) {
    scales[j] = makeQ3(16, 4, x, o + 16 * j, L, 16 * j);
    const a = Math.abs(scales[j]);
    if (a > amax) { amax = a; maxScale = scales[j]; }
  }
  const sc = at + 96;
  if (maxScale) {
    const iscale = fr(-32 / maxScale);
    for (let j = 0; j < 16; j++) {
      const l = Math.max(-32, Math.min(31, (nearestInt(fr(iscale * scales[j])) << 24) >> 24)) + 32;
      if (j < 8) out[sc + j] = l & 0xf;
      else out[sc + j - 8] |= (l & 0xf) << 4;
      out[sc + (j % 4) + 8] |= (l >> 4) << (2 * Math.trunc(j / 4));
    }
    putF16(out, at + 108, fr(1 / iscale));
  } else {
    putF16(out, at + 108, 0);
  }
  const dAll = getF16(out, at + 108);
  for (let j = 0; j < 16; j++) {
    let s = j < 8 ? out[sc + j] & 0xf : out[sc + j - 8] >> 4;
    s = (s | (((out[sc + 8 + (j % 4)] >> (2 * Math.trunc(j / 4))) & 3) << 4)) - 32;
    const d = fr(dAll * s);
    if (!d) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = Math.max(-4, Math.min(3, nearestInt(fr(x[o + 16 * j + ii] / d))));
      L[16 * j + ii] = l + 4;
    }
  }
  // The high bit of level j goes to hmask[j % 32], bit j / 32; qs keeps the low two.
  for (let j = 0; j < 256; j++) {
    if (L[j] > 3) {
      out[at + (j % 32)] |= 1 << Math.trunc(j / 32);
      L[j] -= 4;
    }
  }
  pack2(L, out, at + 32);
}

/** make_qx_quants with rmse_type 1 and no importance weights (what quantize_row_q6_K_ref asks). */
function makeQx(n, nmax, x, o, L, lo) {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[o + i]);
    if (ax > amax) { amax = ax; max = x[o + i]; }
  }
  if (amax < 1e-15) {  // GROUP_MAX_EPS, compared in f32
    for (let i = 0; i < n; i++) L[lo + i] = 0;
    return 0;
  }
  let iscale = fr(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[o + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * v))));
    L[lo + i] = l + nmax;
    const w = fr(v * v);
    sumlx = fr(sumlx + fr(fr(w * v) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 ? fr(sumlx / suml2) : 0;
  let best = fr(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(fr(0.1) * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[o + i];
      const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * v))));
      const w = fr(v * v);
      sumlx = fr(sumlx + fr(fr(w * v) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) L[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, nearestInt(fr(iscale * x[o + i]))));
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}

function q6_K(x, o, out, at) {
  const L = new Uint8Array(256);
  const scales = new Float32Array(16);
  let maxScale = 0;
  let maxAbsScale = 0;
  for (let ib = 0; ib < 16; ib++) {
    const s = makeQx(16, 32, x, o + 16 * ib, L, 16 * ib);
    scales[ib] = s;
    if (Math.abs(s) > maxAbsScale) { maxAbsScale = Math.abs(s); maxScale = s; }
  }
  const sc = at + 192;
  if (maxAbsScale < 1e-15) {
    out.fill(0, at, at + 210);
    return;
  }
  const iscale = fr(-128 / maxScale);
  putF16(out, at + 208, fr(1 / iscale));
  const dAll = getF16(out, at + 208);
  for (let ib = 0; ib < 16; ib++) out[sc + ib] = Math.min(127, nearestInt(fr(iscale * scales[ib]))) & 0xff;
  for (let j = 0; j < 16; j++) {
    const s = (out[sc + j] << 24) >> 24;
    const d = fr(dAll * s);
    if (!d) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = Math.max(-32, Math.min(31, nearestInt(fr(x[o + 16 * j + ii] / d))));
      L[16 * j + ii] = l + 32;
    }
  }
  let ql = at;
  let qh = at + 128;
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const q1 = L[j + l] & 0xf;
      const q2 = L[j + l + 32] & 0xf;
      const q3 = L[j + l + 64] & 0xf;
      const q4 = L[j + l + 96] & 0xf;
      out[ql + l] = q1 | (q3 << 4);
      out[ql + l + 32] = q2 | (q4 << 4);
      out[qh + l] = (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6);
    }
    ql += 64;
    qh += 32;
  }
}

const BLOCK_QUANTIZERS = { Q8_0: q8_0, Q4_0: q4_0, Q4_1: q4_1, Q5_0: q5_0, Q5_1: q5_1, Q2_K: q2_K, Q3_K: q3_K, Q4_K: q4_K, Q5_K: q5_K, Q6_K: q6_K };

/** The quantizable types, in the order tests and fixtures list them. */
export const QUANT_TYPES = /** @type {GgmlTypeName[]} */ (Object.keys(BLOCK_QUANTIZERS));

/**
 * quantize_row_<type>_ref over n elements (a whole number of blocks); F32/F16/BF16 are stored
 * as such. @param {GgmlTypeName} type @param {ArrayLike<number>} values @returns {Uint8Array}
 */
export function quantize(type, values) {
  const x = values instanceof Float32Array ? values : Float32Array.from(values);
  const out = new Uint8Array(typeBytes(type, x.length));
  if (type === 'F32') { out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)); return out; }
  if (type === 'F16' || type === 'BF16') {
    const to = type === 'F16' ? fp32ToFp16 : bf16Bits;
    for (let i = 0; i < x.length; i++) { const h = to(x[i]); out[2 * i] = h & 0xff; out[2 * i + 1] = h >> 8; }
    return out;
  }
  const fn = BLOCK_QUANTIZERS[type];
  if (!fn) throw new Error(`no reference quantizer for ${type}`);
  const { block, bytes } = GGML_TYPES[type];
  for (let b = 0; b < x.length / block; b++) fn(x, b * block, out, b * bytes);
  return out;
}

/**
 * dequantize_row_<type>: the f32 values the bytes stand for. @param {GgmlTypeName} type
 * @param {Uint8Array} bytes @param {number} n elements @returns {Float32Array}
 */
export function dequantize(type, bytes, n) {
  const y = new Float32Array(n);
  const { block, bytes: bb } = GGML_TYPES[type];
  if (type === 'F32') return new Float32Array(bytes.slice(0, 4 * n).buffer);
  if (type === 'F16' || type === 'BF16') {
    for (let i = 0; i < n; i++) {
      const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      y[i] = type === 'F16' ? fp16ToFp32(h) : bf16ToF32(h);
    }
    return y;
  }
  for (let b = 0; b < n / block; b++) {
    const at = b * bb;
    const o = b * block;
    if (type === 'Q8_0') {
      const d = getF16(bytes, at);
      for (let j = 0; j < 32; j++) y[o + j] = fr(((bytes[at + 2 + j] << 24) >> 24) * d);
    } else if (type === 'Q4_0' || type === 'Q4_1' || type === 'Q5_0' || type === 'Q5_1') {
      const d = getF16(bytes, at);
      const hasMin = type === 'Q4_1' || type === 'Q5_1';
      const m = hasMin ? getF16(bytes, at + 2) : 0;
      const five = type === 'Q5_0' || type === 'Q5_1';
      const qhAt = at + (hasMin ? 4 : 2);
      const qh = five ? (bytes[qhAt] | (bytes[qhAt + 1] << 8) | (bytes[qhAt + 2] << 16) | (bytes[qhAt + 3] << 24)) >>> 0 : 0;
      const qs = qhAt + (five ? 4 : 0);
      const offset = hasMin ? 0 : five ? 16 : 8;
      for (let j = 0; j < 16; j++) {
        let x0 = bytes[qs + j] & 0x0f;
        let x1 = bytes[qs + j] >> 4;
        if (five) { x0 |= ((qh >>> j) << 4) & 0x10; x1 |= (qh >>> (j + 12)) & 0x10; }
        y[o + j] = hasMin ? fr(fr(x0 * d) + m) : fr((x0 - offset) * d);
        y[o + j + 16] = hasMin ? fr(fr(x1 * d) + m) : fr((x1 - offset) * d);
      }
    } else if (type === 'Q4_K') {
      const d = getF16(bytes, at);
      const min = getF16(bytes, at + 2);
      let q = at + 16;
      let k = o;
      for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
        const [s1, m1] = scaleMinK4(is, bytes, at + 4);
        const [s2, m2] = scaleMinK4(is + 1, bytes, at + 4);
        const d1 = fr(d * s1); const mm1 = fr(min * m1);
        const d2 = fr(d * s2); const mm2 = fr(min * m2);
        for (let l = 0; l < 32; l++) y[k++] = fr(fr(d1 * (bytes[q + l] & 0xf)) - mm1);
        for (let l = 0; l < 32; l++) y[k++] = fr(fr(d2 * (bytes[q + l] >> 4)) - mm2);
        q += 32;
      }
    } else if (type === 'Q5_K') {
      const d = getF16(bytes, at);
      const min = getF16(bytes, at + 2);
      const qh = at + 16;
      let ql = at + 48;
      let k = o;
      for (let j = 0, is = 0, u1 = 1, u2 = 2; j < 256; j += 64, is += 2, u1 <<= 2, u2 <<= 2) {
        const [s1, m1] = scaleMinK4(is, bytes, at + 4);
        const [s2, m2] = scaleMinK4(is + 1, bytes, at + 4);
        const d1 = fr(d * s1); const mm1 = fr(min * m1);
        const d2 = fr(d * s2); const mm2 = fr(min * m2);
        for (let l = 0; l < 32; l++) y[k++] = fr(fr(d1 * ((bytes[ql + l] & 0xf) + (bytes[qh + l] & u1 ? 16 : 0))) - mm1);
        for (let l = 0; l < 32; l++) y[k++] = fr(fr(d2 * ((bytes[ql + l] >> 4) + (bytes[qh + l] & u2 ? 16 : 0))) - mm2);
        ql += 32;
      }
    } else if (type === 'Q2_K') {
      const d = getF16(bytes, at + 80);
      const min = getF16(bytes, at + 82);
      let q = at + 16;
      let k = o;
      let is = 0;
      for (let n128 = 0; n128 < 2; n128++, q += 32) {
        for (let shift = 0; shift < 8; shift += 2) {
          for (const half of [0, 16]) {
            const sc = bytes[at + is++];
            const dl = fr(d * (sc & 0xf)); const ml = fr(min * (sc >> 4));
            for (let l = 0; l < 16; l++) y[k++] = fr(fr(dl * ((bytes[q + half + l] >> shift) & 3)) - ml);
          }
        }
      }
    } else if (type === 'Q3_K') {
      const d = getF16(bytes, at + 108);
      const sc = at + 96;
      const scale = (j) => ((j < 8 ? bytes[sc + j] & 0xf : bytes[sc + j - 8] >> 4) | (((bytes[sc + 8 + (j % 4)] >> (2 * Math.trunc(j / 4))) & 3) << 4)) - 32;
      let q = at + 32;
      let k = o;
      let is = 0;
      let m = 1;
      for (let n128 = 0; n128 < 2; n128++, q += 32) {
        for (let shift = 0; shift < 8; shift += 2, m <<= 1) {
          for (const half of [0, 16]) {
            const dl = fr(d * scale(is++));
            for (let l = 0; l < 16; l++) {
              const v = ((bytes[q + half + l] >> shift) & 3) - (bytes[at + half + l] & m ? 0 : 4);
              y[k++] = fr(dl * v);
            }
          }
        }
      }
    } else if (type === 'Q6_K') {
      const d = getF16(bytes, at + 208);
      let ql = at; let qh = at + 128; let sc = at + 192; let k = o;
      for (let n128 = 0; n128 < 2; n128++) {
        for (let l = 0; l < 32; l++) {
          const is = l >> 4;
          const q1 = ((bytes[ql + l] & 0xf) | (((bytes[qh + l] >> 0) & 3) << 4)) - 32;
          const q2 = ((bytes[ql + l + 32] & 0xf) | (((bytes[qh + l] >> 2) & 3) << 4)) - 32;
          const q3 = ((bytes[ql + l] >> 4) | (((bytes[qh + l] >> 4) & 3) << 4)) - 32;
          const q4 = ((bytes[ql + l + 32] >> 4) | (((bytes[qh + l] >> 6) & 3) << 4)) - 32;
          const s = (i) => (bytes[sc + i] << 24) >> 24;
          y[k + l] = fr(fr(d * s(is)) * q1);
          y[k + l + 32] = fr(fr(d * s(is + 2)) * q2);
          y[k + l + 64] = fr(fr(d * s(is + 4)) * q3);
          y[k + l + 96] = fr(fr(d * s(is + 6)) * q4);
        }
        k += 128; ql += 64; qh += 32; sc += 8;
      }
    } else {
      throw new Error(`no dequantizer for ${type}`);
    }
  }
  return y;
}
