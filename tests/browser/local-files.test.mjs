// Local files instead of repo IDs: files chosen through the input inside each role's drop zone (what
// a drop does too), a folder for one role; no hub involved, and no share link for such a run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';

import { openBrowser, settle, startTestSite } from './helpers.mjs';

let site;
let browser;
let folders;
before(async () => {
  site = await startTestSite();
  browser = await openBrowser();
  const { demoRepos } = await import('../../tools/gen/merges.mjs');
  folders = Object.fromEntries(demoRepos({}).map((r) => [r.repo, r.folder]));
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test('safetensors files dropped on each role verify like hub repos', async () => {
  const { page, errors } = browser;
  await page.goto(site.url);
  await page.locator('input[data-files-for=suspect]').setInputFiles(join(folders['demo/bert-tiny-merge-0.571'], 'model.safetensors'));
  await page.locator('input[data-files-for=parent-1]').setInputFiles(join(folders['demo/bert-tiny-sst2'], 'model.safetensors'));
  // A whole folder for the base (webkitdirectory input): the folder's model.safetensors is used.
  await page.locator('input[data-folder-for=base]').setInputFiles(folders['demo/bert-tiny-base']);
  assert.match(await page.locator('.field[data-role=suspect] .local-chip').textContent(), /Local: model\.safetensors/);
  assert.equal(await page.getByLabel('Suspect model', { exact: true }).isDisabled(), true);
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.match(await page.locator('#verdict-sentence').textContent(), /linear merge/i);
  assert.match(await page.locator('#stat-alpha-0').textContent(), /^0\.57\d$/);
  // Nobody else can read these files: no link is offered.
  assert.equal(await page.locator('#share-url').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Copy link' }).isDisabled(), true);
  assert.match(await page.locator('table.models').textContent(), /local/);
  // Two single files both called model.safetensors are told apart by their role; the folder is named.
  const models = await page.locator('table.models').textContent();
  assert.match(models, /model\.safetensors \(Suspect model\)/);
  assert.match(models, /model\.safetensors \(Parent model\)/);
  assert.ok(models.includes(`local:${basename(folders['demo/bert-tiny-base'])}`), models);
  assert.deepEqual(errors, []);
});

test('a file that is not safetensors is refused in words', async () => {
  const { page } = browser;
  await page.goto(site.url);
  await page.locator('input[data-files-for=suspect]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByLabel('Parent model', { exact: true }).fill('demo/bert-tiny-sst2');
  await page.getByLabel('Base model', { exact: true }).fill('demo/bert-tiny-base');
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  assert.match(await page.locator('#error-title').textContent(), /local files cannot be used/i);
  assert.match(await page.locator('#error-detail').textContent(), /no \.safetensors or \.gguf file/);
});
