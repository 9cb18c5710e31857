// The JS layout's rules (issue 11, docs/ARCHITECTURE.md), checked instead of only written down:
//   - js/ (except js/io-node/) and web/ run in the browser: no node: import, no bare Node builtin,
//     no bare package name either (the page has no bundler and no import map);
//   - nothing under web/ or js/ imports from cli/, tools/ or tests/ (the site ships none of them);
//   - js/ never touches the DOM (it runs in the worker and in Node too);
//   - the site (scripts/build-site.mjs) holds no cli/, tools/, tests/, js/io-node/ file, no test;
//   - package.json's bin and scripts name files that exist;
//   - every tests/**/*.test.mjs is in a folder scripts/test.sh runs.
// The C++ rules are tests/js/architecture.test.mjs. Grep-based on purpose: cheap and plain to read.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const rel = (/** @type {string} */ p) => path.relative(ROOT, p).split(path.sep).join('/');

/** Files under a repo folder (repo-relative, posix), filtered by name. */
function filesUnder(dir, re = /\.mjs$/) {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true }).map(String)
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`)
    .filter((f) => re.test(f) && fs.statSync(path.join(ROOT, f)).isFile()).sort();
}

/** Every module specifier in a file: static imports and re-exports, dynamic import('...'), and
 * JSDoc import('...') types (a page module typed against Node types is as wrong as one importing it). */
function specifiers(text) {
  const out = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\1/gm)) out.push(m[2]);
  return out;
}

/** Source without comments: comments may name what the code must not do ("the 429 window"). */
const code = (/** @type {string} */ text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/[^\n]*/g, '$1');

const BROWSER_FILES = [...filesUnder('web'), ...filesUnder('js').filter((f) => !f.startsWith('js/io-node/'))];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));

test('web/ and js/ (except js/io-node/) import no node: module, no Node builtin, no bare package', () => {
  assert.ok(BROWSER_FILES.length > 20, `found the page's modules (${BROWSER_FILES.length})`);
  for (const f of BROWSER_FILES) {
    for (const s of specifiers(fs.readFileSync(path.join(ROOT, f), 'utf8'))) {
      assert.ok(!s.startsWith('node:'), `${f} imports ${s}: Node only (js/io-node/ is the place for it)`);
      assert.ok(!BUILTINS.has(s.split('/')[0]), `${f} imports the Node builtin ${s}`);
      assert.ok(/^\.{1,2}\//.test(s), `${f} imports ${s}: the page loads only relative paths (no bundler, no import map)`);
    }
  }
});

test('nothing under web/ or js/ imports from cli/, tools/ or tests/', () => {
  for (const f of [...filesUnder('web'), ...filesUnder('js')]) {
    for (const s of specifiers(fs.readFileSync(path.join(ROOT, f), 'utf8'))) {
      if (!s.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), s));
      assert.ok(!/^(cli|tools|tests)\//.test(target), `${f} imports ${s} (${target}): web/ and js/ never depend on ${target.split('/')[0]}/`);
      assert.ok(/^(web|js)\//.test(target), `${f} imports ${s}, outside web/ and js/`);
    }
  }
});

test('js/ does not touch the DOM (document, window)', () => {
  for (const f of filesUnder('js')) {
    const c = code(fs.readFileSync(path.join(ROOT, f), 'utf8'));
    const hit = /\b(?:document|window)\s*[.[]|typeof\s+(?:document|window)\b|globalThis\.(?:document|window)\b/.exec(c);
    assert.equal(hit, null, `${f} uses ${hit?.[0]}: js/ runs in the worker and in Node (the DOM is web/'s)`);
  }
});

test('scripts/build-site.mjs ships no cli/, tools/, tests/, js/io-node/ file and no test', (t) => {
  const wasm = path.join(ROOT, 'build', 'wasm');
  assert.ok(fs.existsSync(path.join(wasm, 'mergeprobe.wasm')), 'build/wasm/mergeprobe.wasm exists (npm run build)');
  // A copy of the tree, built there: the repo's own dist/ may be in use by a browser test.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-site-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  for (const d of ['scripts', 'web', 'js', 'cli', 'tools', 'tests']) {
    fs.cpSync(path.join(ROOT, d), path.join(tmp, d), { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  }
  fs.mkdirSync(path.join(tmp, 'build'));
  fs.symlinkSync(wasm, path.join(tmp, 'build', 'wasm'));
  execFileSync(process.execPath, [path.join(tmp, 'scripts', 'build-site.mjs')], { stdio: 'pipe' });
  const dist = path.join(tmp, 'dist');
  const shipped = fs.readdirSync(dist, { recursive: true }).map((f) => String(f).split(path.sep).join('/'))
    .filter((f) => fs.statSync(path.join(dist, f)).isFile());
  assert.ok(shipped.includes('index.html') && shipped.includes('js/engine/run-analysis.mjs'), 'the site was built');
  for (const f of shipped) {
    assert.ok(!/^(cli|tools|tests)\//.test(f), `dist/${f}: ${f.split('/')[0]}/ is never shipped`);
    assert.ok(!f.startsWith('js/io-node/'), `dist/${f}: js/io-node/ is Node's`);
    assert.ok(!/\.test\.mjs$/.test(f), `dist/${f} is a test`);
  }
  // Nor a cli/ or io-node/ module copied under another folder: compared by content.
  const nodeOnly = new Map([...filesUnder('cli'), ...filesUnder('js/io-node')].map((f) => [fs.readFileSync(path.join(ROOT, f), 'utf8'), f]));
  for (const f of shipped.filter((x) => x.endsWith('.mjs'))) {
    const same = nodeOnly.get(fs.readFileSync(path.join(dist, f), 'utf8'));
    assert.equal(same, undefined, `dist/${f} is a copy of ${same}`);
  }
});

test("package.json's bin is a cli/ file and its scripts name files that exist", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin;
  assert.ok(Object.keys(bins ?? {}).length > 0, 'package.json has a bin');
  for (const [name, file] of Object.entries(bins)) {
    assert.match(file, /^(\.\/)?cli\//, `bin ${name} -> ${file} is under cli/`);
    assert.ok(fs.existsSync(path.join(ROOT, file)), `bin ${name} -> ${file} exists`);
    assert.match(fs.readFileSync(path.join(ROOT, file), 'utf8'), /^#!\/usr\/bin\/env node\n/, `bin ${file} starts with a node shebang`);
  }
  const scripts = Object.entries(pkg.scripts ?? {});
  assert.ok(scripts.length > 0);
  for (const [name, cmd] of scripts) {
    const paths = String(cmd).split(/\s+/).filter((w) => /\.(sh|mjs|js|json)$/.test(w) || /^(scripts|cli|tools|tests)\//.test(w));
    assert.ok(paths.length > 0, `script ${name} (${cmd}) names a file`);
    for (const p of paths) assert.ok(fs.existsSync(path.join(ROOT, p)), `script ${name}: ${p} does not exist`);
  }
});

test('every tests/**/*.test.mjs is in a folder scripts/test.sh runs', () => {
  const sh = fs.readFileSync(path.join(ROOT, 'scripts', 'test.sh'), 'utf8');
  const run = [...sh.matchAll(/^\s*node --test\b([^\n]*)$/gm)]
    .flatMap((m) => m[1].split(/\s+/).filter((w) => /^tests\//.test(w)))
    .map((d) => d.replace(/\/?$/, '/'));
  assert.ok(run.length >= 2, `scripts/test.sh runs node --test on test folders (${run.join(' ')})`);
  for (const d of run) assert.ok(fs.existsSync(path.join(ROOT, d)), `scripts/test.sh runs ${d}, which does not exist`);
  const tests = filesUnder('tests', /\.test\.mjs$/);
  assert.ok(tests.length > 20, `found the tests (${tests.length})`);
  for (const f of tests) assert.ok(run.some((d) => f.startsWith(d)), `${f} is in no folder scripts/test.sh runs (${run.join(' ')})`);
});
