// One file of a resolved model at its commit SHA, read by single byte ranges through the client's
// transport (transport.mjs: its public methods only). One /resolve/ per file: the signed CDN URL it
// redirects to serves every later range; a 403 from the CDN resolves again (client.mjs header).

import { checkRange } from '../byte-source.mjs';
import { HubError, Retryable } from './errors.mjs';
import { forgetCdnUrl, hostOf, rememberCdnUrl, rememberedCdnUrl, stallOf, watchdog } from './retry.mjs';
import { discard, isAbort, parseContentRange } from './fetch-util.mjs';

/** @typedef {import('../byte-source.mjs').ByteSource} ByteSource */
/** @typedef {import('../byte-source.mjs').Sink} Sink */

/**
 * One file of a resolved model at its commit SHA.
 * @implements {ByteSource}
 */
export class HubFileSource {
  /**
   * @param {import('./client.mjs').HubClient} client
   * @param {{repo: string, revision: string, files: string[], sizes: Map<string, number>, needsToken?: boolean, gated?: false | string, private?: boolean}} model
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
    const signal = this.client.signalFor(opts.signal);
    const listed = await this.client.learnSizes(this.model, this.name, signal);
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
    const signal = client.signalFor(opts.signal);
    const ctx = { repo: this.model.repo, path: this.name };
    let delivered = 0;
    let reResolved = false;
    // A signed URL another client of this page session resolved for the same file at the same SHA.
    if (!this.cdnUrl) this.cdnUrl = rememberedCdnUrl(this.cacheId);
    await client.retrying(async () => {
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
          ({ resp, release } = await client.send(url, {
            headers: { Range: `bytes=${from}-${end - 1}`, ...client.authHeaders(url, this.model.needsToken) },
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
        if (!resp.ok) { discard(resp); throw client.failure(resp, ctx); }
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
    client.beginWait();
    let pos = 0;
    try {
      while (pos < stop) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          const stall = stallOf(e, ctrl.signal);
          if (stall && !signal?.aborted) throw client.stalled(stall, resp.url || this.resolveUrl, ctx);
          if (signal?.aborted || isAbort(e)) throw e;
          // Connection reset mid-body: what arrived is kept, the rest is asked again.
          throw new Retryable(this.client.networkError(ctx, e));
        }
        if (r.done) break;
        idle.kick();
        client.noteData();
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
      client.endWait();
      // Stop the transfer: either we have every byte we want, or the body failed.
      reader.cancel().catch(() => {});
      ctrl.abort();
    }
    if (pos < stop) {
      throw new Retryable(new HubError('BadResponse', `the body of ${ctx.path} ended after ${pos - skip} of ${stop - skip} bytes`, ctx));
    }
  }
}