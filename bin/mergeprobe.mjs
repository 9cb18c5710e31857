#!/usr/bin/env node
// mergeprobe verify: the command line over web/lib/engine.mjs (the same engine the page runs).
// stdout carries only the report (text, or JSON with --json); progress and notes go to stderr.
// Exit codes: 0 the analysis ran (whatever the verdict), 2 usage, 3 hub/network/authorisation,
// 4 the models cannot be compared, 1 unexpected, 130 interrupted. See README.md "Command line".
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { USAGE, UsageError, parseCli, specLabel } from '../web/lib/cli-args.mjs';
import { EXIT, exitCodeFor, messageFor } from '../web/lib/cli-errors.mjs';
import { formatReport } from '../web/lib/cli-format.mjs';
import { createProgress } from '../web/lib/cli-progress.mjs';

const ROOT = new URL('../', import.meta.url);

function version() {
  return JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).version;
}

/** Writes all of `text` to a stream, then resolves (so a pipe gets everything before we exit). */
function writeAll(stream, text) {
  return new Promise((res) => { if (!text) res(); else stream.write(text, () => res()); });
}

/**
 * The wasm module: MERGEPROBE_WASM_DIR (a folder with mergeprobe.mjs + mergeprobe.wasm, for a
 * build in another directory), else the engine's default location (build/wasm or dist/wasm).
 */
async function wasmModule(env, loadWasm) {
  const dir = env.MERGEPROBE_WASM_DIR;
  if (!dir) return loadWasm();
  const { pathToFileURL } = await import('node:url');
  const wasmPath = resolve(dir, 'mergeprobe.wasm');
  if (!existsSync(wasmPath)) throw new UsageError(`MERGEPROBE_WASM_DIR: ${wasmPath} not found: build it or unset the variable`);
  const { default: create } = await import(pathToFileURL(resolve(dir, 'mergeprobe.mjs')).href);
  return create({ wasmBinary: readFileSync(wasmPath) });
}

/** A model argument -> a ModelSource (hub repo resolved to its commit SHA, or a local path). */
async function openModel(spec, flag, hub, signal) {
  if (spec.kind === 'local') {
    if (!existsSync(spec.path)) throw new UsageError(`${flag} ${spec.path}: no such file or folder`);
    const { openLocalModel } = await import('../web/lib/node-sources.mjs');
    return openLocalModel(spec.path);
  }
  return hub.resolveModel(spec.repo, spec.revision, { signal });
}

/**
 * The folder cache of immutable header/index bytes (web/lib/cache.mjs: MERGEPROBE_CACHE, else
 * ~/.cache/mergeprobe). A cache that cannot be opened only costs speed: say so and go on.
 */
async function openByteCache(progress) {
  try {
    const { openCache } = await import('../web/lib/cache.mjs');
    return await openCache({ store: 'folder' });
  } catch (e) {
    progress.note(`cache disabled (${String(e?.message ?? e).split('\n')[0]})`);
    return null;
  }
}

/**
 * A role not given: find it (web/lib/discover/lineage.mjs), then verify the chosen roles. The
 * pinned roles are resolved first and kept; the rest come from the suspect's card, the model
 * tree and models of the same architecture.
 */
async function discoverAndVerify(opts, env, progress, signal) {
  const { HubClient } = await import('../web/lib/hub.mjs');
  const { runAnalysis, loadWasm } = await import('../web/lib/engine.mjs');
  const { verifyFromSuspect } = await import('../web/lib/discover/lineage.mjs');
  const hub = new HubClient({ endpoint: opts.endpoint, token: opts.token, signal });
  progress.update({ phase: 'resolving', done: 0, total: 1, requests: 0 });
  const wasmP = wasmModule(env, loadWasm);
  wasmP.catch(() => {});
  const suspect = await openModel(opts.suspect, '--suspect', hub, signal);
  const parents = await Promise.all(opts.parents.map((p) => openModel(p, '--parent', hub, signal)));
  const base = opts.base ? await openModel(opts.base, '--base', hub, signal) : null;
  const control = opts.control ? await openModel(opts.control, '--control', hub, signal) : null;
  const cache = opts.cache ? await openByteCache(progress) : null;
  const result = await verifyFromSuspect({
    hub, suspect, signal, runAnalysis,
    named: opts.candidates.map((c) => (c.revision === 'main' ? c.repo : `${c.repo}@${c.revision}`)),
    pinned: { parents, base },
    budget: opts.maxCandidates ? { maxCandidates: opts.maxCandidates } : {},
    onProgress: (ev) => progress.update(ev),
    analysis: {
      control, budget: opts.budget, seed: opts.seed, wasm: await wasmP, cache, signal, endpoint: opts.endpoint,
      pageUrl: env.MERGEPROBE_PAGE_URL || undefined, onProgress: (ev) => progress.update(ev),
    },
  });
  return result;
}

async function verify(opts, env, progress, signal) {
  if (opts.discover) return discoverAndVerify(opts, env, progress, signal);
  const { HubClient } = await import('../web/lib/hub.mjs');
  const { runAnalysis, loadWasm } = await import('../web/lib/engine.mjs');
  const hub = new HubClient({ endpoint: opts.endpoint, token: opts.token, signal });

  const roles = [
    ['--suspect', opts.suspect],
    ...opts.parents.map((p) => ['--parent', p]),
    ...(opts.base ? [['--base', opts.base]] : []),
    ...(opts.control ? [['--control', opts.control]] : []),
  ];
  const total = roles.length;
  let done = 0;
  const resolveOne = async (flag, spec) => {
    const src = await openModel(spec, flag, hub, signal);
    done += 1;
    progress.update({ phase: 'resolving', label: specLabel(spec), done, total, requests: hub.stats.requests });
    return src;
  };
  progress.update({ phase: 'resolving', done, total, requests: 0 });
  // Resolve every model, and load the wasm module meanwhile.
  const wasmP = wasmModule(env, loadWasm);
  wasmP.catch(() => {});  // awaited below; avoid an unhandled rejection while the models resolve
  const opened = await Promise.all(roles.map(([flag, spec]) => resolveOne(flag, spec)));
  const k = opts.parents.length;
  const byRole = {
    suspect: opened[0],
    parents: opened.slice(1, 1 + k),
    base: opened[1 + k],
    control: opts.control ? opened.at(-1) : null,
  };
  const wasm = await wasmP;
  const cache = opts.cache ? await openByteCache(progress) : null;
  return runAnalysis({
    ...byRole,
    budget: opts.budget,
    seed: opts.seed,
    wasm,
    cache,
    signal,
    hub,
    endpoint: opts.endpoint,
    pageUrl: env.MERGEPROBE_PAGE_URL || undefined,
    onProgress: (ev) => progress.update(ev),
  });
}

async function main(argv = process.argv.slice(2), env = process.env) {
  const progress = createProgress({ stream: process.stderr });
  let opts = null;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    opts = parseCli(argv, { env });
    if (opts.action === 'help') { await writeAll(process.stdout, USAGE); return EXIT.OK; }
    if (opts.action === 'version') { await writeAll(process.stdout, `${version()}\n`); return EXIT.OK; }
    const report = await verify(opts, env, progress, controller.signal);
    progress.finish();
    let text = '';
    if (!opts.json && (report.lineage || report.schema === 'mergeprobe.lineage/1')) {
      // Discovery: the lineage first, then (when roles were found) the usual verification.
      const { formatLineage } = await import('../web/lib/discover/format.mjs');
      text = formatLineage(report.lineage ?? report) + (report.lineage ? '\n' : '');
    }
    if (!opts.json && report.schema !== 'mergeprobe.lineage/1') text += formatReport(report);
    await writeAll(process.stdout, opts.json ? `${JSON.stringify(report, null, 2)}\n` : text);
    return EXIT.OK;
  } catch (err) {
    progress.finish();
    const code = controller.signal.aborted ? EXIT.INTERRUPTED : exitCodeFor(err);
    const msg = code === EXIT.INTERRUPTED ? 'interrupted' : messageFor(err, { endpoint: opts?.endpoint, token: Boolean(opts?.token) });
    let text = `mergeprobe: ${msg}\n`;
    if (code === EXIT.USAGE && err?.code === 'usage' && !/--help/.test(msg)) text += 'Run mergeprobe --help for the options.\n';
    if (code === EXIT.INTERNAL && env.MERGEPROBE_DEBUG === '1' && err?.stack) text += `${err.stack}\n`;
    await writeAll(process.stderr, text);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// Exit explicitly once the output is flushed: idle keep-alive sockets must not hold the process.
main().then((code) => process.exit(code));
