// Accessibility checked by axe-core (the engine behind Lighthouse's and Deque's audits; a test
// dependency only): names, roles, contrast (WCAG 2 AA), landmarks, on the form and on a result, in
// light and dark, desktop and phone; plus focus that can be seen on the controls a keyboard reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { openBrowser, settle, useSiteAndBrowser } from './helpers.mjs';

// Evaluated through the DevTools protocol: the page's CSP (script-src 'self') rightly refuses an
// inline <script>, and the test must not weaken it.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const env = useSiteAndBrowser();

/** axe's violations on the page as it is, as readable lines (rule: target). */
async function violations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => /** @type {any} */ (window).axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  assert.ok(result.passes.some((r) => r.id === 'color-contrast'), 'axe checked contrast on this page');
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]?.trim() ?? ''})`));
}

async function demoResult(page) {
  await page.goto(env.site.url);
  await page.getByRole('button', { name: 'a linear merge' }).click();
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
}

for (const scheme of /** @type {const} */ (['light', 'dark'])) {
  test(`no WCAG 2 AA violations on the form and on a result (${scheme}, desktop and phone)`, async () => {
    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const b = await openBrowser({ colorScheme: scheme, viewport });
      try {
        await b.page.goto(env.site.url);
        assert.deepEqual(await violations(b.page), [], `form, ${scheme}, ${viewport.width}px`);
        await demoResult(b.page);
        assert.deepEqual(await violations(b.page), [], `result, ${scheme}, ${viewport.width}px`);
      } finally {
        await b.close();
      }
    }
  });
}

test('keyboard focus is visible on every control it reaches', async () => {
  const { page } = env.browser;
  await demoResult(page);
  await page.locator('body').focus();
  const seen = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = /** @type {HTMLElement} */ (document.activeElement);
      if (!el || el === document.body) return null;
      const cs = getComputedStyle(el);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
      return { what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? ''}`, ring };
    });
    if (!f) continue;
    seen.push(f.what);
    assert.ok(f.ring, `no visible focus on ${f.what}`);
  }
  assert.ok(seen.length >= 10, `the keyboard reached only ${seen.length} controls`);
});
