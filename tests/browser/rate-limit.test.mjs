// A 429 on the page: the run waits for the Hub's 5-minute window instead of failing; the page shows
// a countdown and a "Retry now" button, and the run then finishes with what it had fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoEndpoint, setAdvanced, settle, useSiteAndBrowser, verify } from './helpers.mjs';

const env = useSiteAndBrowser();

const MODELS = { parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' };

test('a 429: countdown and "Retry now" are shown, the button resumes the run, the verdict comes', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  // The third /resolve/ is refused (the first files are already fetched by then).
  env.site.hub.setKnobs({ faults: [{ on: 'resolve', nth: 3, kind: 'status', status: 429, headers: { RateLimit: '"resolvers";r=0;t=200' } }] });
  try {
    await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
    await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', ...MODELS });
    await page.locator('#rate-wait').waitFor({ state: 'visible', timeout: 30_000 });
    const text = await page.locator('#rate-wait-text').textContent();
    // RateLimit is not readable by a page (§9): the wait is the whole window, said as "at the latest".
    assert.match(text, /is rate-limiting requests \(it counts them in 5-minute windows\)\. What was fetched is kept; retrying at the latest in [45]:\d\d\./);
    await page.waitForTimeout(1200);
    assert.notEqual(await page.locator('#rate-wait-text').textContent(), text, 'the countdown ticks');
    assert.equal(await page.getByRole('button', { name: 'Cancel' }).isVisible(), true);
    await page.getByRole('button', { name: 'Retry now' }).click();
    await settle(page);
    assert.match(await page.locator('#verdict-sentence').textContent(), /linear merge/i);
    assert.equal(await page.locator('#rate-wait').isHidden(), true);
    assert.deepEqual(env.browser.errors, []);
  } finally {
    env.site.hub.setKnobs({ faults: [] });
  }
});

test('Cancel during a 429 wait stops the run and clears the countdown', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  env.site.hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, kind: 'status', status: 429 }] });
  try {
    await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
    await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', ...MODELS });
    await page.locator('#rate-wait').waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('#progress').isHidden(), true);
    assert.equal(await page.locator('#rate-wait').isHidden(), true);
    assert.match(await page.locator('#run-status').textContent(), /cancelled/i);
    assert.equal(await page.getByRole('button', { name: 'Verify' }).isEnabled(), true);
  } finally {
    env.site.hub.setKnobs({ faults: [] });
  }
});

test('a rerun in the same page session reuses the signed CDN URLs: no /resolve/ for files already resolved', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
  // The header cache would hide the tensor reads' resolves: count /resolve/ of the two runs.
  env.site.hub.resetStats();
  await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', ...MODELS });
  await settle(page);
  const first = env.site.hub.stats.hub.resolveCalls;
  assert.ok(first >= 1);
  env.site.hub.resetStats();
  // The rerun's own card: the first run's is marked, and each result builds a new one. (Waiting to
  // see the progress bar first raced a rerun from cache, which can show and hide it between polls.)
  await page.evaluate(() => { document.querySelector('#verdict-sentence').dataset.stale = '1'; });
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForSelector('#verdict-sentence:not([data-stale]), #error:not([hidden])', { timeout: 60_000 });
  assert.equal(await page.locator('#error').isHidden(), true);
  assert.equal(env.site.hub.stats.hub.resolveCalls, 0);
});
