// Finding the parents from the form (headless Chromium): only the suspect given, the roles are
// found in the mock hub's model tree (tools/mock-hub/model-tree.mjs) and verified; other
// candidates in any order; a model with no relative gets none.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { fillRole, openBrowser, setAdvanced, settle, verdictNumbers } from './helpers.mjs';
import { modelTreeRepos } from '../../tools/mock-hub/model-tree.mjs';

let site;
let browser;
let tree;
before(async () => {
  tree = await modelTreeRepos();
  const { startSite } = await import('../../tools/serve.mjs');
  site = await startSite({ repos: tree.repos, dist: process.env.MP_TEST_DIST || undefined });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

async function run(page, suspect, candidates = '') {
  await page.goto(site.url);
  await setAdvanced(page, { endpoint: site.hub.hubUrl });
  await fillRole(page, 'Suspect model', suspect);
  await page.getByLabel('Other candidates').fill(candidates);
  await page.getByRole('button', { name: 'Verify' }).click();
}

test('only the suspect: two parents and the base found, shown before the verdict, and verified', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const { page, errors } = browser;
  await run(page, tree.suspects.duo.repo);
  await settle(page);
  assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  assert.equal(await page.locator('#lineage-roles').textContent(),
    'A merge of nlp-lab/bert-tiny-sst2 (0.600) + nlp-lab/bert-tiny-emotion (0.300) over the base bert-org/bert-tiny.');
  assert.match(await page.locator('#lineage-findings').textContent(), /names no base model/);
  assert.ok(await page.locator('#lineage-candidates tbody tr').count() >= 15);
  // The graph: the base, the two parents with their weights, the suspect; others grey.
  const graph = page.locator('#lineage-graph');
  assert.match(await graph.getAttribute('aria-label') ?? '', /a merge of nlp-lab\/bert-tiny-sst2 and nlp-lab\/bert-tiny-emotion over bert-org\/bert-tiny/);
  assert.deepEqual(await graph.locator('.lg-parent title').allTextContents(), ['nlp-lab/bert-tiny-sst2', 'nlp-lab/bert-tiny-emotion']);
  assert.equal(await graph.locator('.lg-base title').textContent(), 'bert-org/bert-tiny');
  assert.deepEqual(await graph.locator('.lg-edge text').allTextContents(), ['0.600', '0.300']);
  assert.ok(await graph.locator('.lg-other').count() >= 1);
  // The lineage comes before the verdict card.
  const order = await page.evaluate(() => {
    const l = document.querySelector('#lineage');
    const v = document.querySelector('#verdict-sentence');
    return Boolean(l.compareDocumentPosition(v) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(order, 'lineage before the verdict');
  const v = await verdictNumbers(page);
  assert.match(v.sentence, /task arithmetic|0\.600/i);
  assert.equal(await page.locator('#verdict-models').textContent(),
    `C = ${tree.suspects.duo.repo} · A1 = nlp-lab/bert-tiny-sst2 · A2 = nlp-lab/bert-tiny-emotion · B = bert-org/bert-tiny`);
  // The share link pins the chosen roles, so it reproduces without rediscovering.
  const share = await page.locator('#share-url').inputValue();
  assert.match(share, /&p=nlp-lab%2Fbert-tiny-sst2%40[0-9a-f]{40}&p=nlp-lab%2Fbert-tiny-emotion%40[0-9a-f]{40}&b=bert-org%2Fbert-tiny%40[0-9a-f]{40}/);
  assert.deepEqual(errors, []);
});

test('a card naming the wrong base, with other candidates given in any order', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const { page } = browser;
  await run(page, tree.suspects.wrongBase.repo, 'nlp-lab/bert-tiny-emotion\nbert-org/bert-tiny');
  await settle(page);
  assert.equal(await page.locator('#lineage-roles').textContent(), 'A merge of nlp-lab/bert-tiny-emotion (0.300) over the base bert-org/bert-tiny.');
  assert.match(await page.locator('#lineage-findings').textContent(), /The card names scratch-lab\/bert-tiny-scratch, but the weights contradict it/);
});

test('no relative: said plainly, with what was searched, and no verdict', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const { page, errors } = browser;
  await run(page, tree.suspects.loner.repo);
  await page.waitForSelector('#lineage, #error:not([hidden])', { timeout: 60_000 });
  assert.equal(await page.locator('#lineage-roles').textContent(), 'No relative among the candidates screened.');
  assert.match(await page.locator('#lineage-findings').textContent(), /This is not proof that the model is original/);
  assert.equal(await page.locator('#verdict-sentence').count(), 0);
  assert.deepEqual(errors, []);
});
