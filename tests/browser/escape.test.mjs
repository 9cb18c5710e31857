// Every string from a model or a hub is text on the page, never markup: a tensor named with an
// <img onerror> goes through the verdict, the tables and the plot tooltips without running.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoEndpoint, HOSTILE_NAME, setAdvanced, settle, useSiteAndBrowser, verify } from './helpers.mjs';

const env = useSiteAndBrowser();

test('a tensor name made of markup is shown as text and runs nothing', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page) });
  await verify(page, { suspect: 'evil/suspect', parent: 'evil/parent', base: 'evil/base' });
  await settle(page);
  await page.waitForSelector('#verdict-sentence');
  await page.getByLabel('Filter by name').fill('<img');
  const names = await page.locator('#tensor-table tbody th').allTextContents();
  assert.deepEqual(names, [HOSTILE_NAME]);
  assert.equal(await page.locator('#result img').count(), 0);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(env.browser.errors, []);
});
