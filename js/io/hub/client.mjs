// Hugging Face Hub client: revision -> commit SHA, then single-range reads of files at that SHA.
// Runs unchanged in the browser (fetch + CORS) and in Node 20 (global fetch). Facts it relies on
// are in shared/hf-hub-protocol.md (§n below).
//
// Request shapes are chosen so a browser never sends a preflight to the CDN (§2.4, §2.7): only
// `Range: bytes=a-b` (never suffix or multi-range), no custom headers, and no Authorization on the
// CDN. The token goes only to the hub origin, and only for a model that needs it (§9): the first API
// call of a model goes without it, and the token is added (and kept for that model's /resolve/ and
// paths-info calls) only when the answer says `gated` or `private`, or a 401/404 that a token may
// lift. Public repos never see it, so an older Chromium that keeps Authorization on the cross-origin
// redirect cannot carry it to the CDN. Where it is sent, fetch drops it on the redirect to the CDN
// (§2.6), and when we call the remembered CDN URL directly we do not add it.
//
// One /resolve/ per file touched: the first read of a file follows the redirect, and the final
// response.url (the signed CDN URL) serves every later range of that file. A 403 from the CDN means
// the signature expired: resolve once more and retry. Signed URLs are also remembered per
// module (hub-retry.mjs) for their hour, so a rerun in the same page session skips /resolve/.
//
// Timeouts, 429 waits and their constants: hub-retry.mjs.
//
// Weights: a repo with model.safetensors.index.json is read through the index (even when a
// model.safetensors also exists, the index is what transformers loads); model.safetensors alone is
// read as a single file; anything else is an EntryNotFound error. The file list is the model info's
// `siblings`, or, when that is empty, 1,000+ long or without weights, the tree or paths-info
// (hub-listing.mjs, spec §9).

import { checkRange, abortError } from '../byte-source.mjs';
import { tokenProblem } from './token.mjs';
import {
  HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_RATE_WAITS, RATE_WINDOW_MS, RATE_WAIT_MARGIN_MS, StallError, fmtSeconds,
  forgetCdnUrl, hostOf, rateLimitWaitMs, rememberCdnUrl, rememberedCdnUrl, retryHintMs, stallOf, watchdog,
} from './retry.mjs';
import { siblingsDoubt, listTree, pathsInfo } from './listing.mjs';

/** @typedef {import('../byte-source.mjs').ByteSource} ByteSource */
/** @typedef {import('../byte-source.mjs').ModelSource} ModelSource */
/** @typedef {import('../byte-source.mjs').Sink} Sink */

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

const SHA_RE = /^[0-9a-f]{40}$/;
const SEGMENT_RE = /^[A-Za-z0-9._-]+$/;

/**
 * code: 'RepoNotFound' | 'GatedRepo' | 'RevisionNotFound' | 'EntryNotFound' | 'Unauthorized' |
 *       'Disabled' | 'RateLimited' | 'Network' | 'RangeIgnored' | 'BadResponse' | 'Aborted' |
 *       'NotSupported' (an optional endpoint, e.g. paths-info on a mirror, answered 404/501)
 */
export class HubError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{status?: number, repo?: string, path?: string, cause?: unknown}} [info]
   */
  constructor(code, message, info = {}) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'HubError';
    this.code = code;
    this.status = info.status ?? 0;
    this.repo = info.repo ?? '';
    this.path = info.path ?? '';
  }
}

/**
 * 'owner/name' or 'owner/name@rev' -> {repo, revision}. rev: a branch, a tag, refs/pr/N or a SHA.
 * @param {string} id
 * @returns {{repo: string, revision: string}}
 */
export function parseModelId(id) {
  if (typeof id !== 'string') throw new HubError('RepoNotFound', 'a model id must be a string like owner/name');
  let s = id.trim();
  // Accept a pasted hub URL too: https://huggingface.co/owner/name[/tree/rev]
  const url = /^https?:\/\/[^/]+\/([^/]+\/[^/?#]+)(?:\/tree\/([^?#]+))?\/?(?:[?#].*)?$/.exec(s);
  if (url) s = url[2] ? `${url[1]}@${decodeURIComponent(url[2])}` : url[1];
  const at = s.indexOf('@');
  const repo = at < 0 ? s : s.slice(0, at);
  const revision = at < 0 ? 'main' : s.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length !== 2 || !parts.every((p) => SEGMENT_RE.test(p) && p !== '.' && p !== '..')) {
    throw new HubError('RepoNotFound', `"${id}" is not a model id: expected owner/name or owner/name@revision`, { repo });
  }
  if (!revision || /[\s?#]/.test(revision) || revision.split('/').some((p) => p === '' || p === '..')) {
    throw new HubError('RevisionNotFound', `"${revision}" is not a valid revision (a branch, a tag, refs/pr/N or a commit SHA)`, { repo });
  }
  return { repo, revision };
}

/** A counting semaphore shared by every request of one client. */
class Semaphore {
  /** @param {number} n */
  constructor(n) {
    this.free = Math.max(1, n);
    /** @type {Array<() => void>} */
    this.waiting = [];
  }

  /** @param {AbortSignal} [signal] @returns {Promise<() => void>} */
  acquire(signal) {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); else this.free++;
    };
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(release);
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }
}

/** Marks a failure worth another try; `final` is what the caller sees when tries run out. */
class Retryable extends Error {
  /** @param {HubError} final @param {number} [waitMs] @param {boolean} [free] @param {boolean} [rate] */
  constructor(final, waitMs = 0, free = false, rate = false) {
    super(final.message);
    this.final = final;
    this.waitMs = waitMs; // server's hint (Retry-After / RateLimit t=), 0 when none
    this.free = free; // does not use up a try (e.g. re-resolving an expired CDN URL)
    this.rate = rate; // a 429: wait for the window instead of backing off, without using up a try
  }
}

/** @param {AbortSignal[]} signals */
function anySignal(signals) {
  const list = signals.filter(Boolean);
  if (list.length <= 1) return list[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(list);
  const ctrl = new AbortController();
  for (const s of list) {
    if (s.aborted) { ctrl.abort(s.reason); break; }
    s.addEventListener('abort', () => ctrl.abort(s.reason), { once: true });
  }
  return ctrl.signal;
}

/** @param {number} ms @param {AbortSignal} [signal] @param {Set<() => void>} [wakers] woken early by retryNow() */
function sleep(ms, signal, wakers) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const done = () => { clearTimeout(t); wakers?.delete(done); signal?.removeEventListener('abort', onAbort); resolve(undefined); };
    const t = setTimeout(done, ms);
    const onAbort = () => { clearTimeout(t); wakers?.delete(done); reject(abortError(signal)); };
    signal?.addEventListener('abort', onAbort, { once: true });
    wakers?.add(done);
  });
}

/** @param {unknown} e */
function isAbort(e) {
  return !!e && typeof e === 'object' && (/** @type {any} */ (e).name === 'AbortError' ||
    /** @type {any} */ (e).code === 'Aborted');
}

/**
 * 'bytes a-b/total' -> {start, end (inclusive), total (NaN when '*')}, or null.
 * @param {string | null} v
 */
export function parseContentRange(v) {
  const m = v && /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(v);
  if (!m) return null;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? NaN : Number(m[3]) };
}

/**
 * fetch gave up following redirects (undici: "redirect count exceeded"; browsers say nothing
 * more than TypeError, so there a loop stays a Network error).
 * @param {unknown} e
 */
function isRedirectLoop(e) {
  for (let c = /** @type {any} */ (e), i = 0; c && i < 4; c = c.cause, i++) {
    if (/redirect count exceeded|too many redirects|redirect loop/i.test(String(c.message ?? ''))) return true;
  }
  return false;
}

/** @param {Response} resp */
function discard(resp) {
  try { resp.body?.cancel().catch(() => {}); } catch { /* already used */ }
}

/** cardData.base_model (a string or a list) as a list of valid repo ids. @param {any} info */
function baseModelsOf(info) {
  const b = info?.cardData?.base_model;
  const list = Array.isArray(b) ? b : typeof b === 'string' ? [b] : [];
  return list.filter((x) => typeof x === 'string' && /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(x));
}

export class HubClient {
  /**
   * @param {Object} [o]
   * @param {string} [o.endpoint]
   * @param {string} [o.token]  sent only to the endpoint origin, for models that need it, never
   *   logged; one a header cannot carry throws (code 'usage') before any request
   * @param {typeof fetch} [o.fetch]
   * @param {number} [o.concurrency]  requests in flight, all files together
   * @param {number} [o.maxRetries]  tries per request (429, 5xx, network errors, short bodies)
   * @param {AbortSignal} [o.signal]  aborts everything this client does
   * @param {number} [o.maxWholeFileBytes]  when a server ignores Range, a file up to this size is
   *   used whole (sliced); a larger one aborts with RangeIgnored
   * @param {number} [o.retryBaseMs]  first backoff delay
   * @param {number} [o.retryMaxMs]  longest backoff between tries (not 429 waits)
   * @param {number} [o.headTimeoutMs]  no response head within this: retried (hub-retry.mjs HEAD_TIMEOUT_MS)
   * @param {number} [o.idleTimeoutMs]  no body byte for this long: resumed (IDLE_TIMEOUT_MS)
   * @param {number} [o.rateLimitMaxWaitMs]  longest wait after a 429 (one 5-minute window + margin)
   * @param {boolean} [o.noWait]  a 429 fails at once (saying how long to wait) instead of waiting
   * @param {(ev: {kind: 'head' | 'body', ms: number, host: string, repo?: string, path?: string}) => void} [o.onStall]
   *   a request timed out and is being tried again
   * @param {(ev: {reason: 'rate-limit', host: string, ms: number, until: number, hinted: boolean, repo?: string, path?: string}) => void} [o.onWait]
   *   a 429: about to wait `ms` (retryNow() ends the wait early)
   * @param {(ms: number, signal?: AbortSignal) => Promise<void>} [o.sleep]  tests: scaled time
   */
  constructor(o = {}) {
    this.endpoint = (o.endpoint ?? 'https://huggingface.co').replace(/\/+$/, '');
    this.origin = new URL(this.endpoint).origin;
    const bad = tokenProblem(o.token);
    if (bad) throw Object.assign(new Error(bad), { code: 'usage' });
    // Kept off enumerable properties so a console.log or JSON.stringify of the client shows no token.
    Object.defineProperty(this, '_token', { value: o.token || '', enumerable: false });
    const f = o.fetch ?? globalThis.fetch;
    this._fetch = /** @type {typeof fetch} */ ((url, init) => f(url, init));
    this.maxRetries = Math.max(1, o.maxRetries ?? 5);
    this.signal = o.signal;
    this.maxWholeFileBytes = o.maxWholeFileBytes ?? 1 << 20;
    this.retryBaseMs = o.retryBaseMs ?? 250;
    this.retryMaxMs = o.retryMaxMs ?? 60_000;
    this._sem = new Semaphore(o.concurrency ?? 16);
    /** live counters for progress: bytes of file content received, HTTP requests, /resolve/ calls */
    this.stats = { bytes: 0, requests: 0, resolveCalls: 0, retries: 0, stalls: 0, rateWaits: 0 };
    this.headTimeoutMs = o.headTimeoutMs ?? HEAD_TIMEOUT_MS;
    this.idleTimeoutMs = o.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.rateLimitMaxWaitMs = o.rateLimitMaxWaitMs ?? RATE_WINDOW_MS + RATE_WAIT_MARGIN_MS;
    this.noWait = !!o.noWait;
    this.onStall = o.onStall ?? (() => {});
    this.onWait = o.onWait ?? (() => {});
    /** the end of the last 429 wait announced through onWait */
    this._waitAnnouncedUntil = 0;
    /** @type {Set<() => void>} sleeps that retryNow() ends */
    this._wakers = new Set();
    this._sleep = o.sleep ?? ((ms, signal) => sleep(ms, signal, this._wakers));
    /** requests whose response head or body is awaited, and when the last byte of any arrived */
    this._waiting = 0;
    this._lastDataAt = Date.now();
    /** @type {WeakMap<object, Promise<void>>} in-flight paths-info calls per model */
    this._sizing = new WeakMap();
  }

  /** @param {string} id */
  parseModelId(id) {
    return parseModelId(id);
  }

  /**
   * Authorization for a URL: only on the hub origin, and only when `send` (the model needs it).
   * @param {string} url @param {boolean} [send]
   */
  _authHeaders(url, send = false) {
    const token = /** @type {any} */ (this)._token;
    return send && token && new URL(url).origin === this.origin ? { Authorization: `Bearer ${token}` } : {};
  }

  /** Ends every current wait (a 429 countdown or a backoff) now: the page's "Retry now". */
  retryNow() {
    for (const w of [...this._wakers]) w();
  }

  /**
   * How long requests have been waiting with no byte from any server (0 when none is waiting):
   * what a progress line shows as "no data for 12 s" before a timeout fires.
   */
  stalledMs(now = Date.now()) {
    return this._waiting > 0 ? Math.max(0, now - this._lastDataAt) : 0;
  }

  /** One more request awaiting bytes; the silence clock starts when the first one does. */
  _startWaiting() {
    if (this._waiting++ === 0) this._lastDataAt = Date.now();
  }

  /** @param {AbortSignal} [signal] */
  _signal(signal) {
    return anySignal([this.signal, signal].filter(Boolean));
  }

  /**
   * Runs `attempt` until it succeeds, retrying Retryable failures with exponential backoff and
   * jitter (or the server's hint when it gave one).
   * @template T
   * @param {(n: number) => Promise<T>} attempt
   * @param {AbortSignal | undefined} signal
   * @param {{repo?: string, path?: string}} ctx
   * @returns {Promise<T>}
   */
  async _retrying(attempt, signal, ctx) {
    let freeTries = 0;
    let rateWaits = 0;
    for (let n = 0; ; n++) {
      try {
        if (signal?.aborted) throw abortError(signal);
        return await attempt(n);
      } catch (e) {
        if (signal?.aborted || isAbort(e)) {
          if (e instanceof HubError && e.code === 'Aborted') throw e;
          throw new HubError('Aborted', 'aborted', { ...ctx, cause: e });
        }
        if (!(e instanceof Retryable)) throw e;
        if (e.free && freeTries++ < 2) { n--; continue; }
        if (e.rate) {
          await this._rateWait(e, rateWaits++, signal, ctx);
          n--; // a 429 wait is not a failed try: after the window the run goes on
          continue;
        }
        if (n + 1 >= this.maxRetries) throw e.final;
        this.stats.retries++;
        const backoff = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** n) * (0.5 + Math.random());
        await this._sleep(Math.min(this.retryMaxMs, Math.max(backoff, e.waitMs)), signal).catch((err) => {
          throw new HubError('Aborted', 'aborted', { ...ctx, cause: err });
        });
      }
    }
  }

  /**
   * After a 429: wait the longest hint (or a whole window when none is readable), capped at one
   * window plus a margin (§9), then let the caller try again; what was fetched is kept because the
   * run goes on. Fails instead with noWait, or when the server still refuses after three waits.
   * @param {Retryable} e @param {number} waitsSoFar @param {AbortSignal | undefined} signal
   * @param {{repo?: string, path?: string}} ctx
   */
  async _rateWait(e, waitsSoFar, signal, ctx) {
    const ms = rateLimitWaitMs(e.waitMs, this.rateLimitMaxWaitMs);
    const host = hostOf(this.endpoint);
    if (this.noWait || waitsSoFar >= MAX_RATE_WAITS) {
      const f = e.final;
      throw new HubError('RateLimited', `${host} is rate-limiting requests (HTTP 429) while reading ` +
        `${f.path ? `${f.repo}/${f.path}` : f.repo}: ${e.waitMs > 0 ? `it asks to wait ${fmtSeconds(ms)}` : 'wait up to 5 minutes'} ` +
        '(the Hub counts requests in 5-minute windows), then retry; an access token raises the limits',
      { status: 429, repo: f.repo, path: f.path, cause: f });
    }
    this.stats.rateWaits++;
    // Requests in flight together often get their 429s together: announce one wait, not sixteen.
    const until = Date.now() + ms;
    if (until > this._waitAnnouncedUntil + 1000) {
      this._waitAnnouncedUntil = until;
      this.onWait({ reason: 'rate-limit', host, ms, until, hinted: e.waitMs > 0, ...ctx });
    }
    await this._sleep(ms, signal).catch((err) => {
      throw new HubError('Aborted', 'aborted', { ...ctx, cause: err });
    });
  }

  /**
   * One fetch under the semaphore's accounting; network failures become Retryable.
   * The caller must release the returned `release` once the body is consumed.
   * @param {string} url
   * @param {RequestInit} init
   * @param {{repo?: string, path?: string}} ctx
   */
  async _send(url, init, ctx) {
    const outer = init.signal ?? undefined;
    const semRelease = await this._sem.acquire(/** @type {AbortSignal} */ (outer));
    // Our own controller, so the head timer can drop this request alone; the caller's signal
    // still aborts it (and its body) through the link.
    const own = new AbortController();
    const link = () => own.abort(outer?.reason);
    if (outer?.aborted) link(); else outer?.addEventListener('abort', link, { once: true });
    const release = () => { outer?.removeEventListener('abort', link); semRelease(); };
    const head = watchdog(own, this.headTimeoutMs, 'head');
    this._startWaiting();
    try {
      this.stats.requests++;
      const resp = await this._fetch(url, { ...init, signal: own.signal });
      this._lastDataAt = Date.now();
      return { resp, release };
    } catch (e) {
      release();
      const stall = stallOf(e, own.signal);
      if (stall && !outer?.aborted) throw this._stalled(stall, url, ctx);
      if (outer?.aborted || isAbort(e)) throw e;
      if (isRedirectLoop(e)) {
        throw new HubError('BadResponse', `the server redirected too many times (a redirect loop) while ` +
          `reading ${ctx.repo || url}${ctx.path ? '/' + ctx.path : ''}: the hub or a proxy between is misconfigured`, { ...ctx, cause: e });
      }
      throw new Retryable(this._networkError(ctx, e));
    } finally {
      head.clear();
      this._waiting--;
    }
  }

  /**
   * A request our timer dropped: counted, reported to progress, and retried (it uses up a try).
   * @param {StallError} stall @param {string} url @param {{repo?: string, path?: string}} ctx
   */
  _stalled(stall, url, ctx) {
    this.stats.stalls++;
    const host = hostOf(url);
    this.onStall({ kind: stall.kind, ms: stall.ms, host, ...ctx });
    const where = `${ctx.repo || 'the request'}${ctx.path ? '/' + ctx.path : ''}`;
    return new Retryable(new HubError('Network', `${host} stopped answering while reading ${where} ` +
      `(${stall.message}, several times): the connection or the server is stalled; retry later`, { ...ctx, cause: stall }));
  }

  /** @param {{repo?: string, path?: string}} ctx @param {unknown} cause */
  _networkError(ctx, cause) {
    return new HubError('Network', `could not reach ${this.endpoint} (or its file CDN) for ` +
      `${ctx.repo || 'the request'}${ctx.path ? '/' + ctx.path : ''}: a network error or the server ` +
      'refused cross-origin access', { ...ctx, cause });
  }

  /**
   * Turns a non-2xx response into Retryable (429, 5xx) or a HubError a person can act on.
   * @param {Response} resp
   * @param {{repo?: string, path?: string}} ctx
   * @returns {Error}
   */
  _failure(resp, ctx) {
    const status = resp.status;
    const code = resp.headers.get('x-error-code') ?? '';
    const msg = resp.headers.get('x-error-message') ?? '';
    const repo = ctx.repo ?? '';
    const path = ctx.path ?? '';
    const info = { status, repo, path };
    const hasToken = !!(/** @type {any} */ (this)._token);
    const where = path ? `${repo}/${path}` : repo;
    if (status === 429) {
      return new Retryable(new HubError('RateLimited', `${this.endpoint} is rate-limiting requests ` +
        `(HTTP 429) while reading ${where}: wait a few minutes and retry, or give an access token ` +
        '(logged-in users get higher limits)', info), retryHintMs(resp.headers), false, true);
    }
    if (status >= 500) {
      return new Retryable(new HubError('BadResponse', `${this.endpoint} answered HTTP ${status} ` +
        `for ${where} several times: the service may be down, retry later`, info), retryHintMs(resp.headers));
    }
    if (status === 401 && /invalid credentials/i.test(msg)) {
      return new HubError('Unauthorized', `the access token was refused by ${this.endpoint} ` +
        '(invalid credentials): check it, or run without one for public models', info);
    }
    if (code === 'GatedRepo') {
      return status === 403 && hasToken
        ? new HubError('GatedRepo', `${repo} is gated and your token is not in the authorized list: ` +
          `request access on ${this.endpoint}/${repo} (and wait for approval)`, info)
        : new HubError('GatedRepo', `${repo} is gated: accept its licence on ${this.endpoint}/${repo} ` +
          'and give an access token', info);
    }
    if (status === 401) {
      return new HubError('RepoNotFound', `${repo} was not found, or is private: check the name, ` +
        'or give a token with access', info);
    }
    if (status === 403 && /disabled/i.test(msg)) {
      return new HubError('Disabled', `${repo} has been disabled on ${this.endpoint} (${msg})`, info);
    }
    if (code === 'RevisionNotFound') {
      return new HubError('RevisionNotFound', `${repo} has no revision like that: check the branch, ` +
        'tag or commit', info);
    }
    if (code === 'EntryNotFound' || (status === 404 && path && code !== 'RepoNotFound')) {
      return new HubError('EntryNotFound', `${where} does not exist at that revision`, info);
    }
    if (status === 404) {
      return new HubError('RepoNotFound', `${repo} was not found: check the name` +
        (hasToken ? '' : ' (a private repo needs a token with access)'), info);
    }
    if (status === 403) {
      return new HubError('Unauthorized', `${this.endpoint} refused access to ${where} (HTTP 403` +
        `${msg ? ': ' + msg : ''})`, info);
    }
    if (status === 416) {
      return new HubError('BadResponse', `a byte range past the end of ${where} was requested ` +
        `(${resp.headers.get('content-range') ?? 'size unknown'})`, info);
    }
    return new HubError('BadResponse', `unexpected HTTP ${status} from ${this.endpoint} for ${where}`, info);
  }

  /**
   * GET or POST a hub API URL and parse its JSON, with retries.
   * @param {string} url
   * @param {{repo?: string, path?: string, signal?: AbortSignal, body?: any, auth?: boolean, optional?: boolean}} ctx
   *   auth: send the token (the model needs it)
   *   optional: the endpoint may be missing (tree, paths-info on a mirror): a 501, or a 404 without
   *   the hub's X-Error-Code, is a NotSupported HubError at once, for the caller to fall back on
   * @returns {Promise<{json: any, headers: Headers}>}
   */
  async _api(url, ctx) {
    const signal = this._signal(ctx.signal);
    const info = { repo: ctx.repo, path: ctx.path };
    return this._retrying(async () => {
      /** @type {RequestInit} */
      const init = { headers: { Accept: 'application/json', ...this._authHeaders(url, ctx.auth) }, signal };
      if (ctx.body !== undefined) {
        // JSON body: preflighted in browsers, which the hub answers (§1 paths-info).
        init.method = 'POST';
        init.body = JSON.stringify(ctx.body);
        /** @type {any} */ (init.headers)['Content-Type'] = 'application/json';
      }
      const { resp, release } = await this._send(url, init, info);
      try {
        if (!resp.ok) {
          discard(resp);
          if (ctx.optional && (resp.status === 501 || (resp.status === 404 && !resp.headers.get('x-error-code')))) {
            throw new HubError('NotSupported', `${this.endpoint} does not serve ${url.split('?')[0]} (HTTP ${resp.status})`, { ...info, status: resp.status });
          }
          throw this._failure(resp, info);
        }
        let text;
        // API answers are small: the idle limit bounds the whole body.
        const bodyCtrl = new AbortController();
        const idle = watchdog(bodyCtrl, this.idleTimeoutMs, 'body');
        try {
          text = await Promise.race([resp.text(), new Promise((_, reject) => {
            bodyCtrl.signal.addEventListener('abort', () => reject(bodyCtrl.signal.reason), { once: true });
          })]);
        } catch (e) {
          if (e instanceof StallError) { discard(resp); throw this._stalled(e, url, info); }
          if (isAbort(e)) throw e;
          throw new Retryable(this._networkError(info, e));
        } finally { idle.clear(); }
        try {
          return { json: JSON.parse(text), headers: resp.headers };
        } catch (e) {
          throw new HubError('BadResponse', `${this.endpoint} sent invalid JSON for ${url.split('?')[0]}`, { ...info, cause: e });
        }
      } finally { release(); }
    }, signal, info);
  }

  /**
   * A model's first API call: without the token, then once with it when the answer is a 401 or a
   * 404 for the repo (private, or gated behind a login) and a token is there. `needsToken`: the
   * model's later calls carry the token (it is gated or private, or only the token opened it).
   * @param {string} url
   * @param {{repo: string, signal?: AbortSignal}} ctx
   */
  async _apiFirst(url, ctx) {
    try {
      const r = await this._api(url, ctx);
      return { ...r, needsToken: !!(r.json?.gated || r.json?.private) };
    } catch (e) {
      const liftable = e instanceof HubError && (e.status === 401 || (e.status === 404 && e.code === 'RepoNotFound'));
      if (!liftable || !(/** @type {any} */ (this)._token)) throw e;
      return { ...(await this._api(url, { ...ctx, auth: true })), needsToken: true };
    }
  }

  /**
   * Revision -> commit SHA and file list; every later file URL uses the SHA, so a branch that moves
   * during the run cannot mix two commits.
   * @param {string} repo  'owner/name'
   * @param {string} [revision]
   * @param {{signal?: AbortSignal}} [opts]
   * @returns {Promise<ModelSource & {endpoint: string, sizes: Map<string, number>}>}
   */
  async resolveModel(repo, revision = 'main', opts = {}) {
    const parsed = parseModelId(`${repo}@${revision}`);
    // blobs=true adds every file's size, so sizes are known without touching the CDN (§1).
    const url = `${this.endpoint}/api/models/${parsed.repo}/revision/${encodeURIComponent(parsed.revision)}?blobs=true`;
    const { json, needsToken } = await this._apiFirst(url, { repo: parsed.repo, signal: opts.signal });
    const sha = json && json.sha;
    if (typeof sha !== 'string' || !SHA_RE.test(sha)) {
      throw new HubError('BadResponse', `${this.endpoint} gave no commit SHA for ${parsed.repo}@${parsed.revision}`, { repo: parsed.repo });
    }
    /** @type {Map<string, number>} */
    const sizes = new Map();
    let files = [];
    for (const s of Array.isArray(json.siblings) ? json.siblings : []) {
      if (!s || typeof s.rfilename !== 'string') continue;
      files.push(s.rfilename);
      const size = s.lfs?.size ?? s.size;
      if (Number.isSafeInteger(size) && size >= 0) sizes.set(s.rfilename, size);
    }
    /** how the file list was learnt, for messages: siblings, tree or paths-info */
    let listedBy = 'siblings';
    const doubt = siblingsDoubt(files, (f) => f.includes(INDEX_FILE) || f.includes(SINGLE_FILE));
    if (doubt) {
      // siblings can be cut or empty (§9): ask the tree, or paths-info for the two entry points.
      const fallback = { repo: parsed.repo, signal: opts.signal, auth: needsToken };
      let listed;
      try {
        listed = await listTree(this, parsed.repo, sha, opts.signal, undefined, needsToken);
        listedBy = 'tree';
      } catch (e) {
        if (!(e instanceof HubError && e.code === 'NotSupported')) throw e;
        try {
          listed = new Map([...files.map((f) => [f, sizes.get(f)]),
            ...await pathsInfo(this, parsed.repo, sha, [INDEX_FILE, SINGLE_FILE], fallback)]);
          listedBy = 'paths-info';
        } catch (e2) {
          if (!(e2 instanceof HubError && e2.code === 'NotSupported')) throw e2;
          throw new HubError('EntryNotFound', `cannot list the files of ${parsed.repo} at ${sha}: ${doubt}, and ` +
            `${this.endpoint} serves neither the tree API nor paths-info`, { repo: parsed.repo });
        }
      }
      files = [...listed.keys()];
      for (const [f, size] of listed) if (size !== undefined) sizes.set(f, size);
    }
    /** @type {{index: string} | {single: string}} */
    let weights;
    if (files.includes(INDEX_FILE)) weights = { index: INDEX_FILE };
    else if (files.includes(SINGLE_FILE)) weights = { single: SINGLE_FILE };
    else {
      throw new HubError('EntryNotFound', `no safetensors weights in repo ${parsed.repo} at ${sha} ` +
        `(neither ${SINGLE_FILE} nor ${INDEX_FILE}${listedBy === 'siblings' ? '' : `, listed by ${listedBy}`})`, { repo: parsed.repo });
    }
    /** @type {Map<string, HubFileSource>} */
    const opened = new Map();
    const model = {
      /** cardData.base_model of the model card at that commit, as a list (often the parents' base) */
      baseModels: baseModelsOf(json),
      /** cardData.base_model_relation ('merge', 'finetune', 'adapter', 'quantized'), or '' (§9) */
      baseRelation: typeof json.cardData?.base_model_relation === 'string' ? json.cardData.base_model_relation : '',
      gated: json.gated ?? false,
      /** later calls for this model (/resolve/, paths-info) carry the token */
      needsToken,
      private: json.private === true,
      label: parsed.repo,
      repo: parsed.repo,
      revision: sha,
      requestedRevision: parsed.revision,
      endpoint: this.endpoint,
      weights,
      files,
      listedBy,
      sizes,
      /** @param {string} name */
      file: (name) => {
        let src = opened.get(name);
        if (!src) {
          src = new HubFileSource(this, model, name);
          opened.set(name, src);
        }
        return src;
      },
    };
    return model;
  }

  /**
   * Model card facts at a revision without opening the weights: sha, base models, gating.
   * One API call with `expand=` (only the fields asked for come back, §1).
   * @param {string} repo
   * @param {string} [revision]
   * @param {{signal?: AbortSignal}} [opts]
   * @returns {Promise<{repo: string, sha: string, baseModels: string[], gated: false | string, private: boolean, cardData: any}>}
   */
  async modelInfo(repo, revision = 'main', opts = {}) {
    const parsed = parseModelId(`${repo}@${revision}`);
    const q = ['sha', 'cardData', 'gated', 'private'].map((f) => `expand=${f}`).join('&');
    const url = `${this.endpoint}/api/models/${parsed.repo}/revision/${encodeURIComponent(parsed.revision)}?${q}`;
    const { json } = await this._apiFirst(url, { repo: parsed.repo, signal: opts.signal });
    return {
      repo: parsed.repo, sha: json.sha, baseModels: baseModelsOf(json), gated: json.gated ?? false,
      private: !!json.private, cardData: json.cardData ?? {},
    };
  }

  /**
   * Sizes of files the revision listing did not size, through paths-info (§1): one POST for all
   * unknown safetensors/index files of the model. False when the hub has no listing endpoint
   * (remembered on the model, so its other files do not ask again).
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, sizesUnlisted?: boolean}} model
   * @param {string} path
   * @param {AbortSignal} [signal]
   * @returns {Promise<boolean>}
   */
  async _learnSizes(model, path, signal) {
    if (model.sizesUnlisted) return false;
    // Many shards asking at once share one POST.
    const pending = this._sizing.get(model);
    if (pending) {
      const listed = await pending.catch(() => true);
      if (model.sizes.has(path) || !listed) return listed;
    }
    const p = this._postSizes(model, path, signal);
    this._sizing.set(model, p);
    try {
      const listed = await p;
      if (!listed) model.sizesUnlisted = true;
      return listed;
    } finally { if (this._sizing.get(model) === p) this._sizing.delete(model); }
  }

  /**
   * Asks paths-info, else (a mirror without it: 404/501) the tree. Returns false when neither
   * endpoint exists, so the caller knows a missing size does not mean a missing file.
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, needsToken?: boolean}} model @param {string} path @param {AbortSignal} [signal]
   */
  async _postSizes(model, path, signal) {
    const wanted = new Set([path]);
    for (const f of model.files) if (!model.sizes.has(f) && /\.safetensors(\.index\.json)?$/.test(f)) wanted.add(f);
    let found;
    try {
      found = await pathsInfo(this, model.repo, model.revision, [...wanted], { path, signal, auth: model.needsToken });
    } catch (e) {
      if (!(e instanceof HubError && e.code === 'NotSupported')) throw e;
      try { found = await listTree(this, model.repo, model.revision, signal, undefined, model.needsToken); } catch (e2) {
        if (!(e2 instanceof HubError && e2.code === 'NotSupported')) throw e2;
        return false;
      }
    }
    for (const [f, size] of found) if (size !== undefined) model.sizes.set(f, size);
    return true;
  }
}

/**
 * One file of a resolved model at its commit SHA.
 * @implements {ByteSource}
 */
export class HubFileSource {
  /**
   * @param {HubClient} client
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, needsToken?: boolean}} model
   * @param {string} name
   */
  constructor(client, model, name) {
    this.client = client;
    this.model = model;
    this.name = name;
    // The filename keeps its '/' (§1 revision encoding); each segment is escaped for odd characters.
    this.resolveUrl = `${client.endpoint}/${model.repo}/resolve/${model.revision}/` +
      name.split('/').map(encodeURIComponent).join('/');
    /** the signed URL the resolve redirected to; null until the first read */
    this.cdnUrl = /** @type {string | null} */ (null);
    /** @type {Promise<void> | null} one resolve at a time: concurrent first reads share it */
    this._resolving = null;
  }

  /** Identity of immutable content (a path at a commit), for cache.mjs. */
  get cacheId() {
    return `${this.client.endpoint}|${this.model.repo}|${this.model.revision}|${this.name}`;
  }

  /**
   * Gated or private: the cache keeps only this file's safetensors header (cache.mjs), never an
   * index or tensor bytes of a repo the user had to be let into.
   */
  get restricted() {
    return Boolean(this.model.gated) || this.model.private === true || Boolean(this.model.needsToken);
  }

  /** @param {{signal?: AbortSignal}} [opts] */
  async size(opts = {}) {
    const known = this.model.sizes.get(this.name);
    if (known !== undefined) return known;
    const signal = this.client._signal(opts.signal);
    const listed = await this.client._learnSizes(this.model, this.name, signal);
    // No listing endpoint at all (a bare mirror): the 206 of a 1-byte read names the size.
    if (!listed && !this.model.sizes.has(this.name)) await this.read(0, 1, () => {}, { signal });
    const learnt = this.model.sizes.get(this.name);
    if (learnt === undefined && !listed) {
      throw new HubError('BadResponse', `could not learn the size of ${this.model.repo}/${this.name}: ` +
        `${this.client.endpoint} lists no sizes and its byte ranges carry no readable Content-Range`,
        { repo: this.model.repo, path: this.name });
    }
    if (learnt === undefined) {
      throw new HubError('EntryNotFound', `${this.model.repo}/${this.name} does not exist at ${this.model.revision}`,
        { repo: this.model.repo, path: this.name });
    }
    return learnt;
  }

  /** @param {number} total */
  _learnTotal(total) {
    const known = this.model.sizes.get(this.name);
    if (known === undefined) { this.model.sizes.set(this.name, total); return true; }
    return known === total;
  }

  /**
   * Streams [start, end) to sink. The first read of the file goes through /resolve/; later ones
   * straight to the remembered CDN URL. Retries resume after the bytes already delivered.
   * @param {number} start
   * @param {number} end
   * @param {Sink} sink
   * @param {{signal?: AbortSignal}} [opts]
   */
  async read(start, end, sink, opts = {}) {
    checkRange(start, end);
    if (start === end) return;
    const client = this.client;
    const signal = client._signal(opts.signal);
    const ctx = { repo: this.model.repo, path: this.name };
    let delivered = 0;
    let reResolved = false;
    // A signed URL another client of this page session resolved for the same file at the same SHA.
    if (!this.cdnUrl) this.cdnUrl = rememberedCdnUrl(this.cacheId);
    await client._retrying(async () => {
      // Concurrent first reads of one file: let one of them resolve, the rest wait for its URL.
      if (!this.cdnUrl && this._resolving) await this._resolving.catch(() => {});
      const from = start + delivered;
      const viaCdn = this.cdnUrl !== null;
      const url = viaCdn ? /** @type {string} */ (this.cdnUrl) : this.resolveUrl;
      /** @type {(v?: any) => void} */
      let resolved = () => {};
      if (!viaCdn) this._resolving = new Promise((r) => { resolved = r; });
      const ctrl = new AbortController();
      const onAbort = () => ctrl.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      /** @type {() => void} */
      let release = () => {};
      try {
        let resp;
        if (!viaCdn) client.stats.resolveCalls++;
        try {
          ({ resp, release } = await client._send(url, {
            headers: { Range: `bytes=${from}-${end - 1}`, ...client._authHeaders(url, this.model.needsToken) },
            redirect: 'follow',
            signal: ctrl.signal,
          }, ctx));
        } catch (e) {
          // A stale CDN URL can fail at the network level too (e.g. no CORS on its error page).
          if (viaCdn && e instanceof Retryable) { this.cdnUrl = null; forgetCdnUrl(this.cacheId); }
          throw e;
        }
        const fromCdn = viaCdn || (!!resp.url && new URL(resp.url).origin !== client.origin);
        if (fromCdn && resp.status === 403) {
          // Expired signature (§8.9): resolve once more, without using up a try.
          discard(resp);
          this.cdnUrl = null;
          forgetCdnUrl(this.cacheId);
          if (reResolved) {
            throw new HubError('BadResponse', `the file CDN refused a freshly signed URL for ${this.model.repo}/${this.name} (HTTP 403)`, { ...ctx, status: 403 });
          }
          reResolved = true;
          throw new Retryable(new HubError('BadResponse', 'expired CDN URL', ctx), 0, true);
        }
        if (fromCdn && resp.status === 404) {
          // The hub listed the file and signed a URL for it; only the CDN's storage lacks it.
          discard(resp);
          this.cdnUrl = null;
          forgetCdnUrl(this.cacheId);
          throw new HubError('BadResponse', `the file CDN (${hostOf(resp.url || url)}) answered 404 for ` +
            `${this.model.repo}/${this.name}: the file's storage is missing or the signed link is stale; retry later`, { ...ctx, status: 404 });
        }
        if (!resp.ok) { discard(resp); throw client._failure(resp, ctx); }
        if (!viaCdn && resp.url) {
          this.cdnUrl = resp.url;
          if (fromCdn) rememberCdnUrl(this.cacheId, resp.url);
        }
        resolved();
        if (resp.status === 206) {
          const cr = parseContentRange(resp.headers.get('content-range'));
          if (cr) {
            if (cr.start !== from || cr.end !== end - 1) {
              ctrl.abort();
              throw new HubError('BadResponse', `asked ${this.name} for bytes ${from}-${end - 1}, got ${cr.start}-${cr.end}`, ctx);
            }
            if (Number.isFinite(cr.total) && !this._learnTotal(cr.total)) {
              ctrl.abort();
              throw new HubError('BadResponse', `${this.name} is ${cr.total} bytes on the CDN but ${this.model.sizes.get(this.name)} in the listing`, ctx);
            }
          }
          await this._stream(resp, ctrl, 0, end - from, (chunk) => {
            sink(chunk, delivered);
            delivered += chunk.length;
          }, ctx, signal);
        } else if (resp.status === 200) {
          await this._whole(resp, ctrl, from, end, (chunk) => {
            sink(chunk, delivered);
            delivered += chunk.length;
          }, ctx, signal);
        } else {
          discard(resp);
          throw new HubError('BadResponse', `unexpected HTTP ${resp.status} reading ${this.name}`, { ...ctx, status: resp.status });
        }
      } finally {
        release();
        resolved();
        signal?.removeEventListener('abort', onAbort);
      }
    }, signal, ctx);
  }

  /**
   * A 200 to a Range request: the server ignored the range. Use the body only when the whole
   * file fits in maxWholeFileBytes (or is exactly what was asked); never download a shard by accident.
   * @param {Response} resp
   * @param {AbortController} ctrl
   * @param {number} from
   * @param {number} end
   * @param {(chunk: Uint8Array) => void} deliver
   * @param {{repo: string, path: string}} ctx
   * @param {AbortSignal | undefined} signal
   */
  async _whole(resp, ctrl, from, end, deliver, ctx, signal) {
    // The size is the listing's, never this 200's Content-Length: a gzip-encoded 200 (CloudFront on
    // /api/resolve-cache/, §9) has none, or the encoded length. Unknown size: the body is read up
    // to `end` only, so a small read of a small file still works.
    const total = this.model.sizes.get(this.name);
    const exact = from === 0 && total === end;
    const limit = this.client.maxWholeFileBytes;
    if (!exact && (total === undefined ? !(end <= limit) : !(total <= limit))) {
      ctrl.abort();
      throw new HubError('RangeIgnored', `the server ignores HTTP Range requests for ${ctx.repo}/${ctx.path} ` +
        `(it sent the whole ${total ?? '?'}-byte file); refusing to download more than ${limit} bytes`, ctx);
    }
    if (total !== undefined && total < end) {
      ctrl.abort();
      throw new HubError('BadResponse', `${ctx.path} is ${total} bytes, shorter than the requested end ${end}`, ctx);
    }
    // Skip to `from`, deliver up to `end`, then stop reading.
    await this._stream(resp, ctrl, from, end, deliver, ctx, signal);
  }

  /**
   * Reads body bytes [skip, stop) of the response to `deliver`, chunk by chunk, and cancels the
   * rest. A body that ends or breaks early is retried from where it stopped.
   * @param {Response} resp
   * @param {AbortController} ctrl
   * @param {number} skip
   * @param {number} stop
   * @param {(chunk: Uint8Array) => void} deliver
   * @param {{repo: string, path: string}} ctx
   * @param {AbortSignal | undefined} signal
   */
  async _stream(resp, ctrl, skip, stop, deliver, ctx, signal) {
    if (!resp.body) throw new Retryable(new HubError('BadResponse', `empty body for ${ctx.path}`, ctx));
    const reader = resp.body.getReader();
    const client = this.client;
    const stats = client.stats;
    // No byte for idleTimeoutMs: drop the transfer; the retry resumes after what arrived.
    const idle = watchdog(ctrl, client.idleTimeoutMs, 'body');
    client._startWaiting();
    let pos = 0;
    try {
      while (pos < stop) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          const stall = stallOf(e, ctrl.signal);
          if (stall && !signal?.aborted) throw client._stalled(stall, resp.url || this.resolveUrl, ctx);
          if (signal?.aborted || isAbort(e)) throw e;
          // Connection reset mid-body: what arrived is kept, the rest is asked again.
          throw new Retryable(this.client._networkError(ctx, e));
        }
        if (r.done) break;
        idle.kick();
        client._lastDataAt = Date.now();
        let chunk = r.value;
        const a = Math.max(0, skip - pos);
        const b = Math.min(chunk.length, stop - pos);
        pos += chunk.length;
        if (b > a) {
          chunk = a === 0 && b === chunk.length ? chunk : chunk.subarray(a, b);
          stats.bytes += chunk.length;
          deliver(chunk);
        }
      }
    } finally {
      idle.clear();
      client._waiting--;
      // Stop the transfer: either we have every byte we want, or the body failed.
      reader.cancel().catch(() => {});
      ctrl.abort();
    }
    if (pos < stop) {
      throw new Retryable(new HubError('BadResponse', `the body of ${ctx.path} ended after ${pos - skip} of ${stop - skip} bytes`, ctx));
    }
  }
}
