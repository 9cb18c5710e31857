// The hub client inside real headless Chromium, against the mock hub on two other origins: the
// CORS facts the client is built on (no CDN preflight, token stripped on the redirect, hidden
// Content-Range, a 429 without CORS) checked by a browser rather than by our emulation.
// Skipped when Chromium or playwright-core is not installed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos, REAL_MODELS } from '../../../../tools/mock-hub/catalog.mjs';

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let playwright = null;
try { playwright = await import('playwright-core'); } catch { /* skipped below */ }
const skip = !playwright || !existsSync(CHROMIUM) ? 'needs playwright-core and Chromium' : false;

let hub, site, context, page, profile, pageOrigin;

before(async () => {
  if (skip) return;
  hub = await startMockHub({ repos: standardRepos().repos });
  // The page origin: serves js/ only (the modules shared by page and CLI).
  site = createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); return res.end('<!doctype html><title>t</title>'); }
    const file = resolve(ROOT, '.' + p);
    if (!file.startsWith(join(ROOT, 'js') + '/') || !existsSync(file)) { res.writeHead(404); return res.end(); }
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  pageOrigin = `http://127.0.0.1:${site.address().port}`;
  profile = mkdtempSync(join(tmpdir(), 'mp-hub-chromium-'));
  context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await context.newPage();
  await page.goto(pageOrigin + '/');
});

after(async () => {
  if (skip) return;
  await context?.close();
  await hub?.close();
  site?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Runs a read in the page; returns bytes (as an array) + stats, or the HubError's code/message. */
function readInPage(args) {
  return page.evaluate(async ({ hubUrl, repo, token, start, end, opts }) => {
    const { HubClient } = await import('/js/io/hub/client.mjs');
    const { readBytes } = await import('/js/io/byte-source.mjs');
    const c = new HubClient({ endpoint: hubUrl, token, retryBaseMs: 5, ...opts });
    try {
      const m = await c.resolveModel(repo);
      const f = m.file(m.weights.single ?? m.weights.index);
      const b = await readBytes(f, start, end);
      return { bytes: Array.from(b), size: await f.size(), stats: c.stats };
    } catch (e) {
      return { code: e.code, message: e.message, stats: c.stats };
    }
  }, { hubUrl: hub.hubUrl, ...args });
}

const sst2 = () => new Uint8Array(readFileSync(join(REAL_MODELS, 'bert-tiny-sst2-fhe', 'model.safetensors')));

test('Chromium: a gated repo with a token; CDN gets no preflight and no Authorization', { skip }, async () => {
  hub.resetStats();
  const r = await readInPage({ repo: 'gated/bert-tiny-sst2', token: 'hf_alice_token', start: 100, end: 60_100 });
  assert.equal(r.code, undefined, r.message);
  assert.deepEqual(Uint8Array.from(r.bytes), sst2().subarray(100, 60_100));
  assert.equal(r.stats.resolveCalls, 1);
  assert.equal(hub.stats.cdn.preflights, 0);
  assert.equal(hub.stats.cdn.withAuthorization, 0);
  assert.ok(hub.stats.hub.preflights >= 1); // Authorization is preflighted at the hub, which allows it
});

test('Chromium: hidden Content-Range on the CDN and the 2025-03 hub list still give the right bytes', { skip }, async () => {
  hub.setKnobs({ cdnExpose: 'none', hubExpose: '2025-03' });
  try {
    const r = await readInPage({ repo: 'real/bert-tiny-sst2', start: 0, end: 20_000 });
    assert.equal(r.code, undefined, r.message);
    assert.deepEqual(Uint8Array.from(r.bytes), sst2().subarray(0, 20_000));
    assert.equal(r.size, sst2().length);
  } finally {
    hub.setKnobs({ cdnExpose: 'a', hubExpose: '2026-07' });
  }
});

test('Chromium: a 429 without CORS headers is a Network error, not a hang', { skip }, async () => {
  hub.setKnobs({ resolverLimit: 0, rateLimitOmitAcao: true });
  try {
    const r = await readInPage({ repo: 'real/bert-tiny-emotion', start: 0, end: 10, opts: { maxRetries: 2 } });
    assert.equal(r.code, 'Network');
    assert.match(r.message, /refused cross-origin access/);
  } finally {
    hub.setKnobs({ resolverLimit: 3000, rateLimitOmitAcao: false });
  }
});

test('Chromium: a server ignoring Range: a shard over maxWholeFileBytes is refused without downloading it', { skip }, async () => {
  hub.setKnobs({ ignoreRange: true });
  hub.resetStats();
  try {
    const r = await readInPage({ repo: 'virtual/tiny-qwen-merge', start: 0, end: 1000, opts: { maxWholeFileBytes: 100 } });
    assert.equal(r.code, 'RangeIgnored');
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(hub.stats.cdn.bytes < 16 << 20 && hub.stats.hub.requests < 20);
  } finally {
    hub.setKnobs({ ignoreRange: false });
  }
});

test('Chromium: the CacheStorage store keeps header bytes of a commit across clients', { skip }, async () => {
  const r = await page.evaluate(async ({ hubUrl }) => {
    const { HubClient } = await import('/js/io/hub/client.mjs');
    const { openCache, cachedReadBytes } = await import('/js/io/cache.mjs');
    const cache = await openCache();
    const read = async () => {
      const c = new HubClient({ endpoint: hubUrl });
      const m = await c.resolveModel('real/stories260K', 'v1.0');
      const b = await cachedReadBytes(cache, m.file('model.safetensors'), 0, 50_000);
      return { sum: b.reduce((a, x) => a + x, 0), requests: c.stats.requests };
    };
    const first = await read();
    const second = await read();
    return { kind: cache.kind, first, second, stats: cache.stats };
  }, { hubUrl: hub.hubUrl });
  assert.equal(r.kind, 'browser');
  assert.equal(r.first.sum, r.second.sum);
  assert.equal(r.first.requests, 2);
  assert.equal(r.second.requests, 1);
  assert.deepEqual(r.stats, { hits: 1, misses: 1, puts: 1 });
});
