// `mergeprobe verify --suspect S` alone, through the mock hub's model tree: the lineage printed
// before the verdict (candidates, where each came from, cost, ranking, roles), the JSON report
// with its lineage section, and "no relative" said as what it is.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { startMockHub } from '../../tools/mock-hub/server.mjs';
import { modelTreeRepos } from '../../tools/mock-hub/model-tree.mjs';
import { validateReport } from '../../tools/report-schema.mjs';
import { ROOT, runCli } from '../support/run-cli.mjs';

const schema = JSON.parse(readFileSync(new URL('docs/report-schema.json', `file://${ROOT}`), 'utf8'));

const run = (args) => runCli(args);

let hub;
let tree;
before(async () => {
  tree = await modelTreeRepos();
  hub = await startMockHub({ repos: tree.repos });
});
after(async () => { await hub?.close(); });

test('text: claims, candidates with sources and costs, ranking and roles, then the verdict', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const r = await run(['verify', '--suspect', tree.suspects.wrongBase.repo, '--endpoint', hub.hubUrl]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  const at = (re) => { const m = re.exec(out); assert.ok(m, `missing ${re}`); return m.index; };
  const order = [
    at(/^Claims \(metadata, not evidence\)\n  card base_model: scratch-lab\/bert-tiny-scratch/m),
    at(/^Candidates: \d+ screened of \d+ found \(cap 20\)/m),
    at(/^  nlp-lab\/bert-tiny-emotion +same architecture; model tree \(child of bert-org\/bert-tiny\) +800 +1 res, /m),
    at(/^Ranking /m),
    at(/^Roles chosen: merge of nlp-lab\/bert-tiny-emotion \(0\.300\) over base bert-org\/bert-tiny$/m),
    at(/The card names scratch-lab\/bert-tiny-scratch, but the weights contradict it/),
    at(/^Screening cost: \d+ API calls, \d+ \/resolve\/ calls/m),
    at(/^Verdict: linear-merge/m),
  ];
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'sections in order, lineage before the verdict');
  assert.match(r.stderr, /^mergeprobe: screening/m);
});

test('--json: the usual report plus lineage; --max-candidates caps the screen', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const r = await run(['verify', '--suspect', tree.suspects.blend.repo, '--candidate', 'nlp-lab/bert-tiny-sst2',
    '--candidate', 'bert-org/bert-tiny', '--max-candidates', '2', '--endpoint', hub.hubUrl, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(validateReport(report, schema), []);
  assert.deepEqual(report.models.parents.map((m) => m.repo), ['nlp-lab/bert-tiny-sst2']);
  assert.equal(report.models.base.repo, 'bert-org/bert-tiny');
  assert.ok(Math.abs(report.summary.alphas[0] - 0.571) < 0.005);
  assert.equal(report.lineage.candidates.filter((c) => c.screened).length, 2);
  assert.ok(report.lineage.candidates.some((c) => c.not_screened_because === 'over the cap of 2 candidates'));
});

test('no relative: the lineage alone (its own schema), exit 0, and what was searched', async (t) => {
  if (!tree.haveRealModels) return t.skip('shared/real-models not found');
  const r = await run(['verify', '--suspect', tree.suspects.loner.repo, '--endpoint', hub.hubUrl]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Roles chosen: no relative among the candidates screened$/m);
  assert.match(r.stdout, /No relative found among the \d+ candidates screened .*This is not proof that the model is original/);
  assert.doesNotMatch(r.stdout, /^Verdict:/m);
  const j = await run(['verify', '--suspect', tree.suspects.loner.repo, '--endpoint', hub.hubUrl, '--json']);
  assert.equal(JSON.parse(j.stdout).schema, 'mergeprobe.lineage/1');
});
