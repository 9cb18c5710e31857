// The index cap (src/format/safetensors_index.h kMaxIndexBytes, 64 MiB): the engine refuses a larger
// model.safetensors.index.json from its listed size, before a byte of it is downloaded (hub) or
// read (local), with a message naming the size and the cap; the CLI exits 4 with that message.
// Also: a source streaming past the bytes asked for is refused. Needs the wasm build (build/wasm).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { runAnalysis } from '../../../js/engine/run-analysis.mjs';
import { loadWasm } from '../../../js/io-node/wasm.mjs';
import { HubClient } from '../../../js/io/hub/client.mjs';
import { openLocalModel } from '../../../js/io-node/local-model.mjs';
import { tinyTrio } from '../../../tools/gen/tiny-trio.mjs';
import { tinyIndexHub } from '../../support/tiny-index-hub.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HUGE = 300_000_000;
const MESSAGE = /model\.safetensors\.index\.json is 300 MB; mergeprobe reads indexes up to 64 MiB \(the largest real ones are about 25 MB\)/;

let hub;
let wasm;
let dir;
/** @type {() => number} */
let indexReads;
const trio = tinyTrio();
before(async () => {
  wasm = await loadWasm();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-index-cap-'));
  for (const [name, bytes] of Object.entries(trio)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'model.safetensors'), bytes);
  }
  // A local model with a 300 MB index: a sparse file, so the test writes no 300 MB.
  fs.mkdirSync(path.join(dir, 'huge'));
  fs.writeFileSync(path.join(dir, 'huge', 'model-00001-of-00001.safetensors'), trio.merge);
  fs.writeFileSync(path.join(dir, 'huge', 'model.safetensors.index.json'), '');
  fs.truncateSync(path.join(dir, 'huge', 'model.safetensors.index.json'), HUGE);
  // On the hub: an index listed at 300 MB whose bytes the test would see being read.
  ({ hub, indexReads } = await tinyIndexHub({ suspect: 'tiny/huge-index', indexSize: HUGE }));
});
after(async () => {
  await hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the engine uses the core\'s cap: 64 MiB', () => {
  assert.equal(wasm.maxIndexBytes, 64 * 1024 * 1024);
});

test('hub: a 300 MB index is refused from the listing, never downloaded', async () => {
  const client = new HubClient({ endpoint: hub.hubUrl });
  const open = (id) => client.resolveModel(id, 'main');
  const cdnBefore = hub.stats.cdn.bytes;
  await assert.rejects(runAnalysis({ suspect: await open('tiny/huge-index'), parents: [await open('tiny/parent')],
    base: await open('tiny/base'), wasm }), (e) => {
    assert.match(e.message, /^tiny\/huge-index \(suspect\): /);
    assert.match(e.message, MESSAGE);
    assert.equal(e.code, 'invalid-file');
    assert.equal(e.rule, 'IndexTooLarge');
    return true;
  });
  assert.equal(indexReads(), 0, 'no byte of the index was served');
  assert.equal(hub.stats.cdn.bytes, cdnBefore);
});

test('local: a 300 MB index is refused before it is read', async () => {
  const suspect = await openLocalModel(path.join(dir, 'huge'));
  let reads = 0;
  const file = suspect.file.bind(suspect);
  suspect.file = (name) => {
    const src = file(name);
    if (name !== suspect.weights.index) return src;
    const read = src.read.bind(src);
    src.read = (...args) => { reads++; return read(...args); };
    return src;
  };
  await assert.rejects(runAnalysis({ suspect, parents: [await openLocalModel(path.join(dir, 'parent'))],
    base: await openLocalModel(path.join(dir, 'base')), wasm }), MESSAGE);
  assert.equal(reads, 0);
});

test('bin: exit 4, one line naming the size and the cap, no re-download advice', async () => {
  const r = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'cli/mergeprobe.mjs'), 'verify', '--suspect', path.join(dir, 'huge'),
      '--parent', path.join(dir, 'parent'), '--base', path.join(dir, 'base')],
    { cwd: ROOT, env: { ...process.env, MERGEPROBE_CACHE: 'off' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 4, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^mergeprobe: (resolving|reading headers)/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], MESSAGE);
  assert.ok(!/re-download/.test(lines[0]), lines[0]);
});

test('a source that streams more bytes than asked is refused mid-stream, not written past the buffer', async () => {
  const suspect = await openLocalModel(path.join(dir, 'merge'));
  const file = suspect.file.bind(suspect);
  suspect.file = (name) => {
    const src = file(name);
    src.read = async (start, end, sink) => { sink(new Uint8Array(end - start + 16), 0); };
    return src;
  };
  await assert.rejects(runAnalysis({ suspect, parents: [await openLocalModel(path.join(dir, 'parent'))],
    base: await openLocalModel(path.join(dir, 'base')), wasm }), /model\.safetensors: more than the \d+ bytes asked for/);
});
