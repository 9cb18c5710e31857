// Assembles the static site in dist/: the page, its worker and library modules from web/, and the
// wasm module from build/wasm. Everything is relative, so dist/ works from any static host.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const wasmDir = join(root, 'build', 'wasm');

for (const f of ['mergeprobe.mjs', 'mergeprobe.wasm']) {
  if (!existsSync(join(wasmDir, f))) {
    console.error(`build-site: ${f} missing in build/wasm: run npm run build`);
    process.exit(1);
  }
}
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(join(root, 'web'), dist, { recursive: true });
mkdirSync(join(dist, 'wasm'), { recursive: true });
for (const f of ['mergeprobe.mjs', 'mergeprobe.wasm']) cpSync(join(wasmDir, f), join(dist, 'wasm', f));
console.error(`build-site: dist/ ready`);
