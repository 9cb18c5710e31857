// The page's words for hub faults (web/ui/errors.mjs): a timeout of ours is not "could not
// reach"; a 429 that outlasted the waits says the Hub counts in 5-minute windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainError } from '../../web/ui/errors.mjs';

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

const network = { code: 'Network', message: 'could not reach … a network error or the server refused cross-origin access', repo: 'a/b' };

test('a network failure with a mirror endpoint names CORS and sends mirrors to the command line', () => {
  const ex = explainError(network, { endpoint: 'https://hf-mirror.com', hasToken: false });
  assert.match(ex.title, /^Could not read hf-mirror\.com from this page: it probably does not allow cross-origin requests \(CORS\)\.$/);
  assert.match(ex.advice, /hf-mirror\.com do not: they work from the command line \(HF_ENDPOINT=https:\/\/hf-mirror\.com mergeprobe verify …\), not from a page/);
  assert.equal(ex.detail, network.message);
  assert.match(explainError(network, { endpoint: 'http://127.0.0.1:8081', hasToken: false }).title, /CORS/);
});

test('with huggingface.co the network failure reads as a connection problem, CORS still named', () => {
  for (const endpoint of ['https://huggingface.co', 'https://hf.co', 'https://huggingface.co/']) {
    const ex = explainError(network, { endpoint, hasToken: false });
    assert.match(ex.title, /^Could not reach (huggingface|hf)\.co\.$/);
    assert.match(ex.advice, /cross-origin requests \(CORS\)/);
  }
});

test('a missing listing endpoint explains itself', () => {
  const ex = explainError({ code: 'NotSupported', message: 'x does not serve …/paths-info', role: 'suspect' }, { endpoint: 'https://mirror.example', hasToken: false });
  assert.match(ex.title, /^mirror\.example does not offer a listing mergeprobe needs \(Suspect model\)\.$/);
});
