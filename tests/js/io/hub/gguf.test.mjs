// GGUF model ids and file choice: the id syntax (owner/name[@rev]:QUANT, :path.gguf, hf.co/),
// its one formatter, the quant labels of file names (against the Hub's own labeller from
// @huggingface/gguf), and the hub client choosing GGUF files on the mock hub's GGUF repos:
// one type, an exact path, split sets, both formats in one repo, no match and several matches.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGGUFQuantLabel } from '@huggingface/gguf';
import { startMockHub } from '../../../../tools/mock-hub/server.mjs';
import { standardRepos } from '../../../../tools/mock-hub/catalog.mjs';
import { HubClient, HubError } from '../../../../js/io/hub/client.mjs';
import { formatModelId, parseModelId } from '../../../../js/io/hub/model-id.mjs';
import { ggufModels, quantLabel, selectGguf } from '../../../../js/io/hub/gguf-files.mjs';
import { openLocalModel } from '../../../../js/io-node/local-model.mjs';
import { localModelSource } from '../../../../js/io/blob-model.mjs';

/** @type {Awaited<ReturnType<typeof startMockHub>>} */
let hub;
const { repos, haveRealModels } = standardRepos({ gguf: true });
before(async () => { hub = await startMockHub({ repos }); });
after(async () => { await hub.close(); });
const client = () => new HubClient({ endpoint: hub.hubUrl, retryBaseMs: 5 });

async function rejectsWith(p, code, re) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof HubError, `expected HubError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  });
}

test('the id syntax: :QUANT, :path.gguf, hf.co/ and hub URLs of a .gguf', () => {
  assert.deepEqual(parseModelId('a/b:Q4_K_M'), { repo: 'a/b', revision: 'main', quant: 'Q4_K_M' });
  assert.deepEqual(parseModelId('a/b@v2:q8_0'), { repo: 'a/b', revision: 'v2', quant: 'q8_0' });
  assert.deepEqual(parseModelId('hf.co/a/b:Q4_K_M'), { repo: 'a/b', revision: 'main', quant: 'Q4_K_M' });
  assert.deepEqual(parseModelId('huggingface.co/a/b'), { repo: 'a/b', revision: 'main' });
  assert.deepEqual(parseModelId('a/b@refs/pr/3:dir/m-Q8_0.gguf'), { repo: 'a/b', revision: 'refs/pr/3', file: 'dir/m-Q8_0.gguf' });
  assert.deepEqual(parseModelId('https://huggingface.co/a/b/blob/main/m-Q4_0.gguf'), { repo: 'a/b', revision: 'main', file: 'm-Q4_0.gguf' });
  for (const bad of ['a/b:', 'a/b:../x.gguf', 'a/b:/x.gguf', 'a/b:Q4 K']) {
    assert.throws(() => parseModelId(bad), (e) => e instanceof HubError && /gguf|GGUF/.test(e.message), bad);
  }
});

test('one formatter: links keep every revision (also @main), text for a person drops @main', () => {
  const ids = ['a/b@main', 'a/b@v1.0:Q4_K_M', `a/b@${'c'.repeat(40)}:dir/m-Q8_0.gguf`, 'a/b@refs/pr/1'];
  for (const id of ids) assert.equal(formatModelId(parseModelId(id)), id);
  assert.equal(formatModelId(parseModelId('a/b@main:Q8_0'), { short: true }), 'a/b:Q8_0');
  assert.equal(formatModelId({ repo: 'a/b', revision: 'main', file: 'model.safetensors' }), 'a/b@main');
});

test('quant labels of file names agree with the Hub\'s labeller', () => {
  const names = ['Llama-3-8B-Q4_K_M.gguf', 'model.q8_0.gguf', 'x-IQ2_XXS.gguf', 'x-UD-Q4_K_XL.gguf', 'x-BF16-00001-of-00002.gguf',
    'qwen2.5-7b-instruct-q5_k_s.gguf', 'gpt-oss-20b-MXFP4.gguf', 'x-F16.gguf', 'x-Q6_K.gguf', 'x-IQ4_NL.gguf', 'x-Q4_0.gguf'];
  for (const n of names) assert.equal(quantLabel(n), parseGGUFQuantLabel(n.replace(/-\d{5}-of-\d{5}/, '')), n);
  assert.equal(quantLabel('dir/notes.gguf'), '');
});

test('split sets are one model; a missing part is named', () => {
  const files = ['m-Q8_0-00001-of-00003.gguf', 'm-Q8_0-00002-of-00003.gguf', 'm-Q8_0-00003-of-00003.gguf', 'm-Q4_0.gguf', 'README.md'];
  assert.deepEqual(ggufModels(files).map((m) => m.files.length), [1, 3]);
  assert.deepEqual(selectGguf(files, { quant: 'q8_0' }, 'x'), files.slice(0, 3));
  assert.deepEqual(selectGguf(files, { file: 'm-Q8_0-00002-of-00003.gguf' }, 'x'), files.slice(0, 3));
  assert.throws(() => selectGguf(files.filter((f) => !f.includes('00002')), { quant: 'Q8_0' }, 'x'), /part 2 is missing/);
});

test('the hub client picks the GGUF file of a type, case-insensitively, pinned to the commit', { skip: !haveRealModels }, async () => {
  const m = await client().resolveModel('gguf/bert-tiny-sst2-GGUF', 'main', { select: { quant: 'q4_k_m' } });
  assert.deepEqual(m.weights, { gguf: ['bert-tiny-sst2-Q4_K_M.gguf'] });
  assert.match(m.revision, /^[0-9a-f]{40}$/);
  assert.equal(m.sizes.get('bert-tiny-sst2-Q4_K_M.gguf'), await m.file('bert-tiny-sst2-Q4_K_M.gguf').size());
  const exact = await client().resolveModel('gguf/ambiguous-GGUF', 'main', { select: { file: 'v2/bert-tiny-sst2-Q4_0.gguf' } });
  assert.deepEqual(exact.weights, { gguf: ['v2/bert-tiny-sst2-Q4_0.gguf'] });
  const split = await client().resolveModel('gguf/tinystories-656k-split-GGUF', 'main', { select: { quant: 'Q8_0' } });
  assert.equal(split.weights.gguf.length, 3);
});

test('no match and several matches are errors that list the GGUF files', { skip: !haveRealModels }, async () => {
  await rejectsWith(client().resolveModel('gguf/bert-tiny-sst2-GGUF', 'main', { select: { quant: 'Q3_K_S' } }), 'GgufChoice',
    /no GGUF file of type Q3_K_S; its GGUF files: bert-tiny-sst2-Q4_0\.gguf \(Q4_0\), .*bert-tiny-sst2-Q8_0\.gguf \(Q8_0\)/);
  await rejectsWith(client().resolveModel('gguf/ambiguous-GGUF', 'main', { select: { quant: 'Q4_0' } }), 'GgufChoice',
    /2 GGUF models of type Q4_0: name one by its path.*v1\/bert-tiny-sst2-Q4_0\.gguf \(Q4_0\), v2\/bert-tiny-sst2-Q4_0\.gguf/);
  await rejectsWith(client().resolveModel('gguf/bert-tiny-sst2-GGUF', 'main', { select: { file: 'nope-Q8_0.gguf' } }), 'GgufChoice', /has no file nope-Q8_0\.gguf/);
  await rejectsWith(client().resolveModel('gguf/bert-tiny-sst2-GGUF', 'main'), 'GgufChoice', /no safetensors weights and 6 GGUF models: add :QUANT/);
});

test('a repo with both formats is safetensors unless a GGUF is named; a GGUF-only repo with one model needs no tag', { skip: !haveRealModels }, async () => {
  assert.deepEqual((await client().resolveModel('gguf/bert-tiny-sst2-both')).weights, { single: 'model.safetensors' });
  assert.deepEqual((await client().resolveModel('gguf/bert-tiny-sst2-both', 'main', { select: { quant: 'Q8_0' } })).weights, { gguf: ['bert-tiny-sst2-Q8_0.gguf'] });
  assert.deepEqual((await client().resolveModel('gguf/bert-tiny-unrelated-GGUF')).weights, { gguf: ['bert-tiny-unrelated-Q8_0.gguf'] });
});

test('local .gguf files: a path, a split part (brings its siblings), a folder, and dropped files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-gguf-local-'));
  try {
    const parts = [1, 2].map((k) => `m-Q8_0-0000${k}-of-00002.gguf`);
    for (const p of [...parts, 'one-Q4_0.gguf']) writeFileSync(join(dir, p), 'GGUF');
    assert.deepEqual((await openLocalModel(join(dir, 'one-Q4_0.gguf'))).weights, { gguf: ['one-Q4_0.gguf'] });
    assert.deepEqual((await openLocalModel(join(dir, parts[1]))).weights, { gguf: parts });
    await assert.rejects(openLocalModel(dir), /2 GGUF models in the folder/);
    mkdirSync(join(dir, 'solo'));
    writeFileSync(join(dir, 'solo', 'x-F16.gguf'), 'GGUF');
    assert.deepEqual((await openLocalModel(join(dir, 'solo'))).weights, { gguf: ['x-F16.gguf'] });
    const blob = new Blob(['GGUF']);
    assert.deepEqual(localModelSource(parts.map((p) => ({ file: blob, path: `d/${p}` })), 'drop').weights, { gguf: parts });
    assert.throws(() => localModelSource([{ file: blob, path: parts[0] }], 'drop'), /drop every part \(missing: 2\)/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
