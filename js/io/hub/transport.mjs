// The hub client's transport: one request at a time through a shared semaphore, with retries,
// per-request timeouts, 429 waits and the rules for the token (see client.mjs's header for the
// protocol facts). HubClient (client.mjs) adds the Hub's API on top; HubFileSource
// (file-source.mjs) reads files through the public methods below: signalFor, retrying, send,
// authHeaders, failure, stalled, networkError, beginWait, noteData, endWait.

import { abortError } from '../byte-source.mjs';
import { DEFAULT_ENDPOINT } from '../../engine/defaults.mjs';
import { tokenProblem } from './token.mjs';
import { HubError, Retryable } from './errors.mjs';
import { Semaphore, anySignal, discard, isAbort, isRedirectLoop, sleep } from './fetch-util.mjs';
import {
  HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_RATE_WAITS, RATE_WINDOW_MS, RATE_WAIT_MARGIN_MS, StallError, fmtSeconds,
  hostOf, rateLimitWaitMs, retryHintMs, stallOf, watchdog,
} from './retry.mjs';

export class HubTransport {
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
   * @param {number} [o.headTimeoutMs]  no response head within this: retried (retry.mjs HEAD_TIMEOUT_MS)
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
    this.endpoint = (o.endpoint ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
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
  }

  /**
   * Authorization for a URL: only on the hub origin, and only when `send` (the model needs it).
   * @param {string} url @param {boolean} [send]
   */
  authHeaders(url, send = false) {
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
  beginWait() {
    if (this._waiting++ === 0) this._lastDataAt = Date.now();
  }

  /** @param {AbortSignal} [signal] */
  signalFor(signal) {
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
  async retrying(attempt, signal, ctx) {
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
  async send(url, init, ctx) {
    const outer = init.signal ?? undefined;
    const semRelease = await this._sem.acquire(/** @type {AbortSignal} */ (outer));
    // Our own controller, so the head timer can drop this request alone; the caller's signal
    // still aborts it (and its body) through the link.
    const own = new AbortController();
    const link = () => own.abort(outer?.reason);
    if (outer?.aborted) link(); else outer?.addEventListener('abort', link, { once: true });
    const release = () => { outer?.removeEventListener('abort', link); semRelease(); };
    const head = watchdog(own, this.headTimeoutMs, 'head');
    this.beginWait();
    try {
      this.stats.requests++;
      const resp = await this._fetch(url, { ...init, signal: own.signal });
      this._lastDataAt = Date.now();
      return { resp, release };
    } catch (e) {
      release();
      const stall = stallOf(e, own.signal);
      if (stall && !outer?.aborted) throw this.stalled(stall, url, ctx);
      if (outer?.aborted || isAbort(e)) throw e;
      if (isRedirectLoop(e)) {
        throw new HubError('BadResponse', `the server redirected too many times (a redirect loop) while ` +
          `reading ${ctx.repo || url}${ctx.path ? '/' + ctx.path : ''}: the hub or a proxy between is misconfigured`, { ...ctx, cause: e });
      }
      throw new Retryable(this.networkError(ctx, e));
    } finally {
      head.clear();
      this._waiting--;
    }
  }

  /**
   * A request our timer dropped: counted, reported to progress, and retried (it uses up a try).
   * @param {StallError} stall @param {string} url @param {{repo?: string, path?: string}} ctx
   */
  stalled(stall, url, ctx) {
    this.stats.stalls++;
    const host = hostOf(url);
    this.onStall({ kind: stall.kind, ms: stall.ms, host, ...ctx });
    const where = `${ctx.repo || 'the request'}${ctx.path ? '/' + ctx.path : ''}`;
    return new Retryable(new HubError('Network', `${host} stopped answering while reading ${where} ` +
      `(${stall.message}, several times): the connection or the server is stalled; retry later`, { ...ctx, cause: stall }));
  }

  /** @param {{repo?: string, path?: string}} ctx @param {unknown} cause */
  networkError(ctx, cause) {
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
  failure(resp, ctx) {
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
  async api(url, ctx) {
    const signal = this.signalFor(ctx.signal);
    const info = { repo: ctx.repo, path: ctx.path };
    return this.retrying(async () => {
      /** @type {RequestInit} */
      const init = { headers: { Accept: 'application/json', ...this.authHeaders(url, ctx.auth) }, signal };
      if (ctx.body !== undefined) {
        // JSON body: preflighted in browsers, which the hub answers (§1 paths-info).
        init.method = 'POST';
        init.body = JSON.stringify(ctx.body);
        /** @type {any} */ (init.headers)['Content-Type'] = 'application/json';
      }
      const { resp, release } = await this.send(url, init, info);
      try {
        if (!resp.ok) {
          discard(resp);
          if (ctx.optional && (resp.status === 501 || (resp.status === 404 && !resp.headers.get('x-error-code')))) {
            throw new HubError('NotSupported', `${this.endpoint} does not serve ${url.split('?')[0]} (HTTP ${resp.status})`, { ...info, status: resp.status });
          }
          throw this.failure(resp, info);
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
          if (e instanceof StallError) { discard(resp); throw this.stalled(e, url, info); }
          if (isAbort(e)) throw e;
          throw new Retryable(this.networkError(info, e));
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
  async apiFirst(url, ctx) {
    try {
      const r = await this.api(url, ctx);
      return { ...r, needsToken: !!(r.json?.gated || r.json?.private) };
    } catch (e) {
      const liftable = e instanceof HubError && (e.status === 401 || (e.status === 404 && e.code === 'RepoNotFound'));
      if (!liftable || !(/** @type {any} */ (this)._token)) throw e;
      return { ...(await this.api(url, { ...ctx, auth: true })), needsToken: true };
    }
  }

  /** A byte arrived: the silence clock of stalledMs() starts again. */
  noteData() {
    this._lastDataAt = Date.now();
  }

  /** A request no longer awaits bytes (the pair of beginWait). */
  endWait() {
    this._waiting--;
  }
}
