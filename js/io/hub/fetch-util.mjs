// Small fetch helpers of the hub client: a semaphore for requests in flight, signals, sleeps that
// retryNow() can end, and the shapes of a few responses and failures.

import { abortError } from '../byte-source.mjs';

/** A counting semaphore shared by every request of one client. */
export class Semaphore {
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

/** @param {AbortSignal[]} signals */
export function anySignal(signals) {
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
export function sleep(ms, signal, wakers) {
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
export function isAbort(e) {
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
export function isRedirectLoop(e) {
  for (let c = /** @type {any} */ (e), i = 0; c && i < 4; c = c.cause, i++) {
    if (/redirect count exceeded|too many redirects|redirect loop/i.test(String(c.message ?? ''))) return true;
  }
  return false;
}

/** @param {Response} resp */
export function discard(resp) {
  try { resp.body?.cancel().catch(() => {}); } catch { /* already used */ }
}
