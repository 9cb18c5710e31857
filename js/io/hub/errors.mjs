// The hub client's errors: one class, a code per kind of failure, messages a person can act on.

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

/** Marks a failure worth another try; `final` is what the caller sees when tries run out. */
export class Retryable extends Error {
  /** @param {HubError} final @param {number} [waitMs] @param {boolean} [free] @param {boolean} [rate] */
  constructor(final, waitMs = 0, free = false, rate = false) {
    super(final.message);
    this.final = final;
    this.waitMs = waitMs; // server's hint (Retry-After / RateLimit t=), 0 when none
    this.free = free; // does not use up a try (e.g. re-resolving an expired CDN URL)
    this.rate = rate; // a 429: wait for the window instead of backing off, without using up a try
  }
}
