// The evidence pictures on the demo run (heatmaps, scatter, layer plots) and, on a crafted report
// rendered by the page's own modules, how they mark what has no data or was left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { settle, useSiteAndBrowser } from './helpers.mjs';

const env = useSiteAndBrowser();
const fixture = JSON.parse(readFileSync(new URL('../fixtures/report/sample-report.json', import.meta.url), 'utf8'));

async function runDemo(page) {
  if (await page.locator('#verdict-sentence').count()) return;
  await page.goto(env.site.url);
  await page.getByRole('button', { name: 'a linear merge' }).click();
  await page.getByRole('button', { name: 'Verify' }).click();
  await settle(page);
}

/** Render `what` (a function name of web/ui/layers.mjs) for a report inside the page. */
async function renderInPage(page, report, what) {
  return page.evaluate(async ([r, fn]) => {
    const { buildView } = await import('./js/report/view.mjs');
    const layers = await import('./ui/layers.mjs');
    const el = layers[fn](buildView(r));
    const host = document.createElement('div');
    host.id = 'test-host';
    document.querySelector('#test-host')?.remove();
    host.append(el);
    document.body.append(host);
    return true;
  }, [report, what]);
}

/** Draws the scatter of report `rep` into #test-host, with the page's own modules. */
function showScatter(page, rep) {
  return page.evaluate(async (r) => {
    const { buildView } = await import('./js/report/view.mjs');
    const { tensorScatter } = await import('./ui/scatter.mjs');
    document.querySelector('#test-host')?.remove();
    const host = document.createElement('div');
    host.id = 'test-host';
    host.append(tensorScatter(buildView(r), 0));
    document.body.append(host);
  }, rep);
}

test('the demo shows alpha and cos_fit heatmaps, the control beside, with a legend and a title per cell', async () => {
  const { page, errors } = env.browser;
  await runDemo(page);
  for (const id of ['heatmap-alpha-0', 'heatmap-cos', 'heatmap-control-cos']) {
    const fig = page.locator(`#${id}`);
    assert.equal(await fig.count(), 1, id);
    const label = await fig.locator('svg[role=img]').getAttribute('aria-label');
    assert.match(label, /\d+ layers × \d+ components, values \d\.\d{3} to \d\.\d{3}/, label);
    const cells = await fig.locator('rect.cell').count();
    const [, L, C] = label.match(/(\d+) layers × (\d+) components/).map(Number);
    assert.equal(cells, L * C);
    assert.equal(await fig.locator('rect.cell > title').count(), cells);
    assert.match(await fig.locator('.heatmap-legend').textContent(), /\d\.\d{3}.*\d\.\d{3}/);
  }
  assert.match(await page.locator('#heatmap-alpha-0 rect.cell > title').first().textContent(), /^layer 0, \w+: alpha 0\.5\d\d/);
  assert.deepEqual(errors, []);
});

test('heatmap cells without data or with only left-out tensors are hatched and say why', async () => {
  const { page } = env.browser;
  const r = structuredClone(fixture);
  // layer 1 mlp: its only tensors are rounding-dominated; layer 0 mlp: absent from the report.
  for (const t of r.tensors) if (t.layer === 1 && t.component === 'mlp') t.rounding_dominated = true;
  r.layers = r.layers.filter((l) => !(l.index === 0 && l.component === 'mlp'));
  await renderInPage(page, r, 'layerHeatmaps');
  const titles = await page.locator('#test-host #heatmap-alpha-0 rect.cell.missing > title').allTextContents();
  assert.deepEqual(titles.sort(), [
    'layer 0, mlp: no data (no tensor of this component sampled here)',
    'layer 1, mlp: no data (left out of the statistics (2 rounding-dominated))',
  ]);
  const fill = await page.locator('#test-host #heatmap-alpha-0 rect.cell.missing').first().getAttribute('fill');
  assert.match(fill, /^url\(#hatch-\d+\)$/);
  assert.match(await page.locator('#test-host #heatmap-alpha-0 svg[role=img]').getAttribute('aria-label'), /2 cells without data/);
});

test('layer plots: coinciding lines get their own marker and a sideways offset', async () => {
  const { page } = env.browser;
  await runDemo(page);
  // In the demo merge attention and mlp share one alpha: both lines must still be seen.
  const fig = page.locator('figure.plot').filter({ has: page.locator('figcaption', { hasText: /^alpha \(A\) by layer$/ }) });
  const groups = fig.locator('g.series');
  assert.equal(await groups.count(), 2);
  const markers = await groups.evaluateAll((gs) => gs.map((g) => g.dataset.marker));
  assert.equal(new Set(markers).size, 2, markers.join());
  const firstX = await groups.evaluateAll((gs) => gs.map((g) => g.querySelector('.marker').getBBox().x));
  assert.ok(Math.abs(firstX[0] - firstX[1]) >= 1, `markers at ${firstX.join(', ')}`);
  assert.equal(await fig.locator('.legend svg.legend-marker').count(), 2);
});

test('layer plots leave out groups made only of rounding-dominated tensors, and say so', async () => {
  const { page } = env.browser;
  const r = structuredClone(fixture);
  // A norm component whose tensors are a few ulps: the engine marks them, its group alpha is biased.
  for (const layer of [0, 1]) {
    r.tensors.push({ name: `bert.encoder.layer.${layer}.output.LayerNorm.weight`, component: 'norm', layer, elements: 128,
      alphas: [0.98, 0.01], cos_fit: 0.4, rounding_dominated: true });
    r.layers.push({ index: layer, component: 'norm', alphas: [0.98, 0.01], cos_fit: 0.4, tensors: 1 });
  }
  await renderInPage(page, r, 'layerPlots');
  const names = await page.locator('#test-host g.series').evaluateAll((gs) => gs.map((g) => g.dataset.series));
  assert.ok(!names.includes('norm'), names.join());
  assert.ok(names.includes('attention') && names.includes('mlp'), names.join());
  assert.match(await page.locator('#test-host #layers-left-out').textContent(), /norm in 2 layers/);
});

test('on a phone the layer plots\' tick labels are drawn at 11 px or more', async () => {
  const { openBrowser } = await import('./helpers.mjs');
  const b = await openBrowser({ viewport: { width: 390, height: 844 } });
  try {
    await b.page.goto(env.site.url);
    await renderInPage(b.page, fixture, 'layerPlots');
    const heights = await b.page.locator('#test-host .plot-svg .grid text').evaluateAll((ts) => ts.map((t) =>
      parseFloat(getComputedStyle(t).fontSize) * /** @type {SVGGraphicsElement} */ (t).getScreenCTM().a));
    assert.ok(heights.length > 0);
    assert.ok(Math.min(...heights) >= 11, `tick font sizes ${heights.map((x) => x.toFixed(1)).join(', ')}`);
  } finally {
    await b.close();
  }
});

test('per-tensor scatter: suspect and control in two marks, outliers labelled on hover', async () => {
  const { page } = env.browser;
  await runDemo(page);
  const fig = page.locator('#scatter-0');
  assert.equal(await fig.locator('svg[role=img]').count(), 1);
  const suspect = await fig.locator('.suspect-points .pt').count();
  const control = await fig.locator('.control-points .pt').count();
  assert.ok(suspect > 5 && control > 5, `${suspect} suspect, ${control} control`);
  const shapes = await fig.evaluate((f) => [f.querySelector('.suspect-points .marker').tagName, f.querySelector('.control-points .marker').tagName]);
  assert.notEqual(shapes[0], shapes[1]);
  assert.match(await fig.locator('.suspect-points .pt title').first().textContent(), /^bert\..+: alpha 0\.5\d\d, cos_fit 0\.9\d\d$/);

  // An outlier (crafted: the demo merge has none) gets a label that appears on hover only.
  const r = structuredClone(fixture);
  r.tensors[2].outlier = true;
  r.tensors[2].alphas = [0.2, 0.7];
  await showScatter(page, r);
  const label = page.locator('#test-host .pt.outlier .pt-label');
  assert.equal(await label.textContent(), 'bert.encoder.layer.0.intermediate.dense.weight'.slice(-39).replace(/^/, '…'));
  assert.equal(await label.isVisible(), false);
  await page.locator('#test-host .pt.outlier .marker').hover();
  assert.equal(await label.isVisible(), true);
});

test('a scatter of a very large model draws an even subset, keeps every outlier and says so', async () => {
  const { page } = env.browser;
  const r = structuredClone(fixture);
  const base = r.tensors[0];
  r.tensors = Array.from({ length: 20_000 }, (_, j) => ({ ...base, name: `model.layers.${j % 60}.mlp.experts.${j}.w1`,
    alphas: [0.5 + (j % 7) / 100, 0.4], cos_fit: 0.99, outlier: j === 12_345 }));
  const t0 = Date.now();
  await showScatter(page, r);
  const points = await page.locator('#test-host .pt').count();
  assert.ok(points <= 3001 && points > 2000, `${points} points drawn`);
  assert.equal(await page.locator('#test-host .pt.outlier').count(), 1);
  assert.match(await page.locator('#test-host .scatter-thinned').textContent(), /^Drawn: [\d,]+ of 20,000 points/);
  assert.ok(Date.now() - t0 < 10_000, 'rendered in under 10 s');
});
