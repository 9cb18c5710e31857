// Shared by the browser tests: headless Chromium through playwright-core (the system browser at
// /usr/bin/chromium; never `npx playwright install`), and the site + mock hub from tools/serve.mjs.
import { before, after } from 'node:test';
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

/**
 * The built site (dist/) and the mock hub with the demo repos, plus a gated copy of the demo merge
 * (token hf_alice_token is approved for it). Page and hub are on different ports: different origins.
 */
/**
 * The usual per-file set-up: the test site and a fresh browser, started before a file's tests and
 * closed after them. Returns an object whose `site` and `browser` are set once `before` has run.
 * @returns {{ site: any, browser: any }}
 */
export function useSiteAndBrowser() {
  const env = { site: null, browser: null };
  before(async () => {
    env.site = await startTestSite();
    env.browser = await openBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.site?.close();
  });
  return env;
}

export async function startTestSite() {
  const { startSite } = await import('../../tools/serve.mjs');
  const { demoRepos, readSafetensors, encodeSafetensors } = await import('../../tools/gen/merges.mjs');
  const { MockRepo, folderFiles, bufferFile } = await import('../../tools/mock-hub/repo.mjs');
  const demo = Object.fromEntries(demoRepos({}).map((r) => [r.repo, r.folder]));
  const merge = demo['demo/bert-tiny-merge-0.571'];
  const gated = new MockRepo({ id: 'gated-org/bert-tiny-merge', commits: [folderFiles(merge)], gated: 'manual', access: ['alice'] });
  // The same trio with one more tensor whose name is markup: the page must show it as text.
  const hostile = (id, folder) => {
    const { tensors } = readSafetensors(join(folder, 'model.safetensors'));
    const dtype = [...tensors.values()][0].dtype;
    const [, first] = [...tensors.entries()][0];
    tensors.set(HOSTILE_NAME, first);
    return new MockRepo({ id, commits: [{ 'model.safetensors': bufferFile('model.safetensors', encodeSafetensors(tensors, dtype)) }] });
  };
  const evil = [hostile('evil/suspect', merge), hostile('evil/parent', demo['demo/bert-tiny-sst2']), hostile('evil/base', demo['demo/bert-tiny-base'])];
  // MP_TEST_DIST: serve another build of the site (e.g. while dist/ is being rebuilt).
  return startSite({ repos: [gated, ...evil], dist: process.env.MP_TEST_DIST || undefined });
}

/** A tensor name that would run script if any code put it into innerHTML. */
export const HOSTILE_NAME = 'bert.encoder.layer.0.<img src=x onerror="window.__pwned=1">.weight';

export const GATED_TOKEN = 'hf_alice_token';

/** The verdict card's key numbers as text, for comparing two runs. */
export async function verdictNumbers(page) {
  return page.evaluate(() => ({
    sentence: document.querySelector('#verdict-sentence')?.textContent ?? '',
    alpha: document.querySelector('#stat-alpha-0')?.textContent ?? '',
    cos: document.querySelector('#stat-cos')?.textContent ?? '',
    components: [...document.querySelectorAll('#component-table tbody tr')].map((tr) => tr.textContent),
  }));
}

/** Fill the three required roles and press Verify. */
export async function verify(page, { suspect, parent, base, control }) {
  await fillRole(page, 'Suspect model', suspect);
  await fillRole(page, 'Parent model', parent);
  await fillRole(page, 'Base model', base);
  if (control) await fillRole(page, 'Control model', control);
  await page.getByRole('button', { name: 'Verify' }).click();
}

/** Wait for either the verdict or the error card. */
export async function settle(page, timeout = 60_000) {
  await page.waitForSelector('#verdict-sentence, #error:not([hidden])', { timeout });
}

/** The endpoint from demo.json (the mock hub). */
export async function demoEndpoint(page) {
  return page.evaluate(async () => (await (await fetch('demo.json')).json()).endpoint);
}

/** Open Advanced and set the hub endpoint (and a token when given). */
export async function setAdvanced(page, { endpoint, token }) {
  const adv = page.locator('#advanced');
  if (!(await adv.evaluate((d) => d.open))) await page.getByText('Advanced', { exact: true }).click();
  if (endpoint !== undefined) await page.getByLabel('Hub endpoint').fill(endpoint);
  if (token !== undefined) await page.getByLabel('Access token').fill(token);
}
