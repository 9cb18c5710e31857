#!/usr/bin/env node
// `npm start`: serves the static site (dist/) on http://127.0.0.1:${PORT:-8080} and, for the offline
// demo, starts the mock hub (tools/mock-hub) on its own ports with the demo repos of tools/gen.
// The page learns the demo endpoint from /demo.json, which only this server answers: on a static
// host dist/ has no demo.json and the page shows no demo links.
//
// Library use (browser tests): startSite({ port, dist, demo, repos }) -> { url, hub, close }.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

// Module scripts and wasm streaming compilation refuse other MIME types.
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The mock hub module (tools/mock-hub): its entry file exports startMockHub. */
async function importMockHub() {
  for (const name of ['index.mjs', 'server.mjs', 'mock-hub.mjs']) {
    const p = join(root, 'tools', 'mock-hub', name);
    if (!existsSync(p)) continue;
    const mod = await import(pathToFileURL(p).href);
    if (typeof mod.startMockHub === 'function') return mod;
  }
  throw new Error('tools/mock-hub exports no startMockHub');
}

/** The demo repos (tools/gen demoRepos) as mock-hub repos, plus the examples the page offers. */
export async function demoSetup() {
  const { demoRepos } = await import(pathToFileURL(join(root, 'tools', 'gen', 'merges.mjs')).href);
  const { MockRepo, folderFiles } = await import(pathToFileURL(join(root, 'tools', 'mock-hub', 'repo.mjs')).href);
  const list = demoRepos({});
  const repos = list.map((r) => new MockRepo({ id: r.repo, commits: [folderFiles(r.folder)] }));
  const has = (id) => list.some((r) => r.repo === id);
  const examples = [];
  if (has('demo/bert-tiny-merge-0.571')) {
    examples.push({
      title: 'a linear merge', description: 'C = 0.571 × SST-2 fine-tune + 0.429 × base, stored in BF16; control: the emotion fine-tune',
      suspect: 'demo/bert-tiny-merge-0.571', parents: ['demo/bert-tiny-sst2'], base: 'demo/bert-tiny-base',
      control: 'demo/bert-tiny-emotion',
    });
  }
  if (has('demo/bert-tiny-ties')) {
    examples.push({
      title: 'a TIES merge', description: 'TIES (density 0.5) of the SST-2 fine-tune on the base',
      suspect: 'demo/bert-tiny-ties', parents: ['demo/bert-tiny-sst2'], base: 'demo/bert-tiny-base',
    });
  }
  examples.push({
    title: 'not a merge', description: 'two independent fine-tunes of one base: emotion vs SST-2',
    suspect: 'demo/bert-tiny-emotion', parents: ['demo/bert-tiny-sst2'], base: 'demo/bert-tiny-base',
  });
  return { repos, examples };
}

/**
 * @param {{ port?: number, host?: string, dist?: string, demo?: boolean, repos?: any[], examples?: any[],
 *           knobs?: object, hubPort?: number, cdnPort?: number }} [o]
 *   demo: start the mock hub (default true); repos: extra mock-hub repos (tests add gated ones)
 */
export async function startSite(o = {}) {
  const dist = resolve(o.dist ?? join(root, 'dist'));
  const host = o.host ?? '127.0.0.1';
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist}/index.html missing: run npm run build`);

  let hub = null;
  let demoJson = null;
  if (o.demo !== false) {
    const { startMockHub } = await importMockHub();
    const demo = await demoSetup();
    const repos = [...demo.repos, ...(o.repos ?? [])];
    try {
      hub = await startMockHub({ repos, knobs: o.knobs, host, hubPort: o.hubPort ?? 0, cdnPort: o.cdnPort ?? 0 });
    } catch (err) {
      if (err.code !== 'EADDRINUSE') throw err;
      hub = await startMockHub({ repos, knobs: o.knobs, host });  // any free ports; demo links change
    }
    demoJson = JSON.stringify({ endpoint: hub.hubUrl, examples: [...demo.examples, ...(o.examples ?? [])] });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const common = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...common, Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/demo.json' && demoJson) {
      res.writeHead(200, { ...common, 'Content-Type': MIME['.json'] }).end(req.method === 'HEAD' ? undefined : demoJson);
      return;
    }
    let rel;
    try { rel = decodeURIComponent(url.pathname); } catch { rel = '\0'; }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(dist, rel));
    // No path may leave dist/ (../, encoded or not).
    if (rel.includes('\0') || (file !== dist && !file.startsWith(dist + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...common, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      ...common,
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 0, host, ok);
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${port}/`,
    hub,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((ok) => server.close(() => ok()));
      await hub?.close();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT || 8080);
  let site;
  try {
    // Fixed demo hub ports (PORT+1, PORT+2): share links from demo runs keep working after a restart.
    site = await startSite({ port, dist: process.env.MP_DIST || undefined, hubPort: port + 1, cdnPort: port + 2 });
  } catch (err) {
    if (/startMockHub|merges\.mjs|Cannot find module/.test(String(err.message))) {
      console.error(`serve: demo hub unavailable (${err.message}); serving the page without it`);
      site = await startSite({ port, dist: process.env.MP_DIST || undefined, demo: false });
    } else {
      console.error(`serve: ${err.message}`);
      process.exit(1);
    }
  }
  console.log(`mergeprobe: ${site.url}`);
  if (site.hub) console.log(`demo hub (offline mock of huggingface.co): ${site.hub.hubUrl}  files: ${site.hub.cdnUrl}`);
  const stop = async () => { await site.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
