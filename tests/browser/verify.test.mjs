// End to end in headless Chromium: the demo verification (page and mock hub on different origins),
// the share link round trip, and the downloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { openBrowser, settle, useSiteAndBrowser, verdictNumbers } from './helpers.mjs';

const env = useSiteAndBrowser();

let shareUrl = '';
let first = null;

test('the demo link fills the form and the verification shows a linear-merge verdict with its numbers', async () => {
  const { page, errors } = env.browser;
  await page.goto(env.site.url);
  const demo = page.getByRole('button', { name: 'a linear merge' });
  await demo.waitFor();
  await demo.click();
  assert.equal(await page.getByLabel('Suspect model', { exact: true }).inputValue(), 'demo/bert-tiny-merge-0.571');
  assert.equal(await page.getByLabel('Hub endpoint').inputValue(), env.site.hub.hubUrl);
  assert.notEqual(new URL(env.site.hub.hubUrl).origin, new URL(env.site.url).origin);
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());

  const v = await verdictNumbers(page);
  assert.match(v.sentence, /linear merge/i);
  assert.match(v.sentence, /0\.57\d/);
  assert.match(v.alpha, /^0\.57\d$/);
  // The sentence's letters are tied to the model names.
  assert.equal(await page.locator('#verdict-models').textContent(),
    'C = demo/bert-tiny-merge-0.571 · A = demo/bert-tiny-sst2 · B = demo/bert-tiny-base');
  const cos = Number(v.cos);
  assert.ok(cos > 0.98 && cos <= 1, `cos_fit ${v.cos}`);
  // The control (the emotion fine-tune) is measured the same way and scores far lower.
  const control = Number(await page.locator('#stat-control').textContent());
  assert.ok(control < 0.5, `control cos_fit ${control}`);
  assert.ok(v.components.length >= 1);
  // The per-tensor table, the plot and the pinned commits are there.
  assert.ok(await page.locator('#tensor-table tbody tr').count() > 5);
  assert.ok(await page.locator('figure.plot svg circle').count() > 0);
  const commitLinks = page.locator('table.models a');
  assert.equal(await commitLinks.count(), 4);
  assert.match(await commitLinks.first().getAttribute('href'), /\/demo\/bert-tiny-merge-0\.571\/tree\/[0-9a-f]{40}$/);

  shareUrl = await page.locator('#share-url').inputValue();
  first = v;
  assert.match(shareUrl, /#s=demo%2Fbert-tiny-merge-0\.571%40[0-9a-f]{40}/);
  assert.ok(!/token|hf_/.test(shareUrl));
  assert.deepEqual(errors, []);
});

test('the tensor table filters and sorts', async () => {
  const { page } = env.browser;
  const rows = page.locator('#tensor-table tbody tr');
  const all = await rows.count();
  await page.getByLabel('Filter by name').fill('layer.1.');
  const filtered = await rows.count();
  assert.ok(filtered > 0 && filtered < all, `${filtered} of ${all}`);
  for (const t of await page.locator('#tensor-table tbody th').allTextContents()) assert.match(t, /layer\.1\./);
  await page.getByLabel('Filter by name').fill('');
  await page.getByRole('button', { name: 'cos_fit', exact: true }).click();
  const col = await page.locator('#tensor-table thead th').evaluateAll((ths) => ths.findIndex((th) => th.textContent.trim().startsWith('cos_fit')));
  const values = (await page.locator(`#tensor-table tbody tr td:nth-child(${col + 1})`).allTextContents()).map(Number).filter(Number.isFinite);
  assert.deepEqual(values, [...values].sort((a, b) => a - b));
  assert.equal(await page.locator('#tensor-table thead th[aria-sort=ascending]').count(), 1);
});

test('Download JSON and Download CSV give the full report and one row per tensor', async () => {
  const { page } = env.browser;
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const report = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.equal(report.schema, 'mergeprobe.report/1');
  assert.ok(Array.isArray(report.tensors) && report.tensors.length > 0);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const all = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  // A '#' block names the models and commits, then the table.
  assert.match(all[0], /^# mergeprobe report,mergeprobe\.report\/1/);
  assert.ok(all.some((l) => /^# suspect,demo\/bert-tiny-merge-0\.571,[0-9a-f]{40},/.test(l)), all.slice(0, 8).join('\n'));
  const lines = all.filter((l) => !l.startsWith('#'));
  assert.match(lines[0], /^name,component/);
  assert.equal(lines.length, report.tensors.length + 1);
});

test('opening the share link runs the same plan, shows the same numbers and says it reproduced', async () => {
  assert.ok(shareUrl, 'needs the first test');
  const b = await openBrowser();
  try {
    // The link points at the page the run came from (the test server).
    assert.ok(shareUrl.startsWith(env.site.url), shareUrl);
    await b.page.goto(shareUrl);
    await settle(b.page);
    const again = await verdictNumbers(b.page);
    assert.deepEqual(again, first);
    assert.match(await b.page.locator('#repro').textContent(), /^Reproduced/);
    assert.equal(await b.page.getByLabel('Hub endpoint').inputValue(), env.site.hub.hubUrl);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test('a link whose summary differs says the run did not reproduce it', async () => {
  const b = await openBrowser();
  try {
    const tampered = shareUrl.replace(/&x=0\.\d+/, '&x=0.123456');
    assert.notEqual(tampered, shareUrl);
    await b.page.goto(tampered);
    await settle(b.page);
    assert.match(await b.page.locator('#repro').textContent(), /^Not reproduced/);
  } finally {
    await b.close();
  }
});
