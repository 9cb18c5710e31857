// Local files dropped or chosen on the page -> a ModelSource (docs/ARCHITECTURE.md), so the engine
// reads them exactly like a hub repo. Runs in the worker (File objects cross postMessage intact).
// A folder works when it holds one safetensors file or an index with its shards; the folder holding
// the index becomes the root, because index weight_map names are relative to the index. Without
// safetensors, one GGUF model (a file, or every part of a split one) is read.
import { BlobSource } from './byte-source.mjs';
import { ggufModels } from './hub/gguf-files.mjs';

/**
 * @param {{ file: Blob, path: string }[]} entries  path: relative path (folder drop) or file name
 * @param {string} label  what to call the model in the report
 */
export function localModelSource(entries, label) {
  const usable = entries.filter((e) => /\.safetensors(\.index\.json)?$|\.gguf$/i.test(e.path));
  const indexes = usable.filter((e) => e.path.endsWith('.safetensors.index.json'));
  let root = '';
  let weights;
  if (indexes.length > 0) {
    // The shallowest index wins (a checkpoint folder may hold older copies deeper down).
    indexes.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
    const p = indexes[0].path;
    root = p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '';
    weights = { index: p.slice(root.length) };
  } else {
    const st = usable.filter((e) => e.path.endsWith('.safetensors'));
    const gguf = ggufModels(usable.map((e) => e.path));
    if (st.length === 0 && gguf.length === 1) {
      const m = gguf[0];
      if (m.missing.length) throw localError(`${label}: ${m.files[0]} is one part of a split GGUF; drop every part (missing: ${m.missing.join(', ')}).`);
      const p = m.files[0];
      root = p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '';
      return blobModel(usable, root, { gguf: m.files.map((f) => f.slice(root.length)) }, label);
    }
    if (st.length === 0 && gguf.length > 1) throw localError(`${label}: ${gguf.length} GGUF models among the dropped files (${gguf.map((m) => m.files[0]).join(', ')}): drop one.`);
    if (st.length === 0) throw localError(`${label}: no .safetensors or .gguf file among the ${entries.length} dropped file(s).`);
    const single = st.length === 1 ? st[0] : st.find((e) => e.path.split('/').pop() === 'model.safetensors');
    if (!single) {
      throw localError(`${label}: ${st.length} .safetensors files but no model.safetensors.index.json; ` +
        'drop the whole folder with its index, or a single file.');
    }
    const p = single.path;
    root = p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '';
    weights = { single: p.slice(root.length) };
  }
  return blobModel(usable, root, weights, label);
}

/**
 * The ModelSource of dropped files under `root`.
 * @param {{ file: Blob, path: string }[]} usable @param {string} root @param {any} weights @param {string} label
 */
function blobModel(usable, root, weights, label) {
  const byName = new Map();
  for (const e of usable) if (e.path.startsWith(root)) byName.set(e.path.slice(root.length), e.file);
  return {
    label: `local:${label}`,
    repo: null,
    revision: 'local',
    requestedRevision: 'local',
    weights,
    files: [...byName.keys()],
    file(name) {
      const blob = byName.get(name);
      if (!blob) throw localError(`${label}: the index names ${name}, which is not among the dropped files.`);
      return new BlobSource(blob, name);
    },
  };
}

/** @param {string} message */
function localError(message) {
  /** @type {Error & {code?: string}} */
  const e = new Error(message);
  e.code = 'LocalFiles';
  return e;
}
