// Argument parsing for `mergeprobe verify`. Pure: no I/O except an existence check for local
// paths (injectable), so every rule is unit-tested without spawning the CLI. Every mistake becomes
// a UsageError (exit code 2) whose message says what to type instead.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tokenProblem } from '../js/io/hub/token.mjs';
import { formatModelId, parseModelId } from '../js/io/hub/model-id.mjs';
import { DEFAULT_ENDPOINT, MAX_PARENTS } from '../js/engine/defaults.mjs';
import { LIMITS } from '../js/discover/candidates.mjs';

export { DEFAULT_ENDPOINT, MAX_PARENTS };

import { DEFAULT_BUDGET, MAX_BUDGET, MIN_BUDGET, formatBudget, parseBudget as parseSize } from '../js/engine/budget.mjs';

// The budget's default, units and limits are the page's too (budget.mjs).
export { DEFAULT_BUDGET, MIN_BUDGET, MAX_BUDGET } from '../js/engine/budget.mjs';
/** --max-candidates above this would defeat the point of a cheap screen (and the rate limit). */
export const MAX_CANDIDATES_LIMIT = 200;

export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
    this.code = 'usage';
  }
}

/**
 * --budget: budget.mjs's rule, a plain number in bytes; each mistake a UsageError naming the flag.
 * @param {string} text
 * @returns {number}
 */
export function parseBudget(text) {
  try {
    return parseSize(text);
  } catch (e) {
    throw new UsageError(`--budget: ${e.message}`);
  }
}

/**
 * A non-negative decimal integer up to 2^53-1 (the engine passes it as a JS number).
 * @param {string} text
 */
export function parseSeed(text) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) {
    throw new UsageError(`--seed ${JSON.stringify(text)} is not a non-negative integer: use e.g. --seed 0`);
  }
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed must be at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/**
 * A local path: starts with ./ ../ / (or ~/, or a Windows drive) or exists on disk.
 * @param {string} spec @param {(p: string) => boolean} [exists]
 */
export function isLocalPath(spec, exists = existsSync) {
  if (/^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/])/.test(spec) || spec === '.' || spec === '..') return true;
  return exists(spec);
}

/**
 * One model argument -> { kind: 'hub', repo, revision } | { kind: 'local', path }. Hub ids go
 * through the one parser the page and share links use (owner/name, @rev, pasted hub URLs).
 * @param {string} spec
 * @param {string} flag   for messages, e.g. "--parent"
 * @param {(p:string)=>boolean} [exists]
 */
export function parseModelSpec(spec, flag, exists = existsSync) {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new UsageError(`${flag} needs a value: OWNER/NAME[@REV] or a local path`);
  }
  if (isLocalPath(spec, exists)) return { kind: 'local', path: spec };
  try {
    const { repo, revision, file, quant } = parseModelId(spec);
    return { kind: 'hub', repo, revision, ...(file ? { file } : {}), ...(quant ? { quant } : {}) };
  } catch (e) {
    if (/** @type {any} */ (e)?.code === 'RevisionNotFound') {
      throw new UsageError(`${flag} ${JSON.stringify(spec)}: empty or invalid revision after "@"`);
    }
    if (/** @type {any} */ (e)?.code === 'EntryNotFound') throw new UsageError(`${flag} ${JSON.stringify(spec)}: ${/** @type {any} */ (e).message}`);
    throw new UsageError(
      `${flag} ${JSON.stringify(spec)} is neither a Hub repo id (OWNER/NAME[@REV][:QUANT]) nor an existing path ` +
      '(start local paths with ./ or /)');
  }
}

/** Spec back to the text a person typed (for messages). */
export function specLabel(spec) {
  if (spec.kind === 'local') return spec.path;
  return formatModelId(spec, { short: true });
}

function parseEndpoint(text, origin) {
  let url;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${origin} ${JSON.stringify(text)} is not a URL: use e.g. https://huggingface.co`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${origin} must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  return url.href.replace(/\/+$/, '');
}

/** @satisfies {NonNullable<Parameters<typeof import('node:util').parseArgs>[0]>['options']} */
const OPTIONS = {
  suspect: { type: 'string', multiple: true },
  parent: { type: 'string', multiple: true },
  base: { type: 'string', multiple: true },
  control: { type: 'string', multiple: true },
  candidate: { type: 'string', multiple: true },
  'max-candidates': { type: 'string', multiple: true },
  endpoint: { type: 'string', multiple: true },
  budget: { type: 'string', multiple: true },
  seed: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

function single(values, name) {
  const v = values[name];
  if (v === undefined) return undefined;
  if (v.length > 1) throw new UsageError(`--${name} given ${v.length} times: give it once`);
  return v[0];
}

/**
 * argv (without node and the script) + environment -> the run's options, or a help/version request.
 * @param {string[]} argv
 * @param {{ env?: Record<string,string|undefined>, exists?: (p:string)=>boolean }} [ctx]
 * @returns {{ action: 'help' } | { action: 'version' } | { action: 'verify', suspect, parents, base,
 *   control, candidates, maxCandidates, discover, endpoint, token, budget, seed, json, cache, wait }}
 */
export function parseCli(argv, { env = process.env, exists = existsSync } = {}) {
  // node:util calls "--seed -1" ambiguous (the value looks like a flag): a number is a value, so
  // join it ("--seed=-1") and let the value checks say what is wrong with it.
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([a-z-]+)$/.exec(argv[i])?.[1];
    if (name && OPTIONS[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) args.push(`${argv[i]}=${argv[++i]}`);
    else args.push(argv[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util's messages name the option; add what to do.
    const msg = String(e.message).replace(/\.? *To specify a positional argument.*$/s, '');
    throw new UsageError(`${msg.replace(/\.$/, '')} (see mergeprobe --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { action: 'help' };
  if (values.version) return { action: 'version' };
  if (positionals.length === 0) throw new UsageError('missing command: use mergeprobe verify --suspect ... (see --help)');
  if (positionals[0] !== 'verify') {
    throw new UsageError(`unknown command ${JSON.stringify(positionals[0])}: the only command is "verify" (see --help)`);
  }
  if (positionals.length > 1) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}: models are given with --suspect/--parent/--base`);
  }

  const suspectText = single(values, 'suspect');
  if (suspectText === undefined) throw new UsageError('missing --suspect OWNER/NAME[@REV]: the model to check');
  const parentTexts = values.parent ?? [];
  if (parentTexts.length > MAX_PARENTS) throw new UsageError(`at most ${MAX_PARENTS} --parent models are supported, got ${parentTexts.length}`);
  const baseText = single(values, 'base');
  const controlText = single(values, 'control');

  const suspect = parseModelSpec(suspectText, '--suspect', exists);
  const parents = parentTexts.map((p) => parseModelSpec(p, '--parent', exists));
  const base = baseText === undefined ? null : parseModelSpec(baseText, '--base', exists);
  const control = controlText === undefined ? null : parseModelSpec(controlText, '--control', exists);
  // Other candidates, without roles (js/discover/): Hub repos, since the model tree is the Hub's.
  const candidates = (values.candidate ?? []).map((c) => {
    const spec = parseModelSpec(c, '--candidate', exists);
    if (spec.kind !== 'hub') throw new UsageError(`--candidate ${c}: candidates are Hub repo ids (OWNER/NAME[@REV]); pin a local model with --parent or --base`);
    return spec;
  });
  const maxText = single(values, 'max-candidates');
  let maxCandidates = null;
  if (maxText !== undefined) {
    if (!/^\d+$/.test(maxText.trim()) || !(Number(maxText) >= 1 && Number(maxText) <= MAX_CANDIDATES_LIMIT)) {
      throw new UsageError(`--max-candidates ${JSON.stringify(maxText)}: give a whole number from 1 to ${MAX_CANDIDATES_LIMIT}`);
    }
    maxCandidates = Number(maxText);
  }
  // Any role not given is discovered (and so is everything, with other candidates named).
  const discover = parents.length === 0 || base === null || candidates.length > 0;
  if (discover && suspect.kind !== 'hub') {
    throw new UsageError('missing --base OWNER/NAME[@REV] (or --parent): finding the roles needs a Hub suspect, ' +
      'whose model tree is searched; for a local suspect give --parent and --base');
  }

  const endpointFlag = single(values, 'endpoint');
  const endpoint = endpointFlag !== undefined
    ? parseEndpoint(endpointFlag, '--endpoint')
    : env.HF_ENDPOINT ? parseEndpoint(env.HF_ENDPOINT, 'HF_ENDPOINT') : DEFAULT_ENDPOINT;
  const budgetText = single(values, 'budget');
  const seedText = single(values, 'seed');
  // Surrounding whitespace (a newline from `echo`) is dropped; whitespace inside is an error.
  const token = env.HF_TOKEN ? env.HF_TOKEN.trim() || undefined : undefined;
  const bad = tokenProblem(token);
  if (bad) throw new UsageError(`HF_TOKEN: ${bad}`);

  return {
    action: 'verify',
    suspect,
    parents,
    base,
    control,
    candidates,
    maxCandidates,
    discover,
    endpoint,
    token,
    budget: budgetText === undefined ? DEFAULT_BUDGET : parseBudget(budgetText),
    seed: seedText === undefined ? 0 : parseSeed(seedText),
    json: Boolean(values.json),
    cache: !values['no-cache'],
    wait: !values['no-wait'],
  };
}

export const USAGE = `mergeprobe verify: is a model a merge of others? Checked from the weights alone,
reading a sample of tensor rows with HTTP range requests.

Usage:
  mergeprobe verify --suspect OWNER/NAME[@REV] [--parent OWNER/NAME[@REV] ...]
                    [--base OWNER/NAME[@REV]] [--candidate OWNER/NAME[@REV] ...]
                    [--max-candidates 20] [--control OWNER/NAME[@REV]]
                    [--endpoint URL] [--budget ${formatBudget(DEFAULT_BUDGET)}] [--seed N] [--json] [--no-cache] [--no-wait]
  mergeprobe --help | --version

Models (a local file or folder works wherever a repo id does: ./path, ../path, /path):
  --suspect   the model to check (C); alone, its parents and base are found (see README
              "Finding the parents"): candidates from its card, the model tree and models of
              the same architecture, screened with a few KB each, then the best verified
  --parent    pins a parent (A_i); repeat for a merge of several (at most ${MAX_PARENTS})
  --base      pins the common base model (B) the deltas C - B and A_i - B are measured from
  --candidate another model to consider, in any role and any order (repeatable)
  --max-candidates N  screen at most N candidates (default ${LIMITS.MAX_CANDIDATES})
  --control   another fine-tune of the same base, measured like the suspect (a calibrated null)

Options:
  --endpoint URL  Hub endpoint (default: $HF_ENDPOINT, else ${DEFAULT_ENDPOINT})
  --budget SIZE   tensor bytes to fetch in total, all models together (default ${formatBudget(DEFAULT_BUDGET)});
                  units B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024);
                  ${formatBudget(MIN_BUDGET)} to ${formatBudget(MAX_BUDGET)}, all held in memory during the run
  --seed N        sampling seed, a non-negative integer (default 0): same seed, same rows
  --json          print the JSON report (schema mergeprobe.report/1) and nothing else on stdout
  --no-cache      do not read or write the local cache of fetched bytes
  --no-wait       when the Hub rate-limits (HTTP 429), stop at once and say how long to wait;
                  by default the run waits (up to one 5-minute window) and goes on
  -h, --help      this text
  -V, --version   the version

Environment: HF_TOKEN (a Hub token, for gated or private repos), HF_ENDPOINT, MERGEPROBE_CACHE
(cache folder, or "off").
Progress goes to stderr. Exit codes: 0 the analysis ran (whatever the verdict), 2 usage error,
3 hub, network or authorisation error, 4 the models cannot be compared.
`;
