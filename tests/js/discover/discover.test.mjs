// Finding the parents from the suspect alone (web/lib/discover), through the mock hub's model tree
// (tests/mock-hub/model-tree.mjs): real BERT-tiny weights, decoy fine-tunes of the same base (some
// more downloaded than the true parents), an unrelated root of the same shapes with children of
// its own, llama models of another architecture, and suspects whose answer is known.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { beforeEach } from 'node:test';
import { clearCdnUrls } from '../../../js/io/hub/retry.mjs';
import { startMockHub } from '../../../tools/mock-hub/server.mjs';
import { modelTreeRepos } from '../../../tools/mock-hub/model-tree.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { DISCOVERY_BUDGET, LINEAGE_SCHEMA, discoverLineage, verifyFromSuspect } from '../../../js/discover/lineage.mjs';
import { runAnalysis } from '../../../js/engine/run-analysis.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';
import { undocumentedFields, validateReport } from '../../../tools/report-schema.mjs';
import { decodeShareParams } from '../../../js/report/share-link.mjs';

const schema = JSON.parse(readFileSync(new URL('../../../docs/report-schema.json', import.meta.url), 'utf8'));

let hub;
let tree;
const client = () => new HubClient({ endpoint: hub.hubUrl });
async function discover(repo, o = {}) {
  const c = o.client ?? client();
  const suspect = await c.resolveModel(repo);
  const pinned = {
    parents: await Promise.all((o.parents ?? []).map((p) => c.resolveModel(p))),
    base: o.base ? await c.resolveModel(o.base) : null,
  };
  return discoverLineage({ hub: c, suspect, named: o.named ?? [], pinned, budget: o.budget, signal: o.signal });
}
const near = (a, b, tol = 0.01) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Signed CDN URLs are remembered per process (retry.mjs): counted /resolve/ calls are this test's own.
beforeEach(() => clearCdnUrls());

before(async () => {
  tree = await modelTreeRepos();
  hub = await startMockHub({ repos: tree.repos });
});
after(async () => { await hub?.close(); });

describe('the model tree in the mock hub (API shapes of huggingface_hub list_models / model_info)', () => {
  test('list route: filter by tag, sort=downloads direction=-1, limit, expand[] returns only the fields asked', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const r = await fetch(`${hub.hubUrl}/api/models?filter=bert&filter=safetensors&sort=downloads&direction=-1&limit=3&expand[]=downloads&expand[]=baseModels`);
    assert.equal(r.status, 200);
    const list = await r.json();
    assert.deepEqual(list.map((m) => m.id), ['bert-org/bert-tiny', 'scratch-lab/bert-tiny-scratch', 'acme/bert-tiny-news']);
    assert.deepEqual(Object.keys(list[2]).sort(), ['_id', 'baseModels', 'downloads', 'id']);
    assert.deepEqual(list[2].baseModels, { relation: 'finetune', models: [{ _id: list[0]._id, id: 'bert-org/bert-tiny' }] });
    const kids = await (await fetch(`${hub.hubUrl}/api/models?filter=base_model:finetune:bert-org/bert-tiny&limit=100`)).json();
    assert.equal(kids.length, 5);
    const merges = await (await fetch(`${hub.hubUrl}/api/models?filter=base_model:merge:bert-org/bert-tiny`)).json();
    assert.deepEqual(merges.map((m) => m.id), ['mk-user/bert-tiny-sst2-linear']);
    assert.ok(kids.every((k) => k.tags.includes('base_model:bert-org/bert-tiny')));
    // childrenModelCount is answered by the model route only.
    assert.equal((await fetch(`${hub.hubUrl}/api/models?expand[]=childrenModelCount`)).status, 400);
  });

  test('model route: childrenModelCount, config, safetensors, cardData, tags', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const q = ['childrenModelCount', 'config', 'safetensors', 'cardData', 'tags'].map((f) => `expand[]=${f}`).join('&');
    const root = await (await fetch(`${hub.hubUrl}/api/models/bert-org/bert-tiny?${q}`)).json();
    assert.deepEqual(root.childrenModelCount, { finetune: 5, merge: 1 });
    assert.deepEqual(root.config, { model_type: 'bert', architectures: ['BertForSequenceClassification'] });
    assert.deepEqual(root.safetensors, { parameters: { F32: 395520 }, total: 395520 });
    const wrong = await (await fetch(`${hub.hubUrl}/api/models/mystery/bert-tiny-blend-wrongbase?${q}`)).json();
    assert.equal(wrong.cardData.base_model, 'scratch-lab/bert-tiny-scratch');
    assert.ok(wrong.tags.includes('base_model:finetune:scratch-lab/bert-tiny-scratch'));
  });
});

describe('finding the parents from the suspect alone', { concurrency: 1 }, () => {
  const expectMerge = (lin, e) => {
    assert.equal(lin.chosen.kind, 'merge', JSON.stringify(lin.chosen));
    assert.equal(lin.chosen.base, e.base);
    assert.deepEqual(lin.chosen.parents, e.parents);
    e.weights.forEach((w, i) => near(lin.chosen.weights[i], w));
  };

  test('a card that claims nothing: parent and base found, and the missing claim is the headline', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.blend;
    const { lineage, roles } = await discover(s.repo);
    expectMerge(lineage, s.expect);
    assert.equal(lineage.claims.none, true);
    assert.match(lineage.findings[0], /names no base model .* the weights say it is a merge of nlp-lab\/bert-tiny-sst2 \(weight 0\.571\) over the base bert-org\/bert-tiny/);
    assert.deepEqual(roles.parents.map((m) => m.repo), s.expect.parents);
    assert.equal(roles.base.repo, s.expect.base);
    // Decoys more downloaded than the true parent are relatives (same base) but not parents.
    const news = lineage.candidates.find((c) => c.repo === 'acme/bert-tiny-news');
    assert.ok(news.relative && news.downloads > 1200);
    // The unrelated root of the same shapes and its children are not relatives.
    for (const id of ['scratch-lab/bert-tiny-scratch', 'scratch-lab/bert-tiny-scratch-sst2']) {
      const c = lineage.candidates.find((x) => x.repo === id);
      assert.equal(c.relative, false, id);
      assert.ok(Math.abs(c.closeness) < 0.05, `${id} ${c.closeness}`);
    }
    assert.ok(!lineage.candidates.some((c) => c.repo.startsWith('llama-org/')), 'another architecture is not a candidate');
  });

  test('a card naming the wrong base: the true roles, and the contradicted claim said plainly', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.wrongBase;
    const { lineage } = await discover(s.repo);
    expectMerge(lineage, s.expect);
    assert.deepEqual(lineage.claims.base_model, [s.expect.contradicted]);
    assert.ok(lineage.findings.some((f) => f.includes(`The card names ${s.expect.contradicted}, but the weights contradict it`)), lineage.findings.join('\n'));
  });

  test('two parents (task arithmetic 0.6 / 0.3)', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.duo;
    expectMerge((await discover(s.repo)).lineage, s.expect);
  });

  test('roles given in any order as other candidates, or pinned', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.duo;
    const named = ['nlp-lab/bert-tiny-emotion', 'bert-org/bert-tiny', 'nlp-lab/bert-tiny-sst2'];
    const { lineage } = await discover(s.repo, { named, budget: { maxCandidates: 3 } });
    expectMerge(lineage, s.expect);
    assert.deepEqual(lineage.candidates.filter((c) => c.screened).map((c) => c.repo).sort(), [...named].sort());
    assert.ok(lineage.candidates.filter((c) => c.screened).every((c) => c.sources.includes('named by you')));
    // Pinned parents in another order: kept as given, only the base is discovered.
    const pinned = (await discover(s.repo, { parents: ['nlp-lab/bert-tiny-emotion', 'nlp-lab/bert-tiny-sst2'] })).lineage;
    assert.deepEqual(pinned.chosen.parents, ['nlp-lab/bert-tiny-emotion', 'nlp-lab/bert-tiny-sst2']);
    assert.equal(pinned.chosen.base, 'bert-org/bert-tiny');
    near(pinned.chosen.weights[0], 0.3);
    // A pinned base: the parents are discovered from it.
    const based = (await discover(tree.suspects.blend.repo, { base: 'bert-org/bert-tiny' })).lineage;
    assert.deepEqual(based.chosen.parents, ['nlp-lab/bert-tiny-sst2']);
  });

  test('a fine-tune of one candidate is a fine-tune, not a merge', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.finetune;
    const { lineage, roles } = await discover(s.repo);
    assert.equal(lineage.chosen.kind, 'finetune', JSON.stringify(lineage.chosen));
    assert.equal(lineage.chosen.of, s.expect.of);
    assert.equal(lineage.chosen.base, s.expect.base);
    assert.ok(lineage.hypotheses[0].r2 < 0.8, 'no merge of the candidates explains it');
    assert.equal(roles.parents[0].repo, s.expect.of);
  });

  test('a renamed copy', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.copy;
    const { lineage } = await discover(s.repo);
    assert.equal(lineage.chosen.kind, 'copy');
    assert.equal(lineage.chosen.of, s.expect.of);
    assert.equal(lineage.chosen.base, s.expect.base);
    assert.equal(lineage.candidates.find((c) => c.repo === s.expect.of).copy_fraction, 1);
  });

  test('a BF16 merge of F32 models', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.bf16;
    const { lineage } = await discover(s.repo);
    expectMerge(lineage, s.expect);
    assert.ok(lineage.chosen.r2 > 0.99 && lineage.chosen.r2 < 1, `BF16 rounding leaves a little: ${lineage.chosen.r2}`);
  });

  test('a model with no relative in the tree is given none, and what was searched is said', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const { lineage, roles } = await discover(tree.suspects.loner.repo);
    assert.equal(lineage.chosen.kind, 'no-relative');
    assert.equal(roles, null);
    const n = lineage.candidates.filter((c) => c.screened).length;
    assert.ok(n >= 15, `screened ${n}`);
    assert.match(lineage.findings.at(-1), new RegExp(`No relative found among the ${n} candidates screened \\(same architecture, model tree\\)\\. This is not proof`));
  });
});

describe('claims apart from evidence', { concurrency: 1 }, () => {
  test("mergekit's traces (card, tags, README YAML, mergekit_config.yml) are claims, and the weights confirm them", async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const s = tree.suspects.mergekit;
    const { lineage } = await discover(s.repo);
    assert.equal(lineage.chosen.kind, 'merge');
    assert.deepEqual(lineage.chosen.parents, s.expect.parents);
    assert.equal(lineage.chosen.base, s.expect.base);
    near(lineage.chosen.weights[0], 0.7);
    const mk = lineage.claims.mergekit;
    assert.deepEqual(mk.config, { base_model: null, models: ['nlp-lab/bert-tiny-sst2', 'bert-org/bert-tiny'], merge_method: 'linear' });
    assert.deepEqual(mk.readme, mk.config);
    assert.equal(mk.tagged, true);
    assert.equal(lineage.claims.base_model_relation, null);
    assert.deepEqual(lineage.claims.base_models, { relation: 'merge', models: ['nlp-lab/bert-tiny-sst2', 'bert-org/bert-tiny'] });
    assert.ok(lineage.findings.includes("The card's claim of nlp-lab/bert-tiny-sst2 agrees with the weights."), lineage.findings.join('\n'));
    assert.ok(lineage.findings.includes("The card's claim of bert-org/bert-tiny agrees with the weights."));
    // Two resolves for the traces: the config and the README (small git files).
    assert.equal(lineage.cost.suspect.resolve_calls, 3);
  });
});

describe('costs, caps and cancel', { concurrency: 1 }, () => {
  test('request counts: one /resolve/ per model screened, a few KB of rows beyond the header', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    hub.resetStats();
    const { lineage } = await discover(tree.suspects.blend.repo);
    const screened = lineage.candidates.filter((c) => c.screened);
    // The mock's own count: the suspect's resolve (1) + one per screened candidate (single-file repos).
    assert.equal(hub.stats.hub.resolveCalls, 1 + screened.length);
    assert.equal(lineage.cost.resolve_calls, hub.stats.hub.resolveCalls);
    for (const c of screened) {
      assert.equal(c.cost.resolve_calls, 1, c.repo);
      assert.equal(c.cost.api_calls, 1, c.repo);
      // 16 KiB first header read + 8 tensors x 2 blocks x 256 elements x 4 bytes.
      assert.ok(c.cost.bytes <= 16384 + 16 * 1024, `${c.repo}: ${c.cost.bytes}`);
    }
    // API: the suspect's info, the tree walk and listings, one revision lookup per candidate.
    assert.ok(lineage.cost.api_calls <= 2 + screened.length + 12, `api ${lineage.cost.api_calls}`);
    assert.equal(hub.stats.hub.api, lineage.cost.api_calls + 1, 'plus the resolve of the suspect by the caller');
  });

  test('the candidate cap and the /resolve/ budget: what was not screened is listed with why', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const capped = (await discover(tree.suspects.blend.repo, { budget: { maxCandidates: 4 } })).lineage;
    assert.equal(capped.candidates.filter((c) => c.screened).length, 4);
    const over = capped.candidates.filter((c) => !c.screened);
    assert.ok(over.length >= 10);
    assert.ok(over.every((c) => c.not_screened_because === 'over the cap of 4 candidates'));
    // Most downloaded first: the cap keeps the root and the popular decoys.
    assert.ok(capped.candidates.filter((c) => c.screened).some((c) => c.repo === 'bert-org/bert-tiny'));
    const few = (await discover(tree.suspects.blend.repo, { budget: { maxResolveCalls: 15 } })).lineage;
    const cut = few.candidates.filter((c) => /\/resolve\/ budget of 15 calls/.test(c.not_screened_because ?? ''));
    assert.ok(cut.length > 0, 'some candidates were cut by the resolve budget');
    assert.ok(few.cost.resolve_calls <= 15, `${few.cost.resolve_calls}`);
    assert.equal(DISCOVERY_BUDGET.maxCandidates, 20);
  });

  test('cancel stops the screen', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const ctrl = new AbortController();
    const c = new HubClient({ endpoint: hub.hubUrl, signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 30);
    await assert.rejects(discover(tree.suspects.blend.repo, { client: c, signal: ctrl.signal }), (e) => e.code === 'aborted' || e.code === 'Aborted');
  });
});

describe('discovery, then the full verification', { concurrency: 1 }, () => {
  test('the report holds models as today plus lineage; schema-valid; the share link pins the chosen roles', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const c = client();
    const suspect = await c.resolveModel(tree.suspects.duo.repo);
    const report = await verifyFromSuspect({ hub: c, suspect, runAnalysis, analysis: { endpoint: hub.hubUrl, wasm: await loadWasm() } });
    assert.deepEqual(validateReport(report, schema), []);
    assert.deepEqual(undocumentedFields(report, schema), [], 'document these fields in docs/report-schema.json');
    assert.deepEqual(report.models.parents.map((m) => m.repo), ['nlp-lab/bert-tiny-sst2', 'nlp-lab/bert-tiny-emotion']);
    assert.equal(report.models.base.repo, 'bert-org/bert-tiny');
    assert.equal(report.summary.verdict, 'linear-merge');
    near(report.summary.alphas[0], 0.6, 0.005);
    near(report.summary.alphas[1], 0.3, 0.005);
    assert.deepEqual(report.lineage.verified, { parents: ['nlp-lab/bert-tiny-sst2', 'nlp-lab/bert-tiny-emotion'], base: 'bert-org/bert-tiny' });
    const link = decodeShareParams(new URL(report.share_url).hash);
    assert.deepEqual(link.parents.map((p) => p.repo), ['nlp-lab/bert-tiny-sst2', 'nlp-lab/bert-tiny-emotion']);
    assert.equal(link.base.revision, report.models.base.revision);
  });

  test('no relative: the lineage alone, its own schema', async (t) => {
    if (!tree.haveRealModels) return t.skip('shared/real-models not found');
    const c = client();
    const suspect = await c.resolveModel(tree.suspects.loner.repo);
    const out = await verifyFromSuspect({ hub: c, suspect, runAnalysis });
    assert.equal(out.schema, LINEAGE_SCHEMA);
    assert.equal(out.chosen.kind, 'no-relative');
  });
});
