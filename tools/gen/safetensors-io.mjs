// Minimal safetensors reader/writer for the test generator (Node only, no dependencies).
// Layout: u64 little-endian header length N, N bytes of JSON header (padded with spaces to a
// multiple of 8), then the tensors' bytes, each at [data_offsets[0], data_offsets[1]) relative to
// the end of the header. We read F32 and BF16 and write F32 or BF16.
import fs from 'node:fs';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 -> bf16 bits with round-to-nearest-even (NaN stays NaN, overflow goes to inf). */
export function bf16Bits(x) {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return ((u >>> 16) | 0x40) & 0xffff;
  // Adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even. JS numbers do not wrap,
  // and the only inputs that would carry past bit 31 are NaN/inf, handled above.
  return Math.floor((u + 0x7fff + ((u >>> 16) & 1)) / 65536) & 0xffff;
}

/** The f32 value of bf16 bits. */
export function bf16ToF32(bits) {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** Round an f32 value to the nearest bf16 (RNE) and return it as a number. */
export function bf16Round(x) {
  return bf16ToF32(bf16Bits(x));
}

/** A new Float32Array with every element rounded to bf16. */
export function bf16RoundArray(a) {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = bf16Round(a[i]);
  return out;
}

/**
 * Read a safetensors file into { metadata, tensors: Map(name -> {dtype, shape, data}) } with data a
 * Float32Array (BF16 widened exactly). Other dtypes are refused: the generator only needs these.
 */
export function readSafetensors(path) {
  const buf = fs.readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const base = 8 + n;
  const tensors = new Map();
  let metadata = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') { metadata = info; continue; }
    const [s, e] = info.data_offsets;
    const bytes = buf.subarray(base + s, base + e);
    const count = info.shape.reduce((p, x) => p * x, 1);
    const data = new Float32Array(count);
    if (info.dtype === 'F32') {
      for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(4 * i);
    } else if (info.dtype === 'BF16') {
      for (let i = 0; i < count; i++) data[i] = bf16ToF32(bytes.readUInt16LE(2 * i));
    } else {
      throw new Error(`${path}: tensor ${name} has dtype ${info.dtype}; the generator reads F32/BF16 only`);
    }
    tensors.set(name, { dtype: info.dtype, shape: info.shape.slice(), data });
  }
  return { metadata, tensors };
}

/**
 * Serialise tensors to safetensors bytes. `tensors`: iterable of [name, {shape, data}] in file order;
 * `dtype`: 'F32' or 'BF16' (BF16 rounds to nearest even). Metadata values must be strings.
 */
export function encodeSafetensors(tensors, dtype = 'F32', metadata = {}) {
  const width = dtype === 'BF16' ? 2 : 4;
  const header = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const list = [...tensors];
  for (const [name, t] of list) {
    const len = t.data.length * width;
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const hlen = Buffer.byteLength(json);
  const out = Buffer.alloc(8 + hlen + offset);
  out.writeBigUInt64LE(BigInt(hlen), 0);
  out.write(json, 8, 'utf8');
  let p = 8 + hlen;
  for (const [, t] of list) {
    const d = t.data;
    if (width === 2) {
      for (let i = 0; i < d.length; i++, p += 2) out.writeUInt16LE(bf16Bits(d[i]), p);
    } else {
      for (let i = 0; i < d.length; i++, p += 4) out.writeFloatLE(d[i], p);
    }
  }
  return out;
}

export function writeSafetensors(path, tensors, dtype = 'F32', metadata = {}) {
  fs.writeFileSync(path, encodeSafetensors(tensors, dtype, metadata));
}
