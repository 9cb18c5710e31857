// Every fault knob of the mock hub: the client either returns the right bytes or a clear HubError,
// never wrong or short bytes, and never downloads a big file by accident.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos, REAL_MODELS } from '../../../../tools/mock-hub/catalog.mjs';
import { virtualTrio } from '../../../../tools/mock-hub/virtual.mjs';
import { browserFetch } from '../../../../tools/mock-hub/browser-fetch.mjs';
import { HubClient, HubError } from '../../../../js/io/hub/client.mjs';
import { readBytes } from '../../../../js/io/byte-source.mjs';
import { clearCdnUrls } from '../../../../js/io/hub/retry.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
const { repos } = standardRepos();
const big = virtualTrio({ layout: 'llama-70b', names: { base: 'big/llama-base', parent: 'big/llama-parent', merge: 'big/llama-merge' } });
const bert = new Uint8Array(readFileSync(join(REAL_MODELS, 'bert-tiny-sst2-fhe', 'model.safetensors')));
const DEFAULTS = { latencyMs: 0, bandwidthBps: 0, urlLifetimeSec: 3600, hubExpose: '2026-07', cdnExpose: 'a', cdnOmitContentRange: false, ignoreRange: false, resolverLimit: 3000, rateWindowSec: 300, rateLimitOmitAcao: false, retryAfterSec: 0, faults: [] };

before(async () => { hub = await startMockHub({ repos: [...repos, big.base] }); });
after(async () => { await hub.close(); });
// Signed URLs are remembered per module (a page session): each test starts without any.
afterEach(() => { hub.setKnobs(DEFAULTS); clearCdnUrls(); });

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
  assert.ok(c.stats.rateWaits >= 1);
  assert.equal(c.stats.retries, 0);
  assert.equal(c.stats.resolveCalls, files.length + 1 + c.stats.rateWaits);
});

test('429 that never ends: RateLimited; without CORS on the 429 a page sees a Network error', async () => {
  hub.setKnobs({ resolverLimit: 0, rateWindowSec: 300 });
  const c = client({ maxRetries: 2, retryMaxMs: 20, rateLimitMaxWaitMs: 20 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8), (e) => e.code === 'RateLimited' && e.status === 429 && /rate-limiting/.test(e.message));
  hub.setKnobs({ rateLimitOmitAcao: true });
  const cb = client({ maxRetries: 2, retryMaxMs: 20, rateLimitMaxWaitMs: 20, fetch: browser() });
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

// --- timeouts, 429 waits, messages (issue 10) ---

test('a response head that never comes: dropped after the head timeout, retried, reported as a stall', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, kind: 'stall', ms: 3000 }] });
  const stalls = [];
  const c = client({ headTimeoutMs: 200, onStall: (ev) => stalls.push(ev) });
  const t0 = Date.now();
  await readSst2(c, 0, 5000);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal(c.stats.stalls, 1);
  assert.equal(stalls[0].kind, 'head');
  // The first read asks /resolve/ (fetch follows the redirect): the host named is the one asked.
  assert.equal(stalls[0].host, new URL(hub.hubUrl).host);
  // Every timer is cleared: nothing left that would keep Node alive.
  assert.ok(!process.getActiveResourcesInfo().includes('Timeout') || (await settledTimers()), process.getActiveResourcesInfo().join());
});

/** True once no Timeout resource is left a moment later (the mock's own stall timer may still run). */
async function settledTimers() {
  await new Promise((r) => setTimeout(r, 3100));
  return !process.getActiveResourcesInfo().includes('Timeout');
}

test('a body that goes silent mid-way: dropped after the idle timeout, resumed after the bytes kept', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, kind: 'stallBody', afterBytes: 70_000, ms: 3000 }] });
  const c = client({ idleTimeoutMs: 200 });
  hub.resetStats();
  const t0 = Date.now();
  await readSst2(c, 1000, 301_000);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal(c.stats.stalls, 1);
  assert.equal(c.stats.bytes, 300_000);
  const ranges = hub.stats.log.filter((e) => e.origin === 'cdn').map((e) => e.range);
  const m = /^bytes=(\d+)-300999$/.exec(ranges[1]);
  assert.ok(m && Number(m[1]) > 1000, ranges.join());
});

test('a server that always stalls: a clear Network error within bounded time', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, times: 100, kind: 'stallBody', afterBytes: 100, ms: 3000 }] });
  const c = client({ idleTimeoutMs: 150, maxRetries: 3 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  const t0 = Date.now();
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 200_000),
    (e) => e instanceof HubError && e.code === 'Network' && /stopped answering while reading real\/bert-tiny-sst2\/model\.safetensors \(no data for 0 s/.test(e.message));
  assert.ok(Date.now() - t0 < 2500);
  assert.equal(c.stats.stalls, 3);
});

test('an API answer whose head never comes is retried too', async () => {
  hub.setKnobs({ faults: [{ on: 'api', nth: 1, kind: 'stall', ms: 3000 }] });
  const c = client({ headTimeoutMs: 200 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  assert.equal(m.repo, 'real/bert-tiny-sst2');
  assert.equal(c.stats.stalls, 1);
});

const limited = (headers) => ({ faults: [{ on: 'resolve', nth: 1, kind: 'status', status: 429, headers }] });

/** A client whose waits are recorded and take 1 ms. */
function scaledClient(o = {}) {
  const waits = [];
  const events = [];
  const c = client({ sleep: async (ms) => { waits.push(ms); await new Promise((r) => setTimeout(r, 1)); }, onWait: (ev) => events.push(ev), ...o });
  return { c, waits, events };
}

test('429 with Retry-After 2 and RateLimit t=5: waits the longer (5 s), keeps its tries, succeeds', async () => {
  hub.setKnobs(limited({ 'Retry-After': '2', RateLimit: '"resolvers";r=0;t=5' }));
  const { c, waits, events } = scaledClient({ maxRetries: 1 });
  await readSst2(c, 0, 100);
  assert.deepEqual(waits, [5000]);
  assert.equal(events[0].reason, 'rate-limit');
  assert.equal(events[0].ms, 5000);
  assert.equal(events[0].host, new URL(hub.hubUrl).host);
  assert.equal(c.stats.rateWaits, 1);
});

test('429 with t=600: the wait is capped at one 5-minute window plus a margin, then the run goes on', async () => {
  hub.setKnobs(limited({ RateLimit: '"resolvers";r=0;t=600' }));
  const { c, waits } = scaledClient();
  await readSst2(c, 0, 100);
  assert.deepEqual(waits, [305_000]);
});

test('429 with no readable hint (a page): waits a whole window', async () => {
  hub.setKnobs(limited({}));
  const { c, waits } = scaledClient();
  await readSst2(c, 0, 100);
  assert.deepEqual(waits, [305_000]);
});

test('noWait: a 429 fails at once and says how long to wait', async () => {
  hub.setKnobs(limited({ 'Retry-After': '2', RateLimit: '"resolvers";r=0;t=90' }));
  const { c, waits } = scaledClient({ noWait: true });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8),
    (e) => e.code === 'RateLimited' && e.status === 429 && /it asks to wait 90 s/.test(e.message) && /5-minute windows/.test(e.message));
  assert.deepEqual(waits, []);
});

test('retryNow() ends a 429 wait early (the page\'s "Retry now" button)', async () => {
  hub.setKnobs(limited({ RateLimit: '"resolvers";r=0;t=250' }));
  /** @type {HubClient} */
  let c;
  c = client({ onWait: () => setTimeout(() => c.retryNow(), 50) });
  const t0 = Date.now();
  await readSst2(c, 0, 100);
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(c.stats.rateWaits, 1);
});

test('a redirect loop says so, not "check your network"', async () => {
  hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, times: 100, kind: 'redirectLoop' }] });
  const c = client();
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8),
    (e) => e.code === 'BadResponse' && /redirected too many times \(a redirect loop\) while reading real\/bert-tiny-sst2\/model\.safetensors/.test(e.message));
});

test('a CDN 404 blames the CDN storage or a stale link, not the revision', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, times: 100, kind: 'status', status: 404 }] });
  const c = client();
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await assert.rejects(readBytes(m.file('model.safetensors'), 0, 8), (e) => e.code === 'BadResponse' &&
    /file CDN \(127\.0\.0\.1:\d+\) answered 404 for real\/bert-tiny-sst2\/model\.safetensors: the file's storage is missing or the signed link is stale/.test(e.message) &&
    !/does not exist at that revision/.test(e.message));
});

test('a signed CDN URL is reused by a second client in the same session: no second /resolve/', async () => {
  const c1 = client();
  await readSst2(c1, 0, 100);
  assert.equal(c1.stats.resolveCalls, 1);
  const c2 = client();
  await readSst2(c2, 500, 900);
  assert.equal(c2.stats.resolveCalls, 0);
  // An expired one is not reused: the mock signs for 1 s, we keep a 5-minute margin.
  clearCdnUrls();
  hub.setKnobs({ urlLifetimeSec: 1 });
  await readSst2(client(), 0, 100);
  const c3 = client();
  await readSst2(c3, 0, 100);
  assert.equal(c3.stats.resolveCalls, 1);
});

test('stalledMs(): 0 while nothing is in flight (however long ago the last byte), counts up during a silence', async () => {
  hub.setKnobs({ faults: [{ on: 'cdn', nth: 1, kind: 'stallBody', afterBytes: 1000, ms: 600 }] });
  const c = client({ idleTimeoutMs: 5000 });
  const m = await c.resolveModel('real/bert-tiny-sst2');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.stalledMs(), 0);
  const p = readBytes(m.file('model.safetensors'), 0, 100_000);
  assert.ok(c.stalledMs() < 100, 'the clock starts with the request, not at the last byte before it');
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(c.stalledMs() >= 250, `silent for ${c.stalledMs()} ms`);
  await p;
  assert.equal(c.stalledMs(), 0);
});

test('429s to requests in flight together: one wait announced, every request resumes', async () => {
  hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, times: 3, kind: 'status', status: 429, headers: { RateLimit: '"resolvers";r=0;t=4' } }] });
  const { c, waits, events } = scaledClient();
  const m = await c.resolveModel('virtual/tiny-qwen-merge');
  const shards = m.files.filter((f) => f.endsWith('.safetensors')).slice(0, 3);
  assert.equal(shards.length, 3);
  await Promise.all(shards.map((f) => readBytes(m.file(f), 0, 8)));
  assert.equal(waits.length, 3);
  assert.equal(events.length, 1);
});
