// Where the access token goes (shared/hf-hub-protocol.md §9): a model's first API call goes without
// it; only a gated or private repo (or a 401/404 the token lifts) gets it afterwards. Public repos
// never see it, so no browser can carry it to the CDN. A token a header cannot carry fails at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos } from '../../../../tools/mock-hub/catalog.mjs';
import { browserFetch } from '../../../../tools/mock-hub/browser-fetch.mjs';
import { HubClient } from '../../../../js/io/hub/client.mjs';
import { readBytes } from '../../../../js/io/byte-source.mjs';
import { INVALID_TOKEN, tokenProblem } from '../../../../js/io/hub/token.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
before(async () => { hub = await startMockHub({ repos: standardRepos().repos }); });
after(async () => { await hub.close(); });

const TOKEN = 'hf_alice_token';
const client = (o = {}) => new HubClient({ endpoint: hub.hubUrl, retryBaseMs: 5, ...o });
/** The hub's log since the last reset, as "METHOD path auth?" lines (never the token itself). */
const log = () => hub.stats.log.map((e) => `${e.origin} ${e.method} ${e.path}${e.auth ? ' +auth' : ''}`);

/** Resolve a repo, read a header and a range of its weights and one small file, as a run does. */
async function readRepo(c, repo) {
  const m = await c.resolveModel(repo);
  const f = m.file(m.weights.single ?? m.weights.index);
  await readBytes(f, 0, 8);
  await readBytes(f, 1000, 2000);
  return m;
}

test('a public repo: with a token given, no request anywhere carries Authorization', async () => {
  hub.resetStats();
  const m = await readRepo(client({ token: TOKEN }), 'real/bert-tiny-base');
  assert.equal(m.needsToken, false);
  assert.ok(hub.stats.log.length >= 3, log().join('\n'));
  assert.deepEqual(log().filter((l) => l.endsWith('+auth')), []);
});

test('a public repo in a browser with a token: no preflight at all (nothing but simple GETs)', async () => {
  const c = client({ token: TOKEN, fetch: browserFetch({ origin: 'http://127.0.0.1:1' }) });
  hub.resetStats();
  await readRepo(c, 'real/bert-tiny-base');
  assert.equal(hub.stats.hub.preflights + hub.stats.cdn.preflights, 0);
});

test('a public sharded repo whose sizes come from paths-info: the POST goes without the token too', async () => {
  hub.resetStats();
  const c = client({ token: TOKEN });
  const m = await c.resolveModel('real/tinystories-656k-sharded');
  m.sizes.clear();  // as when the listing gave no sizes: the client asks paths-info
  await m.file(m.files.find((f) => f.endsWith('.safetensors'))).size();
  assert.ok(log().some((l) => l.includes('/paths-info/')), log().join('\n'));
  assert.deepEqual(log().filter((l) => l.endsWith('+auth')), []);
});

test('a gated repo: the first API call goes without the token, every later hub call with it; it reads', async () => {
  hub.resetStats();
  const m = await readRepo(client({ token: TOKEN }), 'gated/bert-tiny-sst2');
  assert.equal(m.needsToken, true);
  const hubLines = log().filter((l) => l.startsWith('hub '));
  assert.match(hubLines[0], /^hub GET \/api\/models\/gated\/bert-tiny-sst2\/revision\/main$/);
  assert.ok(hubLines.slice(1).length >= 1 && hubLines.slice(1).every((l) => l.endsWith('+auth')), hubLines.join('\n'));
  assert.equal(hub.stats.cdn.withAuthorization, 0);
});

test('a private repo: 401 without the token, then the same call once with it; it reads', async () => {
  hub.resetStats();
  const m = await readRepo(client({ token: TOKEN }), 'private/bert-tiny-emotion');
  assert.equal(m.needsToken, true);
  const api = hub.stats.log.filter((e) => e.path.startsWith('/api/models/private/'));
  assert.deepEqual(api.map((e) => [e.status, e.auth]), [[401, false], [200, true]]);
  assert.ok(hub.stats.log.filter((e) => e.origin === 'hub' && e.path.includes('/resolve/')).every((e) => e.auth));
  assert.equal(hub.stats.cdn.withAuthorization, 0);
});

test('a private repo: the first API call without the token, then with it after the 401', async () => {
  hub.resetStats();
  const c = client({ token: TOKEN });
  await c.resolveModel('real/stories260K');
  assert.equal((await c.resolveModel('private/bert-tiny-emotion')).needsToken, true);
  const api = hub.stats.log.filter((e) => e.path.startsWith('/api/models/'));
  assert.deepEqual(api.map((e) => [e.path.split('/').slice(3, 5).join('/'), e.status, e.auth]),
    [['real/stories260K', 200, false], ['private/bert-tiny-emotion', 401, false], ['private/bert-tiny-emotion', 200, true]]);
});

test('a token with characters a header cannot carry is refused at once, before any request, never echoed', async () => {
  for (const bad of ['hf_abc def', 'hf_abc\nhf_def', 'hf_\u00e9t\u00e9', 'hf_\u0000x', 'hf_\u4e00']) {
    hub.resetStats();
    const t0 = Date.now();
    assert.throws(() => client({ token: bad }), (e) => {
      assert.equal(e.message, INVALID_TOKEN);
      assert.equal(e.code, 'usage');
      assert.ok(!e.message.includes(bad));
      return true;
    }, JSON.stringify(bad));
    assert.ok(Date.now() - t0 < 100);
    assert.equal(hub.stats.log.length, 0);
    assert.equal(tokenProblem(bad), INVALID_TOKEN);
  }
  for (const good of ['', undefined, 'hf_AbC123', 'anything-header-safe_~!#$%&*+.^`|']) assert.equal(tokenProblem(good), '', String(good));
});
