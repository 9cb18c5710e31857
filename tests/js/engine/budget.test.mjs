// The byte budget is one rule for the page, the CLI, the engine and the core (js/engine/budget.mjs):
// the same units, limits and default everywhere, and links in either direction mean the same.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  DEFAULT_BUDGET, MAX_BUDGET, MIN_BUDGET, WASM_MAX_MEMORY, BudgetError, budgetProblem, formatBudget, parseBudget,
} from '../../../js/engine/budget.mjs';
import * as cli from '../../../cli/args.mjs';
import * as engine from '../../../js/engine/run-analysis.mjs';
import { decodeShareParams } from '../../../js/report/share-link.mjs';

const root = new URL('../../../', import.meta.url);
const source = (p) => readFileSync(new URL(p, root), 'utf8');

test('one default budget: 64 MiB in the page, the CLI, the engine and src/plan/planner.h', () => {
  assert.equal(DEFAULT_BUDGET, 64 * 2 ** 20);
  assert.equal(cli.DEFAULT_BUDGET, DEFAULT_BUDGET);
  assert.equal(engine.DEFAULT_BUDGET, DEFAULT_BUDGET);
  const m = /uint64_t budget_bytes = (\d+)ull << (\d+);/.exec(source('src/plan/planner.h'));
  assert.ok(m, 'planner.h states PlanOptions::budget_bytes as N << S');
  assert.equal(Number(m[1]) * 2 ** Number(m[2]), DEFAULT_BUDGET);
  // The page takes its default from budget.mjs, not from a number in the markup.
  assert.match(source('web/ui/form.mjs'), /byId\('budget'\)\.value = formatBudget\(DEFAULT_BUDGET\)/);
  assert.doesNotMatch(source('web/index.html'), /id="budget"[^>]*value=/);
});

test('the heap maximum is the link flag -sMAXIMUM_MEMORY (Emscripten sizes are binary)', () => {
  const m = /-sMAXIMUM_MEMORY=(\d+)GB/.exec(source('CMakeLists.txt'));
  assert.ok(m);
  assert.equal(WASM_MAX_MEMORY, Number(m[1]) * 2 ** 30);
  assert.ok(MAX_BUDGET < WASM_MAX_MEMORY && MAX_BUDGET >= 3 * 2 ** 30);
});

test('the CLI and the page parse sizes alike; a plain number is bytes in the CLI, MB in the page', () => {
  for (const [text, bytes] of [['64MiB', 67_108_864], ['512KiB', 524_288], ['100MB', 1e8], ['1GB', 1e9], ['4KiB', 4096], ['1.5 GiB', 1.5 * 2 ** 30]]) {
    assert.equal(cli.parseBudget(text), bytes, text);
    assert.equal(parseBudget(text, { plainUnit: 'MB' }), bytes, text);
  }
  assert.equal(cli.parseBudget('524288'), 524_288);
  assert.equal(parseBudget('64', { plainUnit: 'MB' }), 64e6);  // old page forms and habits
  assert.equal(cli.MIN_BUDGET, MIN_BUDGET);
  assert.equal(cli.MAX_BUDGET, MAX_BUDGET);
  // The same limits on both sides (the page refused below 1 MB and above 100000 MB before).
  for (const text of ['4KiB', '512KiB', '3.5GiB']) assert.doesNotThrow(() => parseBudget(text, { plainUnit: 'MB' }), text);
  for (const text of ['4095B', '0.001', '3.6GiB', '8000']) {
    assert.throws(() => parseBudget(text, { plainUnit: 'MB' }), BudgetError, text);
    assert.throws(() => cli.parseBudget(/^\d+$/.test(text) ? `${text}MB` : text), cli.UsageError, text);
  }
});

test('a budget above what WebAssembly can hold names the largest that fits, in page and CLI', () => {
  const expect = /a budget of 8000MB is too large: it needs about 8\.5 GB of memory, and WebAssembly can use at most 4\.3 GB; the largest budget that fits is 3758MB$/;
  assert.throws(() => parseBudget('8000', { plainUnit: 'MB' }), expect);
  assert.throws(() => cli.parseCli(['verify', '--suspect', 'c/c', '--parent', 'a/a', '--base', 'b/b', '--budget', '8000MB'],
    { env: {}, exists: () => false }), (e) => e.code === 'usage' && /^--budget: /.test(e.message) && expect.test(e.message));
  // The named budget is accepted.
  assert.equal(parseBudget('3758MB'), 3758e6);
  assert.equal(budgetProblem(MAX_BUDGET), null);
  assert.match(budgetProblem(MAX_BUDGET + 1), /too large/);
});

test('formatBudget is exact and parseBudget reads it back (share links refill the field)', () => {
  const cases = [[64 * 2 ** 20, '64MiB'], [64e6, '64MB'], [524_288, '512KiB'], [2e9, '2000MB'], [4097, '4097B'],
    [4e3 * 2, '8KB'], [2 ** 30, '1GiB'], [3.5 * 2 ** 30, '3.5GiB'], [123_456_789, '123456789B']];
  for (const [bytes, text] of cases) {
    assert.equal(formatBudget(bytes), text);
    assert.equal(parseBudget(text), bytes, text);
    assert.equal(parseBudget(text, { plainUnit: 'MB' }), bytes, `${text} in the page`);
  }
});

test('an old page link (budget=64000000) and a CLI link (budget=524288) keep their exact budget', () => {
  for (const bytes of [64_000_000, 524_288, 67_108_864]) {
    const p = decodeShareParams(`s=a/c@main&p=a/a@main&b=a/b@main&budget=${bytes}&seed=0&v=1`);
    assert.equal(parseBudget(formatBudget(p.budget), { plainUnit: 'MB' }), bytes);
  }
});
