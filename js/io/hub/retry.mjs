// Timing rules of the hub client: how long a request may stay silent, how long a 429 makes us
// wait, and the signed-URL memory shared by every client of one page session (or CLI run).
// Facts from shared/hf-hub-protocol.md §3 and §9: rate limits are 5-minute fixed windows, a 429
// carries `RateLimit: "resolvers";r=0;t=<s>` (and perhaps `Retry-After`), signed CDN URLs live 1 h.

/**
 * No response head within this long: the request is dropped and tried again. The hub answers
 * /resolve/ and API calls in well under a second; 30 s leaves room for a slow link and a cold
 * CDN edge while ending a silent hang ten times sooner than undici's 300 s default.
 */
export const HEAD_TIMEOUT_MS = 30_000;
/**
 * No body byte for this long: the transfer is dropped and resumed after the bytes kept. A healthy
 * CDN stream never pauses this long between 64 KB chunks, even at 1 Mbit/s (0.5 s a chunk).
 */
export const IDLE_TIMEOUT_MS = 20_000;
/** The Hub counts requests in fixed windows of 5 minutes (§9): no 429 needs a longer wait. */
export const RATE_WINDOW_MS = 300_000;
/** Added to a full-window wait so the retry lands in the next window, not at its edge. */
export const RATE_WAIT_MARGIN_MS = 5_000;
/**
 * 429 waits one request may sit through before failing: three windows (15 minutes) with no
 * request let through means the limit is not a passing burst (a shared IP, a tight quota).
 */
export const MAX_RATE_WAITS = 3;
/** Signed CDN URLs carry `X-Amz-Expires=3600` (§3); without a readable expiry assume 1 h. */
export const CDN_URL_LIFETIME_MS = 3_600_000;
/** Stop using a remembered URL this long before it expires (a read must finish within it). */
export const CDN_URL_MARGIN_MS = 300_000;

/** Why a request was dropped by its own timer: no head, or a silent body. */
export class StallError extends Error {
  /** @param {'head' | 'body'} kind @param {number} ms */
  constructor(kind, ms) {
    super(kind === 'head' ? `no response for ${fmtSeconds(ms)}` : `no data for ${fmtSeconds(ms)}`);
    this.name = 'StallError';
    this.kind = kind;
    this.ms = ms;
  }
}

/** @param {number} ms */
export function fmtSeconds(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
}

/**
 * A timer that aborts `ctrl` with a StallError unless kicked within `ms`; `clear()` always runs
 * (in a finally) so no timer keeps Node alive after the request.
 * @param {AbortController} ctrl @param {number} ms @param {'head' | 'body'} kind
 */
export function watchdog(ctrl, ms, kind) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let t = null;
  const arm = () => {
    if (t !== null) clearTimeout(t);
    t = setTimeout(() => { t = null; ctrl.abort(new StallError(kind, ms)); }, ms);
  };
  if (ms > 0 && Number.isFinite(ms)) arm();
  return {
    kick() { if (t !== null) arm(); },
    clear() { if (t !== null) { clearTimeout(t); t = null; } },
  };
}

/**
 * The StallError behind a failure, if our own timer caused it (fetch rejects with the signal's
 * reason, a body reader with it or with an AbortError while the signal holds it).
 * @param {unknown} e @param {AbortSignal | undefined} own
 */
export function stallOf(e, own) {
  if (e instanceof StallError) return e;
  const r = own?.aborted ? own.reason : undefined;
  return r instanceof StallError ? r : null;
}

/**
 * The server's wait hint in ms, the longest of `Retry-After` (seconds or a date) and every
 * `t=` of the `RateLimit` header (§3); 0 when none. A short Retry-After must not cut short a
 * window that resets later. Only readable where exposed (not in browsers, §9).
 * @param {Headers} h
 */
export function retryHintMs(h) {
  let ms = 0;
  const ra = h.get('retry-after');
  if (ra) {
    const s = Number(ra);
    if (Number.isFinite(s)) ms = Math.max(ms, s * 1000);
    else {
      const d = Date.parse(ra);
      if (Number.isFinite(d)) ms = Math.max(ms, d - Date.now());
    }
  }
  for (const m of (h.get('ratelimit') ?? '').matchAll(/(?:^|[;,\s])t=(\d+)/g)) ms = Math.max(ms, Number(m[1]) * 1000);
  return ms;
}

/**
 * How long to wait after a 429: the hint, else the whole window; never more than one window plus
 * the margin (a fixed window has reset by then, whatever a header says).
 * @param {number} hintMs @param {number} capMs
 */
export function rateLimitWaitMs(hintMs, capMs) {
  return Math.min(capMs, hintMs > 0 ? hintMs : capMs);
}

/**
 * Signed CDN URLs remembered per file at a commit (endpoint|repo|sha|path) for this module's life:
 * a rerun in the same page session reads straight from the CDN without a /resolve/ (each one
 * counts against the resolver limit, §9). A 403 from the CDN still forgets and re-resolves.
 * @type {Map<string, {url: string, until: number}>}
 */
const cdnUrls = new Map();

/** Forgets every remembered signed URL, as a new session starts with none (benchmarks, tests). */
export function forgetCdnUrls() {
  cdnUrls.clear();
}

/** Expiry of a signed URL: CloudFront `Expires=<unix s>`, else S3 `X-Amz-Date` + `X-Amz-Expires`, else 1 h. @param {string} url @param {number} now */
export function cdnUrlExpiry(url, now = Date.now()) {
  let q;
  try { q = new URL(url).searchParams; } catch { return now + CDN_URL_LIFETIME_MS; }
  const exp = Number(q.get('Expires'));
  if (Number.isFinite(exp) && exp > 0) return exp * 1000;
  const life = Number(q.get('X-Amz-Expires'));
  const date = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(q.get('X-Amz-Date') ?? '');
  if (date && Number.isFinite(life)) {
    const [, y, mo, d, h, mi, s] = date.map(Number);
    return Date.UTC(y, mo - 1, d, h, mi, s) + life * 1000;
  }
  return now + CDN_URL_LIFETIME_MS;
}

/** @param {string} key */
export function rememberedCdnUrl(key, now = Date.now()) {
  const e = cdnUrls.get(key);
  if (!e) return null;
  if (now >= e.until) { cdnUrls.delete(key); return null; }
  return e.url;
}

/** @param {string} key @param {string} url */
export function rememberCdnUrl(key, url, now = Date.now()) {
  const until = cdnUrlExpiry(url, now) - CDN_URL_MARGIN_MS;
  if (until > now) cdnUrls.set(key, { url, until });
}

/** @param {string} key */
export function forgetCdnUrl(key) {
  cdnUrls.delete(key);
}

/** @param {string} url */
export function hostOf(url) {
  try { return new URL(url).host; } catch { return url; }
}

/** Forgets every remembered URL (tests; a page session that wants a clean slate). */
export function clearCdnUrls() {
  cdnUrls.clear();
}
