#!/usr/bin/env node
// mergeprobe verify: the command line over js/engine/run-analysis.mjs (the same engine the page runs).
// stdout carries only the report (text, or JSON with --json); progress and notes go to stderr.
// Exit codes: 0 the analysis ran (whatever the verdict), 2 usage, 3 hub/network/authorisation,
// 4 the models cannot be compared, 1 unexpected, 130 interrupted. See README.md "Command line".
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { USAGE, UsageError, parseCli, specLabel } from './args.mjs';
import { EXIT, exitCodeFor, messageFor } from './errors.mjs';
import { formatReport } from './format.mjs';
import { createProgress } from './progress.mjs';
import { jsonForTerminal, termSafe } from './term.mjs';

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
 * build in another directory), else the source tree's build/wasm.
 */
async function wasmModule(env) {
  const { loadWasm, useWasmDir } = await import('../js/io-node/wasm.mjs');
  const dir = env.MERGEPROBE_WASM_DIR;
  if (dir) {
    const wasmPath = resolve(dir, 'mergeprobe.wasm');
    if (!existsSync(wasmPath)) throw new UsageError(`MERGEPROBE_WASM_DIR: ${wasmPath} not found: build it or unset the variable`);
    useWasmDir(dir);
  }
  return loadWasm();
}

/** A model argument -> a ModelSource (hub repo resolved to its commit SHA, or a local path). */
async function openModel(spec, flag, hub, signal) {
  if (spec.kind === 'local') {
    if (!existsSync(spec.path)) throw new UsageError(`${flag} ${spec.path}: no such file or folder`);
    const { openLocalModel } = await import('../js/io-node/local-model.mjs');
    return openLocalModel(spec.path);
  }
  return hub.resolveModel(spec.repo, spec.revision, { signal });
}

/**
 * The folder cache of immutable header/index bytes (js/io/cache.mjs: MERGEPROBE_CACHE, else
 * ~/.cache/mergeprobe). A cache that cannot be opened only costs speed: say so and go on.
 */
async function openByteCache(progress) {
  try {
    const { openFolderCache } = await import('../js/io-node/folder-cache.mjs');
    return await openFolderCache();
  } catch (e) {
    progress.note(`cache disabled (${String(e?.message ?? e).split('\n')[0]})`);
    return null;
  }
}

async function verify(opts, env, progress, signal) {
  if (!opts.base && (opts.parents.length !== 1 || opts.suspect.kind !== 'hub')) {
    throw new UsageError('missing --base OWNER/NAME[@REV]: the common base model is needed to measure the deltas ' +
      '(C - B, A - B); it can be left out only with one parent and a hub suspect whose mergekit_config.yml or ' +
      'model card names the base');
  }
  const { HubClient } = await import('../js/io/hub/client.mjs');
  const { runAnalysis } = await import('../js/engine/run-analysis.mjs');
  const { resolveModels } = await import('../js/engine/resolve-models.mjs');
  const { fmtSeconds } = await import('../js/io/hub/retry.mjs');
  const hub = new HubClient({
    endpoint: opts.endpoint, token: opts.token, signal, noWait: !opts.wait,
    // A 429 is waited out (what was fetched is kept); say so, since the run may sit still for minutes.
    onWait: (ev) => progress.note(`rate-limited by ${ev.host}: waiting ${fmtSeconds(ev.ms)} (the Hub counts requests ` +
      'in 5-minute windows); --no-wait to stop instead'),
    onStall: (ev) => progress.note(`${ev.host} sent ${ev.kind === 'head' ? 'no answer' : 'no data'} for ${fmtSeconds(ev.ms)}` +
      ` (${ev.repo}${ev.path ? '/' + ev.path : ''}): trying again`),
  });
  progress.watch?.(() => ({ stalledMs: hub.stalledMs(), host: new URL(opts.endpoint).host }));

  const FLAG = { suspect: '--suspect', parent: '--parent', base: '--base', control: '--control' };
  const total = 2 + opts.parents.length + (opts.control ? 1 : 0);
  const resolved = (done, spec) => progress.update({ phase: 'resolving', label: specLabel(spec), done, total, requests: hub.stats.requests });
  progress.update({ phase: 'resolving', done: 0, total, requests: 0 });
  // Resolve every model, and load the wasm module meanwhile.
  const wasmP = wasmModule(env);
  wasmP.catch(() => {});  // awaited below; avoid an unhandled rejection while the models resolve
  const how = {
    isLocal: (spec) => spec.kind === 'local',
    open: (spec, role) => openModel(spec, FLAG[role.replace(/ \d+$/, '')], hub, signal),
  };
  const byRole = await resolveModels(opts, { ...how, onResolved: (done, _, spec) => resolved(done, spec) });
  if (!byRole.base) {
    // The resolved suspect carries its card's base_model list and relation (js/io/hub/client.mjs resolveModel);
    // mergekit's config, when the repo has one, names the base itself (js/engine/choose-base.mjs).
    const { chooseBase, readMergekitBase } = await import('../js/engine/choose-base.mjs');
    const s = byRole.suspect;
    const mergekit = await readMergekitBase(s, { signal });
    const { spec, source } = chooseBase({ baseModels: s.baseModels, relation: s.baseRelation, mergekit }, opts.parents[0], opts.suspect.repo);
    progress.note(`no --base given: using ${spec.repo}, ${source}`);
    byRole.base = await openModel(spec, '--base', hub, signal);
    resolved(total, spec);
  }
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
  /** @type {(ReturnType<typeof parseCli> & {endpoint?: string, token?: string}) | null} */
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
    await writeAll(process.stdout, opts.json ? `${jsonForTerminal(report)}\n` : formatReport(report));
    return EXIT.OK;
  } catch (err) {
    progress.finish();
    const code = controller.signal.aborted ? EXIT.INTERRUPTED : exitCodeFor(err);
    const msg = code === EXIT.INTERRUPTED ? 'interrupted' : messageFor(err, { endpoint: opts?.endpoint, token: Boolean(opts?.token) });
    // Messages carry names from files, repos and servers: escaped, as the report is.
    let text = `mergeprobe: ${termSafe(msg)}\n`;
    if (code === EXIT.USAGE && err?.code === 'usage' && !/--help/.test(msg)) text += 'Run mergeprobe --help for the options.\n';
    if (code === EXIT.INTERNAL && env.MERGEPROBE_DEBUG === '1' && err?.stack) text += `${err.stack.split('\n').map(termSafe).join('\n')}\n`;
    await writeAll(process.stderr, text);
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

// Exit explicitly once the output is flushed: idle keep-alive sockets must not hold the process.
main().then((code) => process.exit(code));
