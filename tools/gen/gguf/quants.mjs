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
//   Q4_K (256): d, dmin, scales[12] (8 x 6-bit scale+min), qs[128]      144 bytes
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
  Q4_K: { id: 12, block: 256, bytes: 144 },
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
 * make_qkx2_quants: scale and min of one sub-block by a weighted search over 21 candidate scales.
 * Returns [scale, theMin]; L (Uint8Array) gets the levels.
 */
function makeQkx2(n, nmax, x, o, weights, L, lo, rmin, rdelta, nstep) {
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
    diff = fr(diff * diff);
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
        diff = fr(diff * diff);
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

function q4_K(x, o, out, at) {
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
    const [s, m] = makeQkx2(32, 15, x, o + 32 * j, weights, L, 32 * j, -1, fr(0.1), 20);
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
      L[32 * j + ii] = Math.max(0, Math.min(15, l));
    }
  }
  let q = at + 16;
  for (let j = 0; j < 256; j += 64) {
    for (let l = 0; l < 32; l++) out[q + l] = L[j + l] | (L[j + l + 32] << 4);
    q += 32;
  }
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

const BLOCK_QUANTIZERS = { Q8_0: q8_0, Q4_0: q4_0, Q4_1: q4_1, Q5_0: q5_0, Q5_1: q5_1, Q4_K: q4_K, Q6_K: q6_K };

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
