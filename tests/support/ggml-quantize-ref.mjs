#!/usr/bin/env node
// Makes tests/fixtures/gguf/ggml-quantize-ref.json: inputs and the bytes ggml's own C reference
// quantizers (quantize_row_*_ref in src/ggml-quants.c) make of them, so tests/tools/gguf-quants
// can hold tools/gen/gguf/quants.mjs to ggml byte for byte without ggml in the repository.
//
//   node tests/support/ggml-quantize-ref.mjs GGML_DIR     # a ggml checkout (src/, include/)
//
// GGML_DIR may also be a bare git directory (the tree is read with git archive). Built with the
// system gcc, -O2 and -ffp-contract=off: x86-64 without -march has no FMA, and contraction off
// keeps every product rounded as the C source reads. Only ggml's quantizers are compiled
// (--gc-sections drops the parts that need the rest of ggml).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUANT_TYPES, GGML_TYPES } from '../../tools/gen/gguf/quants.mjs';
import { readSafetensors } from '../../tools/gen/safetensors-io.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(root, 'tests/fixtures/gguf/ggml-quantize-ref.json');
const REAL = process.env.MERGEPROBE_REAL_MODELS ?? join(root, '../shared/real-models');

const HARNESS = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "ggml-quants.h"
void ggml_abort(const char * file, int line, const char * fmt, ...) { fprintf(stderr, "abort %s:%d\\n", file, line); exit(3); }
#define Q(T, B) if (!strcmp(argv[1], #T)) { quantize_row_##B##_ref(x, (void *) out, n); size = n / ggml_blck(#T) * bytes; }
static int ggml_blck(const char * t) { return strstr(t, "_K") ? 256 : 32; }
int main(int argc, char ** argv) {
  int n = atoi(argv[2]); int bytes = atoi(argv[3]);
  float * x = malloc(4 * n); unsigned char * out = calloc(1, n * 2 + 1024); size_t size = 0;
  if (fread(x, 4, n, stdin) != (size_t) n) return 2;
  Q(Q8_0, q8_0) Q(Q4_0, q4_0) Q(Q4_1, q4_1) Q(Q5_0, q5_0) Q(Q5_1, q5_1)
  Q(Q2_K, q2_K) Q(Q3_K, q3_K) Q(Q4_K, q4_K) Q(Q5_K, q5_K) Q(Q6_K, q6_K)
  if (!size) return 4;
  fwrite(out, 1, size, stdout);
  return 0;
}
`;

/** Deterministic inputs: real weight rows and the edge cases the formulas branch on. */
function inputs() {
  const cases = [];
  const add = (name, values) => cases.push({ name, values: Float32Array.from(values) });
  const st = readSafetensors(join(REAL, 'stories260K/model.safetensors'));
  const emb = st.tensors.get('tok_embeddings.weight');
  add('stories260K tok_embeddings rows 0-7', emb.data.slice(0, 512));
  const wq = st.tensors.get('layers.2.attention.wq.weight');
  add('stories260K layers.2 wq rows 8-15', wq.data.slice(512, 1024));
  const bert = readSafetensors(join(REAL, 'bert-tiny-sst2-fhe/model.safetensors'));
  add('bert-tiny-sst2 layer.1 output.dense row 3', bert.tensors.get('bert.encoder.layer.1.output.dense.weight').data.slice(1536, 2048));
  const n = 256;
  add('zeros', new Array(n).fill(0));
  add('constant 0.5', new Array(n).fill(0.5));
  add('constant -3', new Array(n).fill(-3));
  add('one spike', Array.from({ length: n }, (_, i) => (i === 77 ? 9.5 : 0.01 * Math.sin(i))));
  add('all positive', Array.from({ length: n }, (_, i) => 0.2 + 0.001 * i));
  add('all negative', Array.from({ length: n }, (_, i) => -0.2 - 0.003 * ((i * 37) % 101)));
  add('fp16-subnormal scales', Array.from({ length: n }, (_, i) => 1e-7 * Math.cos(i * 0.7)));
  add('large', Array.from({ length: n }, (_, i) => 3000 * Math.sin(i * 1.3)));
  add('ties on half steps', Array.from({ length: n }, (_, i) => ((i % 17) - 8) * 0.125 + (i % 2 ? 0.0625 : 0)));
  add('alternating', Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (1 + (i % 5))));
  return cases;
}

function checkout(dir) {
  if (existsSync(join(dir, 'src/ggml-quants.c'))) return { src: dir, rev: null };
  const out = mkdtempSync(join(tmpdir(), 'ggml-src-'));
  const files = ['src/ggml-quants.c', 'src/ggml-quants.h', 'src/ggml-common.h', 'src/ggml-impl.h', 'src/ggml-cpu/ggml-cpu-impl.h', 'include'];
  const tar = execFileSync('git', ['--git-dir', dir, 'archive', 'HEAD', ...files], { maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', out], { input: tar });
  const rev = execFileSync('git', ['--git-dir', dir, 'rev-parse', 'HEAD']).toString().trim();
  return { src: out, rev };
}

function main() {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: node tests/support/ggml-quantize-ref.mjs GGML_DIR'); process.exit(2); }
  const { src, rev } = checkout(resolve(dir));
  const work = mkdtempSync(join(tmpdir(), 'ggml-ref-'));
  try {
    writeFileSync(join(work, 'harness.c'), HARNESS);
    const inc = ['-I', join(src, 'include'), '-I', join(src, 'src')];
    const flags = ['-O2', '-ffp-contract=off', '-ffunction-sections', '-fdata-sections'];
    execFileSync('gcc', [...flags, '-std=c11', ...inc, '-c', join(src, 'src/ggml-quants.c'), '-o', join(work, 'q.o')]);
    execFileSync('gcc', [...flags, ...inc, join(work, 'harness.c'), join(work, 'q.o'), '-Wl,--gc-sections', '-lm', '-o', join(work, 'ref')]);
    const cases = inputs().map(({ name, values }) => {
      const outputs = {};
      for (const type of QUANT_TYPES) {
        if (values.length % GGML_TYPES[type].block) continue;
        const r = spawnSync(join(work, 'ref'), [type, String(values.length), String(GGML_TYPES[type].bytes)],
          { input: Buffer.from(values.buffer, values.byteOffset, values.byteLength), maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`ggml reference ${type} on "${name}" exited ${r.status}: ${r.stderr}`);
        outputs[type] = r.stdout.toString('hex');
      }
      return { name, input_f32_hex: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex'), outputs };
    });
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify({
      what: 'bytes of ggml quantize_row_*_ref (src/ggml-quants.c) for each input, gcc -O2 -ffp-contract=off',
      ggml_commit: rev, made_by: 'tests/support/ggml-quantize-ref.mjs', cases,
    }, null, 1) + '\n');
    console.log(`wrote ${OUT}: ${cases.length} inputs x ${QUANT_TYPES.length} types`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (rev) rmSync(src, { recursive: true, force: true });
  }
}

main();
