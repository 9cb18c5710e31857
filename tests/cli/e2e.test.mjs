// The real bin (cli/mergeprobe.mjs) as a child process, against local folders and an in-process
// mock hub serving merges generated from real weights (tools/gen/merges.mjs): verdicts, exit codes,
// stdout discipline, the JSON report against docs/report-schema.json. Needs `npm run build` (the
// wasm module; MERGEPROBE_WASM_DIR points at another build directory).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { undocumentedFields, validateReport } from '../../tools/report-schema.mjs';
import { generateCases, realModelsDir } from '../../tools/gen/merges.mjs';
import { bufferFile, folderFiles } from '../../tools/mock-hub/repo.mjs';
import { startMockHub } from '../../tools/mock-hub/server.mjs';
import { ROOT, runCli } from '../support/run-cli.mjs';

const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/report-schema.json'), 'utf8'));
const SHA_RE = /^[0-9a-f]{40}$/;

// Cases of the generator used here: one per verdict kind it expects, plus the sharded variant.
const ONLY = '^(linear-f32-sst2-a0\\.571|linear-bf16-sst2-a0\\.571|task-arith-f32-sst2-emotion|ties-f32-sst2-d0\\.5|' +
  'dare-linear-f32-sst2-d0\\.5-w0\\.5|slerp-wide-f32-sst2x8-t0\\.5|passthrough-f32-sst2-shifted|control-f32-emotion-vs-sst2|' +
  'unrelated-names-differ)$';

/**
 * Runs the CLI; resolves with its exit code and both streams (async: the mock hub lives in this
 * process, so a synchronous spawn would block it).
 * @param {string[]} args
 * @param {{env?: Record<string,string|undefined>, cwd?: string}} [o]
 */
/** The CLI in a child process; its cache in this run's folder, never the user's ~/.cache. */
const run = (args, o = {}) => runCli(args, { cache: path.join(dir, 'cache'), ...o });

/** An expected failure: the exit code, one line of message on stderr, no stack, nothing on stdout. */
function assertFails(r, code, re) {
  assert.equal(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing on stdout when the analysis did not run');
  const lines = r.stderr.split('\n').filter((l) => l && !/^mergeprobe: (resolving|reading headers|planning|fetching|computing)/.test(l));
  assert.match(lines[0], re);
  assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
  assert.ok(lines.length <= 2, `a one-line message (plus a --help hint): ${lines.join(' | ')}`);
}

/** --json run: stdout must be exactly one JSON document, valid against the schema. */
function parseJsonReport(r) {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  assert.ok(r.stdout.startsWith('{') && r.stdout.endsWith('}\n'), 'stdout holds only the JSON report');
  const report = JSON.parse(r.stdout);
  assert.deepEqual(validateReport(report, schema), []);
  return report;
}

let dir;
let manifest;
let hub;
const byId = (id) => manifest.cases.find((c) => c.id === id);
const folder = (p) => (path.isAbsolute(p) ? p : path.join(dir, p));
const localArgs = (c) => ['verify', '--suspect', folder(c.roles.suspect), ...c.roles.parents.flatMap((p) => ['--parent', folder(p)]),
  '--base', folder(c.roles.base)];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergeprobe-cli-'));
  manifest = generateCases({ out: dir, only: ONLY });
  const real = realModelsDir();
  const repo = (id, f, extra = {}) => ({ id, commits: [folderFiles(f)], ...extra });
  hub = await startMockHub({
    repos: [
      repo('test/base', path.join(real, 'bert-tiny-fhe-v0-weights')),
      repo('test/sst2', path.join(real, 'bert-tiny-sst2-fhe')),
      repo('test/emotion', path.join(real, 'bert-tiny-emotion-fhe')),
      repo('test/merge-0.571', folder(byId('linear-f32-sst2-a0.571').roles.suspect), { baseModel: 'test/base' }),
      repo('test/merge-sharded', folder(byId('linear-bf16-sst2-a0.571-sharded').roles.suspect)),
      repo('test/sst2-bf16', folder(byId('linear-bf16-sst2-a0.571').roles.parents[0])),
      repo('test/base-bf16', folder(byId('linear-bf16-sst2-a0.571').roles.base)),
      repo('test/merge-card-lists-parents', folder(byId('linear-f32-sst2-a0.571').roles.suspect), { baseModel: ['test/sst2', 'test/base'] }),
      repo('test/merge-no-card', folder(byId('linear-f32-sst2-a0.571').roles.suspect)),
      // mergekit's traces (§9): the card lists every merged model, the config names the base.
      { id: 'test/mergekit-merge', baseModel: ['test/sst2', 'test/base'], baseModelRelation: 'merge', commits: [{
        ...folderFiles(folder(byId('linear-f32-sst2-a0.571').roles.suspect)),
        'mergekit_config.yml': bufferFile('mergekit_config.yml', 'models:\n  - model: test/sst2\n    parameters:\n      weight: 0.571\n' +
          '  - model: test/base\nmerge_method: task_arithmetic\nbase_model: test/base\ndtype: float32\n'),
      }] },
      repo('test/private-merge', folder(byId('linear-f32-sst2-a0.571').roles.suspect), { private: true, access: ['alice'] }),
      repo('test/gated-merge', folder(byId('linear-f32-sst2-a0.571').roles.suspect), { gated: 'manual', access: ['alice'] }),
    ],
  });
});

after(async () => {
  await hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('verdicts from local folders (--json, schema-valid)', { concurrency: 2 }, () => {
  const kinds = [
    ['linear-f32-sst2-a0.571', 'linear-merge'],
    ['ties-f32-sst2-d0.5', 'sparse-merge'],
    ['dare-linear-f32-sst2-d0.5-w0.5', 'sparse-merge'],
    ['slerp-wide-f32-sst2x8-t0.5', 'slerp-merge'],
    ['passthrough-f32-sst2-shifted', 'passthrough'],
    ['control-f32-emotion-vs-sst2', 'not-a-merge'],
  ];
  for (const [id, kind] of kinds) {
    test(`${id} -> ${kind}`, async () => {
      const c = byId(id);
      const report = parseJsonReport(await run([...localArgs(c), '--json']));
      assert.ok(c.expected.accept.includes(report.summary.verdict),
        `${id}: verdict ${report.summary.verdict}, expected one of ${c.expected.accept} (${report.summary.explanation})`);
      assert.equal(report.models.suspect.revision, 'local');
      assert.equal(report.share_url, null, 'a local model cannot be shared');
      assert.equal(report.fetch.resolve_calls, 0);
      if (kind === 'linear-merge') assert.ok(Math.abs(report.summary.alphas[0] - 0.571) < 0.01, `alpha ${report.summary.alphas[0]}`);
    });
  }

  test('parent identical to the base (zero delta) -> inconclusive, and the text report says so', async () => {
    const c = byId('linear-f32-sst2-a0.571');
    const args = ['verify', '--suspect', folder(c.roles.suspect), '--parent', folder(c.roles.base), '--base', folder(c.roles.base)];
    const report = parseJsonReport(await run([...args, '--json']));
    assert.equal(report.summary.verdict, 'inconclusive');
    const text = await run(args);
    assert.equal(text.code, 0, 'exit 0 whatever the verdict');
    assert.match(text.stdout, /^Verdict: inconclusive\n/);
  });

  test('two parents (task arithmetic): one alpha per parent, in order', async () => {
    const report = parseJsonReport(await run([...localArgs(byId('task-arith-f32-sst2-emotion')), '--json']));
    assert.equal(report.models.parents.length, 2);
    assert.equal(report.summary.verdict, 'linear-merge');
    assert.ok(Math.abs(report.summary.alphas[0] - 0.6) < 0.02, `alphas ${report.summary.alphas}`);
    assert.ok(Math.abs(report.summary.alphas[1] - 0.3) < 0.02, `alphas ${report.summary.alphas}`);
    for (const c of report.components) assert.equal(c.alphas.length, 2);
  });

  test('a control model is measured and reported', async () => {
    const c = byId('linear-f32-sst2-a0.571');
    const report = parseJsonReport(await run([...localArgs(c), '--control', folder(c.roles.control), '--json']));
    assert.equal(report.models.control.revision, 'local');
    assert.ok(report.summary.control && typeof report.summary.control.cos_fit === 'number');
    assert.ok(report.summary.control.cos_fit < report.summary.cos_fit, 'the control fits worse than the merge');
    // The fullest report (control, all roles): every field the engine writes is in the schema.
    assert.deepEqual(undocumentedFields(report, schema), [], 'document these fields in docs/report-schema.json');
  });

  test('a relative path (./...) and the same seed give the same numbers', async () => {
    const c = byId('linear-f32-sst2-a0.571');
    const rel = (p) => `./${path.relative(dir, folder(p))}`;
    const args = ['verify', '--suspect', rel(c.roles.suspect), '--parent', folder(c.roles.parents[0]), '--base', folder(c.roles.base),
      '--seed', '5', '--budget', '256KiB', '--json'];
    const a = parseJsonReport(await run(args, { cwd: dir }));
    const b = parseJsonReport(await run(args, { cwd: dir }));
    assert.equal(a.plan.seed, 5);
    assert.equal(a.plan.budget_bytes, 256 * 1024);
    assert.deepEqual(a.summary.alphas, b.summary.alphas);
    assert.deepEqual(a.tensors.map((t) => t.name), b.tensors.map((t) => t.name));
  });
});

describe('through the mock hub', () => {
  test('--json: revisions pinned to SHAs, fetch counted, share link, stdout only JSON, progress on stderr', async () => {
    const r = await run(['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--base', 'test/base',
      '--endpoint', hub.hubUrl, '--json']);
    const report = parseJsonReport(r);
    for (const m of [report.models.suspect, ...report.models.parents, report.models.base]) assert.match(m.revision, SHA_RE);
    assert.equal(report.models.suspect.repo, 'test/merge-0.571');
    assert.deepEqual(report.models.suspect.files, ['model.safetensors']);
    assert.equal(report.summary.verdict, 'linear-merge');
    assert.ok(report.fetch.requests > 0 && report.fetch.bytes > 0);
    assert.ok(report.fetch.resolve_calls >= 3, `resolve calls ${report.fetch.resolve_calls}`);
    assert.match(report.share_url, /#s=test%2Fmerge-0\.571%40[0-9a-f]{40}/);
    assert.match(r.stderr, /^mergeprobe: fetching/m, 'plain progress lines on stderr (not a terminal)');
  });

  test('text report: verdict, component table, layer summary, share link', async () => {
    const r = await run(['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--base', 'test/base'],
      { env: { HF_ENDPOINT: hub.hubUrl } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Verdict: linear-merge/);
    assert.match(r.stdout, /\nComponents\n  component\s+tensors\s+elements\s+alpha A1\s+spread\s+cos_fit\n/);
    assert.match(r.stdout, /\n  attention\s+\d+\s+[\d,]+\s+0\.5\d{3}/);
    assert.match(r.stdout, /\nLayers\n  component\s+layers\s+alpha A1 range/);
    assert.match(r.stdout, /suspect C\s+test\/merge-0\.571 @ [0-9a-f]{12}/);
    assert.match(r.stdout, /\nShare: http:\/\/\S+#s=test%2Fmerge-0\.571/);
    assert.ok(!r.stdout.includes('mergeprobe: '), 'no progress on stdout');
  });

  test('sharded and renamed model (index + 2 shards, model. wrapper) against single-file parents', async () => {
    const report = parseJsonReport(await run(['verify', '--suspect', 'test/merge-sharded', '--parent', 'test/sst2-bf16',
      '--base', 'test/base-bf16', '--endpoint', hub.hubUrl, '--json']));
    assert.deepEqual(report.models.suspect.files, ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    assert.equal(report.summary.verdict, 'linear-merge');
    assert.ok(Math.abs(report.summary.alphas[0] - 0.571) < 0.01, `alpha ${report.summary.alphas[0]}`);
    assert.ok(report.tensors.some((t) => t.name.startsWith('model.')), 'the suspect\'s own (renamed) tensor names');
  });

  test('without --base: the base is found (the card\'s base_model, tested, not trusted); none found says so, exit 0', async () => {
    const r = await run(['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--endpoint', hub.hubUrl, '--json']);
    const report = parseJsonReport(r);
    assert.equal(report.models.base.repo, 'test/base');
    assert.match(report.models.base.revision, SHA_RE);
    assert.deepEqual(report.lineage.claims.base_model, ['test/base']);
    assert.equal(report.lineage.chosen.base, 'test/base');
    assert.equal(report.summary.verdict, 'linear-merge');
    const listed = parseJsonReport(await run(['verify', '--suspect', 'test/merge-card-lists-parents', '--parent', 'test/sst2',
      '--endpoint', hub.hubUrl, '--json']));
    assert.equal(listed.models.base.repo, 'test/base');
    const none = await run(['verify', '--suspect', 'test/merge-no-card', '--parent', 'test/sst2', '--endpoint', hub.hubUrl]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no base was found among them, so no role could be verified/);
    assert.doesNotMatch(none.stdout, /^Verdict:/m);
    // mergekit_config.yml names the base: a claim, confirmed here by the weights.
    const mk = parseJsonReport(await run(['verify', '--suspect', 'test/mergekit-merge', '--parent', 'test/sst2', '--endpoint', hub.hubUrl, '--json']));
    assert.equal(mk.models.base.repo, 'test/base');
  });

  test('--no-cache leaves the cache alone', async () => {
    const cacheDir = path.join(dir, 'cache-untouched');
    const r = await run(['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--base', 'test/base',
      '--endpoint', hub.hubUrl, '--no-cache', '--json'], { env: { MERGEPROBE_CACHE: cacheDir } });
    parseJsonReport(r);
    assert.equal(fs.existsSync(cacheDir), false);
  });

  test('a hub model and a local folder in one run', async () => {
    const c = byId('linear-f32-sst2-a0.571');
    const report = parseJsonReport(await run(['verify', '--suspect', folder(c.roles.suspect), '--parent', 'test/sst2',
      '--base', 'test/base', '--endpoint', hub.hubUrl, '--json']));
    assert.equal(report.models.suspect.revision, 'local');
    assert.match(report.models.base.revision, SHA_RE);
    assert.equal(report.summary.verdict, 'linear-merge');
  });

  test('HF_TOKEN opens a gated repo; a token without access and no token exit 3', async () => {
    const args = ['verify', '--suspect', 'test/gated-merge', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl];
    assertFails(await run(args), 3, /^mergeprobe: test\/gated-merge is gated: accept its conditions .*set HF_TOKEN/);
    assertFails(await run(args, { env: { HF_TOKEN: 'hf_bob_token' } }), 3, /^mergeprobe: test\/gated-merge is gated and this token has no access/);
    const report = parseJsonReport(await run([...args, '--json'], { env: { HF_TOKEN: 'hf_alice_token' } }));
    assert.equal(report.models.suspect.repo, 'test/gated-merge');
    assert.equal(report.summary.verdict, 'linear-merge');
    assert.ok(!JSON.stringify(report).includes('hf_alice_token'), 'the token never reaches the report');
  });

  test('a private repo needs HF_TOKEN; a token the hub rejects exits 3 naming HF_TOKEN', async () => {
    const args = ['verify', '--suspect', 'test/private-merge', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl];
    assertFails(await run(args), 3, /^mergeprobe: test\/private-merge was not found on .*; for a private repo set HF_TOKEN$/);
    assert.equal(parseJsonReport(await run([...args, '--json'], { env: { HF_TOKEN: 'hf_alice_token' } })).summary.verdict, 'linear-merge');
    // The token is sent only to repos that need it, so a refused one shows on the private repo.
    assertFails(await run(args, { env: { HF_TOKEN: 'hf_not_a_real_token' } }), 3, /refused the credentials for test\/private-merge: check HF_TOKEN/);
  });

  test('HF_TOKEN with a space or a newline inside exits 2 at once, without repeating the token', async () => {
    const args = ['verify', '--suspect', 'test/sst2', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl];
    for (const bad of ['hf_secret part', 'hf_secret\nhf_other']) {
      hub.resetStats();
      const r = await run(args, { env: { HF_TOKEN: bad } });
      assertFails(r, 2, /^mergeprobe: HF_TOKEN: this token is not valid: it contains characters that cannot be sent in an HTTP header$/m);
      assert.ok(!r.stderr.includes('hf_secret'));
      assert.equal(hub.stats.log.length, 0, 'no request was made');
    }
  });

  test('Ctrl-C (SIGINT) during a slow fetch exits 130 with one line', async () => {
    hub.setKnobs({ latencyMs: 3000 });
    try {
      let killedAt = 0;
      // Interrupt once the CLI is running (its first progress line), whatever the machine's load.
      const onSpawn = (child) => child.stderr.once('data', () => { killedAt = Date.now(); child.kill('SIGINT'); });
      const r = await run(['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl],
        { onSpawn });
      assertFails(r, 130, /^mergeprobe: interrupted$/);
      assert.ok(Date.now() - killedAt < 2500, 'stops at once, without waiting for the slow answers (3 s each)');
    } finally {
      hub.setKnobs({ latencyMs: 0 });
    }
  });

  test('a 429: the CLI says it waits, waits the longest hint, and goes on; --no-wait stops at once saying how long', async () => {
    const args = ['verify', '--suspect', 'test/merge-0.571', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl, '--no-cache', '--json'];
    const headers = { 'Retry-After': '1', RateLimit: '"resolvers";r=0;t=2' };
    hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, kind: 'status', status: 429, headers }] });
    try {
      const t0 = Date.now();
      const r = await run(args);
      assert.equal(parseJsonReport(r).summary.verdict, 'linear-merge');
      assert.match(r.stderr, /mergeprobe: rate-limited by 127\.0\.0\.1:\d+: waiting 2 s \(the Hub counts requests in 5-minute windows\); --no-wait to stop instead/);
      assert.ok(Date.now() - t0 >= 2000, 'waited the longer hint (t=2), not Retry-After 1');
      hub.setKnobs({ faults: [{ on: 'resolve', nth: 1, kind: 'status', status: 429, headers: { RateLimit: '"resolvers";r=0;t=90' } }] });
      const t1 = Date.now();
      assertFails(await run([...args.slice(0, -1), '--no-wait']), 3, /^mergeprobe: 127\.0\.0\.1:\d+ is rate-limiting requests \(HTTP 429\) while reading test\/.*: it asks to wait 90 s/);
      assert.ok(Date.now() - t1 < 10_000);
    } finally {
      hub.setKnobs({ faults: [] });
    }
  });

  test('unknown repo and unknown revision exit 3 with what to check', async () => {
    assertFails(await run(['verify', '--suspect', 'test/nope', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl]),
      3, /^mergeprobe: test\/nope was not found on http:\/\/127\.0\.0\.1:\d+: check the name/);
    assertFails(await run(['verify', '--suspect', 'test/merge-0.571@v9', '--parent', 'test/sst2', '--base', 'test/base', '--endpoint', hub.hubUrl]),
      3, /revision not found in test\/merge-0\.571; check the @REV/);
  });
});

describe('exit codes for expected failures', { concurrency: 2 }, () => {
  test('2: usage errors (bad flag, missing --suspect, bad or too large budget, bad seed, missing --base, missing path)', async () => {
    assertFails(await run(['verify', '--suspect', 'a/b', '--parent', 'c/d', '--base', 'e/f', '--frobnicate']), 2, /^mergeprobe: Unknown option '--frobnicate'/);
    assertFails(await run(['verify', '--parent', 'c/d', '--base', 'e/f']), 2, /^mergeprobe: missing --suspect/);
    assertFails(await run(['verify', '--suspect', 'a/b', '--parent', 'c/d', '--base', 'e/f', '--budget', '64XB']), 2, /^mergeprobe: --budget: unknown unit "XB"/);
    // The page's rule: a budget WebAssembly cannot hold names the largest that fits, before any request.
    assertFails(await run(['verify', '--suspect', 'a/b', '--parent', 'c/d', '--base', 'e/f', '--budget', '8000MB']), 2,
      /^mergeprobe: --budget: a budget of 8000MB is too large: .* the largest budget that fits is 3758MB/);
    assertFails(await run(['verify', '--suspect', 'a/b', '--parent', 'c/d', '--base', 'e/f', '--seed', '-1']), 2, /^mergeprobe: --seed "-1" is not a non-negative integer/);
    assertFails(await run(['verify', '--suspect', 'a/b', '--candidate', './c']), 2, /^mergeprobe: --candidate \.\/c: candidates are Hub repo ids/);
    assertFails(await run(['verify', '--suspect', './does-not-matter', '--parent', 'c/d']), 2, /^mergeprobe: missing --base/);
    assertFails(await run(['verify', '--suspect', './does-not-exist', '--parent', 'c/d', '--base', 'e/f']), 2, /^mergeprobe: --suspect \.\/does-not-exist: no such file or folder/);
    assertFails(await run([]), 2, /^mergeprobe: missing command/);
  });

  test('2: a FIFO named model.safetensors is refused (no hang); a shard missing from a folder is named', async () => {
    const real = realModelsDir();
    const rest = ['--parent', path.join(real, 'bert-tiny-sst2-fhe'), '--base', path.join(real, 'bert-tiny-fhe-v0-weights')];
    const pipeDir = path.join(dir, 'fifo-model');
    fs.mkdirSync(pipeDir, { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(pipeDir, 'model.safetensors')]);
    // Before the fix the CLI blocked forever on open(): kill it after 20 s so the test fails, not hangs.
    const killer = (child) => { const t = setTimeout(() => child.kill('SIGKILL'), 20_000); child.on('close', () => clearTimeout(t)); };
    assertFails(await run(['verify', '--suspect', pipeDir, ...rest], { onSpawn: killer }), 2,
      /^mergeprobe: .*fifo-model\/model\.safetensors is a named pipe \(FIFO\), not a regular file: refusing to read it/);
    const sharded = path.join(dir, 'missing-shard');
    fs.mkdirSync(sharded, { recursive: true });
    fs.writeFileSync(path.join(sharded, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { 'bert.embeddings.word_embeddings.weight': 'model-00001-of-00001.safetensors' } }));
    assertFails(await run(['verify', '--suspect', sharded, ...rest], { onSpawn: killer }), 2,
      /^mergeprobe: shard model-00001-of-00001\.safetensors listed in model\.safetensors\.index\.json is missing from folder .*missing-shard/);
  });

  test('--help and --version print to stdout and exit 0', async () => {
    const h = await run(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^mergeprobe verify: /);
    assert.match(h.stdout, /--budget SIZE/);
    assert.equal(h.stderr, '');
    const v = await run(['--version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });

  test('3: network refused', async () => {
    // A port that was just free: nothing listens there.
    const net = await import('node:net');
    const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
    assertFails(await run(['verify', '--suspect', 'a/b', '--parent', 'c/d', '--base', 'e/f', '--endpoint', `http://127.0.0.1:${port}`]),
      3, new RegExp(`^mergeprobe: cannot reach http://127\\.0\\.0\\.1:${port}.*check your network connection`));
  });

  test('4: unrelated models with no matching tensors', async () => {
    const real = realModelsDir();
    assertFails(await run(['verify', '--suspect', path.join(real, 'stories260K'), '--parent', path.join(real, 'bert-tiny-sst2-fhe'),
      '--base', path.join(real, 'bert-tiny-fhe-v0-weights')]), 4, /^mergeprobe: .*: the models cannot be compared/);
  });

  test('4: an invalid safetensors file (local and on the hub)', async () => {
    const bad = path.join(dir, 'invalid-model');
    fs.mkdirSync(bad, { recursive: true });
    // header length 30, then 30 bytes that are not JSON
    const body = Buffer.from('this is not a safetensors head');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(body.length));
    fs.writeFileSync(path.join(bad, 'model.safetensors'), Buffer.concat([len, body]));
    const real = realModelsDir();
    assertFails(await run(['verify', '--suspect', bad, '--parent', path.join(real, 'bert-tiny-sst2-fhe'),
      '--base', path.join(real, 'bert-tiny-fhe-v0-weights')]), 4, /^mergeprobe: .*not a valid safetensors file/);
    hub.addRepo({ id: 'test/invalid', commits: [folderFiles(bad)] });
    assertFails(await run(['verify', '--suspect', 'test/sst2', '--parent', 'test/invalid', '--base', 'test/base', '--endpoint', hub.hubUrl]),
      4, /^mergeprobe: .*not a valid safetensors file/);
  });

  test('4 or a not-a-merge verdict for the generator\'s unrelated case, never a crash', async () => {
    const c = byId('unrelated-names-differ');
    const r = await run([...localArgs(c), '--json']);
    if (r.code === 4) assertFails(r, 4, /cannot be compared/);
    else assert.ok(c.expected.accept.includes(parseJsonReport(r).summary.verdict));
  });
});
