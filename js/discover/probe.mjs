// The cheap screen: the same few rows of a handful of small tensors, from the suspect and from
// each candidate, decoded to numbers. Costs per candidate: its index (if sharded), the header of
// each file holding a probed tensor, and PROBE_TENSORS x PROBE_BLOCKS short ranges (a few KB).
// The full verification (engine.mjs) runs later, on the chosen roles only.
import { readBytes } from '../io/byte-source.mjs';

export const PROBE = Object.freeze({
  /** tensors probed per model, spread over layers and components */
  TENSORS: 8,
  /** contiguous blocks read per tensor, at spread-out rows */
  BLOCKS: 2,
  /** elements per block (whole rows from a row boundary, at most this many) */
  BLOCK_ELEMENTS: 256,
  /** smallest tensor worth probing: a few rows of a matrix, never a norm vector */
  MIN_ELEMENTS: 1024,
  /** first read of a header; a larger one takes a second read of exactly its length */
  HEADER_FIRST_READ: 16_384,
  /** refuse headers above this: a probe is meant to be cheap */
  MAX_HEADER: 100_000_000,
});

const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2 };

/** An error a person can act on; `code` maps like the engine's. */
export class ProbeError extends Error {
  constructor(message, code = 'invalid-file') {
    super(message);
    this.name = 'ProbeError';
    this.code = code;
  }
}

/** Counts what a probe costs: requests, /resolve/ calls (first read of a file), bytes. */
export function newCost() {
  return { api_calls: 0, resolve_calls: 0, requests: 0, bytes: 0 };
}

async function read(model, name, start, end, cost, touched, signal) {
  const src = model.file(name);
  if (!touched.has(name)) { touched.add(name); cost.resolve_calls += 1; }
  cost.requests += 1;
  const bytes = await readBytes(src, start, end, { signal });
  cost.bytes += bytes.length;
  return bytes;
}

/** The parsed header of one safetensors file: {tensors: Map<name, {dtype, shape, begin, end}>}. */
async function readHeader(model, name, cost, touched, signal) {
  const size = await model.file(name).size({ signal });
  if (size < 8) throw new ProbeError(`${model.label}: ${name} is too small to be safetensors (${size} bytes)`);
  let bytes = await read(model, name, 0, Math.min(size, PROBE.HEADER_FIRST_READ), cost, touched, signal);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > PROBE.MAX_HEADER || 8 + n > size) throw new ProbeError(`${model.label}: ${name} has an invalid header length ${n}`);
  if (8 + n > bytes.length) {
    const rest = await read(model, name, bytes.length, 8 + n, cost, touched, signal);
    const all = new Uint8Array(8 + n);
    all.set(bytes);
    all.set(rest, bytes.length);
    bytes = all;
  }
  let json;
  try { json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))); } catch {
    throw new ProbeError(`${model.label}: ${name} has a header that is not JSON`);
  }
  const tensors = new Map();
  for (const [k, t] of Object.entries(json)) {
    if (k === '__metadata__' || !t || !Array.isArray(t.shape) || !Array.isArray(t.data_offsets)) continue;
    const [a, b] = t.data_offsets;
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a > b || 8 + n + b > size) {
      throw new ProbeError(`${model.label}: ${name}: tensor ${k} has offsets outside the file`);
    }
    tensors.set(k, { dtype: t.dtype, shape: t.shape, begin: 8 + n + a, end: 8 + n + b, file: name });
  }
  return { tensors, metadata: json.__metadata__ ?? {} };
}

/**
 * Where a model's tensors are: {names: Map<name, file>, metadata (index), headers: Map<file, header>}.
 * Only the single file's header is read here; shard headers are read when a probed tensor needs them.
 */
export async function openLayout(model, cost, signal) {
  const touched = new Set();
  if (model.weights.single) {
    const h = await readHeader(model, model.weights.single, cost, touched, signal);
    const names = new Map([...h.tensors.keys()].map((k) => [k, model.weights.single]));
    return { model, names, indexMetadata: null, headers: new Map([[model.weights.single, h]]), touched };
  }
  const idx = model.weights.index;
  const size = await model.file(idx).size({ signal });
  const bytes = await read(model, idx, 0, size, cost, touched, signal);
  let json;
  try { json = JSON.parse(new TextDecoder().decode(bytes)); } catch {
    throw new ProbeError(`${model.label}: ${idx} is not JSON`);
  }
  const dir = idx.includes('/') ? idx.slice(0, idx.lastIndexOf('/') + 1) : '';
  const names = new Map(Object.entries(json.weight_map ?? {}).map(([k, f]) => [k, dir + f]));
  return { model, names, indexMetadata: json.metadata ?? {}, headers: new Map(), touched };
}

async function tensorInfo(layout, name, cost, signal) {
  const file = layout.names.get(name);
  if (!file) return null;
  if (!layout.headers.has(file)) layout.headers.set(file, await readHeader(layout.model, file, cost, layout.touched, signal));
  return layout.headers.get(file).tensors.get(name) ?? null;
}

/** Layer number and component of a tensor name, for spreading the probe. */
function placeOf(name) {
  const layer = Number(/(?:^|\.)(?:layers?|h|blocks?)\.(\d+)\./.exec(name)?.[1] ?? -1);
  const comp = /attn|attention|q_proj|k_proj|v_proj|o_proj|query|key|value/.test(name) ? 'attn'
    : /mlp|ffn|expert|intermediate|output\.dense|gate|up_proj|down_proj|w[123]\b/.test(name) ? 'mlp'
      : /embed|wte|tok/.test(name) ? 'embed' : 'other';
  return { layer, comp };
}

/**
 * Picks the probed tensors from the suspect's layout: matrices of a decodable dtype, at least
 * MIN_ELEMENTS, spread over components and layers (evenly spaced within each component).
 * Reads the suspect's shard headers as needed.
 * @returns {Promise<{name: string, shape: number[], blocks: {start: number, len: number}[]}[]>}
 */
export async function chooseProbe(layout, cost, signal) {
  const candidates = [...layout.names.keys()].filter((n) => !/(^|\.)(norm|ln|layernorm|bias)/i.test(n) && !/bias$/.test(n)).sort();
  // Shard headers are needed to know shapes: take names evenly across the sorted list first.
  const byComp = new Map();
  for (const n of candidates) {
    const { comp, layer } = placeOf(n);
    if (!byComp.has(comp)) byComp.set(comp, []);
    byComp.get(comp).push({ n, layer });
  }
  for (const list of byComp.values()) list.sort((a, b) => a.layer - b.layer || (a.n < b.n ? -1 : 1));
  const order = [];
  const lists = [...byComp.values()];
  const seen = new Set();
  // Round-robin over components, at evenly spaced positions, so a handful covers the model.
  for (let round = 0; order.length < candidates.length && round < 64; round++) {
    for (const list of lists) {
      const pos = Math.floor(((round * 0.618034) % 1) * list.length);
      for (let j = 0; j < list.length; j++) {
        const item = list[(pos + j) % list.length];
        if (!seen.has(item.n)) { seen.add(item.n); order.push(item.n); break; }
      }
    }
  }
  const chosen = [];
  for (const name of order) {
    if (chosen.length >= PROBE.TENSORS) break;
    const t = await tensorInfo(layout, name, cost, signal);
    if (!t || !(t.dtype in DTYPE_BYTES) || t.shape.length < 2) continue;
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel < PROBE.MIN_ELEMENTS) continue;
    const cols = t.shape.slice(1).reduce((a, b) => a * b, 1);
    const rows = t.shape[0];
    const len = Math.min(numel, Math.max(1, Math.floor(PROBE.BLOCK_ELEMENTS / cols)) * cols, PROBE.BLOCK_ELEMENTS);
    const blocks = [];
    for (let b = 0; b < PROBE.BLOCKS; b++) {
      const row = Math.floor(((b + 0.5) / PROBE.BLOCKS) * rows);
      const start = Math.min(row * cols, numel - len);
      if (!blocks.some((x) => x.start === start)) blocks.push({ start, len });
    }
    chosen.push({ name, shape: t.shape, blocks });
  }
  return chosen;
}

function decode(bytes, dtype) {
  const n = bytes.length / DTYPE_BYTES[dtype];
  const out = new Float64Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (dtype === 'F32') for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === 'BF16') {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) { u[0] = dv.getUint16(2 * i, true) << 16; out[i] = f[0]; }
  } else {
    for (let i = 0; i < n; i++) {
      const h = dv.getUint16(2 * i, true);
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 31;
      const m = h & 1023;
      out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  return out;
}

/**
 * Reads the probe from one model: for each chosen tensor it holds under the same name and shape,
 * the blocks decoded to f64. Missing tensors are skipped (ranked on what is shared).
 * @returns {Promise<{id: string, dtypes: string[], values: Map<string, Float64Array>, indexMetadata: any}>}
 */
export async function readProbe(layout, probe, cost, signal) {
  const values = new Map();
  const dtypes = new Set();
  // Headers one after the other (a shard's header is read once), then every block at once: the
  // screen is latency-bound, and concurrent first reads of a file share one /resolve/ (hub.mjs).
  const infos = [];
  for (const p of probe) infos.push(await tensorInfo(layout, p.name, cost, signal));
  const blocks = await Promise.all(probe.map(async (p, k) => {
    const t = infos[k];
    if (!t || !(t.dtype in DTYPE_BYTES) || t.shape.length !== p.shape.length || t.shape.some((x, i) => x !== p.shape[i])) return null;
    const size = DTYPE_BYTES[t.dtype];
    return Promise.all(p.blocks.map(async (b) => decode(await read(layout.model, t.file,
      t.begin + b.start * size, t.begin + (b.start + b.len) * size, cost, layout.touched, signal), t.dtype)));
  }));
  for (const [k, p] of probe.entries()) {
    const parts = blocks[k];
    if (!parts) continue;
    const t = infos[k];
    const v = new Float64Array(parts.reduce((s, x) => s + x.length, 0));
    let at = 0;
    for (const x of parts) { v.set(x, at); at += x.length; }
    if (v.some((x) => !Number.isFinite(x))) continue;  // NaN/Inf rows say nothing about closeness
    values.set(p.name, v);
    dtypes.add(t.dtype);
  }
  return { id: layout.model.repo ?? layout.model.label, dtypes: [...dtypes], values, indexMetadata: layout.indexMetadata };
}
