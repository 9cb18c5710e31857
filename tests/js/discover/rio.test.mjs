// Discovery at Rio scale (bench/discover-rio.mjs): a virtual Qwen3.5-397B-A17B BF16 trio plus six
// decoy fine-tunes of the same base, four more downloaded than the true parent. From the merge
// alone, the parent and base must be found and verified within the Hub's anonymous limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startMockHub } from '../../../tools/mock-hub/server.mjs';
import { rioDiscoveryRepos } from '../../../tools/mock-hub/model-tree.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { verifyFromSuspect } from '../../../js/discover/lineage.mjs';
import { runAnalysis } from '../../../js/engine/run-analysis.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';

/** Anonymous limits per 5-minute window (shared/hf-hub-protocol.md §9). */
const ANON_RESOLVES = 3000;
const ANON_API = 500;

test('397B BF16 trio + 6 decoys: traced from the suspect alone, within the anonymous rate limit', async () => {
  const { repos, names, decoys } = rioDiscoveryRepos({ decoys: 6 });
  const mock = await startMockHub({ repos });
  try {
    const hub = new HubClient({ endpoint: mock.hubUrl });
    const suspect = await hub.resolveModel(names.merge);
    const report = await verifyFromSuspect({ hub, suspect, runAnalysis, analysis: { wasm: await loadWasm(), budget: 16 * 1024 * 1024 } });
    const lin = report.lineage;
    assert.equal(lin.chosen.kind, 'merge');
    assert.deepEqual(lin.chosen.parents, [names.parent]);
    assert.equal(lin.chosen.base, names.base);
    for (const d of decoys) assert.ok(lin.candidates.find((c) => c.repo === d)?.relative, `${d} screened as a relative`);
    assert.equal(report.summary.verdict, 'linear-merge');
    assert.ok(Math.abs(report.summary.alphas[0] - 0.571) < 0.002);
    // The screen reads the index and a few shard headers per candidate, not 94+ shards each.
    assert.ok(lin.cost.resolve_calls <= 10 * (lin.candidates.length + 1), `screen resolves ${lin.cost.resolve_calls}`);
    assert.ok(mock.stats.hub.resolveCalls < ANON_RESOLVES / 2, `resolves ${mock.stats.hub.resolveCalls}`);
    assert.ok(mock.stats.hub.api < ANON_API / 10, `api ${mock.stats.hub.api}`);
  } finally {
    await mock.close();
  }
});
