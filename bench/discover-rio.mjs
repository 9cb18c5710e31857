// Discovery at Rio scale: a virtual Qwen3.5-397B-A17B BF16 trio {base, fine-tune, 0.571 merge}
// plus decoy fine-tunes of the same base (more downloaded than the true parent), served by the
// mock hub; `verify --suspect merge` alone must find the parent and the base within the Hub's
// anonymous limits (3,000 /resolve/ and 500 API calls per 5 minutes, shared/hf-hub-protocol.md §9).
// Prints time and request counts per phase (BENCHMARKS.md "Finding the parents").
//
//   node bench/discover-rio.mjs [--decoys 6] [--latency 0]
import { startMockHub } from '../tools/mock-hub/server.mjs';
import { rioDiscoveryRepos } from '../tools/mock-hub/model-tree.mjs';
import { HubClient } from '../js/io/hub/client.mjs';
import { verifyFromSuspect } from '../js/discover/lineage.mjs';
import { runAnalysis } from '../js/engine/run-analysis.mjs';
import { loadWasm } from '../js/io-node/wasm.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : dflt; };
const { repos, names } = rioDiscoveryRepos({ decoys: opt('decoys', 6) });
const mock = await startMockHub({ repos, knobs: { latencyMs: opt('latency', 0) } });
try {
  const hub = new HubClient({ endpoint: mock.hubUrl });
  const t0 = performance.now();
  const suspect = await hub.resolveModel(names.merge);
  const report = await verifyFromSuspect({ hub, suspect, runAnalysis, analysis: { wasm: await loadWasm(), budget: 16 * 1024 * 1024, endpoint: mock.hubUrl } });
  const ms = performance.now() - t0;
  const lin = report.lineage;
  const row = {
    candidates_screened: lin.candidates.filter((c) => c.screened).length,
    chosen: `${lin.chosen.kind}: ${lin.chosen.parents.join(' + ')} over ${lin.chosen.base}`,
    weights: lin.chosen.weights.map((w) => +w.toFixed(4)),
    verdict: report.summary.verdict,
    alpha: +report.summary.alphas[0].toFixed(4),
    screen_ms: lin.cost.ms,
    screen_api_calls: lin.cost.api_calls,
    screen_resolve_calls: lin.cost.resolve_calls,
    screen_requests: lin.cost.requests,
    screen_bytes: lin.cost.bytes,
    verify_resolve_calls: report.fetch.resolve_calls,
    verify_requests: report.fetch.requests,
    verify_bytes: report.fetch.bytes,
    total_ms: Math.round(ms),
    mock_hub_resolve_calls: mock.stats.hub.resolveCalls,
    mock_hub_api_calls: mock.stats.hub.api,
    mock_cdn_requests: mock.stats.cdn.requests,
  };
  console.log(JSON.stringify(row, null, 2));
} finally {
  await mock.close();
}
