// Rio-scale end to end: full-size virtual Qwen3.5-397B-A17B trios (base, fine-tune, and a merge
// made with alpha 0.571) served by the mock hub, read by the engine exactly as the CLI and the page
// do. The bytes are generated on the fly, so ~800 GB per model is served without being stored.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withVirtualTrio } from '../../support/virtual-trio.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';

const BUDGET = 16 * 1024 * 1024;

/** The trio verified at BUDGET; the mock's counters are those of the verification alone. */
async function verifyTrio(layout) {
  return withVirtualTrio(layout, async ({ run, mock, trio }) => ({ report: await run({ budget: BUDGET, wasm: await loadWasm() }), trio, stats: mock.stats }));
}

test('397B BF16 (fused experts, 94 shards): a 0.571 merge is found from 16 MiB of tensors', async () => {
  const { report, trio } = await verifyTrio('qwen3.5-397b-bf16');
  const s = report.summary;
  assert.equal(s.verdict, 'linear-merge');
  assert.ok(Math.abs(s.alphas[0] - 0.571) < 0.002, `alpha ${s.alphas[0]}`);
  assert.ok(s.cos_fit > 0.99);
  assert.ok(s.alpha_ci95[0][0] <= 0.5715 && s.alpha_ci95[0][1] >= 0.5705, `CI ${s.alpha_ci95[0]}`);
  // Every component is covered and agrees; the norms are flagged, not averaged in.
  const names = report.components.map((c) => c.name);
  for (const c of ['experts', 'router', 'attention', 'linear_attention', 'shared_expert', 'embeddings', 'lm_head'])
    assert.ok(names.includes(c), `component ${c} covered`);
  for (const c of report.components.filter((x) => x.usable_tensors > 0))
    assert.ok(Math.abs(c.alphas[0] - 0.571) < 0.003, `${c.name} alpha ${c.alphas[0]}`);
  assert.ok(new Set(report.layers.map((l) => l.index)).size === 60, 'all 60 layers sampled');
  // Bytes: the plan stays within budget; headers are the only other bytes read.
  assert.ok(report.fetch.planned_bytes <= BUDGET);
  const shards = trio.layout.shards.length;
  assert.equal(report.fetch.resolve_calls, 3 * (shards + 1), 'one /resolve/ per file touched (shards + index, 3 models)');
  assert.ok(report.fetch.bytes - report.fetch.planned_bytes < 3 * shards * 64 * 1024, 'header reads stay small');
});

test('397B FP8 (per-expert with 128x128 block scales, 20 MB index): the merge is found, rounding-dominated fp8 tensors are flagged', async () => {
  const { report } = await verifyTrio('qwen3.5-fp8');
  const s = report.summary;
  assert.equal(s.verdict, 'linear-merge');
  assert.ok(Math.abs(s.alphas[0] - 0.571) < 0.003, `alpha ${s.alphas[0]}`);
  assert.ok(s.rounding_dominated > 0);
  assert.ok(!/per-component/.test(s.sentence), s.sentence);
});
