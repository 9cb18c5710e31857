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
import { validateReport } from '../../tools/report-schema.mjs';
import { MERGE_ALPHA } from '../../tools/gen/gguf/models.mjs';
import { ROOT } from '../support/run-cli.mjs';

const { repos, haveRealModels } = standardRepos({ gguf: true });
let hub;
before(async () => { hub = await startMockHub({ repos }); });
after(async () => { await hub?.close(); });

const run = (args) => runCli(args, { env: { HF_ENDPOINT: hub.hubUrl } });
const roles = ['--parent', 'real/bert-tiny-sst2', '--base', 'real/bert-tiny-base'];
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/report-schema.json'), 'utf8'));

async function report(suspect, extra = []) {
  const r = await run(['verify', '--suspect', suspect, ...roles, ...extra, '--json']);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  assert.deepEqual(validateReport(rep, schema), []);
  return rep;
}

describe('GGUF suspects against safetensors parents', { skip: !haveRealModels }, () => {
  test('a Q8_0 copy of the claimed parent: read as GGUF, pinned, a quantized-copy verdict', async () => {
    const rep = await report('gguf/bert-tiny-sst2-GGUF:Q8_0');
    assert.equal(rep.models.suspect.format, 'gguf');
    assert.deepEqual(rep.models.suspect.files, ['bert-tiny-sst2-Q8_0.gguf']);
    assert.equal(rep.models.parents[0].format, 'safetensors');
    assert.match(rep.share_url, /s=gguf%2Fbert-tiny-sst2-GGUF%40[0-9a-f]{40}%3Abert-tiny-sst2-Q8_0\.gguf/);
    assert.equal(rep.summary.verdict, 'quantized-copy');
    assert.ok(Math.abs(rep.summary.quant_floor.noise_ratio - 1) < 0.03, `residual ${rep.summary.quant_floor.noise_ratio}x the noise`);
    assert.ok(Math.abs(rep.summary.alphas[0] - 1) < 0.02, `alpha ${rep.summary.alphas[0]}`);
  });

  test('a Q4_0 copy (hf.co/ prefix, lower-case tag): noise far above the fine-tune delta, still its parent', async () => {
    const rep = await report('hf.co/gguf/bert-tiny-sst2-GGUF:q4_0');
    assert.deepEqual(rep.models.suspect.files, ['bert-tiny-sst2-Q4_0.gguf']);
    assert.equal(rep.summary.verdict, 'quantized-copy');
    assert.ok(rep.summary.cos_fit < 0.7, 'Q4_0 noise caps cos_fit well below a merge threshold');
    assert.ok(Math.abs(rep.summary.alphas[0] - 1) < 0.05, `alpha ${rep.summary.alphas[0]}`);
  });

  test(`a quantized merge: alpha ${MERGE_ALPHA} recovered and named a merge (Q8_0 within 0.02, Q4_0 and Q4_K within 0.05)`, async () => {
    for (const [t, tol] of [['Q8_0', 0.02], ['Q4_0', 0.05], ['Q4_K', 0.05]]) {
      const rep = await report(`gguf/bert-tiny-merge-GGUF:${t}`);
      // 4-bit noise is far above the delta: the verdict rests on the quantization floor.
      assert.equal(rep.summary.verdict, 'linear-merge', t);
      assert.ok(Math.abs(rep.summary.alphas[0] - MERGE_ALPHA) <= tol, `${t}: alpha ${rep.summary.alphas[0]}`);
    }
  });

  test('an unrelated GGUF whose card claims the parent is not a merge of it', async () => {
    const rep = await report('gguf/bert-tiny-unrelated-GGUF');
    assert.equal(rep.summary.verdict, 'not-a-merge');
  });

  test('text output names the GGUF file, the quantized-copy verdict and the floor', async () => {
    const r = await run(['verify', '--suspect', 'gguf/bert-tiny-sst2-GGUF:Q8_0', ...roles]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gguf\/bert-tiny-sst2-GGUF @ [0-9a-f]{12}, GGUF bert-tiny-sst2-Q8_0\.gguf/);
    assert.match(r.stdout, /^Verdict: quantized-copy$/m);
    assert.match(r.stdout, /Quantized copy of A: C is A quantized, not a merge/);
    assert.match(r.stdout, /quantization floor: cos_fit at most 0\.9\d+/);
  });

  test('a split GGUF whose first header is over 1 MiB: read again from 0, all parts added', async () => {
    const r = await run(['verify', '--suspect', 'gguf/tinystories-656k-split-GGUF:Q8_0', '--parent', 'real/tinystories-656k', '--base', 'real/tinystories-656k', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.models.suspect.files.length, 3);
    assert.ok(rep.fetch.bytes > 2_000_000, 'the first part was read whole past its 1 MiB first read');
  });

  test('a local .gguf file works like a repo', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-cli-gguf-'));
    try {
      const file = path.join(dir, 'sst2-Q8_0.gguf');
      const mockFile = repos.find((x) => x.id === 'gguf/bert-tiny-sst2-GGUF').commits[0]['bert-tiny-sst2-Q8_0.gguf'];
      fs.writeFileSync(file, mockFile.read(0, mockFile.size));
      const rep = await report(file);
      assert.equal(rep.models.suspect.format, 'gguf');
      assert.equal(rep.share_url, null);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('MoE and Qwen3.5 GGUFs: stacked experts cut per expert, converter transforms excluded', { skip: !haveRealModels }, () => {
  const moeRoles = (parent = 'gguf/tiny-moe-ft') => ['--parent', parent, '--base', 'gguf/tiny-moe'];
  const verify = async (suspect, extra) => {
    const r = await run(['verify', '--suspect', suspect, ...extra, '--json']);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    assert.deepEqual(validateReport(rep, schema), []);
    return rep;
  };
  const component = (rep, name) => rep.components.find((c) => c.name === name);

  test('a Q4_K MoE copy: 2 layers x 4 experts x 3 projections compared one by one, nothing left over', async () => {
    const rep = await verify('gguf/tiny-moe-ft-GGUF:Q4_K', moeRoles());
    assert.equal(rep.summary.verdict, 'quantized-copy');
    assert.equal(component(rep, 'experts')?.tensors, 24);
    assert.equal(component(rep, 'shared_expert')?.tensors, 8);
    assert.equal(component(rep, 'router')?.tensors, 2);
    assert.deepEqual(rep.unmatched, []);
  });

  test('the parent with fused experts (gate_up_proj, down_proj) meets the GGUF per expert too', async () => {
    const rep = await verify('gguf/tiny-moe-ft-GGUF:Q8_0', moeRoles('gguf/tiny-moe-ft-fused'));
    assert.equal(rep.summary.verdict, 'quantized-copy');
    assert.equal(component(rep, 'experts')?.tensors, 24);
    assert.deepEqual(rep.unmatched, []);
  });

  test(`a Q4_K MoE merge: alpha ${MERGE_ALPHA} within 0.05, in the experts as elsewhere`, async () => {
    const rep = await verify('gguf/tiny-moe-merge-GGUF:Q4_K', moeRoles());
    assert.equal(rep.summary.verdict, 'linear-merge');
    assert.ok(Math.abs(rep.summary.alphas[0] - MERGE_ALPHA) <= 0.05, `alpha ${rep.summary.alphas[0]}`);
    assert.ok(Math.abs(component(rep, 'experts').alphas[0] - MERGE_ALPHA) <= 0.05, `experts alpha ${component(rep, 'experts').alphas[0]}`);
  });

  test('a Qwen3.5 Q8_0 copy: Gated DeltaNet tensors compared head by head, RMSNorms, A_log, out_proj and dt_bias listed as not compared with the reason', async () => {
    const rep = await verify('gguf/tiny-qwen35-ft-GGUF:Q8_0', ['--parent', 'gguf/tiny-qwen35-ft', '--base', 'gguf/tiny-qwen35']);
    assert.equal(rep.summary.verdict, 'quantized-copy');
    // in_proj_qkv and conv1d: the q/k rows and 4 V heads (5 pieces each); in_proj_z, _a, _b: 4 heads each.
    const lin = rep.tensors.filter((t) => t.component === 'linear_attention');
    assert.equal(lin.length, 22);
    for (const t of lin) assert.ok(t.cos_fit > 0.95, `${t.name}: cos_fit ${t.cos_fit} (a V head met the wrong head?)`);
    const reasons = Object.fromEntries(rep.unmatched.map((u) => [u.name, u.reason]));
    assert.equal(rep.unmatched.length, 10);
    assert.match(reasons['model.layers.0.linear_attn.out_proj.weight'], /_LinearAttentionVReorderBase\.modify_tensors/);
    assert.match(reasons['model.layers.0.linear_attn.A_log'], /-exp\(A_log\) \(Qwen3NextModel\.modify_tensors\)/);
    for (const n of ['model.norm.weight', 'model.layers.0.input_layernorm.weight', 'model.layers.1.self_attn.q_norm.weight'])
      assert.match(reasons[n], /1 \+ weight/, n);
    const text = await run(['verify', '--suspect', 'gguf/tiny-qwen35-ft-GGUF:Q8_0', '--parent', 'gguf/tiny-qwen35-ft', '--base', 'gguf/tiny-qwen35']);
    assert.match(text.stdout, /^Not compared: 10 tensor\(s\)$/m);
  });
});

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
  test('an exact path picks one of them', async () => {
    const rep = await report('gguf/ambiguous-GGUF:v2/bert-tiny-sst2-Q4_0.gguf');
    assert.deepEqual(rep.models.suspect.files, ['v2/bert-tiny-sst2-Q4_0.gguf']);
  });
  test('a repo with both formats is read as safetensors unless a GGUF is named', async () => {
    assert.equal((await report('gguf/bert-tiny-sst2-both')).models.suspect.format, 'safetensors');
    assert.equal((await report('gguf/bert-tiny-sst2-both:Q8_0')).models.suspect.format, 'gguf');
  });
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
