// A faithful mock of the Hugging Face Hub for tests and demos: HTTP servers on their own ports, so
// their own origins, standing for huggingface.co (the hub H: API, /resolve/ redirects,
// resolve-cache) and the file CDN C (signed URLs, byte ranges), which listens under two loopback
// host names as the real one answers as cas-bridge.xethub.hf.co and *.cdn.hf.co (§9). Behaviours follow
// shared/hf-hub-protocol.md §1-3 and §8; the knobs (README.md) switch on faults and variants.

import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MockRepo, sha1 } from './repo.mjs';
import { listModels, treeFields } from './model-tree.mjs';

/** The 2026-07 and 2025-03 hub expose lists (§2.2). RateLimit* is not in either. */
export const HUB_EXPOSE = {
  '2026-07': 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Linked-Size,X-Linked-ETag,X-Xet-Hash',
  '2025-03': 'X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,Content-Range,X-Xet-Access-Token,X-Xet-Token-Expiration,X-Xet-Refresh-Route,X-Xet-Cas-Url,X-Xet-Hash',
};
/** CDN expose list variants (§8.8, §9): 'star' is what *.cdn.hf.co sends. */
export const CDN_EXPOSE = {
  a: 'Content-Range, ETag, Accept-Ranges, Content-Length',
  star: '*',
  'cas-bridge': 'Accept-Ranges, Content-Range, Content-Type, Content-Disposition, ETag, X-Cache',
  none: '',
};

/**
 * @typedef {Object} Fault
 * @property {'hub' | 'cdn' | 'resolve' | 'api'} on  which requests are counted
 * @property {number} nth  1-based request number (per `on`) at which it fires
 * @property {number} [times]  how many consecutive requests it hits (default 1)
 * @property {'status' | 'reset' | 'stall' | 'stallBody' | 'redirectLoop'} kind  an HTTP error, a
 *   connection cut mid-body, a delay before the head, a pause mid-body, a redirect to itself
 * @property {number} [status]  for 'status' (default 503)
 * @property {Record<string, string>} [headers]  for 'status': extra headers (e.g. Retry-After, RateLimit)
 * @property {number} [afterBytes]  for 'reset' and 'stallBody': body bytes sent first (default 1000)
 * @property {number} [ms]  for 'stall' and 'stallBody' (default 1000)
 */

/**
 * @typedef {Object} Knobs
 * @property {number} [latencyMs]  added before every response head (both origins)
 * @property {number} [jitterMs]  up to this much more before each CDN response (seeded, so replies
 *   come back out of request order the same way every run: tests of arrival-order independence)
 * @property {number} [bandwidthBps]  bytes/s of one shared link for all bodies (0 = unlimited)
 * @property {number} [urlLifetimeSec]  signed CDN URL lifetime (X-Amz-Expires), default 3600
 * @property {'2026-07' | '2025-03'} [hubExpose]
 * @property {'a' | 'star' | 'cas-bridge' | 'none'} [cdnExpose]  CDN Access-Control-Expose-Headers variant
 * @property {boolean} [cdnOmitContentRange]  206 without Content-Range on the CDN
 * @property {boolean} [ignoreRange]  CDN and resolve-cache answer 200 with the full body
 * @property {'full' | 'multipart'} [multiRange]  CDN answer to bytes=a-b,c-d
 * @property {number} [resolverLimit]  /resolve/ calls per window before 429 (default 3000)
 * @property {number} [rateWindowSec]  default 300
 * @property {boolean} [rateLimitOmitAcao]  the 429 carries no Access-Control-Allow-Origin
 * @property {number} [retryAfterSec]  add Retry-After to 429s (not observed on the real hub)
 * @property {number} [treePageSize]  tree entries per page (default 1000)
 * @property {number | null} [siblingsLimit]  model info lists only the first N siblings (0 = none;
 *   null = all): the real `siblings` may be truncated or empty (§9)
 * @property {0 | 404 | 501} [pathsInfoStatus]  paths-info answers this status instead (a mirror
 *   without the endpoint); 0 = served
 * @property {0 | 404 | 501} [treeStatus]  the same for the tree API
 * @property {boolean} [cdnAlternate]  /resolve/ redirects alternate between the CDN's two origins
 *   (cdnUrl and cdnAltUrl, two loopback host names), as the real CDN host changes (§9)
 * @property {boolean} [resolveCacheGzip]  resolve-cache 200s with the whole body are gzip-encoded
 *   with no Content-Length when the request accepts gzip (CloudFront, §9); ranges never are
 * @property {Fault[]} [faults]
 * @property {number} [memoBytes]  keep up to this many bytes of generated file chunks, so a range
 *   served again costs no CPU (benchmarks: virtual tensors are computed per element, at a few
 *   MB/s, which would otherwise be what a throttled run measures); 0 = off
 */

/** @type {Required<Omit<Knobs, 'retryAfterSec'>> & {retryAfterSec: number}} */
const DEFAULT_KNOBS = {
  latencyMs: 0, bandwidthBps: 0, urlLifetimeSec: 3600, hubExpose: '2026-07', cdnExpose: 'a',
  cdnOmitContentRange: false, ignoreRange: false, multiRange: 'full', resolverLimit: 3000,
  rateWindowSec: 300, rateLimitOmitAcao: false, retryAfterSec: 0, treePageSize: 1000,
  siblingsLimit: null, pathsInfoStatus: 0, treeStatus: 0, cdnAlternate: false, resolveCacheGzip: false, faults: [],
  memoBytes: 0,
};

/** Default tokens: token -> user. `hf_bad` is not in the list (invalid credentials). */
export const DEFAULT_TOKENS = { hf_alice_token: 'alice', hf_bob_token: 'bob' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Splits a raw (still encoded) path into decoded segments. @param {string} p */
const segments = (p) => p.split('/').filter(Boolean).map((s) => decodeURIComponent(s));

/**
 * @param {Object} [o]
 * @param {Array<import('./repo.mjs').RepoSpec | MockRepo>} [o.repos]
 * @param {Knobs} [o.knobs]
 * @param {string} [o.host]
 * @param {number} [o.hubPort]
 * @param {number} [o.cdnPort]
 * @param {string} [o.cdnAltHost]  the CDN's second host name (knob cdnAlternate), default 127.0.0.2
 * @param {Record<string, string>} [o.tokens]  token -> user name
 */
export async function startMockHub(o = {}) {
  const host = o.host ?? '127.0.0.1';
  const cdnAltHost = o.cdnAltHost ?? '127.0.0.2';
  const knobs = { ...DEFAULT_KNOBS, ...(o.knobs ?? {}) };
  // The jitter knob's stream: an LCG, so a run's reply order is the same every time.
  let jitterState = 12345;
  const jitter = () => ((jitterState = (jitterState * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const tokens = o.tokens ?? DEFAULT_TOKENS;
  const secret = randomBytes(16);
  /** @type {Map<string, MockRepo>} */
  const repos = new Map();
  /** @type {Map<string, import('./repo.mjs').MockFile>} sha256 -> file, for the CDN */
  let blobs = new Map();
  const stats = {
    hub: { requests: 0, resolveCalls: 0, api: 0, preflights: 0, inFlight: 0, maxInFlight: 0 },
    cdn: { requests: 0, bytes: 0, withAuthorization: 0, preflights: 0, inFlight: 0, maxInFlight: 0 },
    /** @type {Array<{origin: string, method: string, path: string, range: string, status: number, auth: boolean}>} */
    log: [],
  };
  /** @type {Record<string, number>} */
  let counters = { hub: 0, cdn: 0, resolve: 0, api: 0 };
  let rate = { start: Date.now(), count: 0 };
  let linkFree = 0; // the shared link's next free instant (ms), for bandwidth throttling
  let cdnTurn = 0; // which CDN origin the next redirect names, under knob cdnAlternate

  const addRepo = (/** @type {any} */ r) => {
    const repo = r instanceof MockRepo ? r : new MockRepo(r);
    repos.set(repo.id, repo);
    blobs = new Map();
    return repo;
  };
  for (const r of o.repos ?? []) addRepo(r);

  /** @param {string} sha */
  const findBlob = (sha) => {
    if (!blobs.has(sha)) {
      for (const repo of repos.values()) for (const c of repo.commits) for (const f of Object.values(c.files)) blobs.set(f.sha256, f);
    }
    return blobs.get(sha);
  };

  /** The fault that fires for this request, if any. @param {string[]} cats */
  const faultFor = (cats) => {
    for (const c of cats) counters[c] = (counters[c] ?? 0) + 1;
    for (const f of knobs.faults ?? []) {
      const n = counters[f.on];
      if (cats.includes(f.on) && n >= f.nth && n < f.nth + (f.times ?? 1)) return f;
    }
    return null;
  };

  /** @type {Map<string, Uint8Array>} generated chunks by file and range, under knob memoBytes */
  const memo = new Map();
  let memoUsed = 0;
  /** file.read(a, b), remembered while memoBytes allows. @param {import('./repo.mjs').MockFile} file @param {number} a @param {number} b */
  const readChunk = (file, a, b) => {
    if (!knobs.memoBytes) return file.read(a, b);
    const key = `${file.sha256}:${a}:${b}`;
    let chunk = memo.get(key);
    if (!chunk) {
      chunk = file.read(a, b);
      if (memoUsed + chunk.length <= knobs.memoBytes) { memo.set(key, chunk); memoUsed += chunk.length; }
    }
    return chunk;
  };

  /** Waits for the shared link to carry n bytes. @param {number} n */
  const pace = async (n) => {
    if (!knobs.bandwidthBps) return;
    const now = Date.now();
    linkFree = Math.max(now, linkFree) + (n / knobs.bandwidthBps) * 1000;
    const wait = linkFree - now;
    if (wait > 1) await sleep(wait);
  };

  /**
   * Sends a file body (whole or one range), streaming generated chunks with backpressure; obeys
   * the reset fault and bandwidth throttling.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {import('./repo.mjs').MockFile} file
   * @param {Record<string, string>} headers
   * @param {Fault | null} fault
   * @param {'hub' | 'cdn'} origin
   */
  const sendFile = async (req, res, file, headers, fault, origin) => {
    const size = file.size;
    const range = req.headers.range;
    let start = 0, end = size; // [start, end)
    let status = 200;
    /** @type {Array<[number, number]> | null} */
    let multi = null;
    if (range && !knobs.ignoreRange) {
      const m = /^bytes=(.+)$/.exec(range.trim());
      const parts = m ? m[1].split(',').map((s) => s.trim()) : [];
      /** @type {Array<[number, number]>} */
      const ranges = [];
      let bad = !m;
      for (const p of parts) {
        const r = /^(\d*)-(\d*)$/.exec(p);
        if (!r || (r[1] === '' && r[2] === '')) { bad = true; break; }
        if (r[1] === '') { const n = Number(r[2]); ranges.push([Math.max(0, size - n), size]); continue; } // suffix
        const a = Number(r[1]);
        const b = r[2] === '' ? size : Math.min(size, Number(r[2]) + 1);
        if (r[2] !== '' && Number(r[2]) < a) { bad = true; break; }
        ranges.push([a, b]);
      }
      if (!bad && ranges.length === 1) {
        if (ranges[0][0] >= size) {
          res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
          return void res.end();
        }
        [start, end] = ranges[0];
        status = 206;
      } else if (!bad && ranges.length > 1 && origin === 'cdn' && knobs.multiRange === 'multipart') {
        multi = ranges.filter(([a]) => a < size);
        status = 206;
      }
    }
    const common = {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: `"${file.lfs ? file.sha256 : file.gitSha}"`,
      'Last-Modified': 'Thu, 01 Jan 2026 00:00:00 GMT',
      'Cache-Control': 'public, max-age=604800, immutable',
    };
    /** @type {Array<Uint8Array | [number, number]>} pieces: literal bytes or file ranges */
    const pieces = [];
    if (multi) {
      const boundary = 'mockhub' + sha1(String(Date.now())).slice(0, 12);
      common['Content-Type'] = `multipart/byteranges; boundary=${boundary}`;
      const enc = new TextEncoder();
      for (const [a, b] of multi) {
        pieces.push(enc.encode(`--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${a}-${b - 1}/${size}\r\n\r\n`), [a, b], enc.encode('\r\n'));
      }
      pieces.push(enc.encode(`--${boundary}--\r\n`));
    } else {
      pieces.push([start, end]);
      if (status === 206 && !(origin === 'cdn' && knobs.cdnOmitContentRange)) common['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
    }
    const length = pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p[1] - p[0]), 0);
    if (origin === 'hub' && status === 200 && knobs.resolveCacheGzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      // CloudFront's compressed 200 (§9): chunked, so no Content-Length at all.
      res.writeHead(200, { ...common, 'Content-Encoding': 'gzip', Vary: 'Origin, Accept, Accept-Encoding' });
      if (req.method === 'HEAD') return void res.end();
      return void res.end(gzipSync(file.read(0, size)));
    }
    res.writeHead(status, { ...common, 'Content-Length': length });
    if (req.method === 'HEAD') return void res.end();
    let sent = 0;
    const cutAt = fault?.kind === 'reset' ? (fault.afterBytes ?? 1000) : Infinity;
    let pauseAt = fault?.kind === 'stallBody' ? (fault.afterBytes ?? 1000) : Infinity;
    let closed = false;
    res.on('close', () => { closed = true; });
    for (const p of pieces) {
      const [a, b] = p instanceof Uint8Array ? [0, p.length] : p;
      for (let pos = a; pos < b && !closed;) {
        const n = Math.min(64 * 1024, b - pos, Math.max(1, cutAt - sent), Math.max(1, pauseAt - sent));
        const chunk = p instanceof Uint8Array ? p.subarray(pos, pos + n) : readChunk(file, pos, pos + n);
        await pace(n);
        if (closed) break;
        const ok = res.write(chunk);
        pos += n;
        sent += n;
        if (origin === 'cdn') stats.cdn.bytes += n;
        if (sent >= pauseAt) {
          // A silent body: the head and the first bytes came, then nothing for a while.
          pauseAt = Infinity;
          await sleep(/** @type {Fault} */ (fault).ms ?? 1000);
        }
        if (sent >= cutAt) {
          // Cut the connection mid-body, as a reset would.
          await sleep(5);
          res.socket?.destroy();
          return;
        }
        if (!ok && !closed) {
          await new Promise((r) => {
            const done = () => { res.off('drain', done); res.off('close', done); r(undefined); };
            res.on('drain', done);
            res.on('close', done);
          });
        }
      }
    }
    if (!closed) res.end();
  };

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {Record<string, string>} headers
   * @param {string} [code]
   * @param {string} [message]
   */
  const fail = (res, status, headers, code, message) => {
    const h = { ...headers, 'Content-Type': 'application/json; charset=utf-8' };
    if (code) h['X-Error-Code'] = code;
    if (message) h['X-Error-Message'] = message;
    const body = JSON.stringify({ error: message ?? code ?? `HTTP ${status}` });
    res.writeHead(status, { ...h, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  /**
   * Who is asking and may they see the repo (and, with files=true, its files)? null = yes.
   * @param {import('node:http').IncomingMessage} req
   * @param {MockRepo | undefined} repo
   * @param {boolean} files
   * @returns {null | [number, string | undefined, string]}
   */
  const denial = (req, repo, files) => {
    const auth = req.headers.authorization;
    let user = null;
    if (auth) {
      const m = /^Bearer\s+(.+)$/.exec(auth);
      user = m ? tokens[m[1]] : undefined;
      if (!user) return [401, undefined, 'Invalid credentials in Authorization header'];
    }
    const notFound = user
      ? /** @type {[number, string, string]} */ ([404, 'RepoNotFound', 'Repository not found'])
      : /** @type {[number, string, string]} */ ([401, 'RepoNotFound', 'Repository not found']);
    if (!repo) return notFound;
    if (repo.private && !(user && repo.access.has(user))) return notFound;
    if (repo.disabled) return [403, undefined, 'Access to this resource is disabled.'];
    if (files && repo.gated) {
      if (!user) return [401, 'GatedRepo', `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`];
      if (!repo.access.has(user)) return [403, 'GatedRepo', `Access to model ${repo.id} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo.id} to ask for access.`];
    }
    return null;
  };

  /** The hub's CORS headers for a request (§2.1-2.2). @param {import('node:http').IncomingMessage} req */
  const hubCors = (req) => ({
    'Access-Control-Allow-Origin': req.headers.origin ?? 'https://huggingface.co',
    Vary: 'Origin, Accept',
    'Access-Control-Expose-Headers': HUB_EXPOSE[knobs.hubExpose] ?? HUB_EXPOSE['2026-07'],
    'X-Request-Id': 'Root=1-' + sha1(String(Math.random())).slice(0, 24),
  });

  /** @param {MockRepo} repo @param {{sha: string, files: Record<string, any>, date: string}} commit @param {URL} url */
  const modelInfo = (repo, commit, url) => {
    const blobsWanted = url.searchParams.get('blobs') === 'true';
    const names = Object.keys(commit.files).sort().slice(0, knobs.siblingsLimit ?? undefined);
    const siblings = names.map((p) => {
      const f = commit.files[p];
      if (!blobsWanted) return { rfilename: p };
      return { rfilename: p, size: f.size, blobId: f.gitSha, ...(f.lfs ? { lfs: { sha256: f.sha256, size: f.size, pointerSize: 134 } } : {}) };
    });
    const params = repo.parameters ?? {};
    const total = Object.values(params).reduce((a, b) => a + b, 0);
    const [author] = repo.id.split('/');
    /** @type {Record<string, any>} */
    const info = {
      _id: sha1(repo.id).slice(0, 24), id: repo.id, modelId: repo.id, author, sha: commit.sha,
      lastModified: commit.date, createdAt: repo.commits[0].date, private: repo.private,
      gated: repo.gated, disabled: repo.disabled, downloads: 0, likes: 0, library_name: 'transformers',
      // A repo with GGUF files is tagged gguf, as on the Hub.
      tags: [...(names.some((p) => p.endsWith('.gguf')) ? ['gguf'] : []), 'transformers', 'safetensors'], siblings,
      safetensors: total ? { parameters: params, total } : undefined,
      cardData: {
        ...(repo.baseModel ? { base_model: repo.baseModel } : {}),
        ...(repo.baseModelRelation ? { base_model_relation: repo.baseModelRelation } : {}),
      },
      config: {},
    };
    Object.assign(info, treeFields(repo, repos));
    // huggingface_hub sends expand=a&expand=b; the Hub also takes expand[]=a (hub-docs api.md).
    const expand = [...url.searchParams.getAll('expand'), ...url.searchParams.getAll('expand[]')];
    if (expand.length) {
      /** @type {Record<string, any>} */
      const only = { _id: info._id, id: info.id };
      for (const k of expand) if (k in info) only[k] = info[k];
      return only;
    }
    return info;
  };

  /** Tree/paths-info entries (§1: lfs.oid here, sha256 in siblings). */
  const entries = (/** @type {Record<string, any>} */ files) => {
    /** @type {Map<string, any>} */
    const all = new Map();
    for (const p of Object.keys(files)) {
      const f = files[p];
      const parts = p.split('/');
      for (let k = 1; k < parts.length; k++) {
        const d = parts.slice(0, k).join('/');
        if (!all.has(d)) all.set(d, { type: 'directory', oid: sha1('tree ' + d), size: 0, path: d });
      }
      all.set(p, { type: 'file', oid: f.gitSha, size: f.size, path: p, ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}) });
    }
    return [...all.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };

  const enc = (/** @type {string} */ s) => s.split('/').map(encodeURIComponent).join('/');

  /* ---------------- hub origin ---------------- */
  const hub = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const cors = hubCors(req);
    const entry = { origin: 'hub', method: req.method ?? '', path: url.pathname, range: req.headers.range ?? '', status: 0, auth: !!req.headers.authorization };
    if (stats.log.length < 100_000) stats.log.push(entry);
    res.on('finish', () => { entry.status = res.statusCode; });
    stats.hub.requests++;
    stats.hub.maxInFlight = Math.max(stats.hub.maxInFlight, ++stats.hub.inFlight);
    res.on('close', () => { stats.hub.inFlight--; });
    if (req.method === 'OPTIONS') {
      // Preflight (§8.5): 2xx, Origin reflected, requested headers echoed, cached a day.
      stats.hub.preflights++;
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        'Access-Control-Allow-Methods': 'GET,HEAD,POST,OPTIONS',
        'Access-Control-Max-Age': '86400',
      });
      return void res.end();
    }
    const raw = url.pathname;
    const segs = raw.split('/').filter(Boolean);
    const isResolve = segs[2] === 'resolve';
    const isApi = segs[0] === 'api';
    const cats = ['hub', ...(isResolve ? ['resolve'] : []), ...(isApi ? ['api'] : [])];
    const fault = faultFor(cats);
    if (knobs.latencyMs) await sleep(knobs.latencyMs);
    if (fault?.kind === 'stall') await sleep(fault.ms ?? 1000);
    if (fault?.kind === 'status') return fail(res, fault.status ?? 503, { ...cors, ...fault.headers }, undefined, 'mock fault');
    if (fault?.kind === 'redirectLoop') {
      res.writeHead(302, { ...cors, Location: req.url ?? '/', 'Content-Length': 0 });
      return void res.end();
    }
    try {
      if (isResolve) {
        stats.hub.resolveCalls++;
        return await resolve(req, res, segs, cors, fault);
      }
      if (isApi) {
        stats.hub.api++;
        return await api(req, res, url, segs, cors, fault);
      }
      return fail(res, 404, cors, undefined, 'Not Found');
    } catch (e) {
      if (!res.headersSent) fail(res, 500, cors, undefined, String(e));
      else res.destroy();
    }
  });

  /** GET|HEAD /{owner}/{name}/resolve/{rev}/{path} (§1, §8.1-3, §8.14). */
  async function resolve(req, res, segs, cors, fault) {
    // Rate limit on resolver calls, per fixed window (§3, §8.14).
    const now = Date.now();
    if (now - rate.start >= knobs.rateWindowSec * 1000) rate = { start: now, count: 0 };
    rate.count++;
    const t = Math.max(1, Math.ceil((rate.start + knobs.rateWindowSec * 1000 - now) / 1000));
    const rl = {
      RateLimit: `"resolvers";r=${Math.max(0, knobs.resolverLimit - rate.count)};t=${t}`,
      'RateLimit-Policy': `"fixed window";"resolvers";q=${knobs.resolverLimit};w=${knobs.rateWindowSec}`,
    };
    if (rate.count > knobs.resolverLimit) {
      /** @type {Record<string, string>} */
      const h = { ...cors, ...rl };
      if (knobs.retryAfterSec) h['Retry-After'] = String(knobs.retryAfterSec);
      if (knobs.rateLimitOmitAcao) delete h['Access-Control-Allow-Origin'];
      return fail(res, 429, h, undefined, 'You have been rate-limited; you can retry this action in a few minutes.');
    }
    const headers = { ...cors, ...rl };
    const repoId = `${decodeURIComponent(segs[0])}/${decodeURIComponent(segs[1])}`;
    const repo = repos.get(repoId);
    const no = denial(req, repo, true);
    if (no) return fail(res, no[0], headers, no[1], no[2]);
    // The revision is one encoded segment (refs%2Fpr%2F1), or the raw refs/pr/N form.
    let rest = segs.slice(3).map((s) => decodeURIComponent(s));
    let rev = rest[0];
    if (rev === 'refs' && rest[1] === 'pr') { rev = rest.slice(0, 3).join('/'); rest = rest.slice(3); } else rest = rest.slice(1);
    const path = rest.join('/');
    const commit = /** @type {MockRepo} */ (repo).commit(rev);
    if (!commit) return fail(res, 404, headers, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    const file = commit.files[path];
    if (!file) return fail(res, 404, { ...headers, 'X-Repo-Commit': commit.sha }, 'EntryNotFound', `Entry not found`);
    const h = { ...headers, 'X-Repo-Commit': commit.sha };
    if (file.lfs) {
      if (/application\/vnd\.xet-fileinfo\+json/.test(req.headers.accept ?? '')) {
        const body = JSON.stringify({ casUrl: cdnUrl, hash: file.sha256, refreshUrl: `${hubUrl}/api/models/${repoId}/xet-read-token/${commit.sha}`, reconstructionUrl: `${cdnUrl}/v1/reconstructions/${file.sha256}` });
        res.writeHead(200, { ...h, 'Content-Type': 'application/vnd.xet-fileinfo+json', 'X-Linked-Size': String(file.size), 'X-Linked-ETag': `"${file.sha256}"`, 'X-Xet-Hash': file.sha256, Link: `<${hubUrl}/api/models/${repoId}/xet-read-token/${commit.sha}>; rel="xet-auth", <${cdnUrl}/v1/reconstructions/${file.sha256}>; rel="xet-reconstruction-info"`, 'Content-Length': Buffer.byteLength(body) });
        return void res.end(req.method === 'HEAD' ? undefined : body);
      }
      const cdnOrigin = knobs.cdnAlternate && (cdnTurn++ % 2) ? cdnAltUrl : cdnUrl;
      const exp = Math.floor(Date.now() / 1000) + knobs.urlLifetimeSec;
      const expMs = Date.now() + knobs.urlLifetimeSec * 1000;
      const name = path.split('/').pop() ?? path;
      const sig = sign(file.sha256, expMs);
      const location = `${cdnOrigin}/xet-bridge-us/${sha1(repoId).slice(0, 24)}/${file.sha256}` +
        `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=cas%2F20260101%2Fus-east-1%2Fs3%2Faws4_request` +
        `&X-Amz-Date=20260101T000000Z&X-Amz-Expires=${knobs.urlLifetimeSec}&X-Amz-Signature=${sig}&X-Amz-SignedHeaders=host` +
        `&response-content-disposition=inline%3B+filename*%3DUTF-8%27%27${encodeURIComponent(name)}%3B+filename%3D%22${encodeURIComponent(name)}%22%3B` +
        `&x-id=GetObject&Expires=${exp}&ExpiresMs=${expMs}&Policy=${Buffer.from(JSON.stringify({ exp })).toString('base64url')}&Signature=${sig}&Key-Pair-Id=K2L8F4GPSG1IFC`;
      const body = `Found. Redirecting to ${location}`;
      res.writeHead(302, { ...h, Location: location, 'X-Linked-Size': String(file.size), 'X-Linked-Etag': `"${file.sha256}"`, ETag: `"${file.sha256}"`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    // Small git file: 307 to the same-origin resolve-cache (§8.2).
    const location = `/api/resolve-cache/models/${repoId}/${commit.sha}/${enc(path)}` +
      `?${encodeURIComponent(`/${repoId}/resolve/${rev}/${path}`)}=&etag=%22${file.gitSha}%22`;
    const body = `Temporary Redirect. Redirecting to ${location}`;
    res.writeHead(307, { ...h, Location: location, 'X-Linked-Etag': `"${file.gitSha}"`, 'Accept-Ranges': 'bytes', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /** @param {string} sha @param {number} expMs */
  function sign(sha, expMs) {
    return createHmac('sha256', secret).update(`${sha}:${expMs}`).digest('hex').slice(0, 40);
  }

  /** /api/... (§1, §8.12-13). */
  async function api(req, res, url, segs, cors, fault) {
    const s = segs.map((x) => decodeURIComponent(x));
    if (s[1] === 'resolve-cache' && s[2] === 'models') {
      const repo = repos.get(`${s[3]}/${s[4]}`);
      const no = denial(req, repo, true);
      if (no) return fail(res, no[0], cors, no[1], no[2]);
      const commit = /** @type {MockRepo} */ (repo).commit(s[5]);
      const file = commit?.files[s.slice(6).join('/')];
      if (!commit || !file) return fail(res, 404, cors, 'EntryNotFound', 'Entry not found');
      return sendFile(req, res, file, { ...cors, 'X-Repo-Commit': commit.sha }, fault, 'hub');
    }
    if (s[1] === 'models' && s.length === 2) {
      // GET /api/models?filter=..&sort=downloads&direction=-1&limit=N&expand[]=.. (model-tree.mjs)
      const list = listModels(url, repos, (r) => denial(req, r, false) === null, (r, c) => modelInfo(r, c, new URL('http://x/')));
      if (!Array.isArray(list)) return fail(res, 400, cors, undefined, list.error);
      const body = JSON.stringify(list);
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (s[1] !== 'models' || s.length < 4) return fail(res, 404, cors, undefined, 'Not Found');
    const repoId = `${s[2]}/${s[3]}`;
    const repo = repos.get(repoId);
    const no = denial(req, repo, false);
    if (no) return fail(res, no[0], cors, no[1], no[2]);
    const r = /** @type {MockRepo} */ (repo);
    const json = (/** @type {any} */ v, /** @type {Record<string,string>} */ extra = {}) => {
      const body = JSON.stringify(v);
      res.writeHead(200, { ...cors, ...extra, 'Content-Type': 'application/json; charset=utf-8', ETag: `W/"${sha1(body).slice(0, 16)}"`, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    const kind = s[4];
    if (kind === undefined || kind === 'revision') {
      const rev = kind === 'revision' ? s.slice(5).join('/') : 'main';
      const commit = r.commit(rev);
      if (!commit) return fail(res, 404, cors, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      return json(modelInfo(r, commit, url));
    }
    if (kind === 'xet-read-token') {
      // Only so the Link rel="xet-auth" of the xet fileinfo answer leads somewhere (§1).
      const no2 = denial(req, r, true);
      if (no2) return fail(res, no2[0], cors, no2[1], no2[2]);
      return json({ accessToken: 'mock-xet-' + sha1(String(Math.random())).slice(0, 16), exp: Math.floor(Date.now() / 1000) + 3600, casUrl: cdnUrl });
    }
    if (kind === 'tree' || kind === 'paths-info') {
      // rev is one segment (encoded when it contains '/'), or raw refs/pr/N.
      let rest = s.slice(5);
      let rev = rest[0];
      if (rev === 'refs' && rest[1] === 'pr') { rev = rest.slice(0, 3).join('/'); rest = rest.slice(3); } else rest = rest.slice(1);
      const commit = r.commit(rev);
      if (!commit) return fail(res, 404, cors, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      const all = entries(commit.files);
      if (kind === 'paths-info') {
        if (knobs.pathsInfoStatus) return fail(res, knobs.pathsInfoStatus, cors, undefined, knobs.pathsInfoStatus === 501 ? 'Not Implemented' : 'Not Found');
        if (req.method !== 'POST') return fail(res, 405, cors, undefined, 'Method Not Allowed');
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const text = Buffer.concat(chunks).toString('utf8');
        let paths = [];
        if (/json/.test(req.headers['content-type'] ?? '')) {
          try { paths = JSON.parse(text).paths ?? []; } catch { return fail(res, 400, cors, undefined, 'Invalid JSON'); }
        } else paths = new URLSearchParams(text).getAll('paths');
        const want = new Set(paths);
        return json(all.filter((e) => want.has(e.path)));
      }
      if (knobs.treeStatus) return fail(res, knobs.treeStatus, cors, undefined, knobs.treeStatus === 501 ? 'Not Implemented' : 'Not Found');
      const prefix = rest.join('/');
      const recursive = url.searchParams.get('recursive') === 'true';
      if (prefix && !all.some((e) => e.path === prefix && e.type === 'directory')) {
        return fail(res, 404, cors, 'EntryNotFound', `${prefix} does not exist on "${rev}"`);
      }
      const list = all.filter((e) => {
        if (prefix && !e.path.startsWith(prefix + '/')) return false;
        const rel = prefix ? e.path.slice(prefix.length + 1) : e.path;
        return recursive || !rel.includes('/');
      });
      const limit = Math.min(Number(url.searchParams.get('limit')) || Infinity, knobs.treePageSize);
      const from = Number(url.searchParams.get('cursor') ? Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() : 0) || 0;
      const page = list.slice(from, from + limit);
      /** @type {Record<string, string>} */
      const extra = { 'X-Total-Count': String(list.length) };
      if (from + limit < list.length) {
        const next = new URL(url.pathname + url.search, hubUrl);
        next.searchParams.set('cursor', Buffer.from(String(from + limit)).toString('base64url'));
        extra.Link = `<${next.href}>; rel="next"`;
      }
      return json(page, extra);
    }
    return fail(res, 404, cors, undefined, 'Not Found');
  }

  /* ---------------- CDN origin ---------------- */
  const cdnHandler = async (/** @type {import('node:http').IncomingMessage} */ req, /** @type {import('node:http').ServerResponse} */ res) => {
    const url = new URL(req.url ?? '/', 'http://cdn');
    const entry = { origin: 'cdn', method: req.method ?? '', path: url.pathname, range: req.headers.range ?? '', status: 0, auth: !!req.headers.authorization };
    if (stats.log.length < 100_000) stats.log.push(entry);
    res.on('finish', () => { entry.status = res.statusCode; });
    stats.cdn.requests++;
    stats.cdn.maxInFlight = Math.max(stats.cdn.maxInFlight, ++stats.cdn.inFlight);
    res.on('close', () => { stats.cdn.inFlight--; });
    if (req.headers.authorization) stats.cdn.withAuthorization++;
    if (req.method === 'OPTIONS') {
      // cas-bridge refuses preflights: non-2xx and no CORS headers (§2.7, §8.6).
      stats.cdn.preflights++;
      res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': 0 });
      return void res.end();
    }
    /** @type {Record<string, string>} */
    const cors = { 'Access-Control-Allow-Origin': '*' };
    const expose = CDN_EXPOSE[knobs.cdnExpose] ?? '';
    if (expose) cors['Access-Control-Expose-Headers'] = expose;
    const fault = faultFor(['cdn']);
    if (knobs.latencyMs) await sleep(knobs.latencyMs);
    if (knobs.jitterMs) await sleep(jitter() * knobs.jitterMs);
    if (fault?.kind === 'stall') await sleep(fault.ms ?? 1000);
    if (fault?.kind === 'status') return fail(res, fault.status ?? 503, { ...cors, ...fault.headers }, undefined, 'mock fault');
    const m = /^\/xet-bridge-us\/[0-9a-f]{24}\/([0-9a-f]{64})$/.exec(url.pathname);
    const file = m ? findBlob(m[1]) : undefined;
    if (!m || !file) return fail(res, 404, cors, undefined, 'NoSuchKey');
    const expMs = Number(url.searchParams.get('ExpiresMs'));
    if (url.searchParams.get('Signature') !== sign(m[1], expMs)) return fail(res, 403, cors, undefined, 'SignatureDoesNotMatch');
    // Expired signature (§8.9). Whether the real 403 carries CORS headers is UNCONFIRMED; it does here.
    if (Date.now() > expMs) return fail(res, 403, cors, undefined, 'Request has expired');
    return sendFile(req, res, file, cors, fault, 'cdn');
  };
  const cdn = createServer(cdnHandler);
  // The same CDN under a second loopback host name: another origin, as cdn.hf.co vs cas-bridge.
  const cdnAlt = createServer(cdnHandler);

  const listen = (/** @type {import('node:http').Server} */ s, /** @type {number} */ port) =>
    new Promise((r, j) => { s.once('error', j); s.listen(port, host, () => r(undefined)); });
  await listen(hub, o.hubPort ?? 0);
  await listen(cdn, o.cdnPort ?? 0);
  await new Promise((r, j) => { cdnAlt.once('error', j); cdnAlt.listen(0, cdnAltHost, () => r(undefined)); });
  const addr = (/** @type {any} */ s, h = host) => `http://${h}:${s.address().port}`;
  const hubUrl = addr(hub);
  const cdnUrl = addr(cdn);
  const cdnAltUrl = addr(cdnAlt, cdnAltHost);

  return {
    hubUrl,
    cdnUrl,
    cdnAltUrl,
    stats,
    knobs,
    tokens,
    /** @param {Knobs} k */
    setKnobs(k) {
      Object.assign(knobs, k);
      if ('faults' in k) counters = { hub: 0, cdn: 0, resolve: 0, api: 0 };
      if ('resolverLimit' in k || 'rateWindowSec' in k) rate = { start: Date.now(), count: 0 };
    },
    addRepo,
    /** @param {string} id */
    repo: (id) => repos.get(id),
    /** Zeroes the counters and the log (not the knobs). */
    resetStats() {
      Object.assign(stats.hub, { requests: 0, resolveCalls: 0, api: 0, preflights: 0, maxInFlight: 0 });
      Object.assign(stats.cdn, { requests: 0, bytes: 0, withAuthorization: 0, preflights: 0, maxInFlight: 0 });
      stats.log.length = 0;
    },
    async close() {
      for (const s of [hub, cdn, cdnAlt]) {
        s.closeAllConnections?.();
        await new Promise((r) => s.close(() => r(undefined)));
      }
    },
  };
}
