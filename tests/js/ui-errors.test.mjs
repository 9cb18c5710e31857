// The page's words for hub faults (web/lib/ui-errors.mjs): a timeout of ours is not "could not
// reach"; a 429 that outlasted the waits says the Hub counts in 5-minute windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainError } from '../../web/lib/ui-errors.mjs';

const ctx = { endpoint: 'https://huggingface.co', hasToken: false };

test('a stalled server reads as "stopped sending data", a refused connection as "could not reach"', () => {
  const stalled = explainError({ code: 'Network', message: 'huggingface.co stopped answering while reading a/b/model.safetensors (no data for 20 s, several times)' }, ctx);
  assert.equal(stalled.title, 'huggingface.co stopped sending data.');
  assert.match(stalled.detail, /no data for 20 s/);
  assert.equal(explainError({ code: 'Network', message: 'could not reach' }, ctx).title, 'Could not reach huggingface.co.');
});

test('a 429 after the waits names the 5-minute window', () => {
  const r = explainError({ code: 'RateLimited', message: 'x' }, ctx);
  assert.match(r.title, /still rate-limiting requests after several waits/);
  assert.match(r.advice, /5-minute windows/);
});
