// Errors in place, in words a person can act on: a gated model (without and with a token), a
// missing repo, a bad field; and Cancel, which must stop the run and leave the page usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoEndpoint, GATED_TOKEN, setAdvanced, settle, useSiteAndBrowser, verify } from './helpers.mjs';

const env = useSiteAndBrowser();

const MODELS = { parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' };

test('a gated model without a token says so and how to fix it; with an approved token it verifies', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
  await verify(page, { suspect: 'gated-org/bert-tiny-merge', ...MODELS });
  await settle(page);
  assert.equal(await page.locator('#error').isVisible(), true);
  assert.match(await page.locator('#error-title').textContent(), /gated/i);
  assert.match(await page.locator('#error-advice').textContent(), /access token/i);
  assert.equal(await page.locator('#result').isHidden(), true);

  await setAdvanced(page, { token: GATED_TOKEN });
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  await page.waitForSelector('#verdict-sentence');
  assert.equal(await page.locator('#error').isHidden(), true);
  assert.match(await page.locator('#verdict-sentence').textContent(), /linear merge/i);
  // The token stays in this tab's sessionStorage and never reaches the share link.
  const key = `mergeprobe.token:${new URL(await demoEndpoint(page)).origin}`;
  assert.equal(await page.evaluate((k) => sessionStorage.getItem(k), key), GATED_TOKEN);
  assert.ok(!(await page.locator('#share-url').inputValue()).includes(GATED_TOKEN));
  assert.deepEqual(env.browser.errors, []);
});

test('a missing repo names the field and the repo', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
  await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', parent: 'nobody/no-such-model', base: MODELS.base });
  await settle(page);
  const title = await page.locator('#error-title').textContent();
  assert.match(title, /No model “nobody\/no-such-model”/);
  assert.match(title, /Parent model/);
  // Focus lands on the error, so a keyboard or screen-reader user hears what went wrong.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-title');
  // A new attempt that the form itself stops does not leave the old run's card standing.
  await page.getByLabel('Suspect model', { exact: true }).fill('not a model id');
  await page.getByRole('button', { name: 'Verify' }).click();
  assert.equal(await page.locator('#form-error').isVisible(), true);
  assert.equal(await page.locator('#error').isHidden(), true);
});

test('an empty or malformed field is flagged before anything runs', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await verify(page, { suspect: 'not a model id', parent: MODELS.parent, base: '' });
  assert.match(await page.locator('#suspect-error').textContent(), /not a model ID/);
  // An empty Base is not an error: it is found (web/lib/discover); only the suspect is required.
  assert.equal((await page.locator('#base-error').textContent()) ?? '', '');
  assert.equal(await page.locator('#progress').isHidden(), true);
  assert.equal(await page.getByLabel('Suspect model', { exact: true }).getAttribute('aria-invalid'), 'true');
  await verify(page, { suspect: '', parent: 'not a model id', base: '' });
  assert.match(await page.locator('#suspect-error').textContent(), /Suspect model is needed/);
  assert.match(await page.locator('#parent-1-error').textContent(), /not a model ID/);
  assert.equal(await page.locator('#progress').isHidden(), true);
});

test('Cancel stops a run at once and the next run still works', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  // A slow CDN keeps the run in flight long enough to cancel it.
  env.site.hub.setKnobs?.({ latencyMs: 400 });
  try {
    await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
    await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', ...MODELS });
    await page.locator('#progress').waitFor({ state: 'visible' });
    assert.match(await page.locator('#progress-phase').textContent(), /…$/);
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('#progress').isHidden(), true);
    assert.match(await page.locator('#run-status').textContent(), /cancelled/i);
    assert.equal(await page.getByRole('button', { name: 'Verify' }).isEnabled(), true);
    // No late result from the cancelled run shows up.
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('#result').isHidden(), true);
  } finally {
    env.site.hub.setKnobs?.({ latencyMs: 0 });
  }
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  assert.match(await page.locator('#verdict-sentence').textContent(), /linear merge/i);
});
