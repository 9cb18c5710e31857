// The engine's GGUF header reads (issue 16): a first read of 1 MiB (or the whole file when smaller),
// and, while the core answers {needed: N} (a tokenizer in the metadata pushes the tensor infos past
// the first read; N is the core's estimate, at least 1.5x what it had), reads of N bytes from 0;
// every part of a split GGUF read so. Counted on the byte sources, as the hub sees them.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gguf } from '@huggingface/gguf';
import { createWasmFrom, DEFAULT_WASM_DIR } from '../../../js/io-node/wasm.mjs';
import { GGUF_FIRST_READ, runAnalysis } from '../../../js/engine/run-analysis.mjs';
import { openLocalModel } from '../../../js/io-node/local-model.mjs';
import { ggufSplit, sourceModels } from '../../../tools/gen/gguf/models.mjs';
import { realModelsDir } from '../../../tools/gen/merges.mjs';

/** A ModelSource whose reads are logged as [file, start, end]. */
function counted(model, log) {
  return { ...model, file: (name) => {
    const src = model.file(name);
    return { ...src, name: src.name, size: (o) => src.size(o), read: (a, b, sink, o) => { log.push([name, a, b]); return src.read(a, b, sink, o); } };
  } };
}

test('a split GGUF with a 1.6 MB header: 1 MiB first, then what the core asks for, growing, until the header is in', { skip: !fs.existsSync(realModelsDir()) }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-gguf-header-'));
  try {
    const parts = ggufSplit(sourceModels(realModelsDir()).tinystories, 'Q8_0', 'ts-Q8_0', 3, { vocab: 60_000 });
    for (const p of parts) fs.writeFileSync(path.join(dir, p.name), p.bytes);
    const first = await gguf(path.join(dir, parts[0].name), { allowLocalFile: true });
    const headerEnd = Number(first.tensorDataOffset);
    assert.ok(headerEnd > GGUF_FIRST_READ, `header ${headerEnd} bytes`);
    const wasm = await createWasmFrom(DEFAULT_WASM_DIR);
    assert.equal(typeof wasm.maxGgufHeaderBytes, 'number', 'the binding exports the GGUF header cap');
    const log = [];
    const plain = await openLocalModel(path.join(dir, parts[0].name));
    const m = counted(plain, log);
    assert.deepEqual(m.weights.gguf, parts.map((p) => p.name));
    // Parent and base are the same model, uncounted: the suspect's header reads are measured here,
    // whatever the later steps make of three equal models.
    await runAnalysis({ suspect: m, parents: [plain], base: plain, wasm, budget: 1 << 20 }).catch((e) => {
      assert.ok(!/header/i.test(e.message), `not a header failure: ${e.message}`);
    });
    const grown = log.filter(([f, a]) => f === parts[0].name && a === 0).map(([, , e]) => e);
    assert.equal(grown[0], GGUF_FIRST_READ, 'the first read is 1 MiB');
    assert.ok(grown.length >= 2 && grown.length <= 4, `reads from 0: ${grown}`);
    for (let i = 1; i < grown.length; i++) assert.ok(grown[i] > grown[i - 1], `each read is larger: ${grown}`);
    // The tensor infos end at most one alignment (32) before the data section.
    assert.ok(grown.at(-1) >= headerEnd - 32 && grown.at(-1) <= parts[0].bytes.length, `last read to ${grown.at(-1)}, header ends at ${headerEnd}`);
    assert.ok(grown.slice(0, -1).every((b) => b < headerEnd - 32), 'no read was needed after the header was in');
    for (const p of parts.slice(1)) {
      const r = log.find(([f, a]) => f === p.name && a === 0);
      assert.equal(r[2], Math.min(GGUF_FIRST_READ, p.bytes.length), `${p.name}: one read of the whole small part`);
    }
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
