// Local files dropped or chosen on the page -> a ModelSource (docs/ARCHITECTURE.md), so the engine
// reads them exactly like a hub repo. Runs in the worker (File objects cross postMessage intact).
// A folder works when it holds one safetensors file or an index with its shards; the folder holding
// the index becomes the root, because index weight_map names are relative to the index.
import { BlobSource } from './byte-source.mjs';

/**
 * @param {{ file: Blob, path: string }[]} entries  path: relative path (folder drop) or file name
 * @param {string} label  what to call the model in the report
 */
export function localModelSource(entries, label) {
  const usable = entries.filter((e) => /\.safetensors(\.index\.json)?$/.test(e.path));
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
    if (st.length === 0) throw localError(`${label}: no .safetensors file among the ${entries.length} dropped file(s).`);
    const single = st.length === 1 ? st[0] : st.find((e) => e.path.split('/').pop() === 'model.safetensors');
    if (!single) {
      throw localError(`${label}: ${st.length} .safetensors files but no model.safetensors.index.json; ` +
        'drop the whole folder with its index, or a single file.');
    }
    const p = single.path;
    root = p.includes('/') ? p.slice(0, p.lastIndexOf('/') + 1) : '';
    weights = { single: p.slice(root.length) };
  }
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
