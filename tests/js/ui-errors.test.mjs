// The page's error explanations (web/lib/ui-errors.mjs) for the real Hub's network cases (§9):
// a failed fetch to another endpoint names CORS and says where mirrors work.
import test from 'node:test';
import assert from 'node:assert/strict';
import { explainError } from '../../web/lib/ui-errors.mjs';

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
