// Exit-code mapping and one-line messages of `mergeprobe verify` (README.md "Command line" "Exit codes").
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { UsageError } from '../../cli/args.mjs';
import { EXIT, exitCodeFor, messageFor } from '../../cli/errors.mjs';

// Stand-in with HubError's shape (js/io/hub/client.mjs): the mapping must not depend on importing it.
class HubError extends Error {
  constructor(code, message, extra = {}) { super(message); this.name = 'HubError'; this.code = code; Object.assign(this, extra); }
}
const coded = (code, message = 'x') => Object.assign(new Error(message), { code });

test('usage errors exit 2', () => {
  assert.equal(exitCodeFor(new UsageError('missing --suspect')), EXIT.USAGE);
  assert.equal(exitCodeFor(coded('usage')), 2);
  assert.equal(exitCodeFor(coded('ENOENT', "ENOENT: no such file or directory, stat './nope'")), 2);
  // A local folder without weights (node-sources.mjs: plain Error, code EntryNotFound) vs the hub's.
  const local = coded('EntryNotFound', './m: no model.safetensors or model.safetensors.index.json in the folder');
  assert.equal(exitCodeFor(local), 2);
  assert.equal(messageFor(local), './m: no model.safetensors or model.safetensors.index.json in the folder: check the local path (see mergeprobe --help)');
  assert.equal(exitCodeFor(new HubError('EntryNotFound', 'x')), 3);
});

test('every HubError code exits 3, also network errors without a HubError', () => {
  for (const c of ['RepoNotFound', 'GatedRepo', 'RevisionNotFound', 'EntryNotFound', 'Unauthorized', 'Disabled',
    'RateLimited', 'Network', 'RangeIgnored', 'BadResponse']) {
    assert.equal(exitCodeFor(new HubError(c, 'm')), EXIT.HUB, c);
  }
  // undici: TypeError('fetch failed') with cause.code ECONNREFUSED
  const refused = new TypeError('fetch failed', { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9') });
  assert.equal(exitCodeFor(refused), 3);
  const agg = new TypeError('fetch failed', { cause: Object.assign(new AggregateError([coded('ECONNREFUSED')], 'x'), {}) });
  assert.equal(exitCodeFor(agg), 3);
});

test('models that cannot be compared exit 4 (the engine codes a core error is mapped to)', () => {
  for (const c of ['incomparable', 'invalid-file']) assert.equal(exitCodeFor(coded(c)), EXIT.INCOMPARABLE, c);
  // The core's own names travel as `rule` (run-analysis.mjs coreError); the kind decides.
  assert.equal(exitCodeFor(Object.assign(coded('invalid-file'), { rule: 'IndexTooLarge' })), EXIT.INCOMPARABLE);
});

test('anything else is an internal error (1); aborts are 130', () => {
  assert.equal(exitCodeFor(new TypeError('x is undefined')), 1);
  assert.equal(exitCodeFor('a string'), 1);
  assert.equal(exitCodeFor(null), 1);
  assert.equal(exitCodeFor(new HubError('Aborted', 'aborted')), EXIT.INTERRUPTED);
});

test('messages are one line and say what to do', () => {
  const ctx = { endpoint: 'http://127.0.0.1:5000' };
  const cases = [
    [new HubError('RepoNotFound', 'Repository not found', { repo: 'o/missing' }), /^o\/missing was not found on http:\/\/127\.0\.0\.1:5000: check the name; for a private repo set HF_TOKEN$/],
    [new HubError('GatedRepo', 'Access restricted', { repo: 'o/gated' }), /o\/gated is gated: accept its conditions .* set HF_TOKEN/],
    [new HubError('Unauthorized', 'Invalid credentials', { repo: 'o/x' }), /check HF_TOKEN/],
    [new HubError('RevisionNotFound', 'Invalid rev id: nope', { repo: 'o/x' }), /Invalid rev id: nope: revision not found in o\/x; check the @REV/],
    [new HubError('RateLimited', '429'), /wait a few minutes, or set HF_TOKEN/],
    // hub.mjs says how long the server asked to wait: kept as it is.
    [new HubError('RateLimited', 'x is rate-limiting requests (HTTP 429) while reading a/b: it asks to wait 90 s (the Hub counts requests in 5-minute windows), then retry'), /^x is rate-limiting .*it asks to wait 90 s/],
    // A timeout of ours: the server was reached, so not "check your network connection".
    [new HubError('Network', 'h stopped answering while reading a/b (no data for 20 s, several times): retry later', { cause: Object.assign(new Error('no data'), { name: 'StallError' }) }), /^h stopped answering while reading a\/b/],
    [new HubError('Network', 'fetch failed'), /^cannot reach http:\/\/127\.0\.0\.1:5000: check your network connection, --endpoint or HF_ENDPOINT$/],
    [new TypeError('fetch failed', { cause: coded('ECONNREFUSED') }), /cannot reach .* \(ECONNREFUSED\)/],
    [coded('incomparable', 'no tensor names in common between the suspect and parent 1.'), /^no tensor names in common between the suspect and parent 1: the models cannot be compared; check/],
    [coded('invalid-file', 'model.safetensors: header length 9999999999 exceeds the file'), /not a valid safetensors file/],
    [new UsageError('missing --suspect OWNER/NAME[@REV]: the model to check'), /^missing --suspect OWNER\/NAME\[@REV\]: the model to check$/],
    [new TypeError('boom\n    at stack line'), /^internal error: boom \(please report it; MERGEPROBE_DEBUG=1 shows the stack\)$/],
  ];
  for (const [err, re] of cases) {
    const m = messageFor(err, ctx);
    assert.match(m, re);
    assert.ok(!m.includes('\n'), m);
    assert.ok(!/\bat \S+ \(/.test(m), `no stack frames: ${m}`);
  }
  // With a token, a gated repo means the account lacks access, not a missing token.
  assert.match(messageFor(new HubError('GatedRepo', 'x', { repo: 'o/g' }), { token: true }), /this token has no access/);
});

test('engine codes beyond the three: budget is fixed by a flag (2), a missing build is a plain message', () => {
  const oom = coded('budget', 'out of memory for the planned ranges: lower the byte budget');
  assert.equal(exitCodeFor(oom), 2);
  assert.equal(messageFor(oom), 'out of memory for the planned ranges: lower the byte budget (--budget)');
  assert.equal(messageFor(coded('budget', 'out of memory allocating 5 bytes')), 'out of memory allocating 5 bytes: try a smaller --budget');
  const setup = coded('setup', 'mergeprobe.wasm not found: run `npm run build` first');
  assert.equal(exitCodeFor(setup), 1);
  assert.equal(messageFor(setup), 'mergeprobe.wasm not found: run `npm run build` first');
  assert.equal(exitCodeFor(coded('internal', 'x')), 1);
  assert.equal(exitCodeFor(coded('aborted', 'cancelled')), 130);
});
