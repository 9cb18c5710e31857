// Memory: a budget the wasm heap cannot hold is refused before any tensor byte is fetched, with the
// largest budget that fits named, and an abort inside the module never reaches the user as
// Emscripten's "Aborted(). Build with -s ASSERTIONS=1" (it becomes a readable 'budget' error).
// Full-size virtual Qwen3.5-397B trios from the mock hub, read by the engine as page and CLI do.
import test from 'node:test';
import assert from 'node:assert/strict';
import { withVirtualTrio } from '../../support/virtual-trio.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';

const MiB = 2 ** 20;

const withTrio = withVirtualTrio;

const noAbortText = (e) => !/Aborted\(|ASSERTIONS/.test(e.message);

test('8000 MB on a 397B trio is refused before any request, naming the largest budget that fits', async () => {
  await withTrio('qwen3.5-397b-bf16', async ({ run, mock }) => {
    await assert.rejects(run({ budget: 8000e6, wasm: await loadWasm() }), (e) => {
      assert.equal(e.code, 'budget');
      assert.match(e.message, /^a budget of 8000MB is too large: it needs about 8\.5 GB of memory, and WebAssembly can use at most 4\.3 GB; the largest budget that fits is 3758MB$/);
      return noAbortText(e);
    });
    assert.equal(mock.stats.hub.requests + mock.stats.cdn.requests, 0, 'nothing fetched');
  });
});

test('a heap that cannot give the planned ranges now: refused after the headers, before any tensor byte', async () => {
  const mod = await loadWasm();
  // Hold most of the heap, as another large allocation would, leaving ~64 MiB: room for the
  // headers, not for the ranges a 1 GiB budget plans (enough rows of every tensor: 82 MB).
  const held = [];
  for (let i = 0; i < 13; i++) { const p = mod._malloc(256 * MiB) >>> 0; assert.ok(p); held.push(p); }
  for (let p; (p = mod._malloc(16 * MiB) >>> 0);) held.push(p);
  for (let i = 0; i < 4; i++) mod._free(/** @type {number} */ (held.pop()));
  try {
    await withTrio('qwen3.5-397b-bf16', async ({ run, mock }) => {
      let message = '';
      await assert.rejects(run({ budget: 1024 * MiB, wasm: mod }), (e) => {
        message = e.message;
        assert.equal(e.code, 'budget', e.message);
        assert.match(e.message, /^a budget of 1GiB is too large: it needs about \d+ MB of memory, and WebAssembly can use at most 4\.3 GB; with these models' headers in memory, the largest budget that fits is \d+MB$/);
        return noAbortText(e);
      });
      const largest = Number(/(\d+)MB$/.exec(message)[1]) * 1e6;
      assert.ok(largest > 0 && largest < 1024 * MiB, message);
      // Headers only (3 x 121 shards of ~70 kB): no tensor range was requested.
      assert.ok(mock.stats.cdn.bytes < 3 * 122 * 256 * 1024, `${mock.stats.cdn.bytes} bytes served`);
      // The budget named runs (plans and allocates; a small one keeps the test fast to fetch).
      const report = await run({ budget: 16 * MiB, wasm: mod });
      assert.equal(report.summary.verdict, 'linear-merge');
    });
  } finally {
    for (const p of held) mod._free(p);
  }
});

test('an abort inside the module is a readable budget error, and the next run gets a fresh module', async () => {
  const mod = await loadWasm();
  // Exhaust the heap (blocks down to 8 bytes): the core's next `new` cannot be met, and with
  // exception catching disabled Emscripten aborts: "Aborted(). Build with -s ASSERTIONS=1 ...".
  for (let size = 256 * MiB; size >= 8;) if (!(mod._malloc(size) >>> 0)) size /= 2;
  await withTrio('tiny-qwen3.5-bf16', async ({ run }) => {
    await assert.rejects(run({ budget: 64 * MiB, wasm: mod }), (e) => {
      assert.equal(e.code, 'budget', e.message);
      assert.equal(e.wasmLost, true);
      assert.match(e.cause?.message ?? '', /^Aborted\(/, 'a real abort from the module');
      assert.match(e.message, /^the analysis ran out of memory with a budget of 64MiB: try a smaller budget, e\.g\. 33MB$/);
      return noAbortText(e);
    });
    const fresh = await loadWasm();
    assert.notEqual(fresh, mod, 'the aborted module is not reused');
    const report = await run({ budget: 64 * MiB, wasm: fresh });
    assert.equal(report.summary.verdict, 'linear-merge');
  });
});

test('a module that cannot start says so in words, never with Emscripten text', async () => {
  const { loadFailure } = await import('../../../js/engine/wasm-loader.mjs');
  const { explainError } = await import('../../../web/ui/errors.mjs');
  const { messageFor } = await import('../../../cli/errors.mjs');
  const oom = loadFailure(new Error('Aborted(RangeError: WebAssembly.Memory(): could not allocate memory). Build with -s ASSERTIONS=1 for more info.'));
  assert.equal(oom.code, 'memory');
  assert.equal(oom.message, 'WebAssembly could not get the analysis module its starting memory (32 MB)');
  const page = explainError(oom, { endpoint: 'https://huggingface.co', hasToken: false });
  assert.match(page.title, /could not give the analysis the memory/);
  assert.equal(messageFor(oom), oom.message);
  const missing = loadFailure(new Error('Aborted(both async and sync fetching of the wasm failed). Build with -s ASSERTIONS=1 for more info.'));
  assert.equal(missing.code, 'setup');
  for (const e of [oom, missing, page]) assert.doesNotMatch(JSON.stringify({ m: e.message, t: e.title, a: e.advice, d: e.detail }), /Aborted\(|ASSERTIONS/);
  const other = new Error('mergeprobe.wasm not found');
  assert.equal(loadFailure(other), other, 'other errors pass through');
});
