// A GGUF writer for tests (versions 2 and 3; the layout of ggml's gguf.cpp and gguf-py's
// GGUFWriter). Layout, little-endian:
//   "GGUF" u32 version  u64 n_tensors  u64 n_kv            (v1 had u32 counts; not written)
//   n_kv x { string key, u32 value_type, value }            string = u64 length + UTF-8 bytes
//      array value = u32 element_type, u64 count, elements
//   n_tensors x { string name, u32 n_dims, u64 ne[n_dims] (ne[0] = the row, innermost),
//                 u32 ggml_type, u64 offset (from the data section, a multiple of the alignment) }
//   zero padding to `general.alignment` (default 32), then the data section, each tensor padded
//   to the alignment.
// Split files (gguf-split / GGUFWriter split_max_tensors) are each a whole GGUF file of their own
// tensors with `split.no` (u16), `split.count` (u16) and `split.tensors.count` (i32); the first
// holds the model's metadata, named `<stem>-00001-of-0000N.gguf`.

import { GGML_TYPES, typeBytes } from './quants.mjs';

/** gguf_type (ggml gguf.h): the value types of the metadata section. */
export const VALUE_TYPES = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
  STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
};
/** @typedef {keyof typeof VALUE_TYPES} ValueType */
export const GGUF_MAGIC = 'GGUF';
export const DEFAULT_ALIGNMENT = 32;

/**
 * @typedef {{key: string, type: ValueType, value: any, itemType?: ValueType}} KeyValue
 *   type ARRAY with itemType (arrays of arrays: itemType 'ARRAY' and value items {itemType, value})
 * @typedef {{name: string, dims: number[], type: import('./quants.mjs').GgmlTypeName, data: Uint8Array}} TensorEntry
 *   dims in GGUF order (ne[0] first = the reverse of a safetensors shape); data already encoded
 */

class Bytes {
  constructor() { this.parts = []; this.length = 0; }
  push(u8) { this.parts.push(u8); this.length += u8.length; }
  scalar(type, v) {
    const sizes = { UINT8: 1, INT8: 1, BOOL: 1, UINT16: 2, INT16: 2, UINT32: 4, INT32: 4, FLOAT32: 4, UINT64: 8, INT64: 8, FLOAT64: 8 };
    const b = new Uint8Array(sizes[type]);
    const dv = new DataView(b.buffer);
    switch (type) {
      case 'UINT8': dv.setUint8(0, v); break;
      case 'INT8': dv.setInt8(0, v); break;
      case 'BOOL': dv.setUint8(0, v ? 1 : 0); break;
      case 'UINT16': dv.setUint16(0, v, true); break;
      case 'INT16': dv.setInt16(0, v, true); break;
      case 'UINT32': dv.setUint32(0, v, true); break;
      case 'INT32': dv.setInt32(0, v, true); break;
      case 'FLOAT32': dv.setFloat32(0, v, true); break;
      case 'UINT64': dv.setBigUint64(0, BigInt(v), true); break;
      case 'INT64': dv.setBigInt64(0, BigInt(v), true); break;
      case 'FLOAT64': dv.setFloat64(0, v, true); break;
      default: throw new Error(`not a scalar GGUF type: ${type}`);
    }
    this.push(b);
  }
  u32(v) { this.scalar('UINT32', v); }
  u64(v) { this.scalar('UINT64', v); }
  string(s) {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.push(b);
  }
  value(type, v, itemType) {
    if (type === 'STRING') return this.string(v);
    if (type === 'ARRAY') {
      if (!itemType) throw new Error('an ARRAY value needs its itemType');
      this.u32(VALUE_TYPES[itemType]);
      this.u64(v.length);
      for (const x of v) {
        if (itemType === 'ARRAY') this.value('ARRAY', x.value, x.itemType);
        else this.value(itemType, x);
      }
      return undefined;
    }
    return this.scalar(type, v);
  }
  concat() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

const pad = (n, a) => Math.ceil(n / a) * a;

/**
 * One GGUF file. `alignment` other than 32 is written as `general.alignment` (u32) unless the
 * metadata already has it. @param {{version?: 2 | 3, metadata?: KeyValue[], tensors: TensorEntry[], alignment?: number}} o
 * @returns {Uint8Array}
 */
export function writeGguf({ version = 3, metadata = [], tensors, alignment = DEFAULT_ALIGNMENT }) {
  const kvs = [...metadata];
  if (alignment !== DEFAULT_ALIGNMENT && !kvs.some((kv) => kv.key === 'general.alignment')) {
    kvs.push({ key: 'general.alignment', type: 'UINT32', value: alignment });
  }
  const h = new Bytes();
  h.push(new TextEncoder().encode(GGUF_MAGIC));
  h.u32(version);
  h.u64(tensors.length);
  h.u64(kvs.length);
  for (const kv of kvs) {
    h.string(kv.key);
    h.u32(VALUE_TYPES[kv.type]);
    h.value(kv.type, kv.value, kv.itemType);
  }
  let offset = 0;
  for (const t of tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    const want = typeBytes(t.type, n);
    if (t.data.length !== want) throw new Error(`${t.name}: ${t.data.length} bytes for ${want} of ${t.type} [${t.dims}]`);
    h.string(t.name);
    h.u32(t.dims.length);
    for (const d of t.dims) h.u64(d);
    h.u32(GGML_TYPES[t.type].id);
    h.u64(offset);
    offset += pad(t.data.length, alignment);
  }
  const head = h.concat();
  const dataStart = pad(head.length, alignment);
  const out = new Uint8Array(dataStart + offset);
  out.set(head, 0);
  let at = dataStart;
  for (const t of tensors) { out.set(t.data, at); at += pad(t.data.length, alignment); }
  return out;
}

/** `<stem>-00001-of-00003.gguf` (gguf-py SHARD_NAME_FORMAT). */
export const splitName = (stem, k, n) => `${stem}-${String(k).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.gguf`;

/**
 * A model cut into `parts` GGUF files of consecutive tensors, as gguf-split writes them.
 * @param {{stem: string, parts: number} & Parameters<typeof writeGguf>[0]} o
 * @returns {Array<{name: string, bytes: Uint8Array}>}
 */
export function writeSplitGguf({ stem, parts, tensors, metadata = [], ...rest }) {
  if (parts < 2 || parts > tensors.length) throw new Error(`cannot split ${tensors.length} tensors into ${parts} files`);
  const per = Math.ceil(tensors.length / parts);
  const files = [];
  for (let k = 0; k < parts; k++) {
    const mine = tensors.slice(k * per, (k + 1) * per);
    const split = [
      { key: 'split.no', type: 'UINT16', value: k },
      { key: 'split.count', type: 'UINT16', value: parts },
      { key: 'split.tensors.count', type: 'INT32', value: tensors.length },
    ];
    files.push({ name: splitName(stem, k + 1, parts), bytes: writeGguf({ ...rest, tensors: mine, metadata: k === 0 ? [...metadata, ...split] : split }) });
  }
  return files;
}
