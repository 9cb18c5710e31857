// Numbers of the virtual repos (virtual.mjs): bf16 and e4m3fn encodings, and a counter-based normal
// stream, so any element of any tensor can be generated on its own.

export const f32 = new Float32Array(1);
export const u32 = new Uint32Array(f32.buffer);

/** f64 -> bf16 bits (via f32, round to nearest even). @param {number} x */
export function bf16Bits(x) {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff)) return (b >>> 16) | 0x40; // NaN stays NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}
/** f32 bits of a number. @param {number} x */
export function f32Bits(x) {
  f32[0] = x;
  return u32[0];
}

/** @param {number} bits */
export function bf16Value(bits) {
  u32[0] = bits << 16;
  return f32[0];
}
/** @param {number} x */
export const roundBf16 = (x) => bf16Value(bf16Bits(x));

/** e4m3fn code -> value (NaN for 0x7f/0xff). @type {Float64Array} */
export const E4M3 = new Float64Array(256);
for (let b = 0; b < 256; b++) {
  const e = (b >> 3) & 15, m = b & 7;
  let v = e === 15 && m === 7 ? NaN : e === 0 ? (m / 8) * 2 ** -6 : (1 + m / 8) * 2 ** (e - 7);
  E4M3[b] = b & 0x80 ? -v : v;
}
export const E4M3_POS = Array.from({ length: 127 }, (_, i) => E4M3[i]); // codes 0..126, increasing

/** value -> e4m3fn code, saturating at ±448, ties to even code. @param {number} x */
export function e4m3Code(x) {
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.min(Math.abs(x), 448);
  let lo = 0, hi = 126;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (E4M3_POS[mid] <= a) lo = mid; else hi = mid;
  }
  const dl = a - E4M3_POS[lo], dh = E4M3_POS[hi] - a;
  const code = dl < dh ? lo : dh < dl ? hi : (lo & 1 ? hi : lo);
  return neg && code !== 0 ? code | 0x80 : code;
}

/** @param {number} x */
export function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A standard normal for element i (i up to 2^53) of the stream `seed`. */
export function gauss(seed, i) {
  const lo = i >>> 0, hi = Math.floor(i / 4294967296);
  const h1 = mix32(mix32(lo ^ seed) + Math.imul(hi + 1, 0x27d4eb2d));
  const h2 = mix32(h1 ^ 0x68e31da4 ^ seed);
  const u1 = (h1 + 1) / 4294967297;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * (h2 / 4294967296));
}

/** FNV-1a of a string, the per-tensor seed. @param {string} s */
export function seedOf(s) {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
