// Every fault knob of the mock hub: the client either returns the right bytes or a clear HubError,
// never wrong or short bytes, and never downloads a big file by accident.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockHub } from '../mock-hub/server.mjs';
import { standardRepos, REAL_MODELS } from '../mock-hub/catalog.mjs';
import { virtualTrio } from '../mock-hub/virtual.mjs';
import { browserFetch } from '../mock-hub/browser-fetch.mjs';
import { HubClient, HubError } from '../../web/lib/hub.mjs';
import { readBytes } from '../../web/lib/byte-source.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
const { repos } = standardRepos();
const big = virtualTrio({ layout: 'llama-70b', names: { base: 'big/llama-base', parent: 'big/llama-parent', merge: 'big/llama-merge' } });
const bert = new Uint8Array(readFileSync(join(REAL_MODELS, 'bert-tiny-sst2-fhe', 'model.safetensors')));
const DEFAULTS = { latencyMs: 0, bandwidthBps: 0, urlLifetimeSec: 3600, hubExpose: '2026-07', cdnExpose: 'a', cdnOmitContentRange: false, ignoreRange: false, resolverLimit: 3000, rateWindowSec: 300, rateLimitOmitAcao: false, retryAfterSec: 0, faults: [] };

before(async () => { hub = await startMockHub({ repos: [...repos, big.base] }); });
after(async () => { await hub.close(); });
afterEach(() => { hub.setKnobs(DEFAULTS); });

const client = (o = {}) => new HubClient({ endpoint: hub.hubUrl, retryBaseMs: 5, ...o });
const browser = () => browserFetch({ origin: 'http://127.0.0.1:1' });

/** Reads [a, b) of the sst2 file through a fresh client and checks the bytes. */
async function readSst2(c, a, b) {
  const m = await c.resolveModel('real/bert-tiny-sst2');
  const got = await readBytes(m.file('model.safetensors'), a, b);
  assert.deepEqual(got, bert.subarray(a, b));
  return m;
}

test('5xx on the Nth CDN request: retried, right bytes', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, kind: 'status', status: 503 }] });
  const c = client();
  await readSst2(c, 10, 90_000);
  assert.equal(c.stats.retries, 1);
});

test('5xx on /resolve/ twice: retried, right bytes', async () => {
  hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, times: 2, kind: 'status', status: 502 }] });
  const c = client();
  await readSst2(c, 0, 1000);
  assert.equal(c.stats.retries, 2);
  assert.equal(c.stats.resolveCalls, 3);
});

test('a persistent 5xx ends as BadResponse after maxRetries tries', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, times: 1000, kind: 'status', status: 500 }] });
  const c = client({ maxRetries: 3 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 100), (e) => e instanceof HubError && e.code === 'BadResponse' && /HTTP 500/.test(e.message));
  assert.equal(c.stats.retries, 2);
});

test('a connection reset mid-body: only the missing part is asked again, right bytes', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, kind: 'reset', afterBytes: 70_000 }] });
  const c = client();
  hub.resetStats();
  await readSst2(c, 1000, 301_000);
  assert.equal(c.stats.retries, 1);
  const ranges = hub.stats.log.filter((e) => e.origin === 'cdn').map((e) => e.range);
  assert.equal(ranges[0], 'bytes=1000-300999');
  // The retry starts after what arrived (a multiple of the mock's chunking, at most 70,000 bytes).
  const m = /^bytes=(\d+)-300999$/.exec(ranges[1]);
  assert.ok(m && Number(m[1]) > 1000 && Number(m[1]) <= 71_000, ranges[1]);
  assert.equal(c.stats.bytes, 300_000);
});

test('stalls and latency only slow things down', async () => {
  hub.setKnobs({ latencyMs: 30, faults: [{ on: 'cdn', nth: 1, kind: 'stall', ms: 200 }] });
  const c = client();
  const t0 = Date.now();
  await readSst2(c, 0, 5000);
  assert.ok(Date.now() - t0 >= 200);
});

test('bandwidth throttling paces bodies on one shared link', async () => {
  hub.setKnobs({ bandwidthBps: 4_000_000 });
  const c = client();
  const m = await c.resolveModel('real/bert-tiny-sst2');
  const t0 = Date.now();
  await Promise.all([readBytes(m.file('model.safetensors'), 0, 400_000), readBytes(m.file('model.safetensors'), 400_000, 800_000)]);
  const ms = Date.now() - t0;
  assert.ok(ms >= 170, `800 kB at 4 MB/s took ${ms} ms`);
});

test('a server that ignores Range: small file used whole (sliced), big file refused without downloading it', async () => {
  hub.setKnobs({ ignoreRange: true });
  const c = client({ maxWholeFileBytes: 4 << 20 });
  await readSst2(c, 12_345, 23_456);
  // A 4.9 GB virtual shard: RangeIgnored at once, and the mock sent little of it.
  const m = await c.resolveModel('big/llama-base');
  hub.resetStats();
  const t0 = Date.now();
  await assert.rejects(readBytes(m.file(m.files.find((f) => f.endsWith('.safetensors'))), 0, 100_000),
    (e) => e instanceof HubError && e.code === 'RangeIgnored' && /ignores HTTP Range requests/.test(e.message));
  assert.ok(Date.now() - t0 < 2000);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(hub.stats.cdn.bytes < 16 << 20, `sent ${hub.stats.cdn.bytes} bytes`);
  // Small file but a budget of 0: refused too.
  await assert.rejects(readSst2(client({ maxWholeFileBytes: 0 }), 0, 10), (e) => e.code === 'RangeIgnored');
});

test('no Content-Range on the CDN (omitted, or not exposed to a page): still right bytes and size', async () => {
  hub.setKnobs({ cdnOmitContentRange: true });
  await readSst2(client(), 5, 50_005);
  hub.setKnobs({ cdnOmitContentRange: false, cdnExpose: 'none', hubExpose: '2025-03' });
  const c = client({ fetch: browser() });
  const m = await readSst2(c, 100, 200);
  // Size unknown from the listing: learnt through paths-info (a preflighted JSON POST to the hub).
  m.sizes.clear();
  hub.resetStats();
  assert.equal(await m.file('model.safetensors').size(), bert.length);
  assert.ok(hub.stats.log.some((e) => e.method === 'POST' && e.path.includes('/paths-info/')));
  // Every shard of a model asking at once: one POST for all.
  const mm = await c.resolveModel('virtual/tiny-qwen-merge');
  mm.sizes.clear();
  hub.resetStats();
  const shards = mm.files.filter((f) => f.endsWith('.safetensors'));
  const sizes = await Promise.all(shards.map((f) => mm.file(f).size()));
  assert.ok(sizes.every((x) => x > 1000));
  assert.equal(hub.stats.log.filter((e) => e.method === 'POST').length, 1);
});

test('429 after N resolver calls: waits for the window (RateLimit t=) and succeeds', async () => {
  hub.setKnobs({ resolverLimit: 2, rateWindowSec: 1 });
  const c = client();
  const m = await c.resolveModel('virtual/tiny-qwen-merge');
  const files = m.files.filter((f) => f.endsWith('.safetensors'));
  for (const f of files) await readBytes(m.file(f), 0, 8);
  await readBytes(m.file('config.json'), 0, 8);
  assert.ok(c.stats.retries >= 1);
  assert.equal(c.stats.resolveCalls, files.length + 1 + c.stats.retries);
});

test('429 that never ends: RateLimited; without CORS on the 429 a page sees a Network error', async () => {
  hub.setKnobs({ resolverLimit: 0, rateWindowSec: 300 });
  const c = client({ maxRetries: 2, retryMaxMs: 20 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8), (e) => e.code === 'RateLimited' && e.status === 429 && /rate-limiting/.test(e.message));
  hub.setKnobs({ rateLimitOmitAcao: true });
  const cb = client({ maxRetries: 2, retryMaxMs: 20, fetch: browser() });
  const mb = await cb.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(mb.file('model.safetensors'), 0, 8), (e) => e.code === 'Network' && /refused cross-origin access/.test(e.message));
});

test('an expired CDN URL is re-resolved once and the read succeeds', async () => {
  hub.setKnobs({ urlLifetimeSec: 1 });
  const c = client();
  const m = await readSst2(c, 0, 100);
  await new Promise((r) => setTimeout(r, 1100));
  const got = await readBytes(m.file('model.safetensors'), 200, 300);
  assert.deepEqual(got, bert.subarray(200, 300));
  assert.equal(c.stats.resolveCalls, 2);
  // URLs that are already expired when issued: a clear error, not a loop.
  hub.setKnobs({ urlLifetimeSec: -10 });
  const c2 = client();
  const m2 = await c2.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m2.file('model.safetensors'), 0, 10), (e) => e.code === 'BadResponse' && /freshly signed URL/.test(e.message));
  assert.ok(c2.stats.resolveCalls <= 3);
});
