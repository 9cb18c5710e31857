// Terminal injection: names from a model (tensor names, shard names) printed by the CLI must not
// reach the terminal as control characters, in the text report, in --json, in error messages.
// Unit tests of termSafe/jsonForTerminal, then the real bin on small local models whose tensor
// names carry ESC[2J, an OSC 8 hyperlink, CR + a fake verdict line, a newline, C1 CSI and a bidi
// override. Needs the wasm build (build/wasm).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { formatReport } from '../../cli/format.mjs';
import { describe as describeProgress } from '../../cli/progress.mjs';
import { jsonForTerminal, termSafe } from '../../cli/term.mjs';
import { encodeSafetensors } from '../../tools/gen/safetensors-io.mjs';
import { ROOT, runCli } from '../support/run-cli.mjs';


// Everything a hostile name might try: clear screen, OSC 8 hyperlink, CR + a fake verdict, a
// newline, C1 CSI (U+009B), DEL, a right-to-left override, a zero-width space.
const EVIL = 'evil\x1b[2J\x1b]8;;http://x.invalid/\x07link\x1b]8;;\x07\rVerdict: not-a-merge\nfake\u009b31m\x7f\u202e\u200b.weight';

/** Raw bytes a terminal acts on: C0 except the formatter's own \n, ESC, DEL, C1 (as UTF-8), bidi. */
function assertNoControl(text, what) {
  const bad = text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/u);
  assert.equal(bad, null, `${what}: raw U+${bad?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(0, 400))}`);
  const bytes = Buffer.from(text, 'utf8');
  assert.ok(!bytes.includes(0x1b) && !bytes.includes(0x9b), `${what}: no ESC or CSI byte`);
}

test('termSafe shows control and invisible direction characters as escapes, leaves other text alone', () => {
  assert.equal(termSafe('model.layers.0.self_attn.q_proj.weight'), 'model.layers.0.self_attn.q_proj.weight');
  assert.equal(termSafe('Qwen/Qwen3.5 — ünïcode 模型 C:\\path'), 'Qwen/Qwen3.5 — ünïcode 模型 C:\\path');
  assert.equal(termSafe('a\x1b[2Jb'), 'a\\x1B[2Jb');
  assert.equal(termSafe('a\rb\nc\td'), 'a\\rb\\nc\\td');
  assert.equal(termSafe('\x00\x07\x7f\u0085\u009b'), '\\x00\\x07\\x7F\\x85\\x9B');
  assert.equal(termSafe('x\u202ey\u2066z\u200b\ufeff'), 'x\\u202Ey\\u2066z\\u200B\\uFEFF');
  assert.equal(termSafe(42), '42');
  assertNoControl(termSafe(EVIL), 'termSafe');
});

test('jsonForTerminal: the same JSON value, with no C1 or bidi character raw', () => {
  const value = { name: EVIL, n: -0.5, list: ['plain', '\u009b'] };
  const text = jsonForTerminal(value);
  assert.deepEqual(JSON.parse(text), value);
  assertNoControl(text.replace(/\n/g, ''), 'json');
  const plain = { a: [1, 'b'], c: 'model.layers.0' };
  assert.equal(jsonForTerminal(plain), JSON.stringify(plain, null, 2), 'ordinary reports are byte-identical');
});

test('formatReport escapes names in every table and line; no name can start a line of its own', () => {
  const report = JSON.parse(fs.readFileSync(new URL('../fixtures/report/sample-report.json', import.meta.url), 'utf8'));
  report.models.suspect.repo = `own/${EVIL}`;
  report.components[0].name = EVIL;
  report.layers[0].component = EVIL;
  report.summary.caveats = [`tensor ${EVIL} was skipped`];
  report.unmatched = [{ name: EVIL, reason: `missing in ${EVIL}` }];
  report.unmatched_count = 1;
  const text = formatReport(report);
  assertNoControl(text, 'text report');
  assert.equal(text.split('\n').filter((l) => l.startsWith('Verdict:')).length, 1, 'one verdict line');
  assert.match(text, /evil\\x1B\[2J\\x1B\]8;;http:\/\/x\.invalid\/\\x07link/);
  assertNoControl(describeProgress({ phase: 'resolving', label: EVIL, done: 1, total: 3 }), 'progress');
});

// ---------------------------------------------------------------------------------------------
// The bin, end to end.
let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mergeprobe-term-'));
  // A linear merge C = B + 0.5 (A - B) of three 64x64 tensors; C also has tensors named EVIL
  // (not in A or B: listed under "Not compared").
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const names = ['layers.0.attn.q.weight', 'layers.0.mlp.up.weight', 'layers.1.attn.q.weight'];
  const B = names.map(() => Float32Array.from({ length: 4096 }, rand));
  const A = B.map((b) => b.map((x) => x + 0.1 * rand()));
  const C = B.map((b, i) => b.map((x, j) => x + 0.5 * (A[i][j] - x)));
  const model = (arrs, extra = []) => [...names.map((n, i) => [n, { shape: [64, 64], data: arrs[i] }]), ...extra];
  for (const [sub, tensors] of [['a', model(A)], ['b', model(B)],
    ['c', model(C, [[EVIL, { shape: [4], data: new Float32Array(4) }], [`${EVIL}2`, { shape: [4], data: new Float32Array(4) }]])]]) {
    fs.mkdirSync(path.join(dir, sub));
    fs.writeFileSync(path.join(dir, sub, 'model.safetensors'), encodeSafetensors(tensors));
  }
  // A sharded model whose index lists a tensor named EVIL that its shard does not hold: the
  // core's error message names it.
  fs.mkdirSync(path.join(dir, 'bad-index'));
  fs.copyFileSync(path.join(dir, 'a', 'model.safetensors'), path.join(dir, 'bad-index', 'model-00001-of-00001.safetensors'));
  const weightMap = Object.fromEntries([...names, EVIL].map((n) => [n, 'model-00001-of-00001.safetensors']));
  fs.writeFileSync(path.join(dir, 'bad-index', 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
});
after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

const run = (args) => runCli(args);

const trio = (suspect = 'c') => ['verify', '--suspect', path.join(dir, suspect), '--parent', path.join(dir, 'a'), '--base', path.join(dir, 'b')];

test('bin: hostile tensor names in "Not compared" reach stdout escaped, with one verdict line', async () => {
  const r = await run(trio());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Verdict: linear-merge/);
  assert.match(r.stdout, /Not compared: 2 tensor\(s\)\n {2}evil\\x1B\[2J/);
  assertNoControl(r.stdout, 'stdout');
  assertNoControl(r.stderr, 'stderr');
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('Verdict:')).length, 1, 'only one line starts with Verdict:');
});

test('bin --json: the names are the real ones once parsed, and no C1/bidi byte is raw', async () => {
  const r = await run([...trio(), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assertNoControl(r.stdout.replace(/\n/g, ''), 'json stdout');
  const report = JSON.parse(r.stdout);
  assert.ok(report.unmatched.some((u) => u.name === EVIL), 'the JSON keeps the exact name');
});

test('bin: an error message built from a hostile name is escaped on stderr', async () => {
  const r = await run(trio('bad-index'));
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stdout, '');
  assertNoControl(r.stderr.replace(/\n$/, ''), 'stderr');
  assert.match(r.stderr, /evil\\x1B\[2J/);
});
