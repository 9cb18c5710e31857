// The real Hub's quirks of spec §9 against the mock: `siblings` cut or empty (files listed through
// the paginated tree, or paths-info), optional endpoints missing on a mirror (404/501 fall back at
// once, no retries), gzip-encoded resolve-cache answers, and the CDN under two host names.

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos } from '../../../../tools/mock-hub/catalog.mjs';
import { bufferFile } from '../../../../tools/mock-hub/repo.mjs';
import { browserFetch } from '../../../../tools/mock-hub/browser-fetch.mjs';
import { HubClient, HubError } from '../../../../js/io/hub/client.mjs';
import { MAX_TREE_PAGES, listTree, nextLink, siblingsDoubt } from '../../../../js/io/hub/listing.mjs';
import { clearCdnUrls } from '../../../../js/io/hub/retry.mjs';
import { readBytes } from '../../../../js/io/byte-source.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
const SHARDED = 'real/tinystories-656k-sharded';

before(async () => {
  const { repos } = standardRepos();
  // 1,001 files, weights included: a listing that long may be cut, so the tree is asked (§9).
  const many = { 'model.safetensors': repos.find((r) => r.id === 'real/stories260K').commits.at(-1)['model.safetensors'] };
  for (let i = 0; i < 1000; i++) many[`extra/${String(i).padStart(4, '0')}.txt`] = bufferFile('x.txt', `file ${i}\n`);
  hub = await startMockHub({ repos: [...repos, { id: 'test/many-files', commits: [many] }] });
});
after(async () => { await hub.close(); });
beforeEach(() => {
  clearCdnUrls(); // CDN URLs remembered by other tests would skip the /resolve/ redirects counted here
  hub.setKnobs({ siblingsLimit: null, pathsInfoStatus: 0, treeStatus: 0, treePageSize: 1000, cdnAlternate: false, cdnExpose: 'a', resolveCacheGzip: false, faults: [] });
  hub.resetStats();
});

const client = (o = {}) => new HubClient({ endpoint: hub.hubUrl, retryBaseMs: 5, ...o });
const mockFile = (repo, path) => hub.repo(repo).commit('main').files[path];
const requestsTo = (part) => hub.stats.log.filter((e) => e.path.includes(part));

/** Reads the index and every shard's first bytes; compares them with the mock's files. */
async function readAllShards(m) {
  const idx = m.file(m.weights.index);
  const index = JSON.parse(new TextDecoder().decode(await readBytes(idx, 0, await idx.size())));
  for (const s of new Set(Object.values(index.weight_map))) {
    const src = m.file(/** @type {string} */ (s));
    const size = await src.size();
    assert.equal(size, mockFile(m.repo, s).size, `size of ${s}`);
    assert.deepEqual(await readBytes(src, 0, 64), mockFile(m.repo, s).read(0, 64));
  }
}

test('siblingsDoubt: empty, 1,000 or more, or no weights; nextLink finds rel="next"', () => {
  const has = (f) => f.includes('model.safetensors');
  assert.match(siblingsDoubt([], has), /no files/);
  assert.match(siblingsDoubt(Array.from({ length: 1000 }, (_, i) => `f${i}`).concat('model.safetensors'), has), /may be cut/);
  assert.match(siblingsDoubt(['config.json'], has), /no safetensors weights/);
  assert.equal(siblingsDoubt(['config.json', 'model.safetensors'], has), '');
  assert.equal(nextLink('<https://h/api/models/a/b/tree/x?cursor=Mg>; rel="next"'), 'https://h/api/models/a/b/tree/x?cursor=Mg');
  assert.equal(nextLink('<https://h/p1>; rel="prev", <https://h/p3>; rel=next'), 'https://h/p3');
  assert.equal(nextLink('<https://h/p1>; rel="prev"'), null);
  assert.equal(nextLink(null), null);
});

test('empty siblings: the files come from the tree, every page of it, and the shards read right', async () => {
  hub.setKnobs({ siblingsLimit: 0, treePageSize: 2 });
  const c = client();
  const m = await c.resolveModel(SHARDED);
  assert.equal(m.listedBy, 'tree');
  assert.deepEqual(m.weights, { index: 'model.safetensors.index.json' });
  const all = Object.keys(hub.repo(SHARDED).commit('main').files).sort();
  assert.deepEqual([...m.files].sort(), all);
  // 2 entries a page (directories count too): several pages, each followed once.
  const pages = requestsTo('/tree/');
  assert.ok(pages.length >= Math.ceil(all.length / 2), `${pages.length} tree pages`);
  assert.ok(pages.every((p) => p.status === 200));
  for (const f of all) assert.equal(m.sizes.get(f), mockFile(SHARDED, f).size);
  await readAllShards(m);
  assert.equal(requestsTo('/paths-info/').length, 0, 'sizes came with the tree');
});

test('cut siblings without the weights, and 1,000+ siblings: the tree decides', async () => {
  hub.setKnobs({ siblingsLimit: 1 });
  const m = await client().resolveModel(SHARDED);
  assert.equal(m.listedBy, 'tree');
  await readAllShards(m);
  hub.setKnobs({ siblingsLimit: null });
  const many = await client().resolveModel('test/many-files');
  assert.equal(many.listedBy, 'tree');
  assert.equal(many.files.length, 1001);
  // A short, complete listing is used as it is: no tree call.
  hub.resetStats();
  assert.equal((await client().resolveModel(SHARDED)).listedBy, 'siblings');
  assert.equal(requestsTo('/tree/').length, 0);
});

for (const status of [404, 501]) {
  test(`a mirror without the tree (${status}): paths-info finds the weights; without either, a clear error, no retries`, async () => {
    hub.setKnobs({ siblingsLimit: 0, treeStatus: status });
    const m = await client().resolveModel(SHARDED);
    assert.equal(m.listedBy, 'paths-info');
    assert.equal(requestsTo('/tree/').length, 1, 'the missing tree is asked once, not retried');
    await readAllShards(m);
    hub.setKnobs({ pathsInfoStatus: status });
    hub.resetStats();
    await assert.rejects(client().resolveModel(SHARDED), (e) => e instanceof HubError && e.code === 'EntryNotFound' &&
      /cannot list the files .*lists no files.*serves neither the tree API nor paths-info/.test(e.message));
    assert.equal(requestsTo('/tree/').length, 1);
    assert.equal(requestsTo('/paths-info/').length, 1);
  });

  test(`paths-info missing (${status}) when sizes are unknown: the tree sizes the files, one request each, no retries`, async () => {
    hub.setKnobs({ pathsInfoStatus: status });
    const c = client();
    const m = await c.resolveModel(SHARDED);
    m.sizes.clear();
    hub.resetStats();
    const shards = m.files.filter((f) => f.endsWith('.safetensors'));
    const sizes = await Promise.all(shards.map((f) => m.file(f).size()));
    assert.deepEqual(sizes, shards.map((f) => mockFile(SHARDED, f).size));
    assert.equal(requestsTo('/paths-info/').length, 1, 'paths-info asked once for all shards, not retried');
    assert.equal(requestsTo('/tree/').length, 1);
    assert.equal(c.stats.retries, 0);
    // Neither endpoint: the size comes from a 1-byte range's Content-Range, asked once per file.
    hub.setKnobs({ treeStatus: status });
    m.sizes.clear();
    delete m.sizesUnlisted;
    hub.resetStats();
    assert.equal(await m.file(shards[0]).size(), mockFile(SHARDED, shards[0]).size);
    assert.equal(await m.file(shards[1]).size(), mockFile(SHARDED, shards[1]).size);
    assert.equal(requestsTo('/paths-info/').length + requestsTo('/tree/').length, 2, 'the missing endpoints are not asked again');
  });
}

test('a 404 with the hub\'s own error code from paths-info is not taken for a missing endpoint', async () => {
  const c = client();
  const m = await c.resolveModel(SHARDED);
  m.sizes.clear();
  m.revision = 'f'.repeat(40); // a commit the repo does not have: 404 RevisionNotFound
  await assert.rejects(m.file(m.files[0]).size(), (e) => e instanceof HubError && e.code === 'RevisionNotFound');
});

test('mock: resolve-cache gzips a whole-body 200 without Content-Length when asked to; ranges stay plain', async () => {
  hub.setKnobs({ resolveCacheGzip: true });
  const sha = hub.repo('real/stories260K').commit('main').sha;
  const url = `${hub.hubUrl}/api/resolve-cache/models/real/stories260K/${sha}/config.json`;
  const { request } = await import('node:http');
  const raw = (headers) => new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
  const z = await raw({ 'Accept-Encoding': 'gzip' });
  assert.equal(z.res.statusCode, 200);
  assert.equal(z.res.headers['content-encoding'], 'gzip');
  assert.equal(z.res.headers['content-length'], undefined);
  const config = mockFile('real/stories260K', 'config.json');
  assert.deepEqual(new Uint8Array(gunzipSync(z.body)), config.read(0, config.size));
  const r = await raw({ 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' });
  assert.equal(r.res.statusCode, 206);
  assert.equal(r.res.headers['content-encoding'], undefined);
});

test('a gzip-encoded 200 from resolve-cache: its size is not taken from Content-Length, the bytes are right', async () => {
  hub.setKnobs({ resolveCacheGzip: true });
  // A proxy that drops Range and asks for gzip: the hub's resolve-cache then answers a gzip 200.
  const dropRange = (url, init = {}) => {
    const headers = { ...(/** @type {any} */ (init.headers) ?? {}) };
    delete headers.Range;
    return fetch(url, { ...init, headers: { ...headers, 'Accept-Encoding': 'gzip' } });
  };
  const c = client({ fetch: dropRange });
  const m = await c.resolveModel('real/stories260K');
  const config = mockFile('real/stories260K', 'config.json');
  m.sizes.clear(); // size unknown: nothing but the body itself can tell it
  const f = m.file('config.json');
  assert.ok(config.size > 30);
  assert.deepEqual(await readBytes(f, 0, 20), config.read(0, 20));
  assert.deepEqual(await readBytes(f, 10, 30), config.read(10, 30));
  assert.ok(hub.stats.log.some((e) => e.path.includes('/resolve-cache/') && e.status === 200));
  // With the size known, a whole-file read gives the decoded bytes, all of them.
  const m2 = await c.resolveModel('real/stories260K');
  assert.deepEqual(await readBytes(m2.file('config.json'), 0, config.size), config.read(0, config.size));
});

test('the CDN under two host names in one run (cdn.hf.co and cas-bridge): right bytes, in Node and in a page', async () => {
  hub.setKnobs({ cdnAlternate: true });
  assert.notEqual(new URL(hub.cdnAltUrl).host, new URL(hub.cdnUrl).host);
  for (const fetch of [undefined, browserFetch({ origin: 'http://127.0.0.1:1' })]) {
    const m = await client(fetch ? { fetch } : {}).resolveModel(SHARDED);
    await readAllShards(m);
    const shards = m.files.filter((f) => f.endsWith('.safetensors'));
    const hosts = new Set(shards.map((s) => new URL(/** @type {any} */ (m.file(s)).cdnUrl).host));
    assert.equal(hosts.size, 2, `CDN hosts used: ${[...hosts]}`);
  }
});

test('a tree that goes on past the page bound is an error, never a silently cut list', async () => {
  hub.setKnobs({ treePageSize: 1 }); // 1,002 entries, one per page
  const sha = hub.repo('test/many-files').commit('main').sha;
  await assert.rejects(listTree(client(), 'test/many-files', sha, undefined, 5),
    (e) => e instanceof HubError && e.code === 'BadResponse' && /goes on past 5 pages/.test(e.message));
  assert.equal(requestsTo('/tree/').length, 5);
  assert.equal(MAX_TREE_PAGES, 1000, 'the bound resolveModel uses');
});

test('the real CDNs\' expose lists (cdn.hf.co "*", cas-bridge\'s) let a page learn a size from Content-Range', async () => {
  for (const cdnExpose of ['star', 'cas-bridge']) {
    hub.setKnobs({ cdnExpose, cdnAlternate: true });
    const m = await client({ fetch: browserFetch({ origin: 'http://127.0.0.1:1' }) }).resolveModel(SHARDED);
    const shard = m.files.find((f) => f.endsWith('.safetensors'));
    m.sizes.clear();
    m.sizesUnlisted = true; // no listing: only the CDN's Content-Range can tell the size
    assert.equal(await m.file(shard).size(), mockFile(SHARDED, shard).size, cdnExpose);
  }
});

test('in a page, the tree listing needs no preflight and reads its Link header (exposed by the hub)', async () => {
  hub.setKnobs({ siblingsLimit: 0, treePageSize: 3 });
  const m = await client({ fetch: browserFetch({ origin: 'http://127.0.0.1:1' }) }).resolveModel(SHARDED);
  assert.equal(m.listedBy, 'tree');
  assert.equal(m.files.length, Object.keys(hub.repo(SHARDED).commit('main').files).length);
  assert.ok(requestsTo('/tree/').length > 1, 'several pages');
  assert.equal(hub.stats.hub.preflights, 0);
  await readAllShards(m);
  assert.equal(hub.stats.cdn.preflights, 0);
});
