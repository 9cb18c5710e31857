// The byte budget in the page: the CLI's units and limits, links carrying bytes (old page links,
// CLI links) run with their exact budget or say why they cannot, and a budget the wasm heap cannot
// hold on a 397B trio is refused before any request, naming the largest that fits, never with
// Emscripten's "Aborted()" text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { openBrowser, settle } from './helpers.mjs';

const env = { site: null, browser: null, trio: null };
before(async () => {
  const { startSite } = await import('../../tools/serve.mjs');
  const { virtualTrio } = await import('../../tools/mock-hub/virtual.mjs');
  env.trio = virtualTrio({ layout: 'qwen3.5-397b-bf16', alpha: 0.571 });
  env.site = await startSite({ repos: [env.trio.base, env.trio.parent, env.trio.merge], dist: process.env.MP_TEST_DIST || undefined });
  env.browser = await openBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.site?.close();
});

const link = (suspect, parent, base, budget) => `${env.site.url}#${new URLSearchParams({
  s: suspect, p: parent, b: base, e: env.site.hub.hubUrl, budget: String(budget), seed: '0', v: '1' })}`;
const DEMO = ['demo/bert-tiny-merge-0.571', 'demo/bert-tiny-sst2', 'demo/bert-tiny-base'];
const hubRequests = () => env.site.hub.stats.hub.requests + env.site.hub.stats.cdn.requests;

test('the field starts at the shared default, 64MiB, and states the limits', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  assert.equal(await page.locator('#budget').inputValue(), '64MiB');
  assert.match(await page.locator('#budget-hint').textContent(), /from 4KiB to 3\.5GiB/);
});

test('a CLI link with budget=524288 (512KiB) fills the field with 512KiB and runs with that budget', async () => {
  const { page } = env.browser;
  await page.goto(link(...DEMO, 524288));
  await settle(page);
  assert.equal(await page.locator('#budget').inputValue(), '512KiB');
  await page.waitForSelector('#verdict-sentence');
  assert.match(await page.locator('#share-url').inputValue(), /[#&]budget=524288(&|$)/);
  assert.deepEqual(env.browser.errors, []);
});

test('a link below the minimum fills the form and says why instead of sitting silently', async () => {
  const { page } = env.browser;
  await page.goto(link(...DEMO, 1000));
  assert.equal(await page.locator('#budget').inputValue(), '1KB');
  const error = page.locator('#form-error');
  await error.waitFor({ state: 'visible' });
  assert.match(await error.textContent(), /^This link cannot be run as it is\. Byte budget: a budget of 1KB is below the minimum of 4096 bytes \(4KiB\)\.$/);
  assert.equal(await page.locator('#progress').isHidden(), true);
});

test('8000 MB on a 397B trio is refused before any request, naming the largest budget; no Emscripten text', async () => {
  const { page } = env.browser;
  const { merge, parent, base } = env.trio.names;
  const expect = /a budget of 8000MB is too large: it needs about 8\.5 GB of memory, and WebAssembly can use at most 4\.3 GB; the largest budget that fits is 3758MB/;
  // From a link (bytes) ...
  env.site.hub.resetStats();
  await page.goto(link(`${merge}@main`, `${parent}@main`, `${base}@main`, 8e9));
  await page.locator('#form-error').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#budget').inputValue(), '8000MB');
  assert.match(await page.locator('#form-error').textContent(), expect);
  // ... and typed into the form as a plain number of MB.
  await page.locator('#budget').fill('8000');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.match(await page.locator('#form-error').textContent(), expect);
  assert.equal(await page.locator('#progress').isHidden(), true);
  assert.equal(hubRequests(), 0, 'nothing was fetched');
  assert.doesNotMatch(await page.locator('body').innerText(), /Aborted\(|ASSERTIONS/);
  // The largest budget named is accepted and the run starts.
  await page.locator('#budget').fill('3758MB');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.equal(await page.locator('#form-error').isHidden(), true);
  assert.equal(await page.locator('#progress').isVisible(), true);
  await page.getByRole('button', { name: 'Cancel' }).click();
});
