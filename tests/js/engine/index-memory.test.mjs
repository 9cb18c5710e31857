// The index parser's wasm memory: a big per-expert index (the FP8 397B one is 20.6 MB; this one
// is ~50 MB) costs the heap at most 2x its size, buffer included, and the buffer is the core's
// once addIndex has it (freed by the core, not by JS). wasm never returns memory, so what a parse
// peaks at stays with the page: the simdjson parse this replaced took 6.7x (a 60 MB index,
// ~400 MB of heap).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createWasmFrom, DEFAULT_WASM_DIR } from '../../../js/io-node/wasm.mjs';

/** An index shaped like Qwen3.5-397B FP8's (pretty-printed, weight + block scale per expert). */
function bigIndex(experts) {
  const parts = [];
  for (let l = 0; l < 60; l++) {
    const shard = `model-${String(1 + Math.floor((l * 94) / 60)).padStart(5, '0')}-of-00094.safetensors`;
    for (let e = 0; e < experts; e++)
      for (const p of ['gate', 'up', 'down'])
        for (const s of ['weight', 'weight_scale_inv'])
          parts.push(`    "model.language_model.layers.${l}.mlp.experts.${e}.${p}_proj.${s}": "${shard}"`);
  }
  return { text: `{\n  "metadata": {"total_size": 397000000000},\n  "weight_map": {\n${parts.join(',\n')}\n  }\n}\n`, entries: parts.length };
}

test('a 50 MB index costs the wasm heap at most 2x its size, and addIndex takes its buffer', async (t) => {
  const mod = await createWasmFrom(DEFAULT_WASM_DIR);  // a fresh heap: its growth is this parse's
  const { text, entries } = bigIndex(1280);
  const bytes = new TextEncoder().encode(text);
  assert.ok(bytes.length > 45e6, `${bytes.length} bytes`);
  const before = mod.HEAPU8.length;
  const analysis = new mod.Analysis(1, false);
  const ptr = mod._malloc(bytes.length + mod.jsonPadding) >>> 0;
  assert.ok(ptr);
  mod.HEAPU8.set(bytes, ptr);
  mod.HEAPU8.fill(0, ptr + bytes.length, ptr + bytes.length + mod.jsonPadding);
  const res = analysis.addIndex(0, ptr, bytes.length);
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.tensors, entries);
  assert.equal(res.shards.length, 60);
  const growth = mod.HEAPU8.length - before;
  t.diagnostic(`index ${(bytes.length / 1e6).toFixed(1)} MB: heap growth ${(growth / bytes.length).toFixed(2)}x its size`);
  assert.ok(growth <= 2 * bytes.length, `heap grew ${(growth / 1e6).toFixed(1)} MB for a ${(bytes.length / 1e6).toFixed(1)} MB index (${(growth / bytes.length).toFixed(2)}x)`);
  // The core frees the buffer with the analysis: the same size again fits without growing.
  analysis.delete();
  const top = mod.HEAPU8.length;
  const again = mod._malloc(bytes.length) >>> 0;
  assert.ok(again);
  assert.equal(mod.HEAPU8.length, top, 'the index buffer was released by the core');
  mod._free(again);
});

test('an index addIndex refuses is freed by the core too', async () => {
  const mod = await createWasmFrom(DEFAULT_WASM_DIR);
  const bytes = new TextEncoder().encode('{"weight_map":{"a":"../x.safetensors"}}');
  const analysis = new mod.Analysis(1, false);
  // Many refused indexes in a row: if the core kept (or leaked) each buffer the heap would grow.
  const big = 8 << 20;
  const start = mod.HEAPU8.length;
  for (let i = 0; i < 32; i++) {
    const ptr = mod._malloc(big + mod.jsonPadding) >>> 0;
    mod.HEAPU8.fill(0x20, ptr, ptr + big + mod.jsonPadding);
    mod.HEAPU8.set(bytes, ptr);
    const res = analysis.addIndex(0, ptr, big);
    assert.equal(res.code, 'UnsafeShardPath');
  }
  assert.ok(mod.HEAPU8.length - start < 4 * big, `heap grew ${mod.HEAPU8.length - start} bytes over 32 refused 8 MiB indexes`);
  analysis.delete();
});
