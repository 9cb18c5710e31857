// A full-size virtual trio {base, fine-tune, 0.571 merge} (tools/mock-hub/virtual.mjs) on its own
// mock hub, resolved as the CLI and the page resolve models, for engine tests.
import { startMockHub } from '../../tools/mock-hub/server.mjs';
import { virtualTrio } from '../../tools/mock-hub/virtual.mjs';
import { HubClient } from '../../js/io/hub/client.mjs';
import { runAnalysis } from '../../js/engine/run-analysis.mjs';

/**
 * Calls fn with `run(opts)` (runAnalysis of the trio, seed 3, plus opts), the mock and the trio;
 * the mock's counters start at zero after resolving. The mock is closed afterwards.
 * @template T
 * @param {string} layout
 * @param {(t: {run: (opts: any) => Promise<any>, mock: any, trio: any}) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withVirtualTrio(layout, fn) {
  const trio = virtualTrio({ layout, alpha: 0.571 });
  const mock = await startMockHub({ repos: [trio.base, trio.parent, trio.merge] });
  try {
    const hub = new HubClient({ endpoint: mock.hubUrl });
    const [suspect, parent, base] = await Promise.all(
      [trio.names.merge, trio.names.parent, trio.names.base].map((r) => hub.resolveModel(r, 'main')));
    mock.resetStats();
    const run = (opts) => runAnalysis({ suspect, parents: [parent], base, seed: 3, hub, endpoint: mock.hubUrl, ...opts });
    return await fn({ run, mock, trio });
  } finally {
    await mock.close();
  }
}
