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
import { LINEAGE_SCHEMA } from '../js/engine/defaults.mjs';
import { formatModelId } from '../js/io/hub/model-id.mjs';

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
  return hub.resolveModel(spec.repo, spec.revision, { signal, select: spec });
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

const ROLE_FLAG = { suspect: '--suspect', parent: '--parent', base: '--base', control: '--control' };

/** How resolveModels opens a CLI model argument (a local path, or a hub repo at a revision). */
const opener = (hub, signal) => ({
  isLocal: (spec) => spec.kind === 'local',
  open: (spec, role) => openModel(spec, ROLE_FLAG[role.replace(/ \d+$/, '')], hub, signal),
});

/** The hub client, with the CLI's words for 429 waits and stalls. */
async function makeHub(opts, progress, signal) {
  const { HubClient } = await import('../js/io/hub/client.mjs');
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
  return hub;
}

/**
 * A role not given: find it (js/discover/lineage.mjs), then verify the chosen roles. The pinned
 * roles are resolved first and kept; the rest come from the suspect's card, the model tree and
 * models of the same architecture.
 */
async function discoverAndVerify(opts, env, progress, signal) {
  const { runAnalysis } = await import('../js/engine/run-analysis.mjs');
  const { resolveModels } = await import('../js/engine/resolve-models.mjs');
  const { verifyFromSuspect } = await import('../js/discover/lineage.mjs');
  const hub = await makeHub(opts, progress, signal);
  progress.update({ phase: 'resolving', done: 0, total: 1, requests: 0 });
  const wasmP = wasmModule(env);
  wasmP.catch(() => {});
  const { suspect, parents, base, control } = await resolveModels(opts, opener(hub, signal));
  const cache = opts.cache ? await openByteCache(progress) : null;
  return verifyFromSuspect({
    hub, suspect, signal, runAnalysis,
    named: opts.candidates.map((c) => formatModelId(c, { short: true })),
    pinned: { parents, base },
    budget: opts.maxCandidates ? { maxCandidates: opts.maxCandidates } : {},
    onProgress: (ev) => progress.update(ev),
    analysis: {
      control, budget: opts.budget, seed: opts.seed, wasm: await wasmP, cache, signal, endpoint: opts.endpoint,
      pageUrl: env.MERGEPROBE_PAGE_URL || undefined, onProgress: (ev) => progress.update(ev),
    },
  });
}

async function verify(opts, env, progress, signal) {
  if (opts.discover) return discoverAndVerify(opts, env, progress, signal);
  const { runAnalysis } = await import('../js/engine/run-analysis.mjs');
  const { resolveModels } = await import('../js/engine/resolve-models.mjs');
  const hub = await makeHub(opts, progress, signal);

  const total = 2 + opts.parents.length + (opts.control ? 1 : 0);  // every role pinned (else discovery)
  const resolved = (done, spec) => progress.update({ phase: 'resolving', label: specLabel(spec), done, total, requests: hub.stats.requests });
  progress.update({ phase: 'resolving', done: 0, total, requests: 0 });
  // Resolve every model, and load the wasm module meanwhile.
  const wasmP = wasmModule(env);
  wasmP.catch(() => {});  // awaited below; avoid an unhandled rejection while the models resolve
  const byRole = await resolveModels(opts, { ...opener(hub, signal), onResolved: (done, _, spec) => resolved(done, spec) });
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
    let text = '';
    if (!opts.json && (report.lineage || report.schema === LINEAGE_SCHEMA)) {
      // Discovery: the lineage first, then (when roles were found) the usual verification.
      const { formatLineage } = await import('./lineage-format.mjs');
      text = formatLineage(report.lineage ?? report) + (report.lineage ? '\n' : '');
    }
    if (!opts.json && report.schema !== LINEAGE_SCHEMA) text += formatReport(report);
    await writeAll(process.stdout, opts.json ? `${jsonForTerminal(report)}\n` : text);
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
