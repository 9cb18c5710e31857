// The access token in the page (issue 10): a token belongs to the endpoint it was entered for. A
// share link naming another endpoint (anyone can mail one) fills the form but does not start, says
// which endpoint it names and asks; and even when the person runs it, that endpoint gets no token.
// Public repos never see the token; a gated one still reads with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import { demoEndpoint, GATED_TOKEN, setAdvanced, settle, useSiteAndBrowser, verify } from './helpers.mjs';
import { encodeShareParams } from '../../js/report/share-link.mjs';

const env = useSiteAndBrowser();

/**
 * A stranger's endpoint on loopback: records every request's method, path and headers, and answers
 * CORS like the hub (preflights allowed, origin reflected), so a token sent to it would arrive.
 * Every API call gets the hub's 401 "Repository not found", the answer a token might lift.
 */
let capture;
before(async () => {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, path: req.url, headers: { ...req.headers } });
    const cors = {
      'Access-Control-Allow-Origin': req.headers.origin ?? '*',
      'Access-Control-Expose-Headers': 'X-Error-Code, X-Error-Message',
      Vary: 'Origin',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
        'Access-Control-Allow-Methods': 'GET,HEAD,POST,OPTIONS', 'Access-Control-Max-Age': '0' }).end();
      return;
    }
    res.writeHead(401, { ...cors, 'Content-Type': 'application/json', 'X-Error-Code': 'RepoNotFound',
      'X-Error-Message': 'Repository not found' }).end('{"error":"Repository not found"}');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  capture = { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
});
after(async () => { await capture?.close(); });

const DEMO = { suspect: 'demo/bert-tiny-merge-0.571', parent: 'demo/bert-tiny-sst2', base: 'demo/bert-tiny-base' };
const link = (endpoint, m = DEMO) => `${env.site.url}#${encodeShareParams({
  suspect: { repo: m.suspect }, parents: [{ repo: m.parent }], base: { repo: m.base }, endpoint, seed: 0,
})}`;
const leaked = () => capture.seen.filter((r) => r.headers.authorization ||
  /authorization/i.test(r.headers['access-control-request-headers'] ?? ''));

test('a link naming a stranger\'s endpoint does not start, names it and asks; run anyway, it gets no token', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  const demo = await demoEndpoint(page);
  await setAdvanced(page, { endpoint: demo, token: GATED_TOKEN });

  // In the same tab, as a mailed link would be opened: a fragment change, then a fresh load.
  for (const open of [() => page.goto(link(capture.url)), () => page.reload()]) {
    capture.seen.length = 0;
    await open();
    await page.locator('#link-confirm').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#link-confirm-endpoint').textContent(), capture.url);
    assert.match(await page.locator('#link-confirm').textContent(), /another hub\?/);
    await page.waitForTimeout(500);
    assert.equal(await page.locator('#progress').isHidden(), true, 'the run did not start by itself');
    assert.deepEqual(capture.seen, [], 'nothing was sent to the endpoint of the link');
    // The form holds the link's run and endpoint, and no token: none was entered for that endpoint.
    assert.equal(await page.getByLabel('Suspect model', { exact: true }).inputValue(), `${DEMO.suspect}@main`);
    assert.equal(await page.getByLabel('Hub endpoint').inputValue(), capture.url);
    assert.equal(await page.getByLabel('Access token').inputValue(), '');
  }

  await page.locator('#link-confirm-run').click();
  await settle(page);
  assert.ok(capture.seen.length >= 1, 'the run went to the endpoint once the person said so');
  assert.deepEqual(leaked(), [], 'no Authorization, not even a preflight asking for it');
  assert.equal(await page.locator('#link-confirm').isHidden(), true);

  // The token is still there for the endpoint it was entered for, and comes back with it.
  await setAdvanced(page, { endpoint: demo });
  assert.equal(await page.getByLabel('Access token').inputValue(), GATED_TOKEN);
  assert.deepEqual(env.browser.errors.filter((e) => !/401|Failed to load resource/.test(e)), []);
});

test('typing another endpoint never carries the token over to it', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  const demo = await demoEndpoint(page);
  await setAdvanced(page, { endpoint: demo, token: GATED_TOKEN });
  await setAdvanced(page, { endpoint: capture.url });
  assert.equal(await page.getByLabel('Access token').inputValue(), '');
  capture.seen.length = 0;
  await verify(page, DEMO);
  await settle(page);
  assert.ok(capture.seen.length >= 1);
  assert.deepEqual(leaked(), []);
});

test('a link to the demo hub starts by itself; public repos get no token, a gated one reads with it', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  const demo = await demoEndpoint(page);
  await setAdvanced(page, { endpoint: demo, token: GATED_TOKEN });
  env.site.hub.resetStats();
  await page.goto(link(demo));
  await settle(page);
  assert.equal(await page.locator('#link-confirm').isHidden(), true);
  await page.waitForSelector('#verdict-sentence');
  const log = env.site.hub.stats.log;
  assert.ok(log.some((e) => e.path.includes('/resolve/')));
  assert.deepEqual(log.filter((e) => e.auth), [], 'public repos: no request carries the token');
  assert.equal(env.site.hub.stats.hub.preflights + env.site.hub.stats.cdn.preflights, 0, 'and nothing is preflighted');

  env.site.hub.resetStats();
  await page.goto(link(demo, { ...DEMO, suspect: 'gated-org/bert-tiny-merge' }));
  await page.waitForSelector('#verdict-sentence');
  assert.match(await page.locator('#verdict-sentence').textContent(), /linear merge/i);
  const gated = env.site.hub.stats.log.filter((e) => e.path.includes('gated-org/') && e.method !== 'OPTIONS');
  assert.equal(gated[0].auth, false, 'the first API call of the gated model goes without the token');
  assert.ok(gated.filter((e) => e.path.includes('/resolve/')).every((e) => e.auth));
  assert.ok(env.site.hub.stats.log.filter((e) => e.origin === 'hub' && !e.path.includes('gated-org/')).every((e) => !e.auth));
  assert.equal(env.site.hub.stats.cdn.withAuthorization, 0);
});

test('a token a header cannot carry is refused at once, naming the reason, before any request', async () => {
  const { page } = env.browser;
  await page.goto(env.site.url);
  await setAdvanced(page, { endpoint: await demoEndpoint(page), token: 'hf_abc def' });
  env.site.hub.resetStats();
  await verify(page, DEMO);
  await page.locator('#form-error').waitFor({ state: 'visible' });
  assert.match(await page.locator('#form-error').textContent(), /^This token is not valid: it contains characters that cannot be sent in an HTTP header/);
  assert.ok(!(await page.locator('#form-error').textContent()).includes('hf_abc'));
  assert.equal(await page.locator('#token-error').isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'token');
  assert.equal(await page.locator('#progress').isHidden(), true);
  assert.equal(env.site.hub.stats.log.length, 0);
});
