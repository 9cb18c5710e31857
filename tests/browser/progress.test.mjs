// Progress while the rows are fetched: against the plan (ranges planned, bytes of this phase), with
// a rate and an ETA, the steps named, and Cancel still stopping the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoEndpoint, setAdvanced, useSiteAndBrowser, verify } from './helpers.mjs';

const env = useSiteAndBrowser();

test('fetching shows ranges of the plan, bytes, a rate and an ETA, the steps, and Cancel works', async () => {
  const { page, errors } = env.browser;
  await page.goto(env.site.url);
  // A slow hub keeps the fetching phase on screen for a few seconds.
  env.site.hub.setKnobs?.({ latencyMs: 150, bandwidthBps: 600_000 });
  try {
    await setAdvanced(page, { endpoint: await demoEndpoint(page), token: '' });
    await verify(page, { suspect: 'demo/bert-tiny-merge-0.571', parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' });
    await page.waitForFunction(() => /Fetching/.test(document.querySelector('#progress-phase')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => /\/s · about .* left/.test(document.querySelector('#progress-detail')?.textContent ?? ''), null, { timeout: 30_000 });
    const detail = await page.locator('#progress-detail').textContent();
    assert.match(detail, /^\d+ of \d+ planned ranges · [\d.]+ [KM]?B of [\d.]+ [KM]?B · [\d.]+ [KM]?B\/s · about \d.* left · \d+ requests$/, detail);
    assert.doesNotMatch(detail, /budget/);
    const bar = await page.locator('#progress-bar').evaluate((b) => /** @type {HTMLProgressElement} */ (b).value);
    assert.ok(bar >= 0.18 && bar < 0.95, `bar at ${bar}`);
    assert.equal(await page.locator('#progress-steps li[aria-current=step]').textContent(), 'Fetch rows');
    assert.equal(await page.locator('#progress-steps li.done').count(), 3);
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('#progress').isHidden(), true);
    assert.match(await page.locator('#run-status').textContent(), /cancelled/i);
  } finally {
    env.site.hub.setKnobs?.({ latencyMs: 0, bandwidthBps: 0 });
  }
  assert.deepEqual(errors, []);
});
