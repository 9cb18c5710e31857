// From an error to the CLI's exit code and a one-line message that says what to do.
// Exit codes (README.md "Command line"): 0 the analysis ran, 2 usage, 3 hub/network/authorisation,
// 4 the models cannot be compared, 1 anything unexpected (a bug: the only case with a stack trace,
// and only with MERGEPROBE_DEBUG=1), 130 interrupted.

export const EXIT = Object.freeze({ OK: 0, INTERNAL: 1, USAGE: 2, HUB: 3, INCOMPARABLE: 4, INTERRUPTED: 130 });

// HubError.code values (docs/ARCHITECTURE.md, js/io/hub/client.mjs).
const HUB_CODES = new Set([
  'RepoNotFound', 'GatedRepo', 'RevisionNotFound', 'EntryNotFound', 'Unauthorized', 'Disabled',
  'RateLimited', 'Network', 'RangeIgnored', 'BadResponse', 'NotSupported', 'GgufChoice',
]);
// The engine's codes for models that cannot be compared; a core error reaches here as one of
// them (run-analysis.mjs coreError: the core names the kind), its own name kept in `rule`.
const INCOMPARABLE_CODES = new Set(['incomparable', 'invalid-file']);
// Node's network errors when fetch() never got an HTTP answer (undici puts them on err.cause).
const NET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
]);

function netCode(err) {
  for (let e = err, i = 0; e && i < 5; e = e.cause, i++) {
    if (typeof e.code === 'string' && NET_CODES.has(e.code)) return e.code;
    if (Array.isArray(e.errors)) {  // AggregateError from happy-eyeballs connects
      const inner = e.errors.find((x) => x && NET_CODES.has(x.code));
      if (inner) return inner.code;
    }
  }
  return null;
}

/** @param {any} err */
export function exitCodeFor(err) {
  if (!err || typeof err !== 'object') return EXIT.INTERNAL;
  // 'budget': the engine could not allocate what the plan needs; a smaller --budget fixes it.
  if (err.code === 'usage' || err.code === 'budget') return EXIT.USAGE;
  if (err.code === 'Aborted' || err.code === 'aborted' || err.name === 'AbortError') return EXIT.INTERRUPTED;
  if (err.name === 'HubError') return EXIT.HUB;
  // node-sources.mjs reports a local path without weights as a plain Error with code
  // EntryNotFound: the user named the wrong path.
  if (err.code === 'EntryNotFound') return EXIT.USAGE;
  if (HUB_CODES.has(err.code)) return EXIT.HUB;
  if (INCOMPARABLE_CODES.has(err.code)) return EXIT.INCOMPARABLE;
  if (netCode(err)) return EXIT.HUB;
  // A local path that is not there, or not readable: the user named it, so it is a usage error.
  if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EACCES' || err.code === 'EISDIR') {
    return EXIT.USAGE;
  }
  return EXIT.INTERNAL;
}

function where(err) {
  const parts = [];
  if (err.repo) parts.push(err.repo);
  if (err.path) parts.push(err.path);
  return parts.join(' ');
}

/**
 * One line, no stack: what went wrong and what to do.
 * @param {any} err
 * @param {{ endpoint?: string, token?: boolean }} [ctx]
 */
export function messageFor(err, ctx = {}) {
  const base = String(err?.message ?? err).split('\n')[0].replace(/\.$/, '');
  const repo = err?.repo ?? 'the repository';
  const ep = ctx.endpoint ?? 'the hub';
  switch (exitCodeFor(err)) {
    case EXIT.USAGE:
      if (err.code === 'usage') return base;
      if (err.code === 'budget') return /budget/.test(base) ? `${base} (--budget)` : `${base}: try a smaller --budget`;
      return `${base}: check the local path (see mergeprobe --help)`;
    case EXIT.INTERRUPTED:
      return 'interrupted';
    case EXIT.INCOMPARABLE:
      // Over the index cap: the file may be fine, re-downloading does not help; the message says it all.
      if (err.rule === 'IndexTooLarge' || err.code === 'IndexTooLarge') return base;
      if (err.code === 'invalid-file' || /Header|Offset|Overflow|Slice|Info|Buffer|Index|Shard/.test(err.code)) {
        // The core's GGUF rules are named Gguf...; a GGUF file's name says it too.
        const format = /^Gguf/.test(err.rule ?? '') || /\.gguf\b/i.test(base) ? 'GGUF' : 'safetensors';
        return `${base}: the file is not a valid ${format} file (re-download it, or check the revision)`;
      }
      return `${base}: the models cannot be compared; check that they share an architecture and that --base is their common base`;
    case EXIT.HUB:
      switch (err.code) {
        case 'RepoNotFound':
          return `${repo} was not found on ${ep}: check the name` + (ctx.token ? ' and that HF_TOKEN can see it' : '; for a private repo set HF_TOKEN');
        case 'GatedRepo':
          return ctx.token
            ? `${repo} is gated and this token has no access: accept its conditions on the model page, then retry`
            : `${repo} is gated: accept its conditions on the model page and set HF_TOKEN to a token of that account`;
        case 'Unauthorized':
          return `${ep} refused the credentials for ${repo}: check HF_TOKEN (a read token of an account with access)`;
        case 'RevisionNotFound':
          return `${base}: revision not found in ${repo}; check the @REV (a branch, tag or 40-hex commit)`;
        case 'EntryNotFound':
          return `${base}: file ${err.path ?? ''} not found in ${repo} at that revision`.replace(/ {2,}/g, ' ');
        case 'GgufChoice':  // none or several GGUF files match: the message lists them
          return base;
        case 'Disabled':
          return `${repo} is disabled on the hub: it cannot be read`;
        case 'RateLimited':
          // the hub client says how long the server asked to wait (or up to the 5-minute window).
          if (/wait/.test(base)) return base;
          return `${ep} is rate-limiting requests: wait a few minutes` + (ctx.token ? '' : ', or set HF_TOKEN (higher limits)');
        case 'RangeIgnored':
          return `${base}: the server ignored HTTP range requests; use another --endpoint`;
        case 'BadResponse':
          return `${base}${where(err) ? ` (${where(err)})` : ''}: unexpected answer from ${ep}; retry later or check --endpoint`;
        default: {
          // Our own timeouts (js/io/hub/retry.mjs): the server was reached and went silent.
          if (err.cause?.name === 'StallError') return `${base}`;
          const c = netCode(err);
          return `cannot reach ${ep}${c ? ` (${c})` : ''}: check your network connection, --endpoint or HF_ENDPOINT`;
        }
      }
    default:
      // The wasm module is missing or could not get its memory (wasm-loader.mjs): not a bug.
      if (err?.code === 'setup' || err?.code === 'memory') return base;
      return `internal error: ${base} (please report it; MERGEPROBE_DEBUG=1 shows the stack)`;
  }
}
