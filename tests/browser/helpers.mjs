// Shared by the browser tests: headless Chromium through playwright-core (the system browser at
// /usr/bin/chromium; never `npx playwright install`), and the site + mock hub from scripts/serve.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Flags from shared/toolchain-notes.md ("Browser facts checked in headless Chromium").
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * A fresh browser profile. Returns { context, page, close, errors } where `errors` collects uncaught
 * page errors and console errors, so a test can assert the page never crashed.
 * @param {{ colorScheme?: 'light'|'dark', viewport?: {width:number,height:number}, deviceScaleFactor?: number }} [o]
 */
export async function openBrowser(o = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mp-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ARGS,
    colorScheme: o.colorScheme ?? 'light',
    viewport: o.viewport ?? { width: 1280, height: 900 },
    deviceScaleFactor: o.deviceScaleFactor ?? 1,
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  return {
    context, page, errors,
    close: async () => { await context.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Fill one role field by its label ("Suspect model", "Parent model", "Base model", "Control model"). */
export async function fillRole(page, label, value) {
  await page.getByLabel(label, { exact: true }).fill(value);
}
