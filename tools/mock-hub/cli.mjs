#!/usr/bin/env node
// Serves the mock hub from the command line: the real small models of shared/real-models, the
// access variants, and virtual trios (full-size with --big). See README.md for repos and knobs.
//
//   node tools/mock-hub/cli.mjs [--port 8081] [--cdn-port 8082] [--host 127.0.0.1] [--big] [--fp8] [--gguf]
//                               [--knobs '{"latencyMs":40,"bandwidthBps":12500000}']

import { startMockHub } from './server.mjs';
import { standardRepos } from './catalog.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const flag = (name) => args.includes(`--${name}`);
if (flag('help')) {
  console.log('usage: node tools/mock-hub/cli.mjs [--port N] [--cdn-port N] [--host H] [--big] [--fp8] [--gguf] [--knobs JSON]');
  process.exit(0);
}
const port = Number(opt('port', 8081));
const cdnPort = Number(opt('cdn-port', port + 1));
const host = opt('host', '127.0.0.1');
let knobs = {};
try {
  knobs = JSON.parse(opt('knobs', '{}'));
} catch (e) {
  console.error(`--knobs is not JSON: ${e.message}`);
  process.exit(2);
}

const { repos, haveRealModels } = standardRepos({ big: flag('big') || flag('fp8'), fp8Big: flag('fp8'), gguf: flag('gguf') });
const hub = await startMockHub({ repos, knobs, host, hubPort: port, cdnPort });
console.log(`mock hub  ${hub.hubUrl}   (API, /resolve/)`);
console.log(`mock CDN  ${hub.cdnUrl}   (signed URLs, ranges; also ${hub.cdnAltUrl} under knob cdnAlternate)`);
if (!haveRealModels) console.log('(real models folder not found: only virtual repos are served)');
console.log(`tokens: ${Object.entries(hub.tokens).map(([t, u]) => `${t} (${u})`).join(', ')}`);
console.log('repos:');
for (const r of repos) {
  const tags = [r.gated ? `gated:${r.gated}` : '', r.private ? 'private' : '', r.disabled ? 'disabled' : ''].filter(Boolean).join(' ');
  console.log(`  ${r.id}${tags ? '  [' + tags + ']' : ''}`);
}
const stop = async () => {
  await hub.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
