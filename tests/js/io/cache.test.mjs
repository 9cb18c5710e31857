// The CLI's folder cache (js/io/cache.mjs) through whole engine runs against the mock hub:
// entries are 0600 in a 0700 folder, a header is stored as exactly its 8 + N bytes (never the
// tensor bytes a speculative read brings), and a gated or private repo leaves only its headers
// (no index, no small file whole). Needs the wasm build (build/wasm).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { openFolderCache } from '../../../js/io-node/folder-cache.mjs';
import { runAnalysis } from '../../../js/engine/run-analysis.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { bufferFile } from '../../../tools/mock-hub/repo.mjs';
import { startMockHub } from '../../../tools/mock-hub/server.mjs';
import { asSharded, tinyTrio } from '../../../tools/gen/tiny-trio.mjs';

const trio = tinyTrio();
const files = (map) => Object.fromEntries(Object.entries(map).map(([p, c]) => [p, bufferFile(p, c)]));
const single = (bytes) => files({ 'model.safetensors': bytes });
const gate = { gated: 'manual', access: ['alice'] };

let hub;
let wasm;
let root;
before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-cache-safety-'));
  wasm = await loadWasm();
  hub = await startMockHub({
    repos: [
      { id: 'tiny/base', commits: [single(trio.base)] },
      { id: 'tiny/parent', commits: [single(trio.parent)] },
      { id: 'tiny/merge-sharded', commits: [files(asSharded(trio.merge))] },
      { id: 'gated/merge', commits: [single(trio.merge)], ...gate },
      { id: 'gated/merge-sharded', commits: [files(asSharded(trio.merge))], ...gate },
      { id: 'private/merge-sharded', commits: [files(asSharded(trio.merge))], private: true, access: ['alice'] },
    ],
  });
});
after(async () => {
  await hub?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function verify(suspect, cacheDir) {
  const client = new HubClient({ endpoint: hub.hubUrl, token: 'hf_alice_token' });
  const open = (id) => client.resolveModel(id, 'main');
  const cache = await openFolderCache({ dir: cacheDir });
  const report = await runAnalysis({
    suspect: await open(suspect), parents: [await open('tiny/parent')], base: await open('tiny/base'),
    wasm, cache, hub: client, endpoint: hub.hubUrl,
  });
  assert.equal(report.summary.verdict, 'linear-merge');
  return { report, cache, client };
}

const entries = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => path.join(dir, f));
const isWholeHeader = (b) => b.length >= 8 && b.readBigUInt64LE(0) === BigInt(b.length - 8);
const headerOf = (b) => b.subarray(0, 8 + Number(b.readBigUInt64LE(0)));

test('cache folder 0700, entries 0600, whatever the umask allowed before', async () => {
  const dir = path.join(root, 'modes', 'nested');  // both levels created by openCache
  await verify('tiny/merge-sharded', dir);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.dirname(dir)).mode & 0o777, 0o700);
  const list = entries(dir);
  assert.ok(list.length >= 3, `${list.length} entries`);
  for (const f of list) assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
});

test('headers are cached as exactly 8 + N bytes, and a second run reads them from the cache', async () => {
  const dir = path.join(root, 'exact');
  const first = await verify('tiny/merge-sharded', dir);
  const stored = entries(dir).map((f) => fs.readFileSync(f));
  const wholeFiles = [trio.base, trio.parent, trio.merge];
  const headers = stored.filter(isWholeHeader);
  // base, parent, merge shard headers; the public index is the one other entry.
  assert.equal(headers.length, 3);
  for (const h of headers) {
    assert.ok(wholeFiles.some((w) => headerOf(w).equals(h)), 'an entry is a file\'s header');
    assert.ok(!wholeFiles.some((w) => w.equals(h)), 'never a whole file');
  }
  assert.equal(stored.filter((b) => !isWholeHeader(b)).map(String).join(), asSharded(trio.merge)['model.safetensors.index.json']);
  const again = await verify('tiny/merge-sharded', dir);
  assert.deepEqual(again.cache.stats, { hits: 4, misses: 0, puts: 0 });
  // The index and three headers came from the cache: four requests fewer than the first run.
  assert.equal(first.report.fetch.requests - again.report.fetch.requests, 4);
});

for (const id of ['gated/merge', 'gated/merge-sharded', 'private/merge-sharded']) {
  test(`${id}: only its safetensors header is cached, no index and no whole file`, async () => {
    const dir = path.join(root, id.replace('/', '-'));
    await verify(id, dir);
    const stored = entries(dir).map((f) => fs.readFileSync(f));
    const index = Buffer.from(asSharded(trio.merge)['model.safetensors.index.json']);
    for (const b of stored) {
      assert.ok(isWholeHeader(b), `every entry is a header (${b.length} bytes)`);
      assert.ok(!b.equals(index), 'the index of a restricted repo is not cached');
      assert.ok(![trio.base, trio.parent, trio.merge].some((w) => w.equals(b)), 'no file whole');
    }
    assert.ok(stored.some((b) => b.equals(headerOf(trio.merge))), 'the suspect\'s header is cached (reruns stay cheap)');
    assert.equal(stored.length, 3);
  });
}
