// Light and dark, laptop and phone: the page must fit the width (no sideways scrolling of the page
// itself; wide tables scroll inside their own box). With MP_SCREENSHOTS=1 the pictures are written
// to docs/ (docs/screenshot.png is the one the README shows); otherwise to a temporary folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openBrowser, settle, startTestSite } from './helpers.mjs';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
const outDir = process.env.MP_SCREENSHOTS === '1' ? docs : mkdtempSync(join(tmpdir(), 'mp-shots-'));

let site;
before(async () => { site = await startTestSite(); });
after(async () => {
  await site?.close();
  if (outDir !== docs) rmSync(outDir, { recursive: true, force: true });
});

const CASES = [
  { name: 'screenshot.png', colorScheme: 'light', viewport: { width: 1280, height: 900 } },
  { name: 'screenshot-dark.png', colorScheme: 'dark', viewport: { width: 1280, height: 900 } },
  { name: 'screenshot-phone.png', colorScheme: 'light', viewport: { width: 390, height: 844 }, phone: true },
  { name: 'screenshot-phone-dark.png', colorScheme: 'dark', viewport: { width: 390, height: 844 }, phone: true },
];

for (const c of CASES) {
  test(`${c.colorScheme} ${c.viewport.width}px: demo result fits the width (${c.name})`, async () => {
    const b = await openBrowser({ colorScheme: c.colorScheme, viewport: c.viewport, deviceScaleFactor: c.phone ? 2 : 1 });
    try {
      const { page } = b;
      await page.goto(site.url);
      await page.getByRole('button', { name: 'a linear merge' }).click();
      await page.getByRole('button', { name: 'Verify' }).click();
      await settle(page);
      await page.waitForSelector('#verdict-sentence');
      await page.evaluate(() => { document.querySelector('#advanced').open = false; });  // a shorter picture
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
      const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(dark === 'rgb(15, 18, 22)', c.colorScheme === 'dark', dark);
      if (c.phone) {
        await page.evaluate(() => window.scrollTo(0, document.querySelector('#result').offsetTop - 12));
        await page.screenshot({ path: join(outDir, c.name) });
      } else {
        // The form (filled), the verdict and the evidence down to the per-layer plots.
        const bottom = await page.evaluate(() => {
          const r = document.querySelector('#layers-title').closest('section').getBoundingClientRect();
          return r.bottom + window.scrollY + 16;
        });
        await page.screenshot({ path: join(outDir, c.name), fullPage: true, clip: { x: 0, y: 0, width: c.viewport.width, height: Math.ceil(bottom) } });
      }
      assert.deepEqual(b.errors, []);
    } finally {
      await b.close();
    }
  });
}
