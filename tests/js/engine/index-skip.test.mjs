// A large index is not read when the listing names one complete shard set (run-analysis.mjs
// shardsWithoutIndex): the shard headers hold every name it holds. A small index, an unknown size
// or a listing with extra or missing shards still reads it. Needs the wasm build (build/wasm).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { SKIP_INDEX_ABOVE, runAnalysis, shardsWithoutIndex } from '../../../js/engine/run-analysis.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { tinyIndexHub } from '../../support/tiny-index-hub.mjs';

const INDEX = 'model.safetensors.index.json';
const model = (files, indexSize = 20_000_000, index = INDEX) =>
  ({ weights: { index }, files: [index, ...files], sizes: new Map([[index, indexSize]]) });

test('shardsWithoutIndex: a complete set beside a large index, in shard order', () => {
  const shards = ['model-00002-of-00003.safetensors', 'model-00001-of-00003.safetensors', 'model-00003-of-00003.safetensors'];
  assert.deepEqual(shardsWithoutIndex(model([...shards, 'config.json'])), [...shards].sort());
  const sub = ['weights/model-00001-of-00002.safetensors', 'weights/model-00002-of-00002.safetensors'];
  assert.deepEqual(shardsWithoutIndex(model([...sub, 'model.safetensors'], 2e6, `weights/${INDEX}`)), sub);
});

test('shardsWithoutIndex: the index is read when it is small, unsized, or the listing is not one whole set', () => {
  const two = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
  assert.equal(shardsWithoutIndex(model(two, SKIP_INDEX_ABOVE)), null, 'small');
  assert.equal(shardsWithoutIndex({ weights: { index: INDEX }, files: [INDEX, ...two] }), null, 'size unknown (local)');
  assert.equal(shardsWithoutIndex(model([two[0]])), null, 'a shard missing');
  assert.equal(shardsWithoutIndex(model([...two, 'model-00001-of-00003.safetensors'])), null, 'two sets');
  assert.equal(shardsWithoutIndex(model([...two, 'adapter.safetensors'])), null, 'an extra file');
  assert.equal(shardsWithoutIndex(model(['other-00001-of-00001.safetensors'])), null, 'another prefix');
  assert.equal(shardsWithoutIndex(model([])), null, 'no shards');
  assert.equal(shardsWithoutIndex({ weights: { single: 'model.safetensors' }, files: ['model.safetensors'] }), null);
});

let hub;
let wasm;
/** @type {() => number} */
let indexReads;
before(async () => {
  wasm = await loadWasm();
  // The suspect's index is listed at 2 MB and would not parse (zeros): the run must not need it.
  ({ hub, indexReads } = await tinyIndexHub({ suspect: 'tiny/big-index', indexSize: 2_000_000 }));
});
after(async () => { await hub?.close(); });

test('hub: a run with a 2 MB index beside one complete shard set never reads the index', async () => {
  const client = new HubClient({ endpoint: hub.hubUrl });
  const open = (id) => client.resolveModel(id, 'main');
  const report = await runAnalysis({ suspect: await open('tiny/big-index'), parents: [await open('tiny/parent')],
    base: await open('tiny/base'), wasm });
  assert.equal(indexReads(), 0);
  assert.deepEqual(report.models.suspect.files, ['model-00001-of-00001.safetensors']);
  assert.ok(report.summary.verdict, 'a verdict');
});
