// The hub client against the mock hub: revision pinning, sharded repos, every error code, request
// and byte counts, the token's reach. Fault knobs are in hub-faults.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos, REAL_MODELS } from '../../../../tools/mock-hub/catalog.mjs';
import { bufferFile } from '../../../../tools/mock-hub/repo.mjs';
import { browserFetch } from '../../../../tools/mock-hub/browser-fetch.mjs';
import { HubClient, HubError, parseModelId } from '../../../../js/io/hub/client.mjs';
import { clearCdnUrls } from '../../../../js/io/hub/retry.mjs';
import { readBytes } from '../../../../js/io/byte-source.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
const { repos } = standardRepos();
const realFile = (folder) => new Uint8Array(readFileSync(join(REAL_MODELS, folder, 'model.safetensors')));

before(async () => { hub = await startMockHub({ repos }); });
after(async () => { await hub.close(); });

const client = (o = {}) => new HubClient({ endpoint: hub.hubUrl, retryBaseMs: 5, ...o });

/** Asserts that `p` rejects with a HubError of `code` whose message matches `re`. */
async function rejectsWith(p, code, re) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof HubError, `expected HubError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('parseModelId accepts ids, revisions and hub URLs, and rejects malformed ids', () => {
  assert.deepEqual(parseModelId('Qwen/Qwen3.5-397B-A17B'), { repo: 'Qwen/Qwen3.5-397B-A17B', revision: 'main' });
  assert.deepEqual(parseModelId('a/b@v1.0'), { repo: 'a/b', revision: 'v1.0' });
  assert.deepEqual(parseModelId('a/b@refs/pr/12'), { repo: 'a/b', revision: 'refs/pr/12' });
  const sha = 'a'.repeat(40);
  assert.deepEqual(parseModelId(`a/b@${sha}`), { repo: 'a/b', revision: sha });
  assert.deepEqual(parseModelId('https://huggingface.co/org/m.x_y-z'), { repo: 'org/m.x_y-z', revision: 'main' });
  assert.deepEqual(parseModelId('https://huggingface.co/org/m/tree/dev'), { repo: 'org/m', revision: 'dev' });
  // Legacy ids without an owner (gpt2) are repo ids too (huggingface_hub's validate_repo_id).
  assert.deepEqual(parseModelId('gpt2'), { repo: 'gpt2', revision: 'main' });
  // Pasted file URLs name the revision and the file.
  assert.deepEqual(parseModelId('https://huggingface.co/org/m/blob/dev/q/m-Q4_K_M.gguf'), { repo: 'org/m', revision: 'dev', file: 'q/m-Q4_K_M.gguf' });
  assert.deepEqual(parseModelId('https://huggingface.co/org/m/resolve/refs/pr/3/model.safetensors?download=true'),
    { repo: 'org/m', revision: 'refs/pr/3', file: 'model.safetensors' });
  assert.deepEqual(parseModelId('https://huggingface.co/org/m/tree/refs/pr/3'), { repo: 'org/m', revision: 'refs/pr/3' });
  for (const bad of ['a--b/c', '-a/b', 'a/b.', 'a/b/c', 'a b/c', '../x', 'a/..', 'a/b@', 'a/b@x y', 'a/b@refs//pr', 'a/b?c']) {
    assert.throws(() => parseModelId(bad), HubError, bad);
  }
});

test('a single-file repo reads the exact bytes with one /resolve/ and never sends the token to the CDN', async () => {
  const bytes = realFile('stories260K');
  const c = client({ token: 'hf_alice_token' });
  hub.resetStats();
  const m = await c.resolveModel('real/stories260K', 'v1.0');
  assert.match(m.revision, /^[0-9a-f]{40}$/);
  assert.equal(m.requestedRevision, 'v1.0');
  assert.deepEqual(m.weights, { single: 'model.safetensors' });
  const f = m.file('model.safetensors');
  assert.equal(await f.size(), bytes.length);
  const head = await readBytes(f, 0, 100_000);
  assert.deepEqual(head, bytes.subarray(0, 100_000));
  const tail = await readBytes(f, bytes.length - 5000, bytes.length);
  assert.deepEqual(tail, bytes.subarray(bytes.length - 5000));
  // Chunks arrive in order with offsets relative to start.
  const seen = [];
  await f.read(1000, 300_000, (chunk, off) => seen.push([off, chunk.length]));
  let expect = 0;
  for (const [off, len] of seen) { assert.equal(off, expect); expect += len; }
  assert.equal(expect, 299_000);
  assert.equal(c.stats.resolveCalls, 1);
  assert.equal(c.stats.requests, 4); // API + 3 ranges
  assert.equal(c.stats.bytes, 100_000 + 5000 + 299_000);
  assert.equal(hub.stats.hub.resolveCalls, 1);
  assert.equal(hub.stats.cdn.requests, 3);
  assert.equal(hub.stats.cdn.withAuthorization, 0);
  // A public repo: the token went nowhere (hub-token.test.mjs has the gated and private cases).
  assert.ok(hub.stats.log.every((e) => !e.auth));
  assert.ok(!JSON.stringify(c).includes('hf_alice_token'));
});

test('a sharded repo: index first, then every shard header; one /resolve/ per file touched', async () => {
  const c = client();
  hub.resetStats();
  const m = await c.resolveModel('real/tinystories-656k-sharded');
  assert.deepEqual(m.weights, { index: 'model.safetensors.index.json' });
  const idxSrc = m.file(m.weights.index);
  const index = JSON.parse(new TextDecoder().decode(await readBytes(idxSrc, 0, await idxSrc.size())));
  const shards = [...new Set(Object.values(index.weight_map))];
  assert.equal(shards.length, 3);
  let total = 0;
  const whole = realFile('tinystories-656k');
  for (const s of shards) {
    const src = m.file(s);
    const size = await src.size();
    const first = await readBytes(src, 0, Math.min(size, 100_000));
    const n = Number(new DataView(first.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(first.subarray(8, 8 + n)));
    for (const [name, t] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      total += t.data_offsets[1] - t.data_offsets[0];
    }
    // A tensor read from a shard equals the same tensor in the original single file.
    const [name, t] = Object.entries(header).find(([k]) => k !== '__metadata__');
    const got = await readBytes(src, 8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
    const orig = JSON.parse(new TextDecoder().decode(whole.subarray(8, 8 + Number(new DataView(whole.buffer).getBigUint64(0, true)))));
    const o0 = 8 + Number(new DataView(whole.buffer).getBigUint64(0, true));
    assert.deepEqual(got, whole.subarray(o0 + orig[name].data_offsets[0], o0 + orig[name].data_offsets[1]));
  }
  assert.equal(total, index.metadata.total_size);
  assert.equal(c.stats.resolveCalls, 4); // index + 3 shards
  assert.equal(hub.stats.hub.resolveCalls, 4);
});

test('shards in a subfolder are read by their index-relative paths', async () => {
  const c = client();
  const m = await c.resolveModel('real/tinystories-656k-subfolder');
  const idx = m.file(m.weights.index);
  const index = JSON.parse(new TextDecoder().decode(await readBytes(idx, 0, await idx.size())));
  const shard = Object.values(index.weight_map)[0];
  assert.match(shard, /^weights\/model-0000\d-of-00002\.safetensors$/);
  const b = await readBytes(m.file(shard), 0, 8);
  assert.ok(Number(new DataView(b.buffer).getBigUint64(0, true)) > 0);
});

test('revision pinning: a branch moved after resolution still reads the pinned commit', async () => {
  const id = 'pin/moving';
  hub.addRepo({ id, commits: [{ 'model.safetensors': bufferFile('model.safetensors', new Uint8Array(5000).fill(1)) }] });
  const c = client();
  const m = await c.resolveModel(id);
  const first = await readBytes(m.file('model.safetensors'), 0, 10); // resolves before the move
  hub.repo(id).push({ 'model.safetensors': bufferFile('model.safetensors', new Uint8Array(6000).fill(2)) });
  assert.deepEqual(first, new Uint8Array(10).fill(1));
  // A file first touched after the move (fresh /resolve/ at the pinned SHA) still gives old bytes.
  const m2src = m.file('model.safetensors');
  m2src.cdnUrl = null;
  assert.deepEqual(await readBytes(m2src, 4990, 5000), new Uint8Array(10).fill(1));
  assert.equal(await m2src.size(), 5000);
  const moved = await c.resolveModel(id);
  assert.notEqual(moved.revision, m.revision);
  assert.deepEqual(await readBytes(moved.file('model.safetensors'), 0, 10), new Uint8Array(10).fill(2));
  // The old commit is still addressable by its SHA.
  const bySha = await c.resolveModel(id, m.revision);
  assert.equal(bySha.revision, m.revision);
});

test('tags, refs/pr/N and SHAs resolve to the right commits', async () => {
  const c = client();
  const main = await c.resolveModel('real/stories260K');
  const tag = await c.resolveModel('real/stories260K', 'v1.0');
  const pr = await c.resolveModel('real/stories260K', 'refs/pr/1');
  assert.notEqual(main.revision, tag.revision);
  assert.equal(pr.revision, tag.revision);
  const cfg = async (m) => new TextDecoder().decode(await readBytes(m.file('config.json'), 0, await m.file('config.json').size()));
  assert.match(await cfg(main), /second commit/);
  assert.doesNotMatch(await cfg(pr), /second commit/);
  assert.ok(hub.stats.log.some((e) => e.path.includes('/revision/refs%2Fpr%2F1')));
});

test('error codes carry actionable messages', async () => {
  await rejectsWith(client().resolveModel('gated/bert-tiny-sst2').then((m) => readBytes(m.file('model.safetensors'), 0, 8)),
    'GatedRepo', /is gated: accept its licence on http:\/\/127\.0\.0\.1:\d+\/gated\/bert-tiny-sst2 and give an access token/);
  await rejectsWith(client({ token: 'hf_bob_token' }).resolveModel('gated/bert-tiny-sst2').then((m) => readBytes(m.file('model.safetensors'), 0, 8)),
    'GatedRepo', /not in the authorized list/);
  const ok = await client({ token: 'hf_alice_token' }).resolveModel('gated/bert-tiny-sst2');
  assert.equal((await readBytes(ok.file('model.safetensors'), 0, 8)).length, 8);
  await rejectsWith(client().resolveModel('private/bert-tiny-emotion'), 'RepoNotFound', /not found, or is private: check the name, or give a token with access/);
  await rejectsWith(client({ token: 'hf_bob_token' }).resolveModel('private/bert-tiny-emotion'), 'RepoNotFound', /not found/);
  assert.ok((await client({ token: 'hf_alice_token' }).resolveModel('private/bert-tiny-emotion')).revision);
  await rejectsWith(client({ token: 'hf_alice_token' }).resolveModel('nobody/nothing'), 'RepoNotFound', /nobody\/nothing was not found/);
  // A token goes only where it is needed: a refused one shows on a private repo, not on a public one.
  await rejectsWith(client({ token: 'hf_bad' }).resolveModel('private/bert-tiny-emotion'), 'Unauthorized', /invalid credentials/);
  assert.ok((await client({ token: 'hf_bad' }).resolveModel('real/stories260K')).revision);
  await rejectsWith(client().resolveModel('real/stories260K', 'no-such-branch'), 'RevisionNotFound', /no revision/);
  await rejectsWith(client().resolveModel('other/no-safetensors'), 'EntryNotFound', /no safetensors weights in repo other\/no-safetensors at [0-9a-f]{40}/);
  await rejectsWith(client().resolveModel('disabled/bert-tiny-emotion'), 'Disabled', /disabled/);
  const m = await client().resolveModel('real/stories260K');
  await rejectsWith(readBytes(m.file('missing.safetensors'), 0, 8), 'EntryNotFound', /missing\.safetensors does not exist/);
  const e = await readBytes(m.file('missing.safetensors'), 0, 8).catch((x) => x);
  assert.equal(e.status, 404);
  assert.equal(e.repo, 'real/stories260K');
  assert.equal(e.path, 'missing.safetensors');
  // A range past the end of the file.
  const f = m.file('model.safetensors');
  await rejectsWith(readBytes(f, (await f.size()) + 10, (await f.size()) + 20), 'BadResponse', /past the end/);
});

test('an unreachable endpoint is a Network error after bounded retries', async () => {
  const c = new HubClient({ endpoint: 'http://127.0.0.1:9', maxRetries: 3, retryBaseMs: 5 });
  await rejectsWith(c.resolveModel('a/b'), 'Network', /could not reach http:\/\/127\.0\.0\.1:9 .*network error or the server refused cross-origin access/);
  assert.equal(c.stats.retries, 2);
  assert.equal(c.stats.requests, 3);
});

test('abort: a client signal and a per-read signal both end reads with Aborted', async () => {
  const ctrl = new AbortController();
  const c = client({ signal: ctrl.signal });
  const m = await c.resolveModel('virtual/tiny-qwen-base');
  hub.setKnobs({ latencyMs: 300 });
  try {
    const p = readBytes(m.file('model-00001-of-00003.safetensors'), 0, 100);
    setTimeout(() => ctrl.abort(), 30);
    const t0 = Date.now();
    await rejectsWith(p, 'Aborted');
    assert.ok(Date.now() - t0 < 250, 'abort must not wait for the response');
    const c2 = client();
    const m2 = await c2.resolveModel('virtual/tiny-qwen-base');
    const local = new AbortController();
    const p2 = readBytes(m2.file('model-00002-of-00003.safetensors'), 0, 100, { signal: local.signal });
    local.abort();
    await rejectsWith(p2, 'Aborted');
  } finally {
    hub.setKnobs({ latencyMs: 0 });
  }
});

test('bounded concurrency: never more requests in flight than the limit', async () => {
  const c = client({ concurrency: 3 });
  const m = await c.resolveModel('virtual/tiny-qwen-merge');
  const f = m.file('model-00001-of-00003.safetensors');
  await readBytes(f, 0, 10);
  hub.resetStats();
  hub.setKnobs({ latencyMs: 20 });
  try {
    await Promise.all(Array.from({ length: 12 }, (_, k) => readBytes(f, k * 1000, k * 1000 + 500)));
  } finally {
    hub.setKnobs({ latencyMs: 0 });
  }
  assert.equal(hub.stats.cdn.requests, 12);
  assert.ok(hub.stats.cdn.maxInFlight <= 3, `max in flight ${hub.stats.cdn.maxInFlight}`);
  assert.ok(hub.stats.cdn.maxInFlight >= 2);
});

test('concurrent first reads of one file share a single /resolve/', async () => {
  const c = client();
  const m = await c.resolveModel('virtual/tiny-qwen-parent');
  const f = m.file('model-00002-of-00003.safetensors');
  await Promise.all(Array.from({ length: 8 }, (_, k) => readBytes(f, k * 100, k * 100 + 50)));
  assert.equal(c.stats.resolveCalls, 1);
});

test('in a browser (emulated CORS): token preflights go to the hub only, the CDN gets simple GETs', async () => {
  const events = [];
  const c = client({ token: 'hf_alice_token', fetch: browserFetch({ origin: 'http://127.0.0.1:1', onEvent: (e) => events.push(e) }) });
  clearCdnUrls(); // a CDN URL remembered by an earlier test would skip the /resolve/ this test counts
  hub.resetStats();
  const m = await c.resolveModel('gated/bert-tiny-sst2');
  const bytes = realFile('bert-tiny-sst2-fhe');
  const f = m.file('model.safetensors');
  assert.deepEqual(await readBytes(f, 0, 50_000), bytes.subarray(0, 50_000));
  assert.deepEqual(await readBytes(f, 60_000, 70_000), bytes.subarray(60_000, 70_000));
  assert.equal(hub.stats.cdn.preflights, 0);
  assert.equal(hub.stats.cdn.withAuthorization, 0);
  assert.ok(hub.stats.hub.preflights >= 1);
  assert.ok(events.every((e) => !e.kind.endsWith('refused')));
});

test('in a browser without a token nothing is preflighted at all', async () => {
  const c = client({ fetch: browserFetch({ origin: 'http://127.0.0.1:1' }) });
  hub.resetStats();
  const m = await c.resolveModel('real/bert-tiny-base');
  await readBytes(m.file('model.safetensors'), 0, 100_000);
  await readBytes(m.file('config.json'), 0, 10);
  assert.equal(hub.stats.hub.preflights + hub.stats.cdn.preflights, 0);
});

test('model card facts: base models from cardData come with resolveModel (one API call each)', async () => {
  const c = client();
  const m = await c.resolveModel('virtual/tiny-qwen-merge');
  assert.deepEqual(m.baseModels, ['virtual/tiny-qwen-base', 'virtual/tiny-qwen-parent']);
  const g = await c.resolveModel('gated/bert-tiny-sst2');
  assert.deepEqual(g.baseModels, ['real/bert-tiny-base']);
  assert.equal(g.gated, 'manual');
  assert.deepEqual((await c.resolveModel('real/stories260K')).baseModels, []);
});
