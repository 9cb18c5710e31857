// The verdict card for every family (issue 12): on structured verdicts the core wrote for
// real-weight merges (rendered by the page's own modules), each family shows its parameters; and
// on real runs against the mock hub, the edges: all three models the same, the control being the
// suspect, a parent equal to the base (undefined, with its reason, never 0.000).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoEndpoint, settle, setAdvanced, useSiteAndBrowser, verify } from './helpers.mjs';
import { families, reportFor } from '../support/verdict-families.mjs';

const env = useSiteAndBrowser();

/** The card's stats for `report`, rendered in the page: { 'stat-id': [value, hint] }. */
async function cardStats(page, report) {
  return page.evaluate(async (r) => {
    const { buildView } = await import('./js/report/view.mjs');
    const { verdictCard } = await import('./ui/verdict.mjs');
    document.querySelector('#test-host')?.remove();
    const host = document.createElement('div');
    host.id = 'test-host';
    host.append(verdictCard(buildView(r), null));
    document.body.append(host);
    const out = {};
    for (const dd of host.querySelectorAll('dd[id]')) out[dd.id] = [dd.textContent, dd.nextElementSibling?.textContent ?? ''];
    return out;
  }, report);
}

test('each family\'s card shows its parameters from the structured verdict', async () => {
  const { page, errors } = env.browser;
  await page.goto(env.site.url);
  const expect = {
    'ties-k2': { 'stat-density': 'A1 0.500, A2 0.300', 'stat-weights': 'A1 0.600, A2 0.400' },
    'dare-ties-k2': { 'stat-density': 'A1 0.591, A2 0.401', 'stat-weights': 'A1 0.507, A2 0.494' },
    'della-k2': { 'stat-density': 'A1 0.497, A2 0.399', 'stat-weights': 'A1 0.600, A2 0.400', 'stat-epsilon': '0.152' },
    'breadcrumbs-ties-k2': { 'stat-density': 'A1 0.509, A2 0.409', 'stat-gamma': '1.1%' },
    'model-stock-k2': { 'stat-t': '0.265' },
    'nearswap': { 'stat-t': '0.00200', 'stat-equal-a': '31.9%', 'stat-clipped': '68.1%' },
    'nuslerp': { 'stat-t': '0.400', 'stat-weights': 'A1 0.600, A2 0.400' },
    'karcher-k2': { 'stat-weights': 'A1 0.500, A2 0.500' },
    'multislerp-k3': { 'stat-weights': 'A1 0.500, A2 0.300, A3 0.200' },
    'components-k2': { 'stat-group-attention': 'A1 0.800, A2 0.200', 'stat-group-mlp': 'A1 0.300, A2 0.600' },
    'fine-tune': { 'stat-fine-tune-of': 'org/parent-1' },
    'copy': { 'stat-copies': 'org/parent-1' },
  };
  for (const [name, stats] of Object.entries(expect)) {
    const got = await cardStats(page, reportFor(name));
    for (const [id, value] of Object.entries(stats)) assert.equal(got[id]?.[0], value, `${name} ${id}`);
  }
  // The page quotes the verdict's weights, not a figure of its own: change them and the card follows.
  const r = reportFor('ties-k2');
  r.verdict.params.weights = [0.25, 0.75];
  assert.equal((await cardStats(page, r))['stat-weights'][0], 'A1 0.250, A2 0.750');
  // A bit-exact share of 99.975% is not shown as 100.0%.
  r.summary.bit_exact = { applicable: true, fp32_order: 0.99975, bf16_order: null };
  assert.equal((await cardStats(page, r))['stat-bitexact'][0], '99.98%');
  assert.ok(Object.keys(families).length >= 15);
  assert.deepEqual(errors, []);
});

/** Runs the page on the demo hub with these models and returns the card's text and stats. */
async function run(page, roles) {
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page) });
  await verify(page, roles);
  await settle(page);
  const kind = await page.locator('#verdict-sentence').getAttribute('data-kind');
  const card = await page.locator('section.verdict').textContent();
  const stat = async (id) => (await page.locator(`#${id}`).count() ? page.locator(`#${id}`).textContent() : null);
  const hint = async (id) => page.locator(`#${id} + dd.hint`).textContent();
  return { kind, card, stat, hint };
}

test('suspect = parent = base: "all three are the same model", not a passthrough copy; alpha and cos_fit undefined', async () => {
  const { page, errors } = env.browser;
  const base = 'demo/bert-tiny-base';
  const r = await run(page, { suspect: base, parent: base, base });
  assert.equal(r.kind, 'copy');
  assert.doesNotMatch(r.card, /passthrough/i);
  assert.equal(await r.stat('stat-copies'), 'all three are the same model');
  assert.equal(await r.stat('stat-alpha-0'), 'undefined');
  assert.equal(await r.stat('stat-cos'), 'undefined');
  assert.match(await r.hint('stat-cos'), /same model/);
  assert.match(await page.locator('#verdict-meaning').textContent(), /all the same model/);
  assert.deepEqual(errors, []);
});

test('a parent equal to the base: alpha undefined with the reason, never 0.000', async () => {
  const { page } = env.browser;
  const r = await run(page, { suspect: 'demo/bert-tiny-merge-0.571', parent: 'demo/bert-tiny-base', base: 'demo/bert-tiny-base' });
  assert.equal(r.kind, 'inconclusive');
  assert.equal(await r.stat('stat-alpha-0'), 'undefined');
  assert.match(await r.hint('stat-alpha-0'), /parent equals the base/);
  assert.equal(await r.stat('stat-cos'), 'undefined');
  assert.doesNotMatch(await page.locator('dl.stats').textContent(), /\b0\.000\b/);
});

test('the control is the suspect: inconclusive with that reason, not "not a merge"', async () => {
  const { page } = env.browser;
  const m = 'demo/bert-tiny-merge-0.571';
  const r = await run(page, { suspect: m, parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base', control: m });
  assert.equal(r.kind, 'inconclusive');
  assert.match(r.card, /control model fits as well as the suspect/);
  assert.doesNotMatch(r.card, /not a merge/i);
});
