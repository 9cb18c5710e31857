// Unit tests of `mergeprobe verify` argument parsing: every rule of the synopsis.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  DEFAULT_BUDGET, DEFAULT_ENDPOINT, UsageError, isLocalPath, parseBudget, parseCli, parseModelSpec, parseSeed,
} from '../../cli/args.mjs';

const none = () => false;  // nothing exists on "disk" unless a test says so
const parse = (args, env = {}, exists = none) => parseCli(args, { env, exists });
const usage = (fn, re) => assert.throws(fn, (e) => e instanceof UsageError && e.code === 'usage' && re.test(e.message));

test('budget units: SI powers of 1000, IEC powers of 1024, bare number = bytes, case-insensitive', () => {
  assert.equal(parseBudget('64MB'), 64_000_000);
  assert.equal(parseBudget('64MiB'), 67_108_864);
  assert.equal(parseBudget('64mib'), 67_108_864);
  assert.equal(parseBudget('1GB'), 1e9);
  assert.equal(parseBudget('2GiB'), 2 * 2 ** 30);
  assert.equal(parseBudget('512KiB'), 524_288);
  assert.equal(parseBudget('512KB'), 512_000);
  assert.equal(parseBudget('4096B'), 4096);
  assert.equal(parseBudget('4096'), 4096);
  assert.equal(parseBudget('1.5 MB'), 1_500_000);
  assert.equal(parseBudget('4.5KiB'), 4608);
});

test('bad budgets are usage errors that show the accepted units', () => {
  for (const bad of ['', 'lots', '64XB', '-5MB', '0', '0MB', '0.1B', '1e3', 'MB', '1,000']) {
    usage(() => parseBudget(bad), /budget/);
  }
  usage(() => parseBudget('64XB'), /unknown unit "XB".*KiB/);
  usage(() => parseBudget('99999999TB'), /too large/);
  usage(() => parseBudget('4095'), /below the minimum of 4096 bytes/);
  usage(() => parseBudget('1KB'), /below the minimum/);
});

test('seed: non-negative integer only', () => {
  assert.equal(parseSeed('0'), 0);
  assert.equal(parseSeed('42'), 42);
  assert.equal(parseSeed(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  for (const bad of ['-1', '1.5', 'abc', '', '0x10', '1e3']) usage(() => parseSeed(bad), /seed/);
  usage(() => parseSeed('9007199254740993'), /at most/);
});

test('model specs: repo ids with and without revision, local paths', () => {
  assert.deepEqual(parseModelSpec('owner/name', '--suspect', none), { kind: 'hub', repo: 'owner/name', revision: 'main' });
  assert.deepEqual(parseModelSpec('owner/na.me-2_x@v1.0', '--parent', none), { kind: 'hub', repo: 'owner/na.me-2_x', revision: 'v1.0' });
  assert.deepEqual(parseModelSpec('gpt2', '--base', none), { kind: 'hub', repo: 'gpt2', revision: 'main' });
  assert.deepEqual(parseModelSpec('o/n@refs/pr/1', '--base', none), { kind: 'hub', repo: 'o/n', revision: 'refs/pr/1' });
  const sha = 'a'.repeat(40);
  assert.equal(parseModelSpec(`o/n@${sha}`, '--base', none).revision, sha);
  for (const p of ['./m', '../m', '/abs/m', './m.safetensors', '.']) {
    assert.deepEqual(parseModelSpec(p, '--suspect', none), { kind: 'local', path: p });
  }
  // No prefix, but it exists on disk: a path (checked before the repo-id rule).
  assert.deepEqual(parseModelSpec('owner/name', '--suspect', (p) => p === 'owner/name'), { kind: 'local', path: 'owner/name' });
  assert.equal(isLocalPath('models/x', none), false);
});

test('bad model specs are usage errors naming the flag', () => {
  usage(() => parseModelSpec('a/b/c', '--parent', none), /--parent "a\/b\/c" is neither/);
  usage(() => parseModelSpec('own er/x', '--suspect', none), /--suspect/);
  usage(() => parseModelSpec('o/n@', '--base', none), /revision/);
  usage(() => parseModelSpec('o--x/n', '--base', none), /neither/);
  usage(() => parseModelSpec('', '--base', none), /needs a value/);
});

test('a full command line', () => {
  const o = parse(['verify', '--suspect', 'c/c@abc', '--parent', 'a/a', '--parent', './local-a', '--base', 'b/b',
    '--control', 'x/ctl', '--endpoint', 'http://127.0.0.1:9/', '--budget', '8MiB', '--seed', '3', '--json', '--no-cache', '--no-wait']);
  assert.equal(o.action, 'verify');
  assert.deepEqual(o.suspect, { kind: 'hub', repo: 'c/c', revision: 'abc' });
  assert.deepEqual(o.parents, [{ kind: 'hub', repo: 'a/a', revision: 'main' }, { kind: 'local', path: './local-a' }]);
  assert.deepEqual(o.base, { kind: 'hub', repo: 'b/b', revision: 'main' });
  assert.deepEqual(o.control, { kind: 'hub', repo: 'x/ctl', revision: 'main' });
  assert.equal(o.endpoint, 'http://127.0.0.1:9');
  assert.equal(o.budget, 8 * 2 ** 20);
  assert.equal(o.seed, 3);
  assert.equal(o.json, true);
  assert.equal(o.cache, false);
  assert.equal(o.wait, false);
});

test('defaults, --flag=value form, and the environment (HF_ENDPOINT, HF_TOKEN)', () => {
  const o = parse(['verify', '--suspect=c/c', '--parent=a/a']);
  assert.equal(o.base, null);
  assert.equal(o.control, null);
  assert.equal(o.budget, DEFAULT_BUDGET);
  assert.equal(o.seed, 0);
  assert.equal(o.json, false);
  assert.equal(o.cache, true);
  assert.equal(o.wait, true);
  assert.equal(o.endpoint, DEFAULT_ENDPOINT);
  assert.equal(o.token, undefined);
  const e = parse(['verify', '--suspect', 'c/c', '--parent', 'a/a'], { HF_ENDPOINT: 'http://mirror.local:8080/', HF_TOKEN: 'hf_abc\n' });
  assert.equal(e.endpoint, 'http://mirror.local:8080');
  assert.equal(e.token, 'hf_abc');
  // A token a header cannot carry is a usage error, and the message does not repeat it.
  for (const bad of ['hf_abc def', 'hf_abc\nhf_def', 'hf_\u00e9']) {
    assert.throws(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a'], { HF_TOKEN: bad }),
      (err) => err.code === 'usage' && err.message === 'HF_TOKEN: this token is not valid: it contains characters that cannot be sent in an HTTP header');
  }
  // The flag wins over the environment.
  const f = parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--endpoint', 'https://hf.example'], { HF_ENDPOINT: 'http://x' });
  assert.equal(f.endpoint, 'https://hf.example');
});

test('--help and --version win over everything else, even other mistakes', () => {
  assert.deepEqual(parse(['--help']), { action: 'help' });
  assert.deepEqual(parse(['-h']), { action: 'help' });
  assert.deepEqual(parse(['verify', '--help']), { action: 'help' });
  assert.deepEqual(parse(['verify', '--parent', 'a/a', '--help']), { action: 'help' });
  assert.deepEqual(parse(['--version']), { action: 'version' });
  assert.deepEqual(parse(['-V']), { action: 'version' });
});

test('usage errors: missing or repeated flags, unknown flags and commands', () => {
  usage(() => parse([]), /missing command/);
  usage(() => parse(['check', '--suspect', 'c/c']), /unknown command "check"/);
  usage(() => parse(['verify', '--parent', 'a/a']), /missing --suspect/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--suspect', 'd/d', '--parent', 'a/a']), /--suspect given 2 times/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--frobnicate']), /--frobnicate.*--help/);
  usage(() => parse(['verify', '--suspect']), /--suspect/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', 'extra']), /unexpected argument "extra"/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--budget', 'big']), /budget/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--seed', '-3']), /^--seed "-3" is not a non-negative integer/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--budget', '-3MB']), /^--budget: "-3MB" is not a size/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--endpoint', 'ftp://x']), /http/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--parent', 'a/a'], { HF_ENDPOINT: 'not a url' }), /HF_ENDPOINT/);
  usage(() => parse(['verify', '--suspect', 'c/c', ...Array(5).fill(0).flatMap((_, i) => ['--parent', `p/${i}`])]), /at most 4/);
});

test('roles not given are discovered: --suspect alone, --candidate in any order, --max-candidates', () => {
  const alone = parse(['verify', '--suspect', 'c/c']);
  assert.equal(alone.discover, true);
  assert.deepEqual(alone.parents, []);
  assert.equal(alone.base, null);
  assert.equal(alone.maxCandidates, null);
  const some = parse(['verify', '--suspect', 'c/c', '--candidate', 'x/one', '--candidate', 'y/two@v1', '--max-candidates', '7']);
  assert.deepEqual(some.candidates.map((c) => [c.repo, c.revision]), [['x/one', 'main'], ['y/two', 'v1']]);
  assert.equal(some.maxCandidates, 7);
  // Every role pinned and no candidate: the named verification, as before.
  assert.equal(parse(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--base', 'b/b']).discover, false);
  assert.equal(parse(['verify', '--suspect', 'c/c', '--parent', 'a/a']).discover, true);
  usage(() => parse(['verify', '--suspect', 'c/c', '--max-candidates', '0']), /--max-candidates "0": give a whole number from 1 to 200/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--max-candidates', 'lots']), /--max-candidates/);
  usage(() => parse(['verify', '--suspect', 'c/c', '--candidate', './local']), /candidates are Hub repo ids/);
  usage(() => parse(['verify', '--suspect', './here', '--parent', 'a/a']), /^missing --base .*needs a Hub suspect/);
});
