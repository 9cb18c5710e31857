// Compute while fetching, through the engine: tensors are computed as their ranges arrive, so the
// arrival order changes with the concurrency and the link; the report must not. One request at a
// time (ranges arrive in the core's fetch order) and 16 at a time with the mock answering in a
// shuffled order (a random delay per reply) give the same core report, byte for byte.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withVirtualTrio } from '../../support/virtual-trio.mjs';
import { createWasmFrom, DEFAULT_WASM_DIR } from '../../../js/io-node/wasm.mjs';

/** The report without what differs between runs by design (time stamp, fetch counts, link). */
const core = (r) => JSON.stringify({ ...r, created: null, fetch: null, share_url: null });

for (const layout of ['tiny-qwen3.5-fp8', 'tiny-llama']) {
  test(`${layout}: the report is the same whatever order the ranges arrive in`, async () => {
    await withVirtualTrio(layout, async ({ run, mock }) => {
      const wasm = await createWasmFrom(DEFAULT_WASM_DIR);
      const one = await run({ wasm, concurrency: 1, budget: 200_000 });
      mock.setKnobs({ latencyMs: 0, jitterMs: 8 });
      const many = await run({ wasm, concurrency: 16, budget: 200_000 });
      assert.equal(one.summary.verdict, 'linear-merge');
      assert.ok(one.fetch.requests > 20, `${one.fetch.requests} requests: several ranges a model`);
      assert.equal(core(many), core(one));
    });
  });
}
