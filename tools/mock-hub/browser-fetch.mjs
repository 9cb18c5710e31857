// A fetch that behaves like a browser's for cross-origin requests (FETCH spec, shared/
// hf-hub-protocol.md §2), built on Node's fetch. Node enforces no CORS, so without this the tests
// could not see what a page sees: preflights (and their refusal by the CDN), redirects followed hop
// by hop with a CORS check on each, Authorization dropped on a cross-origin redirect, `Origin: null`
// after one, and response headers filtered to the safelist + Access-Control-Expose-Headers.
// Failures reject with TypeError('Failed to fetch'), as browsers do.

const SAFELISTED_RESPONSE = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Is this request header CORS-safelisted (so it needs no preflight)? */
function safelisted(name, value) {
  switch (name) {
    case 'accept': case 'accept-language': case 'content-language':
      return !/["():<>?@[\\\]{}\x00-\x08\x0a-\x1f\x7f]/.test(value) && value.length <= 128;
    case 'content-type':
      return SIMPLE_CONTENT_TYPES.includes(value.split(';')[0].trim().toLowerCase());
    case 'range':
      // Only one `bytes=N-` or `bytes=N-M` range, N <= M (FETCH `range` safelisting).
      {
        const m = /^bytes=(\d+)-(\d*)$/.exec(value);
        return !!m && (m[2] === '' || Number(m[1]) <= Number(m[2]));
      }
    default:
      return false;
  }
}

/**
 * @param {Object} o
 * @param {string} o.origin  the page origin, e.g. 'http://127.0.0.1:8080'
 * @param {typeof fetch} [o.fetch]
 * @param {(e: {url: string, kind: string}) => void} [o.onEvent]  preflights, CORS failures
 * @returns {typeof fetch}
 */
export function browserFetch({ origin, fetch: f = globalThis.fetch, onEvent = () => {} }) {
  /** @type {Map<string, number>} preflight cache: `${origin}|${url}|${headers}` -> expiry */
  const preflightCache = new Map();
  // @ts-ignore
  return async function fetchLikeBrowser(input, init = {}) {
    let url = new URL(String(input));
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    let body = init.body;
    let originHeader = origin;
    for (let hop = 0; hop < 20; hop++) {
      const sameOrigin = url.origin === origin && originHeader === origin;
      if (!sameOrigin) {
        const unsafe = [];
        for (const [k, v] of headers) if (!safelisted(k, v)) unsafe.push(k);
        if (unsafe.length || !['GET', 'HEAD', 'POST'].includes(method)) {
          const key = `${originHeader}|${url.href}|${unsafe.sort().join(',')}|${method}`;
          if (!((preflightCache.get(key) ?? 0) > Date.now())) {
            onEvent({ url: url.href, kind: 'preflight' });
            let pre;
            try {
              pre = await f(url, {
                method: 'OPTIONS', signal: init.signal,
                headers: { Origin: originHeader, 'Access-Control-Request-Method': method, ...(unsafe.length ? { 'Access-Control-Request-Headers': unsafe.sort().join(',') } : {}) },
              });
            } catch (e) {
              if (init.signal?.aborted) throw e;
              throw new TypeError('Failed to fetch', { cause: e });
            }
            await pre.arrayBuffer().catch(() => {});
            const allowHeaders = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',').map((s) => s.trim());
            const ok = pre.status >= 200 && pre.status < 300 && corsOk(pre, originHeader) &&
              unsafe.every((h) => allowHeaders.includes(h) || (h !== 'authorization' && allowHeaders.includes('*')));
            if (!ok) {
              onEvent({ url: url.href, kind: 'preflight-refused' });
              throw new TypeError('Failed to fetch (CORS preflight refused)');
            }
            preflightCache.set(key, Date.now() + 1000 * Number(pre.headers.get('access-control-max-age') ?? 5));
          }
        }
      }
      const sent = new Headers(headers);
      if (!sameOrigin || method !== 'GET') sent.set('Origin', originHeader);
      if (headers.has('range')) sent.set('Accept-Encoding', 'identity');
      let resp;
      try {
        resp = await f(url, { method, headers: sent, body, redirect: 'manual', signal: init.signal });
      } catch (e) {
        if (init.signal?.aborted) throw e;
        throw new TypeError('Failed to fetch', { cause: e });
      }
      if (!sameOrigin && !corsOk(resp, originHeader)) {
        resp.body?.cancel().catch(() => {});
        onEvent({ url: url.href, kind: 'cors-refused' });
        throw new TypeError('Failed to fetch (no Access-Control-Allow-Origin)');
      }
      const loc = resp.headers.get('location');
      if ([301, 302, 303, 307, 308].includes(resp.status) && loc && (init.redirect ?? 'follow') === 'follow') {
        resp.body?.cancel().catch(() => {});
        const next = new URL(loc, url);
        if (next.origin !== url.origin) {
          // HTTP-redirect fetch: Authorization is removed on a cross-origin hop, and the request's
          // origin becomes opaque once a redirect left the original origin.
          headers.delete('authorization');
          originHeader = 'null';
        }
        if (resp.status === 303 || ((resp.status === 301 || resp.status === 302) && method === 'POST')) { method = 'GET'; body = undefined; }
        url = next;
        continue;
      }
      const filtered = new Headers();
      const exposed = (resp.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean);
      for (const [k, v] of resp.headers) {
        if (sameOrigin || SAFELISTED_RESPONSE.includes(k) || exposed.includes(k) || exposed.includes('*')) filtered.set(k, v);
      }
      const out = new Response([101, 204, 205, 304].includes(resp.status) ? null : resp.body, { status: resp.status, statusText: resp.statusText, headers: filtered });
      Object.defineProperty(out, 'url', { value: url.href });
      Object.defineProperty(out, 'redirected', { value: hop > 0 });
      return out;
    }
    throw new TypeError('Failed to fetch (too many redirects)');
  };
}

/** CORS check (no credentials): ACAO is `*` or the serialized request origin. */
function corsOk(resp, originHeader) {
  const acao = resp.headers.get('access-control-allow-origin');
  return acao === '*' || acao === originHeader;
}
