// The form by itself: labels, adding and removing parents, the token kept in sessionStorage only,
// keyboard use, and a static host without demo.json (no demo links, no crash).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { openBrowser, useSiteAndBrowser } from './helpers.mjs';

const env = useSiteAndBrowser();

test('parents can be added and removed, and labels stay in order', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  for (const label of ['Suspect model', 'Parent model', 'Base model', 'Control model']) {
    assert.equal(await page.getByLabel(label, { exact: true }).count(), 1, label);
  }
  await page.getByRole('button', { name: '+ Add another parent' }).click();
  await page.getByRole('button', { name: '+ Add another parent' }).click();
  // The new field has focus, so typing goes straight into it.
  await page.keyboard.type('org/third');
  assert.equal(await page.getByLabel('Parent model 3', { exact: true }).inputValue(), 'org/third');
  await page.getByLabel('Parent model 2', { exact: true }).fill('org/second');
  await page.getByRole('button', { name: 'Remove Parent model 2' }).click();
  assert.equal(await page.getByLabel('Parent model 2', { exact: true }).inputValue(), 'org/third');
  assert.equal(await page.getByLabel('Parent model 3', { exact: true }).count(), 0);
  // The engine takes at most four parents: at four the button is disabled, not silent.
  const add = page.getByRole('button', { name: '+ Add another parent' });
  for (let i = 0; i < 6 && await add.isEnabled(); i++) await add.click();
  assert.equal(await page.locator('#parents .field').count(), 4);
  assert.equal(await add.isDisabled(), true);
  await page.getByRole('button', { name: 'Remove Parent model 4' }).click();
  assert.equal(await add.isEnabled(), true);
});

test('after renumbering, each parent\'s Remove, Files and Folder buttons name the field they belong to', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  const add = page.getByRole('button', { name: '+ Add another parent' });
  await add.click();
  await add.click();
  await page.getByLabel('Parent model 3', { exact: true }).fill('org/third');
  await page.getByRole('button', { name: 'Remove Parent model 2' }).click();
  // The old third parent is now the second: all its buttons say so.
  for (const name of ['Remove Parent model 2', 'Files for Parent model 2', 'Folder for Parent model 2']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, name);
  }
  assert.equal(await page.getByRole('button', { name: 'Remove Parent model 3' }).count(), 0);
  for (const name of ['Suspect model', 'Parent model', 'Base model', 'Control model']) {
    assert.equal(await page.getByRole('button', { name: `Files for ${name}`, exact: true }).count(), 1, name);
    assert.equal(await page.getByRole('button', { name: `Folder for ${name}`, exact: true }).count(), 1, name);
  }
  assert.equal(await page.locator('.field[data-role=control] .optional-tag').textContent(), 'optional');
});

test('the access token lives in sessionStorage only', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Access token').fill('hf_secret_value');
  // Kept for the endpoint it was entered for (the default hub here).
  assert.equal(await page.evaluate(() => sessionStorage.getItem('mergeprobe.token:https://huggingface.co')), 'hf_secret_value');
  assert.equal(await page.evaluate(() => JSON.stringify(localStorage)).then((s) => s.includes('hf_secret')), false);
  await page.reload();
  assert.equal(await page.getByLabel('Access token').inputValue(), 'hf_secret_value');
  assert.equal(await page.getByLabel('Access token').getAttribute('type'), 'password');
});

test('Enter in a field submits; a bad endpoint is reported at the field', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await page.getByLabel('Suspect model', { exact: true }).fill('a/b');
  await page.getByLabel('Parent model', { exact: true }).fill('a/c');
  await page.getByLabel('Base model', { exact: true }).fill('a/d');
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Hub endpoint').fill('ftp://example.org');
  await page.getByLabel('Base model', { exact: true }).press('Enter');
  assert.match(await page.locator('#form-error').textContent(), /not an http\(s\) URL/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'endpoint');
  assert.equal(await page.locator('#progress').isHidden(), true);
});

test('on a static host without demo.json the page shows no demo and no error', async () => {
  const { startSite } = await import('../../tools/serve.mjs');
  const plain = await startSite({ demo: false, dist: process.env.MP_TEST_DIST || undefined });
  const b = await openBrowser();
  try {
    const asked = b.page.waitForResponse((r) => r.url().endsWith('/demo.json'));
    await b.page.goto(plain.url);
    assert.equal((await asked).status(), 404);
    await b.page.waitForTimeout(200);
    assert.equal(await b.page.locator('#demo').isHidden(), true);
    assert.equal(await b.page.getByLabel('Hub endpoint').inputValue(), 'https://huggingface.co');
    // The only console error allowed is the 404 of demo.json itself.
    assert.ok(b.errors.every((e) => /404/.test(e)), b.errors.join('\n'));
  } finally {
    await b.close();
    await plain.close();
  }
});
