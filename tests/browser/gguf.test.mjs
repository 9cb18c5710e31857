// The page reads a GGUF suspect from the mock hub (issue 16): `owner/name:QUANT` typed in the form,
// the header read by range requests like a safetensors one, the verdict against safetensors
// parents, the GGUF file named in the models table, and a share link that pins the file; a GGUF
// tag the repo does not have is refused with its files listed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { openBrowser, setAdvanced, settle, verify } from './helpers.mjs';
import { ggufRepos } from '../../tools/mock-hub/gguf-repos.mjs';
import { REAL_MODELS } from '../../tools/mock-hub/catalog.mjs';
import { MockRepo } from '../../tools/mock-hub/repo.mjs';

let site;
let browser;
before(async () => {
  const { startSite } = await import('../../tools/serve.mjs');
  site = await startSite({ repos: ggufRepos(REAL_MODELS).map((r) => new MockRepo(r)), dist: process.env.MP_TEST_DIST || undefined });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

async function open(page) {
  await page.goto(site.url);
  await setAdvanced(page, { endpoint: site.hub.hubUrl });
}

test('a Q8_0 GGUF suspect against its safetensors parent: a quantized-copy verdict, the file, a pinned link', async () => {
  const { page } = browser;
  await open(page);
  await verify(page, { suspect: 'gguf/bert-tiny-sst2-GGUF:Q8_0', parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' });
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.locator('#verdict-sentence').getAttribute('data-kind'), 'quantized-copy');
  assert.match(await page.locator('#verdict-sentence').textContent(), /^Quantized copy of A/);
  assert.match(await page.locator('table.models').textContent(), /GGUF bert-tiny-sst2-Q8_0\.gguf/);
  const link = await page.locator('#share-url').inputValue();
  assert.match(decodeURIComponent(link), /gguf\/bert-tiny-sst2-GGUF@[0-9a-f]{40}:bert-tiny-sst2-Q8_0\.gguf/);
});

test('a Q4_0 GGUF merge: named a merge against its quantization floor, the floor shown', async () => {
  const { page } = browser;
  await open(page);
  await verify(page, { suspect: 'gguf/bert-tiny-merge-GGUF:Q4_0', parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' });
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.locator('#verdict-sentence').getAttribute('data-kind'), 'linear-merge');
  assert.match(await page.locator('#verdict-sentence').textContent(), /C = 0\.5\d\d A \+/);
  assert.match(await page.locator('.stat:has(#stat-cos)').textContent(), /quantization floor 0\.\d+/);
});

test('a type the repo does not have: the error lists its GGUF files', async () => {
  const { page } = browser;
  await open(page);
  await verify(page, { suspect: 'gguf/bert-tiny-sst2-GGUF:Q2_K', parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' });
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), false);
  assert.match(await page.locator('#error').textContent(), /no GGUF file of type Q2_K; its GGUF files: .*bert-tiny-sst2-Q8_0\.gguf \(Q8_0\)/);
});

test('a Q4_K MoE GGUF merge: stacked experts compared per expert, a merge; a Qwen3.5 copy lists what it could not compare', async () => {
  const { page } = browser;
  await open(page);
  await verify(page, { suspect: 'gguf/tiny-moe-merge-GGUF:Q4_K', parent: 'gguf/tiny-moe-ft', base: 'gguf/tiny-moe' });
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.locator('#verdict-sentence').getAttribute('data-kind'), 'linear-merge');
  assert.match(await page.locator('#component-table tr:has-text("experts")').first().textContent(), /^\s*experts\s*24/);
  assert.equal(await page.locator('details.unmatched').count(), 0);

  await open(page);
  await verify(page, { suspect: 'gguf/tiny-qwen35-ft-GGUF:Q8_0', parent: 'gguf/tiny-qwen35-ft', base: 'gguf/tiny-qwen35' });
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.locator('#verdict-sentence').getAttribute('data-kind'), 'quantized-copy');
  const unmatched = await page.locator('details.unmatched').textContent();
  assert.match(unmatched, /10 tensors could not be compared/);
  assert.match(unmatched, /linear_attn\.A_log.*-exp\(A_log\)/);
});
