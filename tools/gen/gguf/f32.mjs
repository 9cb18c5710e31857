// Float helpers for the reference quantizers: ggml computes in IEEE binary32, so every step here is
// rounded to f32 (Math.fround) exactly where C rounds, and fp16 conversion is ggml's own bit recipe
// (ggml-impl.h ggml_compute_fp32_to_fp16: round to nearest even, NaN -> 0x7E00).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** @param {number} x @returns {number} the binary32 bits of x */
export function bitsOf(x) { f32[0] = x; return u32[0]; }
/** @param {number} b @returns {number} the binary32 value of bits b */
export function fromBits(b) { u32[0] = b >>> 0; return f32[0]; }

export const fr = Math.fround;

/** ggml_compute_fp32_to_fp16, step by step. @param {number} f @returns {number} fp16 bits */
export function fp32ToFp16(f) {
  let base = fr(fr(Math.abs(fr(f)) * 2 ** 112) * 2 ** -110);
  const w = bitsOf(f);
  const shl1w = (w + w) >>> 0;
  const sign = (w & 0x80000000) >>> 0;
  let bias = (shl1w & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  base = fr(fromBits((bias >>> 1) + 0x07800000) + base);
  const bits = bitsOf(base);
  const expBits = (bits >>> 13) & 0x7c00;
  const mantBits = bits & 0xfff;
  return ((sign >>> 16) | (shl1w > 0xff000000 ? 0x7e00 : expBits + mantBits)) & 0xffff;
}

/** Exact fp16 -> f32 (every fp16 value is a binary32 value). @param {number} h */
export function fp16ToFp32(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** fp16 round trip of an f32 (what ggml keeps of a block scale). @param {number} f */
export const viaFp16 = (f) => fp16ToFp32(fp32ToFp16(f));

/** ggml's nearest_int: adds 1.5 * 2^23 in f32 and reads the mantissa (round half to even). @param {number} v */
export function nearestInt(v) {
  const b = bitsOf(fr(fr(v) + 12582912));
  return (b & 0x007fffff) - 0x00400000;
}

/** C's roundf: half away from zero. @param {number} x */
export const roundf = (x) => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));
