// Assembles the static site in dist/: the page (web/), the modules it shares with the CLI (js/,
// as dist/js/) and the wasm module (build/wasm, as dist/wasm/). Everything is relative, so dist/
// works from any static host. Nothing from cli/, tools/ or tests/ is copied: a page module that
// imports one fails the build, and tests/js/architecture-js.test.mjs checks what dist/ holds.
//
// dist/ puts web/'s files at its root, so a page module's import of ../js/x.mjs is rewritten to
// ./js/x.mjs (the one change made to any file; js/ keeps its relative imports as they are).
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const wasmDir = join(root, 'build', 'wasm');
const SPECIFIER = /((?:from|import)\s*\(?\s*|new URL\(\s*)(['"])(\.{1,2}\/[^'"]*)\2/g;

for (const f of ['mergeprobe.mjs', 'mergeprobe.wasm']) {
  if (!existsSync(join(wasmDir, f))) {
    console.error(`build-site: ${f} missing in build/wasm: run npm run build`);
    process.exit(1);
  }
}

/** @param {string} dir @returns {string[]} files under dir, relative to it (posix) */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]);
}

/** A page module's source with its js/ imports pointed at dist/js/. @param {string} file web-relative */
function pageModule(file) {
  const from = posix.dirname(`web/${file}`);
  return readFileSync(join(root, 'web', file), 'utf8').replace(SPECIFIER, (m, pre, q, spec) => {
    const target = posix.normalize(posix.join(from, spec));
    if (target.startsWith('web/')) return m;
    if (!target.startsWith('js/')) throw new Error(`web/${file} imports ${spec}: the page may import only web/ and js/`);
    let rel = posix.relative(posix.dirname(file), target);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return pre + q + rel + q;
  });
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
for (const f of walk(join(root, 'web'))) {
  mkdirSync(dirname(join(dist, f)), { recursive: true });
  if (f.endsWith('.mjs')) writeFileSync(join(dist, f), pageModule(f));
  else cpSync(join(root, 'web', f), join(dist, f));
}
// js/io-node/ is Node's (local paths, the folder cache): the page never loads it.
cpSync(join(root, 'js'), join(dist, 'js'), { recursive: true, filter: (src) => !src.startsWith(join(root, 'js', 'io-node')) });
mkdirSync(join(dist, 'wasm'), { recursive: true });
for (const f of ['mergeprobe.mjs', 'mergeprobe.wasm']) cpSync(join(wasmDir, f), join(dist, 'wasm', f));
console.error(`build-site: dist/ ready (${relative(root, dist)})`);
