// Byte sources (Blob, local path, local model folders) and the immutable-content cache.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobSource, readBytes } from '../../../js/io/byte-source.mjs';
import { PathSource, openLocalModel } from '../../../js/io-node/local-model.mjs';
import { openCache, cachedReadBytes, cacheKey } from '../../../js/io/cache.mjs';
import { openFolderCache } from '../../../js/io-node/folder-cache.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { startMockHub } from '../../../tools/mock-hub/server.mjs';
import { standardRepos, shardSafetensors, REAL_MODELS } from '../../../tools/mock-hub/catalog.mjs';

const bytes = new Uint8Array(3_000_000).map((_, i) => (i * 7919) & 255);

test('BlobSource streams exact slices in order and rejects ranges past the end', async () => {
  const src = new BlobSource(new Blob([bytes]), 'x.safetensors');
  assert.equal(await src.size(), bytes.length);
  assert.deepEqual(await readBytes(src, 123, 2_500_000), bytes.subarray(123, 2_500_000));
  assert.deepEqual(await readBytes(src, 5, 5), new Uint8Array(0));
  await assert.rejects(readBytes(src, 0, bytes.length + 1), RangeError);
  await assert.rejects(readBytes(src, 10, 5), RangeError);
  const ctrl = new AbortController();
  ctrl.abort();
  await assert.rejects(src.read(0, 10, () => {}, { signal: ctrl.signal }), (e) => e.name === 'AbortError');
});

test('PathSource reads ranges in 1 MiB chunks with relative offsets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-src-'));
  try {
    const p = join(dir, 'f.bin');
    writeFileSync(p, bytes);
    const src = new PathSource(p);
    assert.equal(src.name, 'f.bin');
    assert.equal(await src.size(), bytes.length);
    const chunks = [];
    const out = new Uint8Array(2_600_000);
    await src.read(100, 2_600_100, (c, off) => { chunks.push(off); out.set(c, off); });
    assert.deepEqual(chunks, [0, 1 << 20, 2 << 20]);
    assert.deepEqual(out, bytes.subarray(100, 2_600_100));
    await assert.rejects(readBytes(src, 0, bytes.length + 1), RangeError);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('openLocalModel: a file, a folder with a single file, an index folder, nested index; no escape', async () => {
  const real = join(REAL_MODELS, 'stories260K', 'model.safetensors');
  const asFile = await openLocalModel(real);
  assert.deepEqual(asFile.weights, { single: 'model.safetensors' });
  assert.equal(asFile.revision, 'local');
  assert.equal(asFile.label, real);  // the path as given
  const folder = await openLocalModel(join(REAL_MODELS, 'stories260K'));
  assert.deepEqual(folder.weights, { single: 'model.safetensors' });
  assert.ok(folder.files.includes('config.json'));
  const whole = new Uint8Array(readFileSync(real));
  assert.deepEqual(await readBytes(folder.file('model.safetensors'), 0, 1000), whole.subarray(0, 1000));

  const dir = mkdtempSync(join(tmpdir(), 'mp-model-'));
  try {
    const sharded = join(dir, 'sharded');
    mkdirSync(sharded);
    for (const [p, b] of Object.entries(shardSafetensors(whole, 2))) writeFileSync(join(sharded, p), b);
    const m = await openLocalModel(sharded);
    assert.deepEqual(m.weights, { index: 'model.safetensors.index.json' });
    const idx = JSON.parse(new TextDecoder().decode(await readBytes(m.file(m.weights.index), 0, await m.file(m.weights.index).size())));
    for (const shard of new Set(Object.values(idx.weight_map))) assert.ok((await m.file(shard).size()) > 8);
    assert.throws(() => m.file('../escape.safetensors'), /leaves the model folder/);

    const nested = join(dir, 'nested');
    mkdirSync(join(nested, 'transformer'), { recursive: true });
    for (const [p, b] of Object.entries(shardSafetensors(whole, 2))) writeFileSync(join(nested, 'transformer', p), b);
    const n = await openLocalModel(nested);
    assert.deepEqual(n.weights, { index: 'transformer/model.safetensors.index.json' });

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    await assert.rejects(openLocalModel(empty), (e) => e.code === 'EntryNotFound' && /no model\.safetensors/.test(e.message));
    await assert.rejects(openLocalModel(join(dir, 'absent')), (e) => e.code === 'EntryNotFound');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('cache: hub header reads hit the folder cache the second time; local files are never cached', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-cache-'));
  const hub = await startMockHub({ repos: standardRepos().repos });
  try {
    const cache = await openFolderCache({ dir });
    assert.equal(cache.kind, 'folder');
    const c1 = new HubClient({ endpoint: hub.hubUrl });
    const m = await c1.resolveModel('real/stories260K', 'v1.0');
    const f = m.file('model.safetensors');
    assert.match(cacheKey(f, 0, 100), /\|[0-9a-f]{40}\|model\.safetensors\|0-100$/);
    const a = await cachedReadBytes(cache, f, 0, 100_000);
    const before = c1.stats.requests;
    // A fresh client (a new run) reading the same header: no request at all.
    const c2 = new HubClient({ endpoint: hub.hubUrl });
    const m2 = await c2.resolveModel('real/stories260K', m.revision);
    const b = await cachedReadBytes(cache, m2.file('model.safetensors'), 0, 100_000);
    assert.deepEqual(a, b);
    assert.equal(c2.stats.requests, 1); // the revision API call only
    assert.equal(c1.stats.requests, before);
    assert.deepEqual(cache.stats, { hits: 1, misses: 1, puts: 1 });
    assert.equal(readdirSync(dir).filter((x) => x.endsWith('.bin')).length, 1);
    // Local sources bypass the cache.
    const local = await openLocalModel(join(REAL_MODELS, 'stories260K'));
    assert.equal(cacheKey(local.file('model.safetensors'), 0, 10), null);
    await cachedReadBytes(cache, local.file('model.safetensors'), 0, 10);
    assert.equal(cache.stats.puts, 1);
    // A corrupt (wrong-length) entry is ignored and replaced.
    const [entry] = readdirSync(dir).filter((x) => x.endsWith('.bin'));
    writeFileSync(join(dir, entry), new Uint8Array(3));
    assert.deepEqual(await cachedReadBytes(cache, m2.file('model.safetensors'), 0, 100_000), a);
    // Caching can be switched off.
    assert.equal(await openCache({ store: 'none' }), null);
    process.env.MERGEPROBE_CACHE = 'off';
    assert.equal(await openFolderCache({ dir }), null);
    delete process.env.MERGEPROBE_CACHE;
    assert.deepEqual(await cachedReadBytes(null, f, 0, 10), a.subarray(0, 10));
  } finally {
    await hub.close();
    rmSync(dir, { recursive: true });
  }
});

test('a FIFO (or anything but a regular file) is refused at once, naming the file; never a hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-fifo-'));
  try {
    const fifo = join(dir, 'model.safetensors');
    execFileSync('mkfifo', [fifo]);
    const notRegular = (e) => e.code === 'EntryNotFound' && e.message.includes(fifo) && /named pipe \(FIFO\), not a regular file/.test(e.message);
    // A folder holding it, the path itself, and a PathSource on it.
    const m = await openLocalModel(dir);
    await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8), notRegular);
    await assert.rejects(openLocalModel(fifo), notRegular);
    await assert.rejects(new PathSource(fifo).read(0, 8, () => {}), notRegular);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shard the index lists but the folder lacks: named with the index and the folder, not a raw ENOENT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-shard-'));
  try {
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors' } }));
    const m = await openLocalModel(dir);
    await assert.rejects(m.file('model-00001-of-00002.safetensors').size(), (e) => e.code === 'EntryNotFound' &&
      e.message === `shard model-00001-of-00002.safetensors listed in model.safetensors.index.json is missing from folder ${dir}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
