// Plain words on the result: every technical term explained (a glossary card the terms link to,
// tooltips on the headers), the coverage of the sample stated, and numbers written one way.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { setAdvanced, settle, useSiteAndBrowser } from './helpers.mjs';

const env = useSiteAndBrowser();

async function runDemo(page, budget) {
  await page.goto(env.site.url);
  await page.getByRole('button', { name: 'a linear merge' }).click();
  if (budget) await setAdvanced(page, {}).then(() => page.getByLabel('Byte budget').fill(budget));
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
}

test('a glossary explains each term, and the tables\' terms link to it without losing the share link', async () => {
  const { page, errors } = env.browser;
  await runDemo(page);
  const terms = await page.locator('#glossary dt').allTextContents();
  for (const t of ['alpha', 'cos_fit', 'delta', 'ulp', 'rounding ceiling', 'spread', 'R²', 'density', 'lambda']) {
    assert.ok(terms.some((x) => x.startsWith(t)), `${t} missing from ${terms.join(', ')}`);
  }
  for (const dd of await page.locator('#glossary dd').allTextContents()) assert.ok(dd.length > 30, dd);
  // The component table's headers are links with the short text as a tooltip.
  const head = page.locator('#component-table thead');
  for (const key of ['alpha', 'spread', 'cos_fit', 'control']) {
    const a = head.locator(`a.term[href="#g-${key}"]`).first();
    assert.equal(await a.count(), 1, key);
    assert.ok((await a.getAttribute('title')).length > 30);
  }
  // The tensor table's sort buttons carry the same explanation.
  assert.match(await page.getByRole('button', { name: 'cos_fit', exact: true }).getAttribute('title'), /cosine/);
  const hash = await page.evaluate(() => location.hash);
  await head.locator('a.term[href="#g-spread"]').click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'g-spread');
  assert.equal(await page.evaluate(() => location.hash), hash);
  assert.deepEqual(errors, []);
});

test('the coverage of the sample is stated', async () => {
  const { page } = env.browser;
  await runDemo(page);
  assert.match(await page.locator('#coverage').textContent(), /^Sampled \d+ of \d+ tensors \(2 layers × 2 components\)\.$/);
  assert.equal(await page.locator('#coverage.coverage-warning').count(), 0);
});

test('a budget that covers little of the model says so', async () => {
  const { page } = env.browser;
  await runDemo(page, '8KiB');
  const text = await page.locator('#coverage').textContent();
  const [, n, m] = text.match(/^Sampled (\d+) of (\d+) tensors/).map(Number);
  assert.ok(n / m < 0.25, text);
  assert.match(text, /\d+% of the model's tensors/);
  assert.equal(await page.locator('#coverage.coverage-warning').count(), 1);
});

test('numbers: 1.00 MB not 1000 KB, no -0.000, no dash ranges, small spreads keep their digits', async () => {
  const { page } = env.browser;
  const out = await page.evaluate(async () => {
    const f = await import('./ui/format.mjs');
    return {
      mb: f.bytes(999_999), kb: f.bytes(999_499), b: f.bytes(999), gb: f.bytes(999_999_999),
      negZero: f.num(-0.0001), neg: f.num(-0.25), range: f.range(NaN, 0.5), okRange: f.range(0.562, 0.58),
      small: f.small(0.00031), notSmall: f.small(0.0123), zero: f.small(0),
    };
  });
  assert.deepEqual(out, {
    mb: '1.00 MB', kb: '999 KB', b: '999 B', gb: '1.00 GB',
    negZero: '0.000', neg: '-0.250', range: '—', okRange: '0.562–0.580',
    small: '0.00031', notSmall: '0.012', zero: '0.000',
  });
});

test('one plain sentence under the verdict says what it means for the model\'s claim', async () => {
  const { page } = env.browser;
  await runDemo(page);
  assert.equal((await page.locator('#verdict-meaning').textContent())?.trim(),
    "Most of this model's weights are a fixed 57/43 blend of demo/bert-tiny-sst2 and demo/bert-tiny-base; a model trained on its own would not look like this.");
});

test('task heads that differ by design are named as such, not listed as a weakness', async () => {
  const { page } = env.browser;
  await runDemo(page);
  const weaken = (await page.locator('.verdict .caveats').allTextContents()).join(' ');
  assert.doesNotMatch(weaken, /could not be compared/);
  assert.match((await page.locator('#task-heads').textContent()) ?? '',
    /^Not compared, by design: 4 task-head tensors \(bert\.pooler\.dense, classifier\)/);
});

test('on a phone the tensor table keeps each tensor\'s name in view while its numbers scroll', async () => {
  const { page } = env.browser;
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await runDemo(page);
    const wrap = page.locator('.tensor-table .table-wrap');
    const name = page.locator('#tensor-table tbody th.name').first();
    const before = await name.boundingBox();
    await wrap.evaluate((el) => { el.scrollLeft = 400; });
    const after = await name.boundingBox();
    assert.ok(before && after && Math.abs(after.x - before.x) < 1, `name moved from ${before?.x} to ${after?.x}`);
    assert.ok(await wrap.evaluate((el) => el.scrollLeft > 0), 'the table scrolls sideways on a phone');
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
});

test('the tensor count says why the others were left out', async () => {
  const { page } = env.browser;
  await runDemo(page);
  assert.match(await page.locator('.verdict .stat', { hasText: 'usable / matched' }).textContent() ?? '',
    /12 \/ 24.*usable \/ matched; left out: 12 rounding-dominated/);
});
