// The seed method, as a baseline for bench/bench_run.mjs: what the project's first script did,
// written the way it was run (sequential Python with `requests`): for each of the three models,
// read the index, then for 5 layers the whole router (`mlp.gate.weight`) and shared-expert-gate
// (`mlp.shared_expert_gate.weight`) tensors, one request per tensor, one request at a time. Each
// file is fetched through /resolve/ (hub hop, then the CDN hop), as `requests` follows redirects
// without caching them. A shard's header is read once: a first read of 100 kB (as huggingface_hub
// does), a second only if the header is longer.
// It computes nothing: the time is all fetch, which is what the comparison is about.

const LAYERS = 5;

/**
 * @param {string} hubUrl
 * @param {string[]} repos  suspect, parent, base
 * @returns {Promise<{seconds: number, requests: number, bytes: number, tensorBytes: number, layers: number[]}>}
 */
export async function seedMethod(hubUrl, repos) {
  let requests = 0;
  let bytes = 0;
  let tensorBytes = 0;
  /** One GET through /resolve/; counts both hops (a redirect is a request too). */
  const get = async (repo, file, range) => {
    const res = await fetch(`${hubUrl}/${repo}/resolve/main/${file}`, range ? { headers: { Range: `bytes=${range[0]}-${range[1] - 1}` } } : {});
    requests += res.redirected ? 2 : 1;
    if (!res.ok) throw new Error(`seed method: ${repo}/${file}: HTTP ${res.status}`);
    const buf = new Uint8Array(await res.arrayBuffer());
    bytes += buf.length;
    return buf;
  };
  const t0 = performance.now();
  let layers = [];
  for (const repo of repos) {
    const index = JSON.parse(new TextDecoder().decode(await get(repo, 'model.safetensors.index.json')));
    const names = Object.keys(index.weight_map);
    const routers = names.filter((n) => /\.layers\.\d+\.mlp\.gate\.weight$/.test(n));
    const count = routers.length;
    // 5 layers spread over the depth, as the seed script chose them (first, last, and between).
    layers = Array.from({ length: LAYERS }, (_, i) => Math.round((i * (count - 1)) / (LAYERS - 1)));
    const headers = new Map();
    for (const L of layers) {
      for (const name of names.filter((n) => new RegExp(`\\.layers\\.${L}\\.mlp\\.(gate|shared_expert_gate)\\.weight$`).test(n))) {
        const shard = index.weight_map[name];
        if (!headers.has(shard)) {
          let head = await get(repo, shard, [0, 100_000]);
          const n = Number(new DataView(head.buffer).getBigUint64(0, true));
          if (8 + n > head.length) {
            const all = new Uint8Array(8 + n);
            all.set(head);
            all.set(await get(repo, shard, [head.length, 8 + n]), head.length);
            head = all;
          }
          headers.set(shard, { start: 8 + n, json: JSON.parse(new TextDecoder().decode(head.subarray(8, 8 + n))) });
        }
        const h = headers.get(shard);
        const [a, b] = h.json[name].data_offsets;
        tensorBytes += (await get(repo, shard, [h.start + a, h.start + b])).length;
      }
    }
  }
  return { seconds: (performance.now() - t0) / 1000, requests, bytes, tensorBytes, layers };
}
