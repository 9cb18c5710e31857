// The layout's rules (docs/ARCHITECTURE.md), checked instead of only written down:
//   - src/ is the pure core: no Emscripten, no printing or file I/O; only bindings/ includes Emscripten;
//   - src/ folders include only their own folder, the shared top-level headers and folders that
//     come before them in the data flow (format -> model -> plan -> stats -> verdict -> report);
//   - the page's wasm module exports no bench hooks (they live in the separate bench module);
//   - the core's error-code names reach JS from one place (errorNames() = the enum in src/error.h).
// The wasm checks need `npm run build` (build/wasm/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = path.join(ROOT, 'src');
const LAYERS = ['format', 'model', 'plan', 'stats', 'verdict', 'report'];
const BENCH_HOOKS = ['benchMomentsBf16', 'kernelHasSimd'];

/** Every .h/.cpp under dir, as paths relative to dir. */
function sources(dir) {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(h|cpp)$/.test(f)).sort();
}
const read = (f) => fs.readFileSync(path.join(SRC, f), 'utf8');
const includes = (text) => [...text.matchAll(/^\s*#\s*include\s*([<"])([^>"]+)[>"]/gm)].map((m) => ({ system: m[1] === '<', name: m[2] }));

test('nothing under src/ includes Emscripten, prints or opens files', () => {
  const files = sources(SRC);
  assert.ok(files.length > 20, `found the core's sources (${files.length})`);
  for (const f of files) {
    const text = read(f);
    for (const inc of includes(text)) {
      assert.ok(!/emscripten/i.test(inc.name), `${f} includes ${inc.name}`);
      assert.ok(!['iostream', 'fstream', 'filesystem'].includes(inc.name), `${f} includes <${inc.name}> (the core does no I/O)`);
    }
    const code = text.replace(/\/\/[^\n]*/g, '');  // comments may name what the code must not do
    assert.ok(!/\bEMSCRIPTEN\w*|\bemscripten::/.test(code), `${f} uses Emscripten`);
    assert.ok(!/\b(printf|fprintf|puts|fputs|fopen|std::cout|std::cerr)\b/.test(code), `${f} prints or opens a file`);
  }
});

test('Emscripten is included only in bindings/', () => {
  const dir = path.join(ROOT, 'bindings');
  const users = fs.readdirSync(dir).filter((f) => includes(fs.readFileSync(path.join(dir, f), 'utf8')).some((i) => /^emscripten\//.test(i.name)));
  assert.deepEqual(users.sort(), ['bench_bindings.cpp', 'bindings.cpp']);
});

test('src/ folders include only their own, earlier layers, and the shared top-level headers', () => {
  const top = fs.readdirSync(SRC).filter((f) => /\.h$/.test(f));  // error.h, analysis.h
  for (const f of sources(SRC)) {
    const folder = f.includes(path.sep) ? f.split(path.sep)[0] : null;
    for (const inc of includes(read(f)).filter((i) => !i.system)) {
      if (inc.name === 'simdjson.h') continue;  // the one third-party dependency
      assert.ok(fs.existsSync(path.join(SRC, inc.name)), `${f}: "${inc.name}" is a path under src/ (folder-qualified)`);
      if (!folder) continue;  // top level: analysis (the one entry point) may include every folder
      const dep = inc.name.includes('/') ? inc.name.split('/')[0] : null;
      if (dep === null) {
        assert.ok(top.includes(inc.name) && inc.name !== 'analysis.h', `${f} includes ${inc.name}`);
        continue;
      }
      assert.ok(LAYERS.indexOf(dep) !== -1 && LAYERS.indexOf(dep) <= LAYERS.indexOf(folder),
        `${f} (${folder}/) includes ${inc.name}: ${dep}/ comes later in ${LAYERS.join(' -> ')}`);
    }
  }
});

/** Loads a module of build/wasm/ under Node (wasmBinary: toolchain-notes pitfall 2), or null if not built. */
async function loadModule(name) {
  const dir = path.join(ROOT, 'build', 'wasm');
  if (!fs.existsSync(path.join(dir, `${name}.wasm`))) return null;
  const { default: create } = await import(pathToFileURL(path.join(dir, `${name}.mjs`)).href);
  return create({ wasmBinary: fs.readFileSync(path.join(dir, `${name}.wasm`)) });
}

test("the page's wasm module exports no bench hooks; the bench module has them", async () => {
  const page = await loadModule('mergeprobe');
  assert.ok(page, 'build/wasm/mergeprobe.wasm exists (npm run build)');
  assert.equal(typeof page.Analysis, 'function');
  for (const hook of BENCH_HOOKS) assert.equal(page[hook], undefined, `page module exports ${hook}`);
  const bench = await loadModule('mergeprobe-bench');
  assert.ok(bench, 'build/wasm/mergeprobe-bench.wasm exists (npm run build)');
  for (const hook of BENCH_HOOKS) assert.equal(typeof bench[hook], 'function', `bench module lacks ${hook}`);
});

test('errorNames() is the ErrorCode enum of src/error.h, Ok left out', async () => {
  const page = await loadModule('mergeprobe');
  const body = read('error.h').match(/enum class ErrorCode \{([\s\S]*?)\};/)[1].replace(/\/\/[^\n]*/g, '');
  const names = [...body.matchAll(/\b([A-Z]\w*)\s*(?:=\s*\d+\s*)?,/g)].map((m) => m[1]).filter((n) => n !== 'Ok');
  const got = page.errorNames();
  assert.deepEqual([...Array(got.length).keys()].map((i) => got[i]), names);
});

test('a core error reaches JS with its name and kind (the core classifies, not a JS list)', async () => {
  const mod = await loadModule('mergeprobe');
  const a = new mod.Analysis(1, false);
  const p = mod._malloc(4 + 64);
  try {
    assert.deepEqual({ ...a.addFile(0, 'tiny.safetensors', p, 4, 4) },
      { error: 'tiny.safetensors: HeaderTooSmall: the file has 4 bytes, fewer than the 8-byte header length', code: 'HeaderTooSmall', kind: 'invalid-file' });
  } finally {
    mod._free(p);
    a.delete();
  }
});
