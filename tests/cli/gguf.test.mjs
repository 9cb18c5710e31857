// GGUF suspects from the command line (issue 16): the real bin against the mock hub's GGUF repos
// (tools/mock-hub/gguf-repos.mjs, made from real BERT-tiny weights with ggml's reference
// quantizers): the errors for no and several matching files, a malformed selector, and a GGUF
// suspect without named roles.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startMockHub } from '../../tools/mock-hub/server.mjs';
import { standardRepos } from '../../tools/mock-hub/catalog.mjs';
import { runCli } from '../support/run-cli.mjs';
import { REAL_MODELS } from '../../tools/mock-hub/catalog.mjs';

const { repos, haveRealModels } = standardRepos({ gguf: true });
let hub;
before(async () => { hub = await startMockHub({ repos }); });
after(async () => { await hub?.close(); });

const run = (args) => runCli(args, { env: { HF_ENDPOINT: hub.hubUrl } });
const roles = ['--parent', 'real/bert-tiny-sst2', '--base', 'real/bert-tiny-base'];

describe('choosing the GGUF file: errors that list the files', { skip: !haveRealModels }, () => {
  const fails = async (suspect, re) => {
    const r = await run(['verify', '--suspect', suspect, ...roles]);
    assert.equal(r.code, 3, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const line = r.stderr.split('\n').filter((l) => l && !/^mergeprobe: (resolving|reading)/.test(l))[0];
    assert.match(line, re);
    assert.ok(!/\n\s+at /.test(r.stderr));
  };

  test('no file of the type', () => fails('gguf/bert-tiny-sst2-GGUF:Q3_K_M',
    /^mergeprobe: gguf\/bert-tiny-sst2-GGUF at [0-9a-f]{12} has no GGUF file of type Q3_K_M; its GGUF files: bert-tiny-sst2-Q4_0\.gguf \(Q4_0\), .*\(Q8_0\)$/));
  test('several files of the type', () => fails('gguf/ambiguous-GGUF:Q4_0',
    /has 2 GGUF models of type Q4_0: name one by its path \(owner\/name:path\.gguf\); its GGUF files: .*v1\/bert-tiny-sst2-Q4_0\.gguf \(Q4_0\), v2\/bert-tiny-sst2-Q4_0\.gguf \(Q4_0\)/));
  test('a GGUF suspect alone: discovery is not offered yet, the card claim is named', async () => {
    const r = await run(['verify', '--suspect', 'gguf/bert-tiny-sst2-GGUF:Q8_0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /finding the parents of a GGUF suspect is not supported yet: name its parent and base \(its card names real\/bert-tiny-sst2\)/);
  });
  test('a local .gguf that breaks a GGUF rule: exit 4, the rule and the format named', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-cli-gguf-'));
    try {
      const file = path.join(dir, 'bad-Q8_0.gguf');
      const bytes = new Uint8Array(32);
      bytes.set(new TextEncoder().encode('GGUF'));
      bytes[4] = 99;  // version 99
      fs.writeFileSync(file, bytes);
      const r = await runCli(['verify', '--suspect', file, '--parent', path.join(REAL_MODELS, 'bert-tiny-sst2-fhe'), '--base', path.join(REAL_MODELS, 'bert-tiny-fhe-v0-weights')]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /bad-Q8_0\.gguf: GGUF version 99; versions 2 and 3 are read: the file is not a valid GGUF file/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
  test('a malformed selector is a usage error', async () => {
    const r = await run(['verify', '--suspect', 'gguf/x:../a.gguf', ...roles]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a path in a repo/);
  });
});
